"""``pristine_rasa``: Rasa and our tracker store without any patch, restored as found after the test.

The patches of ``bot.adapters.patches`` change classes for the whole
process; a test that installs them uses this fixture so the next test sees
Rasa's own code again.
"""

from __future__ import annotations

import sys
from typing import Any, Dict, Iterator, List, Tuple

import pytest

_MISSING = object()


def _targets() -> List[Tuple[Any, str]]:
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.events import Event
    from rasa.utils.endpoints import EndpointConfig

    from bot.adapters.extensions.tracker_store import RedactingTrackerStore
    from bot.adapters.patches import tracker_sql

    return [
        (RemoteAction, "_validate_action_result"),
        (Event, "resolve_by_type"),
        (EndpointConfig, "session"),
        *((RedactingTrackerStore, name) for name in tracker_sql.REPLACED),
    ]


@pytest.fixture
def pristine_rasa() -> Iterator[None]:
    from bot.adapters.patches import PATCH_NAMES

    saved: Dict[Tuple[Any, str], Any] = {
        (owner, name): owner.__dict__.get(name, _MISSING) for owner, name in _targets()
    }
    jax = sys.modules.pop("jax", _MISSING)  # as before TensorFlow imported it
    for name in PATCH_NAMES:
        assert not __import__(f"bot.adapters.patches.{name}", fromlist=["is_installed"]).is_installed(), name
    try:
        yield
    finally:
        for (owner, name), value in saved.items():
            if value is _MISSING:
                if name in owner.__dict__:
                    delattr(owner, name)
            else:
                setattr(owner, name, value)
        sys.modules.pop("jax", None)
        if jax is not _MISSING:
            sys.modules["jax"] = jax
