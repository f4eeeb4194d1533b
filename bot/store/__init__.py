"""The member store: who the members are and where each activation stands.

SQLAlchemy 1.4 (2.0-style) on SQLite by default (a file under ``var/``) or
PostgreSQL (``ASSISTANT_DATABASE_URL``), schema managed by Alembic
(``bot.store.migrate``, ``python -m bot db upgrade``).

- ``models``: the tables (members, challenges, activation tokens, consents,
  audit events, support tickets, outbox, send log);
- ``db``: engines and the ``session_scope`` transaction helper;
- ``hashing``: keyed hashes of the NIR and of access codes (never stored in
  clear);
- ``members``: look-ups, the bulk upsert of the import, guarded status
  transitions (the command line's ``members unlock``);
- ``audit``: the append-only security log (every security event of the services);
- ``importer``/``demo``: the CSV member file and the fictional demo members;
- ``cli``: ``python -m bot db ...`` and ``python -m bot members ...``.
"""

from __future__ import annotations

from bot.store.db import StoreUnavailable, get_engine, make_engine, session_scope
from bot.store.hashing import access_code_hash, access_code_matches, nir_hash
from bot.store.importer import ImportReport, MemberImportError, import_members
from bot.store.members import (
    InvalidAdherentNumber,
    MemberRecord,
    UnlockResult,
    activate,
    get_by_adherent_number,
    get_by_id,
    lock,
    normalize_adherent_number,
    start_activation,
    transition_status,
    unlock,
    upsert_member,
    upsert_members,
)
from bot.store.models import (
    MEMBER_STATUSES,
    ActivationToken,
    AuditEvent,
    Base,
    Challenge,
    Consent,
    Member,
    OutboxMessage,
    SendLog,
    SupportTicket,
)

__all__ = [
    "MEMBER_STATUSES",
    "ActivationToken",
    "AuditEvent",
    "Base",
    "Challenge",
    "Consent",
    "ImportReport",
    "InvalidAdherentNumber",
    "Member",
    "MemberImportError",
    "MemberRecord",
    "OutboxMessage",
    "SendLog",
    "StoreUnavailable",
    "SupportTicket",
    "UnlockResult",
    "access_code_hash",
    "access_code_matches",
    "activate",
    "get_by_adherent_number",
    "get_by_id",
    "get_engine",
    "import_members",
    "lock",
    "make_engine",
    "nir_hash",
    "normalize_adherent_number",
    "session_scope",
    "start_activation",
    "transition_status",
    "unlock",
    "upsert_member",
    "upsert_members",
]
