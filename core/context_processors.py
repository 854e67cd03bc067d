from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .navigation import is_mobile_first, nav_for


def shell(request):
    """What every page of the web shell needs: the map settings, the navigation, the layout."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
        "nav_items": SimpleLazyObject(lambda: nav_for(user, request.path) if signed_in else []),
        "mobile_first": signed_in and is_mobile_first(user),
    }
