"""Pages of the registers (一标三实): residents, houses and units of the user's scope.

Every list starts from ``visible_to`` and every single record comes from ``get_visible_or_404``:
a record outside the scope is simply not found. Writes go through ``actions.py``. Protected fields
are shown masked; the full values appear only in the response to a "show in full" POST, which
``privacy.reveal`` audits.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import has_model_permission, is_staff_role
from accounts.scope import CHANGE, VIEW, get_visible_or_404, places_in_scope
from cases.views import paginate
from core.audit import history
from core.privacy import normalize_id_number
from places.models import Level

from . import actions, privacy
from .forms import HouseForm, MoveForm, ResidentFilterForm, ResidentForm, UnitForm
from .models import Address, House, Move, Resident, ResidentStatus, SensitiveView, UnitOrg

PAGE_SIZE = 25
HISTORY_SHOWN = 30
LIST_DEFERRED = ("id_number", "phone", "hukou_address", "note")


def _require(user, model, action=VIEW) -> None:
    if not has_model_permission(user, model, action):
        raise PermissionDenied(_("Your role has no access to this page."))


def _partial(request) -> bool:
    return bool(request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request)


def _query_without_page(params) -> str:
    query = params.copy()
    query.pop("page", None)
    return query.urlencode()


def search_residents(queryset, text: str):
    """A full ID number finds that person exactly (through its keyed hash); anything else searches
    names and household numbers."""
    text = (text or "").strip()
    if not text:
        return queryset
    number = normalize_id_number(text)
    if len(number) in (15, 18) and number[:15].isdigit():
        from core.privacy import id_hash

        return queryset.filter(id_hash=id_hash(number))
    return queryset.filter(Q(name__icontains=text) | Q(household_no=text))


def filter_residents(user, params):
    form = ResidentFilterForm(params or None, user=user)
    queryset = Resident.objects.visible_to(user, VIEW)
    if form.is_valid():
        data = form.cleaned_data
        queryset = search_residents(queryset, data["q"])
        if data["grid"]:
            from places.models import OrgUnit

            place = OrgUnit.objects.visible_to(user, VIEW).filter(code=data["grid"]).values_list("path", flat=True)
            queryset = queryset.filter(path__startswith=place.first() or "-")
        if data["status"] == "":
            queryset = queryset.filter(status=ResidentStatus.PRESENT)
        elif data["status"] != "all":
            queryset = queryset.filter(status=data["status"])
        if data["floating"]:
            queryset = queryset.filter(is_floating=data["floating"] == "1")
        if data["tag"]:
            queryset = queryset.filter(tags=data["tag"])
    else:
        queryset = queryset.filter(status=ResidentStatus.PRESENT)
    return form, queryset


@login_required
@require_GET
def resident_list(request):
    user = request.user
    _require(user, Resident)
    form, queryset = filter_residents(user, request.GET)
    queryset = queryset.defer(*LIST_DEFERRED).select_related("grid", "house__address").order_by(
        "path", "household_no", "-is_household_head", "name", "pk")
    page = paginate(queryset, PAGE_SIZE, request.GET.get("page"))
    context = {"form": form, "page": page, "query": _query_without_page(request.GET),
               "can_change": has_model_permission(user, Resident, CHANGE)}
    template = "people/_results.html" if _partial(request) else "people/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _resident(user, pk, action=VIEW) -> Resident:
    return get_visible_or_404(Resident.objects.select_related("grid__parent", "house__address"), user, action,
                              pk=pk)


def detail_context(request, resident: Resident, revealed=None) -> dict:
    user = request.user
    members = Resident.objects.none()
    if resident.household_no:
        members = (Resident.objects.visible_to(user, VIEW).filter(household_no=resident.household_no)
                   .exclude(pk=resident.pk).defer(*LIST_DEFERRED).order_by("-is_household_head", "name"))
    context = {
        "resident": resident,
        "masked": privacy.masked(resident),
        "revealed": revealed,
        "can_reveal": privacy.may_see_full(user, resident),
        "can_change": Resident.objects.visible_to(user, CHANGE).filter(pk=resident.pk).exists(),
        "moves": Move.objects.filter(resident=resident).select_related(
            "from_grid", "to_grid", "from_house__address", "to_house__address", "recorded_by").order_by("-at", "-id"),
        "members": members,
        "tags": list(resident.tags.all()),
        "show_history": is_staff_role(user),
    }
    if context["show_history"]:
        context["history"] = history(resident)[:HISTORY_SHOWN]
        context["views"] = SensitiveView.objects.filter(
            model="people.resident", object_id=resident.pk).select_related("user")[:10]
    return context


@login_required
@require_GET
def resident_detail(request, pk):
    resident = _resident(request.user, pk)
    return render(request, "people/detail.html", detail_context(request, resident))


@login_required
@require_http_methods(["GET", "POST"])
def resident_reveal(request, pk):
    """GET: the detail page; POST: the same page with the full ID number and phone, audited."""
    resident = _resident(request.user, pk)
    if request.method == "GET":
        return render(request, "people/detail.html", detail_context(request, resident))
    revealed = privacy.reveal(request, resident, reason=request.POST.get("reason", ""))
    response = render(request, "people/detail.html", detail_context(request, resident, revealed))
    add_never_cache_headers(response)
    return response


def _put_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _form_view(request, form, save, *, done: str | None, title: str, errors=_put_errors, **extra):
    """The loop of every form page: a valid POST calls ``save()`` (an action, returning the page to go to);
    a refusal goes back next to its field; the page answers 400 after a failed POST."""
    if request.method == "POST" and form.is_valid():
        try:
            target = save()
        except ValidationError as exc:
            errors(form, exc)
        else:
            if done:
                messages.success(request, done)
            return redirect(*target) if isinstance(target, tuple) else redirect(target)
    status = 400 if request.method == "POST" else 200
    return render(request, "people/form.html", {"form": form, "title": title, **extra}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def resident_create(request):
    user = request.user
    _require(user, Resident, CHANGE)
    form = ResidentForm(request.POST or None, user=user, initial=None if request.POST else {
        "grid": form_default_grid(user), "moved_in": timezone.localdate()})

    def save():
        resident = actions.create_resident(user, tags=form.cleaned_data["tags"], **form.action_data())
        messages.success(request, _("%(name)s was added to the register.") % {"name": resident.name})
        return "people:detail", resident.pk

    return _form_view(request, form, save, done=None, title=_("Add a resident"))


def form_default_grid(user):
    grids = list(places_in_scope(user, (Level.GRID,)).values_list("pk", flat=True)[:2])
    return grids[0] if len(grids) == 1 else None


@login_required
@require_http_methods(["GET", "POST"])
def resident_edit(request, pk):
    user = request.user
    resident = _resident(user, pk, CHANGE)
    form = ResidentForm(request.POST or None, user=user, instance=resident)

    def save():
        actions.update_resident(resident, user, tags=form.cleaned_data["tags"], **form.action_data())
        return "people:detail", resident.pk

    return _form_view(request, form, save, done=_("Saved."), resident=resident,
                      title=_("Edit %(name)s") % {"name": resident.name})


@login_required
@require_http_methods(["GET", "POST"])
def resident_move(request, pk):
    user = request.user
    resident = _resident(user, pk, CHANGE)
    form = MoveForm(request.POST or None, user=user, initial={"at": timezone.localdate()})

    def save():
        actions.move_resident(resident, user, **form.cleaned_data)
        return "people:detail", resident.pk

    return _form_view(request, form, save, done=_("The move was recorded."), resident=resident,
                      title=_("Move of %(name)s") % {"name": resident.name})


# --- Houses and units -------------------------------------------------------------------------------

@login_required
@require_GET
def house_list(request):
    user = request.user
    _require(user, House)
    queryset = House.objects.visible_to(user, VIEW).select_related("address", "grid", "landlord")
    text = request.GET.get("q", "").strip()
    if text:
        queryset = queryset.filter(Q(address__text__icontains=text) | Q(address__code=text))
    if request.GET.get("rented") == "1":
        queryset = queryset.filter(is_rented=True)
    page = paginate(queryset.order_by("path", "address__code", "pk"), PAGE_SIZE, request.GET.get("page"))
    return render(request, "people/houses.html", {
        "title": _("Houses"), "page": page, "query": _query_without_page(request.GET), "text": text,
        "rented": request.GET.get("rented") == "1", "can_change": has_model_permission(user, House, CHANGE)})


@login_required
@require_GET
def house_detail(request, pk):
    user = request.user
    house = get_visible_or_404(House.objects.select_related("address", "grid", "landlord"), user, VIEW, pk=pk)
    residents = (Resident.objects.visible_to(user, VIEW).filter(house=house).defer(*LIST_DEFERRED)
                 .order_by("household_no", "-is_household_head", "name"))
    context = {"house": house, "residents": residents, "masked": privacy.masked(house),
               "show_history": is_staff_role(user),
               "can_change": House.objects.visible_to(user, CHANGE).filter(pk=house.pk).exists()}
    if context["show_history"]:
        context["history"] = history(house)[:HISTORY_SHOWN]
    return render(request, "people/house_detail.html", context)


ADDRESS_ERRORS = {"code": "address_code", "text": "address_text"}


def _put_house_errors(form, exc: ValidationError) -> None:
    """An address refusal names ``code``/``text``: put it next to the form's address fields."""
    if hasattr(exc, "error_dict"):
        exc.error_dict = {ADDRESS_ERRORS.get(k, k): v for k, v in exc.error_dict.items()}
    _put_errors(form, exc)


