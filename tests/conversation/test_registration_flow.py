"""SMIE-style registration over REST against a really started server (issues 6 and 12).

From « je souhaite ouvrir mon compte adhérent en ligne » to an active account: adherent number and
access code « indiqués dans le courrier », e-mail, CGU accepted, the e-mail
« Je valide mon inscription » read from the outbox, its link followed to the
password page. Failure paths: wrong access code (3 times: support), CGU
refused, expired link, the activation code typed in the chat. Abuse (issue
12): an impostor holding the letter but typing their own e-mail gets
nothing at their address; a number throttled after repeated wrong codes
answers like a wrong code, and its member is told once; one client is
limited across conversations (a dedicated server with a low limit). Every
test imports a fictional SMIE member of its own, so that tests never share
state.
"""

from __future__ import annotations

import csv
import json
import re
import secrets
import time
from dataclasses import dataclass
from datetime import date

import pytest
import requests
from helpers.nir import make_nir

from bot.tenants import load_tenant
from tests.conftest import start_assistant, stop_assistant

pytestmark = pytest.mark.conversation

SMIE = load_tenant("smie")
START = "je souhaite ouvrir mon compte adhérent en ligne"  # not a training example of data/nlu
PASSWORD = "Printemps-2025!"


@dataclass(frozen=True)
class Member:
    adherent: str
    access_code: str
    email: str  # the address the member types (and has on file when on_file)
    status: str = "inactive"
    on_file: bool = False
    mobile: str = ""


def _nir(born: date) -> str:
    body = f"1{born.year % 100:02d}{born.month:02d}75{secrets.randbelow(999) + 1:03d}{secrets.randbelow(999) + 1:03d}"
    return make_nir(body)


def new_member(smie, status: str = "inactive", on_file: bool = False, mobile: str = "") -> Member:
    """A fictional SMIE member with an access code, imported into the running server;
    ``on_file``: the record holds the member's e-mail (``mobile``: and that mobile)."""
    token = secrets.token_hex(3)
    member = Member(
        adherent=f"7{secrets.randbelow(10**6):06d}",
        access_code=f"SMIE-{secrets.randbelow(10**4):04d}",
        email=f"reg.{token}@example.org",
        status=status,
        on_file=on_file,
        mobile=mobile,
    )
    born = date(1960 + secrets.randbelow(40), 1 + secrets.randbelow(12), 1 + secrets.randbelow(28))
    path = smie.workdir / f"smie-members-{token}.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["adherent_number", "nir", "birth_date", "birth_department", "last_name", "first_name",
                         "email", "mobile", "access_code", "status"])  # fmt: skip
        writer.writerow([member.adherent, _nir(born), born.isoformat(), "75", "Durand", "Alice",
                         member.email if on_file else "", mobile, member.access_code, status])  # fmt: skip
    smie.cli("members", "import", str(path))
    return member


@pytest.fixture
def member(smie) -> Member:
    return new_member(smie)


def say(smie, sender: str, text: str, client_ip: str | None = None) -> str:
    return smie.say_text(sender, text, client_ip=client_ip)


def start(smie, client_ip: str | None = None) -> str:
    sender = smie.new_sender("registration")
    reply = say(smie, sender, START, client_ip)
    assert "numéro d'adhérent" in reply and "courrier" in reply, reply
    assert "jamais de mot de passe" in reply, reply
    return sender


def to_the_cgu(smie, m: Member) -> str:
    sender = start(smie)
    assert "code d'accès" in say(smie, sender, m.adherent)
    assert "adresse e-mail" in say(smie, sender, m.access_code)
    replies = smie.say(sender, m.email)
    text = "\n".join(r.get("text", "") for r in replies)
    assert "conditions générales d'utilisation" in text and SMIE.cgu.url in text, text
    payloads = [b["payload"] for r in replies for b in r.get("buttons", [])]
    assert payloads == ["/affirm", "/deny"]
    return sender


def to_the_email(smie, m: Member) -> str:
    sender = to_the_cgu(smie, m)
    reply = say(smie, sender, "/affirm")
    assert "Je valide mon inscription" in reply, reply
    return sender


def confirmation_mail(smie, m: Member) -> dict:
    mails = [x for x in smie.outbox_for(m.email) if x["channel"] == "email"]
    assert mails, f"no e-mail to {m.email}"
    return mails[-1]


def link_and_code(smie, m: Member) -> tuple[str, str]:
    body = confirmation_mail(smie, m)["body"]
    link = re.search(r"https?://\S+/activation/\S+", body).group(0)
    code = re.search(r"\b(\d{13})\b", body).group(1)
    return link, code


