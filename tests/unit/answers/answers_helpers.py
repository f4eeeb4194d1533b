"""Shared data of the answers tests: instants in Paris time and tenant facts."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[3]
PARIS = ZoneInfo("Europe/Paris")


def paris(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """An instant given in Paris local time, returned in UTC like bot.clock.now()."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS).astimezone(timezone.utc)


# Facts that identify each tenant: a reply for one must never contain the other's.
IDENTIFYING = {
    "miel": ("Miel", "04 77", "mielmut", "malakoff", "Charcot", "Saint-Etienne"),
    "smie": ("SMIE", "mutuellesmie", "assia"),
}


def other_tenant(name: str) -> str:
    return "smie" if name == "miel" else "miel"


def leaks(text: str, tenant: str) -> list[str]:
    """The other tenant's identifying facts found in ``text`` (case-insensitive)."""
    lowered = text.lower()
    return [fact for fact in IDENTIFYING[other_tenant(tenant)] if fact.lower() in lowered]
