"""Reads of figures from a streaming replica (settings: ``DATABASE_REPLICA_URL``).

Only code marked with ``reading_replica`` (a decorator or a ``with`` block) reads from the replica: the
dashboards and the figures pages, whose numbers may lag the primary by the replication delay. Sessions,
permissions and every write stay on the primary, so a user never acts on a stale row. Without a replica
configured the mark changes nothing.
"""

from contextlib import ContextDecorator
from contextvars import ContextVar

from django.db import connections

REPLICA = "replica"
_reading: ContextVar[bool] = ContextVar("reading_replica", default=False)


class reading_replica(ContextDecorator):  # noqa: N801  (used like a function: @reading_replica())
    def __enter__(self):
        self._token = _reading.set(True)
        return self

    def __exit__(self, *exc):
        _reading.reset(self._token)
        return False


class ReplicaRouter:
    """Reads inside ``reading_replica`` go to the replica, everything else to the primary."""

    def db_for_read(self, model, **hints):
        return REPLICA if _reading.get() and REPLICA in connections.settings else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
