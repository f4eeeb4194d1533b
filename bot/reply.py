"""A chat reply as the domain code decides it: which response, with which values.

What the member reads in the chat lives in ``domain.yml`` (``responses:``),
one place for every flow (activation, registration, support, answers); the
modules of ``bot/`` only choose the response and compute the values of its
variables (a masked address, a reference, a deadline), and the actions say
it with ``dispatcher.utter_message(response=reply.response, **reply.values)``
(see CONTRIBUTING.md, « Where reply texts live »).  E-mails and SMS bodies
are not chat replies: they stay in ``bot/*/emails.py`` and notices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict


@dataclass(frozen=True)
class Reply:
    """The name of a response of ``domain.yml`` and the values of its variables."""

    response: str
    values: Dict[str, str] = field(default_factory=dict)
