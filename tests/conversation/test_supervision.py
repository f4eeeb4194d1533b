"""``bot serve`` keeps serving when its action server crashes (issue 18).

The action server (a child of ``bot serve``) is killed in the middle of an
activation: the member gets the short French apology instead of silence,
``/health`` says which part is down, the supervisor starts the action
server again, and the same answer then moves the activation on from where
it was (the turn that got the apology was not recorded).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from typing import Iterator

import pytest
from helpers.processes import child_with, kill
from test_activation_flow import all_in_one, identify, import_members, new_person, say, start

from bot.service_status import SERVICE_APOLOGY

pytestmark = pytest.mark.conversation


def health(assistant) -> dict:
    status, body = assistant.get("/health")
    assert status == 200  # the Rasa server answers: alive, even when degraded
    return json.loads(body)


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"{what} not within {timeout:.0f} s")


@contextlib.contextmanager
def kept_down(parent: int, needle: str) -> Iterator[None]:
    """Kill the child of ``parent`` matching ``needle``, and every restart of it, until the block ends.

    The supervisor restarts a crashed action server within a second or two,
    and Rasa retries a refused action call for as long (a blip is covered on
    purpose); to see the apology, the crash must outlast those retries.
    """
    stop = threading.Event()

    def keep_killing() -> None:
        while not stop.is_set():
            found = child_with(parent, needle)
            if found is not None:
                kill(found)
            stop.wait(0.05)

    killer = threading.Thread(target=keep_killing, daemon=True)
    killer.start()
    try:
        yield
    finally:
        stop.set()
        killer.join(timeout=5)


def test_health_lists_every_part_up(miel):
    found = health(miel)
    assert found["status"] == "ok" and found["down"] == [], found
    assert found["parts"]["action_server"] == "up"
    assert found["parts"]["conversation_store"] == "up"
    assert found["parts"]["member_store"] == "up"
    expected_locks = "up" if "ASSISTANT_LOCK_STORE_URL" in miel.env else "not_used"
    assert found["parts"]["lock_store"] == expected_locks


def test_a_killed_action_server_gets_an_apology_then_the_conversation_resumes(miel):
    member = new_person()
    import_members(miel, member)
    sender = start(miel)
    reply = identify(miel, sender, all_in_one(member), member)  # the recap, then « oui »
    assert "retrouvé votre dossier" in reply, reply
    actions = child_with(miel.process.pid, "rasa_sdk", timeout=5)
    assert actions is not None, "the action server of bot serve was not found"
    with kept_down(miel.process.pid, "rasa_sdk"):
        wait_for(lambda: child_with(miel.process.pid, "rasa_sdk") is None, 5, "the action server killed")
        down = health(miel)
        assert down["status"] == "degraded" and "action_server" in down["down"], down
        # "oui": the code by SMS, an action of the action server, which is down
        reply = say(miel, sender, "oui")
    assert reply == SERVICE_APOLOGY, reply
    assert "Traceback" not in reply
    wait_for(lambda: health(miel)["parts"]["action_server"] == "up", 90, "the action server back")
    assert "the action server stopped" in miel.log()
    assert health(miel)["status"] == "ok"
    # the same answer again: the activation goes on where it was
    reply = say(miel, sender, "oui")
    assert "par SMS" in reply, reply
    users = [event.get("text") for name, event in miel.stored_events(sender) if name == "user"]
    # « oui » to the recap, then « oui » once for the mobile: the apologised turn was not recorded
    assert users.count("oui") == 2, users
    assert users[-1] == "oui"
