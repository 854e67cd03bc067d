"""Scheduled retraining of the router (issue 8): the deadline worker claims the due training with a
conditional UPDATE and queues it for the task worker (training takes seconds to minutes and must not
hold up the deadline sweeps)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from .models import RoutingSettings


def sweep(now: datetime | None = None) -> int:
    """Queue the scheduled training when it is due; returns 1 when this worker queued it, else 0."""
    now = now or timezone.now()
    settings_row = RoutingSettings.load()
    if settings_row.retrain_days is None:
        return 0
    if settings_row._state.adding:
        settings_row.save()  # first run: the schedule starts now
    due = settings_row.next_training_at
    if due is not None and due > now:
        return 0
    claimed = RoutingSettings.objects.filter(pk=settings_row.pk, next_training_at=due).update(
        next_training_at=now + timedelta(days=settings_row.retrain_days))
    if not claimed:
        return 0  # another worker claimed it
    from .tasks import retrain

    transaction.on_commit(lambda: retrain.enqueue())
    return 1
