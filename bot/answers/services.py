"""Online services of the member space, as far as each tenant's guide describes them.

Each service FAQ key (``faq/<key>``) maps to one entry of the profile's
``services`` list (:data:`bot.tenants.KNOWN_SERVICES`).  When the tenant's
guide does not describe a service (the SMIE guide lists none), the assistant
says so and points to the member space instead of describing another
mutuelle's service.
"""

from __future__ import annotations

from typing import Dict

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


def service_not_described_text(tenant: Tenant) -> str:
    """What to say when the tenant's guide does not describe the asked service."""
    return (
        f"Je n'ai pas d'information sur ce service pour {tenant.display_name} : "
        "il n'est pas décrit dans le guide de son espace en ligne.\n"
        f"Pour voir ce que propose votre espace ({tenant.member_space_name}), connectez-vous "
        f"{tenant.member_space_path}."
    )


def services_overview_text(tenant: Tenant) -> str:
    """The overview of the services a tenant lists (for partial service lists)."""
    if not tenant.services:
        return service_not_described_text(tenant)
    lines = [f"- {SERVICE_LABELS[name]} ;" for name in tenant.services]
    lines[-1] = lines[-1][:-2] + "."
    intro = f"Votre {tenant.member_space_name} vous permet notamment de :"
    return "\n".join([intro, *lines, "Sur quel service voulez-vous des précisions ?"])
