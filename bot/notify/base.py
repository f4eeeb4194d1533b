"""Shared types of the delivery path: the sender interfaces and their errors.

An e-mail sender and an SMS sender each have one method, ``send``, which
either returns (the transport accepted the message) or raises
:class:`DeliveryError`.  ``permanent=True`` marks a refusal that retrying
cannot fix (e.g. the SMTP server rejects the recipient).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class DeliveryError(Exception):
    """The transport did not accept the message; the text is safe to store."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str
    kind: str = ""
    sender: str | None = None  # "From" address; the SMTP sender falls back to settings
    sender_name: str | None = None
    reply_to: str | None = None


@dataclass(frozen=True)
class Sms:
    to: str  # E.164
    body: str
    kind: str = ""


class EmailSender(Protocol):
    def send_email(self, message: Email) -> None: ...


class SmsSender(Protocol):
    def send_sms(self, message: Sms) -> None: ...


# states of a delivery as the caller sees it
DELIVERED = "delivered"  # the transport (or the outbox file) accepted it
QUEUED = "queued"  # not sent yet, kept and retried later (e-mails)
FAILED = "failed"  # not sent and will not be retried (SMS, or permanent refusal)


@dataclass(frozen=True)
class DeliveryResult:
    state: str  # DELIVERED | QUEUED | FAILED
    channel: str  # "email" | "sms"
    outbox_id: int | None
    recipient_masked: str
    error: str | None = None  # masked, for logs and the audit trail

    @property
    def delivered(self) -> bool:
        return self.state == DELIVERED

    @property
    def queued(self) -> bool:
        return self.state == QUEUED

    @property
    def failed(self) -> bool:
        return self.state == FAILED
