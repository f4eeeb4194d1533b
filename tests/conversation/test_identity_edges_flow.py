"""Identity edges in the Miel activation conversation (issue 17), over REST.

- 100011 has a provisional number (first digit 7, the waiting number NIA):
  their birth date and department do not match the number's parts, and the
  identity is still accepted (the member file decides).
- 100012 was born in Ajaccio in 1970: their NIR carries 20 (Corsica before
  1976) and they say « Corse-du-Sud »: accepted. The same number typed with
  2A and a 1970 birth date gets the explanation of the 1976 change.

These tests only assert that the identity is accepted (no more identity
question, no refusal of the number); what comes next (the contact on file,
the code, the e-mails) is test_activation_flow.py's.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Dict

import pytest
from helpers.nir import group_nir, make_nir

pytestmark = pytest.mark.conversation

ROOT = Path(__file__).resolve().parents[2]
START = "je voudrais ouvrir mon accès en ligne"  # not a training example of data/nlu

# what the identity questions and refusals say (domain/activation.yml, bot/identity)
IDENTITY_QUESTIONS = (
    "Quel est votre numéro de sécurité sociale",
    "Quelle est votre date de naissance",
    "Quel est votre département de naissance",
    "Quel est votre nom de famille",
    "Et votre prénom",
)
REFUSALS = (
    "ne correspond pas",
    "Vérifiez votre numéro",
    "vérifier votre numéro",
    "commence par 1 ou 2",
    "provisoire",
    "Je ne retrouve pas",
    "1976",
)


def demo_member(adherent: str) -> Dict[str, str]:
    with open(ROOT / "data" / "demo" / "members.csv", encoding="utf-8") as handle:
        return next(row for row in csv.DictReader(handle) if row["adherent_number"] == adherent)


def born(row: Dict[str, str]) -> str:
    year, month, day = row["birth_date"].split("-")
    return f"{day}/{month}/{year}"


def start(miel) -> str:
    sender = miel.new_sender("identity-edges")
    reply = miel.say_text(sender, START)
    assert "numéro de sécurité sociale" in reply, reply
    return sender


def assert_identity_accepted(reply: str) -> None:
    assert reply.strip(), "no reply after the last identity value"
    for question in IDENTITY_QUESTIONS:
        assert question not in reply, reply
    for refusal in REFUSALS:
        assert refusal not in reply, reply


def test_provisional_number_with_placeholder_birth_facts_is_accepted(miel) -> None:
    member = demo_member("100011")
    nir = member["nir"]
    assert nir[0] == "7"  # provisional
    # the number says 1988, January, Paris (75); the member file and the member say otherwise
    assert (nir[1:3], nir[3:5], nir[5:7]) == ("88", "01", "75")
    assert (member["birth_date"], member["birth_department"]) == ("1987-06-14", "99")

    sender = start(miel)
    reply = miel.say_text(sender, group_nir(nir))
    assert "date de naissance" in reply and "provisoire" not in reply, reply
    reply = miel.say_text(sender, born(member))
    assert "département de naissance" in reply and "ne correspond pas" not in reply, reply
    reply = miel.say_text(sender, "étranger")
    assert "nom de famille" in reply and "ne correspond pas" not in reply, reply
    assert "prénom" in miel.say_text(sender, member["last_name"])
    assert_identity_accepted(miel.say_text(sender, member["first_name"]))


def test_corsica_1970_with_20_is_accepted(miel) -> None:
    member = demo_member("100012")
    nir = member["nir"]
    assert nir[5:7] == "20" and member["birth_date"].startswith("1970") and member["birth_department"] == "2A"

    sender = start(miel)
    assert "date de naissance" in miel.say_text(sender, group_nir(nir))
    reply = miel.say_text(sender, born(member))
    assert "département de naissance" in reply and "1976" not in reply, reply
    reply = miel.say_text(sender, "Corse-du-Sud")
    assert "nom de famille" in reply and "ne correspond pas" not in reply, reply
    assert "prénom" in miel.say_text(sender, member["last_name"])
    assert_identity_accepted(miel.say_text(sender, member["first_name"]))


def test_corsica_1970_with_2a_gets_the_1976_explanation(miel) -> None:
    member = demo_member("100012")
    typed_2a = make_nir(member["nir"][:5] + "2A" + member["nir"][7:13])  # a right key, the wrong era

    sender = start(miel)
    assert "date de naissance" in miel.say_text(sender, group_nir(typed_2a))
    reply = miel.say_text(sender, born(member))
    assert "Pour une naissance en Corse avant 1976" in reply, reply
    assert "les codes 2A et 2B n'existent que depuis 1976" in reply, reply
    assert "département 20" in reply, reply
    assert typed_2a not in reply.replace(" ", "")
    # the number is asked again
    assert "numéro de sécurité sociale" in reply, reply
