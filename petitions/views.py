"""Pages of the petition register: the list with filters, registration, a petition's page with its
timeline, linked petitions and key plan, the action forms (forward, reply, close, not accepted,
link, key plan), the reception-day register and the figures.

Lists start from ``Petition.objects.visible_to(user)``, single records come from
``get_visible_or_404`` (out of scope: 404), and every change goes through ``petitions.actions``.
ID numbers and phones are shown masked.
"""

from __future__ import annotations

import calendar
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.permissions import has_model_permission
from accounts.scope import CHANGE, VIEW, covers, get_visible_or_404, places_in_scope
from core.pages import form_page
from core.privacy import id_hash, normalize_id_number

from . import actions
from .actions import PetitionError
from .figures import petition_figures
from .forms import (
    PLACE_LEVELS,
    CloseForm,
    FilterForm,
    ForwardForm,
    KeyPlanForm,
    LinkForm,
    NotAcceptForm,
    ReceptionDayForm,
    RegisterForm,
    ReplyForm,
)
from .models import OPEN_STATUSES, Channel, Destination, KeyPlan, Petition, ReceptionDay, Status

PAGE_SIZE = 30
EVENT_LABELS = {
    "register": gettext_lazy("Registered"),
    "auto_link": gettext_lazy("Linked to earlier petitions of the same person"),
    "link": gettext_lazy("Linked (same matter)"),
    "forward": gettext_lazy("Forwarded"),
    "reply": gettext_lazy("Replied"),
    "close": gettext_lazy("Closed"),
    "not_accept": gettext_lazy("Not accepted"),
    "mark_key": gettext_lazy("Made a key petition"),
    "key_plan": gettext_lazy("Key petition plan updated"),
    "overdue": gettext_lazy("Reply deadline passed"),
}


def _require(user, model=Petition, action=VIEW):
    if not has_model_permission(user, model, action):
        raise PermissionDenied


def filter_petitions(petitions, data: dict, today: date):
    """Apply the list filters (page and API share them)."""
    if data.get("status"):
        petitions = petitions.filter(status=data["status"])
    if data.get("channel"):
        petitions = petitions.filter(channel=data["channel"])
    if data.get("due") == "overdue":
        petitions = petitions.filter(status__in=OPEN_STATUSES, reply_due__lt=today)
    elif data.get("due") == "open":
        petitions = petitions.filter(status__in=OPEN_STATUSES)
    if data.get("key"):
        petitions = petitions.filter(is_key=True)
    q = (data.get("q") or "").strip()
    if q:
        number = normalize_id_number(q)
        if len(number) == 18 and number[:17].isdigit():
            petitions = petitions.filter(id_hash=id_hash(number))
        else:
            petitions = petitions.filter(Q(number__icontains=q) | Q(petitioner_name__icontains=q)
                                         | Q(title__icontains=q) | Q(matter__icontains=q))
    return petitions


@login_required
def petition_list(request):
    _require(request.user)
    form = FilterForm(request.GET or None)
    today = timezone.localdate()
    data = form.cleaned_data if form.is_valid() else {}
    petitions = filter_petitions(Petition.objects.visible_to(request.user).select_related("place"), data, today)
    page = Paginator(petitions, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "petitions/list.html", {
        "form": form, "page": page, "today": today, "query": query.urlencode(),
        "can_register": has_model_permission(request.user, Petition, CHANGE),
    })


@login_required
@require_http_methods(["GET", "POST"])
def register(request):
    _require(request.user, action=CHANGE)
    initial = {"received_on": timezone.localdate()}
    day = ReceptionDay.objects.visible_to(request.user).filter(pk=request.GET.get("reception_day") or 0).first()
    if day is not None:
        initial.update(reception_day=day.pk, received_on=day.date, channel=Channel.VISIT)
    form = RegisterForm(request.POST or None, user=request.user, initial=initial)
    def run(data):
        if not covers(request.user, data["place"].path):
            raise PermissionDenied
        return actions.register_petition(actor=request.user, **data)

    return form_page(request, form, run,
                     done=lambda petition: _("Petition %(number)s was registered.") % {"number": petition.number},
                     next_url=lambda petition: reverse("petitions:detail", args=[petition.pk]),
                     template="petitions/form.html", context={"title": _("Register a petition"),
                                                              "submit": _("Register")})


def _petition(request, pk, action=VIEW):
    return get_visible_or_404(Petition.objects.select_related("place", "forwarded_to", "reception_day", "dispute"),
                              request.user, action, pk=pk)


@login_required
def petition_detail(request, pk):
    petition = _petition(request, pk)
    events = list(petition.events.select_related("actor"))
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
    group = Petition.objects.filter(group_id=petition.group_id) if petition.group_id else Petition.objects.none()
    linked = (group.visible_to(request.user).exclude(pk=petition.pk).select_related("place")
              .order_by("received_on", "id"))
    key_plan = KeyPlan.objects.filter(petition=petition).select_related("leader").first()
    can_change = Petition.objects.visible_to(request.user, CHANGE).filter(pk=petition.pk).exists()
    return render(request, "petitions/detail.html", {
        "petition": petition, "events": events, "linked": linked, "repeat_count": max(0, group.count() - 1),
        "key_plan": key_plan, "can_change": can_change, "allowed": actions.allowed_actions(petition),
        "overdue": petition.is_overdue(),
    })


