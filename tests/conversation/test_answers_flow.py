"""Answers over REST for both tenants: services, account, contact and opening
hours with a frozen clock, out-of-scope and emergencies, never the other
tenant's facts."""

from __future__ import annotations

import pytest

from bot.tenants import load_tenant

pytestmark = pytest.mark.conversation

# facts that must never appear in the other tenant's replies
FACTS = {
    "miel": ["Miel", "04 77 49 35 35", "Charcot", "mielmut.fr", "malakoffhumanis"],
    "smie": ["SMIE", "mutuellesmie.com", "assia.fr"],
}


def _other(tenant: str) -> str:
    return "smie" if tenant == "miel" else "miel"


def _no_other_tenant_fact(text: str, tenant: str) -> None:
    for fact in FACTS[_other(tenant)]:
        assert fact not in text, f"{tenant} reply mentions {fact!r}: {text}"


SERVICE_QUESTIONS = [
    ("comment télécharger ma carte de tiers payant ?", "tiers payant"),
    ("où je vois mes remboursements", "rembourse"),
    ("c'est quoi kalixia", "Kalixia"),
    ("je voudrais envoyer une facture d'ostéo", "factures"),
    ("où trouver mon échéancier de paiement", "échéancier"),
]


@pytest.mark.parametrize("question, expected", SERVICE_QUESTIONS)
def test_miel_service_questions(miel, question, expected):
    text = miel.say_text(miel.new_sender(), question)
    assert expected.lower() in text.lower(), text
    _no_other_tenant_fact(text, "miel")


@pytest.mark.parametrize("question, _expected", SERVICE_QUESTIONS)
def test_smie_service_questions_do_not_borrow_miel_services(smie, question, _expected):
    text = smie.say_text(smie.new_sender(), question)
    assert "SMIE" in text
    assert "Kalixia" not in text
    _no_other_tenant_fact(text, "smie")


@pytest.mark.parametrize(
    "question, expected",
    [
        ("quelles sont les règles pour le mot de passe ?", "8 caractères"),
        ("pourquoi le département de naissance doit correspondre ?", "1 80 10 42"),
        ("je n'ai pas reçu le code par sms", "code"),
    ],
)
def test_miel_account_questions(miel, question, expected):
    text = miel.say_text(miel.new_sender(), question)
    assert expected in text, text


def test_smie_login_in_two_steps(smie):
    text = smie.say_text(smie.new_sender(), "comment se connecter à l'espace adhérents ?")
    assert "5 minutes" in text or "code" in text, text
    _no_other_tenant_fact(text, "smie")


@pytest.mark.parametrize("tenant", ["miel", "smie"])
@pytest.mark.parametrize(
    "question",
    ["quel est votre numéro de téléphone ?", "quelle est votre adresse postale ?", "vous êtes ouverts quand ?"],
)
def test_contact_questions_give_each_tenant_its_own_facts(assistants, tenant, question):
    assistant = assistants[tenant]
    assistant.set_clock(None)
    text = assistant.say_text(assistant.new_sender(), question)
    profile = load_tenant(tenant)
    if profile.phone is None:
        assert "04 " not in text and profile.website_host in text
    else:
        assert profile.display_name in text
    _no_other_tenant_fact(text, tenant)


@pytest.mark.parametrize(
    "instant, closed",
    [
        ("2026-11-23T10:00:00+01:00", False),  # Monday 10:00
        ("2026-11-23T19:00:00+01:00", True),  # Monday 19:00
        ("2026-11-28T11:00:00+01:00", True),  # Saturday
    ],
    ids=["open", "evening", "saturday"],
)
def test_opening_hours_are_used_not_recited(miel, instant, closed):
    miel.set_clock(instant)
    try:
        text = miel.say_text(miel.new_sender(), "quels sont vos horaires ?")
    finally:
        miel.set_clock(None)
    assert "8h30" in text
    if closed:
        assert "fermée en ce moment" in text and "rouvre" in text
        assert "digital.assistance-miel@malakoffhumanis.com" in text  # the written alternative
    else:
        assert "fermée" not in text


@pytest.mark.parametrize(
    "question",
    ["quel temps fera-t-il demain à Lyon ?", "quel médicament prendre pour la grippe ?", "racontez-moi une blague"],
)
def test_out_of_scope_gets_a_polite_answer_not_a_faq(miel, question):
    text = miel.say_text(miel.new_sender(), question)
    assert "activer votre espace" in text or "Je peux vous aider" in text or "reformuler" in text, text
    assert "Kalixia" not in text and "tiers payant" not in text


def test_medical_emergency_comes_first(miel):
    text = miel.say_text(miel.new_sender(), "j'ai une grosse douleur dans la poitrine et je respire mal")
    assert "15" in text and "112" in text
