"""Which answer to give for a ``faq/<key>`` chosen by the ResponseSelector.

Most keys are answered by the domain response ``utter_faq/<key>`` (tenant
facts come from slots and conditional variations on ``tenant_flow``).  This
module decides when the profile must answer instead: a service the tenant's
guide does not describe, the overview of a partial service list, the
password rules, or no usable key at all (``utter_answer_rephrase``).  Every
answer is a :class:`bot.reply.Reply` of a ``domain.yml`` response.
"""

from __future__ import annotations

from bot.answers.account import password_rules
from bot.answers.services import (
    OVERVIEW_KEY,
    is_service_key,
    offers_every_service,
    service_not_described,
    services_overview,
    tenant_offers,
)
from bot.reply import Reply
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

# no usable key: « pouvez-vous reformuler ? »
REPHRASE = Reply("utter_answer_rephrase")


def answer_faq(tenant: Tenant, key: str | None) -> Reply:
    """The answer to ``faq/<key>`` for ``tenant``."""
    if key not in FAQ_KEYS:
        return REPHRASE
    if is_service_key(key) and not tenant_offers(tenant, key):
        return service_not_described()
    if key == OVERVIEW_KEY and not offers_every_service(tenant):
        return services_overview(tenant)
    if key == "mot_de_passe_regles":
        return password_rules(tenant)
    return Reply(f"utter_faq/{key}")
