"""The cases of the frozen-replies test (``test_answers_frozen.py``): tenants, instants, keys.

Both real tenants, plus variants of them that take every branch of the
answers built from a profile (no phone, no hours, no support address...).
"""

from __future__ import annotations

from datetime import datetime
from typing import Dict, List, Tuple

from answers_helpers import paris

from bot.notify import DELIVERED, FAILED, QUEUED
from bot.tenants import PasswordPolicy, Tenant, load_tenant


def tenants() -> Dict[str, Tenant]:
    """The two real tenants and variants of them, by name."""
    miel, smie = load_tenant("miel"), load_tenant("smie")
    return {
        "miel": miel,
        "smie": smie,
        "miel_partial_services": miel.copy(update={"services": ["remboursements", "kalixia"]}),
        "miel_one_service": miel.copy(update={"services": ["echeancier"]}),
        "miel_no_hours": miel.copy(update={"opening_hours": None}),
        "miel_no_phone": miel.copy(update={"phone": None}),
        "miel_no_phone_note": miel.copy(update={"phone": miel.phone.copy(update={"note": None})}),  # type: ignore[union-attr]
        "miel_no_support": miel.copy(update={"support_email": None, "sender_email": "ne-pas-repondre@mielmut.fr"}),
        "miel_no_address": miel.copy(update={"postal_address": None}),
        "miel_strict_policy": miel.copy(
            update={"password_policy": PasswordPolicy(min_length=12, upper=2, lower=0, digit=3, special=0)}
        ),
        "miel_bare_policy": miel.copy(
            update={"password_policy": PasswordPolicy(min_length=10, upper=0, lower=0, digit=0, special=0)}
        ),
        "smie_no_sender": smie.copy(update={"sender_email": None}),
        "smie_with_phone_and_hours": smie.copy(update={"phone": miel.phone, "opening_hours": miel.opening_hours}),
    }


INSTANTS: Dict[str, datetime] = {
    "weekday 00:05": paris(2025, 3, 12, 0, 5),
    "weekday 07:00": paris(2025, 3, 12, 7, 0),
    "weekday 08:30": paris(2025, 3, 12, 8, 30),
    "weekday 10:00": paris(2025, 3, 12, 10, 0),
    "weekday 17:29": paris(2025, 3, 12, 17, 29),
    "weekday 17:30": paris(2025, 3, 12, 17, 30),
    "weekday 19:00": paris(2025, 3, 12, 19, 0),
    "friday 18:00": paris(2025, 3, 14, 18, 0),
    "saturday 11:00": paris(2025, 3, 15, 11, 0),
    "sunday 10:00": paris(2025, 3, 16, 10, 0),
    "summer monday 08:29": paris(2025, 7, 7, 8, 29),
}

CONTACT_KEYS_ASKED = ("telephone", "horaires", "adresse", "email", "site", "general", "autre_demande", None, "inconnu")


def faq_keys() -> List[str | None]:
    from bot.answers.faq import FAQ_KEYS

    return [*FAQ_KEYS, None, "inconnu"]


def contact_cases() -> List[Tuple[str, str | None, str]]:
    """(tenant, key, instant) of every contact answer checked."""
    return [(tenant, key, moment) for tenant in tenants() for key in CONTACT_KEYS_ASKED for moment in INSTANTS]


def faq_cases() -> List[Tuple[str, str | None]]:
    """(tenant, key) of every FAQ answer checked."""
    return [(tenant, key) for tenant in tenants() for key in faq_keys()]


def delivery_cases() -> List[Tuple[str, str, str | None]]:
    """(status, channel, tenant or None) of every delivery problem checked."""
    return [
        (status, channel, tenant)
        for status in (DELIVERED, QUEUED, FAILED)
        for channel in ("email", "sms")
        for tenant in (None, "miel", "smie", "miel_no_support")
    ]
