"""The one kind of refusal the domain layer raises, and the answer when the database is away."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from django.views import defaults

# What a dead, restarting or unreachable database raises (a connection refused or cut, a server shutting
# down, SQLite's file gone or locked for too long): the request may succeed again shortly.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def database_error(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_UNAVAILABLE) or isinstance(getattr(exc, "__cause__", None), DATABASE_UNAVAILABLE)


def server_error(request):
    """The site's ``handler500``. Django calls it for any exception nothing else answered, raised by a view or
    by a middleware (loading the session, the signed-in user): a database that cannot be reached gets a 503
    saying so, with ``Retry-After``, instead of the "something went wrong" page. Django logs the exception
    with the status either way ("Service Unavailable: /path"). Nothing here touches the database; the next
    request opens a fresh connection (``CONN_HEALTH_CHECKS``), so the site recovers by itself."""
    if not database_error(sys.exc_info()[1]):
        return defaults.server_error(request)
    if request.path.startswith("/api/"):
        from jiceng.api.errors import error_body

        response = JsonResponse(error_body("unavailable", gettext(
            "The service is temporarily unavailable: try again shortly.")), status=503)
    else:
        # No request context: context processors would ask the database for the user and the notices.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class DomainError(Exception):
    """An action refused (bad input, a step not allowed now). ``field`` names the input at fault, if any;
    ``code`` and ``status`` are what the API answers (``jiceng.api.errors``), pages put ``message`` next
    to the field."""

    code = "invalid"
    status = 400

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = str(message)
        self.field = field
