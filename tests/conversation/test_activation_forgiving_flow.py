"""A conversation that forgives (issue 14), over REST against a really started server.

The cases of the issue, as a member would type them: the recap before the
match and corrections in the member's own words (a name, a part of the
date, the department), the birth-year slip that used to trap the member,
department suggestions answered with « oui » / « le premier », city names,
names in any order, one message per purpose (no validation error for an
answer to another question, no second full greeting), and the truthful
hard cases (locked without attempts, with a ticket naming the member).
Each imports fictional members of its own (see test_activation_flow.py).
"""

from __future__ import annotations

import re
import secrets
from datetime import date

import pytest
from helpers.nir import make_nir
from test_activation_flow import (
    FOUND,
    MIEL,
    RECAP,
    STILL_YOURS,
    Person,
    _demo,
    _grouped,
    assert_recap,
    import_members,
    last_sms_code,
    start,
)

pytestmark = pytest.mark.conversation

GREETING = "je suis l'assistant virtuel"


def person(department: str, last: str, first: str, born: date | None = None) -> Person:
    """A fictional member born in ``department`` whose NIR agrees with the birth date."""
    rnd = secrets.SystemRandom()
    born = born or date(rnd.randint(1955, 1995), rnd.randint(1, 12), rnd.randint(1, 28))
    body = f"2{born.year % 100:02d}{born.month:02d}{department}{rnd.randint(1, 999):03d}{rnd.randint(1, 999):03d}"
    token = secrets.token_hex(3)
    tail = f"{rnd.randint(0, 99):02d}"
    return Person(
        f"F{token.upper()}", _grouped(make_nir(body)), born, department, "", last, first,
        f"06 12 34 58 {tail}", f"+336123458{tail}", f"{token}.forgive@example.org",
    )  # fmt: skip


class Chat:
    """One conversation, counting the member's turns."""

    def __init__(self, assistant) -> None:
        self.assistant = assistant
        self.sender = start(assistant)
        self.turns = 1

    def __call__(self, text: str) -> str:
        self.turns += 1
        return self.assistant.say_text(self.sender, text)


def finish(miel, chat: Chat, p: Person, reply: str) -> None:
    """From « oui » to the recap's answer (the dossier found) to the two e-mails."""
    assert FOUND in reply and STILL_YOURS in reply, reply
    sent = chat("oui")
    assert "Le code comporte" not in sent and "Répondez simplement" not in sent, sent
    assert "code à 6 chiffres par SMS" in sent, sent
    done = chat(last_sms_code(miel, p))
    assert "Deux e-mails" in done, done


# ---- recap and corrections in the member's own words -------------------------------------


def test_a_name_slip_corrected_in_own_words_at_the_recap_activates_in_at_most_12_turns(miel):
    p = person("29", "Le Gall", "Marie-Hélène")
    import_members(miel, p)
    chat = Chat(miel)
    recap = chat(f"Le Gal Marie-Hélène, {p.nir}, née le {p.born}, dans le Finistère")
    assert RECAP in recap and "Le Gal " in recap and FOUND not in recap, recap
    assert p.nir[:10] + " *** *** **" in recap and p.nir not in recap
    corrected = chat("pardon je me suis trompée, mon nom c'est Le Gall avec deux L")
    assert "C'est corrigé" in corrected and "Le Gall" in corrected and RECAP in corrected, corrected
    assert "Je ne retrouve pas" not in corrected  # nothing checked yet: no attempt spent
    finish(miel, chat, p, chat("oui"))
    assert chat.turns <= 12, chat.turns


def test_non_then_the_value_alone(miel):
    p = person("42", "Moreau", "Chloé")
    import_members(miel, p)
    chat = Chat(miel)
    assert RECAP in chat(f"MOREAU Cloé, {p.nir}, {p.born}, Loire")
    which = chat("non")
    assert "quelle information faut-il corriger" in which, which
    assert "Voici" not in which  # no recap repeated before the member says what is wrong
    assert "Chloé" in chat("le prénom c'est Chloé")
    finish(miel, chat, p, chat("oui"))


def test_a_failed_match_names_the_facts_and_one_correction_is_enough(miel):
    p = person("42", "Garnier", "Louis")
    import_members(miel, p)
    chat = Chat(miel)
    assert RECAP in chat(f"GARNIER Luis, {p.nir}, {p.born}, 42")
    failed = chat("oui")
    assert "Je ne retrouve pas d'adhérent" in failed and "2 essais" in failed, failed
    assert p.nir[:10] + " *** *** **" in failed and "Luis" in failed and p.born in failed, failed
    assert "Quel est votre numéro de sécurité sociale" not in failed  # not all five again
    corrected = chat("non c'est Louis")
    assert "C'est corrigé" in corrected and "Louis" in corrected, corrected
    finish(miel, chat, p, chat("oui"))
    assert chat.turns <= 12, chat.turns


