"""Online services of the member space, as far as each tenant's guide describes them.

Each service FAQ key (``faq/<key>``) maps to one entry of the profile's
``services`` list (:data:`bot.tenants.KNOWN_SERVICES`).  When the tenant's
guide does not describe a service (the SMIE guide lists none), the assistant
says so and points to the member space instead of describing another
mutuelle's service.  The texts are ``utter_answer_service_not_described``
and ``utter_answer_services_overview`` of ``domain.yml`` (:mod:`bot.reply`);
this module computes the list of the services offered (``{services_list}``).
"""

from __future__ import annotations

from typing import Dict

from bot.reply import Reply
from bot.tenants import KNOWN_SERVICES, Tenant

OVERVIEW_KEY = "services"

# FAQ key -> profile service.  The keys are the profile's service names.
SERVICE_OF_FAQ_KEY: Dict[str, str] = {name: name for name in KNOWN_SERVICES}

# Short French labels, used for the overview of a profile offering only
# some of the services (the full list has its own domain response).
SERVICE_LABELS: Dict[str, str] = {
    "remboursements": "consulter vos remboursements et éditer vos relevés",
    "carte_tiers_payant": "télécharger votre carte de tiers payant",
    "demandes_en_ligne": "envoyer vos questions et documents en ligne et suivre leur traitement",
    "courriers": "retrouver les courriers de votre mutuelle",
    "bien_etre": "consulter les services bien-être et d'orientation santé",
    "kalixia": "consulter le réseau de soins Kalixia et ses professionnels agréés",
    "echeancier": "consulter votre échéancier de paiement",
    "contrat_sante": "consulter les documents de votre contrat santé",
    "donnees_personnelles": "voir vos données personnelles et celles de vos bénéficiaires",
    "donnees_bancaires": "enregistrer les données bancaires de votre famille",
    "preferences_communication": "choisir vos préférences de communication (décomptes et courriers dématérialisés)",
}


def is_service_key(key: str) -> bool:
    """True when ``faq/<key>`` is about a service of the member space."""
    return key == OVERVIEW_KEY or key in SERVICE_OF_FAQ_KEY


def tenant_offers(tenant: Tenant, key: str) -> bool:
    """True when the tenant's guide describes the service behind ``faq/<key>``.

    Non-service keys (account questions) are always answerable.  The
    overview needs at least one service.
    """
    if key == OVERVIEW_KEY:
        return bool(tenant.services)
    service = SERVICE_OF_FAQ_KEY.get(key)
    if service is None:
        return True
    return service in tenant.services


def offers_every_service(tenant: Tenant) -> bool:
    return set(KNOWN_SERVICES) <= set(tenant.services)


def service_not_described() -> Reply:
    """What to say when the tenant's guide does not describe the asked service
    (``utter_answer_service_not_described``: the tenant slots say where to look)."""
    return Reply("utter_answer_service_not_described")


def services_list(tenant: Tenant) -> str:
    """The services the tenant lists, one line each (« - consulter vos remboursements … ; »), the last with a dot."""
    lines = [f"- {SERVICE_LABELS[name]} ;" for name in tenant.services]
    lines[-1] = lines[-1][:-2] + "."
    return "\n".join(lines)


def services_overview(tenant: Tenant) -> Reply:
    """The overview of the services a tenant lists (for partial service lists)."""
    if not tenant.services:
        return service_not_described()
    return Reply("utter_answer_services_overview", {"services_list": services_list(tenant)})
