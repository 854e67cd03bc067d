"""The web shell in a real browser (Chromium through Playwright) against a live server.

Skipped when Chromium is not installed (``apt-get install chromium``).
"""

import os
import shutil

import pytest

from jiceng.testing import PASSWORD, build_world

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.skipif(not os.path.exists(CHROMIUM) and not shutil.which("chromium"),
                       reason="Chromium is not installed at /usr/bin/chromium (apt-get install chromium)"),
]


class WatchedBrowser:
    """The launched browser; every page it opens reports what the Content Security Policy refused
    (Chromium logs each refusal on the page's console)."""

    def __init__(self, browser):
        self.browser = browser
        self.refused: list[str] = []

    def watch(self, page) -> None:
        page.on("console", lambda message: self.refused.extend(
            [message.text] if "Content Security Policy" in message.text else []))

    def new_page(self, **options):
        page = self.browser.new_page(**options)
        self.watch(page)
        return page

    def new_context(self, **options):
        context = self.browser.new_context(**options)
        context.on("page", self.watch)
        return context


@pytest.fixture
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    # Playwright's sync API runs an event loop in this thread; all database work of the test is done
    # before the browser starts, and the live server answers from its own thread.
    with playwright_api.sync_playwright() as playwright:
        watched = WatchedBrowser(playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS))
        try:
            yield watched
        finally:
            watched.browser.close()
        assert watched.refused == [], "the pages did something their Content Security Policy refused"


@pytest.fixture
def site(transactional_db, live_server):
    """A live server with the test place tree (static files come from the finders, see conftest)."""
    world = build_world()
    return live_server.url, world


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def test_the_map_draws_the_grids_of_the_scope(site, browser):
    base_url, world = site
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    sign_in(page, base_url, "dispatcher")
    assert "基层治理" in page.title()

    page.goto(f"{base_url}/places/map/")
    polygons = page.locator(".leaflet-overlay-pane svg path")
    polygons.first.wait_for(state="attached")
    page.wait_for_function("() => document.querySelectorAll('.leaflet-overlay-pane svg path').length >= 2")
    assert polygons.count() == 2  # the street's two grids, one per community
    legend = page.locator(".map-legend").inner_text()
    assert world.community_a.name in legend and world.community_b.name in legend
    # The polygons have a visible size on screen.
    box = polygons.first.bounding_box()
    assert box and box["width"] > 20 and box["height"] > 20
    page.close()


def test_a_community_worker_sees_only_their_grid_on_the_map(site, browser):
    base_url, world = site
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    sign_in(page, base_url, "staff_a")
    page.goto(f"{base_url}/places/map/")
    page.locator(".leaflet-overlay-pane svg path").first.wait_for(state="attached")
    page.wait_for_selector(".map-legend")
    assert page.locator(".leaflet-overlay-pane svg path").count() == 1
    assert world.community_b.name not in page.locator(".map-legend").inner_text()
    page.close()


def test_the_phone_home_page_fits_the_screen(site, browser):
    base_url, world = site
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    sign_in(page, base_url, "worker_a")
    assert page.locator(".tabbar").is_visible()
    assert page.locator(".sidenav").count() == 0  # phone-first layout: no side navigation
    assert world.grid_a.name in page.locator("main").inner_text()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone screen"

    # A console user on a phone: the side navigation becomes a drawer behind "More".
    context.clear_cookies()
    sign_in(page, base_url, "dispatcher")
    assert not page.locator(".sidenav").is_visible() or page.locator(".sidenav").bounding_box()["x"] < 0
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    page.locator(".tabbar button[data-nav-toggle]").click()
    page.wait_for_function("() => document.querySelector('.sidenav').getBoundingClientRect().left >= 0")
    assert page.locator(".sidenav a", has_text="导入导出").is_visible()
    context.close()
