"""Keyset (cursor) pagination of the case list (``/api/v1/cases/``): every page costs the same.

A page-number list reads and skips every row before its page (``OFFSET``) and counts the whole
result for its ``count``: over millions of cases a deep page or a district-wide count takes
seconds. Here ``next`` and ``previous`` carry an opaque ``cursor``: the sort value and id of the
row the page starts after (or ends before), so the database starts the page from the sort order's
index wherever it lies. ``count`` is capped: past ``COUNT_CAP`` rows it reads ``COUNT_CAP`` and
``count_capped`` is true (narrow the filters, or walk the pages).

The sort order is the list's own (``ordering``, default newest first) with the id as tie-breaker;
a sort on a column that may be empty (the deadline) keeps PostgreSQL's order of the empty values
(last when ascending, first when descending).
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from django.db.models import Q
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import remove_query_param, replace_query_param

from jiceng.api.pagination import requested_page_size

COUNT_CAP = 10_000


def _encode(position: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(cursor: str) -> dict:
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(position, dict) or not isinstance(position.get("id"), int):
            raise ValueError
        return position
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise NotFound(_("Invalid cursor.")) from None


class KeysetPagination(BasePagination):
    cursor_query_param = "cursor"
    page_size = api_settings.PAGE_SIZE or 50
    page_size_query_param = "page_size"
    max_page_size = 500
    count_cap = COUNT_CAP

    # --- The sort order ----------------------------------------------------------------------------
    def _order(self, queryset) -> tuple[str, bool]:
        """(the sort field, descending) of the queryset; the id is always the tie-breaker."""
        ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
        first = str(ordering[0]) if ordering else "-id"
        return first.lstrip("-"), first.startswith("-")

    def _segments(self, queryset, field: str, descending: bool, position: dict | None) -> list:
        """The querysets that hold, one after the other, the rows after ``position`` (all rows without
        one) in the order (field, id), both ascending or both descending.

        A column that may be empty is read in two parts: the rows with a value (by its index, a
        partial one) and those without (by id). Empty values come last ascending, first descending
        (PostgreSQL's own order), on every database. One ORDER BY over both parts would sort them all.
        """
        past = "lt" if descending else "gt"
        order = (f"-{field}", "-id") if descending else (field, "id")
        id_order = ("-id",) if descending else ("id",)
        nullable = self.model._meta.get_field(field).null
        if position is None:
            if not nullable:
                return [queryset.order_by(*order)]
            valued = queryset.filter(**{f"{field}__isnull": False}).order_by(*order)
            empty = queryset.filter(**{f"{field}__isnull": True}).order_by(*id_order)
            return [empty, valued] if descending else [valued, empty]
        value, pk = position["v"], position["id"]
        if value is None:  # within the empty values
            empty = queryset.filter(**{f"{field}__isnull": True, f"id__{past}": pk}).order_by(*id_order)
            return [empty, queryset.filter(**{f"{field}__isnull": False}).order_by(*order)] if descending else [empty]
        # "field <= value" (or >=) bounds the index range; the OR drops the rows of the same value up
        # to the cursor's id.
        valued = (queryset.filter(**{f"{field}__{past}e": value})
                  .filter(Q(**{f"{field}__{past}": value}) | Q(**{f"id__{past}": pk})).order_by(*order))
        if nullable and not descending:
            return [valued, queryset.filter(**{f"{field}__isnull": True}).order_by(*id_order)]
        return [valued]

    def _position(self, row, field: str) -> dict:
        value = getattr(row, field)
        return {"v": value.isoformat() if isinstance(value, datetime) else value, "id": row.pk}

    def _value(self, field: str, raw):
        if raw is None:
            return None
        if self.model._meta.get_field(field).get_internal_type() == "DateTimeField":
            value = parse_datetime(str(raw))
            if value is None:
                raise NotFound(_("Invalid cursor."))
            return value
        return raw

    # --- DRF's interface ---------------------------------------------------------------------------
    def get_page_size(self, request) -> int:
        return requested_page_size(self, request)

    def paginate_queryset(self, queryset, request, view=None):
        self.request, self.model = request, queryset.model
        self.page_size_now = self.get_page_size(request)
        field, descending = self._order(queryset)
        self.field = field
        self.unfiltered = queryset
        raw = request.query_params.get(self.cursor_query_param)
        position = _decode(raw) if raw else None
        backwards = bool(position and position.get("r"))
        if position is not None:
            position = {"v": self._value(field, position.get("v")), "id": position["id"]}
        # Backwards: the rows before the cursor are those after it in the reversed order.
        rows = []
        for segment in self._segments(queryset, field, descending != backwards, position):
            rows += segment[: self.page_size_now + 1 - len(rows)]
            if len(rows) > self.page_size_now:
                break
        more = len(rows) > self.page_size_now
        rows = rows[: self.page_size_now]
        if backwards:
            rows.reverse()
            self.has_next, self.has_previous = True, more
        else:
            self.has_next, self.has_previous = more, position is not None
        self.rows = rows
        return rows

    def _link(self, position: dict | None) -> str | None:
        url = self.request.build_absolute_uri()
        if position is None:
            return remove_query_param(url, self.cursor_query_param)
        return replace_query_param(url, self.cursor_query_param, _encode(position))

    def get_next_link(self):
        if not self.has_next or not self.rows:
            return None
        return self._link(self._position(self.rows[-1], self.field))

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if not self.rows:
            return None
        return self._link({**self._position(self.rows[0], self.field), "r": 1})

    def count(self) -> tuple[int, bool]:
        n = self.unfiltered.order_by().values("pk")[: self.count_cap + 1].count()
        return min(n, self.count_cap), n > self.count_cap

    def get_paginated_response(self, data):
        count, capped = self.count()
        return Response({"count": count, "count_capped": capped, "next": self.get_next_link(),
                         "previous": self.get_previous_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "count_capped", "results"],
            "properties": {
                "count": {"type": "integer", "example": 123,
                          "description": f"The number of rows, at most {COUNT_CAP:,}."},
                "count_capped": {"type": "boolean", "description": f"More than {COUNT_CAP:,} rows."},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {"name": self.cursor_query_param, "required": False, "in": "query",
             "description": "The position from the `next` or `previous` link.", "schema": {"type": "string"}},
            {"name": self.page_size_query_param, "required": False, "in": "query",
             "description": f"Rows per page (at most {self.max_page_size}).",
             "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size}},
        ]
