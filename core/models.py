"""Shared tables: named counters for the numbers the platform issues (dispute, agreement, petition numbers),
and the base of every timeline row."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.utils.translation import gettext_lazy as _


class Counter(models.Model):
    """The last number issued under ``key`` (e.g. ``"dispute:2026"``)."""

    name = models.CharField(max_length=80, primary_key=True)
    last = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.name} #{self.last}"


def bump_counter(model, key) -> int:
    """The next number of the counter row ``key`` of ``model`` (a table with its key as primary key and a
    ``last`` column): one UPDATE … RETURNING (PostgreSQL, SQLite ≥ 3.35), so two writers never get the same
    number; the first number of a key creates its row."""
    ops = connection.ops
    table, column = ops.quote_name(model._meta.db_table), ops.quote_name(model._meta.pk.column)
    bump = f"UPDATE {table} SET last = last + 1 WHERE {column} = %s RETURNING last"  # noqa: S608 (no user input)
    with connection.cursor() as cursor:
        cursor.execute(bump, [key])
        row = cursor.fetchone()
        if row is None:
            try:
                with transaction.atomic():
                    model.objects.create(pk=key, last=1)
                return 1
            except IntegrityError:  # someone else made the row first
                cursor.execute(bump, [key])
                row = cursor.fetchone()
    return row[0]


def next_value(key: str) -> int:
    """The next number under ``key`` (e.g. ``"dispute:2026"``)."""
    return bump_counter(Counter, key)


class StatusEvent(models.Model):
    """The base of every record's timeline row: what happened (``action``), who did it, when, from which
    status to which, why (``note``) and the details (``data``). Each app adds the foreign key to its record."""

    action = models.CharField(_("action"), max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


class WorkerBeat(models.Model):
    """A task worker's sign of life (``manage.py db_worker`` writes it every ``JOBS_HEARTBEAT_SECONDS``).
    A job whose worker stopped beating was cut off (the process killed, the machine lost): the deadline
    worker puts it back in the queue (``core.jobs.requeue_lost_jobs``)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True)
    started_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField()

    def __str__(self):
        return f"{self.worker_id} {self.host}:{self.pid}"
