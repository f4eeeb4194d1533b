"""Issue 12 on a really started Miel assistant: what an impostor meets, and the limits.

The impostor knows everything a relative knows (NIR, birth date and
department, names) but not the member's phone: they type their own mobile
and e-mail. Nothing may reach those contacts, the account must stay
inactive, and the member hears of it through the contacts on file. Honest
members (born in Corsica, overseas, abroad; with an overseas mobile; with an
e-mail only) still activate in the same few turns. Every limit is tripped
here on real servers; the limits shared by replicas are tripped across two
servers sharing one PostgreSQL member store.
"""

from __future__ import annotations

import os
import re
import secrets
import uuid
from pathlib import Path
from typing import Iterator, List

import pytest
from db_schemas import POSTGRES_ENV, with_pg_options
from test_activation_flow import (
    FOUND,
    MIEL,
    PASSWORD,
    START,
    STILL_YOURS,
    PasswordPage,
    Person,
    _demo,
    activation_link,
    give_identity,
    identify,
    import_members,
    last_sms_code,
    new_person,
    say,
    start,
)

from tests.conftest import Assistant, _create_schemas, _drop_schemas, start_assistant, stop_assistant

pytestmark = pytest.mark.conversation

IMPOSTOR_MOBILE = "06 99 88 77 66"
IMPOSTOR_MOBILE_E164 = "+33699887766"
IMPOSTOR_EMAIL = "usurpateur@example.net"


def all_at_once(p: Person) -> str:
    return f"{p.last_name.upper()} {p.first_name}, {p.nir}, {p.born}, {p.department}"


def nothing_reached_the_impostor(assistant: Assistant) -> None:
    assert assistant.outbox_for(IMPOSTOR_MOBILE_E164) == []
    assert assistant.outbox_for(IMPOSTOR_EMAIL) == []


def notices_to(assistant: Assistant, contact: str, kind: str) -> List[dict]:
    return [m for m in assistant.outbox_for(contact) if m.get("kind") == f"notice_{kind}"]


# ---- the impostor ------------------------------------------------------------------------


def test_impostor_with_the_identity_data_cannot_take_the_account(miel):
    member = new_person()
    import_members(miel, member)
    sender = start(miel)
    reply = identify(miel, sender, all_at_once(member))
    assert FOUND in reply and STILL_YOURS in reply, reply
    # the impostor answers with their own contacts: compared with the record, never used
    reply = say(miel, sender, f"non mon numéro c'est le {IMPOSTOR_MOBILE}")
    assert "pas ce qui figure dans votre dossier" in reply, reply
    reply = say(miel, sender, IMPOSTOR_EMAIL)
    assert "pas ce qui figure dans votre dossier" in reply, reply
    reply = say(miel, sender, "non")
    assert "coordonnées déjà enregistrées" in reply and "conseiller" in reply, reply
    assert MIEL.phone.number in reply, reply
    nothing_reached_the_impostor(miel)
    assert miel.outbox_for(member.mobile_e164) == [] or all(
        m["kind"].startswith("notice_") for m in miel.outbox_for(member.mobile_e164)
    )
    assert miel.member_status(member.adherent) == "inactive"
    # the member hears of it through what the mutuelle already has
    assert notices_to(miel, member.email, "attempt_stopped"), miel.outbox_for(member.email)
    assert notices_to(miel, member.mobile_e164, "attempt_stopped")
    # a new attempt in the same conversation does not bring a destination of the impostor's choosing
    reply = say(miel, sender, START)
    reply = identify(miel, sender, all_at_once(member))
    assert STILL_YOURS in reply
    say(miel, sender, "oui")  # the code goes to the member's phone, not to the impostor
    nothing_reached_the_impostor(miel)
    assert [m for m in miel.outbox_for(member.mobile_e164) if m["kind"] == "activation_code"]
    assert miel.member_status(member.adherent) == "inactive"


def test_pending_activation_is_not_cancelled_by_someone_else(miel):
    member = new_person()
    import_members(miel, member)
    sender = start(miel)
    give_identity(miel, sender, member)
    say(miel, sender, "oui")
    assert "Deux e-mails" in say(miel, sender, last_sms_code(miel, member))
    link = activation_link(miel, member)
    # someone else with the identity data tries again in another conversation
    other = start(miel)
    identify(miel, other, all_at_once(member))
    say(miel, other, "non")
    # the member's link still works
    answer = PasswordPage(link).post(member.born, PASSWORD)
    assert answer.status_code == 200, answer.text
    assert miel.member_status(member.adherent) == "active"
    assert notices_to(miel, member.email, "activation_completed")


