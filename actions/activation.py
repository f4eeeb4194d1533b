"""Miel-style account activation in conversation (issue 5): thin Rasa SDK actions.

Flow (tenant flow ``nir_sms``, the guide's steps 3 to 7), each step choosing
the next one through the ``dialogue_step`` slot (:mod:`bot.dialogue_step`) and the rules of
``data/rules/activation.yml``:

- ``action_start_activation``: introduction (a tenant with another flow goes
  to ``action_start_registration``);
- ``activation_form`` / ``validate_activation_form``: NIR, birth date and
  department, names; several values per message, corrections, each value
  checked with :mod:`bot.identity` and the NIR cross-checked with the birth
  date and department; help after two refusals of the same field; then the
  recap (``identity_confirmed``, asked by ``action_ask_identity_confirmed``):
  what was understood, only as the member typed it and the NIR masked, to
  confirm with « oui » or to correct one value in the member's own words
  (:mod:`bot.activation.recap`: « non, c'est Le Gall », « l'année c'est
  1988 », « le premier » for a suggested department);
- ``action_check_identity``: :func:`bot.activation.identity_match.match_member`,
  the same answer for an unknown member and any mismatch; a mismatch keeps
  the values and the recap names them, to correct one (the same values are
  not checked twice); support after 3 failed matchings; a locked member is
  handed to support with the member reference (the ticket names them); a
  match says where the code will go: the mobile on file,
  else the e-mail on file, else (nothing on file) the hand-off to support;
- ``activation_contact_form``: the member confirms, shown masked, that the
  contact on file is still theirs (« non » hands off to support: nothing
  typed in the chat is ever a destination; a contact typed is compared with
  the record); with no e-mail on file, the address for the two e-mails is
  asked too and stored only once the code is verified;
- ``action_send_activation_code`` / ``action_resend_activation_code``:
  :func:`bot.activation.otp.start_challenge` (to the contact on file), both
  through ``_send_code``;
- ``activation_code_form``: the code typed is checked in the same turn with
  :func:`bot.activation.otp.verify_code` and never kept (``otp_code`` holds
  ``"verified"``);
- ``action_complete_activation``:
  :func:`bot.activation.activation.complete_activation` (the two e-mails),
  then the satisfaction question (:mod:`actions.satisfaction`).

Values are found by :mod:`bot.activation.extract`. Services block (SQL,
SMTP): they run in an executor. Values needed on a later turn are sealed
(:mod:`bot.sealed`): the tracker store masks digits and e-mail addresses in
stored slot values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any, Callable, Dict, List, Sequence

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import client_key, go_to, run_blocking, say, slot_count, step_of
from actions.satisfaction import ask_once
from bot import dialogue_step as steps
from bot.activation import activation as completion
from bot.activation import identity_match, otp
from bot.activation.extract import (
    IDENTITY_FIELDS,
    Found,
    field_mentioned,
    find_code,
    find_contact,
    is_single_name,
)
from bot.activation.recap import (
    CHOOSE,
    NONE_OF_THEM,
    RECAP_SLOT,
    Known,
    department_choice,
    draft_key,
    is_department_answer,
    read_identity_answer,
    recap_answer,
    recap_lines,
    recap_response,
)
from bot.context import get_context
from bot.deadlines import format_deadline, local_time
from bot.dialogue import HOUSEKEEPING_ACTIONS, yes_no_answer
from bot.identity import (
    IdentityError,
    InvalidBirthDate,
    InvalidDepartment,
    InvalidEmail,
    InvalidMobile,
    InvalidNir,
    InvalidPersonName,
    NirFacts,
    check_nir_against,
    department_label,
    find_birth_date,
    find_nir,
    parse_birth_date,
    parse_department,
    parse_email,
    parse_mobile,
    parse_nir,
    parse_person_name,
)
from bot.notify import delivery_problem
from bot.reach import contact_lines
from bot.reply import Reply
from bot.sealed import is_sealed, seal, unseal
from bot.security import keyed_hash

IDENTITY_FORM, CONTACT_FORM, CODE_FORM = "activation_form", "activation_contact_form", "activation_code_form"
# the recap (identity_confirmed, asked last by the identity form), what it says next
# (identity_recap), the values of the last failed match (identity_checked, a keyed hash),
# the departments suggested for a name not understood, a birth date refused by the NIR
RECAP_SLOTS = (RECAP_SLOT, "identity_recap", "identity_checked", "department_suggestions", "birth_date_refused")
IDENTITY_SLOTS = IDENTITY_FIELDS + ("nir_hash", "names_order_guessed", "activation_failures") + RECAP_SLOTS
CONTACT_SLOTS = ("email", "email_suggestion", "contact_confirmed")
# what the identity match told about the contacts on file (no contact itself)
ON_FILE_SLOTS = ("code_channel", "email_on_file")
CODE_SLOTS = ("otp_code", "code_dead", "code_handoff")
MAX_MATCH_FAILURES = 3
VERIFIED = "verified"
NIR_SMS = "nir_sms"
# a message with one of these intents (said with confidence) is not an
# answer to the question asked: the form lets the rules handle it
NOT_AN_ANSWER = frozenset(
    {
        "stop", "ask_why", "faq", "contact", "medical_emergency", "out_of_scope", "help", "bot_challenge",
        "activate_account", "resend_code", "request_human", "complaint", "greet", "goodbye", "thank",
        "bad_input", "too_long", "other_language", "enter_activation_code",
    }
)  # fmt: skip
CONFIDENT = 0.5
# intents that leave the question asked, even at the recap
_LEAVING = frozenset({"stop", "request_human", "complaint", "medical_emergency", "ask_why", "greet", "goodbye"})
# actions that may run between the member's message and the form reading it
_BEFORE_FORM = HOUSEKEEPING_ACTIONS | {"action_start_activation"}
_LABELS = {
    "nir": "votre numéro de sécurité sociale",
    "birth_date": "votre date de naissance",
    "birth_department": "votre département de naissance",
    "last_name": "votre nom",
    "first_name": "votre prénom",
}
_WHY = frozenset(IDENTITY_FIELDS + ("email", "mobile", "contact_confirmed", "otp_code"))
_HELP = frozenset(IDENTITY_FIELDS + ("email", "mobile"))


# ---- small helpers --------------------------------------------------------------------


def _secret() -> str:
    return get_context().settings.secret_key


def _opened(tracker: Tracker, slot: str) -> str | None:
    return unseal(_secret(), tracker.get_slot(slot))


def _text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def _intent(tracker: Tracker) -> tuple[str | None, float]:
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def _not_an_answer(tracker: Tracker) -> bool:
    name, confidence = _intent(tracker)
    return name in NOT_AN_ANSWER and confidence >= CONFIDENT


def _yes_no(tracker: Tracker) -> bool | None:
    return yes_no_answer(_intent(tracker)[0], _text(tracker))


def _fresh(tracker: Tracker, form: str) -> bool:
    """Whether the member's latest message is still unread by the assistant.

    False when the form runs again after an interruption (an FAQ answer, a
    "pourquoi ?") or is started by another action: the message was for them.
    """
    allowed = _BEFORE_FORM | {form, f"validate_{form}"}
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            return True
        if kind == "action" and event.get("name") not in allowed:
            return False
    return False


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def _listing(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " et " + parts[-1]


def _clock_time(at: datetime) -> str:
    local = local_time(get_context().tenant, at)
    return f"{local:%H}h{local:%M}"


def _reset(*groups: Sequence[str]) -> List[EventType]:
    return [SlotSet(name, None) for group in groups for name in group]


def _step(value: str | None) -> EventType:
    """Where the activation goes next (:mod:`bot.dialogue_step`); None: it is over."""
    return go_to(value)


def _handoff(
    dispatcher: CollectingDispatcher, domain: DomainDict, reason: str = "activation_locked"
) -> List[EventType]:
    """Hand the member to support: ``action_offer_support`` when the domain has it."""
    events: List[EventType] = [SlotSet("support_reason", reason), _step(steps.NOWHERE)]
    if "action_offer_support" in domain.get("actions", []):
        return events + [FollowupAction("action_offer_support")]
    tenant = get_context().tenant
    dispatcher.utter_message(
        response="utter_activation_support_contacts",
        contacts="\n".join(contact_lines(tenant)),
        tenant_name=tenant.display_name,
    )
    return events


def _leave_code_form(tracker: Tracker) -> List[EventType]:
    return [ActiveLoop(None), SlotSet("requested_slot", None)] if tracker.active_loop_name == CODE_FORM else []


def _failures(tracker: Tracker) -> int:
    return slot_count(tracker, "activation_match_failures")


# ---- checking a value -----------------------------------------------------------------


def _date_slot(tracker: Tracker, slot: str) -> date | None:
    opened = _opened(tracker, slot)
    try:
        return date.fromisoformat(opened) if opened else None
    except ValueError:
        return None


def _known(tracker: Tracker) -> Known:
    """What the member already gave (a refused date still serves to merge « c'est 1988 »)."""
    born = _date_slot(tracker, "birth_date") or _date_slot(tracker, "birth_date_refused")
    return Known(born, tracker.get_slot("last_name"), tracker.get_slot("first_name"))


def _found_identity(tracker: Tracker) -> Found:
    """The identity values of the member's latest message (none when it was for someone else)."""
    if not _fresh(tracker, IDENTITY_FORM):
        return Found()
    requested = tracker.get_slot("requested_slot")
    # "Rousseau" may look like an FAQ word to NLU: a single name answers the name asked
    single_name = requested in ("last_name", "first_name") and is_single_name(_text(tracker))
    # « Lyon » may look off-topic to NLU: a department (or a city) answers the department asked
    single_name = single_name or (requested == "birth_department" and is_department_answer(_text(tracker)))
    # at the recap, « non, c'est Le Gall avec deux L » is a correction whatever NLU thinks of it
    correction = requested == RECAP_SLOT and "?" not in _text(tracker) and _intent(tracker)[0] not in _LEAVING
    # « bonjour, je suis née le 08/03/1975 dans le finister, … »: identity values, whatever the intent
    text = _text(tracker)
    shaped = "?" not in text and bool(find_nir(text) or find_birth_date(text))
    shaped = shaped and _intent(tracker)[0] not in _LEAVING - {"greet"}
    question = _not_an_answer(tracker) and not single_name and not correction and not shaped
    return read_identity_answer(_text(tracker), requested, _known(tracker), question=question)


def _same_as_failed(tracker: Tracker) -> bool:
    """Whether the five values are those of the last failed match."""
    checked = _opened(tracker, "identity_checked")
    return checked is not None and checked == _draft_hash(tracker)


def _draft_hash(tracker: Tracker) -> str:
    """A keyed hash of the five values as they stand (compared with those of the last failed match)."""
    key = draft_key(
        tracker.get_slot("nir_hash"),
        _date_slot(tracker, "birth_date"),
        tracker.get_slot("birth_department"),
        tracker.get_slot("last_name"),
        tracker.get_slot("first_name"),
    )
    return keyed_hash(_secret(), "identity_draft", key)


def _suggestions(tracker: Tracker) -> List[str]:
    """The department codes last suggested (sealed in ``department_suggestions``)."""
    opened = _opened(tracker, "department_suggestions")
    try:
        codes = json.loads(opened) if opened else []
    except ValueError:
        return []
    return [str(code) for code in codes] if isinstance(codes, list) else []


def _suggested_codes(suggestions: Sequence[str]) -> List[str]:
    """["Finistère (29)", "Isère (38)"] → ["29", "38"]."""
    codes = []
    for label in suggestions:
        code = label.rpartition("(")[2].rstrip(")").strip()
        if code:
            codes.append(code)
    return codes


@dataclass(frozen=True)
class _Check:
    """How a field's value is checked: ``parse`` raises ``refused`` (whose
    ``reply`` says why); ``keep`` gives the slot values of an accepted value."""

    parse: Callable[[str], Any]
    refused: type[IdentityError]
    keep: Callable[[Any, Tracker], Dict[str, Any]]


# only the masked NIR and a keyed hash are kept (the hash is what the member
# store is searched by); values needed later in clear are sealed
_CHECKS: Dict[str, _Check] = {
    "nir": _Check(
        parse_nir,
        InvalidNir,
        lambda nir, _: {
            "nir": nir.masked,
            "nir_hash": identity_match.nir_hashes(get_context().settings.secret_keys, nir.normalized),
        },
    ),
    "birth_date": _Check(
        parse_birth_date, InvalidBirthDate, lambda born, _: {"birth_date": seal(_secret(), born.isoformat())}
    ),
    "birth_department": _Check(
        parse_department, InvalidDepartment, lambda department, _: {"birth_department": department.code}
    ),
    "last_name": _Check(parse_person_name, InvalidPersonName, lambda name, tracker: _last_name_kept(name, tracker)),
    "first_name": _Check(
        partial(parse_person_name, first_name=True), InvalidPersonName, lambda name, _: {"first_name": name}
    ),
}


def _last_name_kept(name: str, tracker: Tracker) -> Dict[str, Any]:
    """The last name, and whether its split from the first name was a guess (from the message that gave it)."""
    found = _found_identity(tracker)
    if "last_name" not in found.values:  # a value validated again (form started again after a failed match)
        return {"last_name": name}
    return {"last_name": name, "names_order_guessed": found.names_guessed and "first_name" in found.values}


def _refused(field: str, why: Reply | None, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict:
    """The refusal of a value: why (a response of domain.yml, ``utter_refused_*``), and help from the
    second refusal on."""
    if why is not None:
        say(dispatcher, why)
    counts = dict(tracker.get_slot("activation_failures") or {})
    counts[field] = int(counts.get(field, 0)) + 1
    if counts[field] % 2 == 0 and field in _HELP:
        dispatcher.utter_message(response=f"utter_activation_help_{field}")
    return {field: None, "activation_failures": counts}


def _accepted(field: str, tracker: Tracker) -> Dict:
    counts = dict(tracker.get_slot("activation_failures") or {})
    counts.pop(field, None)
    return {"activation_failures": counts}


def _checked(field: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict:
    """``value`` checked as ``_CHECKS[field]`` says: the slot values it gives, or its refusal."""
    if value is None:  # nothing given (the SDK also validates slots just reset)
        return {field: None}
    check = _CHECKS[field]
    try:
        parsed = check.parse(str(value or ""))
    except check.refused as error:
        refusal = _refused(field, error.reply, dispatcher, tracker)
        if isinstance(error, InvalidDepartment):
            codes = _suggested_codes(error.suggestions)
            # sealed: the tracker store masks the digits of stored slot values
            refusal["department_suggestions"] = seal(_secret(), json.dumps(codes)) if codes else None
        return refusal
    extra: Dict[str, Any] = {"department_suggestions": None} if field == "birth_department" else {}
    return {**check.keep(parsed, tracker), **_accepted(field, tracker), **extra}


# ---- start ----------------------------------------------------------------------------


class ActionStartActivation(Action):
    """Introduction, with every value of an earlier attempt forgotten."""

    def name(self) -> str:
        return "action_start_activation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        tenant = get_context().tenant
        if tenant.activation_flow != NIR_SMS:
            if "action_start_registration" in domain.get("actions", []):
                return [_step(steps.NOWHERE), FollowupAction("action_start_registration")]
            dispatcher.utter_message(response="utter_faq/activation")
            return [_step(steps.NOWHERE)]
        events = _reset(IDENTITY_SLOTS, CONTACT_SLOTS, CODE_SLOTS, ON_FILE_SLOTS)
        if _failures(tracker) >= MAX_MATCH_FAILURES:
            dispatcher.utter_message(response="utter_activation_too_many_attempts", max_attempts=MAX_MATCH_FAILURES)
            return events + _handoff(dispatcher, domain)
        dispatcher.utter_message(response="utter_activation_intro")
        return events + [_step(steps.ACTIVATION_IDENTITY)]


# ---- identity -------------------------------------------------------------------------


class ValidateActivationForm(FormValidationAction):
    """Finds, checks and cross-checks the five identity values, then the recap (« C'est bien ça ? »)."""

    def name(self) -> str:
        return "validate_activation_form"

    # -- finding values --

    def _pick(self, tracker: Tracker, slot: str) -> Dict[str, Any]:
        found = _found_identity(tracker)
        return {slot: found.values[slot]} if slot in found.values else {}

    async def extract_nir(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict:
        return self._pick(tracker, "nir")

    async def extract_birth_date(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict:
        return self._pick(tracker, "birth_date")

    async def extract_birth_department(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict:
        suggestions = _suggestions(tracker)
        if suggestions and _fresh(tracker, IDENTITY_FORM) and tracker.get_slot("requested_slot") == "birth_department":
            choice = department_choice(_text(tracker), suggestions)
            if choice in (CHOOSE, NONE_OF_THEM):
                return {"birth_department": choice}
            if choice:
                return {"birth_department": choice}
        return self._pick(tracker, "birth_department")

    async def extract_last_name(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict:
        return self._pick(tracker, "last_name")

    async def extract_first_name(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict:
        return self._pick(tracker, "first_name")

    async def extract_identity_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict:
        """« oui » to the recap; a correction leaves it unanswered (the recap is shown again)."""
        if not _fresh(tracker, IDENTITY_FORM) or tracker.get_slot("requested_slot") != RECAP_SLOT:
            return {}
        if _found_identity(tracker).values:
            return {}
        answer = _yes_no(tracker)
        if answer is True:
            return {RECAP_SLOT: True}
        if answer is False:
            return {RECAP_SLOT: "no"}
        return {} if _not_an_answer(tracker) else {RECAP_SLOT: "unclear"}

    # -- checking values --

    def validate_nir(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict:
        if value is not None and tracker.get_slot("nir_hash") and _is_masked_nir(str(value)):
            return {"nir": value}  # already accepted (validated again when the form starts again)
        if value is not None and not any(char.isdigit() for char in str(value or "")):
            dispatcher.utter_message(response="utter_activation_no_nir_found")
            return _refused("nir", None, dispatcher, tracker)
        return _checked("nir", value, dispatcher, tracker)

    def validate_birth_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict:
        if is_sealed(value):
            return {"birth_date": value}
        return _checked("birth_date", value, dispatcher, tracker)

    def validate_birth_department(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict:
        if value == CHOOSE:
            dispatcher.utter_message(
                response="utter_activation_department_which",
                choices=_listing([department_label(code) for code in _suggestions(tracker)]),
            )
            return {"birth_department": None}
        if value == NONE_OF_THEM:
            dispatcher.utter_message(response="utter_activation_department_number")
            return {"birth_department": None, "department_suggestions": None}
        return _checked("birth_department", value, dispatcher, tracker)

    def validate_last_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict:
        return _checked("last_name", value, dispatcher, tracker)

    def validate_first_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict:
        return _checked("first_name", value, dispatcher, tracker)

    def validate_identity_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict:
        return recap_answer(value, value is True and _same_as_failed(tracker))

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        events = await super().get_validation_events(dispatcher, tracker, domain)
        changed = {event["name"] for event in events if event.get("event") == "slot" and event.get("value")}
        if changed & {"nir", "birth_date", "birth_department"}:
            extra = self._cross_check(dispatcher, tracker)
            events.extend(SlotSet(name, value) for name, value in extra.items())
        return events

    def _cross_check(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict:
        """The NIR against the birth date and department: the field to ask again, with why.

        A date refused this way is kept sealed (``birth_date_refused``): « c'est
        1988 » merges with it; a new NIR that agrees with it brings it back.
        """
        try:
            facts = NirFacts.from_masked(tracker.get_slot("nir") or "")
        except InvalidNir:
            return {}
        born = _date_slot(tracker, "birth_date")
        extra: Dict[str, Any] = {}
        refused = _date_slot(tracker, "birth_date_refused")
        if born is None and refused is not None and not check_nir_against(facts, refused, None):
            born = refused
            extra.update({"birth_date": seal(_secret(), refused.isoformat()), "birth_date_refused": None})
            tracker.slots.update(extra)
        department = tracker.get_slot("birth_department")
        for problem in check_nir_against(facts, born, department):
            refusal = _refused(problem.field, problem.reply, dispatcher, tracker)
            if problem.field == "nir":
                refusal["nir_hash"] = None
            if problem.field == "birth_date" and born is not None:
                refusal["birth_date_refused"] = seal(_secret(), born.isoformat())
            tracker.slots.update(refusal)
            extra.update(refusal)
        return extra

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        at_recap = tracker.get_slot("requested_slot") == RECAP_SLOT and _fresh(tracker, IDENTITY_FORM)
        before = {slot: self._comparable(slot, tracker.get_slot(slot)) for slot in IDENTITY_FIELDS}
        events = await super().run(dispatcher, tracker, domain)
        final: Dict[str, Any] = {}
        for event in events:
            if event.get("event") == "slot" and event.get("name") in IDENTITY_FIELDS:
                final[event["name"]] = event.get("value")
        accepted = [slot for slot in IDENTITY_FIELDS if final.get(slot) is not None]
        corrected = [
            slot
            for slot in accepted
            if before[slot] is not None and before[slot] != self._comparable(slot, final[slot])
        ]
        complete = all(tracker.get_slot(slot) is not None for slot in IDENTITY_FIELDS)
        if complete and corrected:
            # the recap, shown next, says it (one message)
            events.append(SlotSet("identity_recap", "corrected"))
        elif corrected:
            dispatcher.utter_message(response="utter_activation_corrected", fields=self._describe(corrected, final))
        elif len(accepted) >= 2 and not complete and not at_recap:  # when complete, the recap follows at once
            dispatcher.utter_message(response="utter_activation_noted", fields=self._describe(accepted, final))
        return events

    @staticmethod
    def _comparable(slot: str, value: Any) -> Any:
        return unseal(_secret(), value) if slot == "birth_date" and value else value

    @staticmethod
    def _describe(slots: Sequence[str], values: Dict[str, Any]) -> str:
        parts = []
        for slot in slots:
            if slot in ("last_name", "first_name"):
                parts.append(f"{_LABELS[slot]} ({values[slot]})")
            elif slot == "birth_department":
                parts.append(f"{_LABELS[slot]} ({department_label(values[slot])})")
            else:
                parts.append(_LABELS[slot])
        return _listing(parts)


def _is_masked_nir(value: str) -> bool:
    try:
        NirFacts.from_masked(value)
    except InvalidNir:
        return False
    return "*" in value


def _recap_facts(tracker: Tracker) -> str:
    return "\n".join(
        recap_lines(
            tracker.get_slot("nir"),
            _date_slot(tracker, "birth_date"),
            tracker.get_slot("birth_department"),
            tracker.get_slot("last_name"),
            tracker.get_slot("first_name"),
            bool(tracker.get_slot("names_order_guessed")),
        )
    )


class ActionAskIdentityConfirmed(Action):
    """The recap: what was understood (only what the member typed, the NIR masked), then « C'est bien ça ? ».

    After a failed match with the same values, it says so and asks which one to correct.
    """

    def name(self) -> str:
        return "action_ask_identity_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        same = _same_as_failed(tracker)
        response = recap_response(tracker.get_slot("identity_recap"), same)
        left = _plural(max(MAX_MATCH_FAILURES - _failures(tracker), 1), "essai")
        dispatcher.utter_message(response=response, facts=_recap_facts(tracker), attempts_left=left)
        return [SlotSet("identity_recap", None)]


class ActionCheckIdentity(Action):
    """Matches the five values once confirmed; the same answer for an unknown member and any mismatch.

    A failed match keeps the values: the recap shows them again and the
    member corrects the wrong one (not all five).
    """

    def name(self) -> str:
        return "action_check_identity"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        ctx = get_context()
        values = {
            "birth_date": _date_slot(tracker, "birth_date"),
            "birth_department": tracker.get_slot("birth_department"),
            "last_name": tracker.get_slot("last_name"),
            "first_name": tracker.get_slot("first_name"),
            "nir_hash": tracker.get_slot("nir_hash"),
        }
        events = _reset(IDENTITY_SLOTS)
        if not all(values.values()):
            dispatcher.utter_message(response="utter_activation_session_expired")
            return events + [_step(steps.NOWHERE)]
        match = partial(identity_match.match_member, ctx, conversation=tracker.sender_id, client=client_key(tracker))
        either = bool(tracker.get_slot("names_order_guessed"))
        result = await run_blocking(match, **values, names_either_order=either)

        if result.outcome == identity_match.CLIENT_LIMITED:
            retry = _clock_time(result.retry_at) if result.retry_at else "une heure"
            dispatcher.utter_message(response="utter_activation_client_limited", retry_time=retry)
            return events + [_step(steps.NOWHERE)]
        if result.outcome == identity_match.MATCHED:
            verified = [SlotSet("member_ref", result.member_ref)]
            if result.factor is None:
                return events + verified + _handoff(dispatcher, domain, "no_contact_on_file")
            dispatcher.utter_message(response="utter_activation_identity_ok")
            on_file = [
                SlotSet("code_channel", result.factor),
                SlotSet("email_on_file", result.email_masked is not None),
                _step(steps.ACTIVATION_CONTACT),
            ]
            return events + _reset(CONTACT_SLOTS, CODE_SLOTS) + verified + on_file
        if result.outcome == identity_match.ALREADY_ACTIVE:
            dispatcher.utter_message(response="utter_activation_already_active")
            return events + [_step(steps.NOWHERE)]
        if result.outcome == identity_match.LOCKED:
            verified = [SlotSet("member_ref", result.member_ref)] if result.member_ref else []
            return events + verified + _locked(dispatcher, domain)
        failures = _failures(tracker) + 1
        counted = [SlotSet("activation_match_failures", float(failures))]
        if failures >= MAX_MATCH_FAILURES:
            dispatcher.utter_message(response="utter_activation_too_many_attempts", max_attempts=MAX_MATCH_FAILURES)
            return events + counted + _handoff(dispatcher, domain)
        # the values stay; the recap (action_ask_identity_confirmed) names them and
        # asks which one to correct. The same form again: forced here, a rule
        # cannot run a form twice in a row.
        checked = seal(_secret(), _draft_hash(tracker))  # sealed: stored slot values lose their digits
        kept = [SlotSet(RECAP_SLOT, None), SlotSet("identity_checked", checked), _step(steps.ACTIVATION_IDENTITY)]
        return counted + kept + [FollowupAction(IDENTITY_FORM)]


def _locked(dispatcher: CollectingDispatcher, domain: DomainDict) -> List[EventType]:
    """A locked account: said as it is (no « after several attempts »), then support, who can unlock it."""
    if "action_offer_support" not in domain.get("actions", []):
        dispatcher.utter_message(response="utter_activation_locked")
    return _handoff(dispatcher, domain, "account_locked")


# ---- contact --------------------------------------------------------------------------


class ValidateActivationContactForm(FormValidationAction):
    """« Is the contact on file still yours? », then, with no e-mail on file, the address to use."""

    def name(self) -> str:
        return "validate_activation_contact_form"

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        # the e-mail is asked only when the record has none and the member goes on
        if tracker.get_slot("contact_confirmed") is True and not tracker.get_slot("email_on_file"):
            return ["contact_confirmed", "email"]
        return ["contact_confirmed"]

    def _contact(self, tracker: Tracker, take_whole: bool = True) -> Dict[str, str]:
        if not _fresh(tracker, CONTACT_FORM):
            return {}
        requested = tracker.get_slot("requested_slot")
        take_whole = take_whole and not _not_an_answer(tracker) and _yes_no(tracker) is None
        return find_contact(_text(tracker), requested, take_whole=take_whole)

    async def extract_email(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict:
        if tracker.get_slot("requested_slot") != "email":
            return {}
        pending = _opened(tracker, "email_suggestion")
        if pending and _fresh(tracker, CONTACT_FORM):
            typed = self._contact(tracker, take_whole=False).get("email")
            if typed:
                return {"email": typed}
            answer = _yes_no(tracker)
            if answer is not None:
                choice = json.loads(pending)
                return {"email": {"accept": choice["suggestion"] if answer else choice["typed"]}}
        found = self._contact(tracker).get("email")
        return {"email": found} if found else {}

    async def extract_contact_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict:
        if not _fresh(tracker, CONTACT_FORM) or tracker.get_slot("requested_slot") != "contact_confirmed":
            return {}
        typed = find_contact(_text(tracker), None, take_whole=False)
        if typed:
            # a contact typed instead of « oui »: it must be the one on file
            mobile = _typed_mobile(typed.get("mobile"))
            same = await run_blocking(
                otp.typed_contact_on_file,
                get_context(),
                tracker.get_slot("member_ref") or "",
                mobile=mobile,
                email=None if mobile else typed.get("email"),
            )
            return {"contact_confirmed": True if same else "mismatch"}
        answer = _yes_no(tracker)
        if answer is not None:
            return {"contact_confirmed": answer}
        return {} if _not_an_answer(tracker) else {"contact_confirmed": "unclear"}

    def validate_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict:
        if value is None:  # nothing given (the SDK also validates slots just reset)
            return {"email": None}
        try:
            if isinstance(value, dict):  # « oui » / « non » to a suspected typo
                address = parse_email(str(value.get("accept") or ""), allow_unusual_domain=True)
            else:
                address = parse_email(str(value or ""))
        except InvalidEmail as error:
            if error.reason == "typo" and error.suggestion:
                typed = parse_email(str(value), allow_unusual_domain=True)
                dispatcher.utter_message(
                    response="utter_activation_email_typo",
                    suggested_domain=error.suggestion.rpartition("@")[2],
                    typed_domain=typed.rpartition("@")[2],
                )
                choice = json.dumps({"typed": typed, "suggestion": error.suggestion})
                return {"email": None, "email_suggestion": seal(_secret(), choice)}
            return _refused("email", error.reply, dispatcher, tracker)
        return {"email": seal(_secret(), address), "email_suggestion": None, **_accepted("email", tracker)}

    def validate_contact_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict:
        if value is None:  # a reset by an earlier action (the SDK validates those too), not an answer
            return {"contact_confirmed": None}
        if value is True:
            return {"contact_confirmed": True}
        if value is False:
            return {"contact_confirmed": False}
        if value == "mismatch":
            dispatcher.utter_message(response="utter_activation_contact_mismatch")
            return {"contact_confirmed": None}
        dispatcher.utter_message(response="utter_activation_yes_or_no")
        return {"contact_confirmed": None}


def _typed_mobile(text: str | None) -> str | None:
    if not text:
        return None
    try:
        return parse_mobile(text)
    except InvalidMobile:
        return None


class ActionAskContactConfirmed(Action):
    """The contact on file, masked: is it still the member's?"""

    def name(self) -> str:
        return "action_ask_contact_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        member_ref = tracker.get_slot("member_ref")
        summary = await run_blocking(otp.on_file_summary, get_context(), member_ref or "")
        if summary is None:
            dispatcher.utter_message(response="utter_activation_session_expired")
            return []
        channel, masked = summary
        response = "utter_activation_confirm_mobile" if channel == "sms" else "utter_activation_confirm_email"
        dispatcher.utter_message(response=response, contact_masked=masked)
        return []


# ---- one-time code --------------------------------------------------------------------


def _code_sent(dispatcher: CollectingDispatcher, result: otp.ChallengeStart, response: str) -> List[EventType]:
    tenant = get_context().tenant
    dispatcher.utter_message(
        response=response,
        length=tenant.otp.length,
        destination=_destination(result.channel, result.destination_masked),
        minutes=result.lifetime_minutes,
    )
    if result.sends_left == 0:
        dispatcher.utter_message(response="utter_activation_last_send")
    return [
        SlotSet("otp_code", None),
        SlotSet("code_dead", False),
        SlotSet("code_handoff", None),
        _step(steps.ACTIVATION_CODE),
    ]


def _destination(channel: str | None, masked: str | None) -> str:
    """« par SMS au 06 •• •• •• 01 » / « par e-mail à j•••@example.org »."""
    if channel == "email":
        return f"par e-mail à {masked}"
    return f"par SMS au {masked}"


def _rate_limited(dispatcher: CollectingDispatcher, result: otp.ChallengeStart, response: str) -> None:
    tenant = get_context().tenant
    dispatcher.utter_message(
        response=response,
        max_sends=tenant.otp.max_sends_per_hour,
        retry_time=_clock_time(result.retry_at) if result.retry_at else "une heure",
        minutes=tenant.otp.lifetime_minutes,
    )


class ActionSendActivationCode(Action):
    """The first code, to the contact on file, once the member says it is still theirs."""

    def name(self) -> str:
        return "action_send_activation_code"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        ctx = get_context()
        member_ref = tracker.get_slot("member_ref")
        if not member_ref:
            dispatcher.utter_message(response="utter_activation_session_expired")
            return [_step(steps.NOWHERE)]
        if tracker.get_slot("contact_confirmed") is not True:
            # « ce n'est plus mon numéro »: only support can change what is on file,
            # and the member hears of the attempt through the contacts on file
            await run_blocking(completion.contact_not_theirs, ctx, member_ref, conversation=tracker.sender_id)
            return _reset(CONTACT_SLOTS) + _handoff(dispatcher, domain, "contact_not_theirs")
        return await _send_code(dispatcher, tracker, domain, member_ref, resend=False)


async def _send_code(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, member_ref: str, *, resend: bool
) -> List[EventType]:
    """Send a code to the contact on file and tell the member; the events of what comes next.

    ``resend``: a code was already sent in this activation (« renvoyer le
    code »): when this send is refused, the member stays on the code step
    (the earlier code may still be typed) unless it is dead and no send is
    left (support); the first send, refused, ends the activation or hands off.
    """
    result = await run_blocking(otp.start_challenge, get_context(), member_ref, conversation=tracker.sender_id)
    if result.outcome == otp.SENT:
        response = "utter_activation_code_resent" if resend else "utter_activation_code_sent"
        return _code_sent(dispatcher, result, response)
    if result.outcome == otp.RATE_LIMITED:
        if resend and tracker.get_slot("code_dead"):
            _rate_limited(dispatcher, result, "utter_activation_resend_limit_dead")
            return _leave_code_form(tracker) + _reset(CODE_SLOTS) + _handoff(dispatcher, domain)
        _rate_limited(dispatcher, result, "utter_activation_resend_limit")
        if resend:
            return [_step(steps.ACTIVATION_CODE)]
        return [SlotSet("otp_code", None), SlotSet("code_dead", False), _step(steps.ACTIVATION_CODE)]
    if result.outcome == otp.NUMBER_LIMITED:
        _number_limited(dispatcher, result)
        return [_step(steps.ACTIVATION_CODE)] if resend else _reset(CODE_SLOTS) + [_step(steps.NOWHERE)]
    if result.outcome == otp.SMS_UNAVAILABLE:
        return _sms_unavailable(dispatcher, tracker)
    if result.outcome in (otp.SEND_FAILED, otp.NO_CONTACT):
        _sms_problem(dispatcher, result)
        if resend:
            return [_step(steps.ACTIVATION_CODE)]
        reason = "no_contact_on_file" if result.outcome == otp.NO_CONTACT else "code_not_delivered"
        return _reset(CODE_SLOTS) + _handoff(dispatcher, domain, reason)
    return _dead_end(dispatcher, domain, result.outcome, tracker)


def _number_limited(dispatcher: CollectingDispatcher, result: otp.ChallengeStart) -> None:
    """Too many SMS to this number lately (whoever asked): say until when."""
    ctx = get_context()
    when = format_deadline(ctx.tenant, result.retry_at, ctx.settings.timezone) if result.retry_at else "plus tard"
    dispatcher.utter_message(response="utter_activation_number_limited", retry_time=when)


def _sms_unavailable(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """The deployment's SMS budget is spent: no SMS for now, call the mutuelle."""
    tenant = get_context().tenant
    dispatcher.utter_message(
        response="utter_activation_sms_unavailable",
        contacts="\n".join(contact_lines(tenant)),
        tenant_name=tenant.display_name,
    )
    return _leave_code_form(tracker) + _reset(CODE_SLOTS) + [_step(steps.NOWHERE)]


def _sms_problem(dispatcher: CollectingDispatcher, result: otp.ChallengeStart) -> None:
    problem = delivery_problem(result.delivery, get_context().tenant) if result.delivery else None
    if problem:
        say(dispatcher, problem)
    elif result.outcome != otp.NO_CONTACT:
        dispatcher.utter_message(response="utter_activation_sms_impossible")


def _dead_end(dispatcher: CollectingDispatcher, domain: DomainDict, outcome: str, tracker: Tracker) -> List[EventType]:
    """Already active, locked or an expired member reference: the activation stops here."""
    events = _leave_code_form(tracker) + _reset(CODE_SLOTS)
    if outcome == otp.ALREADY_ACTIVE:
        dispatcher.utter_message(response="utter_activation_already_active")
        return events + [_step(steps.NOWHERE)]
    if outcome == otp.LOCKED:
        return events + _locked(dispatcher, domain)
    dispatcher.utter_message(response="utter_activation_session_expired")
    return events + [_step(steps.NOWHERE)]


def _sends_left(member_ref: str) -> int:
    ctx = get_context()
    member_id = ctx.member_id(member_ref)
    if member_id is None:
        return 0
    with ctx.session() as session:
        used = otp.sends_used(session, member_id)
    return max(ctx.tenant.otp.max_sends_per_hour - used, 0)


class ValidateActivationCodeForm(FormValidationAction):
    """Checks the code in the turn it is typed; ``otp_code`` never holds it."""

    def name(self) -> str:
        return "validate_activation_code_form"

    async def extract_otp_code(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict:
        if not _fresh(tracker, CODE_FORM) or tracker.get_slot("requested_slot") != "otp_code":
            return {}
        code = find_code(_text(tracker), get_context().tenant.otp.length)
        if code and len(code) == get_context().tenant.otp.length:
            return {"otp_code": code}
        if _not_an_answer(tracker):
            return {}
        return {"otp_code": code or ""}

    async def validate_otp_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict:
        if value == VERIFIED:
            return {"otp_code": VERIFIED}
        if value is None:
            # a reset by action_send_activation_code (the SDK validates those too): not a code
            # typed, so no « Le code comporte 6 chiffres » right after « oui »
            return {"otp_code": None}
        ctx = get_context()
        conf = ctx.tenant.otp
        member_ref = tracker.get_slot("member_ref")
        if not member_ref:
            dispatcher.utter_message(response="utter_activation_session_expired")
            return {"otp_code": None, "requested_slot": None}
        code = str(value or "")
        if not (code.isdigit() and len(code) == conf.length):
            dispatcher.utter_message(response="utter_activation_code_format", length=conf.length)
            return {"otp_code": None}
        result = await run_blocking(otp.verify_code, ctx, member_ref, code, conversation=tracker.sender_id)
        del code, value
        if result.outcome == otp.OK:
            return {"otp_code": VERIFIED, "code_dead": False}
        if result.outcome == otp.WRONG and result.attempts_left:
            dispatcher.utter_message(
                response="utter_activation_code_wrong", attempts_left=_plural(result.attempts_left, "essai")
            )
            return {"otp_code": None}
        if result.outcome in (otp.WRONG, otp.EXHAUSTED, otp.EXPIRED, otp.NO_CHALLENGE, otp.CONSUMED):
            return await self._dead(dispatcher, member_ref, result.outcome)
        dispatcher.utter_message(response="utter_activation_session_expired")
        return {"otp_code": None, "requested_slot": None}

    async def _dead(self, dispatcher: CollectingDispatcher, member_ref: str, outcome: str) -> Dict:
        """The code can no longer be used: a new one, or support when no send is left."""
        conf = get_context().tenant.otp
        if await run_blocking(_sends_left, member_ref) == 0:
            dispatcher.utter_message(
                response="utter_activation_resend_limit_dead", max_sends=conf.max_sends_per_hour, retry_time="une heure"
            )
            return {"otp_code": None, "code_dead": True, "code_handoff": True, "requested_slot": None}
        if outcome == otp.EXPIRED:
            dispatcher.utter_message(response="utter_activation_code_expired", minutes=conf.lifetime_minutes)
        elif outcome == otp.NO_CHALLENGE:
            dispatcher.utter_message(response="utter_activation_no_code")
        else:
            dispatcher.utter_message(response="utter_activation_code_dead", max_attempts=conf.max_attempts)
        return {"otp_code": None, "code_dead": True}


class ActionResendActivationCode(Action):
    """« renvoyer le code »: a new code, at most ``max_sends_per_hour`` per hour."""

    def name(self) -> str:
        return "action_resend_activation_code"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        member_ref = tracker.get_slot("member_ref")
        if not member_ref or step_of(tracker) != steps.ACTIVATION_CODE:
            dispatcher.utter_message(response="utter_activation_nothing_to_resend")
            return _leave_code_form(tracker) + [_step(steps.NOWHERE)]
        return await _send_code(dispatcher, tracker, domain, member_ref, resend=True)


# ---- completion -----------------------------------------------------------------------


class ActionCompleteActivation(Action):
    """Guide step 5: the two e-mails (identifier, 48 h link), and what comes next."""

    def name(self) -> str:
        return "action_complete_activation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        ctx = get_context()
        if tracker.get_slot("code_handoff"):
            return _reset(CODE_SLOTS) + _handoff(dispatcher, domain)
        member_ref = tracker.get_slot("member_ref")
        # a typed e-mail is used only for a record without one (after the code proved the mobile)
        email = None if tracker.get_slot("email_on_file") else _opened(tracker, "email")
        if tracker.get_slot("otp_code") != VERIFIED or not member_ref:
            return _reset(CODE_SLOTS) + [_step(steps.NOWHERE)]
        result = await run_blocking(
            completion.complete_activation, ctx, member_ref, email, conversation=tracker.sender_id
        )
        finished = _reset(IDENTITY_SLOTS, CONTACT_SLOTS, CODE_SLOTS, ON_FILE_SLOTS) + [_step(steps.NOWHERE)]
        if result.outcome == completion.COMPLETED:
            dispatcher.utter_message(
                response="utter_activation_done",
                email_masked=result.email_masked,
                link_hours=ctx.tenant.activation_link_hours,
                verified=(
                    "votre adresse e-mail est vérifiée"
                    if tracker.get_slot("code_channel") == "email"
                    else "votre mobile est vérifié"
                ),
            )
            for delivery in result.deliveries:
                problem = delivery_problem(delivery, ctx.tenant)
                if problem:
                    say(dispatcher, problem)
                    break
            return finished + ask_once(dispatcher, tracker, "activation")
        if result.outcome == completion.ALREADY_COMPLETED:
            dispatcher.utter_message(response="utter_activation_already_done", email_masked=result.email_masked)
            return finished
        if result.outcome == completion.NOT_VERIFIED:
            dispatcher.utter_message(response="utter_activation_not_verified")
            return [
                SlotSet("otp_code", None),
                SlotSet("code_dead", True),
                _step(steps.ACTIVATION_CODE),
                FollowupAction(CODE_FORM),
            ]
        if result.outcome == completion.ALREADY_ACTIVE:
            dispatcher.utter_message(response="utter_activation_already_active")
            return finished
        if result.outcome == completion.LOCKED:
            return finished + _locked(dispatcher, domain)
        dispatcher.utter_message(response="utter_activation_session_expired")
        return finished


# ---- during the forms -----------------------------------------------------------------


class ActionExplainActivationField(Action):
    """« pourquoi ? »: why the field asked (or named in the question) is needed."""

    def name(self) -> str:
        return "action_explain_activation_field"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        field = field_mentioned(_text(tracker)) or tracker.get_slot("requested_slot")
        response = f"utter_activation_why_{field}" if field in _WHY else "utter_activation_why_default"
        dispatcher.utter_message(response=response, tenant_otp_minutes=str(get_context().tenant.otp.lifetime_minutes))
        return []


class ActionResetActivation(Action):
    """Forget the values of an activation the member left (the counters stay).

    Left to talk to a person or to complain: the support offer follows.
    """

    def name(self) -> str:
        return "action_reset_activation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        events = _reset(IDENTITY_SLOTS, CONTACT_SLOTS, CODE_SLOTS, ON_FILE_SLOTS) + [_step(steps.NOWHERE)]
        intent, _ = _intent(tracker)
        if intent in ("request_human", "complaint") and "action_offer_support" in domain.get("actions", []):
            events.append(FollowupAction("action_offer_support"))
        return events