class PasswordPage:
    """The page of the « Je valide mon inscription » link, with its CSRF cookie and field."""

    def __init__(self, link: str) -> None:
        self.link = link
        self.http = requests.Session()

    def get(self) -> requests.Response:
        return self.http.get(self.link, timeout=30)

    def post(self, email: str, password: str) -> requests.Response:
        page = self.get()
        assert page.status_code == 200, page.text
        assert "activation_csrf" in page.headers.get("Set-Cookie", "")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        form = {"csrf_token": csrf, "email": email, "password": password, "password_confirm": password}
        return self.http.post(self.link, data=form, timeout=30)


def stored_conversation(smie, sender: str) -> str:
    """What the member and the assistant said, and the slot values, as stored."""
    kept = []
    for _, event in smie.stored_events(sender):  # SQLite or PostgreSQL
        if event.get("event") in ("user", "bot"):
            kept.append(str(event.get("text")))
            kept.append(str((event.get("parse_data") or {}).get("text")))
        elif event.get("event") == "slot":
            kept.append(json.dumps(event.get("value"), ensure_ascii=False))
    return "\n".join(kept)


# ---- the happy path --------------------------------------------------------------------


def test_from_the_first_message_to_an_active_account(smie, member):
    sender = to_the_cgu(smie, member)
    reply = say(smie, sender, "/affirm")
    # the guide's confirmation e-mail: link valid 24 h, single use, to the password page
    for expected in ("Je valide mon inscription", f"{SMIE.activation_link_hours} heures", "ne sert qu'une fois",
                     "mot de passe", "indésirables", SMIE.sender_email, "code d'activation à 13 chiffres"):  # fmt: skip
        assert expected in reply, (expected, reply)
    assert member.email not in reply  # masked
    mail = confirmation_mail(smie, member)
    assert "Demande de confirmation d'inscription" in mail["subject"]
    link, _code = link_and_code(smie, member)

    page = PasswordPage(link)
    done = page.post(member.email, PASSWORD)
    assert done.status_code == 200 and "Félicitations" in done.text, done.text
    assert smie.member_status(member.adherent) == "active"

    # nothing typed in clear stays in the conversation store
    stored = stored_conversation(smie, sender)
    assert member.access_code not in stored and member.access_code.split("-")[1] not in stored
    assert member.email not in stored and member.adherent not in stored
    assert "[masqué]" in stored  # the answer to the access code question, replaced whole
    assert PASSWORD not in stored


def test_the_password_is_never_asked_in_the_chat(smie, member):
    sender = start(smie)
    texts = [say(smie, sender, value) for value in (member.adherent, member.access_code, member.email, "/affirm")]
    for text in texts:
        assert "votre mot de passe ?" not in text.lower()


# ---- questions during the form -------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    ["où je trouve ça ?", "pourquoi vous me demandez ça ?", "c'est où mon code d'accès ?"],
)
def test_where_to_find_the_identifiers_and_the_form_goes_on(smie, member, question):
    sender = start(smie)
    reply = say(smie, sender, question)
    assert "courrier" in reply, reply
    assert "code d'accès" in say(smie, sender, member.adherent)


def test_stop_during_the_form(smie, member):
    sender = start(smie)
    say(smie, sender, member.adherent)
    assert "j'arrête" in say(smie, sender, "stop")
    assert "Bonjour" in say(smie, sender, "bonjour")


def test_asking_for_a_person_during_the_form_leaves_it_for_the_hand_off(smie, member):
    sender = start(smie)
    say(smie, sender, member.adherent)
    reply = say(smie, sender, "je veux parler à un conseiller")
    assert "Voulez-vous que je l'enregistre" in reply, reply
    assert "je n'envoie rien" in say(smie, sender, "/deny")


def test_stop_at_the_cgu_question(smie, member):
    sender = to_the_cgu(smie, member)
    assert "Sans votre accord" in say(smie, sender, "stop")
    assert smie.outbox_for(member.email) == []


def test_an_account_already_active_is_sent_to_the_login_page(smie):
    active = new_member(smie, status="active")
    sender = start(smie)
    say(smie, sender, active.adherent)
    reply = say(smie, sender, active.access_code)
    assert "déjà créé" in reply and "mutuellesmie.com" in reply, reply


# ---- failure paths ----------------------------------------------------------------------


