"""Property-based tests (hypothesis) of what the redacting tracker store writes,
on SQLite and PostgreSQL: a conversation where the member types a NIR of any
department kind in any grouping, a one-time or activation code with
separators and a password, in random French sentences, leaves none of them
in the ``events`` table (the NIR's characters in sequence, separators
removed; the code's digits; the password) — in user text, parse data,
entities, slot values of any type or bot messages."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
import sqlalchemy as sa
from helpers.secrets_strategies import (
    CODE_SEPARATORS,
    SEPARATORS,
    codes,
    compact,
    grouped,
    nirs,
    passwords,
    sentence_around,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.settings import reset_settings_cache

STORE_PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture
def store(db_url, tmp_path, monkeypatch):
    """The redacting tracker store on a fresh database (SQLite, then PostgreSQL)."""
    from rasa.shared.core.domain import Domain

    from bot.adapters.extensions.tracker_store import RedactingTrackerStore

    monkeypatch.setenv("ASSISTANT_TRACKER_DATABASE_URL", db_url)
    monkeypatch.setenv("ASSISTANT_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("ASSISTANT_SECRET_KEY", "x" * 32)
    reset_settings_cache()
    domain = Domain.from_dict(
        {
            "slots": {
                name: {"type": "any", "mappings": [{"type": "custom"}]} for name in ("notes", "support_description")
            }
        }
    )
    store = RedactingTrackerStore(domain=domain)
    store.test_domain = domain
    yield store
    store.engine.dispose()
    reset_settings_cache()


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _stored_strings(store, sender):
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text("select data from events where sender_id = :s order by id"), {"s": sender}).all()
    return [text for row in rows for text in _strings(json.loads(row[0]))]


@st.composite
def conversations(draw):
    nir = draw(nirs())
    code = draw(codes())
    password = draw(passwords())
    return {
        "nir": nir,
        "code": code,
        "password": password,
        "nir_text": draw(sentence_around(draw(grouped(nir, SEPARATORS)))),
        "code_text": draw(sentence_around("mon code est " + draw(grouped(code, CODE_SEPARATORS)))),
        "password_text": draw(st.sampled_from(["{}", "voilà {}", "mon mot de passe est {}", "mdp : {} merci"])).format(
            password
        ),
    }


@STORE_PROPERTY
@given(conversations())
def test_stored_conversation_holds_no_nir_code_or_password(store, case):
    from rasa.shared.core.events import ActionExecuted, BotUttered, EntitiesAdded, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    nir_text, code_text, password_text = case["nir_text"], case["code_text"], case["password_text"]
    sender = f"prop-{uuid.uuid4().hex[:12]}"
    events = [
        ActionExecuted("action_listen"),
        UserUttered(
            nir_text,
            {"name": "inform", "confidence": 1.0},
            [{"entity": "nir", "value": nir_text, "start": 0, "end": len(nir_text)}],
            metadata={"typed": code_text},
        ),
        EntitiesAdded([{"entity": "nir", "value": nir_text}]),
        SlotSet("notes", [nir_text, {"code": code_text}]),
        BotUttered(
            "Décrivez votre demande. N'indiquez ni mot de passe, ni code reçu.",
            {"buttons": [{"title": nir_text, "payload": "/x"}]},
        ),
        ActionExecuted("action_listen"),
        UserUttered(password_text, {"name": "inform", "confidence": 1.0}),
        SlotSet("support_description", password_text),
        ActionExecuted("action_listen"),
        UserUttered(code_text, {"name": "inform", "confidence": 1.0}),
        BotUttered(f"Vous avez écrit : {code_text}", metadata={"echo": nir_text}),
    ]
    tracker = DialogueStateTracker.from_events(sender, events, store.test_domain.slots)
    asyncio.run(store.save(tracker))
    stored = _stored_strings(store, sender)
    assert stored, "nothing stored"
    squeezed = [compact(text) for text in stored]
    assert not any(compact(case["nir"][:13]) in text for text in squeezed), stored
    assert not any(case["code"] in text for text in squeezed), stored
    assert not any(case["password"] in text for text in stored), stored
