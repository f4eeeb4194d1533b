"""Contact answers: each tenant's own facts, never the other's, hours used against the clock."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from answers_helpers import leaks, paris
from helpers.responses import reply_text

from bot.answers.contact import CONTACT_KEYS, contact_answer
from bot.tenants import Tenant


def _answer(tenant: Tenant, key: str | None, at: datetime) -> str:
    """The contact answer as the member reads it (domain.yml rendered by Rasa)."""
    return reply_text(contact_answer(tenant, key, at), tenant)


PHONE_RE = re.compile(r"(?:\+33|\b0)\s?[1-9](?:[\s.-]?\d{2}){4}\b")
INSTANTS = {
    "weekday 10:00": paris(2025, 3, 12, 10, 0),
    "weekday 19:00": paris(2025, 3, 12, 19, 0),
    "saturday": paris(2025, 3, 15, 11, 0),
    "sunday": paris(2025, 3, 16, 10, 0),
}

# key -> facts of the Miel guide the answer must contain
MIEL_FACTS = {
    "telephone": ["04 77 49 35 35", "prix d'un appel local", "du lundi au vendredi de 8h30 à 17h30"],
    "horaires": ["du lundi au vendredi de 8h30 à 17h30", "04 77 49 35 35"],
    "adresse": ["Service Clients Miel", "33 rue des Docteurs Charcot", "42031 Saint-Etienne Cedex"],
    "email": ["digital.assistance-miel@malakoffhumanis.com", "« Nous contacter »"],
    "site": ["https://mielmut.fr", "Espace Affilié", "Espaces Sécurisés"],
    "general": [
        "04 77 49 35 35",
        "digital.assistance-miel@malakoffhumanis.com",
        "« Nous contacter »",
        "33 rue des Docteurs Charcot",
    ],
    # a request the guides do not answer: every way to reach Miel, the support offer, nothing invented
    "autre_demande": [
        "Je ne peux pas traiter cette demande ici",
        "04 77 49 35 35",
        "digital.assistance-miel@malakoffhumanis.com",
        "33 rue des Docteurs Charcot",
        "« parler à un conseiller »",
    ],
}
# key -> facts of the SMIE guide the answer must contain (it gives no phone, hours, address, mailbox)
SMIE_FACTS = {
    "telephone": ["Je n'ai pas de numéro de téléphone", "www.mutuellesmie.com", "Espace adhérents SMIE"],
    "horaires": ["Je n'ai pas d'horaires", "www.mutuellesmie.com"],
    "adresse": ["Je n'ai pas d'adresse postale", "www.mutuellesmie.com"],
    "email": ["Je n'ai pas d'adresse e-mail", "nepasrepondre@assia.fr", "n'y répondez pas"],
    "site": ["https://www.mutuellesmie.com", "Espace adhérents SMIE"],
    "general": ["www.mutuellesmie.com", "Espace adhérents SMIE"],
    "autre_demande": ["Je ne peux pas traiter cette demande ici", "www.mutuellesmie.com", "« parler à un conseiller »"],
}


@pytest.mark.parametrize("moment", list(INSTANTS))
@pytest.mark.parametrize("key", CONTACT_KEYS)
def test_each_tenant_gets_its_own_facts(tenant: Tenant, key: str, moment: str) -> None:
    text = _answer(tenant, key, INSTANTS[moment])
    expected = (MIEL_FACTS if tenant.id == "miel" else SMIE_FACTS)[key]
    for fact in expected:
        assert fact in text, f"{tenant.id}/{key}: missing {fact!r} in {text!r}"
    assert leaks(text, tenant.id) == []
    assert "None" not in text and "{" not in text


@pytest.mark.parametrize("moment", list(INSTANTS))
@pytest.mark.parametrize("key", CONTACT_KEYS)
def test_smie_never_gives_a_phone_number(smie: Tenant, key: str, moment: str) -> None:
    text = _answer(smie, key, INSTANTS[moment])
    assert PHONE_RE.search(text) is None
    assert "ligne" not in text  # no phone line, so no open/closed status either


def test_phone_pattern_recognises_the_miel_number(miel: Tenant) -> None:
    # guards the test above: the pattern does find a real French number
    assert PHONE_RE.search(_answer(miel, "telephone", INSTANTS["weekday 10:00"]))


@pytest.mark.parametrize(
    ("key", "moment", "expected", "absent"),
    [
        ("telephone", "weekday 10:00", ["ouverte en ce moment jusqu'à 17h30"], ["fermée", "En attendant"]),
        (
            "telephone",
            "weekday 19:00",
            ["fermée en ce moment", "rouvre demain à 8h30", "En attendant", "digital.assistance-miel@"],
            ["ouverte"],
        ),
        ("telephone", "saturday", ["fermée en ce moment", "rouvre lundi à 8h30", "« Nous contacter »"], []),
        ("horaires", "sunday", ["fermée en ce moment", "rouvre demain à 8h30", "En attendant"], []),
        ("horaires", "weekday 10:00", ["ouverte en ce moment"], ["En attendant"]),
        ("general", "saturday", ["rouvre lundi à 8h30"], []),
        ("adresse", "saturday", ["Charcot"], ["fermée", "ouverte"]),
    ],
)
def test_miel_hours_are_used(miel: Tenant, key: str, moment: str, expected: list, absent: list) -> None:
    text = _answer(miel, key, INSTANTS[moment])
    for fragment in expected:
        assert fragment in text
    for fragment in absent:
        assert fragment not in text


@pytest.mark.parametrize("key", [None, "", "unknown"])
def test_unknown_key_gets_the_general_answer(tenant: Tenant, key) -> None:
    at = INSTANTS["weekday 10:00"]
    assert contact_answer(tenant, key, at) == contact_answer(tenant, "general", at)
    assert _answer(tenant, key, at) == _answer(tenant, "general", at)
