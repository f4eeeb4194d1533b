"""The chat replies as the member reads them, rendered from ``domain.yml`` by Rasa's
own interpolator: a :class:`bot.reply.Reply`, or a message an action put in a
Rasa SDK dispatcher (``response`` and its values).

A variable left without a value fails the test (the member would read
« {ticket_reference} »), except the tenant facts that the session slots fill.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping

import yaml
from rasa.core.nlg.interpolator import interpolate_text

from bot.reply import Reply
from bot.tenants import Tenant
from bot.tenants.facts import tenant_slot_values

DOMAIN_FILE = Path(__file__).resolve().parents[2] / "domain.yml"
# keys of a dispatcher message that are not values of the response's variables
_MESSAGE_KEYS = {"text", "buttons", "elements", "custom", "template", "response", "image", "attachment"}


@lru_cache(maxsize=1)
def responses() -> Dict[str, List[Dict[str, Any]]]:
    return yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))["responses"]


def render(name: str, values: Mapping[str, Any], tenant: Tenant | None = None) -> Dict[str, Any]:
    """The first variation of response ``name`` with ``values`` (and the tenant's slots) filled in:
    ``{"text": ..., "buttons": [...]}``."""
    variation = responses()[name][0]
    filled = {**(tenant_slot_values(tenant) if tenant else {}), **values}
    text = interpolate_text(variation["text"], filled)
    left = re.findall(r"{([^\n{}]+?)}", text)
    assert not left, f"{name}: no value for {left}"
    buttons = [
        {"title": interpolate_text(button["title"], filled), "payload": interpolate_text(button["payload"], filled)}
        for button in variation.get("buttons", [])
    ]
    return {"text": text, "buttons": buttons}


def reply_text(reply: Reply, tenant: Tenant | None = None) -> str:
    """What the member reads for ``reply``."""
    return str(render(reply.response, reply.values, tenant)["text"])


def rendered_message(message: Mapping[str, Any], tenant: Tenant | None = None) -> Dict[str, Any]:
    """A message of a Rasa SDK dispatcher as the member reads it (a plain text stays as it is)."""
    if not message.get("response"):
        return {"text": message.get("text"), "buttons": message.get("buttons") or []}
    values = {key: value for key, value in message.items() if key not in _MESSAGE_KEYS}
    return render(str(message["response"]), values, tenant)
