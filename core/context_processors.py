from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .navigation import is_mobile_first, nav_for

# The phone's bottom bar holds this many items; the rest (and the desk pages) are behind "More".
TAB_BAR_SIZE = 4


def tab_items(entries, current_active: bool = True):
    """The bar's items: the first ones marked for it, with the current page swapped in when it is a
    tab item further down (so the bar always shows where you are)."""
    tabs = [entry for entry in entries if entry.tab]
    shown = tabs[:TAB_BAR_SIZE]
    active = next((entry for entry in tabs[TAB_BAR_SIZE:] if entry.active), None)
    if active is not None and current_active:
        shown[-1] = active
    return shown


def shell(request):
    """What every page of the web shell needs: the map settings, the navigation, the layout."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    nav_items = SimpleLazyObject(lambda: nav_for(user, request.path) if signed_in else [])
    return {
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
        "nav_items": nav_items,
        "tab_items": SimpleLazyObject(lambda: tab_items(nav_items)),
        "mobile_first": signed_in and is_mobile_first(user),
    }
