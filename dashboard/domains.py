"""The figures of the other registers on a dashboard: special-care persons, disputes, petitions and
hazards this month, each from its app's own figures service, for the roles that app lets see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.permissions import has_model_permission
from accounts.scope import VIEW, rows_for_figures
from care.figures import care_figures
from care.models import SpecialPerson
from disputes.figures import dispute_figures
from disputes.models import Campaign, Dispute
from petitions.figures import petition_figures
from petitions.models import Petition
from safety.models import OPEN_HAZARD_STATUSES, Hazard

# Leaders and inspectors see the figures of every register of their scope (never its rows).
OVERSEERS = frozenset({Role.LEADER, Role.INSPECTOR, Role.ADMIN})


@dataclass
class Card:
    title: str
    url: str
    figures: list[tuple[str, object]]  # (label, shown value)


def _may(user, model) -> bool:
    return user.is_superuser or user.role in OVERSEERS or has_model_permission(user, model, VIEW)


def _rows(model, user, place):
    return rows_for_figures(model, user).filter(path__startswith=place.path)


def _percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def cards(user, place, today: date) -> list[Card]:
    start, end = today.replace(day=1), today
    result = []
    if _may(user, SpecialPerson):
        care = care_figures(_rows(SpecialPerson, user, place), start, end, today)
        result.append(Card(_("Special-care persons"), reverse("care:figures"), [
            (_("Under care"), care.persons), (_("Visit coverage"), _percent(care.visit_coverage)),
            (_("Visits overdue"), care.overdue_visits), (_("Lost contact"), care.lost_contact)]))
    if _may(user, Dispute):
        disputes = dispute_figures(_rows(Dispute, user, place), _rows(Campaign, user, place), start, end)
        result.append(Card(_("Disputes"), reverse("disputes:figures"), [
            (_("Accepted"), disputes.accepted), (_("Being mediated"), disputes.open),
            (_("Success rate"), _percent(disputes.success_rate)), (_("Sent up a tier"), disputes.escalations)]))
    if _may(user, Petition):
        petitions = petition_figures(_rows(Petition, user, place), start, end, today)
        result.append(Card(_("Petitions"), reverse("petitions:figures"), [
            (_("Received"), petitions.received), (_("Replied on time"), _percent(petitions.on_time_rate)),
            (_("Repeat"), petitions.repeat), (_("Past the reply deadline"), petitions.overdue_open)]))
    if _may(user, Hazard):
        open_ = Q(status__in=OPEN_HAZARD_STATUSES)
        hazards = _rows(Hazard, user, place).aggregate(
            found=Count("pk", filter=Q(found_on__gte=start, found_on__lte=end)),
            open=Count("pk", filter=open_),
            overdue=Count("pk", filter=open_ & Q(deadline__lt=today)),
            rechecked=Count("pk", filter=Q(rechecked_on__gte=start, rechecked_on__lte=end)))
        result.append(Card(_("Hazards"), reverse("safety:list"), [
            (_("Found this month"), hazards["found"]), (_("Not yet re-checked"), hazards["open"]),
            (_("Past the fix deadline"), hazards["overdue"]), (_("Re-checked this month"), hazards["rechecked"])]))
    return result
