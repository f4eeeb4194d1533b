"""Escalation to support (issue 7): thin Rasa SDK actions.

``action_offer_support`` (reached by « parler à un conseiller », a
complaint, the second fallback in a row, a blocked registration) gives the
phone and opening hours when the tenant has them and offers a written
message; ``support_form`` collects a description, a contact e-mail
(pre-filled when the conversation already has one) and a last « oui »;
``action_submit_support`` creates the ticket with the masked transcript.

Services: :func:`bot.support.tickets.create_ticket` (blocking: run in an
executor); which response of domain.yml is said, with which values:
:mod:`bot.support.replies`.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import client_key, go_to, run_blocking, say
from bot import dialogue_step as steps
from bot.activation.otp import normalize_destination
from bot.clock import now
from bot.context import get_context
from bot.dialogue import yes_no_answer
from bot.registration.inputs import read_email
from bot.sealed import is_sealed, seal, unseal
from bot.security import mask_email
from bot.support import replies
from bot.support import tickets as service
from bot.support.reason import REASONS, handoff_reason
from bot.support.transcript import transcript_lines

SUPPORT_SLOTS = ("support_description", "support_email", "support_confirm", "email_unusual")
# slots that may hold the member's e-mail address, most relevant first
# (registration_email: SMIE-style registration; email: activation flow)
KNOWN_EMAIL_SLOTS = ("registration_email", "email")
YES, NO = "yes", "no"


def _intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def known_email(tracker: Tracker) -> str | None:
    """An e-mail address the member already gave in this conversation, if any.

    Sealed values are opened; a plain value is used only when it is a whole
    address (the tracker store masks addresses in stored slots).
    """
    key = get_context().settings.secret_key
    for name in KNOWN_EMAIL_SLOTS:
        value = tracker.get_slot(name)
        if not value or not isinstance(value, str):
            continue
        address = unseal(key, value) if is_sealed(value) else value
        if address and "*" not in address and normalize_destination("email", address):
            return address
    return None


def offer_support(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str) -> List[EventType]:
    """Utter the hand-off for ``reason``; the events to return with it."""
    reason = reason if reason in REASONS else "other"
    tenant = get_context().tenant
    say(dispatcher, replies.offer(tenant, reason, now()))
    return [SlotSet("support_reason", reason), go_to(steps.SUPPORT_OFFER)]


def read_email_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, text: str, known: str | None = None
) -> tuple[str | None, Dict[str, Any]]:
    """Read an e-mail answer; returns (sealed address or None, extra slot values).

    « oui » confirms the address waiting in ``email_unusual`` (a domain that
    looked mistyped) or ``known`` (an address already given).
    """
    key = get_context().settings.secret_key
    pending = unseal(key, tracker.get_slot("email_unusual"))
    chosen = pending or known
    if _intent(tracker) == "affirm" and chosen:
        return seal(key, chosen), {"email_unusual": None}
    reading = read_email(text, confirmed=pending)
    if reading.address:
        return seal(key, reading.address), {"email_unusual": None}
    if reading.refusal is not None:
        say(dispatcher, reading.refusal)  # a mistyped domain: with buttons « Oui, <as typed> » / <suggestion>
    if reading.suggestion and reading.typed:
        return None, {"email_unusual": seal(key, reading.typed)}
    return None, {}


def _clear_support() -> List[EventType]:
    return [SlotSet(name, None) for name in SUPPORT_SLOTS]


class ActionOfferSupport(Action):
    def name(self) -> str:
        return "action_offer_support"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return offer_support(dispatcher, tracker, handoff_reason(tracker.events, _intent(tracker)))


class ActionSupportDeclined(Action):
    def name(self) -> str:
        return "action_support_declined"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say(dispatcher, replies.declined())
        return [go_to(steps.NOWHERE)]


class ActionStartSupport(Action):
    """The offer was accepted: clear what a previous message left; the form follows."""

    def name(self) -> str:
        return "action_start_support"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return [go_to(steps.NOWHERE), *_clear_support()]


class ActionAskSupportEmail(Action):
    def name(self) -> str:
        return "action_ask_support_email"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        known = known_email(tracker)
        if known:
            say(dispatcher, replies.ask_email(mask_email(known)))
        else:
            say(dispatcher, replies.ask_email(None))
        return []


class ActionAskSupportConfirm(Action):
    def name(self) -> str:
        return "action_ask_support_confirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        ctx = get_context()
        email = unseal(ctx.settings.secret_key, tracker.get_slot("support_email")) or ""
        description = tracker.get_slot("support_description") or ""
        say(dispatcher, replies.ask_confirmation(ctx.tenant, description, mask_email(email)))
        return []


class ValidateSupportForm(FormValidationAction):
    def name(self) -> str:
        return "validate_support_form"

    def validate_support_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if value is None:  # a reset by the start action, not an answer
            return {"support_description": None}
        text = " ".join(str(value or "").split())
        if text.startswith("/") or sum(char.isalpha() for char in text) < 3:
            say(dispatcher, replies.invalid_description())
            return {"support_description": None}
        return {"support_description": text[: service.MAX_DESCRIPTION]}

    def validate_support_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if value is None:  # a reset by the start action, not an answer
            return {"support_email": None}
        if is_sealed(value):
            return {"support_email": value}
        if _intent(tracker) == "deny":
            say(dispatcher, replies.other_email())
            return {"support_email": None}
        address, extra = read_email_answer(dispatcher, tracker, str(value or ""), known=known_email(tracker))
        return {"support_email": address, **extra}

    def validate_support_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if value is None:  # a reset by the start action, not an answer
            return {"support_confirm": None}
        if value in (YES, NO):
            return {"support_confirm": value}
        answer = yes_no_answer(_intent(tracker))  # buttons and NLU only: free text is not read here
        if answer is not None:
            return {"support_confirm": YES if answer else NO}
        say(dispatcher, replies.yes_or_no())
        return {"support_confirm": None}


class ActionSubmitSupport(Action):
    """Create the ticket (masked transcript, member reference when verified)."""

    def name(self) -> str:
        return "action_submit_support"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        ctx = get_context()
        events = [*_clear_support(), SlotSet("support_reason", None)]
        email = unseal(ctx.settings.secret_key, tracker.get_slot("support_email"))
        description = tracker.get_slot("support_description")
        if tracker.get_slot("support_confirm") != YES or not email or not description:
            say(dispatcher, replies.cancelled())
            return events
        result = await run_blocking(
            service.create_ticket,
            ctx,
            tracker.get_slot("support_reason") or "other",
            description,
            email,
            member_ref=tracker.get_slot("member_ref"),
            transcript_lines=transcript_lines(tracker.events),
            conversation=tracker.sender_id,
            client=client_key(tracker),
        )
        say(dispatcher, replies.ticket_outcome(ctx.tenant, result))
        return events


class ActionSupportStop(Action):
    def name(self) -> str:
        return "action_support_stop"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_stopped")
        return _clear_support()
