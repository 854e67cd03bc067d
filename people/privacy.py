"""The one place that decides who sees protected personal data in full, and that audits each full view.

Everywhere else a page or the API shows the masked values (``masked_id_number``, ``masked_phone``).
A full value is handed out only by ``reveal``, which first asks ``may_see_full`` and then writes a
``SensitiveView`` row (who, which record, which fields, from which address, why).
"""

from __future__ import annotations

import ipaddress

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.scope import VIEW
from core.privacy import mask_id_number, mask_phone

from .models import SensitiveView

# Roles that may see the full values of records inside their scope. Leaders, mediators, dispatchers
# and residents never do.
FULL_VIEW_ROLES = frozenset({Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.JUSTICE_OFFICER, Role.ADMIN})

# model label -> protected fields, and how each is masked.
PROTECTED: dict[str, dict[str, callable]] = {
    "people.resident": {"id_number": mask_id_number, "phone": mask_phone},
    "people.house": {"landlord_phone": mask_phone},
    "people.unitorg": {"contact_phone": mask_phone},
}


def protected_fields(record) -> tuple[str, ...]:
    return tuple(PROTECTED.get(record._meta.label_lower, {}))


def masked(record) -> dict[str, str]:
    """The masked values of the record's protected fields."""
    return {name: mask(getattr(record, name)) for name, mask in PROTECTED.get(record._meta.label_lower, {}).items()}


def role_may_see_full(user) -> bool:
    """Does the user's role allow full values at all (for records in their scope)?"""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.role in FULL_VIEW_ROLES


def may_see_full(user, record) -> bool:
    """May this user see the full protected values of this record?"""
    if not protected_fields(record) or not role_may_see_full(user):
        return False
    return type(record).objects.visible_to(user, VIEW).filter(pk=record.pk).exists()


def _remote_addr(request) -> str | None:
    value = (request.META.get("REMOTE_ADDR") or "").strip() if request is not None else ""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def reveal(request, record, fields=None, reason: str = "") -> dict[str, str]:
    """The full values of ``fields`` (default: all protected fields) of ``record``, audited.

    Raises ``PermissionDenied`` (and writes nothing) when the user may not see them."""
    user = request.user
    allowed = protected_fields(record)
    fields = tuple(fields) if fields else allowed
    unknown = [name for name in fields if name not in allowed]
    if unknown:
        raise ValueError(f"not protected fields of {record._meta.label_lower}: {unknown}")
    if not may_see_full(user, record):
        raise PermissionDenied(_("Your role may not see these personal data in full."))
    SensitiveView.objects.create(
        user=user, model=record._meta.label_lower, object_id=record.pk, fields=",".join(fields),
        remote_addr=_remote_addr(request), reason=(reason or "")[:200],
    )
    return {name: getattr(record, name) or "" for name in fields}
