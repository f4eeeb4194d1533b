"""Log lines pass through the redaction engine: ``install_log_redaction(level)``.

Installs a log-record factory whose records return their message redacted
(:func:`bot.privacy.mask_text`), so no handler, formatter or library can
write a NIR, a code, a password or a phone number to a log in clear (the
text of exceptions included), and
sets the level of the root logger (``ASSISTANT_LOG_LEVEL``).  Dotted versions,
IPv4 addresses and plain numbers of up to 5 digits (ports, ids, counts) stay
readable in log lines (:func:`bot.privacy.detectors.is_log_number`); NIRs,
codes of 6 digits or more, access codes, passwords, contacts are masked.  Called at the
start of both processes of ``python -m bot serve`` (the action server
imports :mod:`actions`, the Rasa server starts through
:mod:`bot.adapters.patches.rasa_main`).  Installing twice is harmless.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.privacy.redact import RedactionContext, redact_text

_LOG_CONTEXT: RedactionContext | None = None


def _log_redact(text: str) -> str:
    """Log lines: the engine, keeping dotted versions and IPv4 addresses readable."""
    global _LOG_CONTEXT
    if _LOG_CONTEXT is None:
        _LOG_CONTEXT = RedactionContext(for_logs=True)
    return redact_text(text, _LOG_CONTEXT)


class RedactedLogRecord(logging.LogRecord):
    """A log record whose formatted message is redacted."""

    def getMessage(self) -> str:  # noqa: N802 - logging's name
        return _log_redact(super().getMessage())


_installed = False
_FORMATTER = logging.Formatter()


def install_log_redaction(level: str | None = None) -> None:
    """Redact every log record from now on; set the root level to ``level`` when given."""
    global _installed
    if not _installed:
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            record.__class__ = RedactedLogRecord
            if record.exc_info and not record.exc_text:
                record.exc_text = _log_redact(_FORMATTER.formatException(record.exc_info))
            return record

        logging.setLogRecordFactory(factory)
        _installed = True
    if level:
        logging.getLogger().setLevel(level)


def is_installed() -> bool:
    return _installed
