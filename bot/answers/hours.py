"""Opening hours used, not recited: is the phone line open now, when does it reopen.

Times are computed in the profile's time zone (Europe/Paris) from the
instant given by the caller (``bot.clock.now()`` in the actions), and said
the French way: "8h30", "14h", "demain à 8h30", "lundi à 8h30".
:func:`status_sentence` is one of the ways to reach the mutuelle: the
``{line_status}`` of the contact answers (:mod:`bot.answers.contact`) and a
line of :func:`bot.reach.call_lines` (support replies, e-mails, notices).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.tenants import DAY_NAMES_FR, Tenant


@dataclass(frozen=True)
class LineStatus:
    """The phone line at one instant (only for tenants with opening hours)."""

    is_open: bool
    closes_at: time | None  # local closing time of the current range, when open
    reopens_at: datetime | None  # next opening (local time), when closed


def french_time(value: time) -> str:
    """``08:30`` -> ``8h30``; ``14:00`` -> ``14h``."""
    if value.hour == 23 and value.minute == 59:
        return "minuit"
    return f"{value.hour}h{value.minute:02d}" if value.minute else f"{value.hour}h"


def line_status(tenant: Tenant, at: datetime) -> LineStatus | None:
    """The line's status at ``at`` (aware datetime), or None without opening hours."""
    hours = tenant.opening_hours
    if hours is None:
        return None
    local = at.astimezone(ZoneInfo(hours.timezone))
    for start, end in hours.ranges(local.weekday()):
        if start <= local.time() < end:
            return LineStatus(is_open=True, closes_at=end, reopens_at=None)
    return LineStatus(is_open=False, closes_at=None, reopens_at=tenant.next_opening(at))


def reopening_phrase(reopens_at: datetime, at: datetime) -> str:
    """ "aujourd'hui à 8h30", "demain à 8h30" or "lundi à 8h30", seen from ``at``."""
    local_now = at.astimezone(reopens_at.tzinfo)
    days = (reopens_at.date() - local_now.date()).days
    when = french_time(reopens_at.time())
    if days == 0:
        return f"aujourd'hui à {when}"
    if days == 1:
        return f"demain à {when}"
    return f"{DAY_NAMES_FR[reopens_at.weekday()]} à {when}"


def status_sentence(tenant: Tenant, at: datetime) -> str | None:
    """One sentence on the line right now, or None when the tenant has no hours."""
    status = line_status(tenant, at)
    if status is None:
        return None
    if status.is_open:
        closes = f" jusqu'à {french_time(status.closes_at)}" if status.closes_at else ""
        return f"La ligne est ouverte en ce moment{closes}."
    if status.reopens_at is None:
        return "La ligne est fermée en ce moment."
    return f"La ligne est fermée en ce moment : elle rouvre {reopening_phrase(status.reopens_at, at)}."
