"""Staff pages of the case engine: the dispatch console, a department's inbox, the inspectors'
verification queue, and the case detail with its timeline and action panel.

Every list starts from ``Case.objects.visible_to(user)`` and every single case comes from
``get_visible_or_404``: a case outside the user's scope is simply not found. Every change goes
through the action functions of ``actions.py``; the pages only offer what
``workflow.available_actions`` allows and put a refusal (``CaseError``) back on the form.

Lists never count more than ``COUNT_CAP`` rows (``CappedPaginator``), so they stay fast over
millions of cases: beyond the cap the page says "10,000+" and asks for narrower filters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Prefetch
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role
from accounts.scope import get_visible_or_404
from intake.actions import suggestions_for
from intake.models import RoutingKind

from . import actions, workflow
from .actions import CaseError, StaleCase
from .filtersets import EARLIEST, LATEST, CaseFilterSet, filter_due
from .forms import ActionForm, BulkForm
from .models import (
    INBOX_STATUSES,
    OPEN_STATUSES,
    Case,
    CasePhoto,
    CoHandling,
    DueState,
    PhotoKind,
    Satisfaction,
    Source,
    Status,
)
from .photos import stream_image
from .routing import owner_department, owners

PAGE_SIZE = 25
VERIFY_PAGE_SIZE = 20
COUNT_CAP = 10_000
PRESET_COUNT_CAP = 999
CO_HANDLING_SHOWN = 50

# Who opens which list. Handlers work from their department's inbox, inspectors from the
# verification queue (and may look at the console read-only).
CONSOLE_ROLES = frozenset({Role.DISPATCHER, Role.LEADER, Role.COMMUNITY_STAFF, Role.INSPECTOR, Role.ADMIN})
INBOX_ROLES = frozenset({Role.HANDLER})
BULK_STATUSES = (Status.REPORTED, Status.REGISTERED, Status.RETURNED)
SUGGEST_STATUSES = (Status.REGISTERED, Status.RETURNED)

# Fields a list row never shows: not loaded (the phone is encrypted, the boundary is large).
LIST_DEFERRED = ("description", "result", "evaluation", "reporter_phone", "grid__geometry",
                 "grid__parent__geometry")
DETAIL_RELATED = ("category__parent", "grid__parent", "department", "handler", "verifier", "escalated_to",
                  "reporter")

# Quick filters above the console's table: a label and the query they stand for.
PRESETS = [
    ("intake", gettext_lazy("To register"), {"status": [Status.REPORTED]}),
    ("dispatch", gettext_lazy("To dispatch"), {"status": [Status.REGISTERED, Status.RETURNED]}),
    ("handling", gettext_lazy("Being handled"), {"status": [Status.DISPATCHED, Status.ACCEPTED, Status.SUSPENDED]}),
    ("verify", gettext_lazy("To verify"), {"status": [Status.RESOLVED]}),
    ("close", gettext_lazy("To close"), {"status": [Status.VERIFIED]}),
    ("overdue", gettext_lazy("Overdue"), {"due": "overdue"}),
]


class CappedPaginator(Paginator):
    """A paginator that counts at most ``cap`` + 1 rows (``SELECT COUNT(*) FROM (... LIMIT cap+1)``).

    Past the cap the count reads as "10,000+" and the pages stop there: a dispatcher narrows the
    filters instead of paging through a million rows.
    """

    def __init__(self, object_list, per_page, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    def _get_page(self, object_list, *args, **kwargs):
        """The page's rows (the paginator's slice of the list) in two steps: their ids, in the list's
        order, from a query over the list's own table (the database walks the sort's index or sorts
        bare ids, and joins nothing for rows it will not show: a late-cases console over ten million
        cases took 430 ms to join 19,705 rows for 25 of them), then those rows with their related ones."""
        ids = list(object_list.values_list("pk", flat=True))
        found = {row.pk: row for row in self.object_list.filter(pk__in=ids)}
        return super()._get_page([found[pk] for pk in ids if pk in found], *args, **kwargs)

    @property
    def capped(self) -> bool:
        return self.count > self.cap


def walk_index(field: str):
    """A filter that keeps every row but lets the database walk the index of ``field`` in order.

    Over a broad scope SQLite otherwise picks the path index and sorts every case of the scope
    (seconds at a million cases); walking the sort column's index stops after one page instead.
    """
    return lambda queryset: queryset.filter(**{f"{field}__gte": EARLIEST, f"{field}__lte": LATEST})


def paginate(queryset, per_page: int, number, walk_field: str | None = None):
    """A page of a capped paginator. A list past the cap is dense enough to walk its sort index."""
    paginator = CappedPaginator(queryset, per_page)
    if walk_field and paginator.capped:
        paginator.object_list = walk_index(walk_field)(queryset)
    return paginator.get_page(number)


def capped_count(queryset, cap: int | None = None) -> tuple[int, bool]:
    cap = PRESET_COUNT_CAP if cap is None else cap
    n = queryset.order_by().values("pk")[: cap + 1].count()
    return min(n, cap), n > cap


def _require(user, roles) -> None:
    if not (user.is_superuser or user.role in roles):
        raise PermissionDenied(_("Your role has no access to this page."))


def _partial(request) -> bool:
    return bool(request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request)


def home_queue_url(user) -> str:
    """The list a user works from: handlers their inbox, inspectors the verification queue."""
    if user.is_superuser or user.role in CONSOLE_ROLES - {Role.INSPECTOR}:
        return reverse("cases:console")
    if user.role in INBOX_ROLES:
        return reverse("cases:inbox")
    if workflow.role_may(user, "verify"):
        return reverse("cases:verify")
    return reverse("home")


def list_queryset(queryset, deferred=LIST_DEFERRED):
    return queryset.select_related("category", "grid__parent", "department").defer(*deferred)


@dataclass
class Row:
    """A case in a list, with what the row shows besides its fields."""

    case: Case
    due: str
    selectable: bool = False
    suggested: object = None  # the owner by the duty list
    learned: list = field(default_factory=list)  # the router's top departments (intake.actions.Suggestion)

    @property
    def due_label(self) -> str:
        return DueState(self.due).label


@dataclass
class CoRow:
    """A request to report back on another department's case."""

    co: CoHandling
    due: str

    @property
    def case(self) -> Case:
        return self.co.case

    @property
    def due_label(self) -> str:
        return DueState(self.due).label


