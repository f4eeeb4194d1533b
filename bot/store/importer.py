"""Streaming import of the mutuelle's member file (CSV) into the store.

The file: UTF-8 (with or without BOM), ``,`` or ``;`` separated (guessed
from the header line), one header line naming the columns
``adherent_number,nir,birth_date,birth_department,last_name,first_name,
email,mobile,access_code`` in any order; ``birth_date`` is ``YYYY-MM-DD`` or
``DD/MM/YYYY``; ``email``, ``mobile`` and ``access_code`` may be empty (an
empty cell keeps what the store already has).  An optional ``status`` column
(``inactive``, ``pending``, ``active``, ``locked``; empty = ``inactive``) sets
the status of *new* members only: the status of a known member belongs to
the assistant (an activation is never undone by a re-import).  Other
columns are ignored with a warning.

How it runs:

1. a first pass reads the whole file without writing anything: wrong
   encoding, missing columns or a broken CSV structure stop the import
   there, with the line number, and nothing is written;
2. the second pass validates every row with ``bot.identity`` (the same
   checks as in conversation) and refuses bad rows with their line number
   and reason; good rows are upserted by adherent number in batches, one
   transaction per batch (``bot.store.members.upsert_members``).  From
   ``PARALLEL_MIN_ROWS`` rows on, the validation (the costly part) runs in
   two forked worker processes while this one writes.

Re-importing the same file changes nothing (all rows "unchanged").  Memory
stays bounded: one batch of rows at a time plus the set of adherent numbers
seen (to refuse duplicates).  The NIR and the access code are hashed
(``bot.store.hashing``) before they leave this module; a refusal never
quotes them.
"""

from __future__ import annotations

import codecs
import csv
import io
import multiprocessing
import os
import re
import sys
from collections import deque
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence, Tuple

from sqlalchemy.engine import Engine

from bot.store.db import session_scope
from bot.store.hashing import access_code_hash, nir_hash
from bot.store.members import (
    InvalidAdherentNumber,
    MemberRecord,
    normalize_adherent_number,
    upsert_members,
)
from bot.store.models import MEMBER_STATUSES

REQUIRED_COLUMNS = (
    "adherent_number",
    "nir",
    "birth_date",
    "birth_department",
    "last_name",
    "first_name",
    "email",
    "mobile",
    "access_code",
)
OPTIONAL_COLUMNS = ("status",)
DEFAULT_BATCH_SIZE = 2000
MAX_KEPT_REFUSALS = 1000  # the report keeps the first ones; on_refused sees them all
PARALLEL_MIN_ROWS = 10_000  # from this size, rows are validated in worker processes
MAX_WORKERS = 2
_CHUNK_ROWS = 1000

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_FR_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
_ACCESS_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,31}$")
_CHUNK = 1 << 16


