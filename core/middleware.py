from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
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
