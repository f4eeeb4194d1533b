"""Wrong tokens of the report page are limited per client and in all
(bot.security.admin_login), on SQLite and PostgreSQL; each limit trips."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.security import admin_login

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def limited(make_settings, engine):
    return make_settings(
        ASSISTANT_LIMIT_ADMIN_LOGIN_FAILURES="3",
        ASSISTANT_LIMIT_ADMIN_LOGIN_FAILURES_GLOBAL="5",
    )


def _fail(settings, engine, client: str, times: int, at: datetime = NOW) -> None:
    for _ in range(times):
        admin_login.count_failure(settings, client, engine, now=at)


@pytest.mark.parametrize(
    ("failures", "client", "asked_by", "refused"),
    [
        ({}, None, "a", False),
        ({"a": 2}, None, "a", False),  # under the client limit
        ({"a": 3}, None, "a", True),  # the client limit is reached
        ({"a": 3}, None, "b", False),  # another client is not concerned
        ({"a": 2, "b": 2}, None, "c", False),  # 4 in all: under the global limit
        ({"a": 2, "b": 2, "c": 1}, None, "d", True),  # 5 in all: everyone waits
    ],
)
def test_limits_per_client_and_in_all(limited, engine, failures, client, asked_by, refused):
    for who, times in failures.items():
        _fail(limited, engine, who, times)
    until = admin_login.refused_until(limited, asked_by, engine, now=NOW)
    assert (until is not None) is refused
    if refused:
        assert NOW < until <= NOW + timedelta(hours=1)


def test_the_window_moves_on(limited, engine):
    _fail(limited, engine, "a", 3)
    until = admin_login.refused_until(limited, "a", engine, now=NOW)
    assert until is not None
    assert admin_login.refused_until(limited, "a", engine, now=until) is None
    assert admin_login.refused_until(limited, "a", engine, now=until - timedelta(seconds=1)) is not None


@pytest.mark.parametrize(
    ("seconds", "minutes"),
    [(1, 1), (59, 1), (60, 1), (61, 2), (3600, 60), (-5, 1)],
)
def test_minutes_until(seconds, minutes):
    assert admin_login.minutes_until(NOW + timedelta(seconds=seconds), now=NOW) == minutes


def test_client_keys_are_stored_hashed(limited, engine):
    from sqlalchemy import select

    from bot.store.db import session_scope
    from bot.store.models import RateCounter

    _fail(limited, engine, "203.0.113.9", 1)
    with session_scope(engine) as session:
        keys = session.execute(select(RateCounter.key_hash)).scalars().all()
    assert keys and all("203.0.113.9" not in key for key in keys)
