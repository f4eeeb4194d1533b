"""How to reach the mutuelle (bot.reach): every variant, from the real profiles and
from a profile with an address but no phone, never a fact the profile does not give."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot import reach
from bot.tenants import load_tenant

PARIS = ZoneInfo("Europe/Paris")
MIEL = load_tenant("miel")
SMIE = load_tenant("smie")
# an address for difficulties, no phone, no hours
WRITE_ONLY = MIEL.copy(update={"phone": None, "opening_hours": None})
# a phone without a note on its price
PLAIN_PHONE = MIEL.copy(update={"phone": MIEL.phone.copy(update={"note": None})})
MIEL_SPACE = "le menu « Nous contacter » de votre espace personnel"
MIEL_MAIL = "digital.assistance-miel@malakoffhumanis.com"
MIEL_HOURS = "du lundi au vendredi de 8h30 à 17h30"
SMIE_SPACE = "votre espace personnel, sur www.mutuellesmie.com"


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(timezone.utc)


@pytest.mark.parametrize(
    "tenant, expected",
    [
        (
            MIEL,
            [
                f"- par e-mail : {MIEL_MAIL}",
                f"- par téléphone : 04 77 49 35 35 ({MIEL_HOURS})",
                f"- depuis {MIEL_SPACE}",
            ],
        ),
        (SMIE, [f"- depuis {SMIE_SPACE}"]),
        (WRITE_ONLY, [f"- par e-mail : {MIEL_MAIL}", f"- depuis {MIEL_SPACE}"]),
    ],
    ids=["miel", "smie", "write-only"],
)
def test_contact_lines(tenant, expected):
    assert reach.contact_lines(tenant) == expected


@pytest.mark.parametrize(
    "tenant, expected",
    [
        (
            MIEL,
            f"Besoin d'aide ? Contactez-nous par e-mail à {MIEL_MAIL}, par téléphone au 04 77 49 35 35 "
            f"({MIEL_HOURS}) ou depuis {MIEL_SPACE}.",
        ),
        (SMIE, f"Besoin d'aide ? Contactez-nous depuis {SMIE_SPACE}."),
        (WRITE_ONLY, f"Besoin d'aide ? Contactez-nous par e-mail à {MIEL_MAIL} ou depuis {MIEL_SPACE}."),
    ],
    ids=["miel", "smie", "write-only"],
)
def test_contact_sentence(tenant, expected):
    assert reach.contact_sentence(tenant) == expected


MIEL_CALL = f"Vous pouvez appeler Miel au 04 77 49 35 35 (prix d'un appel local), {MIEL_HOURS}."


@pytest.mark.parametrize(
    "tenant, at, expected",
    [
        (MIEL, None, [MIEL_CALL]),
        (MIEL, paris(2025, 11, 24, 10), [MIEL_CALL, "La ligne est ouverte en ce moment jusqu'à 17h30."]),
        (MIEL, paris(2025, 11, 22, 10), [MIEL_CALL, "La ligne est fermée en ce moment : elle rouvre lundi à 8h30."]),
        (PLAIN_PHONE, None, [f"Vous pouvez appeler Miel au 04 77 49 35 35, {MIEL_HOURS}."]),
        (
            SMIE,
            paris(2025, 11, 24, 10),
            [
                f"Pour joindre SMIE Mutuelle, passez par {SMIE_SPACE}.\nVous y accédez "
                "sur www.mutuellesmie.com, onglet « Espace adhérents SMIE » en haut à droite "
                "de la page d'accueil."
            ],
        ),
        (WRITE_ONLY, None, [reach.how_to_reach(WRITE_ONLY)]),
    ],
    ids=["miel", "miel-open", "miel-closed", "no-note", "smie", "write-only"],
)
def test_call_lines(tenant, at, expected):
    assert reach.call_lines(tenant, at) == expected


@pytest.mark.parametrize(
    "tenant, kind, phrase",
    [
        (MIEL, reach.PHONE, "au 04 77 49 35 35"),
        (WRITE_ONLY, reach.EMAIL, f"à {MIEL_MAIL}"),
        (SMIE, reach.SPACE, f"depuis {SMIE_SPACE}"),
    ],
    ids=["miel", "write-only", "smie"],
)
def test_main_route(tenant, kind, phrase):
    assert reach.main_route(tenant) == reach.Route(kind, phrase)


@pytest.mark.parametrize("tenant", [MIEL, SMIE, WRITE_ONLY], ids=["miel", "smie", "write-only"])
def test_nothing_the_profile_does_not_give(tenant):
    texts = [
        *reach.contact_lines(tenant),
        reach.contact_sentence(tenant),
        *reach.call_lines(tenant, paris(2025, 11, 24, 10)),
    ]
    text = "\n".join(texts)
    assert "None" not in text
    if tenant.phone is None:
        assert "téléphone" not in text and "appeler" not in text
    if not tenant.support_email:
        assert "e-mail" not in text
