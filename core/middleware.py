import time

from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils.functional import SimpleLazyObject


class AuditMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware, adapted to how Jiceng is reached.

    - The actor is resolved when a log entry is written, not when the request comes in, so API
      requests authenticated by token (inside the view, after all middleware) are attributed too.
    - ``X-Forwarded-For`` is believed only behind a reverse proxy (``BEHIND_PROXY=1``); otherwise a
      client could write any address it likes into the audit trail.
    """

    def get_extra_data(self, request):
        data = super().get_extra_data(request)
        data["actor"] = SimpleLazyObject(lambda: self._get_actor(request))
        return data

    @staticmethod
    def _get_remote_addr(request):
        if settings.BEHIND_PROXY:
            return AuditlogMiddleware._get_remote_addr(request)
        return request.META.get("REMOTE_ADDR")


class SessionRefreshMiddleware:
    """Sessions expire after SESSION_COOKIE_AGE without activity, but a signed-in user's session is
    written (its expiry moved on) at most every SESSION_REFRESH_SECONDS, not on every request as
    SESSION_SAVE_EVERY_REQUEST would: under load that write was a database transaction per page view.
    Anonymous visitors get no session from it."""

    KEY = "_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session someone signed in to: an API client with a token sends no session cookie and
        # must not get a new session row on every call. Not after a server error: the database may be away.
        if session is not None and response.status_code < 500 and SESSION_KEY in session:
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[self.KEY] = now  # modified: SessionMiddleware saves it with a new expiry
        return response
