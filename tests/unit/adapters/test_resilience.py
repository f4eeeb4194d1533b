"""Polite degraded answers (issue 18): the wrappers of bot.adapters.resilience and the supervisor's restarts."""

from __future__ import annotations

import asyncio
import sys
import time

import aiohttp
import pytest
import sqlalchemy as sa
from rasa.shared.exceptions import RasaException

from bot.adapters import resilience
from bot.service_status import SERVICE_APOLOGY, backoff_delays, health_status


class _Action:
    def __init__(self, failures) -> None:
        self.failures = list(failures)
        self.calls = 0

    def name(self) -> str:
        return "action_check_identity"

    async def run(self, *args):
        self.calls += 1
        if self.failures:
            cause = self.failures.pop(0)
            try:
                raise cause
            except Exception as error:  # noqa: BLE001 - raised as Rasa does, with the aiohttp cause
                raise RasaException("Failed to execute custom action") from error
        return ["events"]


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch):
    monkeypatch.setattr(resilience, "ACTION_RETRY_DELAYS", (0.01, 0.01, 0.01))
    monkeypatch.setattr(resilience, "STORE_RETRY_DELAYS", (0.01, 0.01))


def _run(action: _Action):
    wrapped = resilience.resilient_action_run(_Action.run)
    return asyncio.run(wrapped(action))


def test_an_action_server_back_within_the_retries_answers_normally():
    action = _Action([aiohttp.ServerDisconnectedError(), aiohttp.ServerDisconnectedError()])
    assert _run(action) == ["events"]
    assert action.calls == 3


def test_an_unreachable_action_server_abandons_the_turn_after_the_retries():
    action = _Action([aiohttp.ServerDisconnectedError()] * 4)
    with pytest.raises(resilience.TurnAbandoned):
        _run(action)
    assert action.calls == 4
    # not an Exception: Rasa's processor, which catches Exception, lets it through
    assert not issubclass(resilience.TurnAbandoned, Exception)


def test_a_server_error_of_the_action_server_abandons_the_turn_without_retrying():
    from rasa.utils.endpoints import ClientResponseError

    action = _Action([ClientResponseError(500, "Internal Server Error", "{}")])
    with pytest.raises(resilience.TurnAbandoned):
        _run(action)
    assert action.calls == 1  # the action may have done part of its work: never run twice


def test_other_action_errors_are_rasas_to_handle():
    action = _Action([ValueError("bad reply")])
    with pytest.raises(RasaException):
        _run(action)


def test_an_abandoned_turn_gets_the_apology_through_its_channel():
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.lock_store import LockError

    async def failing(self, message):
        raise self

    for error in (
        resilience.TurnAbandoned("x"),
        resilience.ConversationStoreUnavailable("read"),
        LockError("busy"),
    ):
        collector = CollectingOutputChannel()
        handle = resilience.apologising_handle_message(failing)
        assert asyncio.run(handle(error, UserMessage("oui", collector, "web-1"))) is None
        assert [m["text"] for m in collector.messages] == [SERVICE_APOLOGY]


def test_a_conversation_store_blip_is_retried_and_an_outage_is_raised():
    calls = []

    async def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise sa.exc.OperationalError("select", {}, Exception("server closed the connection"))
        return "tracker"

    assert asyncio.run(resilience._with_store_retries("read", flaky)) == "tracker"

    async def down():
        raise sa.exc.OperationalError("select", {}, Exception("connection refused"))

    with pytest.raises(resilience.ConversationStoreUnavailable):
        asyncio.run(resilience._with_store_retries("read", down))


def test_failsafe_store_no_longer_falls_back_to_an_empty_conversation(pristine_rasa):
    from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
    from rasa.shared.core.domain import Domain

    class Broken(InMemoryTrackerStore):
        async def retrieve(self, sender_id):
            raise sa.exc.OperationalError("select", {}, Exception("connection refused"))

    saved = {name: FailSafeTrackerStore.__dict__[name] for name in ("retrieve", "retrieve_full_tracker", "save")}
    try:
        resilience.install_failsafe_store()
        store = FailSafeTrackerStore(Broken(Domain.empty()))
        with pytest.raises(resilience.ConversationStoreUnavailable):
            asyncio.run(store.retrieve("web-1"))
    finally:
        for name, method in saved.items():
            setattr(FailSafeTrackerStore, name, method)


def test_backoff_and_health_verdict():
    delays = backoff_delays(1.0, 2.0, 5.0)
    assert [next(delays) for _ in range(5)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert health_status({"action_server": "up", "lock_store": "not_used"}) == {"status": "ok", "down": []}
    assert health_status({"action_server": "down", "member_store": "up"}) == {
        "status": "degraded",
        "down": ["action_server"],
    }


def test_the_supervisor_starts_a_stopped_child_again_with_backoff(monkeypatch, capsys):
    from bot import serve

    monkeypatch.setattr(serve, "RESTART_FIRST_DELAY", 0.2)
    child = serve.Child("action server", [sys.executable, "-c", "raise SystemExit(3)"], {})
    child.start()
    starts = [time.monotonic()]
    deadline = time.monotonic() + 20
    while child.restarts < 3 and time.monotonic() < deadline:
        before = child.restarts
        child.check(time.monotonic())
        if child.restarts > before:
            starts.append(time.monotonic())
        time.sleep(0.02)
    child.process.wait()
    assert child.restarts == 3
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
    assert gaps[0] >= 0.2 and gaps[1] >= 0.4 and gaps[2] >= 0.8, gaps  # doubled each time
    out = capsys.readouterr().out
    assert "the action server stopped (exit code 3): starting it again in" in out
