"""Opening hours used against the clock: open now, closed now, when it reopens."""

from __future__ import annotations

from datetime import time

import pytest
from answers_helpers import PARIS, paris

from bot.answers.hours import french_time, line_status, reopening_phrase, status_sentence
from bot.tenants import Tenant

# 2025-03-10 is a Monday (winter time, UTC+1); 2025-07-07 is a Monday (summer time, UTC+2).
CASES = [
    # label, instant, open?, expected sentence fragment
    ("weekday 10:00", paris(2025, 3, 12, 10, 0), True, "ouverte en ce moment jusqu'à 17h30"),
    ("weekday opening minute", paris(2025, 3, 12, 8, 30), True, "ouverte"),
    ("weekday last minute", paris(2025, 3, 12, 17, 29), True, "ouverte"),
    ("weekday closing minute", paris(2025, 3, 12, 17, 30), False, "rouvre demain à 8h30"),
    ("weekday 19:00", paris(2025, 3, 12, 19, 0), False, "rouvre demain à 8h30"),
    ("weekday 07:00", paris(2025, 3, 12, 7, 0), False, "rouvre aujourd'hui à 8h30"),
    ("weekday just after midnight", paris(2025, 3, 12, 0, 5), False, "rouvre aujourd'hui à 8h30"),
    ("friday 18:00", paris(2025, 3, 14, 18, 0), False, "rouvre lundi à 8h30"),
    ("friday 23:30", paris(2025, 3, 14, 23, 30), False, "rouvre lundi à 8h30"),
    ("saturday 11:00", paris(2025, 3, 15, 11, 0), False, "rouvre lundi à 8h30"),
    ("sunday 10:00", paris(2025, 3, 16, 10, 0), False, "rouvre demain à 8h30"),
    ("summer monday 08:29", paris(2025, 7, 7, 8, 29), False, "rouvre aujourd'hui à 8h30"),
    ("summer monday 08:30", paris(2025, 7, 7, 8, 30), True, "jusqu'à 17h30"),
    ("summer friday 17:45", paris(2025, 7, 11, 17, 45), False, "rouvre lundi à 8h30"),
]


@pytest.mark.parametrize(("label", "at", "is_open", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_miel_line_status(miel: Tenant, label: str, at, is_open: bool, fragment: str) -> None:
    status = line_status(miel, at)
    assert status is not None
    assert status.is_open is is_open
    assert status.is_open is miel.is_open(at)
    sentence = status_sentence(miel, at)
    assert fragment in sentence
    assert ("fermée" in sentence) is (not is_open)


def test_tenant_without_hours_has_no_status(smie: Tenant) -> None:
    at = paris(2025, 3, 12, 10, 0)
    assert line_status(smie, at) is None
    assert status_sentence(smie, at) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [(time(8, 30), "8h30"), (time(14, 0), "14h"), (time(9, 5), "9h05"), (time(23, 59, 59), "minuit")],
)
def test_french_time(value: time, expected: str) -> None:
    assert french_time(value) == expected


@pytest.mark.parametrize(
    ("at", "reopens", "expected"),
    [
        (paris(2025, 3, 12, 7, 0), paris(2025, 3, 12, 8, 30), "aujourd'hui à 8h30"),
        (paris(2025, 3, 12, 23, 0), paris(2025, 3, 13, 8, 30), "demain à 8h30"),
        (paris(2025, 3, 15, 9, 0), paris(2025, 3, 17, 8, 30), "lundi à 8h30"),
        (paris(2025, 3, 14, 18, 0), paris(2025, 3, 17, 14, 0), "lundi à 14h"),
    ],
)
def test_reopening_phrase(at, reopens, expected: str) -> None:
    # the phrase is computed in Paris time, whatever the zone of the instants
    assert reopening_phrase(reopens.astimezone(PARIS), at) == expected
