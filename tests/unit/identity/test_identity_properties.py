"""Property-based tests (hypothesis) of the identity parsers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from identity_factories import format_with_spaces, valid_nirs
from stdnum.fr import nir as stdnum_nir

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
    find_birth_date,
    find_nir,
    normalize_name,
    parse_birth_date,
    parse_department,
    parse_email,
    parse_mobile,
    parse_nir,
    parse_person_name,
    same_person_name,
)
from bot.identity.nir import MONTHS_FR

TODAY = date(2025, 11, 22)
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like what people type, plus anything at all.
typed_text = st.one_of(
    st.text(),
    st.text(alphabet="0123456789 ./-+@aAbB2éÉ'’()", max_size=40),
    st.from_regex(r"[0-9 .\-]{10,25}", fullmatch=True),
)


@PROPERTY_SETTINGS
@given(valid_nirs())
def test_spaced_valid_nir_round_trips(nir: str) -> None:
    parsed = parse_nir(format_with_spaces(nir))
    assert parsed.normalized == nir
    assert stdnum_nir.is_valid(nir)  # our generator's key agrees with python-stdnum
    assert NirFacts.from_masked(parsed.masked) == parsed.facts
    assert nir not in repr(parsed) and nir not in str(parsed)


@PROPERTY_SETTINGS
@given(valid_nirs(), st.sampled_from([" ", ".", "-", "", "  "]), st.booleans())
def test_any_separator_and_case_round_trips(nir: str, separator: str, lower: bool) -> None:
    typed = format_with_spaces(nir).replace(" ", separator)
    assert parse_nir(typed.lower() if lower else typed).normalized == nir


@PROPERTY_SETTINGS
@given(valid_nirs(), st.data())
def test_changing_any_single_digit_is_refused(nir: str, data: st.DataObject) -> None:
    position = data.draw(st.sampled_from([index for index, char in enumerate(nir) if char.isdigit()]))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != nir[position]]))
    changed = nir[:position] + digit + nir[position + 1 :]
    assert not stdnum_nir.is_valid(changed)
    with pytest.raises(InvalidNir):
        parse_nir(changed)


@PROPERTY_SETTINGS
@given(valid_nirs(), st.text(alphabet="abcdefghij ,:", max_size=15), st.text(alphabet="abcdefghij ,:", max_size=15))
def test_find_nir_finds_it_in_a_sentence(nir: str, before: str, after: str) -> None:
    spaced = format_with_spaces(nir)
    found = find_nir(f"{before} {spaced} {after}")
    assert found is not None
    assert parse_nir(found).normalized == nir


@pytest.mark.parametrize(
    ("parser", "error"),
    [
        (parse_nir, InvalidNir),
        (parse_department, InvalidDepartment),
        (lambda text: parse_birth_date(text, today=TODAY), InvalidBirthDate),
        (parse_mobile, InvalidMobile),
        (parse_email, InvalidEmail),
        (parse_person_name, InvalidPersonName),
        (NirFacts.from_masked, InvalidNir),
    ],
    ids=["nir", "department", "birth_date", "mobile", "email", "person_name", "masked_nir"],
)
def test_parsers_raise_only_their_own_error(parser, error) -> None:  # noqa: ANN001
    @PROPERTY_SETTINGS
    @given(typed_text)
    def check(text: str) -> None:
        try:
            parser(text)
        except error as refused:
            assert isinstance(refused, IdentityError)
            assert refused.reason and refused.message
            assert refused.message[0].isupper()

    check()


@PROPERTY_SETTINGS
@given(typed_text)
def test_finders_never_raise_and_return_part_of_the_text(text: str) -> None:
    for finder in (find_nir, find_birth_date):
        found = finder(text)
        assert found is None or found in text


@PROPERTY_SETTINGS
@given(
    st.dates(min_value=TODAY - timedelta(days=365 * 119), max_value=TODAY),
    st.sampled_from(["{d:02d}/{m:02d}/{y}", "{d}-{m}-{y}", "{d}.{m:02d}.{y}", "{y}-{m:02d}-{d:02d}", "{d} {mn} {y}"]),
)
def test_formatted_dates_round_trip(born: date, pattern: str) -> None:
    typed = pattern.format(d=born.day, m=born.month, y=born.year, mn=MONTHS_FR[born.month - 1])
    assert parse_birth_date(typed, today=TODAY) == born


@PROPERTY_SETTINGS
@given(valid_nirs(), st.dates(min_value=date(1905, 12, 1), max_value=TODAY))
def test_consistency_check_never_raises(nir: str, born: date) -> None:
    parsed = parse_nir(nir)
    for department in ("69", "2A", "971", "99"):
        for item in check_nir_against(parsed, born, department, today=TODAY):
            assert item.field in {"birth_date", "birth_department", "nir"}
            assert item.message
            assert nir not in item.message


@PROPERTY_SETTINGS
@given(st.text(alphabet="abcdefghéèêàçôîïAZÉ -'", min_size=1, max_size=30))
def test_same_person_name_ignores_case_accents_and_separators(name: str) -> None:
    if not normalize_name(name):
        return
    assert same_person_name(name, name.upper())
    assert same_person_name(name, normalize_name(name))
    assert same_person_name(name, name.replace(" ", "-"))
