"""Points pages: my balance and history, the shop of my place, and for the staff of a place its ledger,
hand-overs, corrections and the shop's items. Every change goes through ``points.actions``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from accounts.permissions import has_model_permission
from accounts.scope import CHANGE, VIEW, get_visible_or_404
from core.pages import form_page, query_without_page

from . import actions
from .actions import PointsError
from .forms import AdjustForm, ItemForm, RedeemForm
from .models import Entry, Item, Redemption

PAGE_SIZE = 30
STAFF = frozenset({Role.COMMUNITY_STAFF, Role.SOCIAL_WORKER, Role.ADMIN})


def _is_staff(user) -> bool:
    return bool(user.is_superuser or user.role in STAFF)


@login_required
def mine(request):
    """My points: balance, what earned and spent them."""
    account = actions.account_of(request.user)
    page = Paginator(account.entries.select_related("rule"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "points/mine.html", {
        "account": account, "page": page, "query": query_without_page(request), "is_staff": _is_staff(request.user),
        "pending": Redemption.objects.filter(entry__account=account, handed_over=False).select_related("item"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def shop(request):
    """The items of the shops of my place (my community's and my street's)."""
    user = request.user
    items = Item.objects.visible_to(user).filter(is_active=True).select_related("place")
    form = RedeemForm(request.POST or None)
    if request.method == "POST":
        item = get_visible_or_404(Item, user, VIEW, pk=request.POST.get("item"), is_active=True)
        if form.is_valid():
            try:
                actions.redeem(user, item, quantity=form.cleaned_data["quantity"])
            except PointsError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("%(item)s is yours: collect it at the community office.")
                                 % {"item": item.name})
                return redirect("points:mine")
        else:
            messages.error(request, _("Choose a quantity from 1 to 20."))
    return render(request, "points/shop.html", {
        "items": items, "account": actions.account_of(user), "form": form,
        "can_manage": has_model_permission(user, Item, CHANGE)}, status=400 if request.method == "POST" else 200)


def _require_staff(user):
    """The place's ledger is for its staff (and leaders, read-only); a person sees their own on "mine"."""
    if not (user.is_superuser or (has_model_permission(user, Entry, VIEW)
                                  and user.role not in (Role.VOLUNTEER, Role.RESIDENT_USER))):
        raise PermissionDenied


@login_required
def ledger(request):
    """The ledger of the place (staff): every entry, newest first."""
    _require_staff(request.user)
    entries = Entry.objects.visible_to(request.user).select_related("account__user", "rule", "actor")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    handovers = (Redemption.objects.filter(handed_over=False, entry__in=Entry.objects.visible_to(request.user))
                 .select_related("item", "entry__account__user")[:100])
    return render(request, "points/ledger.html", {
        "page": page, "query": query_without_page(request), "handovers": handovers,
        "errors": actions.ledger_errors() if request.user.is_superuser else []})


@login_required
@require_http_methods(["GET", "POST"])
def hand_over(request, pk):
    """GET: what is to be handed over to whom; POST: it was."""
    if not _is_staff(request.user):
        raise PermissionDenied
    redemption = _redemption(request.user, pk)
    if request.method == "GET":
        return render(request, "points/hand_over.html", {"redemption": redemption})
    try:
        actions.hand_over(redemption, request.user)
    except PointsError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(item)s was handed over.") % {"item": redemption.item.name})
    return redirect("points:ledger")


def _redemption(user, pk) -> Redemption:
    from django.http import Http404

    found = (Redemption.objects.filter(pk=pk, entry__in=Entry.objects.visible_to(user))
             .select_related("item", "entry__account__user").first())
    if found is None:
        raise Http404
    return found


@login_required
@require_http_methods(["GET", "POST"])
def adjust(request):
    user = request.user
    if not (user.is_superuser or user.role in (Role.COMMUNITY_STAFF, Role.ADMIN)):
        raise PermissionDenied
    form = AdjustForm(request.POST or None, user=user)
    return form_page(request, form, lambda data: actions.adjust(data.pop("user"), actor=user, **data),
                     done=_("The correction was entered in the ledger."), next_url=reverse("points:ledger"),
                     template="points/form.html", context={"title": _("Correct a points balance")})


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request):
    user = request.user
    if not has_model_permission(user, Item, CHANGE):
        raise PermissionDenied
    form = ItemForm(request.POST or None, user=user)
    return form_page(request, form, lambda data: actions.save_item(user, **data), done=_("The item is in the shop."),
                     next_url=reverse("points:shop"), template="points/form.html",
                     context={"title": _("Add an item to the shop")})


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk):
    user = request.user
    item = get_visible_or_404(Item, user, CHANGE, pk=pk)
    form = ItemForm(request.POST or None, user=user, initial={
        "place": item.place_id, "name": item.name, "description": item.description, "cost": item.cost,
        "stock": item.stock})
    return form_page(request, form, lambda data: actions.save_item(user, item=item, **data), done=_("Saved."),
                     next_url=reverse("points:shop"), template="points/form.html", context={"title": item.name})
