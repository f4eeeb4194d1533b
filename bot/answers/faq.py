"""Which answer to give for a ``faq/<key>`` chosen by the ResponseSelector.

Most keys are answered by the domain response ``utter_faq/<key>`` (tenant
facts come from slots and conditional variations on ``tenant_flow``).  This
module decides when the profile must answer instead: a service the tenant's
guide does not describe, the overview of a partial service list, the
password rules, or no usable key at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.answers.account import password_rules_text
from bot.answers.services import (
    OVERVIEW_KEY,
    is_service_key,
    offers_every_service,
    service_not_described_text,
    services_overview_text,
    tenant_offers,
)
from bot.tenants import KNOWN_SERVICES, Tenant

# the overview plus one answer per service a tenant profile may list
SERVICE_KEYS = ("services",) + KNOWN_SERVICES
ACCOUNT_KEYS = (
    "activation",
    "departement_naissance",
    "numero_adherent",
    "code_acces",
    "mot_de_passe_regles",
    "mot_de_passe_oublie",
    "connexion",
    "cgu",
    "code_non_recu",
    "code_expire",
    "lien_expire",
    "compte_bloque",
)
# Every faq/<key>: the training data and domain.yml must match it.
FAQ_KEYS = SERVICE_KEYS + ACCOUNT_KEYS

REPHRASE_TEXT = (
    "Je n'ai pas bien compris votre question. Pouvez-vous la reformuler ?\n"
    "Je peux vous renseigner sur votre espace en ligne, ses services, votre compte "
    "et les coordonnées de votre mutuelle."
)


@dataclass(frozen=True)
class FaqAnswer:
    """Either a domain response to utter, or a text built here."""

    response: str | None = None
    text: str | None = None


def answer_faq(tenant: Tenant, key: str | None) -> FaqAnswer:
    """The answer to ``faq/<key>`` for ``tenant``."""
    if key not in FAQ_KEYS:
        return FaqAnswer(text=REPHRASE_TEXT)
    if is_service_key(key) and not tenant_offers(tenant, key):
        return FaqAnswer(text=service_not_described_text(tenant))
    if key == OVERVIEW_KEY and not offers_every_service(tenant):
        return FaqAnswer(text=services_overview_text(tenant))
    if key == "mot_de_passe_regles":
        return FaqAnswer(text=password_rules_text(tenant))
    return FaqAnswer(response=f"utter_faq/{key}")
