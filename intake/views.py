"""Pages of the smart intake: the router's versions, its settings, training on demand.

Administrators change them; dispatchers and leaders read how well the router does.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import has_model_permission
from core.pages import require_permission

from . import actions
from .forms import RoutingSettingsForm
from .models import RoutingKind, RoutingModel, RoutingSettings
from .tasks import retrain


@login_required
@require_http_methods(["GET", "POST"])
def routing(request):
    user = request.user
    require_permission(user, RoutingModel)
    may_change = has_model_permission(user, RoutingModel, "change")
    settings_row = RoutingSettings.load()
    form = RoutingSettingsForm(request.POST if request.method == "POST" else None, instance=settings_row)
    if request.method == "POST":
        require_permission(user, RoutingModel, "change")
        if form.is_valid():
            form.save()
            messages.success(request, _("Routing settings saved."))
            return redirect("intake:routing")
    versions = list(RoutingModel.objects.defer("blob").select_related("created_by"))
    kinds = [{"kind": kind, "label": label, "versions": [v for v in versions if v.kind == kind]}
             for kind, label in RoutingKind.choices]
    return render(request, "intake/routing.html", {
        "form": form, "kinds": kinds, "may_change": may_change, "settings_row": settings_row,
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def train(request):
    require_permission(request.user, RoutingModel, "change")
    retrain.enqueue(actor_id=request.user.pk)
    messages.success(request, _("Training queued: the task worker trains a new version of each router from the "
                                "closed cases; it becomes active only if it scores at least as well."))
    return redirect("intake:routing")


@login_required
@require_POST
def activate_version(request, pk):
    require_permission(request.user, RoutingModel, "change")
    model = get_object_or_404(RoutingModel.objects.defer("blob"), pk=pk)
    actions.activate(model)
    messages.success(request, _("%(model)s is now active.") % {"model": model})
    return redirect("intake:routing")
