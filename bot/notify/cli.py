"""``python -m bot outbox ...``: look at and retry the outbox.

- ``outbox retry``: send every e-mail whose next attempt is due (run it from
  cron or a systemd timer, e.g. every minute);
- ``outbox list``: the latest messages with masked recipients and their
  states; bodies are never shown (they may carry a code or a link).
"""

from __future__ import annotations

import argparse

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from bot.cli import CliError
from bot.store.models import OUTBOX_STATES, OutboxMessage


def _notifier():
    from bot.notify import Notifier
    from bot.settings import get_settings
    from bot.store.db import get_engine
    from bot.tenants import load_tenant

    settings = get_settings()
    return Notifier(get_engine(settings.database_url), settings, load_tenant(settings.tenant))


def _retry(args: argparse.Namespace) -> int:
    notifier = _notifier()
    try:
        report = notifier.retry_due(limit=args.limit)
    except SQLAlchemyError as exc:
        raise CliError(f"cannot read the outbox ({type(exc).__name__}); is the database migrated?") from None
    print(f"sent: {report.sent}, to retry later: {report.failed}, dead: {report.dead}, skipped: {report.skipped}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from bot.store.db import session_scope

    notifier = _notifier()
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(args.limit)
    if args.state:
        query = query.where(OutboxMessage.state == args.state)
    try:
        with session_scope(notifier.engine) as session:
            rows = session.execute(query).scalars().all()
    except SQLAlchemyError as exc:
        raise CliError(f"cannot read the outbox ({type(exc).__name__}); is the database migrated?") from None
    if not rows:
        print("outbox is empty" if not args.state else f"no message in state {args.state!r}")
        return 0
    print(
        f"{'id':>6}  {'created (UTC)':19}  {'channel':7}  {'kind':20}  {'to':28}  {'state':7}  {'tries':>5}  next try"
    )
    for row in reversed(rows):
        created = row.created_at.strftime("%Y-%m-%d %H:%M:%S") if row.created_at else ""
        next_try = ""
        if row.next_attempt_at and row.state == "failed":
            next_try = row.next_attempt_at.strftime("%Y-%m-%d %H:%M:%S")
        print(
            f"{row.id:>6}  {created:19}  {row.channel:7}  {row.kind[:20]:20}  {row.recipient_masked[:28]:28}  "
            f"{row.state:7}  {row.attempts:>5}  {next_try}"
        )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("outbox", help="inspect and retry outgoing e-mails and SMS")
    sub = parser.add_subparsers(dest="outbox_command", metavar="ACTION")
    sub.required = True
    retry = sub.add_parser("retry", help="send the e-mails whose next attempt is due")
    retry.add_argument("--limit", type=int, default=100, help="at most this many messages (default 100)")
    retry.set_defaults(handler=_retry)
    listing = sub.add_parser("list", help="latest messages: masked recipient and state, never the body")
    listing.add_argument("--state", choices=OUTBOX_STATES, help="only messages in this state")
    listing.add_argument("--limit", type=int, default=50, help="at most this many messages (default 50)")
    listing.set_defaults(handler=_list)
