"""What every service needs, in one object, and member references.

:class:`Context` bundles the store engine, the settings, the tenant profile
and the notifier; the services of the activation (:mod:`bot.activation`),
the registration (:mod:`bot.registration`), the support tickets
(:mod:`bot.support`) and the password page (:mod:`bot.web.password_page`)
are plain functions taking it first.  Actions and the web channel use
:func:`get_context` (process-wide, from the environment); tests build their
own with :meth:`Context.create`.

A *member reference* is what a conversation keeps instead of any identity
data once a member has been matched: ``m1.<member id>.<issued, base 36>.<sig>``
where ``sig`` is 16 hex characters of an HMAC under the secret key bound to
the tenant.  It cannot be forged or altered, and it is refused after
``MEMBER_REF_MAX_AGE`` (26 hours; the registration link lives 24 hours).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterator

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot import clock
from bot.notify import Notifier
from bot.security import constant_time_equal, keyed_hash
from bot.settings import Settings, get_settings
from bot.store.db import get_engine, session_scope
from bot.tenants import Tenant, load_tenant

MEMBER_REF_VERSION = "m1"
MEMBER_REF_MAX_AGE = timedelta(hours=26)


@dataclass
class Context:
    engine: Engine
    settings: Settings
    tenant: Tenant
    notifier: Notifier

    @classmethod
    def create(
        cls,
        settings: Settings | None = None,
        tenant: Tenant | None = None,
        engine: Engine | None = None,
        notifier: Notifier | None = None,
    ) -> Context:
        settings = settings or get_settings()
        tenant = tenant or load_tenant(settings.tenant)
        engine = engine or get_engine(settings.database_url)
        notifier = notifier or Notifier(engine, settings, tenant)
        return cls(engine=engine, settings=settings, tenant=tenant, notifier=notifier)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with session_scope(self.engine) as session:
            yield session

    # ---- member references ------------------------------------------------------------

    def _sig(self, member_id: int, issued: str, key: str | None = None) -> str:
        secret = key or self.settings.secret_key
        return keyed_hash(secret, "member_ref", f"{self.tenant.id}:{member_id}:{issued}")[:16]

    def member_ref(self, member_id: int, now: datetime | None = None) -> str:
        issued = _base36(int((now or clock.now()).timestamp()))
        return f"{MEMBER_REF_VERSION}.{member_id}.{issued}.{self._sig(member_id, issued)}"

    def member_id(self, ref: str | None, now: datetime | None = None) -> int | None:
        """The member id inside a valid, unexpired reference; None otherwise."""
        if not ref or not isinstance(ref, str) or len(ref) > 80:
            return None
        parts = ref.split(".")
        if len(parts) != 4 or parts[0] != MEMBER_REF_VERSION or not parts[1].isdigit():
            return None
        member_id, issued, sig = int(parts[1]), parts[2], parts[3]
        # signed under the current key or an older one still accepted for reading (key rotation)
        if not any(constant_time_equal(sig, self._sig(member_id, issued, key)) for key in self.settings.secret_keys):
            return None
        try:
            issued_at = datetime.fromtimestamp(int(issued, 36), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            return None
        if (now or clock.now()) - issued_at > MEMBER_REF_MAX_AGE:
            return None
        return member_id

    def conversation_ref(self, sender_id: str | None) -> str | None:
        """Keyed hash of a conversation id, as the audit log stores it."""
        if not sender_id:
            return None
        return keyed_hash(self.settings.secret_key, "conversation", sender_id)[:32]


def _base36(value: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        value, rem = divmod(value, 36)
        out = digits[rem] + out
        if value == 0:
            return out


_context: Context | None = None


def get_context() -> Context:
    """The process-wide context built from the environment (actions use this)."""
    global _context
    if _context is None:
        _context = Context.create()
    return _context


def reset_context() -> None:
    """Forget the process-wide context (tests, after changing the environment)."""
    global _context
    _context = None
