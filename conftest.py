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


# The data migrations seed (each seed function is idempotent).
SEEDED_BY_MIGRATIONS = ("cases.migrations.0002_seed_calendar", "disputes.migrations.0002_default_rules",
                        "points.migrations.0002_default_rules")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A test on a committed database (``transaction=True``, a live server) ends with a flush of every
    table, the rows the data migrations seeded included: seed them again, once the test's fixtures (the
    flush among them) are torn down, for the tests that follow."""
    yield
    marker = item.get_closest_marker("django_db")
    committed = {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())) or (
        marker is not None and marker.kwargs.get("transaction"))
    if committed and nextitem is not None:  # after the last test the test database is gone
        from importlib import import_module

        from django.apps import apps
        from pytest_django.plugin import blocking_manager_key

        from cases.worktime import calendar_changed

        with item.config.stash[blocking_manager_key].unblock():
            for module in SEEDED_BY_MIGRATIONS:
                import_module(module).seed(apps, None)
        calendar_changed()


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def api(client):
    """A DRF test client that asks for English, so tests can match messages exactly.

    Chinese is the default language; tests of that use a client without the header."""
    from rest_framework.test import APIClient

    return APIClient(HTTP_ACCEPT_LANGUAGE="en")
