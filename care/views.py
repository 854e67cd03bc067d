"""Pages of the special-care register: the list of the scope, a person's page with the visit plan and
history, the phone forms (log a visit, lost contact), enrolment, transfer, level, outcome (placement,
reoffending), the help group, end, and the figures.

Lists start from ``SpecialPerson.objects.visible_to(user)``, single records come from
``get_visible_or_404`` (out of scope: 404), and every change goes through ``care.actions``.
Correction details (type, term) are shown to justice officers and administrators only.
"""

from __future__ import annotations

import calendar
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from accounts.permissions import has_model_permission
from accounts.scope import CHANGE, VIEW, get_visible_or_404, rows_for_figures
from cases.photos import stream_image
from core.pages import form_page, put_error
from core.privacy import id_hash, normalize_id_number
from people.models import Resident

from . import actions
from .actions import CareError
from .figures import care_figures
from .forms import (
    EndForm,
    EnrolForm,
    FiguresForm,
    FilterForm,
    HelpMemberForm,
    LevelForm,
    LostContactForm,
    OutcomeForm,
    TransferForm,
    VisitForm,
)
from .models import CareKind, CareStatus, HelpGroupMember, Level, SpecialPerson, VisitPhoto
from .schedule import visit_days

PAGE_SIZE = 30
FIGURES_ROLES = frozenset({Role.JUSTICE_OFFICER, Role.LEADER, Role.ADMIN, Role.COMMUNITY_STAFF})
EVENT_LABELS = {
    "enrol": gettext_lazy("Taken under care"),
    "lost_contact": gettext_lazy("Lost contact"),
    "contact_restored": gettext_lazy("Contact restored"),
    "transfer": gettext_lazy("Transferred"),
    "visit_overdue": gettext_lazy("Visit overdue"),
    "visit_overdue_escalated": gettext_lazy("Overdue visit reported to the justice office"),
    "level": gettext_lazy("Level changed"),
    "end": gettext_lazy("Care ended"),
    "revoke": gettext_lazy("Revoked"),
    "outcome": gettext_lazy("Placement / reoffending recorded"),
    "member_added": gettext_lazy("Help group member added"),
    "member_removed": gettext_lazy("Help group member removed"),
}


def sees_correction_details(user) -> bool:
    return bool(user.is_superuser or user.role in (Role.JUSTICE_OFFICER, Role.ADMIN))


def _require(user, action="view"):
    if not has_model_permission(user, SpecialPerson, action):
        raise PermissionDenied


def _badges(person, today):
    return {"overdue": person.status == CareStatus.ACTIVE and person.next_visit_due is not None
            and person.next_visit_due < today,
            "lost": person.status == CareStatus.LOST_CONTACT}


@login_required
def person_list(request):
    _require(request.user)
    form = FilterForm(request.GET or None)
    persons = (SpecialPerson.objects.visible_to(request.user).select_related("resident", "grid", "responsible")
               .order_by("next_visit_due", "id"))
    today = timezone.localdate()
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("kind"):
        persons = persons.filter(kind=data["kind"])
    if data.get("status"):
        persons = persons.filter(status=data["status"])
    else:
        persons = persons.filter(status__in=(CareStatus.ACTIVE, CareStatus.LOST_CONTACT))
    if data.get("due") == "overdue":
        persons = persons.filter(status=CareStatus.ACTIVE, next_visit_due__lt=today)
    elif data.get("due") == "lost":
        persons = persons.filter(status=CareStatus.LOST_CONTACT)
    if data.get("place"):
        place = data["place"].strip()
        persons = persons.filter(Q(grid__name__icontains=place) | Q(grid__parent__name__icontains=place)
                                 | Q(grid__code__startswith=place))
    page = Paginator(persons, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(person, _badges(person, today)) for person in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "care/list.html", {
        "form": form, "page": page, "rows": rows, "query": query.urlencode(),
        "can_enrol": has_model_permission(request.user, SpecialPerson, CHANGE),
        "can_figures": request.user.is_superuser or request.user.role in FIGURES_ROLES,
    })


