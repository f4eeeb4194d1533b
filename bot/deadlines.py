"""Instants said the French way, in the tenant's time zone: deadlines of codes and links.

- :func:`local_time`: an instant in the time zone of the tenant's opening
  hours (else the deployment's, ``ASSISTANT_TIMEZONE``);
- :func:`format_deadline`: « le 24/11/2025 à 14h05 »;
- :func:`until`: the same after « jusqu' »: « au 24/11/2025 à 14h05 ».

Opening hours (open now, reopens at) are :mod:`bot.answers.hours`.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.tenants import Tenant


def local_time(tenant: Tenant, at: datetime, default_tz: str = "Europe/Paris") -> datetime:
    """``at`` (aware) in the tenant's time zone."""
    tz = tenant.opening_hours.timezone if tenant.opening_hours else default_tz
    return at.astimezone(ZoneInfo(tz))


def format_deadline(tenant: Tenant, at: datetime, default_tz: str = "Europe/Paris") -> str:
    """« le 24/11/2025 à 14h05 » in the tenant's time zone."""
    local = local_time(tenant, at, default_tz)
    return f"le {local:%d/%m/%Y} à {local:%H}h{local:%M}"


def until(deadline: str) -> str:
    """« le 24/11/2025 à 14h05 » -> « au 24/11/2025 à 14h05 » (written after « jusqu' »)."""
    return "au " + deadline[3:] if deadline.startswith("le ") else deadline
