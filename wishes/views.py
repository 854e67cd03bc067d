"""Pages of the small wishes: the list (open wishes of the caller's area), posting a wish (workers),
a wish's page and its steps (claim, release, fulfil with photos, confirm, cancel), and the proof photos.

Lists come from ``Wish.objects.visible_to(user)``, single wishes from ``get_visible_or_404``; every
change goes through ``wishes.actions``. What of the beneficiary a user sees is ``wishes.privacy``'s call:
volunteers and residents never get the register record, not even in the page source.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.permissions import has_model_permission
from accounts.scope import CHANGE, VIEW, covers, get_visible_or_404
from cases.photos import stream_image
from core.pages import put_error
from core.privacy import id_hash, normalize_id_number

from . import actions, privacy
from .actions import WishError
from .forms import ClaimForm, FulfilForm, NoteForm, ReasonForm, WishFilterForm, WishForm
from .models import OPEN_WISH_STATUSES, TRANSITIONS, Wish, WishPhoto

PAGE_SIZE = 30
EVENT_LABELS = {
    "post": gettext_lazy("Posted"),
    "claim": gettext_lazy("Claimed"),
    "release": gettext_lazy("Claim released"),
    "fulfil": gettext_lazy("Reported fulfilled"),
    "confirm": gettext_lazy("Confirmed"),
    "cancel": gettext_lazy("Cancelled"),
}


def _require(user, action=VIEW):
    if not has_model_permission(user, Wish, action):
        raise PermissionDenied


@login_required
def wish_list(request):
    _require(request.user)
    form = WishFilterForm(request.GET or None)
    wishes = Wish.objects.visible_to(request.user).select_related("place", "claimed_by", "claimed_unit")
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("status") == "all":
        pass
    elif data.get("status"):
        wishes = wishes.filter(status=data["status"])
    else:
        wishes = wishes.filter(status__in=OPEN_WISH_STATUSES)
    if data.get("category"):
        wishes = wishes.filter(category=data["category"])
    staff = privacy.may_see_private_fields(request.user)
    if staff:
        wishes = wishes.select_related("beneficiary")
    page = Paginator(wishes.order_by("status", "-created", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "wishes/list.html", {
        "form": form, "page": page, "query": query.urlencode(), "staff": staff, "today": timezone.localdate(),
        "can_post": has_model_permission(request.user, Wish, CHANGE),
    })


def _find_resident(user, who: str, place):
    from people.models import Resident

    who = (who or "").strip()
    if not who:
        return None
    # Social workers have no access to the register itself: they may link a resident of a place of
    # their scope by exact name or ID number (never browse it).
    if not covers(user, place.path):
        raise WishError(_("You may not post wishes at this place."), field="place")
    residents = Resident.objects.filter(path__startswith=place.path)
    number = normalize_id_number(who)
    if len(number) == 18:
        found = list(residents.filter(id_hash=id_hash(number))[:2])
    else:
        found = list(residents.filter(name=who)[:2])
    if len(found) != 1:
        raise WishError(_("No single resident of this place matches.") if not found
                        else _("Several residents have this name: give the ID number."), field="who")
    return found[0]


@login_required
@require_http_methods(["GET", "POST"])
def wish_post(request):
    _require(request.user, CHANGE)
    form = WishForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        who = data.pop("who", "")
        try:
            data["beneficiary"] = _find_resident(request.user, who, data["place"])
            wish = actions.post_wish(request.user, **data)
        except WishError as error:
            put_error(form, error)
        else:
            messages.success(request, _("The wish was posted."))
            return redirect("wishes:detail", pk=wish.pk)
    return render(request, "wishes/form.html", {"form": form, "title": _("Post a small wish"),
                                                "submit": _("Post the wish"), "back": reverse("wishes:list")})


def _wish(request, pk):
    return get_visible_or_404(Wish.objects.select_related("place__parent", "posted_by", "claimed_by", "claimed_unit",
                                                          "confirmed_by"), request.user, VIEW, pk=pk)


@login_required
def wish_detail(request, pk):
    wish = _wish(request, pk)
    staff = privacy.sees_beneficiary(request.user, wish)
    beneficiary = None
    if staff and wish.beneficiary_id:
        from people.models import Resident

        beneficiary = Resident.objects.select_related("house__address").filter(pk=wish.beneficiary_id).first()
    events = list(wish.events.select_related("actor"))
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
    return render(request, "wishes/detail.html", {
        "wish": wish, "staff": staff, "beneficiary": beneficiary, "events": events,
        "arrangement": privacy.sees_arrangement(request.user, wish),
        "is_claimer": privacy.is_claimer(request.user, wish),
        "photos": wish.photos.all(), "late": wish.is_late(timezone.localdate()),
        "actions": [(name, TRANSITIONS[name].label) for name in actions.allowed_actions(request.user, wish)],
    })


def _units_for(wish):
    from people.models import UnitOrg

    area = wish.path[: wish.path.rstrip("/").rfind("/") + 1]
    return UnitOrg.objects.filter(path__startswith=area, is_active=True).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def wish_action(request, pk, name):
    wish = _wish(request, pk)
    if name not in TRANSITIONS:
        raise Http404
    post = request.POST if request.method == "POST" else None
    if name == "claim":
        form = ClaimForm(post, units=_units_for(wish))
    elif name == "fulfil":
        form = FulfilForm(post)
    elif name == "cancel":
        form = ReasonForm(post)
    else:
        form = NoteForm(post)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if name == "fulfil":
            data["photos"] = request.FILES.getlist("photos")
        try:
            getattr(actions, name)(wish, request.user, **data)
        except WishError as error:
            put_error(form, error)
        else:
            messages.success(request, _("Done: %(step)s.") % {"step": TRANSITIONS[name].label})
            return redirect("wishes:detail", pk=wish.pk)
    return render(request, "wishes/form.html", {
        "form": form, "wish": wish, "title": TRANSITIONS[name].label, "submit": TRANSITIONS[name].label,
        "back": reverse("wishes:detail", kwargs={"pk": wish.pk}), "photos": name == "fulfil",
        "danger": name in ("cancel", "release"),
        "arrangement": name == "claim",
    })


@login_required
def wish_photo(request, pk, photo_pk):
    wish = _wish(request, pk)
    return stream_image(get_object_or_404(WishPhoto, pk=photo_pk, wish=wish).image)
