import pytest
from django.core.cache import cache

from jiceng.testing import build_world
from places.geo import reset_grid_index


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # uploaded photos never land in var/media
    # Each test process its own cache (the embedded default is a file cache shared by processes).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DASHBOARD_CACHE_SECONDS = 0  # tests change cases and look again at once (one test turns it on)
    settings.ROLLUP_SWEEP_SECONDS = 0  # and fold them into the roll-up at once (one test checks the interval)
    # Tests do not run collectstatic: serve static files from the finders, without a manifest.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Code run outside a request speaks English in tests, so messages can be matched exactly.

    Requests still choose their own language (Chinese by default): the locale middleware decides."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_caches(_test_settings):
    """Each test starts with an empty cache and no grid index left by another test."""
    from cases.worktime import reset_cache

    cache.clear()
    reset_grid_index()
    reset_cache()
    yield
    reset_grid_index()


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def api(client):
    """A DRF test client that asks for English, so tests can match messages exactly.

    Chinese is the default language; tests of that use a client without the header."""
    from rest_framework.test import APIClient

    return APIClient(HTTP_ACCEPT_LANGUAGE="en")
