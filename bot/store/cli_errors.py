"""One-line answers of the staff commands when a database fails (no traceback).

Shared by the commands that read or write a database (``python -m bot db``,
``members``, ``purge``, ``conversations``, ``keys``): each wraps its handlers
with :func:`guarded`, naming the database(s) the command uses, so the
message says which one could not be reached, with its password hidden.
"""

from __future__ import annotations

import argparse
import functools
from typing import Callable, Sequence

from bot.cli import CliError

Handler = Callable[[argparse.Namespace], int]
DatabaseUrl = Callable[[], str]


def shown_url(url: str) -> str:
    """``url`` as it may be printed: the password hidden."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only for display
        return "the configured database"


def _shown(urls: Sequence[DatabaseUrl]) -> str:
    shown = []
    for url in urls:
        try:
            shown.append(shown_url(url()))
        except Exception:  # noqa: BLE001 - settings may be what failed
            shown.append("the configured database")
    return " or ".join(dict.fromkeys(shown)) or "the configured database"


def database_message(exc: BaseException, urls: Sequence[DatabaseUrl]) -> str:
    """What went wrong with the database(s) ``urls``, in one line."""
    original = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(original).strip().splitlines() if line.strip()]
    detail = lines[0] if lines else type(original).__name__
    where = _shown(urls)
    lowered = detail.lower()
    if "read-only" in lowered or "readonly" in lowered:
        return f"the database {where} is read-only ({detail})"
    if "unable to open" in lowered or "could not connect" in lowered or "connection" in lowered:
        return f"cannot reach the database {where} ({detail})"
    return f"database error on {where}: {detail}"


def guarded(handler: Handler, *urls: DatabaseUrl) -> Handler:
    """``handler`` with the expected database failures turned into :class:`CliError`.

    ``urls`` give the URLs of the databases the command uses (read only when
    a failure is reported).
    """

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        from sqlalchemy.exc import SQLAlchemyError

        from bot.store.db import StoreUnavailable
        from bot.store.migrate import SchemaNotReady

        try:
            return handler(args)
        except (SchemaNotReady, StoreUnavailable) as exc:
            raise CliError(str(exc)) from None
        except SQLAlchemyError as exc:
            raise CliError(database_message(exc, urls)) from None
        except OSError as exc:  # e.g. the SQLite folder cannot be created
            raise CliError(f"{exc.strerror or exc}: {exc.filename or _shown(urls)}") from None

    return run


__all__ = ["DatabaseUrl", "Handler", "database_message", "guarded", "shown_url"]