def test_a_code_belongs_to_the_conversation_that_asked_for_it(miel):
    member = new_person()
    import_members(miel, member)
    first = start(miel)
    give_identity(miel, first, member)
    say(miel, first, "oui")
    code = last_sms_code(miel, member)
    # a second conversation (perhaps the impostor's) cannot use it
    second = start(miel)
    identify(miel, second, all_at_once(member))
    say(miel, second, "oui")
    second_code = last_sms_code(miel, member)
    if second_code != code:
        reply = say(miel, second, code)
        assert "Deux e-mails" not in reply, reply
    # the first conversation's code still works there (a send elsewhere did not kill it)
    assert "Deux e-mails" in say(miel, first, code)


# ---- honest members, every kind --------------------------------------------------------


@pytest.mark.parametrize(
    "adherent, channel",
    [
        ("100003", "sms"),  # born in Corsica (2A)
        ("100004", "sms"),  # born in La Réunion (974)
        ("100005", "sms"),  # born abroad (99)
        ("100010", "sms"),  # overseas mobile on file (+262)
        ("100008", "email"),  # e-mail only on file: the code goes there
    ],
)
def test_honest_members_activate_in_a_few_turns(miel, adherent, channel):
    p = _demo(adherent)
    sender = start(miel)
    turns = 1
    reply = identify(miel, sender, all_at_once(p))
    turns += 2
    assert FOUND in reply and ("toujours le vôtre" in reply or "toujours la vôtre" in reply), reply
    assert "Répondez simplement" not in reply, reply  # no prompt before the question
    reply = say(miel, sender, "oui")
    turns += 1
    if channel == "sms":
        assert "par SMS" in reply, reply
        code = last_sms_code(miel, p)
    else:
        assert "par e-mail" in reply, reply
        mails = [m for m in miel.outbox_for(p.email) if m["kind"] == "activation_code"]
        code = re.search(r"\b(\d{6})\b", mails[-1]["body"]).group(1)
    done = say(miel, sender, code)
    turns += 1
    assert "Deux e-mails" in done, done
    assert turns <= 5  # start, identity, « oui » to the recap, « oui » to the contact, code
    assert miel.member_status(p.adherent) == "pending"
    mails = [m for m in miel.outbox_for(p.email) if m["kind"] in ("identifier", "set_password_link")]
    assert len(mails) == 2


def test_member_without_contacts_on_file_is_handed_to_support(miel):
    p = _demo("100009")
    sender = start(miel)
    reply = identify(miel, sender, all_at_once(p))
    assert "ni mobile ni adresse e-mail" in reply, reply
    assert MIEL.phone.number in reply and "message" in reply, reply
    assert miel.member_status(p.adherent) == "inactive"


def test_member_with_a_mobile_but_no_email_adds_one_after_the_code(miel):
    member = new_person()
    member = Person(**{**member.__dict__, "email": ""})
    import_members(miel, member)
    address = f"{secrets.token_hex(3)}.nouvelle@example.org"
    sender = start(miel)
    give_identity(miel, sender, member)
    reply = say(miel, sender, "oui")
    assert "pas d'adresse e-mail" in reply, reply
    reply = say(miel, sender, address)
    assert "par SMS" in reply, reply
    assert miel.outbox_for(address) == []  # nothing before the code is verified
    assert "Deux e-mails" in say(miel, sender, last_sms_code(miel, member))
    assert len([m for m in miel.outbox_for(address) if m["kind"] in ("identifier", "set_password_link")]) == 2
    assert notices_to(miel, member.mobile_e164, "contact_changed")


# ---- limits, on a server with tight ones --------------------------------------------------


