"""Operator commands of the member store: ``db ...`` and ``members ...``.

- ``python -m bot db upgrade``: create or upgrade the schema (idempotent);
- ``python -m bot db current``: the schema revision of the database;
- ``python -m bot members import FILE.csv``: load the mutuelle's member file
  (refused rows and access codes too easy to guess are listed by line, the
  codes never printed; weak codes are imported and do not change the exit code);
- ``python -m bot members show ADHERENT_NUMBER``: one member, secrets masked;
- ``python -m bot members unlock ADHERENT_NUMBER``: lift a lock;
- ``python -m bot members demo [--if-empty]``: load the fictional demo members
  (``--if-empty``: only into a store without members, so ``make run`` never
  adds them to a real member base).

The database is ``ASSISTANT_DATABASE_URL`` (default: SQLite under ``var/``).
Exit codes: 0 done; 1 failure (bad file, unknown member, database down,
read-only or without schema), with a one-line message and no traceback;
2 configuration error; 3 import done but some rows were refused.
"""

from __future__ import annotations

import argparse
import functools
import sys

from bot.cli import CliError
from bot.store.cli_errors import Handler, database_message, guarded, shown_url

EXIT_ROWS_REFUSED = 3


def register(subparsers: argparse._SubParsersAction) -> None:
    db = subparsers.add_parser("db", help="create or upgrade the store schema (Alembic)")
    db_actions = db.add_subparsers(dest="db_action", metavar="ACTION")
    db_actions.required = True
    upgrade = db_actions.add_parser("upgrade", help="bring the schema to the latest revision (safe to repeat)")
    upgrade.add_argument("--revision", default="head", help="target revision (default: head)")
    upgrade.set_defaults(handler=_guarded(_db_upgrade))
    current = db_actions.add_parser("current", help="show the schema revision of the database")
    current.set_defaults(handler=_guarded(_db_current))

    members = subparsers.add_parser("members", help="load and inspect member records")
    actions = members.add_subparsers(dest="members_action", metavar="ACTION")
    actions.required = True
    load = actions.add_parser("import", help="import a member file (CSV, UTF-8, ',' or ';')")
    load.add_argument("file", metavar="FILE.csv")
    load.add_argument("--batch-size", type=int, default=2000, help="rows per transaction (default: 2000)")
    load.set_defaults(handler=_guarded(_members_import))
    show = actions.add_parser("show", help="print one member (NIR, e-mail and mobile masked)")
    show.add_argument("adherent_number", metavar="ADHERENT_NUMBER")
    show.set_defaults(handler=_guarded(_members_show))
    unlock = actions.add_parser("unlock", help="unlock a locked member")
    unlock.add_argument("adherent_number", metavar="ADHERENT_NUMBER")
    unlock.set_defaults(handler=_guarded(_members_unlock))
    demo = actions.add_parser("demo", help="load the fictional demo members (data/demo/members.csv)")
    demo.add_argument(
        "--if-empty", action="store_true", help="only when the store has no member yet (what `make run` does)"
    )
    demo.set_defaults(handler=_guarded(_members_demo))


# -- errors -------------------------------------------------------------------


def _database_url() -> str:
    from bot.settings import get_settings

    return get_settings().database_url