def _person(request, pk, action="view"):
    return get_visible_or_404(SpecialPerson.objects.select_related("resident", "grid__parent", "responsible"),
                              request.user, action, pk=pk)


@login_required
def person_detail(request, pk):
    person = _person(request, pk)
    today = timezone.localdate()
    events = list(person.events.select_related("actor"))
    levels = dict(Level.choices)
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
        event.detail = _event_detail(event, levels)
    can_change = SpecialPerson.objects.visible_to(request.user, CHANGE).filter(pk=person.pk).exists()
    is_open = _is_open(person)
    return render(request, "care/detail.html", {
        "person": person, "badges": _badges(person, today), "interval": visit_days(person),
        **_help_group_context(request, person, can_change=can_change),
        "visits": person.visits.select_related("visitor").prefetch_related("photos")[:50], "events": events,
        "show_correction": sees_correction_details(request.user),
        "is_correction": person.kind == CareKind.CORRECTION,
        "can_change": can_change, "open": is_open,
        "can_outcome": is_open and bool(_outcome_fields(request.user, person)),
    })


def _event_detail(event, levels) -> str:
    """One line under a timeline label: what changed ("Normal → Strict", the member added)."""
    data = event.data or {}
    if event.action == "level":
        parts = []
        if data.get("from_level") != data.get("to_level"):
            parts.append(f"{levels.get(data.get('from_level'), '—')} → {levels.get(data.get('to_level'), '—')}")
        if "risk_score" in data:
            old = data.get("from_risk_score")
            parts.append(_("risk %(old)s → %(new)s") % {"old": "—" if old is None else old,
                                                      "new": data["risk_score"]})
        return " · ".join(parts)
    if event.action in ("member_added", "member_removed"):
        return f"{data.get('name', '')} ({data.get('role', '')})"
    if event.action == "outcome":
        parts = []
        if "is_placed" in data:
            parts.append(_("Placed") if data["is_placed"] else _("Not placed"))
        if data.get("reoffended_on"):
            parts.append(_("Reoffended on %(date)s") % {"date": data["reoffended_on"]})
        return " · ".join(parts)
    return ""


def _back(person) -> str:
    return reverse("care:detail", args=[person.pk])


@login_required
@require_http_methods(["GET", "POST"])
def visit(request, pk):
    person = _person(request, pk, CHANGE)
    form = VisitForm(request.POST or None, initial={"visited_on": timezone.localdate(), "met": "yes"})
    return form_page(
        request, form, lambda data: actions.log_visit(person, request.user, photos=request.FILES.getlist("photos"),
                                                      **data),
        done=_("The visit was recorded."), next_url=_back(person), template="care/form.html",
        context={"person": person, "title": _("Log a visit"), "submit": _("Save the visit"), "photos": True})


@login_required
def visit_photo(request, pk, photo_pk):
    """A visit photo, streamed only to those who may see the person."""
    person = _person(request, pk, VIEW)
    return stream_image(get_object_or_404(VisitPhoto, pk=photo_pk, visit__person=person).image)


@login_required
@require_http_methods(["GET", "POST"])
def lost_contact(request, pk):
    person = _person(request, pk, CHANGE)
    form = LostContactForm(request.POST or None)
    return form_page(request, form, lambda data: actions.mark_lost_contact(person, request.user, data["note"]),
                     done=_("Marked as lost contact; the justice office has been told."), next_url=_back(person),
                     template="care/form.html", context={
                         "person": person, "title": _("Mark as lost contact"), "submit": _("Mark as lost contact"),
                         "danger": True})


