"""One error format for the whole API: ``{"error": code, "detail": text, "fields": {...}}``."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
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


def _first_message(messages) -> str:
    """The first message in a field's messages, however deep (a list's items are keyed by position)."""
    while isinstance(messages, (dict, list)) and messages:
        messages = next(iter(messages.values())) if isinstance(messages, dict) else messages[0]
    return messages if isinstance(messages, str) else ""


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
        first = _first_message(first_messages)
        summary = f"{first_field}: {first}" if first_field != "non_field_errors" else first
        response.data = error_body("invalid", summary or "Invalid input.", fields)
    else:
        response.data = error_body(_code(exc, exc.default_code), str(exc.detail))
    return response


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Any path under the API that no route matches: the API's 404, not the site's HTML page (the last
    route of ``jiceng.api.urls``; CSRF exempt so that a write to a wrong path is a 404 too)."""
    from django.utils.translation import gettext

    return JsonResponse(error_body("not_found", gettext("Not found.")), status=status.HTTP_404_NOT_FOUND)


# What every operation may answer besides its success, in the format above (the OpenAPI document says
# so, and the fuzz tests hold the API to it). 409: a write that met a newer version or a state that
# no longer allows it; 413: an upload over the size limit.
ERROR_RESPONSES = {
    "400": "Invalid input: `fields` names each field at fault.",
    "401": "Not signed in, or the token is unknown.",
    "403": "The caller's role or scope does not allow this.",
    "404": "No such record within the caller's scope.",
    "429": "Too many requests: try again later.",
}
WRITE_ERROR_RESPONSES = {
    "409": "The record changed meanwhile, or its state no longer allows this.",
    "413": "The request is too large.",
}


def document_errors(result, generator, request, public):
    """drf-spectacular post-processing hook: the ``Error`` schema, and the error answers on every
    operation that does not describe them itself."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = {
        "type": "object",
        "required": ["error", "detail", "fields"],
        "properties": {
            "error": {"type": "string", "description": "A machine-readable code, e.g. `invalid`, `not_found`."},
            "detail": {"type": "string", "description": "A sentence for people, in the request's language."},
            "fields": {"type": "object", "description": "Per field at fault, its messages (nested for lists).",
                       "additionalProperties": True},
        },
    }
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            answers = dict(ERROR_RESPONSES, **(WRITE_ERROR_RESPONSES if method != "get" else {}))
            responses = operation.setdefault("responses", {})
            for code, description in answers.items():
                responses.setdefault(code, {"description": description, "content": content})
    return result
