"""Tenant profiles: both guides' profiles load, bad files name the field, a third tenant works."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.tenants import TENANTS_DIR, TenantError, available_tenants, load_tenant, load_tenant_file
from bot.tenants.facts import TENANT_SLOTS, tenant_slot_values

PARIS = ZoneInfo("Europe/Paris")


def test_both_guides_have_a_profile():
    assert {"miel", "smie"} <= set(available_tenants())


def test_miel_facts_are_the_guide_s():
    miel = load_tenant("miel")
    assert miel.phone is not None and miel.phone.number == "04 77 49 35 35"
    assert miel.support_email == "digital.assistance-miel@malakoffhumanis.com"
    assert miel.website == "https://mielmut.fr"
    assert miel.postal_address == ["Service Clients Miel", "33 rue des Docteurs Charcot", "42031 Saint-Etienne Cedex"]
    assert miel.activation_flow == "nir_sms"
    assert miel.activation_link_hours == 48


def test_smie_has_no_invented_phone_or_address():
    smie = load_tenant("smie")
    assert smie.phone is None and smie.opening_hours is None and smie.postal_address is None
    assert smie.activation_flow == "access_code_email"
    assert smie.activation_link_hours == 24
    assert smie.sender_email == "nepasrepondre@assia.fr"


@pytest.mark.parametrize(
    "local, is_open, reopens",
    [
        (datetime(2026, 11, 23, 10, 0), True, None),  # Monday 10:00
        (datetime(2026, 11, 23, 8, 29), False, datetime(2026, 11, 23, 8, 30)),
        (datetime(2026, 11, 23, 17, 30), False, datetime(2026, 11, 24, 8, 30)),
        (datetime(2026, 11, 23, 19, 0), False, datetime(2026, 11, 24, 8, 30)),
        (datetime(2026, 11, 27, 18, 0), False, datetime(2026, 11, 30, 8, 30)),  # Friday evening
        (datetime(2026, 11, 28, 11, 0), False, datetime(2026, 11, 30, 8, 30)),  # Saturday
        (datetime(2026, 11, 29, 11, 0), False, datetime(2026, 11, 30, 8, 30)),  # Sunday
    ],
)
def test_miel_opening_hours(local, is_open, reopens):
    miel = load_tenant("miel")
    at = local.replace(tzinfo=PARIS)
    assert miel.is_open(at) is is_open
    if reopens is not None:
        assert miel.next_opening(at) == reopens.replace(tzinfo=PARIS)


def _write(tmp_path: Path, name: str, data: dict) -> Path:
    path = tmp_path / f"{name}.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


MINIMAL = {
    "id": "exemple",
    "display_name": "Mutuelle Exemple",
    "legal_name": "Mutuelle Exemple",
    "member_space_name": "Espace adhérent",
    "website": "https://exemple.test",
    "member_space_path": "sur exemple.test, rubrique « Espace adhérent »",
    "contact_in_space": "votre espace adhérent",
    "activation_flow": "nir_sms",
    "cgu": {"version": "1"},
    "colors": {"primary": "#123456"},
}


def test_a_minimal_third_tenant_works(tmp_path):
    path = _write(tmp_path, "exemple", MINIMAL)
    tenant = load_tenant_file(path)
    assert tenant.display_name == "Mutuelle Exemple"
    assert tenant.phone is None and tenant.otp.length == 6
    values = tenant_slot_values(tenant)
    assert set(values) == set(TENANT_SLOTS)
    assert values["tenant_name"] == "Mutuelle Exemple"
    assert load_tenant("exemple", tmp_path).id == "exemple"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"website": "http://insecure.test"}, "website"),
        ({"activation_flow": "carrier_pigeon"}, "activation_flow"),
        ({"support_email": "not-an-email"}, "support_email"),
        ({"colors": {"primary": "red"}}, "colors.primary"),
        ({"services": ["teleportation"]}, "services"),
        ({"opening_hours": {"text": "x", "weekly": {"mon": ["9h-17h"]}}}, "opening_hours.weekly"),
        ({"unknown_field": 1}, "unknown_field"),
        ({"id": "autre"}, "id"),
        ({"sms_countries": ["France"]}, "sms_countries"),
        ({"sms_countries": ["fr"]}, "sms_countries"),
    ],
)
def test_bad_profile_names_the_field(tmp_path, change, field):
    path = _write(tmp_path, "exemple", {**MINIMAL, **change})
    with pytest.raises(TenantError) as info:
        load_tenant_file(path)
    assert f"'{field}" in str(info.value)


def test_sms_countries_default_to_france_and_its_overseas_territories(tmp_path):
    """The SMS gate texts only these countries unless a profile says otherwise."""
    for tenant in (load_tenant("miel"), load_tenant("smie"), load_tenant_file(_write(tmp_path, "exemple", MINIMAL))):
        assert set(tenant.sms_countries) == {"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC"}
    custom = load_tenant_file(_write(tmp_path, "exemple", {**MINIMAL, "sms_countries": ["FR", "BE"]}))
    assert custom.sms_countries == ["FR", "BE"]


def test_missing_field_is_named(tmp_path):
    data = dict(MINIMAL)
    del data["display_name"]
    with pytest.raises(TenantError, match="display_name"):
        load_tenant_file(_write(tmp_path, "exemple", data))


def test_unknown_tenant_lists_the_available_ones():
    with pytest.raises(TenantError, match="available: .*miel.*smie"):
        load_tenant("nope")


def test_profiles_live_in_the_package():
    assert (TENANTS_DIR / "miel.yml").exists()