class MemberImportError(Exception):
    """The file cannot be imported (operator-facing message; ``report`` = work done before)."""

    def __init__(self, message: str, report: ImportReport | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.report = report
        self.line = line  # where a database failure stopped the import


@dataclass(frozen=True)
class Refusal:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ImportReport:
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    refusals: list[Refusal] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    delimiter: str = ","

    def summary(self) -> str:
        return (
            f"{self.rows} rows: {self.added} added, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.refused} refused"
        )


class RowRefused(Exception):
    """One row is refused: ``reason`` names the column, then the problem in French
    (the identity checks' own messages, the ones members see)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# -- reading the file ---------------------------------------------------------


def _check_encoding(path: Path) -> None:
    """Decode the whole file as UTF-8 in chunks; on failure, name the line."""
    with path.open("rb") as handle:
        head = handle.read(4)
        if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            raise MemberImportError(
                f"{path.name}: the file is UTF-16 encoded; save it as UTF-8 (\"CSV UTF-8\" in a spreadsheet)"
            )
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        line = 1
        while True:
            chunk = handle.read(_CHUNK)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                line += chunk.count(b"\n", 0, max(exc.start, 0))
                byte = chunk[exc.start : exc.start + 1].hex() if 0 <= exc.start < len(chunk) else "??"
                raise MemberImportError(
                    f"{path.name}: line {line}: the file is not UTF-8 (byte 0x{byte}); it was probably saved as "
                    "Latin-1/Windows-1252: save it again as UTF-8 (\"CSV UTF-8\" in a spreadsheet)"
                ) from None
            if not chunk:
                return
            line += chunk.count(b"\n")


def _open_text(path: Path) -> io.TextIOWrapper:
    return path.open("r", encoding="utf-8-sig", errors="strict", newline="")


def _guess_delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


@dataclass(frozen=True)
class _Layout:
    delimiter: str
    index: dict[str, int]
    width: int
    warnings: tuple[str, ...]


def _read_layout(path: Path) -> _Layout:
    with _open_text(path) as handle:
        header_line = handle.readline()
    if not header_line.strip():
        raise MemberImportError(f"{path.name}: the file is empty (expected a header line with the column names)")
    delimiter = _guess_delimiter(header_line)
    try:
        header = next(csv.reader([header_line], delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise MemberImportError(f"{path.name}: line 1: malformed header ({exc})") from None
    names = [name.strip().lower() for name in header]
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            raise MemberImportError(f"{path.name}: line 1: column {name!r} appears twice")
        seen.add(name)
    missing = [name for name in REQUIRED_COLUMNS if name not in seen]
    if missing:
        raise MemberImportError(
            f"{path.name}: missing column(s) {', '.join(missing)} (separator {delimiter!r}; expected columns: "
            f"{','.join(REQUIRED_COLUMNS)})"
        )
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    extra = [name for name in names if name and name not in known]
    warnings = (f"ignored column(s): {', '.join(extra)}",) if extra else ()
    index = {name: position for position, name in enumerate(names) if name in known}
    return _Layout(delimiter=delimiter, index=index, width=len(names), warnings=warnings)


def _records(path: Path, layout: _Layout) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of every non-blank data row; raises MemberImportError on broken CSV."""
    with _open_text(path) as handle:
        reader = csv.reader(handle, delimiter=layout.delimiter, strict=True)
        try:
            next(reader, None)  # header
            while True:
                start = reader.line_num + 1
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                if not cells or all(not cell.strip() for cell in cells):
                    continue
                yield start, cells
        except csv.Error as exc:
            raise MemberImportError(f"{path.name}: line {reader.line_num}: malformed CSV ({exc})") from None


# -- validating one row -------------------------------------------------------


def _birth_date(text: str) -> date:
    from bot.identity import IdentityError, parse_birth_date

    value = text.strip()
    match = _ISO_DATE.match(value) or _FR_DATE.match(value)
    if not match:
        raise RowRefused("birth_date: format attendu AAAA-MM-JJ ou JJ/MM/AAAA")
    try:
        return parse_birth_date(value)
    except IdentityError as exc:
        raise RowRefused(f"birth_date: {exc.message}") from None


class RowValidator:
    """Turns the cells of one row into a :class:`MemberRecord` or raises :class:`RowRefused`."""

    def __init__(self, secret_key: str, layout: _Layout) -> None:
        import bot.identity

        self.secret_key = secret_key
        self.layout = layout
        self.identity = bot.identity

    def __call__(self, cells: Sequence[str]) -> MemberRecord:
        identity = self.identity
        if len(cells) != self.layout.width:
            raise RowRefused(
                f"{len(cells)} colonnes au lieu de {self.layout.width} (vérifiez les séparateurs et les guillemets)"
            )
        value = {name: cells[position].strip() for name, position in self.layout.index.items()}
        for name in ("adherent_number", "nir", "birth_date", "birth_department", "last_name", "first_name"):
            if not value[name]:
                raise RowRefused(f"{name}: vide, cette colonne est obligatoire")
        try:
            adherent_number = normalize_adherent_number(value["adherent_number"])
        except InvalidAdherentNumber:
            raise RowRefused("adherent_number: lettres, chiffres et « - » uniquement, 32 caractères au plus") from None

        column = "nir"
        try:
            nir = identity.parse_nir(value["nir"])
            column = "birth_date"
            birth = _birth_date(value["birth_date"])
            column = "birth_department"
            department = identity.parse_department(value["birth_department"]).code
            problems = identity.check_nir_against(nir, birth, department)
            if problems:
                raise RowRefused("nir: " + " ".join(problem.message for problem in problems))
            column = "last_name"
            last_name = identity.parse_person_name(value["last_name"])
            column = "first_name"
            first_name = identity.parse_person_name(value["first_name"], first_name=True)
            column = "email"
            # the mutuelle's record is authoritative: no "did you mean gmail.com?" refusal
            email = identity.parse_email(value["email"], allow_unusual_domain=True) if value["email"] else None
            column = "mobile"
            mobile = identity.parse_mobile(value["mobile"]) if value["mobile"] else None
        except identity.IdentityError as exc:
            raise RowRefused(f"{column}: {exc.message}") from None

        code = value["access_code"].upper()
        if code and not _ACCESS_CODE.match(code):
            raise RowRefused("access_code: de 4 à 32 lettres, chiffres ou « - »")
        status = value.get("status", "").lower() or "inactive"
        if status not in MEMBER_STATUSES:
            raise RowRefused(f"status: valeurs possibles {', '.join(MEMBER_STATUSES)}")

        return MemberRecord(
            adherent_number=adherent_number,
            nir_hash=nir_hash(self.secret_key, nir.normalized),
            nir_masked=nir.masked,
            birth_date=birth,
            birth_department=department,
            last_name=last_name,
            first_name=first_name,
            email=email,
            mobile=mobile,
            access_code_hash=access_code_hash(self.secret_key, code) if code else None,
            status=status,
        )


# -- validation, in this process or in worker processes ------------------------

Validated = Tuple[int, MemberRecord | None, str | None]  # line, record or refusal reason
_worker_validator: RowValidator | None = None


def _start_worker(secret_key: str, layout: _Layout) -> None:
    global _worker_validator
    _worker_validator = RowValidator(secret_key, layout)


def _validate_rows(validator: RowValidator, rows: Iterable[tuple[int, list[str]]]) -> list[Validated]:
    done: list[Validated] = []
    for line, cells in rows:
        try:
            done.append((line, validator(cells), None))
        except RowRefused as exc:
            done.append((line, None, exc.reason))
    return done


def _validate_in_worker(rows: list[tuple[int, list[str]]]) -> list[Validated]:
    assert _worker_validator is not None
    return _validate_rows(_worker_validator, rows)


def _chunked(rows: Iterator[tuple[int, list[str]]], size: int) -> Iterator[list[tuple[int, list[str]]]]:
    chunk: list[tuple[int, list[str]]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _validated(path: Path, layout: _Layout, secret_key: str, workers: int) -> Iterator[Validated]:
    """Every data row validated, in file order.

    With ``workers`` > 1 the identity checks (most of the import's time) run
    in forked processes, ``_CHUNK_ROWS`` rows per task with at most two tasks
    per worker in flight, so memory stays bounded.  Fork (not spawn) because
    ``python -m bot`` must not be re-imported by the workers.
    """
    rows = _records(path, layout)
    if workers <= 1:
        validator = RowValidator(secret_key, layout)
        for chunk in _chunked(rows, _CHUNK_ROWS):
            yield from _validate_rows(validator, chunk)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_start_worker, initargs=(secret_key, layout)) as pool:
        pending: deque = deque()
        for chunk in _chunked(rows, _CHUNK_ROWS):
            pending.append(pool.apply_async(_validate_in_worker, (chunk,)))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def _default_workers(rows: int) -> int:
    if rows < PARALLEL_MIN_ROWS or sys.platform == "win32":
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cpus))