def test_the_birth_year_slip_no_longer_traps_the_member(miel):
    """The NIR (right) and a date ten years off: the NIR is kept, the year alone fixes it."""
    p = person("42", "Fontaine", "Léa", born=date(1980, 10, 14))
    import_members(miel, p)
    chat = Chat(miel)
    assert "date de naissance" in chat(p.nir)
    slip = chat("14/10/1990")
    assert "naissance en 1980" in slip and "14/10/1990" in slip, slip
    assert "Quel est votre numéro de sécurité sociale" not in slip and "autre personne" not in slip, slip
    # the year alone, in the member's words, is read as the date (not as a malformed NIR)
    fixed = chat("ah oui pardon c'est 1980")
    assert "département de naissance" in fixed and "numéro de sécurité sociale" not in fixed, fixed
    assert "nom de famille" in chat("Loire")
    assert "prénom" in chat(p.last_name)
    recap = chat(p.first_name)
    assert_recap(recap, p)
    finish(miel, chat, p, chat("oui"))
    assert chat.turns <= 12, chat.turns


def test_a_small_year_slip_in_a_full_message_then_the_year_alone(miel):
    p = person("69", "Mercier", "Inès", born=date(1986, 5, 3))
    import_members(miel, p)
    chat = Chat(miel)
    reply = chat(f"MERCIER Inès, {p.nir}, 03/05/1987, Rhône")
    assert "1986" in reply and "date de naissance" in reply, reply
    recap = chat("l'année c'est 1986")
    assert RECAP in recap and "03/05/1986" in recap, recap
    finish(miel, chat, p, chat("oui"))


def test_the_day_corrected_alone_at_the_recap(miel):
    p = person("42", "Rousseau", "Hugo", born=date(1975, 6, 21))
    import_members(miel, p)
    chat = Chat(miel)
    assert RECAP in chat(f"ROUSSEAU Hugo, {p.nir}, 12/06/1975, 42")
    corrected = chat("non le jour c'est le 21")
    assert "21/06/1975" in corrected and RECAP in corrected, corrected
    finish(miel, chat, p, chat("oui"))


def test_the_department_corrected_alone_at_the_recap(miel):
    p = person("29", "Chevalier", "Paul")
    import_members(miel, p)
    chat = Chat(miel)
    # the department disagrees with the NIR: refused at once, with why
    reply = chat(f"CHEVALIER Paul, {p.nir}, {p.born}, 42")
    assert "ne correspond pas" in reply and "département de naissance" in reply, reply
    recap = chat("le département c'est 29")
    assert "Finistère (29)" in recap and RECAP in recap, recap
    finish(miel, chat, p, chat("oui"))


# ---- departments -------------------------------------------------------------------------


def test_oui_and_le_premier_answer_the_department_suggestions(miel):
    p = person("29", "Guerin", "Camille")
    import_members(miel, p)
    chat = Chat(miel)
    assert "département de naissance" in chat(p.nir + " né le " + p.born)
    suggestions = chat("finister")
    assert "Vouliez-vous dire" in suggestions and "Finistère (29)" in suggestions, suggestions
    which = chat("oui")
    assert "Lequel" in which and "oui" not in which.split("Lequel")[0].lower(), which
    assert "Je ne connais pas le département « oui »" not in which
    assert "nom de famille" in chat("le premier")


def test_non_to_the_suggestions_asks_for_the_number(miel):
    sender = start(miel)
    say = miel.say_text
    say(sender, _demo("100002").nir)
    say(sender, "08/03/1975")
    assert "Vouliez-vous dire" in say(sender, "finister")
    reply = say(sender, "non")
    assert "numéro de votre département" in reply and "« non »" not in reply, reply
    assert "nom de famille" in say(sender, "29")


@pytest.mark.parametrize("city, code, name", [("Lyon", "69", "Rhône"), ("né à Quimper", "29", "Finistère")])
def test_a_city_gives_its_department(miel, city, code, name):
    p = person(code, "Lefebvre", "Lucas")
    import_members(miel, p)
    chat = Chat(miel)
    chat(p.nir)
    chat(p.born)
    reply = chat(city)
    assert "nom de famille" in reply and "Yonne" not in reply, reply
    chat(p.last_name)
    recap = chat(p.first_name)
    assert f"{name} ({code})" in recap, recap


def test_a_department_in_a_message_with_several_facts_is_not_dropped(miel):
    sender = start(miel)
    reply = miel.say_text(sender, "je suis née le 08/03/1975 dans le finister, Le Gall Marie-Hélène")
    assert "finister" in reply and "Finistère (29)" in reply, reply
    assert "Quel est votre département de naissance" not in reply or "Vouliez-vous dire" in reply


