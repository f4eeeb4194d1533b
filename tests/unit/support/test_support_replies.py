"""Texts of the hand-off to support, from the two real tenant profiles, as domain.yml renders them."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from helpers.responses import reply_text, responses

from bot.notify import DeliveryResult
from bot.support import replies
from bot.support import tickets as ticket_service
from bot.tenants import load_tenant

PARIS = ZoneInfo("Europe/Paris")
MIEL = load_tenant("miel")
SMIE = load_tenant("smie")
OTHER = {"miel": ("SMIE", "mutuellesmie", "assia"), "smie": ("Miel", "04 77", "mielmut", "malakoff", "Charcot")}


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(timezone.utc)


MONDAY_10H = paris(2025, 11, 24, 10)
MONDAY_19H = paris(2025, 11, 24, 19)
SATURDAY_10H = paris(2025, 11, 22, 10)


@pytest.mark.parametrize(
    "reason",
    [
        "advisor_request",
        "fallback",
        "activation_locked",
        "contact_not_theirs",
        "no_contact_on_file",
        "code_not_delivered",
        "complaint",
        "other",
        "???",
    ],
)
@pytest.mark.parametrize("tenant", [MIEL, SMIE], ids=["miel", "smie"])
def test_offer_uses_only_the_tenant_s_facts(tenant, reason):
    text = reply_text(replies.offer(tenant, reason, MONDAY_10H))
    assert text.endswith("?")
    for fact in OTHER[tenant.id]:
        assert fact.lower() not in text.lower(), fact
    if tenant.phone:
        assert tenant.phone.number in text and tenant.opening_hours.text in text
        assert "Voulez-vous laisser un message" in text
    else:
        assert "Je ne peux pas transmettre de message directement à SMIE Mutuelle" in text
        assert "mutuellesmie.com" in text


@pytest.mark.parametrize(
    "at, expected",
    [
        (MONDAY_10H, "La ligne est ouverte en ce moment jusqu'à 17h30."),
        (MONDAY_19H, "elle rouvre demain à 8h30"),
        (SATURDAY_10H, "elle rouvre lundi à 8h30"),
    ],
)
def test_offer_uses_the_opening_hours(at, expected):
    assert expected in reply_text(replies.offer(MIEL, "advisor_request", at))


@pytest.mark.parametrize(
    "reason, expected",
    [
        ("contact_not_theirs", "qu'aux coordonnées déjà enregistrées dans votre dossier"),
        ("no_contact_on_file", "ni mobile ni adresse e-mail"),
        ("code_not_delivered", "pas pu vous envoyer le code"),
    ],
)
@pytest.mark.parametrize("tenant", [MIEL, SMIE], ids=["miel", "smie"])
def test_the_activation_hand_offs_say_why(tenant, reason, expected):
    text = reply_text(replies.offer(tenant, reason, MONDAY_10H))
    intro = responses()[f"utter_support_offer_{reason}_message"][0]["text"].split("\n")[0]
    assert text.startswith(intro.replace("{tenant_name}", tenant.display_name))
    assert expected in text
    if reason != "code_not_delivered":
        assert f"conseiller de {tenant.display_name}" in text


def _ticket(outcome, **kw):
    return ticket_service.TicketResult(outcome, "MIEL-2511-ABCDEF", contact_email_masked="p***l@example.org", **kw)


@pytest.mark.parametrize(
    "tenant, result, expected",
    [
        (
            MIEL,
            _ticket("sent", ack_delivery=DeliveryResult("delivered", "email", 2, "p***l@example.org")),
            "C'est transmis",
        ),
        (
            MIEL,
            _ticket("sent", ack_delivery=DeliveryResult("queued", "email", 2, "p***l@example.org")),
            "renvoyé automatiquement",
        ),
        (MIEL, _ticket("queued"), "sera transmise dès que possible"),
        (MIEL, _ticket("failed"), "04 77 49 35 35"),
        (SMIE, _ticket("no_support_address"), "indiquez cette référence"),
    ],
)
def test_ticket_outcome(tenant, result, expected):
    text = reply_text(replies.ticket_outcome(tenant, result))
    assert expected in text
    assert "MIEL-2511-ABCDEF" in text


@pytest.mark.parametrize("tenant", [MIEL, SMIE], ids=["miel", "smie"])
def test_a_refused_ticket_points_to_the_other_routes(tenant):
    text = reply_text(replies.ticket_outcome(tenant, ticket_service.TicketResult(ticket_service.RATE_LIMITED)))
    assert "déjà envoyé plusieurs demandes" in text and "None" not in text
    if tenant.phone:
        assert tenant.phone.number in text
    else:
        assert tenant.contact_in_space in text and "appeler" not in text
    for fact in OTHER[tenant.id]:
        assert fact.lower() not in text.lower(), fact


def test_confirmation_summary_is_masked_and_short():
    text = reply_text(replies.ask_confirmation(MIEL, "mon nir 1 80 10 42 218 123 33 " + "x" * 500, "p***l@example.org"))
    assert "218 123" not in text and "…" in text and "p***l@example.org" in text
