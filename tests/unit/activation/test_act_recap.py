"""The identity recap and corrections in the member's own words (bot.activation.recap)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.activation.recap import (
    CHOOSE,
    NONE_OF_THEM,
    RECAP_SLOT,
    Known,
    department_choice,
    draft_key,
    merge_partial_date,
    name_correction,
    read_identity_answer,
    recap_answer,
    recap_lines,
    recap_response,
)

KNOWN = Known(date(1980, 10, 14), "Le Gal", "Marie-Hélène")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("l'année c'est 1988", date(1988, 10, 14)),
        ("ah non, c'est 1988", date(1988, 10, 14)),
        ("1988", date(1988, 10, 14)),
        ("en mars", date(1980, 3, 14)),
        ("le 12", date(1980, 10, 12)),
        ("le 2 mars", date(1980, 3, 2)),
        ("mars 1979", date(1979, 3, 14)),
        ("le 31", date(1980, 10, 31)),
    ],
)
def test_a_partial_date_merges_with_the_known_one(text, expected):
    assert merge_partial_date(text, KNOWN.birth_date) == expected


@pytest.mark.parametrize(
    "text, known",
    [
        ("1988", None),  # nothing to merge with
        ("1980", date(1980, 10, 14)),  # the same date: no correction
        ("14/10/1988", date(1980, 10, 14)),  # a full date is read as such, elsewhere
        ("1 80 10 42 218 123 33", date(1980, 10, 14)),  # a NIR is not a year
        ("le 31 février", date(1980, 10, 14)),  # no such date
        ("Le Gall", date(1980, 10, 14)),
    ],
)
def test_no_merge(text, known):
    assert merge_partial_date(text, known) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("non, c'est Le Gall avec deux L", {"last_name": "Le Gall"}),
        ("Le Gall", {"last_name": "Le Gall"}),
        ("pardon c'est Marie-Helene", {"first_name": "Marie-Helene"}),
        ("Marie-Hélène Le Gall", {"last_name": "Le Gall", "first_name": "Marie-Hélène"}),
        ("Le Gall Marie-Hélène", {"last_name": "Le Gall", "first_name": "Marie-Hélène"}),
        ("non c'est Dupont", {}),  # looks like neither name: not guessed
        ("est-ce que c'est Le Gall ?", {}),
        ("oui", {}),
    ],
)
def test_a_name_correction_goes_where_it_belongs(text, expected):
    assert name_correction(text, KNOWN) == expected


@pytest.mark.parametrize(
    "text, suggestions, expected",
    [
        ("oui", ["29"], "29"),
        ("oui", ["29", "38"], CHOOSE),
        ("le premier", ["29", "38"], "29"),
        ("le deuxième", ["29", "38"], "38"),
        ("la dernière", ["29", "38"], "38"),
        ("non", ["29", "38"], NONE_OF_THEM),
        ("29", ["29", "38"], None),  # a number is read as a department, as usual
        ("Finistère", ["29", "38"], None),
        ("oui", [], None),
    ],
)
def test_department_choice(text, suggestions, expected):
    assert department_choice(text, suggestions) == expected


@pytest.mark.parametrize(
    "text, requested, expected",
    [
        ("oui", RECAP_SLOT, {}),
        ("le département c'est 29", RECAP_SLOT, {"birth_department": "29"}),
        ("l'année c'est 1988", RECAP_SLOT, {"birth_date": "14/10/1988"}),
        ("non, c'est Le Gall", RECAP_SLOT, {"last_name": "Le Gall"}),
        ("1988", "birth_date", {"birth_date": "14/10/1988"}),
        ("Loire", "birth_department", {"birth_department": "Loire"}),
        # after « quelle information faut-il corriger ? »: a department alone
        ("29", RECAP_SLOT, {"birth_department": "29"}),
        ("Finistère", RECAP_SLOT, {"birth_department": "Finistère"}),
        ("non", RECAP_SLOT, {}),
    ],
)
def test_read_identity_answer(text, requested, expected):
    assert read_identity_answer(text, requested, KNOWN).values == expected


def test_several_words_for_the_last_name_asked_are_both_names():
    found = read_identity_answer("Le Gal Marie-Hélène", "last_name", Known())
    assert found.values == {"last_name": "Le Gal", "first_name": "Marie-Hélène"} and found.names_guessed


def test_a_second_first_name_alone_when_the_last_name_is_known():
    known = Known(None, "Le Gall", None)
    assert read_identity_answer("Marie Hélène", "first_name", known).values == {"first_name": "Marie Hélène"}


def test_a_question_gives_only_shaped_values():
    found = read_identity_answer("pourquoi le nom c'est Le Gall ?", RECAP_SLOT, KNOWN, question=True)
    assert found.values == {}


def test_names_in_any_order_give_the_same_pair():
    """« Santoni Antoine » and « Antoine Santoni » in a message with other values: both names, order a guess."""
    one = read_identity_answer("1 85 06 2A 004 087 11, Santoni Antoine, né le 21 juin 1985", "nir", Known())
    two = read_identity_answer("1 85 06 2A 004 087 11, Antoine Santoni, né le 21 juin 1985", "nir", Known())
    for found in (one, two):
        assert {found.values["last_name"], found.values["first_name"]} == {"Santoni", "Antoine"}
        assert found.names_guessed


def test_a_department_close_to_a_name_is_kept_for_its_suggestions():
    found = read_identity_answer("je suis née le 08/03/1975 dans le finister, Le Gall Marie-Hélène", "nir", Known())
    assert found.values["birth_department"] == "finister"
    assert found.values["last_name"] == "Le Gall" and found.values["first_name"] == "Marie-Hélène"


def test_recap_lines_show_only_what_was_typed_with_the_nir_masked():
    lines = recap_lines("1 80 10 42 *** *** **", date(1980, 10, 14), "42", "Martin", "Jean")
    assert lines == [
        "- numéro de sécurité sociale : 1 80 10 42 *** *** **",
        "- date de naissance : 14/10/1980",
        "- département de naissance : Loire (42)",
        "- nom : Martin",
        "- prénom : Jean",
    ]
    guessed = recap_lines("1 80 10 42 *** *** **", None, None, "Santoni", "Antoine", names_guessed=True)
    assert guessed[-1] == "- nom et prénom : Santoni Antoine (dans un ordre ou dans l'autre)"
    assert guessed[1] == "- date de naissance : ?"


def test_draft_key_ignores_case_accents_and_hyphens_of_names():
    one = draft_key("h", date(1980, 10, 14), "2a", "Le Gall", "Marie-Hélène")
    two = draft_key("h", date(1980, 10, 14), "2A", "LE GALL", "marie helene")
    assert one == two
    assert one != draft_key("h", date(1988, 10, 14), "2A", "Le Gall", "Marie-Hélène")


@pytest.mark.parametrize(
    "mode, same, expected",
    [
        (None, False, "utter_activation_recap"),
        ("corrected", False, "utter_activation_recap_corrected"),
        ("which", False, "utter_activation_recap_which"),
        ("unclear", False, "utter_activation_recap_unclear"),
        ("mismatch", True, "utter_activation_no_match"),
        ("corrected", True, "utter_activation_no_match"),  # corrected back to the failed values
    ],
)
def test_recap_response(mode, same, expected):
    assert recap_response(mode, same) == expected


@pytest.mark.parametrize(
    "answer, same, expected",
    [
        (True, False, {RECAP_SLOT: True, "identity_recap": None}),
        (True, True, {RECAP_SLOT: None, "identity_recap": "mismatch"}),  # not checked twice
        ("no", False, {RECAP_SLOT: None, "identity_recap": "which"}),
        ("unclear", False, {RECAP_SLOT: None, "identity_recap": "unclear"}),
        (None, False, {RECAP_SLOT: None}),
    ],
)
def test_recap_answer(answer, same, expected):
    assert recap_answer(answer, same) == expected
