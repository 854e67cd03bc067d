"""``notify(...)``: the one way anything tells people something.

The in-app row is written in the caller's transaction (so a notice exists exactly when the change
that caused it does); other channels (email, webhook: ``settings.NOTIFICATION_BACKENDS``) are
delivered by a background task queued in the same transaction (``core.jobs.enqueue``), run after the commit.
"""

from __future__ import annotations

from collections.abc import Iterable

from .models import Notification


def notify(recipients: Iterable, *, kind: str, title: str, body: str = "", url: str = "", case=None) -> list:
    seen, rows = set(), []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, kind=kind, title=str(title)[:200], body=str(body), url=url,
                                 case=case))
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.pk]
    if ids:
        from .backends import external_backends

        if external_backends():
            from core.jobs import enqueue

            from .tasks import deliver_notifications

            enqueue(deliver_notifications, ids)  # with the rows: a crash after the commit loses no delivery
    return created
