"""The assistant's clock: timezone-aware "now", with a test seam.

Everything that depends on time (code expiry, link expiry, opening hours)
calls :func:`now`.  When ``ASSISTANT_CLOCK_FILE`` names a file, its content
moves the clock: an ISO-8601 instant freezes it, ``+3600`` shifts it by that
many seconds.  Conversation tests use this to time-travel a running server;
it is never set in production.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone


def _override() -> str | None:
    path = os.environ.get("ASSISTANT_CLOCK_FILE")
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip() or None
    except OSError:
        return None


def now() -> datetime:
    """The current instant, always timezone-aware (UTC)."""
    real = datetime.now(timezone.utc)
    raw = _override()
    if raw is None:
        return real
    if raw[0] in "+-" and raw[1:].replace(".", "", 1).isdigit():
        return real + timedelta(seconds=float(raw))
    try:
        frozen = datetime.fromisoformat(raw)
    except ValueError:
        return real
    if frozen.tzinfo is None:
        frozen = frozen.replace(tzinfo=timezone.utc)
    return frozen.astimezone(timezone.utc)
