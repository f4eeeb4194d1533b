"""parse_department and the reference data it reads."""

from __future__ import annotations

import csv

import pytest

from bot.identity import Department, InvalidDepartment, department_by_code, parse_department
from bot.identity.departments import DEPARTMENTS, HISTORICAL_CODES, REFERENCE_DIR


@pytest.mark.parametrize(
    ("typed", "code", "label"),
    [
        ("42", "42", "Loire (42)"),
        ("1", "01", "Ain (01)"),
        ("01", "01", "Ain (01)"),
        ("2A", "2A", "Corse-du-Sud (2A)"),
        ("2b", "2B", "Haute-Corse (2B)"),
        ("971", "971", "Guadeloupe (971)"),
        ("974", "974", "La Réunion (974)"),
        ("99", "99", "Né(e) à l'étranger (99)"),
        ("Loire", "42", "Loire (42)"),
        ("LOIRET", "45", "Loiret (45)"),
        ("rhone", "69", "Rhône (69)"),
        ("corse du sud", "2A", "Corse-du-Sud (2A)"),
        ("Haute Corse", "2B", "Haute-Corse (2B)"),
        ("Réunion", "974", "La Réunion (974)"),
        ("la reunion", "974", "La Réunion (974)"),
        ("Seine-Saint-Denis", "93", "Seine-Saint-Denis (93)"),
        ("seine st denis", "93", "Seine-Saint-Denis (93)"),
        ("cotes d'armor", "22", "Côtes-d'Armor (22)"),
        ("Val d’Oise", "95", "Val-d'Oise (95)"),
        ("valdoise", "95", "Val-d'Oise (95)"),
        ("territoire de belfort", "90", "Territoire de Belfort (90)"),
        ("né à l'étranger", "99", "Né(e) à l'étranger (99)"),
        ("Née à l’étranger", "99", "Né(e) à l'étranger (99)"),
        ("etranger", "99", "Né(e) à l'étranger (99)"),
        ("hors de France", "99", "Né(e) à l'étranger (99)"),
        ("je suis né dans la Loire", "42", "Loire (42)"),
        ("département du Rhône", "69", "Rhône (69)"),
        ("Rhône (69)", "69", "Rhône (69)"),
        ("69 - Rhône", "69", "Rhône (69)"),
        ("Guyane française", "973", "Guyane (973)"),
    ],
)
def test_department_is_recognised(typed: str, code: str, label: str) -> None:
    department = parse_department(typed)
    assert department.code == code
    assert str(department) == label


@pytest.mark.parametrize(
    ("typed", "country"),
    [("Algérie", "Algérie"), ("né au Maroc", "Maroc"), ("portugal", "Portugal"), ("Côte d'Ivoire", "Côte d’Ivoire")],
)
def test_country_means_born_abroad(typed: str, country: str) -> None:
    department = parse_department(typed)
    assert (department.code, department.country, department.is_abroad) == ("99", country, True)


@pytest.mark.parametrize(
    ("typed", "reason", "fragments", "suggestions"),
    [
        ("", "empty", ["Merci d'indiquer votre département de naissance", "69"], []),
        ("042", "format", ["sans 0 devant", "42"], []),
        ("20", "corsica", ["2A", "2B", "1976"], ["Corse-du-Sud (2A)", "Haute-Corse (2B)"]),
        ("Corse", "ambiguous", ["Corse-du-Sud (2A) ou Haute-Corse (2B)"], ["Corse-du-Sud (2A)", "Haute-Corse (2B)"]),
        ("97", "overseas_code", ["3 chiffres", "Guadeloupe (971)"], None),
        ("00", "unknown_code", ["n'existe pas"], []),
        ("96", "unknown_code", ["Le département 96 n'existe pas"], []),
        ("Loir", "unknown", ["Vouliez-vous dire", "Loire (42)"], None),
        ("Rhone Alpes", "unknown", ["Rhône (69)"], None),
        ("Seine Saint Denys", "unknown", ["Seine-Saint-Denis (93)"], None),
        ("xyzzy", "unknown", ["Je ne connais pas le département « xyzzy »", "étranger"], []),
        ("42 Rhône", "conflict", ["Loire (42) ou de Rhône (69)"], ["Loire (42)", "Rhône (69)"]),
        ("Loire (69)", "conflict", ["« Loire »", "Rhône (69) ou de Loire (42)"], ["Rhône (69)", "Loire (42)"]),
    ],
)
def test_department_refusals(typed: str, reason: str, fragments: list[str], suggestions: list[str] | None) -> None:
    with pytest.raises(InvalidDepartment) as caught:
        parse_department(typed)
    error = caught.value
    assert error.reason == reason
    for fragment in fragments:
        assert fragment in error.message
    if suggestions is not None:
        assert error.suggestions == suggestions
    for suggestion in error.suggestions:
        assert suggestion in error.message


def test_unknown_name_suggestions_are_closest_names() -> None:
    with pytest.raises(InvalidDepartment) as caught:
        parse_department("Loir")
    assert "Loire (42)" in caught.value.suggestions
    assert "Loiret (45)" in caught.value.suggestions


def test_reference_file_lists_all_departments() -> None:
    with open(REFERENCE_DIR / "departements.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    codes = [row["code"] for row in rows]
    assert len(codes) == len(set(codes))
    metro = {f"{n:02d}" for n in range(1, 96) if n != 20} | {"2A", "2B"}
    assert metro <= set(codes)
    assert {"971", "972", "973", "974", "976", "99"} <= set(codes)
    assert "20" not in codes
    departements = [row for row in rows if row["kind"] == "departement"]
    assert len(departements) == 101
    assert set(DEPARTMENTS) == set(codes)


@pytest.mark.parametrize(
    ("code", "name"),
    [("69", "Rhône"), ("93", "Seine-Saint-Denis"), ("974", "La Réunion"), ("21", "Côte-d'Or"),
     ("2A", "Corse-du-Sud"), ("90", "Territoire de Belfort"), ("13", "Bouches-du-Rhône")],
)  # fmt: skip
def test_official_names(code: str, name: str) -> None:
    department = department_by_code(code)
    assert department is not None and department.name == name


@pytest.mark.parametrize("department", list(DEPARTMENTS.values()), ids=list(DEPARTMENTS))
def test_every_department_reads_back_by_code_name_and_label(department: Department) -> None:
    assert parse_department(department.code) == department
    assert parse_department(department.name) == department
    assert parse_department(str(department)) == department
    assert parse_department(department.name.upper()) == department


def test_historical_codes_are_data() -> None:
    assert HISTORICAL_CODES["20"].born_before == 1976
    assert HISTORICAL_CODES["20"].covers == {"2A", "2B"}
    assert {"91", "92", "93", "94", "95"} <= HISTORICAL_CODES["78"].covers
    assert HISTORICAL_CODES["96"].covers == {"99"}


def test_a_nir_typed_as_department_is_not_echoed() -> None:
    with pytest.raises(InvalidDepartment) as caught:
        parse_department("1 80 10 42 123 456 78")
    assert "123" not in caught.value.message
    assert "Je ne connais pas ce département." in caught.value.message