def _import_errors(handler: Handler) -> Handler:
    """An import stopped by the database says how far it got (the rows before are saved)."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        from sqlalchemy.exc import SQLAlchemyError

        from bot.store.importer import MemberImportError

        try:
            return handler(args)
        except MemberImportError as exc:
            if exc.report is not None:
                print(f"stopped after reading {exc.report.summary()}")
            cause = exc.__cause__
            if isinstance(cause, SQLAlchemyError):
                raise CliError(
                    f"{database_message(cause, [_database_url])}; import stopped at line {exc.line}: "
                    "the rows before it are saved, none from it on"
                ) from None
            raise CliError(str(exc)) from None

    return run


def _guarded(handler: Handler) -> Handler:
    """Turn expected store failures into CliError (one line, no traceback)."""
    return guarded(_import_errors(handler), _database_url)


def _ready_engine():
    from bot.store.db import get_engine
    from bot.store.migrate import ensure_current

    engine = get_engine(_database_url())
    ensure_current(engine)
    return engine


# -- db -----------------------------------------------------------------------


def _db_upgrade(args: argparse.Namespace) -> int:
    from bot.store.migrate import upgrade

    url = _database_url()
    before, after = upgrade(url, args.revision)
    where = shown_url(url)
    if before == after:
        print(f"{where}: schema already up to date (revision {after})")
    elif before is None:
        print(f"{where}: schema created (revision {after})")
    else:
        print(f"{where}: schema upgraded from revision {before} to {after}")
    return 0


def _db_current(args: argparse.Namespace) -> int:
    from bot.store.db import get_engine
    from bot.store.migrate import current_revision, head_revision

    url = _database_url()
    current = current_revision(get_engine(url))
    head = head_revision()
    if current is None:
        state = "no schema yet: run `python -m bot db upgrade`"
    elif current == head:
        state = "up to date"
    else:
        state = f"behind (latest is {head}): run `python -m bot db upgrade`"
    print(f"{shown_url(url)}: revision {current or '-'} ({state})")
    return 0


# -- members ------------------------------------------------------------------


def _print_report(report) -> None:
    """Warnings (file-level, then weak access codes by line, never the code itself), then the summary."""
    for warning in report.warnings:
        print(f"warning: {warning}")
    for code_warning in report.code_warnings:
        print(f"warning: {code_warning}")
    hidden = report.code_warning_count - len(report.code_warnings)
    if hidden > 0:
        print(f"warning: … and {hidden} more access code warning(s) not listed")
    print(report.summary())


def _audit_import(engine, name: str, report) -> None:
    from bot.store import audit
    from bot.store.db import session_scope

    with session_scope(engine) as session:
        audit.record(
            session,
            audit.MEMBERS_IMPORTED,
            file=name,
            added=report.added,
            updated=report.updated,
            unchanged=report.unchanged,
            refused=report.refused,
            code_warnings=report.code_warning_count,
        )


def _run_import(path, batch_size: int = 2000) -> int:
    from bot.settings import get_settings
    from bot.store.importer import import_members

    engine = _ready_engine()

    def show_refusal(refusal) -> None:
        print(f"refused {refusal}", file=sys.stderr)

    if batch_size < 1:
        raise CliError("--batch-size must be at least 1")
    report = import_members(
        path, engine=engine, secret_key=get_settings().secret_key, batch_size=batch_size, on_refused=show_refusal
    )
    _audit_import(engine, str(path).rsplit("/", 1)[-1], report)
    _print_report(report)
    return EXIT_ROWS_REFUSED if report.refused else 0


def _members_import(args: argparse.Namespace) -> int:
    return _run_import(args.file, args.batch_size)


def _members_demo(args: argparse.Namespace) -> int:
    from bot.store.db import session_scope
    from bot.store.demo import DEMO_FILE
    from bot.store.members import count_members

    if args.if_empty:
        with session_scope(_ready_engine()) as session:
            existing = count_members(session)
        if existing:
            print(f"the store already has {existing} member(s): demo members not loaded")
            return 0
    return _run_import(DEMO_FILE)


def _when(value) -> str:
    return value.isoformat(timespec="seconds") if value else "-"


def _members_show(args: argparse.Namespace) -> int:
    from bot.security import mask_email, mask_phone
    from bot.store.db import session_scope
    from bot.store.members import get_by_adherent_number

    engine = _ready_engine()
    with session_scope(engine) as session:
        member = get_by_adherent_number(session, args.adherent_number)
        if member is None:
            raise CliError(f"no member with adherent number {args.adherent_number!r}")
        rows = [
            ("adherent number", member.adherent_number),
            ("last name", member.last_name),
            ("first name", member.first_name),
            ("NIR", member.nir_masked),
            ("birth date", member.birth_date.isoformat()),
            ("birth department", member.birth_department),
            ("e-mail", mask_email(member.email) if member.email else "-"),
            ("mobile", mask_phone(member.mobile) if member.mobile else "-"),
            ("access code", "set" if member.access_code_hash else "-"),
            ("password", "set" if member.password_hash else "-"),
            ("status", member.status),
            ("version", str(member.version)),
            ("activated at", _when(member.activated_at)),
            ("locked at", _when(member.locked_at)),
            ("created at", _when(member.created_at)),
            ("updated at", _when(member.updated_at)),
        ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label.ljust(width)} : {value}")
    return 0


def _members_unlock(args: argparse.Namespace) -> int:
    from bot import limits
    from bot.settings import get_settings
    from bot.store import audit
    from bot.store.db import session_scope
    from bot.store.members import unlock

    engine = _ready_engine()
    settings = get_settings()
    with session_scope(engine) as session:
        result = unlock(session, args.adherent_number)
        if result.found and result.unlocked:
            audit.record(session, audit.MEMBER_UNLOCKED, result.member_id, by="cli")
            # the failed checks that led to the lock are forgiven with it
            mismatches = limits.limit("identity_mismatch_member", settings.limits)
            limits.clear(session, settings.secret_key, mismatches, f"member:{result.member_id}")
    if not result.found:
        raise CliError(f"no member with adherent number {args.adherent_number!r}")
    if result.unlocked:
        print(f"member {args.adherent_number} unlocked (status: {result.status})")
    else:
        print(f"member {args.adherent_number} is not locked (status: {result.status}); nothing to do")
    return 0
