"""The answers of domain.yml against the training data, the profiles and Rasa's own rendering.

The answers are the retrieval responses (utter_faq/<key>, utter_contact/<key>)
and the emergency and out-of-scope responses. Every faq/<key> and
contact/<key> of the NLU data has its response and vice versa; no answer
hard-codes a mutuelle fact; rendered by Rasa's response generator with each
tenant's slots, every answer carries that tenant's facts and never the other's.
"""

from __future__ import annotations

import re
from typing import Dict, List

import pytest
import yaml
from answers_helpers import ROOT, leaks

from bot.answers.contact import CONTACT_KEYS
from bot.answers.faq import FAQ_KEYS
from bot.tenants import Tenant
from bot.tenants.facts import TENANT_SLOTS, tenant_slot_values

DOMAIN_FILE = ROOT / "domain.yml"
ANSWER_INTENTS = {"faq", "contact", "medical_emergency", "out_of_scope"}
ANSWER_ACTIONS = {"action_answer_faq", "action_answer_contact"}
OTHER_ANSWERS = {"utter_medical_emergency", "utter_out_of_scope"}
TRAIN_FILES = [ROOT / "data" / "nlu" / name for name in ("faq.yml", "contact.yml", "out_of_scope.yml")]
TEST_FILES = [ROOT / "tests" / "nlu" / name for name in ("faq_test.yml", "contact_test.yml", "out_of_scope_test.yml")]
FORBIDDEN = ("miel", "smie", "04 77", "mielmut", "mutuellesmie", "malakoff", "charcot", "assia")
FLOWS = ("nir_sms", "access_code_email")


def _domain() -> dict:
    return yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))


def _answers() -> Dict[str, list]:
    """The answers' responses: retrieval responses, emergency and out of scope."""
    return {
        name: variations
        for name, variations in _domain()["responses"].items()
        if name.startswith(("utter_faq/", "utter_contact/")) or name in OTHER_ANSWERS
    }


def _examples(paths: List) -> Dict[str, List[str]]:
    out: Dict[str, List[str]] = {}
    for path in paths:
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            if "intent" not in item:  # regex / lookup entries
                continue
            lines = [line.strip()[2:].strip() for line in item["examples"].splitlines() if line.strip()]
            out.setdefault(item["intent"], []).extend(lines)
    return out


def _keys(names, prefix: str) -> set:
    return {name.split("/", 1)[1] for name in names if name.startswith(prefix)}


def test_every_faq_key_has_a_response_and_vice_versa() -> None:
    responses = _domain()["responses"]
    trained = _examples(TRAIN_FILES)
    assert _keys(trained, "faq/") == _keys(responses, "utter_faq/") == set(FAQ_KEYS)
    assert _keys(trained, "contact/") == _keys(responses, "utter_contact/") == set(CONTACT_KEYS)


def test_domain_declares_intents_and_actions() -> None:
    domain = _domain()
    assert ANSWER_INTENTS <= set(domain["intents"])
    assert ANSWER_ACTIONS <= set(domain["actions"])
    assert OTHER_ANSWERS <= set(domain["responses"])


@pytest.mark.parametrize("name", sorted(_answers()))
def test_response_is_tenant_neutral(name: str) -> None:
    variations = _answers()[name]
    assert sum(1 for v in variations if "condition" not in v) == 1, "exactly one default variation"
    slots = set(_domain()["slots"])
    for variation in variations:
        text = variation["text"]
        for fact in FORBIDDEN:
            assert fact not in text.lower(), f"{name}: hard-coded {fact!r}"
        for placeholder in re.findall(r"{([^{}]+)}", text):
            assert placeholder in slots and placeholder in TENANT_SLOTS, f"{name}: unknown slot {placeholder}"
        for condition in variation.get("condition", []):
            assert condition == {"type": "slot", "name": "tenant_flow", "value": condition["value"]}
            assert condition["value"] in FLOWS
        assert 1 <= len(text.splitlines()) <= 7, f"{name}: keep answers short"


def _render(tenant: Tenant) -> Dict[str, str]:
    from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain

    domain = Domain.load(str(DOMAIN_FILE))
    slots = {slot.name: None for slot in domain.slots}
    slots.update(tenant_slot_values(tenant))
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    rendered = {}
    for name in _answers():
        # one variation at most matches each tenant (conditional, else default): no randomness
        message = nlg.generate_from_slots(name, slots, "rest")
        rendered[name] = message["text"]
    return rendered


@pytest.fixture(scope="module")
def rendered() -> Dict[str, Dict[str, str]]:
    from bot.tenants import load_tenant

    return {name: _render(load_tenant(name)) for name in ("miel", "smie")}


