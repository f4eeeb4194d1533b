"""The refusals of a typed value are responses of domain.yml (CONTRIBUTING.md,
« Where reply texts live »): every refusal raised by bot/identity names an
existing ``utter_refused_<field>_<reason>[_<case>]`` response (or
``utter_refused_mismatch_<reason>[_<case>]`` for the NIR against the other
answers) whose variables all get a string value; Rasa's own interpolator and
:func:`bot.reply.render_text` (the import report) give the same words."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Callable

import pytest
from helpers.nir import make_nir, nir_key
from helpers.responses import render, reply_text, responses

from bot.identity import (
    IdentityError,
    Inconsistency,
    NirFacts,
    check_nir_against,
    parse_birth_date,
    parse_department,
    parse_email,
    parse_mobile,
    parse_nir,
    parse_person_name,
)
from bot.registration.inputs import read_email
from bot.reply import Reply, render_text

TODAY = date(2025, 11, 22)
IDENTITY_DIR = Path(__file__).resolve().parents[3] / "bot" / "identity"
PREFIX = "utter_refused_"
BODY = "1801042123456"  # man, October 1980, Loire
WRONG_KEY = BODY + f"{(int(nir_key(BODY)) % 97) + 1:02d}"


def _first_name(text: str) -> str:
    return parse_person_name(text, first_name=True)


# field (the slot asked again), parser, what the member typed, the refusal said
REFUSED: list[tuple[str, Callable[[str], object], str, str]] = [
    ("nir", parse_nir, "", "utter_refused_nir_empty"),
    ("nir", parse_nir, "1 80 10 4O 123 456 78", "utter_refused_nir_characters"),
    ("nir", parse_nir, BODY, "utter_refused_nir_missing_key"),
    ("nir", parse_nir, "1 80 10 42 12", "utter_refused_nir_length"),
    ("nir", parse_nir, make_nir("5801042123456"), "utter_refused_nir_sex"),
    ("nir", parse_nir, make_nir("1801342123456"), "utter_refused_nir_month"),
    ("nir", parse_nir, make_nir("1801000123456"), "utter_refused_nir_department"),
    ("nir", parse_nir, make_nir("1801097912345"), "utter_refused_nir_department_overseas"),
    ("nir", parse_nir, make_nir("1801020123456"), "utter_refused_nir_department_historical"),
    ("nir", parse_nir, make_nir("1801042000456"), "utter_refused_nir_commune"),
    ("nir", parse_nir, make_nir("1801099000456"), "utter_refused_nir_commune_abroad"),
    ("nir", parse_nir, make_nir("1801042123000"), "utter_refused_nir_order"),
    ("nir", parse_nir, WRONG_KEY, "utter_refused_nir_key"),
    ("nir", NirFacts.from_masked, "illisible", "utter_refused_nir_masked"),
    ("birth_date", parse_birth_date, " ", "utter_refused_birth_date_empty"),
    ("birth_date", parse_birth_date, "bonjour", "utter_refused_birth_date_format"),
    ("birth_date", parse_birth_date, "abc 123456789", "utter_refused_birth_date_format_unquoted"),
    # « 0[ » would make Rasa's interpolator give up on the filled text: not quoted
    ("birth_date", parse_birth_date, "le 0[3]", "utter_refused_birth_date_format_unquoted"),
    ("birth_date", parse_birth_date, "12 mars", "utter_refused_birth_date_year_missing"),
    ("birth_date", parse_birth_date, "12/13/1980", "utter_refused_birth_date_month"),
    ("birth_date", parse_birth_date, "32/01/1980", "utter_refused_birth_date_day"),
    ("birth_date", parse_birth_date, "31/04/1990", "utter_refused_birth_date_impossible"),
    ("birth_date", parse_birth_date, "29/02/1981", "utter_refused_birth_date_impossible_leap"),
    ("birth_date", parse_birth_date, "12/03/2030", "utter_refused_birth_date_future"),
    ("birth_date", parse_birth_date, "01/01/1850", "utter_refused_birth_date_too_old"),
    ("birth_department", parse_department, "", "utter_refused_birth_department_empty"),
    ("birth_department", parse_department, "20", "utter_refused_birth_department_corsica"),
    ("birth_department", parse_department, "042", "utter_refused_birth_department_format"),
    ("birth_department", parse_department, "97", "utter_refused_birth_department_overseas_code"),
    ("birth_department", parse_department, "100", "utter_refused_birth_department_unknown_code"),
    ("birth_department", parse_department, "corse", "utter_refused_birth_department_ambiguous"),
    ("birth_department", parse_department, "Rhône (42)", "utter_refused_birth_department_conflict"),
    ("birth_department", parse_department, "xyzzy", "utter_refused_birth_department_unknown"),
    ("birth_department", parse_department, "xyzzy 12345678", "utter_refused_birth_department_unknown_unquoted"),
    ("birth_department", parse_department, "finister", "utter_refused_birth_department_unknown_suggested"),
    (
        "birth_department",
        parse_department,
        "finister 12345678",
        "utter_refused_birth_department_unknown_suggested_unquoted",
    ),
    ("last_name", parse_person_name, " ", "utter_refused_last_name_empty"),
    ("last_name", parse_person_name, "Dup0nt", "utter_refused_last_name_digits"),
    ("last_name", parse_person_name, "a" * 81, "utter_refused_last_name_too_long"),
    ("last_name", parse_person_name, "Dupont@", "utter_refused_last_name_characters"),
    ("first_name", _first_name, " ", "utter_refused_first_name_empty"),
    ("first_name", _first_name, "Mar1e", "utter_refused_first_name_digits"),
    ("first_name", _first_name, "a" * 81, "utter_refused_first_name_too_long"),
    ("first_name", _first_name, "Marie!", "utter_refused_first_name_characters"),
    ("email", parse_email, "", "utter_refused_email_empty"),
    ("email", parse_email, "marie", "utter_refused_email_syntax_missing_at"),
    ("email", parse_email, "marie@@exemple.fr", "utter_refused_email_syntax_many_at"),
    ("email", parse_email, "ma rie@exemple.fr", "utter_refused_email_syntax_space"),
    ("email", parse_email, "@exemple.fr", "utter_refused_email_syntax_no_local_part"),
    ("email", parse_email, "marie@exemple", "utter_refused_email_syntax_domain"),
    ("email", parse_email, "marie..dupont@exemple.fr", "utter_refused_email_syntax"),
    ("email", parse_email, "marie@gmial.com", "utter_refused_email_typo"),
    ("mobile", parse_mobile, "", "utter_refused_mobile_empty"),
    ("mobile", parse_mobile, "pas de portable", "utter_refused_mobile_characters"),
    ("mobile", parse_mobile, "06 12 34 56", "utter_refused_mobile_length"),
    ("mobile", parse_mobile, "01 23 45 67 89", "utter_refused_mobile_landline"),
    ("mobile", parse_mobile, "09 12 34 56 78", "utter_refused_mobile_voip"),
    ("mobile", parse_mobile, "08 00 12 34 56", "utter_refused_mobile_special"),
    ("mobile", parse_mobile, "+999 12345", "utter_refused_mobile_invalid"),
]


def _facts(masked: str) -> NirFacts:
    return NirFacts.from_masked(masked)


# the NIR's facts, the birth date and department given, the refusal said (the first one found)
MISMATCHES: list[tuple[str, date | None, str | None, str]] = [
    ("1 80 10 42 *** *** **", date(2008, 10, 5), None, "utter_refused_mismatch_other_person"),
    ("1 80 10 42 *** *** **", date(1981, 10, 5), None, "utter_refused_mismatch_birth_year"),
    ("1 80 10 42 *** *** **", date(1980, 3, 5), None, "utter_refused_mismatch_birth_month"),
    ("1 80 10 42 *** *** **", date(1980, 10, 5), "69", "utter_refused_mismatch_birth_department"),
    ("1 80 10 42 *** *** **", date(1980, 10, 5), "99", "utter_refused_mismatch_birth_department_given_abroad"),
    ("1 80 10 99 *** *** **", date(1980, 10, 5), "42", "utter_refused_mismatch_birth_department_nir_abroad"),
    ("1 70 10 2A *** *** **", date(1970, 10, 5), None, "utter_refused_mismatch_corsica_split"),
    ("1 70 10 2A *** *** **", None, "2A", "utter_refused_mismatch_corsica_split_nir_year"),
    ("1 80 10 20 *** *** **", date(1980, 10, 5), None, "utter_refused_mismatch_historical_code_corsica"),
    ("1 80 10 20 *** *** **", None, "2A", "utter_refused_mismatch_historical_code_corsica_nir_year"),
    ("1 80 10 96 *** *** **", date(1980, 10, 5), "99", "utter_refused_mismatch_historical_code"),
]

# no typed value reaches it today (a name that names a department never holds the
# 8 digits that make it unquotable), kept for the day the quoting rules change
NOT_REACHED: dict[str, Reply] = {
    "utter_refused_birth_department_conflict_unquoted": Reply(
        "utter_refused_birth_department_conflict_unquoted",
        {"code": "42", "by_code": "Loire (42)", "by_name": "Rhône (69)"},
    ),
}


def _refusal(parse: Callable[[str], object], typed: str) -> IdentityError:
    if parse is parse_birth_date:
        parse = lambda text: parse_birth_date(text, today=TODAY)  # noqa: E731
    with pytest.raises(IdentityError) as caught:
        parse(typed)
    return caught.value


def _said(reply: Reply) -> str:
    """What the member reads: Rasa's interpolator (a variable without value fails),
    every value a string, and the same words rendered without Rasa."""
    assert all(isinstance(value, str) for value in reply.values.values()), reply
    text = reply_text(reply)
    assert text.strip() and "None" not in text, reply
    assert render_text(reply) == text
    return text


@pytest.mark.parametrize(("field", "parse", "typed", "response"), REFUSED, ids=[row[3] for row in REFUSED])
def test_every_refusal_is_a_response_of_the_domain_with_all_its_values(field, parse, typed, response):
    error = _refusal(parse, typed)
    assert error.response == response and error.reply == Reply(response, error.values)
    assert response.startswith(f"{PREFIX}{field}_{error.reason}"), (response, error.reason)
    assert _said(error.reply) == error.message == str(error)


@pytest.mark.parametrize(("masked", "born", "department", "response"), MISMATCHES, ids=[row[3] for row in MISMATCHES])
def test_every_disagreement_with_the_nir_is_a_response_of_the_domain(masked, born, department, response):
    found: Inconsistency = check_nir_against(_facts(masked), born, department, today=TODAY)[0]
    assert found.response == response and found.response.startswith(f"{PREFIX}mismatch_{found.reason}")
    assert _said(found.reply) == found.message


def test_the_refusals_of_the_domain_are_exactly_those_bot_identity_names():
    in_domain = {name for name in responses() if name.startswith(PREFIX)}
    named = set()
    for source in IDENTITY_DIR.glob("*.py"):
        named |= set(re.findall(rf'"({PREFIX}[a-z_]+)"', source.read_text(encoding="utf-8")))
    assert named == in_domain
    reached = {row[3] for row in REFUSED} | {row[3] for row in MISMATCHES}
    assert reached | set(NOT_REACHED) == in_domain and not reached & set(NOT_REACHED)
    for reply in NOT_REACHED.values():
        _said(reply)


def test_a_quoted_text_is_the_member_s_words_and_never_a_nir():
    assert _said(_refusal(parse_department, "xyzzy").reply) == (
        "Je ne connais pas le département « xyzzy ». Indiquez son nom ou son numéro, par exemple « Rhône » ou 69, "
        "2A pour la Corse-du-Sud, 971 pour la Guadeloupe, ou « étranger » si vous êtes né(e) hors de France."
    )
    nir = make_nir(BODY)
    for parse in (parse_department, parse_birth_date):
        assert nir not in _said(_refusal(parse, f"{nir} Rhône").reply)


def test_a_mistyped_domain_is_asked_with_a_button_for_each_address():
    reading = read_email("c'est paul@gmial.com")
    assert reading.address is None and reading.typed == "paul@gmial.com" and reading.refusal is not None
    assert reading.message == _said(reading.refusal)
    said = render(reading.refusal.response, reading.refusal.values)
    assert said["text"] == (
        "Vouliez-vous dire paul@gmail.com ? Si votre adresse est bien paul@gmial.com, confirmez-la ; "
        "sinon, indiquez l'adresse corrigée."
    )
    assert said["buttons"] == [
        {"title": "Oui, paul@gmial.com", "payload": "/affirm"},
        {"title": "paul@gmail.com", "payload": "paul@gmail.com"},
    ]
    refused = read_email("paul")
    assert refused.refusal == Reply("utter_refused_email_syntax_missing_at")
    assert read_email("paul@gmail.com").refusal is None and read_email("paul@gmail.com").message is None
