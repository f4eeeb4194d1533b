"""A chat reply as the domain code decides it: which response, with which values.

What the member reads in the chat lives in ``domain.yml`` (``responses:``),
one place for every flow (activation, registration, support, answers); the
modules of ``bot/`` only choose the response and compute the values of its
variables (a masked address, a reference, a deadline), and the actions say
it with ``dispatcher.utter_message(response=reply.response, **reply.values)``
(see CONTRIBUTING.md, « Where reply texts live »).  E-mails and SMS bodies
are not chat replies: they stay in ``bot/*/emails.py`` and notices.

The same words are sometimes needed outside the chat (a refused row in the
import report of the member file, a line of a staff command): :func:`render_text`
renders a :class:`Reply` from ``domain.yml`` itself, without Rasa, so the
text still lives in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping

import yaml

DOMAIN_FILE = Path(__file__).resolve().parents[1] / "domain.yml"
_VARIABLE = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*)}")


@dataclass(frozen=True)
class Reply:
    """The name of a response of ``domain.yml`` and the values of its variables."""

    response: str
    values: Dict[str, str] = field(default_factory=dict)


class DomainReply:
    """Mixin of a refusal or problem that names its response: ``response`` and ``values``
    give :attr:`reply` (for the chat) and :attr:`message` (the same words outside it)."""

    response: str
    values: Dict[str, str]

    @property
    def reply(self) -> Reply:
        """The response of ``domain.yml`` and its values, as the chat says it."""
        return Reply(self.response, dict(self.values))

    @property
    def message(self) -> str:
        """The French sentence of :attr:`reply`, rendered from ``domain.yml`` without Rasa."""
        return render_text(self.reply)


class UnknownResponse(LookupError):
    """The response is not in ``domain.yml``, or a variable of it has no value."""


@lru_cache(maxsize=4)
def _responses(path: Path, mtime_ns: int) -> Dict[str, List[Dict[str, Any]]]:
    del mtime_ns  # part of the cache key only: an edited domain.yml is read again
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return dict(loaded.get("responses") or {})


def response_variations(name: str, domain_file: Path = DOMAIN_FILE) -> List[Dict[str, Any]]:
    """The variations of response ``name`` as written in ``domain.yml``."""
    found = _responses(domain_file, domain_file.stat().st_mtime_ns).get(name)
    if not found:
        raise UnknownResponse(f"no response {name!r} in {domain_file.name}")
    return list(found)


def render_text(reply: Reply, extra: Mapping[str, Any] | None = None, domain_file: Path = DOMAIN_FILE) -> str:
    """The text of ``reply`` outside the chat: its first variation without a condition
    or channel, with ``{variables}`` filled from ``reply.values`` (then ``extra``).

    A variable without a value raises :class:`UnknownResponse` rather than
    showing « {name} » to a reader.
    """
    variations = response_variations(reply.response, domain_file)
    plain = [v for v in variations if not v.get("condition") and not v.get("channel")]
    text = str((plain or variations)[0].get("text") or "")
    values = {**(extra or {}), **reply.values}

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise UnknownResponse(f"{reply.response}: no value for {{{name}}}")
        return str(values[name])

    return _VARIABLE.sub(fill, text)


__all__ = ["DOMAIN_FILE", "DomainReply", "Reply", "UnknownResponse", "render_text", "response_variations"]