@pytest.fixture(scope="module")
def tight(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    assistant = start_assistant(
        tmp_path_factory.mktemp("tight"),
        "miel",
        {
            "ASSISTANT_LIMIT_IDENTITY_MISMATCHES": "3",
            "ASSISTANT_LIMIT_SMS_PER_NUMBER": "2",
            "ASSISTANT_LIMIT_SMS_PER_HOUR": "6",
            "ASSISTANT_LIMIT_TICKETS_PER_CONVERSATION": "1",
            "ASSISTANT_LIMIT_TICKETS_PER_CLIENT": "2",
        },
    )
    yield assistant
    stop_assistant(assistant)


def test_repeated_mismatches_lock_the_member_and_tell_them(tight):
    member = new_person()
    import_members(tight, member)
    wrong = Person(**{**member.__dict__, "first_name": "Bernadette"})
    replies = []
    for _ in range(3):  # three conversations, one wrong try each
        sender = start(tight)
        replies.append(identify(tight, sender, all_at_once(wrong)))
    assert all("Je ne retrouve pas d'adhérent" in r for r in replies), replies  # nothing tells the NIR exists
    assert tight.member_status(member.adherent) == "locked"
    assert notices_to(tight, member.email, "locked") and notices_to(tight, member.mobile_e164, "locked")
    # even with everything right, the account now goes through support
    sender = start(tight)
    reply = identify(tight, sender, all_at_once(member))
    assert "ne peut pas être activé en ligne" in reply, reply


def test_sms_per_number_limit(tight):
    member = new_person()
    import_members(tight, member)
    for _ in range(2):
        sender = start(tight)
        identify(tight, sender, all_at_once(member))
        assert "par SMS" in say(tight, sender, "oui")
    sender = start(tight)
    identify(tight, sender, all_at_once(member))
    reply = say(tight, sender, "oui")
    assert "déjà été envoyés à ce numéro" in reply and "avant le" in reply, reply
    assert len([m for m in tight.outbox_for(member.mobile_e164) if m["kind"] == "activation_code"]) == 2


def test_country_allow_list_sends_the_code_by_e_mail(tight):
    member = new_person()
    member = Person(**{**member.__dict__, "mobile": "+32 470 12 34 56", "mobile_e164": "+32470123456"})
    import_members(tight, member)
    sender = start(tight)
    reply = identify(tight, sender, all_at_once(member))
    assert "par e-mail" in reply and "toujours la vôtre" in reply, reply
    assert "par e-mail" in say(tight, sender, "oui")
    assert tight.outbox_for("+32470123456") == []


def test_ticket_limits_per_conversation_and_client(tight):
    sender = tight.new_sender("ticket")
    say(tight, sender, "je veux qu'un conseiller m'aide")
    say(tight, sender, "oui")
    say(tight, sender, "Je n'arrive pas à me connecter depuis hier.")
    say(tight, sender, "ticket.relay@example.org")
    reply = say(tight, sender, "oui")
    assert "référence" in reply, reply
    acks = [m for m in tight.outbox_for("ticket.relay@example.org") if m["kind"] == "support_ticket_ack"]
    assert acks and "connecter depuis hier" not in acks[-1]["body"]  # no free text relayed
    say(tight, sender, "je veux parler à un conseiller")
    say(tight, sender, "oui")
    say(tight, sender, "Deuxième demande pour le même souci.")
    say(tight, sender, "ticket.relay@example.org")
    reply = say(tight, sender, "oui")
    assert "déjà envoyé plusieurs demandes" in reply, reply


def test_global_sms_budget_stops_sending_and_says_to_call(tight):
    # the budget is 6 an hour on this server; earlier tests of the module spent some
    people = [new_person() for _ in range(7)]
    import_members(tight, *people)
    reply = ""
    for p in people:
        sender = start(tight)
        identify(tight, sender, all_at_once(p))
        reply = say(tight, sender, "oui")
        if "suspendu" in reply:
            break
    assert "suspendu" in reply and MIEL.phone.number in reply, reply
    assert "ALERT" in tight.log()


# ---- two replicas, one PostgreSQL member store ---------------------------------------------


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[List[Assistant]]:
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    schema = f"replicas_{uuid.uuid4().hex[:10]}"
    _create_schemas(base, [schema])
    shared = {
        "ASSISTANT_DATABASE_URL": with_pg_options(base, f"-csearch_path={schema}"),
        "ASSISTANT_SECRET_KEY": "replicas-secret-" + secrets.token_hex(8),
        "ASSISTANT_LIMIT_IDENTITY_MISMATCHES": "3",
        "ASSISTANT_LIMIT_SMS_PER_NUMBER": "2",
    }
    root: Path = tmp_path_factory.mktemp("replicas")
    running: List[Assistant] = []
    try:
        for _ in range(2):
            running.append(start_assistant(root, "miel", shared))
        yield running
    finally:
        for assistant in running:
            stop_assistant(assistant)
        _drop_schemas(base, [schema])


def test_mismatch_limit_is_shared_by_two_replicas(replicas):
    a, b = replicas
    member = new_person()
    import_members(a, member)
    wrong = Person(**{**member.__dict__, "first_name": "Bernadette"})
    for server in (a, b, a):
        sender = start(server)
        assert "Je ne retrouve pas d'adhérent" in identify(server, sender, all_at_once(wrong))
    assert a.member_status(member.adherent) == "locked"
    assert b.member_status(member.adherent) == "locked"


def test_sms_per_number_limit_is_shared_by_two_replicas(replicas):
    a, b = replicas
    member = new_person()
    import_members(a, member)
    for server in (a, b):
        sender = start(server)
        identify(server, sender, all_at_once(member))
        assert "par SMS" in say(server, sender, "oui")
    sender = start(a)
    identify(a, sender, all_at_once(member))
    reply = say(a, sender, "oui")
    assert "déjà été envoyés à ce numéro" in reply, reply