# -- the import ---------------------------------------------------------------


def import_members(
    path: str | Path,
    *,
    engine: Engine,
    secret_key: str,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int | None = None,
    on_refused: Callable[[Refusal], None] | None = None,
    on_batch: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Import a member file and return the report.

    Raises :class:`MemberImportError` for a file-level problem (nothing is
    written then) and for a database failure (with the partial report and
    the line where it stopped: the batches before it are committed, the
    failing one is rolled back whole).  ``workers``: processes validating
    rows (default: 1 for small files, up to 2 from ``PARALLEL_MIN_ROWS`` rows).
    """
    from sqlalchemy.exc import SQLAlchemyError

    path = Path(path)
    if not path.is_file():
        raise MemberImportError(f"{path}: no such file")
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    _check_encoding(path)
    layout = _read_layout(path)
    total_rows = sum(1 for _ in _records(path, layout))  # first pass: structure only, nothing written
    if workers is None:
        workers = _default_workers(total_rows)

    report = ImportReport(warnings=list(layout.warnings), delimiter=layout.delimiter)
    first_line: dict[str, int] = {}
    batch: list[MemberRecord] = []
    batch_first_line = 0

    def refuse(line: int, reason: str) -> None:
        report.refused += 1
        refusal = Refusal(line, reason)
        if len(report.refusals) < MAX_KEPT_REFUSALS:
            report.refusals.append(refusal)
        if on_refused is not None:
            on_refused(refusal)

    def flush() -> None:
        if not batch:
            return
        try:
            with session_scope(engine) as session:
                counts = upsert_members(session, batch)
        except SQLAlchemyError as exc:
            raise MemberImportError(
                f"import stopped at line {batch_first_line} by a database error, the rows before it are saved, "
                f"none from it on: {_first_line(exc)}",
                report,
                line=batch_first_line,
            ) from exc
        report.added += counts.added
        report.updated += counts.updated
        report.unchanged += counts.unchanged
        batch.clear()
        if on_batch is not None:
            on_batch(report)

    def add(line: int, record: MemberRecord) -> None:
        nonlocal batch_first_line
        earlier = first_line.get(record.adherent_number)
        if earlier is not None:
            refuse(line, f"adherent_number: le numéro {record.adherent_number} figure déjà ligne {earlier}")
            return
        first_line[record.adherent_number] = line
        if not batch:
            batch_first_line = line
        batch.append(record)
        if len(batch) >= batch_size:
            flush()

    validated = _validated(path, layout, secret_key, workers)
    try:
        for line, record, reason in validated:
            report.rows += 1
            if record is None:
                refuse(line, reason or "?")
            else:
                add(line, record)
        flush()
    finally:
        validated.close()  # stops the worker processes early on a failure
    return report


def _first_line(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip().splitlines()
    return text[0] if text else type(original).__name__