@login_required
@require_http_methods(["GET", "POST"])
def house_create(request):
    user = request.user
    _require(user, House, CHANGE)
    form = HouseForm(request.POST or None, user=user, initial={"grid": form_default_grid(user)})

    @transaction.atomic
    def save():
        grid = form.cleaned_data["grid"]
        address = actions.create_address(user, grid=grid, code=form.cleaned_data["address_code"],
                                         text=form.cleaned_data["address_text"])
        return "people:house-detail", actions.create_house(user, address=address, grid=grid,
                                                           **form.action_data()).pk

    return _form_view(request, form, save, done=_("The house was added."), title=_("Add a house"),
                      errors=_put_house_errors)


@login_required
@require_http_methods(["GET", "POST"])
def house_edit(request, pk):
    """Edit a house and the text of its address (the address code stays)."""
    user = request.user
    house = get_visible_or_404(House.objects.select_related("address", "grid"), user, CHANGE, pk=pk)
    form = HouseForm(request.POST or None, user=user, instance=house)

    @transaction.atomic
    def save():
        actions.update_address(house.address, user, text=form.cleaned_data["address_text"])
        actions.update_house(house, user, **form.action_data())
        return "people:house-detail", house.pk

    return _form_view(request, form, save, done=_("Saved."), errors=_put_house_errors, house=house,
                      title=_("Edit %(name)s") % {"name": house.address.text})


