"""Data scope: the one place that decides which records a user may see or act on.

A user's data scope is a set of places (``OrgUnit`` rows). A record is visible when its place lies
under one of them: its materialised path starts with the path of a scope unit. Every list and detail
view, web or API, gets its queryset from ``Model.objects.visible_to(user, action)`` and its single
objects from ``get_visible_or_404``; a record outside the scope is simply not found (404), so its
existence is never revealed.

Each scoped model names the path of its place in ``scope_path`` (``"path"`` for the place itself,
``"grid__path"`` for a record in a grid, ...). A model that sets ``scope_ancestors = True`` (places,
departments) is also visible, read-only, from below: a community worker sees the street and district
above it, never a sibling community.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.http import Http404

VIEW = "view"
CHANGE = "change"
ACTIONS = (VIEW, CHANGE)

# The path that covers every place: what an administrator's scope resolves to.
EVERYWHERE = ""


def scope_paths(user) -> tuple[str, ...]:
    """The materialised paths of the user's scope units (cached on the user object)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ()
    cached = getattr(user, "_scope_paths", None)
    if cached is None:
        if user.is_superuser:
            cached = (EVERYWHERE,)
        else:
            paths = sorted(user.scope_units.values_list("path", flat=True))
            # Drop paths already covered by a shorter one so the filter stays small.
            cached = tuple(p for i, p in enumerate(paths) if not any(p.startswith(q) for q in paths[:i]))
        user._scope_paths = cached
    return cached


def covers(user, path: str | None) -> bool:
    """Does the user's scope cover the place with this path?"""
    if path is None:
        return False
    return any(path.startswith(p) for p in scope_paths(user))


def ancestor_paths(paths) -> set[str]:
    """All strict ancestor paths of the given paths ("a/b/c/" gives "a/" and "a/b/")."""
    result = set()
    for path in paths:
        parts = path.rstrip("/").split("/")[:-1]
        for i in range(1, len(parts) + 1):
            result.add("/".join(parts[:i]) + "/")
    return result


def path_and_ancestors(path: str) -> list[str]:
    """The path itself and every path above it ("a/b/c/" gives "a/", "a/b/" and "a/b/c/")."""
    return [path[: i + 1] for i, ch in enumerate(path) if ch == "/"]


def users_covering(role: str, path: str):
    """Active users of ``role`` whose data scope covers the place at ``path`` (it or a place above it):
    the people to tell about a record there."""
    from .models import User

    return User.objects.filter(role=role, is_active=True, scope_units__path__in=path_and_ancestors(path)).distinct()


def rows_for_figures(model, user):
    """The rows a user's figures count: what they may see, or, for a role with no permission on the rows
    (leaders), every row under their scope paths: aggregates only, no row is ever listed from it."""
    from .permissions import has_model_permission

    if user.is_superuser or has_model_permission(user, model, VIEW):
        return model.objects.visible_to(user)
    return model.objects.filter(scope_q(user, model.scope_path))


def places_in_scope(user, levels=None):
    """The places of the user's own scope: its units and everything under them, never the places above
    (which ``visible_to`` also shows, read-only). Of the given levels, down the tree, geometry not loaded:
    what forms offer to choose from and pages count."""
    from places.models import OrgUnit

    places = OrgUnit.objects.visible_to(user, VIEW).filter(scope_q(user, "path")).defer("geometry").order_by("path")
    return places.filter(level__in=levels) if levels else places


def scope_q(user, field: str, *, with_ancestors: bool = False) -> Q:
    """A filter for rows whose ``field`` (a path) lies under the user's scope."""
    paths = scope_paths(user)
    if EVERYWHERE in paths:
        return Q()
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    if with_ancestors:
        above = ancestor_paths(paths)
        if above:
            q |= Q(**{f"{field}__in": sorted(above)})
    return q


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = VIEW):
        """Rows the user may see (``view``) or act on (``change``), by data scope and role."""
        from .permissions import has_model_permission

        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if not has_model_permission(user, self.model, action):
            return self.none()
        field = self.model.scope_path
        with_ancestors = action == VIEW and getattr(self.model, "scope_ancestors", False)
        queryset = self.filter(scope_q(user, field, with_ancestors=with_ancestors))
        # A model may narrow further by role within the place (a handler sees its department's cases).
        narrow = getattr(self.model, "scope_narrowing", None)
        extra = narrow(user) if narrow and not user.is_superuser else None
        return queryset if extra is None else queryset.filter(extra)


def get_visible_or_404(queryset_or_model, user, action: str = VIEW, **lookup):
    """The single object matching ``lookup`` that the user may see or act on, else 404."""
    queryset = queryset_or_model
    if isinstance(queryset_or_model, type):
        queryset = queryset_or_model.objects.all()
    try:
        return queryset.visible_to(user, action).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
