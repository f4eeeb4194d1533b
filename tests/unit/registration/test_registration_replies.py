"""Texts of the SMIE-style registration, from the real profiles, as domain.yml renders them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from helpers.responses import reply_text

from bot.registration import replies as reg
from bot.registration import service as reg_service
from bot.tenants import load_tenant

SMIE = load_tenant("smie")


@pytest.mark.parametrize("failures, expected", [(1, "il vous reste 2 essais"), (2, "il vous reste 1 essai")])
def test_mismatch_is_generic(failures, expected):
    text = reply_text(reg.mismatch(failures, SMIE))
    assert expected in text and "numéro d'adhérent et le code d'accès" in text


def test_confirmation_text_follows_the_guide():
    expires = datetime(2025, 11, 25, 13, 5, tzinfo=timezone.utc)
    result = reg_service.ConfirmationResult("sent", "p***l@example.org", expires)
    text = reply_text(reg.confirmation(SMIE, result, "Europe/Paris"))
    for expected in (
        "« Je valide mon inscription »",
        "p***l@example.org",
        "nepasrepondre@assia.fr",
        "24 heures",
        "le 25/11/2025 à 14h05",
        "ne sert qu'une fois",
        "mot de passe",
        "indésirables",
        "13 chiffres",
    ):
        assert expected in text, expected


@pytest.mark.parametrize(
    "outcome, expected",
    [
        ("confirmed", "adresse e-mail est confirmée"),
        ("wrong", "ne correspond pas"),
        ("expired", "a expiré"),
        ("used", "déjà été utilisé"),
        ("no_token", "créer mon compte"),
        ("too_many_attempts", "Trop de codes"),
        ("already_active", "déjà créé"),
        ("invalid_ref", "créer mon compte"),
    ],
)
def test_code_answers(outcome, expected):
    result = reg_service.CodeResult(
        outcome, expires_at=datetime.now(timezone.utc) + timedelta(hours=3), attempts_left=3
    )
    assert expected in reply_text(reg.code_answer(SMIE, result, "Europe/Paris"))


MIEL = load_tenant("miel")


@pytest.mark.parametrize(
    "tenant, expected",
    [
        (MIEL, "appelez Miel au 04 77 49 35 35"),
        (
            MIEL.copy(update={"phone": None, "opening_hours": None}),
            "écrivez à digital.assistance-miel@malakoffhumanis.com",
        ),
        (SMIE, "contactez SMIE Mutuelle depuis votre espace personnel, sur www.mutuellesmie.com"),
    ],
    ids=["phone", "address-only", "member-space-only"],
)
def test_a_refused_check_names_the_first_route_the_guide_gives(tenant, expected):
    assert reg.contact_route(tenant) == expected
    assert f"réessayez plus tard ou {expected}." in reply_text(reg.mismatch(1, tenant))
