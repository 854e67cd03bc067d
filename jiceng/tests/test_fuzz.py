"""Property-based fuzzing of the whole JSON API with Schemathesis, from the OpenAPI document.

For every operation the document describes, Schemathesis sends examples from the document and requests
generated to fit it (and, for the checks of invalid input, requests that do not): the API must never
answer 500, every answer must match the document (status code, content type, body schema), an
invalid request must be refused with a 4xx and a valid one must not be refused.

Two rules of the API shape what counts as a failure:
- a request body is fuzzed as JSON wherever JSON is accepted (the photo uploads also take multipart, which
  cannot say null or nest a list; their files are tested in ``cases/tests/test_photos.py``);
- a request the document calls valid may still break a rule no OpenAPI document can state (it names a
  place code "0" that does not exist, its end is before its start: see ``UNDOCUMENTABLE``): a 400 whose
  every field message says so is the right answer; any other refusal fails.

Requests go through the WSGI application in this process, as a dispatcher of the test street (who may
read and write most of the API), against the test database. ``FUZZ_EXAMPLES`` sets the number of
generated examples per operation (CI keeps it small; run with more for a deeper search).
"""

import os
import re

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, settings  # noqa: E402  (installed with schemathesis)
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))

# Refusals of valid-looking input for what an OpenAPI document cannot express (asked in English): a
# reference to a record that does not exist (DRF's related fields, django-filter's choice of a record, the
# scope checks of the apps' serializers), a period that ends before it starts, a date received in the
# future, a parameter that another one needs, a NUL character (PostgreSQL cannot store one) and a text
# of spaces only (trimmed, it is blank).
UNDOCUMENTABLE = re.compile(
    r"does not exist|not one of the available choices|^No [\w ]+ (has|with|in|of) |not found"
    r"|before the start|cannot be in the future|needs a |Null characters are not allowed|may not be blank",
    re.IGNORECASE)


def _messages(fields) -> list[str]:
    if isinstance(fields, dict):
        return [text for value in fields.values() for text in _messages(value)]
    if isinstance(fields, list):
        return [text for value in fields for text in _messages(value)]
    return [str(fields)]


def valid_data_accepted(ctx, response, case):
    """Schemathesis' ``positive_data_acceptance``, except for a 400 that only gives ``UNDOCUMENTABLE``
    reasons."""
    if response.status_code == 400 and case.meta and case.meta.generation.mode.is_positive:
        messages = _messages(response.json().get("fields", {}))
        if messages and all(UNDOCUMENTABLE.search(text) for text in messages):
            return None
    return positive_data_acceptance(ctx, response, case)


def _schema_document() -> dict:
    import django

    django.setup()
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    components = document["components"]["schemas"]
    for operations in document["paths"].values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content and len(content) > 1:
                operation["requestBody"]["content"] = {"application/json": _without_files(
                    content["application/json"], components)}
    return document


def _without_files(media: dict, components: dict) -> dict:
    """The JSON variant of a body that also comes as multipart: without its file fields."""
    name = media.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
    if name not in components:
        return media

    def is_file(field: dict) -> bool:
        return field.get("format") == "binary" or field.get("items", {}).get("format") == "binary"

    component = components[name]
    files = {key for key, field in component.get("properties", {}).items() if is_file(field)}
    if not files:
        return media
    components[f"{name}Json"] = {
        **component,
        "properties": {key: field for key, field in component["properties"].items() if key not in files},
        "required": [key for key in component.get("required", []) if key not in files],
    }
    return {**media, "schema": {"$ref": f"#/components/schemas/{name}Json"}}


schema = schemathesis.openapi.from_dict(_schema_document())


@pytest.fixture
def wsgi_app():
    """The project's WSGI application; connections are kept open between requests, as Django's test
    client does, so every request sees the test's transaction."""
    from django.core.wsgi import get_wsgi_application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def token(world):
    from rest_framework.authtoken.models import Token

    from jiceng.testing import make_case

    make_case(world.grid_a)
    make_case(world.grid_b)
    return Token.objects.create(user=world.users["dispatcher"]).key


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
def test_api(case, wsgi_app, token):
    case.operation.schema.app = wsgi_app
    case.call_and_validate(app=wsgi_app, headers={"Authorization": f"Token {token}", "Accept-Language": "en"},
                           excluded_checks=[positive_data_acceptance], additional_checks=[valid_data_accepted])
