"""Entry point of the Rasa server process: ``python -m bot.adapters.rasa_main run ...``.

The same as ``python -m rasa``, with measured fixes installed first
(bench/README.md):

- the action server's replies are checked against Rasa's schema by one
  validator built once, event by event (:mod:`bot.adapters.action_reply`),
  instead of ``jsonschema.validate`` rebuilding a validator on each call;
  invalid replies are still refused with the same error;
- event classes are looked up by name in a table
  (:mod:`bot.adapters.event_types`) instead of walking the class tree for
  every event read from the tracker store or received from the action
  server;
- calls to the action server reuse one kept-alive HTTP session
  (:mod:`bot.adapters.action_http`) instead of a new connection per call;
- JAX is not loaded: TensorFlow 2.12 requires the package and imports it at
  start-up only for TFLite's JAX conversion (``tensorflow.lite.python.util``
  falls back when the import fails), which Rasa never uses: about 100 MB of
  the server's memory and 0.4 s of its start.
"""

from __future__ import annotations

import sys

from bot.adapters.action_http import install_shared_sessions
from bot.adapters.action_reply import install_fast_action_validation
from bot.adapters.event_types import install_event_type_table


def block_unused_imports() -> None:
    """Make ``import jax`` fail in this process, before TensorFlow is imported."""
    sys.modules.setdefault("jax", None)  # type: ignore[arg-type]


def main() -> None:
    block_unused_imports()
    install_fast_action_validation()
    install_event_type_table()
    install_shared_sessions()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
