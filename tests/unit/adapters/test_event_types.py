"""Event classes found by name from a table resolve exactly as Rasa's walk does."""

from __future__ import annotations

import pytest
from rasa.shared.core import events as rasa_events
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

from bot.adapters.patches.event_types import install_event_type_table, make_resolver

ORIGINAL = Event.__dict__["resolve_by_type"].__func__
NAMES = sorted({cls.type_name for cls in all_subclasses(Event)})


@pytest.fixture(scope="module")
def resolver():
    return make_resolver(Event, all_subclasses, ORIGINAL)


@pytest.mark.parametrize("name", NAMES)
def test_every_known_name_resolves_to_rasa_s_class(resolver, name):
    assert resolver(name) is ORIGINAL(name)


@pytest.mark.parametrize(
    ("name", "default", "expected"),
    [
        ("topic", None, None),  # Rasa's backwards compatibility
        ("no_such_event", rasa_events.BotUttered, rasa_events.BotUttered),
    ],
)
def test_names_rasa_does_not_know_behave_as_before(resolver, name, default, expected):
    assert resolver(name, default) is expected
    assert ORIGINAL(name, default) is expected


def test_an_unknown_name_without_default_is_refused(resolver):
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        resolver("no_such_event")


def test_a_class_imported_later_is_found(resolver):
    resolver("slot")  # table built

    class LateEvent(Event):
        type_name = "bot_test_late_event"

        def __eq__(self, other):
            return isinstance(other, LateEvent)

        def __hash__(self):
            return 0

        def as_story_string(self):
            return None

    assert resolver("bot_test_late_event") is LateEvent


def test_installed_table_reads_event_dicts(monkeypatch):
    monkeypatch.setattr(Event, "resolve_by_type", Event.__dict__["resolve_by_type"])
    install_event_type_table()
    install_event_type_table()  # twice: still one table
    assert getattr(Event.__dict__["resolve_by_type"].__func__, "_bot_event_table", False)
    event = Event.from_parameters({"event": "slot", "name": "tenant_name", "value": "Miel"})
    assert isinstance(event, rasa_events.SlotSet) and event.value == "Miel"
    assert Event.from_parameters({"event": "topic"}) is None
