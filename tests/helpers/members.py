"""Members in a test store, and the codes and links they receive, read in the outbox.

For the tests of the services (activation, registration, support tickets,
password page). ``add_member`` gives a member no e-mail and no mobile on
file unless told (``add_member(engine, mobile=MOBILE, email=EMAIL)``). The
clock, the databases, the outbox file and the SMTP server are fixtures of
``tests/unit/conftest.py``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from bot.security import keyed_hash
from bot.store.db import session_scope
from bot.store.models import Member
from helpers.nir import make_nir
from helpers.outbox import read_outbox

SECRET_KEY = "activation-test-secret-key-0123456789"
PASSWORD = "Bonjour-2025!"
MOBILE = "+33612345678"  # a French mobile, the usual one on file
EMAIL = "marie.dupont@example.org"  # the usual e-mail on file


@dataclass
class MemberData:
    id: int
    adherent_number: str
    nir: str
    birth_date: date
    birth_department: str
    last_name: str
    first_name: str
    access_code: str | None
    email: str | None = None
    mobile: str | None = None


_counter = [0]


def add_member(engine: Engine, secret: str = SECRET_KEY, **overrides: Any) -> MemberData:
    _counter[0] += 1
    n = _counter[0]
    values: dict[str, Any] = {
        "adherent_number": f"A{100000 + n}",
        "nir": make_nir(f"2800342{n % 1000:03d}{n % 1000:03d}"),
        "birth_date": date(1980, 3, 12),
        "birth_department": "42",
        "last_name": "Dupont",
        "first_name": "Marie-Hélène",
        "access_code": f"SMIE-{4000 + n}",
        "status": "inactive",
    }
    values.update(overrides)
    access = values.pop("access_code")
    nir = values.pop("nir")
    row = Member(
        nir_hash=keyed_hash(secret, "nir", nir),
        nir_masked=nir[:1] + " ** ** ** *** *** " + nir[-2:],
        access_code_hash=keyed_hash(secret, "access_code", access.strip().upper()) if access else None,
        **values,
    )
    with session_scope(engine) as session:
        session.add(row)
        session.flush()
        member_id = row.id
    return MemberData(
        member_id,
        values["adherent_number"],
        nir,
        values["birth_date"],
        values["birth_department"],
        values["last_name"],
        values["first_name"],
        access,
        values.get("email"),
        values.get("mobile"),
    )


def identity(member: MemberData, **changes: Any) -> dict[str, Any]:
    """The five values of the Miel step 1 for ``member`` (``match_member(ctx, **identity(m))``)."""
    values: dict[str, Any] = {
        "nir": member.nir,
        "birth_date": member.birth_date,
        "birth_department": member.birth_department,
        "last_name": member.last_name,
        "first_name": member.first_name,
    }
    values.update(changes)
    return values


def sent_to(path: Path, to: str, kind: str | None = None) -> list[dict[str, Any]]:
    """The outbox records for ``to`` (of ``kind`` when given), oldest first."""
    return [m for m in read_outbox(path) if m["to"] == to and (kind is None or m.get("kind") == kind)]


def codes_sent(path: Path, to: str) -> list[str]:
    """Every one-time code sent to ``to`` (SMS or e-mail), oldest first."""
    codes = []
    for message in sent_to(path, to):
        if not str(message.get("kind", "")).endswith("_code"):
            continue
        pattern = r" : (\d{6})\." if message["channel"] == "sms" else r"\n\n(\d{6})\n\n"
        match = re.search(pattern, message["body"])
        assert match, message["body"]
        codes.append(match.group(1))
    return codes


def last_code(path: Path, to: str) -> str:
    """The latest one-time code sent to ``to`` (SMS or e-mail)."""
    codes = codes_sent(path, to)
    assert codes, f"no code sent to {to} in the outbox"
    return codes[-1]


def link_token(body: str) -> str:
    match = re.search(r"/activation/([A-Za-z0-9_-]+)", body)
    assert match, body
    return match.group(1)
