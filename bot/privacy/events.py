"""Redaction of conversation events before they are persisted or published.

Plain functions over Rasa's event dictionaries (no Rasa import) so they can
be tested on literal events.  Every field of every event is walked with the
redaction engine (:mod:`bot.privacy.redact`): user text and parse data
(text, entity values; intent names and rankings are kept), ``entities``
events, slot values of any type (strings, lists, dicts), bot text, buttons,
data and metadata.  Only structural keys (:data:`KEEP_KEYS`: event type,
timestamps, intent and action names...) are copied as they are.

A user message answering a question for a secret (NIR, one-time code,
access code, activation code) is replaced whole; after a question that
mentions the password (the bot's last message says "mot de passe", or the
requested slot is a password slot), any token that satisfies the password
policy is masked.  :func:`redact_events` follows the conversation to know
both for each message.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Callable, Dict, Iterable, Iterator, Tuple

from bot.privacy.detectors import looks_like_password
from bot.privacy.redact import RedactionContext, redact_text, redact_value, tenant_public_facts

# slots whose value is a secret as typed (validators never keep them in clear,
# this is the second line of defence)
SECRET_SLOTS = frozenset({"otp_code", "access_code", "activation_code", "smie_code", "password"})
# slots holding a NIR in its masked form ("1 80 10 42 *** *** **", read back by
# bot.identity.NirFacts.from_masked): kept when masked, redacted whole otherwise
MASKED_NIR_SLOTS = frozenset({"nir"})
_MASKED_NIR = re.compile(r"[0-9AB ]{8,14}[* ]+")
# slots asked for secrets: the user's answer to them is redacted entirely
SECRET_QUESTIONS = frozenset({"nir", "otp_code", "access_code", "activation_code", "smie_code"})
# slots asked for a password (none today: the password is set on the web page)
PASSWORD_QUESTIONS = frozenset({"password", "new_password"})
REDACTED = "[masqué]"
# opaque, signed references (bot.context.Context.member_ref) and keyed
# hashes (nir_hash: keyed_hash of the NIR, kept by the activation form): no
# personal data in clear, and masking their digits would break them for the
# next turn
OPAQUE_SLOTS = frozenset({"member_ref", "nir_hash"})
# tenant facts from the profile (support e-mail, sender...) are public: masking
# them would show "d***l@..." in the next turn's responses
PUBLIC_SLOT_PREFIX = "tenant_"
# structure, never personal data: copied as they are
KEEP_KEYS = frozenset(
    {
        "event",
        "timestamp",
        "name",
        "policy",
        "confidence",
        "intent",
        "intent_ranking",
        "message_id",
        "input_channel",
        "entity",
        "extractor",
        "start",
        "end",
        "role",
        "group",
        "processors",
        "utter_action",
        "template_name",
        "intent_response_key",
        "model_id",
        "assistant_id",
        "sender_id",
        "action_name",
        "prev_action",
        "is_end_to_end",
        "hide_rule_turn",
        "followup_action",
        "rule_only_data",
        # metadata["client"]: keyed hash of the client (bot.channels.identity), read by the limits
        "client",
    }
)
PASSWORD_WORDS = ("mot de passe", "mots de passe", "mdp")

_CONTEXTS: Dict[bool, RedactionContext] = {}


def _policy_check() -> Callable[[str], bool] | None:
    """The current tenant's password policy as a predicate (None when unavailable)."""
    try:
        from bot.passwords import policy_errors
        from bot.tenants import current_tenant

        policy = current_tenant().password_policy
    except Exception:  # noqa: BLE001 - redaction must work without settings or a tenant
        return None

    def satisfies(token: str) -> bool:
        return len(token) >= 6 and not policy_errors(token, policy)

    return satisfies


def context(password_pending: bool) -> RedactionContext:
    if password_pending not in _CONTEXTS:
        check = _policy_check() if password_pending else None
        _CONTEXTS[password_pending] = RedactionContext(
            password_pending=password_pending, password_ok=check, public=tenant_public_facts()
        )
    return _CONTEXTS[password_pending]


def _user_text(text: Any, whole: bool, ctx: RedactionContext) -> Any:
    if not isinstance(text, str):
        return redact_value(text, ctx, KEEP_KEYS)
    if whole and text.strip() and not text.startswith("/"):
        return REDACTED
    return redact_text(text, ctx)


