"""A clock the tests drive: :mod:`bot.clock` reads the instant from the file
named by ``ASSISTANT_CLOCK_FILE``, which :class:`Clock` writes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

START = datetime(2025, 11, 24, 9, 0, 0, tzinfo=timezone.utc)  # a Monday, 10:00 in Paris


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
