"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2/): services, service requests, tokens.

Reading is public and district-wide: a request shows its category, state, place and a description
with phone numbers and e-mail addresses masked, never who reported it. Writing needs an API key
(``manage.py open311_key --create NAME``) and makes a case through ``cases.actions.report_case``
with the source ``open311``; the submitter's name and phone go to the case (the phone encrypted),
``media_url`` into its description, a ``media`` file upload to its photos; ``email``, ``device_id``,
``account_id`` and ``attribute[...]`` are not kept. Every endpoint answers in JSON or XML after the
path's extension; errors are ``<errors><error><code/><description/></error></errors>`` (or the JSON
list) with the HTTP status.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, views
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.throttling import AnonRateThrottle

from cases.actions import CaseError, report_case
from cases.models import FINAL_STATUSES, OPEN_STATUSES, Case, Category, Source, Status
from core.privacy import mask_phone

from .formats import render_error, render_list, render_object
from .models import ApiKey

DEFAULT_DAYS = 90
MAX_PAGE_SIZE = 1000


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


def missing(field: str) -> Open311Error:
    return Open311Error(400, _("%(field)s: this field is required.") % {"field": field})


def invalid(field: str, message: str | None = None) -> Open311Error:
    return Open311Error(400, f"{field}: {message or _('invalid value.')}")


# --- What the public sees -----------------------------------------------------------------------
DIGIT_RUN = re.compile(r"(?<![\d])(?:\d[ -]?){6,}\d[Xx]?")
EMAIL = re.compile(r"[\w.+-]+@([\w-]+\.[\w.-]+)", re.ASCII)


def public_text(text: str) -> str:
    """A description fit for the public: phone and id numbers and e-mail addresses masked."""
    text = DIGIT_RUN.sub(lambda m: mask_phone(re.sub(r"[ -]", "", m.group(0))), text or "")
    return EMAIL.sub(lambda m: "***@" + m.group(1), text)