@login_required
@require_http_methods(["GET", "POST"])
def transfer(request, pk):
    person = _person(request, pk, CHANGE)
    form = TransferForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        actions.transfer_person(person, request.user, resident_grid=form.cleaned_data["grid"],
                                note=form.cleaned_data["note"])
        messages.success(request, _("The care record was transferred."))
        if SpecialPerson.objects.visible_to(request.user).filter(pk=person.pk).exists():
            return redirect("care:detail", pk=person.pk)
        return redirect("care:list")
    return render(request, "care/form.html", {
        "person": person, "form": form, "title": _("Transfer to another grid"), "submit": _("Transfer")})


@login_required
@require_http_methods(["GET", "POST"])
def end(request, pk):
    person = _person(request, pk, CHANGE)
    form = EndForm(request.POST or None, initial={"end_date": timezone.localdate()})
    return form_page(request, form, lambda data: actions.end_care(person, request.user, **data),
                     done=_("The care has ended."), next_url=_back(person), template="care/form.html", context={
                         "person": person, "title": _("End the care"), "submit": _("End the care"), "danger": True})


@login_required
@require_http_methods(["GET", "POST"])
def change_level(request, pk):
    person = _person(request, pk, CHANGE)
    form = LevelForm(request.POST or None, person=person,
                     initial={"level": person.level, "risk_score": person.risk_score})
    return form_page(request, form, lambda data: actions.change_level(person, request.user, **data),
                     done=_("The level was changed; the visit plan follows it."), next_url=_back(person),
                     template="care/form.html", context={
                         "person": person, "title": _("Change the level"), "submit": _("Change the level")})


def _outcome_fields(user, person) -> dict:
    """What may be recorded for this person: placement for released persons; reoffending for correction
    (justice officers only), released and drug kinds."""
    fields = {}
    if person.kind == CareKind.RELEASED:
        fields["placement"] = True
    if person.kind in (CareKind.RELEASED, CareKind.DRUG) or (
            person.kind == CareKind.CORRECTION and sees_correction_details(user)):
        fields["reoffending"] = True
    return fields


@login_required
@require_http_methods(["GET", "POST"])
def outcome(request, pk):
    person = _person(request, pk, CHANGE)
    shown = _outcome_fields(request.user, person)
    if not shown:
        raise Http404
    options = {"placement": "placement" in shown, "reoffending": "reoffending" in shown}
    form = OutcomeForm(request.POST or None, **options,
                       initial={"is_placed": "yes" if person.is_placed else "no",
                                "reoffended_on": person.reoffended_on})
    title = (_("Placement and reoffending") if len(shown) == 2
             else _("Placement") if "placement" in shown else _("Reoffending"))

    def run(data):
        return actions.record_outcome(person, request.user, is_placed=data.get("is_placed"),
                                      reoffended_on=data.get("reoffended_on"), note=data["note"])

    return form_page(request, form, run, done=_("The outcome was recorded."), next_url=_back(person),
                     template="care/form.html", context={"person": person, "title": title, "submit": _("Save")})


def _is_open(person) -> bool:
    return person.status in (CareStatus.ACTIVE, CareStatus.LOST_CONTACT)


def _help_group_context(request, person, *, can_change: bool, form=None) -> dict:
    can_manage = can_change and _is_open(person)
    if can_manage and form is None:
        form = HelpMemberForm(user=request.user, auto_id="id_member_%s")
    return {"members": person.help_group.select_related("user").order_by("id"), "can_manage_group": can_manage,
            "member_form": form if can_manage else None}