def test_wrong_access_code_three_times_hands_off_to_support(smie, member):
    sender = start(smie)
    for attempt, left in ((1, "2 essais"), (2, "1 essai")):
        say(smie, sender, member.adherent)
        reply = say(smie, sender, "SMIE-0000" if member.access_code != "SMIE-0000" else "SMIE-0001")
        # generic: never says which value is wrong
        assert "ne correspondent pas" in reply and left in reply, (attempt, reply)
    # an unknown adherent number gets the same answer, and is the third failure
    say(smie, sender, "7999999")
    reply = say(smie, sender, member.access_code)
    assert "plusieurs essais" in reply, reply
    assert "Je ne peux pas transmettre de message directement à SMIE Mutuelle" in reply, reply
    assert smie.member_status(member.adherent) == "inactive"
    # no phone number invented for SMIE
    assert not re.search(r"\b0\d( ?\d\d){4}\b", reply)
    # starting again in the same conversation does not give 3 more tries
    assert "je n'envoie rien" in say(smie, sender, "/deny")
    again = say(smie, sender, START)
    assert "plusieurs essais" in again and "numéro d'adhérent ?" not in again, again


def test_cgu_refused_ends_politely_and_sends_nothing(smie, member):
    sender = to_the_cgu(smie, member)
    reply = say(smie, sender, "/deny")
    assert "Sans votre accord" in reply and "créer mon compte" in reply, reply
    assert smie.outbox_for(member.email) == []
    assert smie.member_status(member.adherent) == "inactive"


def test_a_yes_that_does_not_answer_the_cgu_question_asks_it_again(smie, member):
    sender = to_the_cgu(smie, member)
    say(smie, sender, "quels sont vos horaires ?")
    reply = say(smie, sender, "oui")
    assert "Acceptez-vous les conditions générales d'utilisation" in reply, reply
    assert smie.outbox_for(member.email) == []
    assert "Je valide mon inscription" in say(smie, sender, "/affirm")


def test_expired_link_and_expired_code(smie, member):
    sender = to_the_email(smie, member)
    link, code = link_and_code(smie, member)
    try:
        smie.set_clock("+90000")  # 25 hours later
        page = PasswordPage(link).get()
        assert page.status_code == 410 and "expiré" in page.text
        reply = say(smie, sender, code)
        assert "expiré" in reply and "créer mon compte" in reply, reply
    finally:
        smie.set_clock(None)
    assert smie.member_status(member.adherent) == "inactive"


def test_activation_code_typed_in_the_chat(smie, member):
    sender = to_the_email(smie, member)
    link, code = link_and_code(smie, member)
    wrong = f"{(int(code) + 1) % 10**13:013d}"
    reply = say(smie, sender, wrong)
    assert "ne correspond pas" in reply, reply
    reply = say(smie, sender, f"mon code d'activation est {code}")
    assert "adresse e-mail est confirmée" in reply and "mot de passe" in reply, reply
    assert smie.member_status(member.adherent) == "pending"
    assert code not in stored_conversation(smie, sender)
    # the password is still chosen on the page of the link
    done = PasswordPage(link).post(member.email, PASSWORD)
    assert done.status_code == 200, done.text
    assert smie.member_status(member.adherent) == "active"


def _wrong_code(m: Member) -> str:
    return "SMIE-0000" if m.access_code != "SMIE-0000" else "SMIE-0001"


def _wait_for(condition, timeout: float = 10.0):  # type: ignore[no-untyped-def]
    """Notices are delivered off the reply's path: wait a little for them."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


# ---- abuse: the e-mail on file, throttled numbers, one client (issue 12) ------------------------


def test_an_impostor_with_the_letter_gets_nothing_at_their_own_address(smie):
    """Right adherent number and access code, but the impostor's own e-mail: nothing reaches it."""
    victim = new_member(smie, on_file=True, mobile="06 12 34 56 99")
    impostor = f"intrus.{secrets.token_hex(3)}@example.net"
    masked = f"{victim.email[0]}***{victim.email.split('@')[0][-1]}@example.org"

    # 1. « is the address on file still yours? » -> no: hand-off, nothing sent to the impostor
    sender = start(smie)
    say(smie, sender, victim.adherent)
    say(smie, sender, victim.access_code)
    reply = say(smie, sender, impostor)
    assert masked in reply and "toujours la vôtre" in reply and "Je n'envoie rien" in reply, reply
    assert victim.email not in reply and "conditions générales" not in reply
    reply = say(smie, sender, "/deny")
    assert "coordonnées déjà enregistrées" in reply and "votre espace personnel" in reply, reply
    assert not re.search(r"\b0\d( ?\d\d){4}\b", reply)  # no phone invented for SMIE
    assert "je n'envoie rien" in say(smie, sender, "/deny")
    # the member on file hears of the attempt, by e-mail and SMS (not the impostor)
    told = _wait_for(lambda: [m for m in smie.outbox_for(victim.email) if m["kind"] == "notice_attempt_stopped"])
    assert told and "n'étaient pas les siennes" in told[0]["body"]

    # 2. -> yes: the confirmation goes to the address on file only
    sender = start(smie)
    say(smie, sender, victim.adherent)
    say(smie, sender, victim.access_code)
    assert masked in say(smie, sender, impostor.upper())
    reply = say(smie, sender, "/affirm")
    assert "Acceptez-vous les conditions générales d'utilisation" in reply, reply
    reply = say(smie, sender, "/affirm")
    assert "Je valide mon inscription" in reply and masked in reply, reply
    assert [m["kind"] for m in smie.outbox_for(victim.email) if m["channel"] == "email"][
        -1
    ] == "registration_confirmation"

    assert smie.outbox_for(impostor) == [] and smie.outbox_for(impostor.upper()) == []
    assert all(impostor not in json.dumps(m) for m in smie.outbox())
    assert smie.member_status(victim.adherent) == "inactive"
    shown = smie.cli("members", "show", victim.adherent).stdout
    assert masked in shown  # the e-mail on file is unchanged