def case_rows(cases, *, suggest: bool = False, selectable: bool = False, now=None) -> list[Row]:
    now = now or timezone.now()
    cases = list(cases)
    waiting = [case for case in cases if suggest and case.status in SUGGEST_STATUSES]
    suggestions = owners((case.category, case.grid) for case in waiting)
    learned = suggestions_for(waiting, kinds=(RoutingKind.DEPARTMENT,))
    rows = []
    for case in cases:
        row = Row(case, case.due_state(now), selectable and case.status in BULK_STATUSES)
        row.suggested = suggestions.get((case.category_id, case.grid_id))
        row.learned = learned.get(case.pk, {}).get(RoutingKind.DEPARTMENT, [])
        rows.append(row)
    return rows


def _query_without_page(params) -> str:
    query = params.copy()
    query.pop("page", None)
    return query.urlencode()


# --- Dispatch console -----------------------------------------------------------------------------
def may_bulk(user) -> bool:
    return workflow.role_may(user, "dispatch") or workflow.role_may(user, "register")


def console_context(request, params, bulk_form=None, bulk_report=None) -> dict:
    user = request.user
    filterset = CaseFilterSet(params or None, queryset=Case.objects.visible_to(user), request=request)
    page = paginate(list_queryset(filterset.qs), PAGE_SIZE, params.get("page"), filterset.sort_field)
    can_bulk = may_bulk(user)
    return {
        "filter": filterset,
        "form": filterset.form,
        "page": page,
        "rows": case_rows(page.object_list, suggest=can_bulk, selectable=can_bulk),
        "query": _query_without_page(params),
        "full_query": params.urlencode(),
        "can_bulk": can_bulk,
        "bulk_form": bulk_form or (BulkForm(user=user) if can_bulk else None),
        "bulk_report": bulk_report,
    }


def presets(user, params) -> list[dict]:
    visible = Case.objects.visible_to(user)
    current = (sorted(params.getlist("status")), params.get("due", ""))
    others = {key for key in params if key not in ("status", "due", "page", "sort")}
    result = []
    for key, label, query in PRESETS:
        statuses = sorted(query.get("status", []))
        due = query.get("due", "")
        qs = visible.filter(status__in=statuses) if statuses else visible
        if due:
            qs = filter_due(qs, due)
        count, more = capped_count(qs)
        data = QueryDict(mutable=True)
        for status in statuses:
            data.appendlist("status", status)
        if due:
            data["due"] = due
        result.append({"key": key, "label": label, "query": data.urlencode(), "count": count, "more": more,
                       "active": current == (statuses, due) and not others})
    return result


