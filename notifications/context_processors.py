"""What every page's header shows: the unread-notification count, and administrators a warning when
the holiday schedule of this (or, from November, next) year has not been entered.

Both are lazy: a page that does not show them (or a signed-out visitor) costs no query; the count is
one indexed query (``notification_inbox``), capped at ``BADGE_CAP``.
"""

from django.utils.functional import SimpleLazyObject

BADGE_CAP = 100  # "99+": no need to count a backlog of thousands on every page


def unread_count(user) -> int:
    from .models import Notification

    if not (user and user.is_authenticated):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).order_by()[:BADGE_CAP].count()


def calendar_missing_years(user) -> list[int]:
    from accounts.permissions import is_admin
    from cases.worktime import missing_years

    return missing_years() if is_admin(user) else []


def header(request):
    user = getattr(request, "user", None)
    return {
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)),
        "calendar_missing_years": SimpleLazyObject(lambda: calendar_missing_years(user)),
        "BADGE_CAP": BADGE_CAP,
    }