def _action_page(request, pk, form_class, title, submit, run, form_kwargs=None, initial=None, danger=False):
    """A form page for one action on a petition: GET shows it, POST runs ``run(petition, data)``."""
    petition = _petition(request, pk, CHANGE)
    form = form_class(request.POST or None, initial=initial, **(form_kwargs or {}))
    return form_page(request, form, lambda data: run(petition, data), done=_("Saved."),
                     next_url=reverse("petitions:detail", args=[petition.pk]), template="petitions/form.html",
                     context={"petition": petition, "title": title, "submit": submit, "danger": danger})


@login_required
@require_http_methods(["GET", "POST"])
def forward(request, pk):
    return _action_page(request, pk, ForwardForm, _("Forward to the handling body"), _("Forward"),
                        lambda p, d: actions.forward(p, request.user, department=d["department"],
                                                     body_name=d["body_name"], note=d["note"]),
                        form_kwargs={"user": request.user})


@login_required
@require_http_methods(["GET", "POST"])
def reply(request, pk):
    return _action_page(request, pk, ReplyForm, _("Reply to the petitioner"), _("Save the reply"),
                        lambda p, d: actions.reply(p, request.user, text=d["text"], on=d["on"]),
                        initial={"on": timezone.localdate()})


@login_required
@require_http_methods(["GET", "POST"])
def close(request, pk):
    return _action_page(request, pk, CloseForm, _("Close the petition"), _("Close"),
                        lambda p, d: actions.close(p, request.user, **d))


@login_required
@require_http_methods(["GET", "POST"])
def not_accept(request, pk):
    return _action_page(request, pk, NotAcceptForm, _("Not accepted"), _("Do not accept"),
                        lambda p, d: actions.not_accept(p, request.user, reason=d["reason"]), danger=True)


@login_required
@require_http_methods(["GET", "POST"])
def link(request, pk):
    def run(petition, data):
        other = Petition.objects.visible_to(request.user, CHANGE).filter(number=data["other"].strip()).first()
        if other is None:
            raise PetitionError(_("No petition of your area has this number."), field="other")
        actions.link_petitions(petition, other, request.user, data["reason"])

    return _action_page(request, pk, LinkForm, _("Link a petition on the same matter"), _("Link"), run)


@login_required
@require_http_methods(["GET", "POST"])
def key_plan(request, pk):
    petition = _petition(request, pk, CHANGE)
    plan = KeyPlan.objects.filter(petition=petition).first()
    initial = {"leader": plan.leader_id, "leader_name": plan.leader_name, "team": plan.team, "plan": plan.plan,
               "target_date": plan.target_date, "progress": plan.progress} if plan else None
    return _action_page(request, pk, KeyPlanForm, _("Key petition: one leader, one team, one plan"), _("Save"),
                        lambda p, d: actions.mark_key(p, request.user, **d), form_kwargs={"path": petition.path},
                        initial=initial)


# --- Reception days ---------------------------------------------------------------------------------

@login_required
def reception_list(request):
    _require(request.user, ReceptionDay)
    days = (ReceptionDay.objects.visible_to(request.user).select_related("place", "leader")
            .annotate(received=Count("petitions"),
                      answered=Count("petitions", filter=Q(petitions__status__in=(
                          Status.REPLIED, Status.CLOSED, Status.NOT_ACCEPTED)))).order_by("-date", "-id"))
    page = Paginator(days, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "petitions/reception_list.html", {
        "page": page, "can_add": has_model_permission(request.user, ReceptionDay, CHANGE)})


@login_required
def reception_detail(request, pk):
    day = get_visible_or_404(ReceptionDay.objects.select_related("place", "leader"), request.user, VIEW, pk=pk)
    petitions = day.petitions.visible_to(request.user).select_related("place").order_by("id")
    return render(request, "petitions/reception_detail.html", {
        "day": day, "petitions": petitions,
        "can_register": has_model_permission(request.user, Petition, CHANGE)})


@login_required
@require_http_methods(["GET", "POST"])
def reception_add(request):
    _require(request.user, ReceptionDay, CHANGE)
    form = ReceptionDayForm(request.POST or None, user=request.user)
    return form_page(request, form, lambda data: actions.add_reception_day(actor=request.user, **data),
                     done=_("The reception day was added."),
                     next_url=lambda day: reverse("petitions:reception_detail", args=[day.pk]),
                     template="petitions/form.html",
                     context={"title": _("Add a reception day"), "submit": _("Add"), "reception": True})


# --- Figures ----------------------------------------------------------------------------------------

def month_bounds(value: str | None, today: date) -> tuple[date, date]:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        start = date(year, month, 1)
    except (ValueError, TypeError):
        start = today.replace(day=1)
    return start, start.replace(day=calendar.monthrange(start.year, start.month)[1])


@login_required
def figures(request):
    _require(request.user)
    today = timezone.localdate()
    start, end = month_bounds(request.GET.get("month"), today)
    petitions = Petition.objects.visible_to(request.user)
    places = places_in_scope(request.user, PLACE_LEVELS).exclude(level="grid")
    place = places.filter(code=request.GET.get("place") or "").first()
    if place is not None:
        petitions = petitions.filter(path__startswith=place.path)
    result = petition_figures(petitions, start, end, today=today)
    channels, levels = dict(Channel.choices), dict(Destination.choices)
    return render(request, "petitions/figures.html", {
        "figures": result, "start": start, "end": end, "month": start.strftime("%Y-%m"), "places": places[:300],
        "place": place,
        "by_channel": [(channels[k], n) for k, n in result.by_channel.items()],
        "by_destination": [(levels[k], n) for k, n in result.by_destination.items()],
    })