def _entities(entities: Any, whole: bool, ctx: RedactionContext) -> Any:
    if not isinstance(entities, list):
        return redact_value(entities, ctx, KEEP_KEYS)
    out = []
    for entity in entities:
        if whole and isinstance(entity, dict) and entity.get("value") is not None:
            entity = {**entity, "value": REDACTED}
        out.append(redact_value(entity, ctx, KEEP_KEYS))
    return out


def redact_event(event: Dict[str, Any], requested_slot: str | None, password_pending: bool = False) -> Dict[str, Any]:
    """A redacted copy of one event dict; ``requested_slot`` is the question it answers."""
    kind = event.get("event")
    pending = password_pending or requested_slot in PASSWORD_QUESTIONS
    ctx = context(pending)
    if kind == "user":
        whole = requested_slot in SECRET_QUESTIONS
        out: Dict[str, Any] = {}
        for key, value in event.items():
            if key in KEEP_KEYS:
                out[key] = copy.deepcopy(value)
            elif key == "text":
                out[key] = _user_text(value, whole, ctx)
            elif key == "parse_data" and isinstance(value, dict):
                parse = {}
                for pkey, pvalue in value.items():
                    if pkey in KEEP_KEYS:
                        parse[pkey] = copy.deepcopy(pvalue)
                    elif pkey == "text":
                        parse[pkey] = _user_text(pvalue, whole, ctx)
                    elif pkey == "entities":
                        parse[pkey] = _entities(pvalue, whole, ctx)
                    else:
                        parse[pkey] = redact_value(pvalue, ctx, KEEP_KEYS)
                out[key] = parse
            else:
                out[key] = redact_value(value, ctx, KEEP_KEYS)
        return out
    if kind == "slot":
        out = {k: copy.deepcopy(v) for k, v in event.items()}
        name, value = event.get("name"), event.get("value")
        if name in SECRET_SLOTS and value is not None:
            out["value"] = REDACTED
        elif name in MASKED_NIR_SLOTS and value is not None:
            masked = isinstance(value, str) and _MASKED_NIR.fullmatch(value) and value.count("*") >= 6
            out["value"] = value if masked else REDACTED
        elif name in OPAQUE_SLOTS or str(name).startswith(PUBLIC_SLOT_PREFIX) or name == "requested_slot":
            pass
        else:
            out["value"] = redact_value(value, ctx, KEEP_KEYS)
        return out
    if kind == "entities":
        whole = requested_slot in SECRET_QUESTIONS
        out = {k: (copy.deepcopy(v) if k in KEEP_KEYS else redact_value(v, ctx, KEEP_KEYS)) for k, v in event.items()}
        out["entities"] = _entities(event.get("entities"), whole, ctx)
        return out
    # bot messages and everything else: every string outside the structure
    return {k: (copy.deepcopy(v) if k in KEEP_KEYS else redact_value(v, ctx, KEEP_KEYS)) for k, v in event.items()}


def mentions_password(text: Any) -> bool:
    return isinstance(text, str) and any(word in text.lower() for word in PASSWORD_WORDS)


class ConversationState:
    """What the redaction must know of the conversation so far: the requested
    slot and whether the last bot message asked about a password."""

    def __init__(self) -> None:
        self.requested: str | None = None
        self.password_pending = False

    def redact(self, event: Dict[str, Any]) -> Dict[str, Any]:
        return redact_event(event, self.requested, self.password_pending)

    def follow(self, event: Dict[str, Any]) -> None:
        kind = event.get("event")
        if kind == "slot" and event.get("name") == "requested_slot":
            self.requested = event.get("value")
        elif kind == "active_loop" and event.get("name") is None:
            self.requested = None
        elif kind == "bot":
            # until the next bot message: the answer and the slots filled from it
            self.password_pending = mentions_password(event.get("text"))


def redact_events(all_events: Iterable[Dict[str, Any]], start: int) -> Iterator[Tuple[int, Dict[str, Any]]]:
    """Yield ``(index, redacted_event)`` for events from ``start`` on.

    Walks every event to know which slot was requested, and whether a
    password question was pending, when each user message arrived.
    """
    state = ConversationState()
    for index, event in enumerate(all_events):
        if index >= start:
            yield index, state.redact(event)
        state.follow(event)


__all__ = [
    "KEEP_KEYS",
    "REDACTED",
    "SECRET_QUESTIONS",
    "ConversationState",
    "looks_like_password",
    "redact_event",
    "redact_events",
]
