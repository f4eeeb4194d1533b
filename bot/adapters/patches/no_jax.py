"""Keep TensorFlow from importing JAX in the Rasa server process.

TensorFlow 2.12 (the version Rasa 3.6 pins) requires the ``jax`` package
and imports it at start-up only for TFLite's JAX conversion
(``tensorflow.lite.python.util`` falls back when the import fails), which
Rasa never uses: about 100 MB of the server's memory and 0.4 s of its start
(bench/README.md). :func:`install` makes ``import jax`` fail in this
process; it must run before TensorFlow is imported, so it does nothing (and
says so) once JAX is loaded.

Patch ``no_jax`` (:mod:`bot.adapters.patches`): touches no Rasa symbol but
relies on the TensorFlow that Rasa 3.6 pins (docs/upgrading-rasa.md).
"""

from __future__ import annotations

import logging
import sys

from bot.adapters.patches import rasa_version_supported

RASA_VERSION = "3.6.x"

logger = logging.getLogger(__name__)


def is_installed() -> bool:
    return "jax" in sys.modules and sys.modules["jax"] is None


def install(rasa_version: str | None = None) -> bool:
    """Make ``import jax`` fail in this process, unless JAX is already loaded."""
    if not rasa_version_supported(__name__, RASA_VERSION, rasa_version):
        return False
    if sys.modules.get("jax") is not None:
        logger.info("Rasa patch 'no_jax' not installed: JAX is already imported")
        return False
    # None in sys.modules makes "import jax" fail fast (documented import-system behaviour);
    # typeshed types the values as modules only
    sys.modules["jax"] = None  # type: ignore[assignment]
    return True


__all__ = ["RASA_VERSION", "install", "is_installed"]
