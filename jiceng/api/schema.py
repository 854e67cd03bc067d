"""drf-spectacular post-processing of the OpenAPI document (see SPECTACULAR_SETTINGS)."""


def document_empty_filters(result, generator, request, public):
    """An empty query parameter means "not given" everywhere in the API (django-filter's rule, which the
    hand-read parameters and ``page_size`` follow too): say so on every optional query parameter, so that
    ``?start=`` is documented as valid rather than as a date that is not one."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return result
