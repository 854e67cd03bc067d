"""The petition deadline sweep: a petition not replied to by ``reply_due`` is overdue; the dispatchers
whose scope covers its place are told once.

Each overdue petition is claimed with a conditional UPDATE on ``overdue_notified`` (False → True), so
two workers running at once never notify twice. Call ``sweep(now)`` from the deadline worker.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.scope import users_covering
from notifications.models import Kind
from notifications.service import notify

from .models import OPEN_STATUSES, Petition, PetitionEvent


def petition_url(petition) -> str:
    try:
        return reverse("petitions:detail", args=[petition.pk])
    except NoReverseMatch:
        return ""


def _today(now) -> date:
    if now is None:
        return timezone.localdate()
    if isinstance(now, datetime):
        return timezone.localdate(now) if timezone.is_aware(now) else now.date()
    return now


def sweep(now=None, batch: int = 500) -> int:
    """Notify on petitions whose reply deadline has passed. Returns how many were notified."""
    today = _today(now)
    due = (Petition.objects.filter(status__in=OPEN_STATUSES, reply_due__lt=today, overdue_notified=False)
           .order_by("reply_due", "pk").values_list("pk", flat=True)[:batch])
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            if not Petition.objects.filter(pk=pk, overdue_notified=False, status__in=OPEN_STATUSES).update(
                    overdue_notified=True):
                continue  # another worker claimed it, or it was replied to meanwhile
            petition = Petition.objects.get(pk=pk)
            title = _("Petition reply overdue: %(number)s (due %(date)s)") % {
                "number": petition.number, "date": petition.reply_due.isoformat()}
            notify(users_covering(Role.DISPATCHER, petition.path), kind=Kind.OVERDUE, title=title,
                   body=petition.title, url=petition_url(petition))
            PetitionEvent.objects.create(petition=petition, action="overdue",
                                         data={"due": petition.reply_due.isoformat()})
            sent += 1
    return sent