@pytest.mark.parametrize("tenant_id", ["miel", "smie"])
def test_rendered_responses_are_complete_and_never_leak(rendered, tenant_id: str) -> None:
    for name, text in rendered[tenant_id].items():
        assert "{" not in text and "None" not in text, f"{tenant_id} {name}: {text!r}"
        assert leaks(text, tenant_id) == [], f"{tenant_id} {name} leaks {leaks(text, tenant_id)}"


@pytest.mark.parametrize(
    ("tenant_id", "name", "expected"),
    [
        ("miel", "utter_faq/activation", ["numéro de sécurité sociale", "SMS", "48 heures", "Espace Affilié"]),
        ("smie", "utter_faq/activation", ["numéro d'adhérent", "code d'accès", "courrier", "24 heures"]),
        ("miel", "utter_faq/departement_naissance", ["1 80 10 42 XXX XXX XX", "sexe", "année", "mois", "département"]),
        ("smie", "utter_faq/departement_naissance", ["n'est pas demandé", "code d'accès"]),
        ("miel", "utter_faq/numero_adherent", ["identifiant", "e-mail"]),
        ("smie", "utter_faq/numero_adherent", ["indiqué dans le courrier"]),
        ("smie", "utter_faq/code_acces", ["indiqué dans le courrier", "5 minutes"]),
        (
            "smie",
            "utter_faq/connexion",
            ["2 étapes", "6 chiffres", "usage unique", "5 minutes", "nepasrepondre@assia.fr"],
        ),
        ("miel", "utter_faq/connexion", ["numéro d'adhérent", "mot de passe", "mielmut.fr"]),
        ("miel", "utter_faq/cgu", ["Conditions Générales d'Utilisation", "« Valider »"]),
        ("smie", "utter_faq/cgu", ["J'accepte les conditions générales d'utilisation", "« Continuer »"]),
        ("miel", "utter_faq/code_non_recu", ["SMS", "numéro de mobile", "indésirables", "digital.assistance-miel@"]),
        ("smie", "utter_faq/code_non_recu", ["nepasrepondre@assia.fr", "spam", "nouveau code"]),
        ("miel", "utter_faq/code_expire", ["10 minutes", "nouveau code"]),
        ("smie", "utter_faq/code_expire", ["5 minutes", "usage unique"]),
        ("miel", "utter_faq/lien_expire", ["48 heures"]),
        ("smie", "utter_faq/lien_expire", ["24 heures", "Inscription en cours", "code d'activation"]),
        ("miel", "utter_faq/mot_de_passe_oublie", ["digital.assistance-miel@malakoffhumanis.com"]),
        ("miel", "utter_faq/kalixia", ["Kalixia", "dentaire, optique, audioprothèse et ostéopathie"]),
        ("miel", "utter_faq/demandes_en_ligne", ["psy, ostéo et chiropractie", "selon votre contrat"]),
        ("miel", "utter_faq/courriers", ["Mes courriers / Mes courriers reçus", "dématérialisation"]),
        (
            "miel",
            "utter_faq/preferences_communication",
            ["« vert »", "alerte mail", "Vos Préférences de communication"],
        ),
        ("miel", "utter_faq/donnees_bancaires", ["toute votre famille"]),
        ("miel", "utter_medical_emergency", ["15 (SAMU)", "112", "114", "Miel"]),
        ("smie", "utter_out_of_scope", ["activer votre espace", "coordonnées", "support", "SMIE Mutuelle"]),
    ],
)
def test_rendered_response_carries_the_tenant_facts(rendered, tenant_id: str, name: str, expected: list) -> None:
    text = rendered[tenant_id][name]
    for fragment in expected:
        assert fragment in text, f"{tenant_id} {name}: missing {fragment!r} in {text!r}"


def test_emergency_answer_starts_with_the_emergency_numbers(rendered) -> None:
    for tenant_id in ("miel", "smie"):
        first_line = rendered[tenant_id]["utter_medical_emergency"].splitlines()[0]
        assert "15" in first_line and "112" in first_line


def test_nlu_training_data_is_wide_and_the_test_set_separate() -> None:
    trained = _examples(TRAIN_FILES)
    tested = _examples(TEST_FILES)
    everything_trained = {
        example.lower()
        for examples in _examples(sorted((ROOT / "data" / "nlu").glob("*.yml"))).values()
        for example in examples
    }
    assert set(tested) == set(trained)
    for intent, examples in trained.items():
        assert len(examples) >= 15, f"{intent}: only {len(examples)} training examples"
        assert len(set(e.lower() for e in examples)) == len(examples), f"{intent}: duplicated example"
    for intent, examples in tested.items():
        assert len(examples) >= 5, f"{intent}: only {len(examples)} test examples"
        copied = [e for e in examples if e.lower() in everything_trained]
        assert copied == [], f"{intent}: test sentences copied from the training data: {copied}"