@login_required
@require_GET
def console(request):
    user = request.user
    if user.role in INBOX_ROLES and not user.is_superuser:
        return redirect("cases:inbox")
    _require(user, CONSOLE_ROLES)
    context = console_context(request, request.GET)
    if _partial(request):
        template = "cases/_queue.html"
    else:
        template = "cases/console.html"
        context["presets"] = presets(user, request.GET)
        context["all_active"] = not request.GET
        context["is_dispatcher"] = may_bulk(user)
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@dataclass
class BulkResult:
    pk: int
    number: str = ""
    ok: bool = False
    message: str = ""


@dataclass
class BulkReport:
    operation: str
    results: list[BulkResult] = field(default_factory=list)

    @property
    def succeeded(self) -> int:
        return sum(1 for r in self.results if r.ok)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if not r.ok)


def run_bulk(user, data) -> BulkReport:
    """Register or dispatch each selected case through its action; one case failing stops no other."""
    operation, department, note = data["operation"], data.get("department"), data.get("note", "")
    ids = data["cases"]
    found = {case.pk: case for case in Case.objects.visible_to(user).filter(pk__in=ids)
             .select_related("category__parent", "grid")}
    report = BulkReport(operation)
    for pk in ids:
        case = found.get(pk)
        if case is None:
            report.results.append(BulkResult(pk, message=_("Not found among the cases you can see.")))
            continue
        result = BulkResult(pk, case.number)
        try:
            if operation == "register":
                actions.register_case(case, user, note)
                result.message = _("Registered.")
            else:
                done = actions.dispatch_case(case, user, department=department, note=note)
                result.message = _("Dispatched to %(department)s.") % {"department": done.department.name}
            result.ok = True
        except CaseError as exc:
            result.message = exc.message
        report.results.append(result)
    return report


@login_required
@require_POST
def bulk(request):
    user = request.user
    _require(user, CONSOLE_ROLES)
    if not may_bulk(user):
        raise PermissionDenied(_("Your role may not register or dispatch cases."))
    params = QueryDict(request.POST.get("query", ""))
    form = BulkForm(request.POST, user=user)
    report = run_bulk(user, form.cleaned_data) if form.is_valid() else None
    if request.htmx:
        context = console_context(request, params, bulk_form=form if report is None else None, bulk_report=report)
        if report is not None:
            context["presets"] = presets(user, params)  # their counts changed: swapped out of band
            context["all_active"] = not params
        return render(request, "cases/_queue.html", context, status=200)
    if report is None:
        for error in form.errors.values():
            messages.error(request, " ".join(error))
    else:
        summary = _("%(ok)d of %(total)d cases done.") % {"ok": report.succeeded, "total": len(report.results)}
        messages.success(request, summary) if not report.failed else messages.warning(request, summary)
        for result in report.results:
            if not result.ok:
                messages.error(request, f"{result.number or result.pk}: {result.message}")
    url = reverse("cases:console")
    return redirect(f"{url}?{params.urlencode()}" if params else url)


# --- Department inbox -----------------------------------------------------------------------------
def deadline_order(queryset):
    return queryset.order_by(F("deadline").asc(nulls_last=True), "reported_at", "id")


@login_required
@require_GET
def inbox(request):
    user = request.user
    _require(user, INBOX_ROLES)
    visible = Case.objects.visible_to(user)
    # The department's own cases, each checked against the scope row by row (EXISTS on the primary
    # key): the department index then drives the query, not the scope's path range, which for a
    # district-wide department covers every case.
    in_scope = Exists(visible.filter(pk=OuterRef("pk")))
    if user.department_id:
        mine = Case.objects.filter(department_id=user.department_id, status__in=INBOX_STATUSES).filter(in_scope)
    elif user.is_superuser:
        mine = visible.filter(status__in=INBOX_STATUSES)
    else:
        mine = Case.objects.none()
    status = request.GET.get("status", "")
    tabs = [{"key": "", "label": _("All"), "count": capped_count(mine)}]
    for value in INBOX_STATUSES:
        tabs.append({"key": value, "label": Status(value).label, "count": capped_count(mine.filter(status=value))})
    for tab in tabs:
        tab["active"] = tab["key"] == status
    listed = mine.filter(status=status) if status in INBOX_STATUSES else mine
    page = paginate(list_queryset(deadline_order(listed)), PAGE_SIZE, request.GET.get("page"))
    co_handling = []
    if user.department_id:
        co_handling = list(
            CoHandling.objects.filter(department_id=user.department_id, replied_at__isnull=True)
            .filter(Exists(visible.filter(pk=OuterRef("case_id"), status__in=OPEN_STATUSES)))
            .select_related("case__category", "case__grid", "case__department")
            .defer("case__grid__geometry", "case__reporter_phone", "case__description")
            .order_by(F("case__deadline").asc(nulls_last=True), "requested_at")[:CO_HANDLING_SHOWN]
        )
    now = timezone.now()
    context = {
        "page": page,
        "rows": case_rows(page.object_list, now=now),
        "tabs": tabs,
        "status": status,
        "query": _query_without_page(request.GET),
        "co_handling": [CoRow(co, co.case.due_state(now)) for co in co_handling],
        "department": user.department,
    }
    return render(request, "cases/inbox.html", context)


