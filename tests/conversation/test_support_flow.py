"""Escalation to support over REST against a really started server (issue 7).

The full hand-off goes through a real SMTP server (aiosmtpd on 127.0.0.1)
started here: the ticket e-mail reaches the Miel support mailbox with its
reference and a transcript whose NIR, codes, e-mails and phone numbers are
masked, and the member gets an acknowledgement. With the SMTP server down,
the ticket stays queued and ``python -m bot outbox retry`` delivers it once
the server is up. Also: two misunderstandings in a row, a complaint, stop,
and SMIE, whose guide gives no support address.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Tuple

import pytest
from helpers.ports import free_port
from helpers.smtp import SmtpSink

from bot.tenants import load_tenant
from tests.conftest import Assistant, start_assistant, stop_assistant

pytestmark = pytest.mark.conversation

MIEL = load_tenant("miel")
SMIE = load_tenant("smie")
SUPPORT = MIEL.support_email
NIR = "1 80 10 42 218 123 33"
MONDAY_10H_PARIS = "2025-11-24T09:00:00+00:00"
SATURDAY_10H_PARIS = "2025-11-22T09:00:00+00:00"


def smtp_env(port: int) -> dict:
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_STARTTLS": "false",
        "SMTP_SENDER": "assistant@example.org",
        "SMTP_TIMEOUT": "5",
    }


@pytest.fixture(scope="module")
def miel_smtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[Assistant, SmtpSink]]:
    """A Miel assistant sending through a real local SMTP server."""
    sink = SmtpSink(free_port()).start()
    assistant = start_assistant(tmp_path_factory.mktemp("smtp"), "miel", smtp_env(sink.port))
    try:
        yield assistant, sink
    finally:
        stop_assistant(assistant)
        sink.stop()


@pytest.fixture(scope="module")
def miel_smtp_down(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[Assistant, int]]:
    """A Miel assistant whose SMTP server is not running (yet)."""
    port = free_port()
    assistant = start_assistant(tmp_path_factory.mktemp("smtpdown"), "miel", smtp_env(port))
    try:
        yield assistant, port
    finally:
        stop_assistant(assistant)


def say(assistant: Assistant, sender: str, text: str) -> str:
    return assistant.say_text(sender, text)


def hand_off(assistant: Assistant, sender: str, description: str, email: str) -> str:
    """From « parler à un conseiller » to the reply after the last « oui »."""
    reply = say(assistant, sender, "je voudrais parler à un conseiller")
    assert "?" in reply, reply
    assert "Décrivez votre demande" in say(assistant, sender, "/affirm")
    assert "adresse e-mail" in say(assistant, sender, description)
    summary = say(assistant, sender, email)
    assert "Réponse à" in summary and email not in summary, summary
    return say(assistant, sender, "/affirm")


def reference_in(text: str, tenant_id: str) -> str:
    found = re.search(rf"\b({tenant_id.upper()}-\d{{4}}-[A-Z0-9]{{6}})\b", text)
    assert found, text
    return found.group(1)


def transcript_of(message: Any) -> str:
    body = message.get_content()
    assert "Conversation (" in body, body
    return body.split("Conversation (", 1)[1]


DESCRIPTION = (
    f"Je n'arrive pas à activer mon compte. Mon numéro de sécurité sociale est {NIR}, "
    "mon portable le 06 12 34 56 78, le code 482913 ne marche pas, écrivez aussi à jean.autre@example.org"
)


# ---- the full hand-off, with a real SMTP server ---------------------------------------


def test_full_hand_off_reaches_the_support_mailbox_with_a_masked_transcript(miel_smtp):
    assistant, sink = miel_smtp
    assistant.set_clock(MONDAY_10H_PARIS)
    try:
        sender = assistant.new_sender("support")
        offer = say(assistant, sender, "je voudrais parler à un conseiller")
        assert MIEL.phone.number in offer and MIEL.opening_hours.text in offer, offer
        assert "ouverte en ce moment" in offer and "Voulez-vous laisser un message" in offer, offer
        assert "Décrivez votre demande" in say(assistant, sender, "/affirm")
        assert "À quelle adresse e-mail" in say(assistant, sender, DESCRIPTION)
        summary = say(assistant, sender, "jean.test@example.org")
        assert "j***t@example.org" in summary and "218 123" not in summary, summary
        done = say(assistant, sender, "/affirm")
    finally:
        assistant.set_clock(None)
    assert "C'est transmis" in done and "accusé de réception" in done, done
    reference = reference_in(done, "miel")

    (ticket,) = sink.wait_for(SUPPORT)
    assert reference in ticket["Subject"]
    body = ticket.get_content()
    assert reference in body and "Miel" in body and "demande à parler à un conseiller" in body
    transcript = transcript_of(ticket)
    assert "parler à un conseiller" in transcript
    for secret in ("218 123", "06 12 34 56 78", "482913", "jean.test@example.org", "jean.autre@example.org"):
        assert secret not in transcript, secret
    assert "[n° de sécurité sociale masqué]" in transcript and "[code masqué]" in transcript
    assert "[téléphone masqué se terminant par 78]" in transcript
    assert ticket["Reply-To"] == "jean.test@example.org"

    (ack,) = sink.wait_for("jean.test@example.org")
    assert reference in ack.get_content() or reference in ack["Subject"]

    state = assistant.member_rows("select state from support_tickets where reference = :ref", ref=reference)
    assert state == [("sent",)]


def test_closed_line_says_when_it_reopens(miel_smtp):
    assistant, _sink = miel_smtp
    assistant.set_clock(SATURDAY_10H_PARIS)
    try:
        offer = say(assistant, assistant.new_sender("closed"), "est-ce que je peux parler à une personne ?")
    finally:
        assistant.set_clock(None)
    assert "fermée en ce moment" in offer and "lundi à 8h30" in offer, offer
    assert "Voulez-vous laisser un message" in offer


def test_smtp_down_then_up_nothing_is_lost(miel_smtp_down):
    assistant, port = miel_smtp_down
    sender = assistant.new_sender("queued")
    done = hand_off(assistant, sender, "Mon espace affiche une erreur depuis hier.", "marie.test@example.org")
    assert "enregistrée" in done and "transmise dès que possible" in done, done
    reference = reference_in(done, "miel")

    sink = SmtpSink(port).start()
    try:
        assistant.set_clock("+600")  # past the first retry delay
        retried = assistant.cli("outbox", "retry")
        assert retried.returncode == 0, retried.stderr
        tickets = sink.wait_for(SUPPORT)
        assert len(tickets) == 1 and reference in tickets[0]["Subject"]
        assert sink.wait_for("marie.test@example.org")
    finally:
        assistant.set_clock(None)
        sink.stop()
    state = assistant.member_rows("select state from support_tickets where reference = :ref", ref=reference)
    assert state == [("sent",)]


# ---- the other ways in ----------------------------------------------------------------


@pytest.mark.parametrize("nonsense", ["hmm ben alors", "gloubi boulga patati et patata", "pfff"])
def test_two_misunderstandings_in_a_row_offer_support(miel, nonsense):
    sender = miel.new_sender("fallback")
    # a filler, nonsense, a sigh: nothing in the guides answers them
    first = say(miel, sender, nonsense)
    assert "reformuler" in first, first
    second = say(miel, sender, "et là le truc")
    assert "Je ne parviens pas à comprendre" in second and "Voulez-vous laisser un message" in second, second
    assert "je n'envoie rien" in say(miel, sender, "/deny")


@pytest.mark.parametrize(
    "message",
    [
        "je souhaite déposer une réclamation contre vous",
        "c'est inadmissible, cela fait trois semaines que j'attends une réponse",
    ],
)
def test_a_complaint_is_handed_to_support(miel, message):
    reply = say(miel, miel.new_sender("complaint"), message)
    assert "réclamation" in reply and MIEL.phone.number in reply, reply


def test_stop_during_the_support_form(miel):
    sender = miel.new_sender("stop")
    say(miel, sender, "je voudrais parler à un conseiller de la mutuelle")
    say(miel, sender, "/affirm")
    assert "j'arrête" in say(miel, sender, "stop")
    assert "Bonjour" in say(miel, sender, "bonjour")


def test_no_sends_nothing(miel):
    sender = miel.new_sender("no")
    before = len(miel.outbox())
    say(miel, sender, "je voudrais parler à un conseiller de la mutuelle")
    say(miel, sender, "/affirm")
    say(miel, sender, "Je n'arrive pas à me connecter.")
    say(miel, sender, "paul.non@example.org")
    assert "je n'envoie rien" in say(miel, sender, "/deny")
    assert len(miel.outbox()) == before


# ---- SMIE: no support address in the guide --------------------------------------------


def test_smie_records_the_request_and_says_how_to_reach_smie(smie):
    sender = smie.new_sender("smie-support")
    offer = say(smie, sender, "je voudrais parler à un conseiller")
    assert "Je ne peux pas transmettre de message directement à SMIE Mutuelle" in offer, offer
    assert "mutuellesmie.com" in offer
    assert not re.search(r"\b0\d( ?\d\d){4}\b", offer)  # no invented phone number
    before = [m for m in smie.outbox() if m.get("kind", "").startswith("support_ticket")]
    assert "Décrivez votre demande" in say(smie, sender, "/affirm")
    say(smie, sender, "Je n'ai jamais reçu mon courrier avec le code d'accès.")
    assert "J'enregistre cette demande" in say(smie, sender, "lea.test@example.org")
    done = say(smie, sender, "/affirm")
    reference_in(done, "smie")
    assert "espace personnel" in done and "mutuellesmie.com" in done, done
    after = [m for m in smie.outbox() if m.get("kind", "").startswith("support_ticket")]
    assert after == before  # nothing sent: no support address


def test_known_address_is_offered_and_the_verified_member_is_on_the_ticket(smie):
    from test_registration_flow import new_member, to_the_cgu

    member = new_member(smie)
    sender = to_the_cgu(smie, member)
    say(smie, sender, "parler à un conseiller")
    say(smie, sender, "/affirm")
    masked = member.email[0] + "***" + member.email.split("@")[0][-1] + "@example.org"
    ask = say(smie, sender, "Je ne comprends pas les conditions d'utilisation.")
    assert masked in ask and member.email not in ask, ask
    assert "J'enregistre cette demande" in say(smie, sender, "/affirm")
    reference = reference_in(say(smie, sender, "/affirm"), "smie")
    rows = smie.member_rows(
        "select adherent_number, contact_email, reason from support_tickets where reference = :ref", ref=reference
    )
    assert rows == [(member.adherent, member.email, "advisor_request")]
