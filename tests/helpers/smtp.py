"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""

from __future__ import annotations

import time
from email import message_from_bytes
from email.policy import default
from typing import Any

from helpers.ports import free_port


class SmtpSink:
    """A real SMTP server (aiosmtpd) on 127.0.0.1; not listening until :meth:`start`.

    ``messages`` holds ``(recipients, message, envelope sender)`` tuples;
    ``refuse`` answers 550 to every RCPT; other keyword arguments go to
    aiosmtpd's ``Controller`` (an ``authenticator``, for example).
    """

    def __init__(self, port: int | None = None, refuse: bool = False, **smtp_kwargs: Any) -> None:
        self.port = port or free_port()
        self.refuse = refuse
        self.smtp_kwargs = smtp_kwargs
        self.messages: list[tuple[list[str], Any, str]] = []
        self._controller: Any = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd hook
        if self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        raw = envelope.original_content or envelope.content
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(raw, policy=default), envelope.mail_from))
        return "250 Message accepted for delivery"

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **self.smtp_kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[Any]:
        """The messages received for ``address``."""
        return [message for rcpts, message, _sender in self.messages if address in rcpts]

    def wait_for(self, address: str, count: int = 1, timeout: float = 20.0) -> list[Any]:
        """The messages for ``address`` once ``count`` are there (or ``timeout`` seconds passed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.to(address)) < count:
            time.sleep(0.2)
        return self.to(address)
