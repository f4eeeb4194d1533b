"""Helpers shared by the action modules (no action here): blocking services
run in an executor, and the counters kept in slots."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any, Callable

from rasa_sdk import Tracker


async def run_blocking(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a blocking service (SQL, SMTP) without stalling the action server."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, partial(function, *args, **kwargs))


def slot_count(tracker: Tracker, slot: str) -> int:
    """The number a counter slot holds (Rasa keeps it as a float); 0 when unset or unreadable."""
    try:
        return int(tracker.get_slot(slot) or 0)
    except (TypeError, ValueError):
        return 0
