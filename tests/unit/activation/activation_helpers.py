"""Helpers of the activation tests: members, clock, outbox, databases."""

from __future__ import annotations

import json
import re
import socket
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest
from db_schemas import database_urls as shared_database_urls
from sqlalchemy.engine import Engine

from bot.security import keyed_hash
from bot.store.db import make_engine, session_scope
from bot.store.models import Base, Member

SECRET_KEY = "activation-test-secret-key-0123456789"
POSTGRES_ENV = "ASSISTANT_TEST_POSTGRES_URL"
START = datetime(2025, 11, 24, 9, 0, 0, tzinfo=timezone.utc)  # a Monday, 10:00 in Paris
PASSWORD = "Bonjour-2025!"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nir_with_key(first13: str) -> str:
    return first13 + f"{97 - int(first13) % 97:02d}"


class Clock:
    """Drives bot.clock through ASSISTANT_CLOCK_FILE."""

    def __init__(self, path: Path, start: datetime = START) -> None:
        self.path = path
        self.set(start)

    def set(self, instant: datetime) -> None:
        self.now = instant
        self.path.write_text(instant.isoformat(), encoding="utf-8")

    def advance(self, **delta: float) -> datetime:
        self.set(self.now + timedelta(**delta))
        return self.now


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


_counter = [0]


def add_member(engine: Engine, secret: str = SECRET_KEY, **overrides: Any) -> MemberData:
    _counter[0] += 1
    n = _counter[0]
    values: dict[str, Any] = {
        "adherent_number": f"A{100000 + n}",
        "nir": nir_with_key(f"2800342{n % 1000:03d}{n % 1000:03d}"),
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
    )


def read_outbox(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def last_sms_code(path: Path, to: str) -> str:
    messages = [m for m in read_outbox(path) if m["channel"] == "sms" and m["to"] == to]
    assert messages, f"no SMS to {to} in the outbox"
    match = re.search(r" : (\d{6})\.", messages[-1]["body"])
    assert match, messages[-1]["body"]
    return match.group(1)


def link_token(body: str) -> str:
    match = re.search(r"/activation/([A-Za-z0-9_-]+)", body)
    assert match, body
    return match.group(1)


def database_urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    yield from shared_database_urls(request, tmp_path, "act_test")


def create_store(url: str) -> Engine:
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    return engine


class SmtpSink:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.messages: list[Any] = []
        self._controller: Any = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook
        from email import message_from_bytes
        from email.policy import default

        message = message_from_bytes(envelope.original_content or envelope.content, policy=default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[Any]:
        return [m for rcpts, m in self.messages if address in rcpts]
