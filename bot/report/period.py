"""The period of a report: whole local days, ``since`` to ``until`` included.

Days are those of the assistant's time zone (``ASSISTANT_TIMEZONE``).  The
conversation store keeps event times as UNIX seconds, the member store as
UTC datetimes: :class:`Period` gives both bounds.  Without ``until`` the
period ends today; without ``since`` it covers the :data:`DEFAULT_DAYS` days
ending ``until``.  A date that cannot be read or a period longer than
:data:`MAX_DAYS` raises :class:`PeriodError`, whose message is French
(it is shown on the page too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import List
from zoneinfo import ZoneInfo

DEFAULT_DAYS = 30
MAX_DAYS = 366


class PeriodError(ValueError):
    """A period that cannot be reported on (message in French)."""


def parse_day(value: str | None, name: str) -> date | None:
    """``YYYY-MM-DD`` (or empty: None); :class:`PeriodError` otherwise."""
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise PeriodError(f"{name} : date invalide, attendu AAAA-MM-JJ (par exemple 2026-12-01)") from None


@dataclass(frozen=True)
class Period:
    since: date
    until: date
    timezone: str

    @classmethod
    def build(cls, since: date | None, until: date | None, tz: str, today: date) -> Period:
        until = until or today
        since = since or until - timedelta(days=DEFAULT_DAYS - 1)
        if since > until:
            raise PeriodError("La date de début doit précéder la date de fin.")
        if (until - since).days + 1 > MAX_DAYS:
            raise PeriodError(f"La période ne peut pas dépasser {MAX_DAYS} jours.")
        return cls(since, until, tz)

    def _local_midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=ZoneInfo(self.timezone))

    @property
    def start(self) -> datetime:
        """First instant of the period (UTC)."""
        return self._local_midnight(self.since).astimezone(timezone.utc)

    @property
    def end(self) -> datetime:
        """First instant after the period (UTC)."""
        return self._local_midnight(self.until + timedelta(days=1)).astimezone(timezone.utc)

    @property
    def days(self) -> List[date]:
        return [self.since + timedelta(days=i) for i in range((self.until - self.since).days + 1)]

    def day_of(self, timestamp: float) -> date:
        """The local day of a UNIX timestamp."""
        return datetime.fromtimestamp(timestamp, ZoneInfo(self.timezone)).date()