# ---- names in any order ---------------------------------------------------------------------


@pytest.mark.parametrize("order", ["Santoni Antoine", "Antoine Santoni"])
def test_names_in_the_middle_of_a_message_in_either_order(miel, order):
    p = person("2A", "Santoni", "Antoine", born=date(1985, 6, 21))
    import_members(miel, p)
    chat = Chat(miel)
    recap = chat(f"{p.nir}, {order}, né le 21 juin 1985 en Corse-du-Sud")
    assert RECAP in recap and "nom de famille" not in recap and "prénom ?" not in recap, recap
    assert order in recap, recap
    finish(miel, chat, p, chat("oui"))


def test_a_full_name_given_as_the_last_name(miel):
    p = person("29", "Le Gal", "Marie-Hélène")
    import_members(miel, p)
    chat = Chat(miel)
    chat(p.nir)
    chat(p.born)
    assert "nom de famille" in chat("29")
    recap = chat("Le Gal Marie-Hélène")
    assert "Et votre prénom" not in recap and RECAP in recap, recap
    finish(miel, chat, p, chat("oui"))


# ---- one message per purpose ---------------------------------------------------------------


def test_bonjour_mid_conversation_is_a_short_greeting_and_the_question_again(miel):
    sender = start(miel)
    miel.say_text(sender, _demo("100001").nir)
    reply = miel.say_text(sender, "bonjour")
    assert GREETING not in reply and "Reprenons" in reply, reply
    assert "Quelle est votre date de naissance" in reply, reply


def test_bonjour_mid_registration_is_a_short_greeting_too(smie):
    sender = smie.new_sender("registration")
    first = smie.say_text(sender, "je voudrais créer mon espace adhérent en ligne")
    assert "numéro d'adhérent" in first, first
    reply = smie.say_text(sender, "bonjour")
    assert GREETING not in reply and "Reprenons" in reply, reply
    assert "numéro d'adhérent" in reply, reply


def test_no_yes_or_no_prompt_before_the_contact_is_shown(miel):
    p = person("42", "Martin", "Jean")
    import_members(miel, p)
    chat = Chat(miel)
    found = chat("oui") if RECAP in chat(f"MARTIN Jean, {p.nir}, {p.born}, 42") else ""
    assert FOUND in found and "Répondez simplement" not in found, found
    assert len(miel.say(chat.sender, "/affirm")) <= 2  # the code sent, and the question for it


# ---- truthful hard cases -------------------------------------------------------------------


def test_a_locked_member_hears_the_truth_and_the_ticket_names_them(miel):
    p = _demo("100007")
    chat = Chat(miel)
    assert RECAP in chat(f"{p.last_name.upper()} {p.first_name}, {p.nir}, {p.born}, {p.department}")
    reply = chat("oui")
    assert "bloqué" in reply and "essai" not in reply, reply  # no attempt was made
    assert MIEL.phone.number in reply or MIEL.support_email in reply, reply
    assert "Décrivez votre demande" in chat("/affirm")
    reply = chat("Je voudrais débloquer mon compte pour l'activer.")
    if "adresse e-mail" in reply:
        reply = chat("luc.petit.test@example.org")
    found = re.search(r"\b(MIEL-\d{4}-[A-Z0-9]{6})\b", chat("/affirm"))
    assert found, reply
    reference = found.group(1)
    rows = miel.member_rows("select adherent_number, reason from support_tickets where reference = :ref", ref=reference)
    assert rows == [("100007", "account_locked")], rows
    assert miel.member_status("100007") == "locked"


def test_smie_a_locked_member_hears_the_truth_and_the_ticket_names_them(smie):
    from test_registration_flow import new_member
    from test_registration_flow import start as start_registration

    member = new_member(smie, status="locked")
    sender = start_registration(smie)
    assert "code d'accès" in smie.say_text(sender, member.adherent)
    reply = smie.say_text(sender, member.access_code)
    assert "bloqué" in reply and "essai" not in reply, reply  # the right code: no attempt failed
    assert "Décrivez votre demande" in smie.say_text(sender, "/affirm")
    reply = smie.say_text(sender, "Mon compte est bloqué, pouvez-vous le débloquer ?")
    if "adresse e-mail" in reply:
        reply = smie.say_text(sender, "locked.test@example.org")
    found = re.search(r"\b(SMIE-\d{4}-[A-Z0-9]{6})\b", smie.say_text(sender, "/affirm"))
    assert found, reply
    rows = smie.member_rows(
        "select adherent_number, reason from support_tickets where reference = :ref", ref=found.group(1)
    )
    assert rows == [(member.adherent, "account_locked")], rows
