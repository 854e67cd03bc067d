"""The safety reminders, run by the deadline worker once a day: ``sweep(today)``.

* An active hazard source with no drill of any of its plans within a year (or never) tells the
  community staff covering it, once per source per year (claimed with a conditional UPDATE on
  ``drill_reminded_on``).
* A hazard assigned and past its fix deadline tells its owner (or, without one, the community staff),
  once (claimed with ``overdue_notified``; a new assignment resets it).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.scope import users_covering
from notifications.models import Kind
from notifications.service import notify

from .models import Hazard, HazardSource, HazardStatus

DRILL_INTERVAL = timedelta(days=365)


def sources_without_drill(today: date, queryset=None):
    """Active hazard sources whose plans had no drill since ``today - 365 days``, with ``last_drill``."""
    queryset = queryset if queryset is not None else HazardSource.objects.all()
    return (queryset.filter(is_active=True).annotate(last_drill=Max("plans__drills__held_on"))
            .filter(Q(last_drill__isnull=True) | Q(last_drill__lt=today - DRILL_INTERVAL)))


def sweep(today: date | None = None) -> int:
    """Send the due safety reminders; returns how many records were reminded about."""
    today = today or timezone.localdate()
    done = 0
    cutoff = today - DRILL_INTERVAL
    for source in sources_without_drill(today).filter(
            Q(drill_reminded_on__isnull=True) | Q(drill_reminded_on__lte=cutoff)).select_related("place"):
        claimed = HazardSource.objects.filter(pk=source.pk).filter(
            Q(drill_reminded_on__isnull=True) | Q(drill_reminded_on__lte=cutoff)).update(drill_reminded_on=today)
        if not claimed:
            continue
        notify(users_covering(Role.COMMUNITY_STAFF, source.path), kind=Kind.WARNING,
               url=reverse("safety:sources"),
               title=_("No drill within a year: %(name)s") % {"name": source.name})
        done += 1
    overdue = Hazard.objects.filter(status=HazardStatus.ASSIGNED, deadline__lt=today, overdue_notified=False)
    for hazard in overdue.select_related("owner"):
        if not Hazard.objects.filter(pk=hazard.pk, overdue_notified=False).update(overdue_notified=True):
            continue
        recipients = [hazard.owner] if hazard.owner_id else users_covering(Role.COMMUNITY_STAFF, hazard.path)
        notify(recipients, kind=Kind.OVERDUE, url=reverse("safety:detail", args=[hazard.pk]),
               title=_("Hazard past its fix deadline: %(number)s") % {"number": hazard.number})
        done += 1
    return done