def _help_group_response(request, person, form=None, status=200):
    """The help group: the section alone for HTMX, else the page of its own (a form with errors)."""
    context = {"person": person, **_help_group_context(request, person, can_change=True, form=form)}
    if request.htmx and not request.htmx.boosted:
        return render(request, "care/_help_group.html", context, status=status)
    return render(request, "care/help_group.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def help_group(request, pk):
    """Add a member to the help group (定人、定责、定措施): a name, a role, duty and measures."""
    person = _person(request, pk, CHANGE)
    if request.method == "GET":
        return _help_group_response(request, person)
    if not _is_open(person):
        messages.error(request, _("This care has already ended."))
        return redirect("care:detail", pk=person.pk)
    form = HelpMemberForm(request.POST, user=request.user, auto_id="id_member_%s")
    if form.is_valid():
        try:
            actions.add_help_member(person, request.user, **form.cleaned_data)
        except CareError as error:
            put_error(form, error)
        else:
            if request.htmx:
                return _help_group_response(request, person)
            messages.success(request, _("%(name)s joined the help group.") % {"name": form.cleaned_data["name"]})
            return redirect("care:detail", pk=person.pk)
    return _help_group_response(request, person, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def remove_help_member(request, pk, member_pk):
    """Remove a member of the help group: GET asks for confirmation, POST removes."""
    person = _person(request, pk, CHANGE)
    member = get_object_or_404(HelpGroupMember, pk=member_pk, person=person)
    if request.method == "POST" and not _is_open(person):
        messages.error(request, _("This care has already ended."))
        return redirect("care:detail", pk=person.pk)
    if request.method == "POST":
        name = member.name
        actions.remove_help_member(member, request.user)
        if request.htmx:
            return _help_group_response(request, person)
        messages.success(request, _("%(name)s left the help group.") % {"name": name})
        return redirect("care:detail", pk=person.pk)
    return render(request, "care/form.html", {
        "person": person, "form": None, "danger": True, "submit": _("Remove"),
        "cancel": reverse("care:detail", args=[person.pk]),
        "title": _("Remove %(name)s (%(role)s) from the help group?") % {"name": member.name, "role": member.role}})


def find_resident(user, who: str):
    """A resident of the user's scope by full ID number or exact name: (resident, error)."""
    residents = Resident.objects.visible_to(user)
    who = (who or "").strip()
    number = normalize_id_number(who)
    if len(number) == 18 and number[:17].isdigit():
        found = list(residents.filter(id_hash=id_hash(number))[:2])
    else:
        found = list(residents.filter(name=who)[:2])
    if not found:
        return None, _("No resident of your area matches.")
    if len(found) > 1:
        return None, _("Several residents have this name: give the full ID number.")
    return found[0], None


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request):
    _require(request.user, CHANGE)
    form = EnrolForm(request.POST or None, user=request.user, initial={"start_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        resident, error = find_resident(request.user, data.pop("who"))
        if error:
            form.add_error("who", error)
        else:
            if data["kind"] != CareKind.CORRECTION:
                data["correction_kind"] = ""
            try:
                person = actions.enrol_person(resident=resident, actor=request.user, **data)
            except CareError as error:
                put_error(form, error)
            else:
                messages.success(request, _("%(name)s is now under care.") % {"name": resident.name})
                if SpecialPerson.objects.visible_to(request.user).filter(pk=person.pk).exists():
                    return redirect("care:detail", pk=person.pk)
                return redirect("care:list")
    return render(request, "care/form.html", {"form": form, "title": _("Take a resident under care"),
                                              "submit": _("Take under care")})


def month_bounds(value: str | None, today: date) -> tuple[date, date]:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        start = date(year, month, 1)
    except (ValueError, TypeError):
        start = today.replace(day=1)
    return start, start.replace(day=calendar.monthrange(start.year, start.month)[1])


@login_required
def figures(request):
    if not (request.user.is_superuser or request.user.role in FIGURES_ROLES):
        raise PermissionDenied
    form = FiguresForm(request.GET or None)
    today = timezone.localdate()
    start, end_ = month_bounds(request.GET.get("month"), today)
    result = care_figures(rows_for_figures(SpecialPerson, request.user), start, end_, today=today)
    labels = dict(CareKind.choices)
    chart = {"labels": [str(labels[k]) for k in result.by_kind], "values": list(result.by_kind.values()),
             "title": _("Persons by kind")}
    return render(request, "care/figures.html", {
        "form": form, "figures": result, "start": start, "end": end_, "month": start.strftime("%Y-%m"),
        "chart": chart,
        "by_kind": [(labels[k], n) for k, n in result.by_kind.items()],
    })