# --- Verification queue ---------------------------------------------------------------------------
@dataclass
class VerifyCard:
    case: Case
    due: str
    before: list
    after: list
    forms: list
    done: str = ""

    @property
    def due_label(self) -> str:
        return DueState(self.due).label


def verify_card(case: Case, user, bound: ActionForm | None = None, now=None) -> VerifyCard:
    photos = getattr(case, "all_photos", None)
    if photos is None:
        photos = list(case.photos.all())
    forms = []
    available = workflow.available_actions(case, user)
    for name in ("verify", "send_back"):
        if name in available:
            forms.append(bound if bound is not None and bound.action == name
                         else ActionForm(case=case, user=user, action=name))
    return VerifyCard(case, case.due_state(now), [p for p in photos if p.kind == PhotoKind.REPORT],
                      [p for p in photos if p.kind == PhotoKind.RESULT], forms)


@login_required
@require_GET
def verify_queue(request):
    user = request.user
    if not workflow.role_may(user, "verify"):
        raise PermissionDenied(_("Your role has no access to this page."))
    waiting = Case.objects.visible_to(user).filter(status=Status.RESOLVED)
    # A resolved case always runs the verification clock, so every one has a deadline.
    queryset = list_queryset(waiting.order_by("deadline", "id"),
                             ("reporter_phone", "grid__geometry", "grid__parent__geometry"))
    queryset = queryset.prefetch_related(Prefetch("photos", to_attr="all_photos"))
    page = paginate(queryset, VERIFY_PAGE_SIZE, request.GET.get("page"), "deadline")
    now = timezone.now()
    context = {
        "page": page,
        "cards": [verify_card(case, user, now=now) for case in page.object_list],
        "query": _query_without_page(request.GET),
    }
    return render(request, "cases/verify.html", context)


# --- Case detail and its actions ------------------------------------------------------------------
FACT_LABELS = {
    "department": gettext_lazy("Department"),
    "co_departments": gettext_lazy("Co-handling departments"),
    "departments": gettext_lazy("Departments called in"),
    "to_unit": gettext_lazy("Escalated to"),
    "hours": gettext_lazy("Hours"),
    "deadline": gettext_lazy("New deadline"),
    "remaining_hours": gettext_lazy("Hours left on the clock"),
    "satisfaction": gettext_lazy("Satisfaction"),
    "rework": gettext_lazy("Rework no."),
    "source": gettext_lazy("Source"),
    "master": gettext_lazy("Merged into"),
    "merged": gettext_lazy("Duplicates merged in"),
    "master_status": gettext_lazy("Status of the master case"),
}
FACTS_HIDDEN = {"callback"}


def _fact_value(key, value) -> str:
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if key == "deadline":
        moment = parse_datetime(str(value))
        return formats.date_format(timezone.localtime(moment), "Y-m-d H:i") if moment else str(value)
    if key == "satisfaction" and value in Satisfaction.values:
        return str(Satisfaction(value).label)
    if key == "source" and value in Source.values:
        return str(Source(value).label)
    if key in ("hours", "remaining_hours"):
        return formats.number_format(float(value), decimal_pos=1)
    return str(value)


def event_facts(event) -> list[tuple[str, str]]:
    """The details of a timeline entry worth showing (department, hours, satisfaction...)."""
    facts = []
    for key, value in (event.data or {}).items():
        if key in FACTS_HIDDEN or value in (None, "", [], {}):
            continue
        facts.append((str(FACT_LABELS.get(key, key)), _fact_value(key, value)))
    return facts


def action_forms(case: Case, user, bound: ActionForm | None = None) -> list[ActionForm]:
    available = workflow.available_actions(case, user)
    suggested = owner_department(case.category, case.grid) if "dispatch" in available else None
    return [bound if bound is not None and bound.action == name
            else ActionForm(case=case, user=user, action=name, suggested=suggested)
            for name in available]


