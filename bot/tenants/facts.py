"""Tenant facts as conversation slots.

At the start of every conversation the action server fills these slots from
the tenant profile, so the domain's responses can say ``{tenant_name}``
without a mutuelle being hard-coded anywhere; the same trained model serves
every tenant.
"""

from __future__ import annotations

from typing import Any, Dict

from bot.tenants import Tenant

TENANT_SLOTS = (
    "tenant_id",
    "tenant_name",
    "tenant_website",
    "tenant_space",
    "tenant_space_path",
    "tenant_contact",
    "tenant_support_email",
    "tenant_flow",
    "tenant_has_phone",
    "tenant_link_hours",
    "tenant_otp_minutes",
    "tenant_sender",
)


def tenant_slot_values(tenant: Tenant) -> Dict[str, Any]:
    """The values of :data:`TENANT_SLOTS` for ``tenant``."""
    if tenant.support_email:
        support = tenant.support_email
    else:
        support = f"{tenant.contact_in_space}"
    return {
        "tenant_id": tenant.id,
        "tenant_name": tenant.display_name,
        "tenant_website": tenant.website,
        "tenant_space": tenant.member_space_name,
        "tenant_space_path": tenant.member_space_path,
        "tenant_contact": tenant.contact_in_space,
        "tenant_support_email": support,
        "tenant_flow": tenant.activation_flow,
        "tenant_has_phone": tenant.phone is not None,
        "tenant_link_hours": str(tenant.activation_link_hours),
        "tenant_otp_minutes": str(tenant.otp.lifetime_minutes),
        "tenant_sender": tenant.sender_email or "",
    }