@pytest.mark.parametrize("typed", ["as on file", "other case"])
def test_the_honest_member_with_an_email_on_file_registers_in_as_many_turns(smie, typed):
    member = new_member(smie, on_file=True)
    email = member.email if typed == "as on file" else member.email.upper()
    sender = start(smie)
    turns = [member.adherent, member.access_code, email, "/affirm"]
    replies = [say(smie, sender, text) for text in turns]
    assert "conditions générales d'utilisation" in replies[2] and "toujours la vôtre" not in replies[2], replies[2]
    assert "Je valide mon inscription" in replies[3], replies[3]
    assert 1 + len(turns) == 5  # the start, then the same 4 answers as before issue 12
    link, _code = link_and_code(smie, member)
    done = PasswordPage(link).post(member.email, PASSWORD)
    assert done.status_code == 200 and "Félicitations" in done.text, done.text
    assert smie.member_status(member.adherent) == "active"


def test_a_throttled_number_answers_like_a_wrong_code_and_its_member_is_told_once(smie):
    member = new_member(smie, on_file=True)
    wrong = _wrong_code(member)
    # what a wrong code gets, in a fresh conversation
    sender = start(smie)
    say(smie, sender, member.adherent)
    reference = say(smie, sender, wrong)
    assert "ne correspondent pas" in reference and "suspendue pendant un moment" in reference, reference
    # 9 more wrong codes from other conversations (3 per conversation, then the hand-off)
    for tries in (3, 3, 3):
        sender = start(smie)
        for _ in range(tries):
            say(smie, sender, member.adherent)
            say(smie, sender, wrong)
    # the per-number limit (10 wrong codes an hour) is reached: the right code reads like a wrong one
    sender = start(smie)
    say(smie, sender, member.adherent)
    assert say(smie, sender, member.access_code) == reference
    unknown = start(smie)
    say(smie, unknown, "7999990")
    assert say(smie, unknown, member.access_code) == reference
    told = _wait_for(lambda: [m for m in smie.outbox_for(member.email) if m["kind"] == "notice_locked"])
    assert len(told) == 1 and "bloquée" in told[0]["body"]
    assert smie.member_status(member.adherent) == "inactive"  # a pause, not a lock in the store


def test_one_client_is_limited_across_conversations(tmp_path):
    """A dedicated server (2 access-code checks per client) so other tests are not disturbed."""
    server = start_assistant(tmp_path, "smie", extra_env={"ASSISTANT_LIMIT_CLIENT_ATTEMPTS": "2"})
    try:
        member = new_member(server)
        same_ip, other_ip = "10.200.0.1", "10.200.0.2"
        first = start(server, same_ip)
        say(server, first, "7999991", same_ip)
        reference = say(server, first, member.access_code, same_ip)  # unknown number
        say(server, first, member.adherent, same_ip)
        assert say(server, first, _wrong_code(member), same_ip) != reference  # 2nd failure: « 1 essai »
        # a new conversation from the same client: the right code reads like a first wrong one
        second = start(server, same_ip)
        say(server, second, member.adherent, same_ip)
        assert say(server, second, member.access_code, same_ip) == reference
        # another client is not affected
        third = start(server, other_ip)
        say(server, third, member.adherent, other_ip)
        assert "adresse e-mail" in say(server, third, member.access_code, other_ip)
    finally:
        stop_assistant(server)


def test_a_code_without_a_registration_in_progress(smie):
    reply = say(smie, smie.new_sender("code"), "1753446898276")
    assert "créer mon compte" in reply, reply


# ---- login help (2-step login, FAQ answers) ------------------------------------------


@pytest.mark.parametrize(
    "question, expected",
    [
        ("comment je me connecte à mon espace ?", "2 étapes"),
        ("je n'ai pas reçu le code de sécurité par mail", "indésirables"),
        ("mon code de connexion a expiré", "5 minutes"),
    ],
)
def test_login_help_is_the_guide_s_two_step_login(smie, question, expected):
    reply = say(smie, smie.new_sender("login"), question)
    assert expected in reply, reply