def detail_context(case: Case, user, bound: ActionForm | None = None) -> dict:
    events = list(case.events.select_related("actor").prefetch_related("photos").order_by("at", "id"))
    photos = list(case.photos.all())
    groups = [{"kind": kind, "label": label, "photos": [p for p in photos if p.kind == kind]}
              for kind, label in PhotoKind.choices]
    forms = action_forms(case, user, bound)
    action_error = []
    if bound is not None and bound.action not in [f.action for f in forms]:
        # The action is no longer (or never was) on offer: say why above the panel.
        action_error = [str(e) for e in bound.non_field_errors()] + [
            f"{bound.fields[name].label}: {' '.join(errors)}" if name in bound.fields else " ".join(errors)
            for name, errors in bound.errors.items() if name != "__all__"
        ]
    # The form open on arrival: the one with errors, else the first that moves the case on.
    if bound is not None and bound in forms:
        open_action = bound.action
    elif len(forms) == 1 or (forms and forms[0].changes_state):
        open_action = forms[0].action
    else:
        open_action = ""
    timeline = [{
        "event": event,
        "label": workflow.EVENT_LABELS.get(event.action, event.action),
        "actor": event.actor.display_name if event.actor else (event.actor_label or _("System")),
        "facts": event_facts(event),
        "photos": list(event.photos.all()),
    } for event in events]
    grid = case.grid
    return {
        "case": case,
        "due": case.due_state(),
        "due_label": DueState(case.due_state()).label,
        "places": [*grid.ancestors()[1:], grid],
        "timeline": timeline,
        "photo_groups": [g for g in groups if g["photos"]],
        "co_handlings": list(case.co_handlings.select_related("department", "replied_by").order_by("requested_at")),
        "forms": forms,
        "learned": suggestions_for([case]).get(case.pk, {}) if any(f.action == "dispatch" for f in forms) else {},
        "open_action": open_action,
        "action_error": action_error,
        "stale": bool(bound is not None and getattr(bound, "stale", False)),
        "map_data": {
            "grid": grid.geometry,
            "point": [case.latitude, case.longitude] if case.latitude is not None and case.longitude is not None
            else None,
        },
        "back_url": home_queue_url(user),
        **merge_context(case, user),
    }


def merge_context(case: Case, user) -> dict:
    """Duplicates (intake/duplicates.py): the master a merged case follows, the cases merged into this
    one, and whether the page loads the "possible duplicates" panel (for those who may merge)."""
    master = None
    if case.status == Status.MERGED and case.merged_into_id:
        master = Case.objects.only("pk", "number", "title", "status", "result", "path", "reporter_id",
                                   "department_id").get(pk=case.merged_into_id)
        master.visible = Case.objects.visible_to(user).filter(pk=master.pk).exists()
    merged = list(case.merged_cases.only("pk", "number", "title", "reported_at").order_by("reported_at", "id"))
    return {"master": master, "merged_cases": merged,
            "show_duplicates": case.is_open and workflow.role_may(user, "merge")}


def render_detail(request, case, *, bound=None, flash="", status=200, partial=False):
    context = detail_context(case, request.user, bound)
    context["flash"] = flash
    template = "cases/_detail_body.html" if partial else "cases/detail.html"
    return render(request, template, context, status=status)


def perform(name: str, case: Case, user, data: dict) -> Case:
    """Call the action function with the form's input."""
    note = data.get("note") or ""
    options = {"version": data["version"], "photos": data.get("photos") or ()}
    if name == "dispatch":
        return actions.dispatch_case(case, user, department=data.get("department"),
                                     co_departments=data.get("co_departments") or (), note=note, **options)
    if name == "request_extension":
        return actions.request_extension(case, user, data.get("hours"), note, **options)
    if name == "approve_extension":
        return actions.approve_extension(case, user, note, hours=data.get("hours"), **options)
    if name in ("callback", "evaluate"):
        function = actions.callback_case if name == "callback" else actions.evaluate_case
        return function(case, user, data.get("satisfaction"), note, **options)
    if name == "escalate":
        return actions.escalate_case(case, user, note, to_unit=data.get("to_unit"),
                                     departments=data.get("departments") or (), **options)
    if name == "merge":
        return actions.merge_case(case, user, data.get("master"), note, **options)
    functions = {
        "register": actions.register_case, "reject": actions.reject_case, "accept": actions.accept_case,
        "return": actions.return_case, "deny_extension": actions.deny_extension, "suspend": actions.suspend_case,
        "resume": actions.resume_case, "resolve": actions.resolve_case, "verify": actions.verify_case,
        "send_back": actions.send_back_case, "close": actions.close_case, "report_back": actions.report_back,
        "supervise": actions.supervise_case,
    }
    return functions[name](case, user, note, **options)


