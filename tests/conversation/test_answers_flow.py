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
        ("pourquoi mon département de naissance doit-il être le même que dans mon numéro de sécu ?", "1 80 10 42"),
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


# fresh phrasings (not training examples of data/nlu) of the three contact questions
CONTACT_QUESTIONS = {
    "phone": "à quel numéro je peux vous appeler ?",
    "address": "à quelle adresse je peux vous écrire par la poste ?",
    "hours": "c'est quoi vos heures d'ouverture ?",
}
# what the reply says when the profile has no such fact (SMIE's guide gives none)
NOT_IN_PROFILE = {"phone": "pas de numéro de téléphone", "address": "pas d'adresse postale", "hours": "pas d'horaires"}


@pytest.mark.parametrize("tenant", ["miel", "smie"])
@pytest.mark.parametrize("topic", ["phone", "address", "hours"])
def test_contact_questions_give_each_tenant_its_own_facts(assistants, tenant, topic):
    assistant = assistants[tenant]
    assistant.set_clock(None)
    text = assistant.say_text(assistant.new_sender(), CONTACT_QUESTIONS[topic])
    profile = load_tenant(tenant)  # the facts of bot/tenants/<tenant>.yml
    if topic in ("phone", "hours") and profile.phone is not None:
        assert profile.phone.number in text, text
        assert profile.opening_hours.text in text, text  # when to call
    elif topic == "address" and profile.postal_address is not None:
        assert ", ".join(profile.postal_address) in text, text
    else:
        # nothing invented: says the fact is not known and where to go instead
        assert NOT_IN_PROFILE[topic] in text, text
        assert profile.contact_in_space in text and profile.website_host in text, text
        assert "04 " not in text
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
        text = miel.say_text(miel.new_sender(), "vous répondez au téléphone à quelles heures ?")
    finally:
        miel.set_clock(None)
    assert "8h30" in text
    if closed:
        assert "fermée en ce moment" in text and "rouvre" in text
        assert "digital.assistance-miel@malakoffhumanis.com" in text  # the written alternative
    else:
        assert "fermée" not in text


@pytest.mark.parametrize(
    "question, health",
    [
        ("quel temps fera-t-il demain à Lyon ?", False),
        ("quel médicament prendre pour la grippe ?", True),
        ("racontez-moi une blague", False),
    ],
)
def test_out_of_scope_gets_a_polite_answer_not_a_faq(miel, question, health):
    text = miel.say_text(miel.new_sender(), question)
    # the out-of-scope answer itself: not the help menu, not a "please rephrase"
    assert "je ne peux pas vous aider sur ce sujet" in text, text
    assert "Je peux vous aider à :" not in text and "reformuler" not in text, text
    # and what the assistant can do instead
    assert "activer votre espace" in text and "coordonnées de la mutuelle" in text, text
    if health:
        assert "médecin ou à votre pharmacien" in text, text
    assert "Kalixia" not in text and "tiers payant" not in text


def test_medical_emergency_comes_first(miel):
    text = miel.say_text(miel.new_sender(), "j'ai une grosse douleur dans la poitrine et je respire mal")
    assert "15" in text and "112" in text
