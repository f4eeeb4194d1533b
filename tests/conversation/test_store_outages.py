"""The member store or the conversation store goes away, then comes back (issue 18).

One assistant keeps its members and its conversations in PostgreSQL, each
reached through a TCP proxy the test cuts (``helpers.tcp_proxy``): the
database disappears for this server exactly as a network outage or a
restarting PostgreSQL would look. The member gets the short French apology,
``/health`` names the part that is down, nothing of the failed turn is
stored, and once the database is back the conversation goes on from where
it was.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Iterator, Tuple

import pytest
import sqlalchemy as sa
from db_schemas import POSTGRES_ENV, with_pg_options
from helpers.tcp_proxy import TcpProxy
from test_activation_flow import all_in_one, identify, import_members, new_person, say, start

from bot.service_status import SERVICE_APOLOGY
from tests.conftest import Assistant, _create_schemas, _drop_schemas, start_assistant, stop_assistant

pytestmark = [pytest.mark.conversation, pytest.mark.pg_only]


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[Assistant, TcpProxy, TcpProxy]]:
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    url = sa.engine.make_url(base)
    members, conversations = TcpProxy(url.port or 5432), TcpProxy(url.port or 5432)
    tag = f"outage18_{secrets.token_hex(4)}"
    schemas = [f"{tag}_members", f"{tag}_tracker"]
    _create_schemas(base, schemas)

    def through(proxy: TcpProxy, schema: str) -> str:
        proxied_url = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        return with_pg_options(proxied_url, f"-csearch_path={schema}")

    env = {
        "ASSISTANT_DATABASE_URL": through(members, schemas[0]),
        "ASSISTANT_TRACKER_DATABASE_URL": through(conversations, schemas[1]),
    }
    root: Path = tmp_path_factory.mktemp("outages")
    assistant = None
    try:
        assistant = start_assistant(root, "miel", env)
        yield assistant, members, conversations
    finally:
        if assistant is not None:
            stop_assistant(assistant)
        members.close()
        conversations.close()
        _drop_schemas(base, schemas)


def health(assistant: Assistant) -> dict:
    status, body = assistant.get("/health")
    assert status == 200
    return json.loads(body)


def user_texts(assistant: Assistant, sender: str) -> list:
    return [event.get("text") for name, event in assistant.stored_events(sender) if name == "user"]


def test_conversation_store_outage_gets_an_apology_and_the_conversation_resumes(proxied):
    assistant, _, conversations = proxied
    sender = assistant.new_sender()
    assert "Bonjour" in assistant.say_text(sender, "bonjour")
    conversations.cut()
    try:
        assert assistant.say_text(sender, "quels sont vos horaires ?") == SERVICE_APOLOGY
        found = health(assistant)
        assert found["status"] == "degraded" and found["down"] == ["conversation_store"], found
    finally:
        conversations.restore()
    reply = assistant.say_text(sender, "quels sont vos horaires ?")
    assert reply and reply != SERVICE_APOLOGY, reply
    assert health(assistant)["status"] == "ok"
    # the turn that got the apology was not stored, the one after it was, once
    assert user_texts(assistant, sender) == ["bonjour", "quels sont vos horaires ?"]
    started = [name for name, _ in assistant.stored_events(sender) if name == "session_started"]
    assert len(started) == 1  # not started over after the failed read


def test_member_store_outage_mid_activation_gets_an_apology_and_the_activation_resumes(proxied):
    assistant, members, _ = proxied
    member = new_person()
    import_members(assistant, member)
    sender = start(assistant)
    reply = identify(assistant, sender, all_in_one(member), member)  # the recap, then « oui »
    assert "retrouvé votre dossier" in reply, reply
    members.cut()
    try:
        assert say(assistant, sender, "oui") == SERVICE_APOLOGY  # the code by SMS needs the member store
        found = health(assistant)
        assert found["status"] == "degraded" and found["down"] == ["member_store"], found
    finally:
        members.restore()
    assert "par SMS" in say(assistant, sender, "oui")
    assert [m for m in assistant.outbox_for(member.mobile_e164) if m["kind"] == "activation_code"]
    # « oui » to the recap, then « oui » once for the mobile: the apologised turn was not recorded
    assert user_texts(assistant, sender).count("oui") == 2
