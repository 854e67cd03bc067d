"""Petition figures per place and period: received, by channel and destination level, collective and
repeat petitions, replies on time (the on-time rate), overdue petitions still open. Callers pass
``Petition.objects.visible_to(user)`` (so the place is the caller's scope, or a place under it)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from .models import OPEN_STATUSES, Channel, Destination


@dataclass
class PetitionFigures:
    received: int = 0
    by_channel: dict = field(default_factory=dict)
    by_destination: dict = field(default_factory=dict)
    collective: int = 0
    collective_people: int = 0
    repeat: int = 0
    key: int = 0
    replied: int = 0
    replied_on_time: int = 0
    overdue_open: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return self.replied_on_time / self.replied if self.replied else None

    def as_dict(self) -> dict:
        return {**asdict(self), "on_time_rate": self.on_time_rate}


def petition_figures(petitions: QuerySet, start: date, end: date, today: date | None = None) -> PetitionFigures:
    """Figures of ``petitions`` for ``start``–``end`` (inclusive): received counts petitions received in
    the period; replies count those replied in the period (on time: by their ``reply_due``); overdue
    counts open petitions past their deadline today."""
    today = today or timezone.localdate()
    received = petitions.filter(received_on__range=(start, end))
    totals = received.aggregate(
        n=Count("id"), collective=Count("id", filter=Q(is_collective=True)),
        repeat=Count("id", filter=Q(is_repeat=True)), key=Count("id", filter=Q(is_key=True)))
    figures = PetitionFigures(received=totals["n"], collective=totals["collective"], repeat=totals["repeat"],
                              key=totals["key"])
    figures.collective_people = sum(received.filter(is_collective=True).values_list("people_count", flat=True))
    channels = dict(received.values_list("channel").annotate(n=Count("id")).values_list("channel", "n"))
    figures.by_channel = {c: channels.get(c, 0) for c in Channel.values}
    levels = dict(received.values_list("destination").annotate(n=Count("id")).values_list("destination", "n"))
    figures.by_destination = {d: levels.get(d, 0) for d in Destination.values}
    replies = petitions.filter(replied_on__range=(start, end)).aggregate(
        n=Count("id"), on_time=Count("id", filter=Q(replied_on__lte=F("reply_due"))))
    figures.replied, figures.replied_on_time = replies["n"], replies["on_time"]
    figures.overdue_open = petitions.filter(status__in=OPEN_STATUSES, reply_due__lt=today).count()
    return figures
