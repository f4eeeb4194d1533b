"""FAQ routing: which key was selected, which services a tenant's guide describes."""

from __future__ import annotations

import pytest
from answers_helpers import leaks
from helpers.responses import reply_text

from bot.answers.faq import ACCOUNT_KEYS, FAQ_KEYS, REPHRASE, SERVICE_KEYS, answer_faq
from bot.answers.selection import selected_key
from bot.answers.services import SERVICE_LABELS, SERVICE_OF_FAQ_KEY, is_service_key, tenant_offers
from bot.tenants import KNOWN_SERVICES, PasswordPolicy, Tenant


def _selector(key: str, ranking: list | None = None) -> dict:
    return {"response": {"intent_response_key": key, "utter_action": f"utter_{key}"}, "ranking": ranking or []}


SELECTION_CASES = [
    ("own selector", {"response_selector": {"faq": _selector("faq/kalixia")}}, "faq", "kalixia"),
    ("default selector", {"response_selector": {"default": _selector("faq/cgu")}}, "faq", "cgu"),
    (
        "own selector wins over default",
        {"response_selector": {"default": _selector("faq/cgu"), "faq": _selector("faq/echeancier")}},
        "faq",
        "echeancier",
    ),
    (
        "default selector chose another retrieval intent",
        {
            "response_selector": {
                "default": _selector(
                    "contact/telephone",
                    [{"intent_response_key": "contact/telephone"}, {"intent_response_key": "faq/connexion"}],
                )
            }
        },
        "faq",
        "connexion",
    ),
    ("contact selector", {"response_selector": {"contact": _selector("contact/horaires")}}, "contact", "horaires"),
    ("wrong retrieval intent only", {"response_selector": {"faq": _selector("faq/cgu")}}, "contact", None),
    ("no selector", {"text": "bonjour", "response_selector": {}}, "faq", None),
    ("no parse data", None, "faq", None),
    ("button payload", {"text": "/faq/services", "response_selector": {}}, "faq", "services"),
    ("payload of another intent", {"text": "/contact", "response_selector": {}}, "contact", None),
    ("malformed payload", {"text": "/faq/../x", "response_selector": {}}, "faq", None),
    ("bare key without intent", {"response_selector": {"faq": _selector("kalixia")}}, "faq", None),
]


@pytest.mark.parametrize(
    ("label", "parse_data", "intent", "expected"), SELECTION_CASES, ids=[c[0] for c in SELECTION_CASES]
)
def test_selected_key(label: str, parse_data, intent: str, expected) -> None:
    assert selected_key(parse_data, intent) == expected


def test_every_known_service_has_a_faq_key_and_a_label() -> None:
    assert set(SERVICE_OF_FAQ_KEY) == set(KNOWN_SERVICES)
    assert set(SERVICE_LABELS) == set(KNOWN_SERVICES)
    assert set(SERVICE_KEYS) == {"services", *KNOWN_SERVICES}
    assert not set(SERVICE_KEYS) & set(ACCOUNT_KEYS)
    assert len(set(FAQ_KEYS)) == len(FAQ_KEYS)


@pytest.mark.parametrize("key", FAQ_KEYS)
def test_service_keys_are_recognised(key: str) -> None:
    assert is_service_key(key) is (key in SERVICE_KEYS)


@pytest.mark.parametrize("key", SERVICE_KEYS)
def test_miel_answers_every_service_from_the_domain(miel: Tenant, key: str) -> None:
    assert tenant_offers(miel, key)
    assert answer_faq(miel, key).response == f"utter_faq/{key}"


@pytest.mark.parametrize("key", SERVICE_KEYS)
def test_smie_guide_lists_no_service(smie: Tenant, key: str) -> None:
    answer = answer_faq(smie, key)
    assert answer.response == "utter_answer_service_not_described"
    text = reply_text(answer, smie)
    assert "SMIE Mutuelle" in text and "www.mutuellesmie.com" in text
    assert "n'est pas décrit" in text
    assert leaks(text, "smie") == []


@pytest.mark.parametrize("key", [k for k in ACCOUNT_KEYS if k != "mot_de_passe_regles"])
def test_account_keys_use_the_domain_for_every_tenant(tenant: Tenant, key: str) -> None:
    assert answer_faq(tenant, key).response == f"utter_faq/{key}"


def test_partial_service_list_gets_an_overview_of_its_own(miel: Tenant) -> None:
    partial = miel.copy(update={"services": ["remboursements", "kalixia"]})
    overview = answer_faq(partial, "services")
    assert overview.response == "utter_answer_services_overview"
    text = reply_text(overview, partial)
    assert SERVICE_LABELS["remboursements"] in text
    assert SERVICE_LABELS["kalixia"] in text
    assert SERVICE_LABELS["echeancier"] not in text
    assert answer_faq(partial, "kalixia").response == "utter_faq/kalixia"
    assert answer_faq(partial, "echeancier").response == "utter_answer_service_not_described"


@pytest.mark.parametrize("key", [None, "", "unknown", "faq/kalixia"])
def test_unusable_key_asks_to_rephrase(tenant: Tenant, key) -> None:
    assert answer_faq(tenant, key) == REPHRASE
    assert reply_text(REPHRASE).startswith("Je n'ai pas bien compris votre question. Pouvez-vous la reformuler ?")


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (None, ["au moins 8 caractères", "1 majuscule, 1 minuscule, 1 chiffre et 1 caractère spécial"]),
        (
            PasswordPolicy(min_length=12, upper=2, lower=1, digit=0, special=2),
            ["au moins 12 caractères", "2 majuscules, 1 minuscule et 2 caractères spéciaux"],
        ),
        (PasswordPolicy(min_length=10, upper=0, lower=0, digit=0, special=0), ["au moins 10 caractères."]),
    ],
)
def test_password_rules_come_from_the_profile(tenant: Tenant, policy, expected: list) -> None:
    if policy is not None:
        tenant = tenant.copy(update={"password_policy": policy})
    text = reply_text(answer_faq(tenant, "mot_de_passe_regles"), tenant)
    for fragment in expected:
        assert fragment in text
    assert "jamais votre mot de passe" in text
    where = "lien reçu par e-mail" if tenant.activation_flow == "nir_sms" else "en créant votre compte"
    assert where in text
