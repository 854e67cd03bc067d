"""GeoReport v2 output: the same rows as JSON (a list or an object) or XML (root > item elements)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from django.http import HttpResponse, JsonResponse

# Characters XML 1.0 does not allow, even escaped.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return XML_ILLEGAL.sub("", str(value))


def fill(element: ET.Element, row: dict) -> ET.Element:
    for key, value in row.items():
        child = ET.SubElement(element, key)
        if isinstance(value, (list, tuple)):
            continue  # only empty lists occur (a service definition's attributes)
        child.text = xml_text(value)
    return element


def render_list(fmt: str, root: str, item: str, rows: list[dict], status: int = 200) -> HttpResponse:
    if fmt == "xml":
        element = ET.Element(root)
        for row in rows:
            fill(ET.SubElement(element, item), row)
        return xml_response(element, status)
    return JsonResponse(rows, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def render_object(fmt: str, root: str, row: dict, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return xml_response(fill(ET.Element(root), row), status)
    return JsonResponse(row, status=status, json_dumps_params={"ensure_ascii": False})


def xml_response(element: ET.Element, status: int) -> HttpResponse:
    body = ET.tostring(element, encoding="utf-8", xml_declaration=True)
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def render_error(fmt: str, status: int, description: str) -> HttpResponse:
    return render_list(fmt, "errors", "error", [{"code": status, "description": description}], status=status)
