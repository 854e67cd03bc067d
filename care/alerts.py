"""The care sweep: missed visits and lost contact, each alert sent once (the Healthchecks pattern).

A person whose ``next_visit_due`` has passed is claimed with a conditional UPDATE on
``alert_stage`` (0 → 1: the responsible worker and the help group are told); ``CARE_GRACE_DAYS``
later (1 → 2) the justice officers whose scope covers the person's place are told as well. A visit
resets the stage. Run by the deadline worker beside the case deadlines.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.scope import users_covering
from notifications.models import Kind
from notifications.service import notify

from .models import CareEvent, CareStatus, SpecialPerson


def grace_days() -> int:
    return int(getattr(settings, "CARE_GRACE_DAYS", 3))


def person_url(person) -> str:
    try:
        return reverse("care:detail", args=[person.pk])
    except NoReverseMatch:
        return ""


def _workers(person):
    users = [member.user for member in person.help_group.select_related("user") if member.user]
    return [person.responsible, *users]


def sweep(today: date | None = None, batch: int = 500) -> tuple[int, int]:
    """Alert on missed visits. Returns (workers alerted, justice office alerted)."""
    today = today or timezone.localdate()
    first = second = 0
    due = SpecialPerson.objects.filter(status=CareStatus.ACTIVE, next_visit_due__lt=today)
    for pk, due_on in due.filter(alert_stage=0).values_list("pk", "next_visit_due")[:batch]:
        with transaction.atomic():
            if not SpecialPerson.objects.filter(pk=pk, alert_stage=0, next_visit_due=due_on).update(alert_stage=1):
                continue  # another worker claimed it
            person = SpecialPerson.objects.select_related("resident", "responsible").get(pk=pk)
            title = _("Visit overdue: %(name)s (due %(date)s)") % {"name": person.resident.name, "date": due_on}
            notify(_workers(person), kind=Kind.OVERDUE, title=title, url=person_url(person))
            CareEvent.objects.create(person=person, action="visit_overdue", data={"due": due_on.isoformat()})
            first += 1
    late = due.filter(alert_stage=1, next_visit_due__lt=today - timedelta(days=grace_days()))
    for pk, due_on in late.values_list("pk", "next_visit_due")[:batch]:
        with transaction.atomic():
            if not SpecialPerson.objects.filter(pk=pk, alert_stage=1, next_visit_due=due_on).update(alert_stage=2):
                continue
            person = SpecialPerson.objects.select_related("resident").get(pk=pk)
            title = _("Visit missed for %(days)d days: %(name)s") % {
                "days": (today - due_on).days, "name": person.resident.name}
            notify(users_covering(Role.JUSTICE_OFFICER, person.path), kind=Kind.SUPERVISION, title=title,
                   url=person_url(person))
            CareEvent.objects.create(person=person, action="visit_overdue_escalated",
                                     data={"due": due_on.isoformat()})
            second += 1
    return first, second


def alert_lost_contact(person: SpecialPerson) -> None:
    title = _("Lost contact: %(name)s (%(kind)s)") % {"name": person.resident.name,
                                                      "kind": person.get_kind_display()}
    recipients = [*users_covering(Role.JUSTICE_OFFICER, person.path), *users_covering(Role.LEADER, person.path),
                  *_workers(person)]
    notify(recipients, kind=Kind.SUPERVISION, title=title, url=person_url(person))
