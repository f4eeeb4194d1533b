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

Access codes too easy to guess (issue 12) are *warned about*, with their
line, never quoted: the row is still imported (the mutuelle decides) and
the summary counts the warnings.  A code is weak (:func:`access_code_weaknesses`)
when, separators removed, it is shorter than :data:`MIN_CODE_LENGTH`
characters, estimated under :data:`MIN_CODE_BITS` bits (:func:`estimate_bits`),
one character or block repeated, a run of 4 consecutive characters (1234,
ABCD, 9876), or contains the adherent number or the birth date.  After the
import, codes shared by :data:`SHARED_CODE_MIN_MEMBERS` members or more in
the store are reported with the lines of this file that hold them.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import multiprocessing
import os
import re
import sys
from collections import deque
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Generator, Iterable, Iterator, Sequence, Tuple

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.store.db import session_scope
from bot.store.hashing import access_code_hash, nir_hash
from bot.store.members import (
    InvalidAdherentNumber,
    MemberRecord,
    normalize_adherent_number,
    upsert_members,
)
from bot.store.models import MEMBER_STATUSES, Member

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

# weak access codes: warned about, still imported
MIN_CODE_LENGTH = 8  # characters once separators are removed
MIN_CODE_BITS = 40.0  # estimated by estimate_bits
SEQUENCE_RUN = 4  # 1234, ABCD, 9876, ZYXW
SHARED_CODE_MIN_MEMBERS = 3  # members in the store holding the same code
MAX_KEPT_WARNINGS = 1000  # the report keeps the first ones; the summary counts them all
MAX_LINES_SHOWN = 10  # lines listed for one shared code
_SEPARATORS = re.compile(r"[\s\-._/]")
_CLASS_SIZES = {"digit": 10, "letter": 26, "other": 33}  # letters: the check ignores case


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


@dataclass(frozen=True)
class CodeWarning:
    """An access code too easy to guess, on an imported row (the code is never quoted)."""

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
    code_warnings: list[CodeWarning] = field(default_factory=list)  # the first MAX_KEPT_WARNINGS
    code_warning_count: int = 0  # all of them

    def summary(self) -> str:
        plural = "" if self.code_warning_count == 1 else "s"
        return (
            f"{self.rows} rows: {self.added} added, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.refused} refused, "
            f"{self.code_warning_count} access code warning{plural}"
        )

    def warn_code(self, line: int, reason: str) -> None:
        self.code_warning_count += 1
        if len(self.code_warnings) < MAX_KEPT_WARNINGS:
            self.code_warnings.append(CodeWarning(line, reason))


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
                f'{path.name}: the file is UTF-16 encoded; save it as UTF-8 ("CSV UTF-8" in a spreadsheet)'
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
                    'Latin-1/Windows-1252: save it again as UTF-8 ("CSV UTF-8" in a spreadsheet)'
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


# -- weak access codes ----------------------------------------------------------


def _char_class(char: str) -> str:
    return "digit" if char.isdigit() else "letter" if char.isalpha() else "other"


def estimate_bits(core: str) -> float:
    """A simple, deliberately pessimistic entropy estimate of a code (separators removed).

    Each character counts for the alphabet of its own kind (10 for a digit,
    26 for a letter, case ignored as the check ignores it), as if an attacker
    knew the layout (``SMIE-4821`` = 4 letters + 4 digits = 32 bits): a
    fixed prefix printed on every letter is not counted as secret.
    """
    return sum(math.log2(_CLASS_SIZES[_char_class(char)]) for char in core)


def _repeated(core: str) -> bool:
    """One character or one block repeated over the whole code (``AAAAAAAA``, ``12121212``)."""
    return len(core) >= 2 and re.fullmatch(r"(.+?)\1+", core) is not None


def _has_sequence(core: str, run: int = SEQUENCE_RUN) -> bool:
    """A run of ``run`` consecutive characters of one kind, up or down (``1234``, ``ABCD``, ``9876``)."""
    length, step = 1, 0
    for previous, current in zip(core, core[1:], strict=False):
        delta = ord(current) - ord(previous)
        if _char_class(previous) == _char_class(current) != "other" and delta in (1, -1):
            length, step = (length + 1, delta) if (length == 1 or delta == step) else (2, delta)
        else:
            length, step = 1, 0
        if length >= run:
            return True
    return False


def _date_forms(birth: date) -> set[str]:
    day, month, year = f"{birth.day:02d}", f"{birth.month:02d}", f"{birth.year:04d}"
    return {day + month + year, year + month + day, day + month + year[2:], year[2:] + month + day}