@login_required
@require_GET
def unit_list(request):
    user = request.user
    _require(user, UnitOrg)
    queryset = UnitOrg.objects.visible_to(user, VIEW).select_related("address", "grid").defer("contact_phone")
    text = request.GET.get("q", "").strip()
    if text:
        queryset = queryset.filter(Q(name__icontains=text) | Q(credit_code=text))
    page = paginate(queryset.order_by("path", "name", "pk"), PAGE_SIZE, request.GET.get("page"))
    return render(request, "people/units.html", {
        "title": _("Units"), "page": page, "query": _query_without_page(request.GET), "text": text,
        "can_change": has_model_permission(user, UnitOrg, CHANGE)})


@login_required
@require_http_methods(["GET", "POST"])
def unit_create(request):
    user = request.user
    _require(user, UnitOrg, CHANGE)
    form = UnitForm(request.POST or None, user=user, initial={"grid": form_default_grid(user)})

    def save():
        return "people:unit-detail", actions.create_unit(user, **form.action_data()).pk

    return _form_view(request, form, save, done=_("The unit was added."), title=_("Add a unit"))


def _unit(user, pk, action=VIEW) -> UnitOrg:
    return get_visible_or_404(UnitOrg.objects.select_related("address", "grid"), user, action, pk=pk)


@login_required
@require_GET
def unit_detail(request, pk):
    user = request.user
    unit = _unit(user, pk)
    context = {"unit": unit, "masked": privacy.masked(unit), "show_history": is_staff_role(user),
               "can_change": UnitOrg.objects.visible_to(user, CHANGE).filter(pk=unit.pk).exists()}
    if context["show_history"]:
        context["history"] = history(unit)[:HISTORY_SHOWN]
    return render(request, "people/unit_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request, pk):
    user = request.user
    unit = _unit(user, pk, CHANGE)
    form = UnitForm(request.POST or None, user=user, instance=unit)

    def save():
        actions.update_unit(unit, user, **form.action_data())
        return "people:unit-detail", unit.pk

    return _form_view(request, form, save, done=_("Saved."), unit=unit, title=_("Edit %(name)s") % {"name": unit.name})


__all__ = ["Address"]
