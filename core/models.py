"""Shared tables: named counters for the numbers the platform issues (dispute, agreement, petition numbers)."""

from __future__ import annotations

from django.db import IntegrityError, connection, models, transaction


class Counter(models.Model):
    """The last number issued under ``key`` (e.g. ``"dispute:2026"``)."""

    name = models.CharField(max_length=80, primary_key=True)
    last = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.name} #{self.last}"


def next_value(key: str) -> int:
    """The next number under ``key``: one UPDATE … RETURNING (PostgreSQL, SQLite ≥ 3.35), so two writers
    never get the same number; the first number of a key creates its row."""
    table = connection.ops.quote_name(Counter._meta.db_table)
    bump = f"UPDATE {table} SET last = last + 1 WHERE name = %s RETURNING last"  # noqa: S608 (no user input)
    with connection.cursor() as cursor:
        cursor.execute(bump, [key])
        row = cursor.fetchone()
        if row is None:
            try:
                with transaction.atomic():
                    Counter.objects.create(name=key, last=1)
                return 1
            except IntegrityError:  # someone else made the row first
                cursor.execute(bump, [key])
                row = cursor.fetchone()
    return row[0]
