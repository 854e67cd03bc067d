"""The inbox: a user's own notifications, newest first; marking them read (POST only).

A notification belongs to its recipient alone: every lookup is ``recipient=request.user``, so
somebody else's notification is simply not found (404).
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .context_processors import unread_count
from .models import Notification

PAGE_SIZE = 30


def mine(request):
    return Notification.objects.filter(recipient=request.user)


@login_required
@require_GET
def inbox(request):
    notifications = mine(request).select_related("case")
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications.order_by("-created", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {
        "page": page,
        "only_unread": only_unread,
        "unread_total": mine(request).filter(read_at__isnull=True).count(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def notification(request, pk):
    """GET: the whole notification. POST: mark it read, then go on to ``next`` (the case, or back)."""
    item = get_object_or_404(mine(request).select_related("case"), pk=pk)
    if request.method == "GET":
        return render(request, "notifications/detail.html", {"item": item})
    if item.read_at is None:
        mine(request).filter(pk=item.pk, read_at__isnull=True).update(read_at=timezone.now())
    return _go_on(request)


@login_required
@require_POST
def read_all(request):
    mine(request).filter(read_at__isnull=True).update(read_at=timezone.now())
    return _go_on(request)


@login_required
@require_GET
def badge(request):
    """The header's unread badge alone, for HTMX polling."""
    response = render(request, "notifications/_badge.html", {"unread_notifications": unread_count(request.user)})
    add_never_cache_headers(response)
    return response


def _go_on(request):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return HttpResponseRedirect(target)
    return redirect("notifications:inbox")