def stamp(value: datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def service_row(category: Category) -> dict:
    group = category.parent.name if category.parent_id else ""
    keywords = [category.name, group, str(category.get_kind_display())]
    return {
        "service_code": category.code, "service_name": category.name,
        "description": " / ".join(part for part in (group, category.name) if part), "metadata": False,
        "type": "realtime", "keywords": ",".join(k for k in keywords if k), "group": group,
    }


def request_row(case: Case) -> dict:
    closed = case.status in FINAL_STATUSES
    notes = case.get_status_display()
    if case.status in (Status.CLOSED, Status.EVALUATED) and case.result:
        notes = f"{notes}: {case.result}"
    longitude, latitude = case.longitude, case.latitude
    if longitude is None or latitude is None:
        longitude, latitude = case.grid.centroid_lon, case.grid.centroid_lat
    return {
        "service_request_id": case.number, "status": "closed" if closed else "open",
        "status_notes": public_text(notes), "service_name": case.category.name,
        "service_code": case.category.code, "description": public_text(case.description),
        "agency_responsible": case.department.name if case.department_id else "", "service_notice": "",
        "requested_datetime": stamp(case.reported_at), "updated_datetime": stamp(case.updated_at),
        "expected_datetime": "" if closed else stamp(case.deadline), "address": case.address, "address_id": "",
        "zipcode": "", "lat": latitude, "long": longitude, "media_url": "",
    }


REQUEST_FIELDS = ("id", "number", "status", "result", "description", "address", "longitude", "latitude",
                  "reported_at", "updated_at", "deadline", "department_id", "category__code", "category__name",
                  "department__name", "grid__centroid_lon", "grid__centroid_lat")


def public_cases():
    return Case.objects.select_related("category", "department", "grid").only(*REQUEST_FIELDS)


def services():
    """Categories a request may name: active minor classes, and major classes without minor ones."""
    with_children = Category.objects.filter(is_active=True, parent__isnull=False).values("parent_id")
    return Category.objects.filter(is_active=True).exclude(pk__in=with_children).select_related("parent")


# --- The views ----------------------------------------------------------------------------------
class AnyContent(BaseContentNegotiation):
    """The path's extension decides the format, whatever the Accept header says."""

    def select_parser(self, request, parsers):
        for parser in parsers:
            if request.content_type.startswith(parser.media_type):
                return parser
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class Open311Throttle(AnonRateThrottle):
    scope = "open311"


@extend_schema(exclude=True)  # its own standard, not part of the /api/v1 document
class Open311View(views.APIView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [Open311Throttle]
    content_negotiation_class = AnyContent
    parser_classes = [FormParser, MultiPartParser, JSONParser]  # GeoReport v2 posts forms (a photo as multipart)

    def handle_exception(self, exc):
        fmt = self.kwargs.get("fmt", "json")
        if isinstance(exc, Open311Error):
            return render_error(fmt, exc.status, exc.description)
        if isinstance(exc, Http404 | exceptions.NotFound):
            return render_error(fmt, 404, _("Not found."))
        if isinstance(exc, CaseError):
            return render_error(fmt, exc.status, f"{exc.field}: {exc.message}" if exc.field else exc.message)
        if isinstance(exc, DjangoValidationError):
            return render_error(fmt, 400, "media: " + " ".join(exc.messages))
        if isinstance(exc, exceptions.APIException):
            response = render_error(fmt, exc.status_code, str(exc.detail))
            if isinstance(exc, exceptions.Throttled) and exc.wait:
                response["Retry-After"] = str(int(exc.wait) + 1)
            return response
        return super().handle_exception(exc)


class ServiceListView(Open311View):
    def get(self, request, fmt):
        return render_list(fmt, "services", "service", [service_row(c) for c in services()])


class ServiceDefinitionView(Open311View):
    def get(self, request, fmt, code):
        category = services().filter(code=code).first()
        if category is None:
            raise Http404
        return render_object(fmt, "service_definition", {"service_code": category.code, "attributes": []})


class RequestListView(Open311View):
    def get(self, request, fmt):
        params = request.query_params
        cases = public_cases().order_by("-reported_at", "-id")
        if ids := [i.strip() for i in params.get("service_request_id", "").split(",") if i.strip()]:
            cases = cases.filter(number__in=ids[:MAX_PAGE_SIZE])  # the other filters do not apply
        else:
            cases = self.filtered(cases, params)
        page, size = self.paging(params)
        rows = [request_row(case) for case in cases[(page - 1) * size:page * size]]
        return render_list(fmt, "service_requests", "request", rows)

    def filtered(self, cases, params):
        if codes := [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]:
            cases = cases.filter(category__code__in=codes)
        if states := {s.strip() for s in params.get("status", "").split(",") if s.strip()}:
            if not states <= {"open", "closed"}:
                raise invalid("status", _("open or closed."))
            if states == {"open"}:
                cases = cases.filter(status__in=OPEN_STATUSES)
            elif states == {"closed"}:
                cases = cases.filter(status__in=FINAL_STATUSES)
        end = self.moment(params, "end_date", end=True)
        start = self.moment(params, "start_date") or (end or timezone.now()) - timedelta(days=DEFAULT_DAYS)
        cases = cases.filter(reported_at__gte=start)
        return cases.filter(reported_at__lte=end) if end else cases

    @staticmethod
    def moment(params, name: str, end: bool = False) -> datetime | None:
        value = params.get(name, "").strip()
        if not value:
            return None
        try:
            moment = parse_datetime(value.replace(" ", "+"))  # a "+08:00" offset arrives as " 08:00"
            if moment is None and (day := parse_date(value)):
                moment = datetime.combine(day, time.max if end else time.min)
        except ValueError:
            moment = None
        if moment is None:
            raise invalid(name, _("a date or date-time in ISO 8601 (2024-05-01T08:00:00+08:00)."))
        return timezone.make_aware(moment) if timezone.is_naive(moment) else moment

    @staticmethod
    def paging(params) -> tuple[int, int]:
        try:
            page = int(params.get("page") or 1)
            size = int(params.get("page_size") or MAX_PAGE_SIZE)
        except ValueError:
            raise invalid("page", _("a whole number.")) from None
        if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
            raise invalid("page_size" if page >= 1 else "page",
                          _("page from 1, page_size from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE})
        return page, size

    def post(self, request, fmt):
        data = request.data
        if ApiKey.authenticate(data.get("api_key") or request.query_params.get("api_key")) is None:
            raise Open311Error(403, _("api_key: missing, wrong or revoked."))
        category = self.category(data.get("service_code", "").strip())
        latitude, longitude = self.coordinate(data, "lat", 90), self.coordinate(data, "long", 180)
        description = (data.get("description") or "").strip()
        if not description:
            raise missing("description")
        if media_url := (data.get("media_url") or "").strip():
            description = f"{description}\n{_('Photo')}: {media_url}"
        phone = (data.get("phone") or "").strip()
        if len(phone) > 32:
            raise invalid("phone")
        case, _created = report_case(
            actor=None, source=Source.OPEN311, category=category, description=description[:4000],
            longitude=longitude, latitude=latitude, address=(data.get("address_string") or "").strip()[:200],
            reporter_name=self.name(data)[:64], reporter_phone=phone, photos=request.FILES.getlist("media"),
        )
        notice = _("Received as case %(number)s. Follow it with the tracking code %(code)s.") % {
            "number": case.number, "code": case.tracking_code}
        return render_list(fmt, "service_requests", "request", [{
            "service_request_id": case.number, "service_notice": notice, "account_id": None,
            "token": case.tracking_code}], status=201)

    @staticmethod
    def category(code: str) -> Category:
        if not code:
            raise missing("service_code")
        category = services().filter(code=code).first()
        if category is None:
            raise invalid("service_code", _("no such service."))
        return category

    @staticmethod
    def coordinate(data, name: str, limit: float) -> float:
        value = data.get(name)
        value = value.strip() if isinstance(value, str) else value
        if value in (None, ""):
            raise missing(name)
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise invalid(name) from None
        if not -limit <= number <= limit:
            raise invalid(name)
        return number

    @staticmethod
    def name(data) -> str:
        first, last = (data.get("first_name") or "").strip(), (data.get("last_name") or "").strip()
        if (first + last).isascii():
            return f"{first} {last}".strip()
        return last + first  # 姓 before 名


class RequestDetailView(Open311View):
    def get(self, request, fmt, request_id):
        case = public_cases().filter(number=request_id).first()
        if case is None:
            raise Http404
        return render_list(fmt, "service_requests", "request", [request_row(case)])


class TokenView(Open311View):
    def get(self, request, fmt, token):
        number = Case.objects.filter(tracking_code=token.strip().upper()).values_list("number", flat=True).first()
        if number is None:
            raise Http404
        return render_list(fmt, "service_requests", "request", [{"service_request_id": number, "token": token}])
