"""One error format for the whole API: ``{"error": code, "detail": text, "fields": {...}}``."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler


def _messages(detail):
    """Flatten DRF's nested ErrorDetail structures into plain strings, keeping the field tree."""
    if isinstance(detail, dict):
        return {key: _messages(value) for key, value in detail.items()}
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [str(item) for item in detail]
        return [_messages(item) for item in detail]
    return [str(detail)]


def _code(exc, default: str) -> str:
    codes = getattr(exc, "get_codes", lambda: default)()
    return codes if isinstance(codes, str) else default


def error_body(error: str, detail: str, fields: dict | None = None) -> dict:
    return {"error": error, "detail": detail, "fields": fields or {}}


def domain_error_response(exc):
    """A refusal from the domain layer (``core.errors.DomainError``: ``code``, ``status``, ``message`` and the
    ``field`` at fault, if any) in the API's error format. Views let it propagate: the handler answers."""
    from rest_framework.response import Response

    fields = {exc.field: [exc.message]} if getattr(exc, "field", None) else {}
    return Response(error_body(exc.code, exc.message, fields), status=exc.status)


def exception_handler(exc, context):
    from core.errors import DomainError

    if isinstance(exc, DomainError):
        return domain_error_response(exc)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            detail=exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 handler logs it

    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if not isinstance(detail, dict):
            detail = {"non_field_errors": detail}
        fields = _messages(detail)
        first_field, first_messages = next(iter(fields.items()), ("", [""]))
        first = first_messages[0] if first_messages and isinstance(first_messages[0], str) else ""
        summary = f"{first_field}: {first}" if first_field != "non_field_errors" else first
        response.data = error_body("invalid", summary or "Invalid input.", fields)
    else:
        response.data = error_body(_code(exc, exc.default_code), str(exc.detail))
    return response


def json_404(request, exception=None):
    from django.http import JsonResponse

    return JsonResponse(error_body("not_found", "Not found."), status=status.HTTP_404_NOT_FOUND)