def put_error(form: ActionForm, exc: CaseError) -> None:
    """Show a refused action on its form: on the field it names, else above the form."""
    if isinstance(exc, StaleCase) or exc.field == "version":
        form.stale = True
        form.add_error(None, exc.message)
    elif exc.field in form.fields and not form.fields[exc.field].widget.is_hidden:
        form.add_error(exc.field, exc.message)
    else:
        form.add_error(None, exc.message)


def _errors_text(form) -> str:
    parts = [str(e) for e in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name != "__all__":
            label = form.fields[name].label if name in form.fields else name
            parts.append(f"{label}: {' '.join(errors)}")
    return " ".join(parts)


def _detail_queryset():
    return Case.objects.select_related(*DETAIL_RELATED).defer("grid__parent__geometry")


@login_required
@require_http_methods(["GET", "POST"])
def case_detail(request, pk):
    user = request.user
    case = get_visible_or_404(_detail_queryset(), user, pk=pk)
    if request.method == "POST":
        return act(request, case)
    if user.role == Role.RESIDENT_USER and not user.is_superuser:
        # A resident follows their report on its tracking page (no staff names or notes there).
        return redirect("public:track-detail", case.tracking_code)
    return render_detail(request, case)


def act(request, case: Case):
    """Take one action on the case from its form; a refusal is shown on the form, never as an error page."""
    user = request.user
    name = request.POST.get("action", "")
    from_verify = request.POST.get("from") == "verify"
    if name not in workflow.TRANSITIONS:
        return render_detail(request, case, flash="", status=400 if not request.htmx else 200,
                             partial=bool(request.htmx))
    suggested = owner_department(case.category, case.grid) if name == "dispatch" else None
    form = ActionForm(request.POST, request.FILES, case=case, user=user, action=name, suggested=suggested)
    status = 400
    if form.is_valid():
        try:
            done = perform(name, case, user, form.cleaned_data)
        except CaseError as exc:
            put_error(form, exc)
            status = exc.status
        except ValidationError as exc:  # a photo that cannot be read or is too large
            form.add_error("photos" if form.takes_photos else None, exc.messages)
        else:
            return after_action(request, done, name, from_verify)
    if from_verify:
        if request.htmx:
            return render(request, "cases/_verify_card.html", {"card": verify_card(case, user, bound=form)})
        messages.error(request, f"{case.number}: {_errors_text(form)}")
        return redirect("cases:verify")
    return render_detail(request, case, bound=form, status=200 if request.htmx else status,
                         partial=bool(request.htmx))


def after_action(request, case: Case, name: str, from_verify: bool):
    user = request.user
    label = workflow.TRANSITIONS[name].label
    done = _("%(action)s: done.") % {"action": label}
    if from_verify:
        if request.htmx:
            card = VerifyCard(case, DueState.NONE, [], [], [], done=done)
            return render(request, "cases/_verify_card.html", {"card": card})
        messages.success(request, f"{case.number}: {done}")
        return redirect("cases:verify")
    if not Case.objects.visible_to(user).filter(pk=case.pk).exists():
        # e.g. a handler returned it: it is no longer their department's case.
        messages.success(request, f"{case.number}: {done} " + _("It has left your list."))
        target = home_queue_url(user)
        if request.htmx:
            response = HttpResponse(status=200)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
    if request.htmx:
        return render_detail(request, _detail_queryset().get(pk=case.pk), flash=done, partial=True)
    messages.success(request, done)
    return redirect("cases:detail", case.pk)


@login_required
@require_GET
def case_photo(request, pk, photo_pk):
    """A case photo, streamed only to someone who may see the case (never a public media URL)."""
    case = get_visible_or_404(Case.objects.only("pk", "number", "path", "department_id", "reporter_id"),
                              request.user, pk=pk)
    photo = get_object_or_404(CasePhoto, pk=photo_pk, case=case)
    response = stream_image(photo.image)
    response["Cache-Control"] = "private, max-age=86400"
    response["Content-Disposition"] = f'inline; filename="{case.number}-{photo.pk}.jpg"'
    return response

