"""How the report recognises each step of a conversation: the names it reads.

One place for every name the report (:mod:`bot.report.queries`) looks for in
the two stores, so a renamed action or audit event is changed here only:

- in the conversation store (Rasa's ``events`` table): the actions that
  start a flow, the fallback action, the support offer, the satisfaction
  question shown (its response name) and the buttons pressed (their intents);
  the slots of ``actions/satisfaction.py`` are not read: Rasa carries slots
  over to a new session, which would count a question twice;
- in the member store (``audit_events``): the audit events the services
  write at each step, with the conversation's keyed hash
  (:meth:`bot.context.Context.conversation_ref`).  The audit trail is the
  reliable signal: it is written in the same transaction as what it records
  (a code really sent, a code really verified, a ticket really created).
"""

from __future__ import annotations

from typing import Dict, Tuple

# --- conversation store ---------------------------------------------------------------
USER_EVENT = "user"
ACTION_EVENT = "action"
BOT_EVENT = "bot"
START_ACTIVATION_ACTION = "action_start_activation"
START_REGISTRATION_ACTION = "action_start_registration"
FALLBACK_ACTION = "action_default_fallback"
SUPPORT_OFFER_ACTION = "action_offer_support"

SATISFACTION_TOPIC_SLOT = "satisfaction_asked"  # "activation" | "answer", set when asked
SATISFACTION_SLOT = "satisfaction"  # "helpful" | "not_helpful", set when the member answers
SATISFACTION_TOPICS: Tuple[str, ...] = ("activation", "answer")
# the question as the report finds it: the bot message of this response (its utter_action)
SATISFACTION_QUESTIONS: Dict[str, str] = {
    "activation": "utter_satisfaction_ask_activation",
    "answer": "utter_satisfaction_ask_answer",
}
SATISFACTION_RATINGS: Tuple[str, ...] = ("helpful", "not_helpful")
# button payload intents -> rating
SATISFACTION_INTENTS: Dict[str, str] = {"rate_helpful": "helpful", "rate_not_helpful": "not_helpful"}

# --- member store: audit events per funnel step -----------------------------------------
# Miel activation (bot/activation): identity matched an activatable member, a code left
# (minus the sends that failed), the code was verified, the two e-mails left; the password
# is set on the page of the link (password_set, tied to the conversation by its token_id).
ACTIVATION_PURPOSE = "activation"
IDENTITY_MATCHED = "identity_matched"
OTP_SENT = "otp_sent"
OTP_SEND_FAILED = "otp_send_failed"
OTP_VERIFIED = "otp_verified"
ACTIVATION_COMPLETED = "activation_completed"
PASSWORD_SET = "password_set"  # noqa: S105 - an audit event name, not a password
# SMIE registration (bot/registration): access code matched, CGU accepted, the
# confirmation e-mail left, then the password page of its link (or the code typed in the chat).
ACCESS_MATCHED = "access_matched"
CGU_ACCEPTED = "cgu_accepted"
CONFIRMATION_SENT = "confirmation_sent"
EMAIL_CONFIRMED = "email_confirmed"
# hand-off: a ticket created for support (bot/support/tickets.py), with its reason
TICKET_CREATED = "ticket_created"

STEP_EVENTS: Tuple[str, ...] = (
    IDENTITY_MATCHED,
    OTP_SENT,
    OTP_SEND_FAILED,
    OTP_VERIFIED,
    ACTIVATION_COMPLETED,
    ACCESS_MATCHED,
    CGU_ACCEPTED,
    CONFIRMATION_SENT,
    EMAIL_CONFIRMED,
    TICKET_CREATED,
)

ACTIVATION_STEPS: Tuple[str, ...] = (
    "started",
    "identity_verified",
    "code_sent",
    "code_verified",
    "emails_sent",
    "password_set",
)
REGISTRATION_STEPS: Tuple[str, ...] = (
    "started",
    "access_verified",
    "cgu_accepted",
    "confirmation_sent",
    "email_confirmed",
    "password_set",
)
