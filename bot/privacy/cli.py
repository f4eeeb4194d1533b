"""Staff commands for retention, the member's rights and key rotation.

- ``python -m bot purge [--dry-run]``: delete conversations, audit events,
  outbox entries and support tickets older than their retention
  (``ASSISTANT_RETENTION_*_DAYS``); prints one count per class; only rows
  past their retention are touched, so it is safe to run from cron (exit 0
  when done, 1 with a one-line message when a database is unreachable);
- ``python -m bot conversations export SENDER``: the stored (redacted)
  conversation of ``SENDER`` as JSON on standard output (the member's right
  of access);
- ``python -m bot conversations forget SENDER``: delete it (right to
  erasure); prints how many events were deleted;
- ``python -m bot keys rotate``: after a new key is put first
  (``ASSISTANT_SECRET_KEY``, the older ones in ``ASSISTANT_SECRET_KEYS_PREVIOUS``
  or after it in ``ASSISTANT_SECRET_KEY_FILE``), re-encrypt every encrypted
  value of the store under the new key (one-time code secrets, outbox
  payloads); see docs/privacy.md for the keyed hashes.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.cli import CliError
from bot.store.cli_errors import guarded


def register(subparsers: argparse._SubParsersAction) -> None:
    purge = subparsers.add_parser("purge", help="delete data older than its retention (safe from cron)")
    purge.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")
    purge.set_defaults(handler=guarded(_purge, _store_url, _tracker_url))

    conversations = subparsers.add_parser("conversations", help="export or forget a member's conversation")
    actions = conversations.add_subparsers(dest="conversations_action", metavar="ACTION")
    actions.required = True
    export = actions.add_parser("export", help="print the stored conversation of SENDER as JSON")
    export.add_argument("sender", metavar="SENDER", help="conversation id (web-…, telegram:…)")
    export.set_defaults(handler=guarded(_export, _tracker_url))
    forget = actions.add_parser("forget", help="delete the stored conversation of SENDER")
    forget.add_argument("sender", metavar="SENDER", help="conversation id (web-…, telegram:…)")
    forget.set_defaults(handler=guarded(_forget, _tracker_url))

    keys = subparsers.add_parser("keys", help="application keys")
    key_actions = keys.add_subparsers(dest="keys_action", metavar="ACTION")
    key_actions.required = True
    rotate = key_actions.add_parser("rotate", help="re-encrypt stored values under the newest key")
    rotate.set_defaults(handler=guarded(_rotate, _store_url))


def _store_url() -> str:
    from bot.settings import get_settings

    return get_settings().database_url


def _tracker_url() -> str:
    from bot.settings import get_settings

    return get_settings().tracker_database_url


def _store_engine() -> Any:
    from bot.store.db import get_engine
    from bot.store.migrate import ensure_current

    engine = get_engine(_store_url())
    ensure_current(engine)
    return engine


def _tracker_engine() -> Any:
    from bot.store.db import make_engine

    return make_engine(_tracker_url())


def _purge(args: argparse.Namespace) -> int:
    from bot import clock
    from bot.privacy.retention import purge
    from bot.settings import get_settings

    settings = get_settings()
    retention = settings.retention
    tracker = _tracker_engine()
    try:
        report = purge(
            _store_engine(),
            tracker,
            clock.now(),
            conversation_days=retention.conversations_days,
            audit_days=retention.audit_days,
            outbox_days=retention.outbox_days,
            ticket_days=retention.tickets_days,
            dry_run=args.dry_run,
        )
    finally:
        tracker.dispose()
    verb = "would delete" if args.dry_run else "deleted"
    days = {
        "conversations": retention.conversations_days,
        "conversation events": retention.conversations_days,
        "audit events": retention.audit_days,
        "outbox entries": retention.outbox_days,
        "support tickets": retention.tickets_days,
    }
    for name, count in report.lines().items():
        print(f"{name}: {count} {verb} (older than {days[name]} days)")
    return 0


def _export(args: argparse.Namespace) -> int:
    from bot.privacy.conversations import export_conversation

    tracker = _tracker_engine()
    try:
        events = export_conversation(tracker, args.sender)
    finally:
        tracker.dispose()
    if not events:
        raise CliError(f"no stored conversation for {args.sender!r}")
    json.dump({"sender": args.sender, "events": events}, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


def _forget(args: argparse.Namespace) -> int:
    from bot.privacy.conversations import forget_conversation

    tracker = _tracker_engine()
    try:
        deleted = forget_conversation(tracker, args.sender)
    finally:
        tracker.dispose()
    print(f"{args.sender}: {deleted} stored events deleted")
    return 0


def _rotate(args: argparse.Namespace) -> int:
    from bot.privacy.keys import rotate
    from bot.settings import get_settings

    settings = get_settings()
    if not settings.previous_keys:
        print("only one key configured: nothing to rotate (put the new key first, the old ones after it)")
    report = rotate(_store_engine(), settings.secret_keys)
    for name, (renewed, unreadable) in report.items():
        print(f"{name}: {renewed} re-encrypted under the newest key, {unreadable} unreadable with the configured keys")
    return 0
