"""Repository of members for the import and the command line: look-ups, bulk upsert, status changes.

Every function takes the caller's :class:`~sqlalchemy.orm.Session` (one
transaction, see ``bot.store.db.session_scope``).  Status changes are single
conditional ``UPDATE ... WHERE status IN (...) [AND version = :v]`` statements
and report whether they applied: of two racing changes of the same member,
the database lets exactly one change the row (SQLite serialises writers with
``BEGIN IMMEDIATE``; PostgreSQL re-checks the ``WHERE`` clause after the row
lock), the other sees ``False``.  The conversation's services match members
and change their status themselves (:mod:`bot.activation.identity_match`,
:mod:`bot.registration.service`, :mod:`bot.web.password_page`).

Secrets are never passed in clear: callers give the keyed hashes of
``bot.store.hashing``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable, Sequence

from sqlalchemy import bindparam, case, func, insert, select, update
from sqlalchemy.orm import Session

from bot.clock import now as clock_now
from bot.store.models import MEMBER_STATUSES, Member

_members = Member.__table__

# the identity columns an import compares and updates
IDENTITY_COLUMNS = (
    "nir_hash",
    "nir_masked",
    "birth_date",
    "birth_department",
    "last_name",
    "first_name",
    "email",
    "mobile",
    "access_code_hash",
)
# optional in the member file: an empty cell keeps what the store has
KEEP_WHEN_EMPTY = frozenset({"email", "mobile", "access_code_hash"})

_ADHERENT_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,31}$")
_IN_CHUNK = 500  # stays far below SQLite's bound-parameter limit


class InvalidAdherentNumber(ValueError):
    """The text cannot be an adherent number (letters, digits and '-', 1-32)."""


def normalize_adherent_number(text: str) -> str:
    """Canonical adherent number: spaces removed, upper-case; raises InvalidAdherentNumber."""
    value = re.sub(r"\s+", "", text or "").upper()
    if not _ADHERENT_RE.match(value):
        raise InvalidAdherentNumber(text)
    return value


@dataclass(frozen=True)
class MemberRecord:
    """One member as the mutuelle's file describes it (already validated and hashed).

    ``status`` is the status given to a *new* member; an existing member keeps
    the status the assistant manages.  ``email``, ``mobile`` and
    ``access_code_hash`` set to ``None`` keep the stored value.
    """

    adherent_number: str
    nir_hash: str
    nir_masked: str
    birth_date: date
    birth_department: str
    last_name: str
    first_name: str
    email: str | None = None
    mobile: str | None = None
    access_code_hash: str | None = None
    status: str = "inactive"


@dataclass
class UpsertCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: UpsertCounts) -> UpsertCounts:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


# -- look-ups ---------------------------------------------------------------


def get_by_id(session: Session, member_id: int) -> Member | None:
    return session.get(Member, member_id)


def get_by_adherent_number(session: Session, adherent_number: str) -> Member | None:
    """The member with this adherent number (as typed: spaces and case ignored), or None."""
    try:
        number = normalize_adherent_number(adherent_number)
    except InvalidAdherentNumber:
        return None
    return session.execute(select(Member).where(Member.adherent_number == number)).scalar_one_or_none()


# -- bulk upsert (the import) -----------------------------------------------


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def upsert_members(session: Session, records: Sequence[MemberRecord], at: datetime | None = None) -> UpsertCounts:
    """Insert new members and update changed ones by adherent number, in bulk.

    One ``SELECT ... WHERE adherent_number IN (...)`` per 500 records, then
    one multi-row INSERT and one executemany UPDATE.  Records whose values
    are already stored are left untouched (no write, same ``version``), so
    importing the same file twice changes nothing.  An update bumps
    ``version``: a conversation holding the old version cannot activate on
    outdated identity data.
    """
    counts = UpsertCounts()
    if not records:
        return counts
    at = at or clock_now()
    numbers = [r.adherent_number for r in records]
    if len(set(numbers)) != len(numbers):
        raise ValueError("the same adherent number appears twice in one upsert")
    for record in records:
        if record.status not in MEMBER_STATUSES:
            raise ValueError(f"unknown member status {record.status!r}")

    columns = [_members.c.id, _members.c.adherent_number] + [_members.c[name] for name in IDENTITY_COLUMNS]
    existing = {}
    for chunk in _chunks(numbers, _IN_CHUNK):
        for row in session.execute(select(*columns).where(_members.c.adherent_number.in_(chunk))):
            existing[row.adherent_number] = row

    inserts: list[dict] = []
    updates: list[dict] = []
    for record in records:
        row = existing.get(record.adherent_number)
        if row is None:
            values = {name: getattr(record, name) for name in IDENTITY_COLUMNS}
            values.update(
                adherent_number=record.adherent_number,
                status=record.status,
                version=1,
                activated_at=at if record.status == "active" else None,
                locked_at=at if record.status == "locked" else None,
                created_at=at,
                updated_at=at,
            )
            inserts.append(values)
            continue
        wanted = {}
        for name in IDENTITY_COLUMNS:
            value = getattr(record, name)
            if value is None and name in KEEP_WHEN_EMPTY:
                value = getattr(row, name)
            wanted[name] = value
        if all(wanted[name] == getattr(row, name) for name in IDENTITY_COLUMNS):
            counts.unchanged += 1
            continue
        updates.append({"b_id": row.id, **{f"b_{name}": value for name, value in wanted.items()}})

    if inserts:
        session.execute(insert(_members), inserts)
        counts.added = len(inserts)
    if updates:
        statement = (
            update(_members)
            .where(_members.c.id == bindparam("b_id"))
            .values(
                **{name: bindparam(f"b_{name}") for name in IDENTITY_COLUMNS},
                version=_members.c.version + 1,
                updated_at=at,
            )
            .execution_options(synchronize_session=False)
        )
        session.execute(statement, updates)
        counts.updated = len(updates)
    return counts


def upsert_member(session: Session, record: MemberRecord, at: datetime | None = None) -> str:
    """Upsert one member; returns ``"added"``, ``"updated"`` or ``"unchanged"``."""
    counts = upsert_members(session, [record], at)
    return "added" if counts.added else "updated" if counts.updated else "unchanged"


# -- guarded status transitions ---------------------------------------------


def transition_status(
    session: Session,
    member_id: int,
    *,
    from_statuses: Iterable[str],
    to_status: str,
    expected_version: int | None = None,
    password_hash: str | None = None,
    at: datetime | None = None,
) -> bool:
    """Move a member to ``to_status`` if it is in ``from_statuses`` (and at ``expected_version``).

    A single conditional UPDATE: returns True when this call changed the row,
    False when the member was not in an allowed status, had moved on
    (another conversation won the race) or does not exist.  ``version`` is
    bumped; ``activated_at``/``locked_at`` are set when entering
    ``active``/``locked``; ``password_hash`` (Argon2id) may be stored in the
    same statement.
    """
    allowed = tuple(from_statuses)
    if to_status not in MEMBER_STATUSES or not set(allowed) <= set(MEMBER_STATUSES):
        raise ValueError(f"unknown member status in {allowed!r} -> {to_status!r}")
    at = at or clock_now()
    values: dict = {"status": to_status, "version": _members.c.version + 1, "updated_at": at}
    if to_status == "active":
        values["activated_at"] = at
        values["locked_at"] = None
    elif to_status == "locked":
        values["locked_at"] = at
    else:
        values["locked_at"] = None
    if password_hash is not None:
        values["password_hash"] = password_hash
    statement = update(_members).where(_members.c.id == member_id, _members.c.status.in_(allowed))
    if expected_version is not None:
        statement = statement.where(_members.c.version == expected_version)
    result = session.execute(statement.values(**values).execution_options(synchronize_session=False))
    return result.rowcount == 1


def start_activation(session: Session, member_id: int, expected_version: int | None = None) -> bool:
    """inactive/pending -> pending (a new identity match restarts a pending activation)."""
    return transition_status(
        session,
        member_id,
        from_statuses=("inactive", "pending"),
        to_status="pending",
        expected_version=expected_version,
    )


def activate(
    session: Session, member_id: int, *, password_hash: str | None = None, expected_version: int | None = None
) -> bool:
    """pending -> active: only one of two racing activations returns True."""
    return transition_status(
        session,
        member_id,
        from_statuses=("pending",),
        to_status="active",
        expected_version=expected_version,
        password_hash=password_hash,
    )


def lock(session: Session, member_id: int) -> bool:
    """Lock a member (from any other status)."""
    return transition_status(session, member_id, from_statuses=("inactive", "pending", "active"), to_status="locked")


@dataclass(frozen=True)
class UnlockResult:
    found: bool
    unlocked: bool
    status: str | None  # status after the call
    member_id: int | None = None


def unlock(session: Session, adherent_number: str, at: datetime | None = None) -> UnlockResult:
    """locked -> active if a password was set, else inactive (activation can start again)."""
    member = get_by_adherent_number(session, adherent_number)
    if member is None:
        return UnlockResult(found=False, unlocked=False, status=None)
    at = at or clock_now()
    result = session.execute(
        update(_members)
        .where(_members.c.id == member.id, _members.c.status == "locked")
        .values(
            status=case((_members.c.password_hash.isnot(None), "active"), else_="inactive"),
            locked_at=None,
            version=_members.c.version + 1,
            updated_at=at,
        )
        .execution_options(synchronize_session=False)
    )
    status = session.execute(select(_members.c.status).where(_members.c.id == member.id)).scalar_one()
    session.expire(member)
    return UnlockResult(found=True, unlocked=result.rowcount == 1, status=status, member_id=member.id)


def count_members(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(_members)).scalar_one())
