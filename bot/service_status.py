"""What members read and what ``/health`` says while a part of the service is down.

Framework-free: the Rasa-side adapters (:mod:`bot.adapters.resilience`,
:mod:`bot.adapters.health`) and the process supervisor (:mod:`bot.serve`)
use these texts, delays and the health verdict.
"""

from __future__ import annotations

from typing import Dict, Iterator, Mapping

# Sent instead of the turn's answer when the action server, the member store, the
# conversation store or the lock store cannot be reached: the turn is not recorded,
# so the member's next message takes the conversation up where it was.
SERVICE_APOLOGY = (
    "Veuillez nous excuser : un service est momentanément indisponible et votre message n'a pas pu être "
    "traité. Renvoyez-le dans quelques instants, votre démarche reprendra là où elle en était."
)

UP = "up"
DOWN = "down"
NOT_USED = "not_used"


def backoff_delays(first: float, factor: float = 2.0, cap: float = 30.0) -> Iterator[float]:
    """``first``, ``first * factor``, ... capped at ``cap`` seconds, for ever."""
    delay = first
    while True:
        yield min(delay, cap)
        delay = min(delay * factor, cap)


def health_status(parts: Mapping[str, str]) -> Dict[str, object]:
    """``{"status": "ok" | "degraded", "down": [...]}`` from each part's ``up``/``down``/``not_used``."""
    down = sorted(name for name, state in parts.items() if state == DOWN)
    return {"status": "degraded" if down else "ok", "down": down}


__all__ = ["DOWN", "NOT_USED", "SERVICE_APOLOGY", "UP", "backoff_delays", "health_status"]
