"""Run `rasa data validate` (Rasa's defaults: domain.yml, data/, config.yml) and fail on the warnings that matter.

`rasa data validate` prints warnings for problems (an intent without examples,
a response or action used but not declared, a response nothing sends, story
structure conflicts, an example labelled with two intents...) and for a few
things that are by design here. This script fails on every warning except the
ones allowed below BY NAME, each with its reason:

- a response "not used in any story or rule" is allowed only if it is named in
  SENT_BY_CODE and the named file really sends it (the name, or the f-string
  that builds it, is in that file), or if it is a form question
  (``utter_ask_<form>_<slot>`` / ``utter_ask_<slot>`` of a form and a slot of
  domain.yml), or if it is named in KNOWN_UNUSED; so a new response nothing
  sends, or a response whose name is misspelt in the domain or in the action,
  is flagged;
- an intent "listed in the domain file, but not found in the NLU training data"
  only if named in RUNTIME_INTENTS;
- a story structure conflict only if named in ALLOWED_CONFLICTS (none today).

Usage: python tests/check_validation.py
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent

ACTIVATION = "actions/activation.py"
# why_<field> / help_<field>: actions/activation.py builds the name from the field asked
WHY = (ACTIVATION, 'f"utter_activation_why_{field}"')
HELP = (ACTIVATION, 'f"utter_activation_help_{field}"')

# Responses sent only by custom actions (dispatcher.utter_message(response=...)):
# response -> the file that sends it, or (file, the f-string that builds its name there).
SENT_BY_CODE: Dict[str, object] = {
    # activation (Miel-style), actions/activation.py
    **{
        name: ACTIVATION
        for name in (
            "utter_activation_already_active",
            "utter_activation_already_done",
            "utter_activation_client_limited",
            "utter_activation_code_dead",
            "utter_activation_code_expired",
            "utter_activation_code_format",
            "utter_activation_code_resent",
            "utter_activation_code_sent",
            "utter_activation_code_wrong",
            "utter_activation_confirm_email",
            "utter_activation_confirm_mobile",
            "utter_activation_contact_mismatch",
            "utter_activation_corrected",
            "utter_activation_department_which",
            "utter_activation_department_number",
            "utter_activation_done",
            "utter_activation_email_typo",
            "utter_activation_identity_ok",
            "utter_activation_intro",
            "utter_activation_last_send",
            "utter_activation_locked",
            "utter_activation_no_code",
            "utter_activation_no_nir_found",
            "utter_activation_not_verified",
            "utter_activation_noted",
            "utter_activation_nothing_to_resend",
            "utter_activation_number_limited",
            "utter_activation_resend_limit",
            "utter_activation_resend_limit_dead",
            "utter_activation_session_expired",
            "utter_activation_sms_impossible",
            "utter_activation_sms_unavailable",
            "utter_activation_support_contacts",
            "utter_activation_too_many_attempts",
            "utter_activation_why_default",
            "utter_activation_yes_or_no",
        )
    },
    # « pourquoi ? » during the activation forms: the explanation of the field asked
    **{
        f"utter_activation_why_{field}": WHY
        for field in (
            "nir",
            "birth_date",
            "birth_department",
            "last_name",
            "first_name",
            "email",
            "mobile",
            "contact_confirmed",
            "otp_code",
        )
    },
    # a field refused twice: how to find or type it
    **{
        f"utter_activation_help_{field}": HELP
        for field in ("nir", "birth_date", "birth_department", "last_name", "first_name", "email", "mobile")
    },
    # the recap before the identity match and its corrections (issue 14), bot/activation/recap.py
    **{
        name: "bot/activation/recap.py"
        for name in (
            "utter_activation_no_match",
            "utter_activation_recap",
            "utter_activation_recap_corrected",
            "utter_activation_recap_unclear",
            "utter_activation_recap_which",
        )
    },
    # registration and support replies: bot/ chooses the response (bot.reply.Reply), domain.yml holds the text
    **{
        name: "bot/registration/replies.py"
        for name in (
            "utter_registration_access_recognised",
            "utter_registration_already_active",
            "utter_registration_cgu",
            "utter_registration_cgu_refused",
            "utter_registration_code_confirmed",
            "utter_registration_code_expired",
            "utter_registration_code_no_token",
            "utter_registration_code_too_many",
            "utter_registration_code_used",
            "utter_registration_code_wrong",
            "utter_registration_contact_kept",
            "utter_registration_contact_not_theirs",
            "utter_registration_contact_on_file",
            "utter_registration_email_failed",
            "utter_registration_email_invalid",
            "utter_registration_email_not_on_file",
            "utter_registration_email_rate_limited",
            "utter_registration_email_sent",
            "utter_registration_email_sent_problem",
            "utter_registration_expired",
            "utter_registration_intro",
            "utter_registration_invalid_access_code",
            "utter_registration_invalid_adherent_number",
            "utter_registration_mismatch",
            "utter_registration_none_in_progress",
            "utter_registration_not_a_code",
            "utter_registration_where_to_find",
            "utter_registration_why_email",
        )
    },
    **{
        name: "bot/support/replies.py"
        for name in (
            "utter_support_ask_email",
            "utter_support_ask_email_known",
            "utter_support_cancelled",
            "utter_support_declined",
            "utter_support_invalid_description",
            "utter_support_other_email",
            "utter_support_ticket_empty",
            "utter_support_ticket_invalid_email",
            "utter_support_ticket_no_support_address",
            "utter_support_ticket_queued",
            "utter_support_ticket_sent",
            "utter_support_ticket_sent_ack_problem",
            "utter_support_yes_or_no",
        )
    },
    # the hand-off offer, one response per reason and way (message sent / request recorded)
    **{
        f"utter_support_offer_{reason}_{way}": ("bot/support/replies.py", 'f"utter_support_offer_{reason}_{way}"')
        for reason in (
            "account_locked",
            "activation_locked",
            "advisor_request",
            "code_not_delivered",
            "complaint",
            "contact_not_theirs",
            "fallback",
            "no_contact_on_file",
            "other",
        )
        for way in ("message", "record")
    },
    **{
        f"utter_support_confirm_{way}": ("bot/support/replies.py", 'f"utter_support_confirm_{way}"')
        for way in ("send", "record")
    },
    **{
        f"utter_support_ticket_{outcome}": ("bot/support/replies.py", 'f"utter_support_ticket_{outcome}"')
        for outcome in ("failed", "rate_limited")
    },
    # the refusals of a typed value (issue 14): bot/identity raises them (IdentityError.reply,
    # Inconsistency.reply), actions/activation.py and actions/support.py say them
    **{
        name: "bot/identity/nir.py"
        for name in (
            "utter_refused_nir_characters",
            "utter_refused_nir_commune",
            "utter_refused_nir_commune_abroad",
            "utter_refused_nir_department",
            "utter_refused_nir_department_historical",
            "utter_refused_nir_department_overseas",
            "utter_refused_nir_empty",
            "utter_refused_nir_key",
            "utter_refused_nir_length",
            "utter_refused_nir_masked",
            "utter_refused_nir_missing_key",
            "utter_refused_nir_month",
            "utter_refused_nir_order",
            "utter_refused_nir_sex",
        )
    },
    **{
        name: "bot/identity/dates.py"
        for name in (
            "utter_refused_birth_date_day",
            "utter_refused_birth_date_empty",
            "utter_refused_birth_date_format",
            "utter_refused_birth_date_format_unquoted",
            "utter_refused_birth_date_future",
            "utter_refused_birth_date_impossible",
            "utter_refused_birth_date_impossible_leap",
            "utter_refused_birth_date_month",
            "utter_refused_birth_date_too_old",
            "utter_refused_birth_date_year_missing",
        )
    },
    **{
        name: "bot/identity/departments.py"
        for name in (
            "utter_refused_birth_department_ambiguous",
            "utter_refused_birth_department_conflict",
            "utter_refused_birth_department_conflict_unquoted",
            "utter_refused_birth_department_corsica",
            "utter_refused_birth_department_empty",
            "utter_refused_birth_department_format",
            "utter_refused_birth_department_overseas_code",
            "utter_refused_birth_department_unknown",
            "utter_refused_birth_department_unknown_code",
            "utter_refused_birth_department_unknown_suggested",
            "utter_refused_birth_department_unknown_suggested_unquoted",
            "utter_refused_birth_department_unknown_unquoted",
        )
    },
    **{
        name: "bot/identity/names.py"
        for name in (
            "utter_refused_first_name_characters",
            "utter_refused_first_name_digits",
            "utter_refused_first_name_empty",
            "utter_refused_first_name_too_long",
            "utter_refused_last_name_characters",
            "utter_refused_last_name_digits",
            "utter_refused_last_name_empty",
            "utter_refused_last_name_too_long",
        )
    },
    **{
        name: "bot/identity/emails.py"
        for name in (
            "utter_refused_email_empty",
            "utter_refused_email_syntax",
            "utter_refused_email_syntax_domain",
            "utter_refused_email_syntax_many_at",
            "utter_refused_email_syntax_missing_at",
            "utter_refused_email_syntax_no_local_part",
            "utter_refused_email_syntax_space",
            "utter_refused_email_typo",
        )
    },
    **{
        name: "bot/identity/phones.py"
        for name in (
            "utter_refused_mobile_characters",
            "utter_refused_mobile_empty",
            "utter_refused_mobile_invalid",
            "utter_refused_mobile_landline",
            "utter_refused_mobile_length",
            "utter_refused_mobile_special",
            "utter_refused_mobile_voip",
        )
    },
    **{
        name: "bot/identity/consistency.py"
        for name in (
            "utter_refused_mismatch_birth_department",
            "utter_refused_mismatch_birth_department_given_abroad",
            "utter_refused_mismatch_birth_department_nir_abroad",
            "utter_refused_mismatch_birth_month",
            "utter_refused_mismatch_birth_year",
            "utter_refused_mismatch_corsica_split",
            "utter_refused_mismatch_corsica_split_nir_year",
            "utter_refused_mismatch_historical_code",
            "utter_refused_mismatch_historical_code_corsica",
            "utter_refused_mismatch_historical_code_corsica_nir_year",
            "utter_refused_mismatch_other_person",
        )
    },
    # delivery problems: bot/notify/replies.py (said by actions/activation.py, or inside
    # another reply as its {problem} through bot.notify.delivery_problem_message)
    **{
        name: "bot/notify/replies.py"
        for name in (
            "utter_delivery_problem_email_failed",
            "utter_delivery_problem_email_failed_space",
            "utter_delivery_problem_email_failed_write",
            "utter_delivery_problem_email_queued",
            "utter_delivery_problem_sms",
            "utter_delivery_problem_sms_space",
            "utter_delivery_problem_sms_write",
        )
    },
    # answers computed from the tenant profile (bot/answers), said by actions/faq.py
    **{name: "bot/answers/faq.py" for name in ("utter_answer_rephrase",)},
    **{
        name: "bot/answers/services.py"
        for name in (
            "utter_answer_service_not_described",
            "utter_answer_services_overview",
        )
    },
    **{
        name: "bot/answers/account.py"
        for name in (
            "utter_answer_password_rules_nir_sms",
            "utter_answer_password_rules_access_code_email",
        )
    },
    **{
        name: "bot/answers/contact.py"
        for name in (
            "utter_answer_contact_telephone",
            "utter_answer_contact_telephone_open",
            "utter_answer_contact_telephone_closed",
            "utter_answer_contact_telephone_not_given",
            "utter_answer_contact_horaires_phone_open",
            "utter_answer_contact_horaires_phone_closed",
            "utter_answer_contact_horaires_open",
            "utter_answer_contact_horaires_closed",
            "utter_answer_contact_horaires_not_given",
            "utter_answer_contact_adresse",
            "utter_answer_contact_adresse_not_given",
            "utter_answer_contact_email",
            "utter_answer_contact_email_not_given",
            "utter_answer_contact_email_not_given_sender",
            "utter_answer_contact_site",
            "utter_answer_contact_general",
            "utter_answer_contact_general_status",
            "utter_answer_contact_general_space",
            "utter_answer_contact_other_request",
            "utter_answer_contact_other_request_space",
        )
    },
    # the second misunderstanding in a row (action_default_fallback)
    "utter_default": "actions/fallback.py",
    # retrieval intents: the umbrella responses are the ResponseSelector's labels; faq
    # answers are picked by action_answer_faq (utter_faq/<key>), contact answers are
    # utter_answer_contact_* chosen from the tenant profile by action_answer_contact
    "utter_faq": ("bot/answers/faq.py", 'f"utter_faq/{key}"'),
    "utter_contact": ("domain.yml", "utter_contact/"),
    # the satisfaction question (named where the report finds it) and its thanks (issue 16)
    "utter_satisfaction_ask_answer": "bot/report/steps.py",
    "utter_satisfaction_ask_activation": "bot/report/steps.py",
    "utter_satisfaction_thanks": "actions/satisfaction.py",
    "utter_satisfaction_sorry": "actions/satisfaction.py",
}

# Responses nothing sends today, each with its reason (remove the response, or use it).
KNOWN_UNUSED: Dict[str, str] = {
    "utter_anything_else": "declared in domain.yml but sent by no action, rule or story (issue 19): remove or use it",
}

# Intents in the domain without training examples: bot/adapters/extensions/input_guard.py sets them
# at run time from bot/input_check.py's verdicts (empty/markup, too long, another language).
RUNTIME_INTENTS: Dict[str, str] = {
    "bad_input": "input guard: nothing readable or markup",
    "too_long": "input guard: over bot.input_check.MAX_LENGTH",
    "other_language": "input guard: not French",
    "rate_helpful": "button payload of the satisfaction question only (actions/satisfaction.py)",
    "rate_not_helpful": "button payload of the satisfaction question only (actions/satisfaction.py)",
}

# Whole warnings allowed as they are, with their reason.
ALLOWED_MESSAGES: Dict[str, str] = {
    # Rasa merges into the domain a second one it builds from the retrieval intents of the
    # training data (faq, contact), and warns about its own merge
    "The following duplicated intents have been found across multiple domain files: contact, faq": (
        "Rasa's merge of retrieval intents"
    ),
}

# Story structure conflicts allowed: (the conflict's first line, the stories named in it) -> reason. None today.
ALLOWED_CONFLICTS: Dict[Tuple[str, Tuple[str, ...]], str] = {}

UNUSED = re.compile(r"^The utterance '([^']+)' is not used in any story or rule\.?$")
NO_EXAMPLES = re.compile(
    r"^The intent '([^']+)' is listed in the domain file, but is not found in the NLU training data\.?$"
)
CONFLICT = "Story structure conflict"


def warnings_of(output: str) -> List[str]:
    """Each warning of the output, whole (a conflict with the lines that name its stories)."""
    lines = output.splitlines()
    found: List[str] = []
    for index, line in enumerate(lines):
        if "UserWarning:" in line:
            text = line.split("UserWarning:", 1)[1].strip()
            found.append(text or (lines[index + 1].strip() if index + 1 < len(lines) else ""))
        elif " WARNING " in line:
            text = line.split(" WARNING ", 1)[1].split(" - ", 1)[-1].strip()
            if text.startswith(CONFLICT):
                for follow in lines[index + 1 :]:
                    if not follow.startswith("  "):
                        break
                    text += "\n" + follow.rstrip()
            found.append(text)
    return found


def sends(source: object, response: str) -> bool:
    """Whether ``source`` (file, or (file, template)) really contains what sends ``response``."""
    path, needle = source if isinstance(source, tuple) else (source, None)
    text = (ROOT / str(path)).read_text(encoding="utf-8") if (ROOT / str(path)).exists() else ""
    if needle is not None:
        return needle in text
    return f'"{response}"' in text or f"'{response}'" in text


def form_question(response: str, domain: dict) -> bool:
    """``utter_ask_<form>_<slot>`` or ``utter_ask_<slot>`` with a form and a slot of the domain."""
    if not response.startswith("utter_ask_"):
        return False
    asked = response[len("utter_ask_") :]
    slots, forms = set(domain.get("slots") or {}), set(domain.get("forms") or {})
    if forms and asked in slots:
        return True
    return any(asked.startswith(f"{form}_") and asked[len(form) + 1 :] in slots for form in forms)


def judge(message: str, domain: dict) -> str | None:
    """None when ``message`` is allowed, else why it matters."""
    if message in ALLOWED_MESSAGES:
        return None
    unused = UNUSED.match(message)
    if unused:
        response = unused.group(1)
        if response in KNOWN_UNUSED or form_question(response, domain):
            return None
        if response in SENT_BY_CODE:
            if sends(SENT_BY_CODE[response], response):
                return None
            return f"{message} (allowed as sent by {SENT_BY_CODE[response]}, which does not send it)"
        return f"{message} (a new response nothing sends, or a misspelt name?)"
    no_examples = NO_EXAMPLES.match(message)
    if no_examples and no_examples.group(1) in RUNTIME_INTENTS:
        return None
    if message.startswith(CONFLICT):
        for (first_line, stories), _reason in ALLOWED_CONFLICTS.items():
            if message.splitlines()[0] == first_line and all(f"'{story}'" in message for story in stories):
                return None
    return message


def main() -> int:
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    output = done.stdout + done.stderr
    if done.returncode != 0:
        print(output[-6000:], file=sys.stderr)
        print("rasa data validate: FAILED", file=sys.stderr)
        return 1
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8")) or {}
    messages = warnings_of(output)
    bad = [problem for problem in (judge(message, domain) for message in messages) if problem]
    allowed_names = set(SENT_BY_CODE) | set(KNOWN_UNUSED) | set(RUNTIME_INTENTS)
    stale = sorted(name for name in allowed_names if not any(f"'{name}'" in message for message in messages))
    if stale:
        print(f"note: allowed but no longer warned about (remove from tests/check_validation.py): {', '.join(stale)}")
    if bad:
        print("rasa data validate: warnings that matter:", file=sys.stderr)
        for message in bad:
            print(f"  - {message}", file=sys.stderr)
        return 1
    print(f"rasa data validate: OK ({len(messages)} warnings, each allowed by name in tests/check_validation.py)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
