"""Rasa event classes looked up by name from a table instead of a class-tree walk.

Rasa 3.6 turns every stored or received event dict into an event object with
``Event.resolve_by_type(name)``, which walks the whole tree of ``Event``
subclasses (``all_subclasses`` plus ``inspect.isabstract`` on each) for every
single event. Reading a 30-event conversation from the tracker store did
that 30 times per turn: about 40 % of a read (bench/README.md).

:func:`install_event_type_table` keeps the first class Rasa's walk would
find for each name in a table, rebuilt when a name is missing (a class
imported later). Names the walk does not know go to Rasa's own
``resolve_by_type``, so ``topic``, ``default`` and the error for an unknown
name behave exactly as before.

Patch ``event_types`` (:mod:`bot.adapters.patches`): replaces
``Event.resolve_by_type``, the static method Rasa calls for every event
dict it reads; reads ``rasa.shared.utils.common.all_subclasses`` and each
event class's ``type_name`` (docs/upgrading-rasa.md).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Type

from bot.adapters.patches import rasa_version_supported

RASA_VERSION = "3.6.x"


def make_resolver(base: Type[Any], all_subclasses: Callable[[Any], list], fallback: Callable[..., Any]):
    """``resolve_by_type(type_name, default=None)`` for ``base``'s subclasses, memoised."""
    table: Dict[str, Type[Any]] = {}

    def resolve_by_type(type_name: str, default: Type[Any] | None = None) -> Type[Any] | None:
        found = table.get(type_name)
        if found is None:
            table.clear()
            for cls in all_subclasses(base):
                table.setdefault(cls.type_name, cls)
            found = table.get(type_name)
        return found if found is not None else fallback(type_name, default)

    return resolve_by_type


def install_event_type_table() -> None:
    """Make ``rasa.shared.core.events.Event.resolve_by_type`` use a name table."""
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    original = Event.__dict__["resolve_by_type"]
    if getattr(original.__func__, "_bot_event_table", False):
        return
    resolver = make_resolver(Event, all_subclasses, original.__func__)
    resolver._bot_event_table = True
    Event.resolve_by_type = staticmethod(resolver)


def is_installed() -> bool:
    from rasa.shared.core.events import Event

    return getattr(Event.__dict__["resolve_by_type"].__func__, "_bot_event_table", False)


def install(rasa_version: str | None = None) -> bool:
    """The patch: :func:`install_event_type_table`, on the Rasa versions it was written for."""
    if not rasa_version_supported(__name__, RASA_VERSION, rasa_version):
        return False
    install_event_type_table()
    return True


__all__ = ["RASA_VERSION", "install", "install_event_type_table", "is_installed", "make_resolver"]
