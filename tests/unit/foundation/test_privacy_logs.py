"""Log lines pass through the redaction engine (bot.privacy.logs): messages,
arguments and exception texts; versions, addresses, ports and ids stay readable."""

from __future__ import annotations

import io
import logging

from bot.privacy.logs import install_log_redaction, is_installed


def _capture() -> tuple[logging.Logger, io.StringIO, logging.Handler]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("privacy-log-test")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return logger, stream, handler


def test_log_lines_and_exceptions_are_redacted():
    install_log_redaction()
    install_log_redaction()  # twice: harmless
    assert is_installed()
    logger, stream, handler = _capture()
    try:
        logger.info("member typed %s then %s", "2 85 03 971 12 345 67", "mdp : Soleil!2025")
        try:
            raise ValueError("bad code 48 29 13 for marie.dupont@example.org")
        except ValueError:
            logger.exception("failed")
        logger.info("Rasa 3.5.17 on 127.0.0.1:5005, update 14105, SMIE-4821")
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    squeezed = "".join(c for c in out if c.isalnum())
    assert "2850397112345" not in squeezed and "Soleil!2025" not in out
    assert "482913" not in squeezed and "marie.dupont" not in out
    assert "ValueError" in out and "[n° de sécurité sociale masqué]" in out
    assert "Rasa 3.5.17 on 127.0.0.1:5005, update 14105, SMIE-[code masqué]" in out
