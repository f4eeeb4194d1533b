"""Key rotation: re-encrypt what the store keeps encrypted under the newest key.

The application keys are ``settings.secret_keys``, newest first (the newest
writes, all of them read: :func:`bot.security.decrypt`,
:func:`bot.security.reading_keys`).  :func:`rotate` rewrites every
encrypted column under the newest key, row by row in one transaction per
table: one-time code secrets (``challenges.secret_encrypted``) and outbox
payloads (``outbox.payload_encrypted``).  A value no configured key reads
is left as it is and counted.  Keyed hashes cannot be recomputed without the
values they hide: they are looked up under every reading key, and a member
found by NIR or access code under an older key is re-hashed under the newest
at that moment (:mod:`bot.activation.identity_match`,
:mod:`bot.registration.service`); importing the member file again renews
them all (docs/privacy.md).
"""

from __future__ import annotations

from typing import Dict, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.security import reencrypt
from bot.store.models import Challenge, OutboxMessage

ENCRYPTED_COLUMNS = (
    ("one-time code secrets", Challenge.__table__, "secret_encrypted"),
    ("outbox payloads", OutboxMessage.__table__, "payload_encrypted"),
)


def rotate(engine: Engine, keys: Tuple[str, ...]) -> Dict[str, Tuple[int, int]]:
    """Re-encrypt every encrypted value under ``keys[0]``: ``{what: (renewed, unreadable)}``."""
    report: Dict[str, Tuple[int, int]] = {}
    for name, table, column in ENCRYPTED_COLUMNS:
        renewed = unreadable = 0
        with engine.begin() as conn:
            rows = conn.execute(sa.select(table.c.id, table.c[column])).all()
            for row_id, value in rows:
                fresh = reencrypt(keys, value) if value else None
                if fresh is None:
                    unreadable += 1
                    continue
                conn.execute(sa.update(table).where(table.c.id == row_id).values({column: fresh}))
                renewed += 1
        report[name] = (renewed, unreadable)
    return report
