"""SMIE-style registration in the conversation (issues 6 and 12): thin Rasa SDK actions.

Flow (tenant flow ``access_code_email``): ``action_start_registration``
(introduction) -> ``registration_form`` (adherent number, access code checked
against the store in the turn it is typed, e-mail) ->
``action_registration_checked`` (CGU question; or, when the typed address is
not the e-mail on file, « is the address on file still yours? » answered in
``action_registration_contact_answer``; or hand-off to support after 3
mismatches, or « déjà actif ») -> ``action_registration_accept_cgu``
(records the acceptance, sends the e-mail « Je valide mon inscription ») ->
optionally ``action_registration_code`` (the 13-digit code typed here).
The password is never asked: the member sets it on the page of the link.

An unknown number, a wrong code and a check refused by a limit (per number,
per client, global) get the same answer; the client key
(:func:`actions.common.client_key`) goes with every check.  Security
notices queued by a check are delivered off the reply's path.

Services: :mod:`bot.registration.service` (blocking: run in an executor);
which response of domain.yml is said, with which values:
:mod:`bot.registration.replies`.  Values needed in a later turn are
sealed (:mod:`bot.sealed`) because the tracker store masks digits and
e-mail addresses in stored slot values.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Sequence, Set

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import client_key, go_to, run_blocking, say, slot_count
from actions.support import offer_support, read_email_answer
from bot import dialogue_step as steps
from bot.activation import activation as completion
from bot.activation import notices
from bot.context import Context, get_context
from bot.dialogue import last_action_before_user, yes_no_answer
from bot.notify import delivery_problem_message
from bot.registration import replies, service
from bot.registration.inputs import find_activation_code, parse_access_code, parse_adherent_number
from bot.sealed import is_sealed, seal, unseal

log = logging.getLogger("actions.registration")

FORM_SLOTS = ("adherent_number", "access_code", "registration_email")
VERIFIED = "verified"  # what access_code holds once checked (never the code itself)
ON_FILE = "on_file"  # what registration_email holds once the member chose the address on file
MATCHED, LOCKED, ALREADY_ACTIVE = "matched", "locked", "already_active"
CGU_ASKED_BY = {"action_registration_checked", "action_registration_accept_cgu", "action_registration_contact_answer"}
CONTACT_ASKED_BY = {"action_registration_checked", "action_registration_contact_answer"}
CONTACT_HANDOFF_REASON = "contact_not_theirs"

# notice deliveries running in the executor (kept so they are not collected early)
BACKGROUND: Set[asyncio.Future[Any]] = set()


def _failures(tracker: Tracker) -> int:
    return slot_count(tracker, "registration_failures")


def _intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def _reset_form() -> List[EventType]:
    return [
        *(SlotSet(name, None) for name in (*FORM_SLOTS, "email_unusual", "registration_result")),
        go_to(steps.NOWHERE),
    ]


def _deliver_later(ctx: Context, outbox_ids: Sequence[int]) -> None:
    """Deliver security notices without making the member wait (a slow mail server
    would otherwise show that the adherent number exists).  A delivery that
    does not happen stays in the outbox for ``python -m bot outbox retry``."""

    def done(future: asyncio.Future[Any]) -> None:
        BACKGROUND.discard(future)
        if not future.cancelled() and future.exception() is not None:
            log.warning("security notice delivery failed: %s", type(future.exception()).__name__)

    future = asyncio.get_running_loop().run_in_executor(None, notices.deliver, ctx, list(outbox_ids))
    BACKGROUND.add(future)
    future.add_done_callback(done)


class ActionStartRegistration(Action):
    """Introduction; the rule then runs ``registration_form``."""

    def name(self) -> str:
        return "action_start_registration"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if _failures(tracker) < replies.MAX_FAILURES:
            say(dispatcher, replies.intro(get_context().tenant))
        return _reset_form()


class ValidateRegistrationForm(FormValidationAction):
    def name(self) -> str:
        return "validate_registration_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if _failures(tracker) >= replies.MAX_FAILURES:
            # already blocked in this conversation: straight to support
            return [
                SlotSet("registration_result", LOCKED),
                SlotSet("support_reason", "activation_locked"),
                SlotSet("requested_slot", None),
            ]
        return await super().run(dispatcher, tracker, domain)

    def validate_adherent_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if value is None:  # a reset by the start action, not an answer
            return {"adherent_number": None}
        if is_sealed(value):
            return {"adherent_number": value}
        number = parse_adherent_number(str(value or ""))
        if number is None:
            say(dispatcher, replies.invalid_adherent_number())
            return {"adherent_number": None}
        return {"adherent_number": seal(get_context().settings.secret_key, number)}

    async def validate_access_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if value is None:  # a reset by the start action, not an answer
            return {"access_code": None}
        if value == VERIFIED:
            return {"access_code": VERIFIED}
        ctx = get_context()
        number = unseal(ctx.settings.secret_key, tracker.get_slot("adherent_number"))
        if number is None:
            return {"adherent_number": None, "access_code": None}
        code = parse_access_code(str(value or ""))
        if code is None:
            say(dispatcher, replies.invalid_access_code())
            return {"access_code": None}
        result = await run_blocking(
            service.check_access,
            ctx,
            number,
            code,
            conversation=tracker.sender_id,
            client=client_key(tracker),
            deliver_notices=False,
        )
        if result.notice_ids:
            _deliver_later(ctx, result.notice_ids)
        if result.outcome == service.MATCHED:
            say(dispatcher, replies.access_recognised())
            return {"access_code": VERIFIED, "member_ref": result.member_ref, "registration_result": MATCHED}
        if result.outcome == service.ALREADY_ACTIVE:
            return {"access_code": None, "registration_result": ALREADY_ACTIVE, "requested_slot": None}
        if result.outcome == service.LOCKED:  # locked in the store, and the right code typed
            # said by the hand-off that follows (account_locked), once, without « after several attempts »
            return {
                "access_code": None,
                "member_ref": result.member_ref,
                "registration_result": LOCKED,
                "support_reason": "account_locked",
                "requested_slot": None,
            }
        failures = _failures(tracker) + 1
        if failures >= replies.MAX_FAILURES:
            return {
                "access_code": None,
                "adherent_number": None,
                "registration_failures": float(failures),
                "registration_result": LOCKED,
                "support_reason": "activation_locked",
                "requested_slot": None,
            }
        # unknown number, wrong code or a check refused by a limit: one answer
        say(dispatcher, replies.mismatch(failures, ctx.tenant))
        return {"access_code": None, "adherent_number": None, "registration_failures": float(failures)}

    def validate_registration_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if value is None:  # a reset by the start action, not an answer
            return {"registration_email": None}
        if is_sealed(value):
            return {"registration_email": value}
        address, events = read_email_answer(dispatcher, tracker, str(value or ""))
        return {"registration_email": address, **events}


class ActionRegistrationChecked(Action):
    """After the form: CGU question, hand-off to support, or « déjà actif »."""

    def name(self) -> str:
        return "action_registration_checked"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        ctx = get_context()
        outcome = tracker.get_slot("registration_result")
        member_ref = tracker.get_slot("member_ref")
        if outcome == MATCHED and member_ref and tracker.get_slot("registration_email"):
            email = unseal(ctx.settings.secret_key, tracker.get_slot("registration_email"))
            contact = await run_blocking(service.check_contact, ctx, member_ref, email)
            if contact.outcome == service.CONTACT_MISMATCH:
                # nothing goes to the typed address: is the one on file still theirs?
                say(dispatcher, replies.contact_on_file_question(ctx.tenant, contact.email_masked or ""))
                return [SlotSet("registration_result", None), go_to(steps.REGISTRATION_CONTACT_ON_FILE)]
            if contact.outcome == service.INVALID_REF:
                say(dispatcher, replies.no_registration_in_progress())
                return _reset_form()
            say(dispatcher, replies.cgu_question(ctx.tenant))
            return [SlotSet("registration_result", None), go_to(steps.REGISTRATION_CGU)]
        if outcome == LOCKED:
            # account_locked: locked in the store (the right code); activation_locked: too many tries
            reason = tracker.get_slot("support_reason") or "activation_locked"
            return [SlotSet("registration_result", None), *offer_support(dispatcher, tracker, reason)]
        if outcome == ALREADY_ACTIVE:
            say(dispatcher, replies.already_active(ctx.tenant))
        else:
            say(dispatcher, replies.no_registration_in_progress())
        return _reset_form()


class ActionRegistrationContactAnswer(Action):
    """The answer to « is the address on file still yours? »: yes -> the CGU
    (the e-mail will go to the address on file); no -> nothing is sent, the
    member on file gets the ``attempt_stopped`` notice (at most once a
    window) and the conversation is handed to support (the mutuelle updates
    the address first); stop -> the end."""

    def name(self) -> str:
        return "action_registration_contact_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        ctx = get_context()
        intent = _intent(tracker)
        if intent == "stop":
            dispatcher.utter_message(response="utter_stopped")
            return _reset_form()
        member_ref = tracker.get_slot("member_ref")
        answer = yes_no_answer(intent)
        if answer is None or last_action_before_user(tracker.events) not in CONTACT_ASKED_BY:
            # not an answer to the question just asked: ask it again
            email = unseal(ctx.settings.secret_key, tracker.get_slot("registration_email"))
            contact = await run_blocking(service.check_contact, ctx, member_ref, email) if member_ref else None
            if contact is None or contact.outcome != service.CONTACT_MISMATCH:
                say(dispatcher, replies.no_registration_in_progress())
                return _reset_form()
            say(dispatcher, replies.contact_on_file_question(ctx.tenant, contact.email_masked or ""))
            return [go_to(steps.REGISTRATION_CONTACT_ON_FILE)]
        if answer:
            say(dispatcher, replies.contact_kept())
            say(dispatcher, replies.cgu_question(ctx.tenant))
            return [SlotSet("registration_email", ON_FILE), go_to(steps.REGISTRATION_CGU)]
        # the member on file is told, at most once a window (attempt_stopped notice)
        await run_blocking(completion.contact_not_theirs, ctx, member_ref, conversation=tracker.sender_id)
        say(dispatcher, replies.contact_not_theirs())
        return [*_reset_form(), *offer_support(dispatcher, tracker, CONTACT_HANDOFF_REASON)]


class ActionRegistrationExplain(Action):
    """« Où je trouve ça ? », « pourquoi ? » while a value is asked."""

    def name(self) -> str:
        return "action_registration_explain"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say(dispatcher, replies.where_to_find(get_context().tenant, tracker.get_slot("requested_slot")))
        return []


class ActionRegistrationStop(Action):
    def name(self) -> str:
        return "action_registration_stop"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_stopped")
        return _reset_form()


class ActionRegistrationAcceptCgu(Action):
    """« J'accepte » right after the CGU question: record it, send the e-mail."""

    def name(self) -> str:
        return "action_registration_accept_cgu"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        ctx = get_context()
        if last_action_before_user(tracker.events) not in CGU_ASKED_BY:
            # the « oui » did not answer the CGU question: ask it again, explicitly
            say(dispatcher, replies.cgu_question(ctx.tenant))
            return [go_to(steps.REGISTRATION_CGU)]
        member_ref = tracker.get_slot("member_ref")
        on_file = tracker.get_slot("registration_email") == ON_FILE
        email = None if on_file else unseal(ctx.settings.secret_key, tracker.get_slot("registration_email"))
        if not member_ref or not (email or on_file):
            say(dispatcher, replies.no_registration_in_progress())
            return [go_to(steps.NOWHERE)]
        conversation = tracker.sender_id
        recorded = await run_blocking(service.record_cgu_acceptance, ctx, member_ref, conversation=conversation)
        if recorded != service.RECORDED:
            result = service.ConfirmationResult(service.INVALID_REF)
        else:
            result = await run_blocking(service.send_confirmation, ctx, member_ref, email, conversation=conversation)
        problem = delivery_problem_message(result.delivery, ctx.tenant) if result.delivery else None
        say(dispatcher, replies.confirmation(ctx.tenant, result, ctx.settings.timezone, problem))
        return [go_to(steps.NOWHERE), SlotSet("adherent_number", None), SlotSet("access_code", None)]


class ActionRegistrationRefuseCgu(Action):
    def name(self) -> str:
        return "action_registration_refuse_cgu"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say(dispatcher, replies.cgu_refused())
        return [go_to(steps.NOWHERE), SlotSet("adherent_number", None), SlotSet("access_code", None)]


class ActionRegistrationCode(Action):
    """The 13-digit activation code of the e-mail, typed in the chat (never kept)."""

    def name(self) -> str:
        return "action_registration_code"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        ctx = get_context()
        consumed = [SlotSet("activation_code", None)]
        text = tracker.get_slot("activation_code") or tracker.latest_message.get("text") or ""
        code = find_activation_code(str(text))
        if code is None:
            say(dispatcher, replies.not_a_code())
            return consumed
        member_ref = tracker.get_slot("member_ref")
        if not member_ref:
            say(dispatcher, replies.no_registration_in_progress())
            return consumed
        result = await run_blocking(service.confirm_with_code, ctx, member_ref, code, conversation=tracker.sender_id)
        say(dispatcher, replies.code_answer(ctx.tenant, result, ctx.settings.timezone))
        return consumed
