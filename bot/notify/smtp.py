"""E-mail delivery through a real SMTP server (``SMTP_*`` settings).

Plain SMTP with optional STARTTLS, or implicit TLS (``SMTP_SSL``), optional
login; the message is a UTF-8 ``EmailMessage`` with ``Date`` and
``Message-ID``.  A recipient refused with a 5xx code is a permanent failure;
everything else (server down, timeout, authentication, 4xx) is temporary and
the outbox retries it.
"""

from __future__ import annotations

import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from typing import Callable

from bot import clock
from bot.notify.base import DeliveryError, Email
from bot.privacy import mask_text
from bot.settings import SmtpSettings


def _safe_error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {mask_text(str(exc))}"[:255]


class SmtpEmailSender:
    """Sends :class:`Email` objects with :mod:`smtplib`."""

    def __init__(
        self,
        settings: SmtpSettings,
        default_sender: str | None = None,
        now: Callable = clock.now,
    ) -> None:
        self.settings = settings
        self.default_sender = default_sender
        self._now = now

    def sender_address(self, message: Email) -> str | None:
        return self.settings.sender or message.sender or self.default_sender

    def build_message(self, message: Email) -> EmailMessage:
        sender = self.sender_address(message)
        if not sender:
            raise DeliveryError("no sender address: set SMTP_SENDER or the tenant's sender_email")
        msg = EmailMessage()
        msg["From"] = formataddr((message.sender_name, sender)) if message.sender_name else sender
        msg["To"] = message.to
        if message.reply_to:
            msg["Reply-To"] = message.reply_to
        msg["Subject"] = message.subject
        msg["Date"] = format_datetime(self._now())
        domain = Address(addr_spec=sender).domain if "@" in sender else None
        msg["Message-ID"] = make_msgid(domain=domain)
        msg.set_content(message.body, charset="utf-8")
        return msg

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.ssl:
            return smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=ssl.create_default_context())
        client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            client.ehlo()
            if s.starttls:
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
        except BaseException:
            client.close()
            raise
        return client

    def send_email(self, message: Email) -> None:
        msg = self.build_message(message)
        try:
            client = self._connect()
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(_safe_error(exc)) from None
        try:
            if self.settings.user:
                client.login(self.settings.user, self.settings.password or "")
            client.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            permanent = bool(codes) and all(500 <= code < 600 for code in codes)
            raise DeliveryError(_safe_error(exc), permanent=permanent) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(_safe_error(exc)) from None
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()
