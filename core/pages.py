"""The one shape of every page that writes: a form, an action, a message, a redirect.

    return form_page(request, form, lambda data: actions.escalate(dispute, request.user, **data),
                     done=_("Sent up."), next_url=lambda result: reverse(...), template="disputes/form.html",
                     context={...})

A valid POST runs the action with the form's cleaned data. A ``DomainError`` it raises is shown next
to the field it names (or above the form); success shows ``done`` and redirects. Otherwise the page
is rendered again with the form, with status 400 after a POST so that clients and tests can tell.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .errors import DomainError


def put_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def form_page(request, form, action: Callable[[dict], object], *, done, next_url, template: str,
              context: dict | None = None):
    if request.method == "POST" and form.is_valid():
        try:
            result = action(dict(form.cleaned_data))
        except DomainError as error:
            put_error(form, error)
        else:
            if done:
                messages.success(request, str(done(result) if callable(done) else done))
            return redirect(next_url(result) if callable(next_url) else next_url)
    return render(request, template, {"form": form, **(context or {})},
                  status=400 if request.method == "POST" else 200)


def require_permission(user, model, action: str = "view") -> None:
    """403 unless the user's role may ``action`` records of ``model`` (the scope then decides which)."""
    from accounts.permissions import has_model_permission

    if not has_model_permission(user, model, action):
        raise PermissionDenied(_("Your role has no access to this page."))


def query_without_page(request) -> str:
    """The page's query string without its page number (for the pager's links)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
