"""The errand deadline sweep: tell the owner, once, when an errand passes its due date.

``sweep(today=None)`` is meant to run daily (and is safe to run more often, or twice at once): each
errand is claimed with a conditional UPDATE on its ``overdue`` marker, so only one run notifies.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Kind
from notifications.service import notify

from .models import RUNNING_STATUSES, Errand, ErrandEvent


def sweep(today=None) -> int:
    """Mark running errands past their due date as overdue and notify their owners. Returns how many
    were marked by this run."""
    today = today or timezone.localdate()
    candidates = list(Errand.objects.filter(status__in=RUNNING_STATUSES, due__lt=today, overdue=False)
                      .values_list("pk", flat=True))
    marked = 0
    for pk in candidates:
        with transaction.atomic():
            if not Errand.objects.filter(pk=pk, overdue=False, status__in=RUNNING_STATUSES, due__lt=today).update(
                    overdue=True):
                continue  # another run got it first, or it changed meanwhile
            errand = Errand.objects.select_related("owner", "service_item").get(pk=pk)
            ErrandEvent.objects.create(errand=errand, action="overdue", from_status=errand.status,
                                       to_status=errand.status, data={"due": errand.due.isoformat()})
            if errand.owner_id:
                notify([errand.owner], kind=Kind.OVERDUE,
                       title=_("Errand %(number)s is past its time limit") % {"number": errand.number},
                       body=_("%(service)s was due on %(due)s.") % {"service": errand.service_item.name,
                                                                   "due": errand.due.isoformat()},
                       url=reverse("portal:errand", kwargs={"pk": errand.pk}))
            marked += 1
    return marked
