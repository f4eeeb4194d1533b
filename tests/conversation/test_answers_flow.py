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


# ------------------------------------------------- everyday questions (issue 14)
# Fresh phrasings, typos and SMS spelling included (never a training example).

# what a reply must never contain: an activation start, the login steps, a "please rephrase"
ACTIVATION_START = "numéro de sécurité sociale ?"
REPHRASE = ("reformuler", "pas bien compris")


def _assert_understood(text: str) -> None:
    for fragment in REPHRASE:
        assert fragment not in text, text


@pytest.mark.parametrize(
    "question",
    [
        "comment je fais pour me créer un compte sur votre site ?",
        "jai pas de compte en ligne cmt on en ouvre un",
    ],
)
def test_creating_the_online_account_without_the_word_activer(any_tenant, question):
    text = any_tenant.say_text(any_tenant.new_sender(), question)
    _assert_understood(text)
    profile = load_tenant(any_tenant.tenant)
    if profile.activation_flow == "nir_sms":
        # the guide's activation: the NIR and the birth facts, here or as the guided start
        assert "sécurité sociale" in text, text
    else:
        # SMIE: the adherent number and the access code of the letter
        assert "numéro d'adhérent" in text and "code d'accès" in text, text
    _no_other_tenant_fact(text, any_tenant.tenant)


@pytest.mark.parametrize("question", ["mon compte est bloqué, je fais comment ?", "compte bloké jpeu plu rien fr"])
def test_a_blocked_account_gets_the_route_to_support_not_an_activation(any_tenant, question):
    text = any_tenant.say_text(any_tenant.new_sender(), question)
    _assert_understood(text)
    assert "parler à un conseiller" in text, text
    assert ACTIVATION_START not in text and "Pour activer votre" not in text, text
    profile = load_tenant(any_tenant.tenant)
    if profile.support_email:
        assert profile.support_email in text, text
    else:
        assert "@" not in text  # no mailbox invented for SMIE
    _no_other_tenant_fact(text, any_tenant.tenant)


@pytest.mark.parametrize(
    "question",
    [
        "je n'arrive pas à me connecter, je vous écris à quelle adresse mail ?",
        "conexion impossible, ya un mail pr vous ecrire ?",
    ],
)
def test_where_to_write_when_login_fails_is_the_digital_assistance(any_tenant, question):
    text = any_tenant.say_text(any_tenant.new_sender(), question)
    _assert_understood(text)
    profile = load_tenant(any_tenant.tenant)
    # an address to write to, not the login steps
    assert "Connexion »" not in text and "Je me connecte" not in text, text
    if profile.support_email:
        assert f"écrivez directement à {profile.support_email}" in text, text
    else:
        assert "pas d'adresse e-mail" in text and profile.contact_in_space in text, text
    _no_other_tenant_fact(text, any_tenant.tenant)


@pytest.mark.parametrize(
    "question", ["je veux vous écrire par la poste, c'est quelle adresse ?", "adresse pr envoyer 1 courrier"]
)
def test_where_to_write_by_post_is_the_postal_address(any_tenant, question):
    text = any_tenant.say_text(any_tenant.new_sender(), question)
    _assert_understood(text)
    profile = load_tenant(any_tenant.tenant)
    if profile.postal_address:
        assert ", ".join(profile.postal_address) in text, text
        assert profile.support_email not in text, text  # the postal address, not the e-mail
    else:
        assert "pas d'adresse postale" in text and profile.contact_in_space in text, text
    _no_other_tenant_fact(text, any_tenant.tenant)


# facts about ending or changing a contract that no guide gives: never said
INVENTED = ("préavis", "recommandé", "loi Chatel", "un mois", "deux mois", "Hamon", "à tout moment")


@pytest.mark.parametrize(
    "question",
    [
        "bonjour je voudrais résilier mon contrat santé",
        "je veu changer de formule pr 1 meilleure couverture",
        "comment on fait pour mettre fin à son adhésion ?",
    ],
)
def test_requests_outside_the_guides_get_the_contact_route_and_no_invented_fact(any_tenant, question):
    text = any_tenant.say_text(any_tenant.new_sender(), question)
    _assert_understood(text)
    assert "Je ne peux pas traiter cette demande ici" in text, text
    assert "parler à un conseiller" in text, text
    for fact in INVENTED:
        assert fact.lower() not in text.lower(), f"invented {fact!r}: {text}"
    profile = load_tenant(any_tenant.tenant)
    if profile.phone is not None:
        assert profile.phone.number in text and ", ".join(profile.postal_address) in text, text
    else:
        assert profile.contact_in_space in text and "04 " not in text, text
    _no_other_tenant_fact(text, any_tenant.tenant)


@pytest.mark.parametrize("question", ["je sais pas où trouver mon numéro d'adhérent", "ou est mon num adherent ?"])
def test_where_to_find_the_adherent_number_is_what_the_guide_says(any_tenant, question):
    text = any_tenant.say_text(any_tenant.new_sender(), question)
    _assert_understood(text)
    if load_tenant(any_tenant.tenant).activation_flow == "nir_sms":
        # Miel's guide: the identifier e-mail, and the « Où trouver mon n° Adhérent ? » link of the login page
        assert "e-mail" in text and "identifiant" in text and "Où trouver mon n° Adhérent" in text, text
    else:
        # SMIE's guide: « indiqué dans le courrier »
        assert "indiqué dans le courrier" in text, text
    _no_other_tenant_fact(text, any_tenant.tenant)


@pytest.mark.parametrize(
    "question, miel_says",
    [
        ("kalixia c'est quoi au juste ?", ["réseaux de soins Kalixia", "professionnels agréés"]),
        ("c koi lorientation santé", ["bien-être et d'orientation santé"]),
    ],
)
def test_a_named_service_is_what_the_guide_says_it_is(assistants, question, miel_says):
    miel = assistants["miel"]
    text = miel.say_text(miel.new_sender(), question)
    for fragment in miel_says:
        assert fragment in text, text
    assert "connectez-vous" in text, text  # the next step
    # SMIE's guide describes no such service: said so, not borrowed from Miel
    smie = assistants["smie"]
    text = smie.say_text(smie.new_sender(), question)
    assert "pas d'information sur ce service" in text and "Kalixia" not in text, text


def test_replies_are_typeset_at_the_output(miel):
    from bot.typography import NBSP, NNBSP

    replies = miel.say_raw(miel.new_sender(), "c'est quoi le numéro pour vous appeler ?")
    text = "\n".join(r.get("text", "") for r in replies)
    assert "04\u00a077\u00a049\u00a035\u00a035" in text, repr(text)  # the number does not break across lines
    assert " :" not in text and " ?" not in text and " !" not in text, repr(text)
    greeting = "\n".join(r.get("text", "") for r in miel.say_raw(miel.new_sender(), "bonjour"))
    assert f"pour vous{NNBSP}?" in greeting, repr(greeting)
    assert NBSP not in "".join(r.get("recipient_id", "") for r in replies)