def access_code_weaknesses(code: str, adherent_number: str, birth: date | None) -> list[str]:
    """Why ``code`` is easy to guess (French, for the import report), or [] when it is not.

    Never quotes the code, its length or its content.
    """
    core = _SEPARATORS.sub("", code).upper()
    if not core:
        return []
    found = []
    if len(core) < MIN_CODE_LENGTH:
        found.append(f"moins de {MIN_CODE_LENGTH} caractères hors séparateurs")
    if estimate_bits(core) < MIN_CODE_BITS:
        found.append(f"moins de {MIN_CODE_BITS:.0f} bits d'entropie estimés")
    if _repeated(core):
        found.append("un seul caractère ou motif répété")
    if _has_sequence(core):
        found.append("suite de caractères consécutifs (1234, ABCD…)")
    number = _SEPARATORS.sub("", adherent_number).upper()
    pieces = {number} | set(re.findall(r"\d{4,}", number))
    if any(len(piece) >= 4 and piece in core for piece in pieces):
        found.append("contient le numéro d'adhérent")
    if birth is not None and any(form in core for form in _date_forms(birth)):
        found.append("contient la date de naissance")
    return found


def weak_code_reason(weaknesses: Sequence[str]) -> str:
    """The report line of a weak code: ``access_code: facile à deviner (…), ligne importée``."""
    return f"access_code: facile à deviner ({', '.join(weaknesses)}), ligne importée"


def _shared_codes(engine: Engine, lines: dict[str, int]) -> Iterator[CodeWarning]:
    """Access codes held by SHARED_CODE_MIN_MEMBERS members or more in the store, for the
    ones held by a row of this file (``lines``: adherent number -> line)."""
    with session_scope(engine) as session:
        shared = session.execute(
            select(Member.access_code_hash, func.count())
            .where(Member.access_code_hash.isnot(None))
            .group_by(Member.access_code_hash)
            .having(func.count() >= SHARED_CODE_MIN_MEMBERS)
        ).all()
        for code_hash, count in shared:
            numbers = session.execute(
                select(Member.adherent_number).where(Member.access_code_hash == code_hash)
            ).scalars()
            here = sorted(lines[number] for number in numbers if number in lines)
            if not here:
                continue
            shown = ", ".join(str(line) for line in here[:MAX_LINES_SHOWN])
            if len(here) > MAX_LINES_SHOWN:
                shown += ", …"
            elsewhere = count - len(here)
            outside = f", dont {elsewhere} hors de ce fichier" if elsewhere else ""
            yield CodeWarning(
                here[0],
                f"access_code: le même code d'accès est partagé par {count} adhérents (lignes {shown}{outside}), "
                "lignes importées",
            )


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
    """Turns the cells of one row into a :class:`MemberRecord` or raises :class:`RowRefused`;
    :meth:`check` also says why its access code is weak."""

    def __init__(self, secret_key: str, layout: _Layout) -> None:
        import bot.identity

        self.secret_key = secret_key
        self.layout = layout
        self.identity = bot.identity

    def __call__(self, cells: Sequence[str]) -> MemberRecord:
        return self.check(cells)[0]

    def check(self, cells: Sequence[str]) -> tuple[MemberRecord, list[str]]:
        """The record and the weaknesses of its access code (see :func:`access_code_weaknesses`)."""
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

        weaknesses = access_code_weaknesses(code, adherent_number, birth) if code else []
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
        ), weaknesses


# -- validation, in this process or in worker processes ------------------------

# line, record or refusal reason, weaknesses of the access code
Validated = Tuple[int, MemberRecord | None, str | None, list[str]]
_worker_validator: RowValidator | None = None


def _start_worker(secret_key: str, layout: _Layout) -> None:
    global _worker_validator
    _worker_validator = RowValidator(secret_key, layout)


def _validate_rows(validator: RowValidator, rows: Iterable[tuple[int, list[str]]]) -> list[Validated]:
    done: list[Validated] = []
    for line, cells in rows:
        try:
            record, weaknesses = validator.check(cells)
            done.append((line, record, None, weaknesses))
        except RowRefused as exc:
            done.append((line, None, exc.reason, []))
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


def _validated(path: Path, layout: _Layout, secret_key: str, workers: int) -> Generator[Validated, None, None]:
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

    def add(line: int, record: MemberRecord, weaknesses: list[str]) -> None:
        nonlocal batch_first_line
        earlier = first_line.get(record.adherent_number)
        if earlier is not None:
            refuse(line, f"adherent_number: le numéro {record.adherent_number} figure déjà ligne {earlier}")
            return
        first_line[record.adherent_number] = line
        if weaknesses:
            report.warn_code(line, weak_code_reason(weaknesses))
        if not batch:
            batch_first_line = line
        batch.append(record)
        if len(batch) >= batch_size:
            flush()

    validated = _validated(path, layout, secret_key, workers)
    try:
        for line, record, reason, weaknesses in validated:
            report.rows += 1
            if record is None:
                refuse(line, reason or "?")
            else:
                add(line, record, weaknesses)
        flush()
    finally:
        validated.close()  # stops the worker processes early on a failure
    try:
        for warning in _shared_codes(engine, first_line):
            report.warn_code(warning.line, warning.reason)
    except SQLAlchemyError as exc:
        raise MemberImportError(
            f"import done, but the check for shared access codes failed: {_first_line(exc)}", report
        ) from exc
    return report


def _first_line(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip().splitlines()
    return text[0] if text else type(original).__name__
