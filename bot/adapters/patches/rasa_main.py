"""Entry point of the Rasa server process: ``python -m bot.adapters.patches.rasa_main run ...``.

The same as ``python -m rasa`` (``rasa run``), with the speed fixes of
:mod:`bot.adapters.patches` installed first, as ``ASSISTANT_RASA_PATCHES``
says (all by default): ``python -m bot serve`` starts the Rasa server this
way. A patch written for another Rasa version, or one that fails to
install, is skipped with a warning and Rasa's own code runs instead.

It also installs :mod:`bot.adapters.resilience` (always, not a speed fix):
a polite apology instead of silence when the action server or a store is
down, and no conversation started over after a failed read.

Plain ``rasa run`` / ``rasa shell`` work too, without the patches (slower)
and without the apologies.
"""

from __future__ import annotations

from bot.adapters.patches import install_patches
from bot.privacy.logs import install_log_redaction


def main() -> None:
    install_log_redaction()  # every log line redacted; the level is LOG_LEVEL (bot/serve.py)
    install_patches()
    from bot.adapters import resilience

    resilience.install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
