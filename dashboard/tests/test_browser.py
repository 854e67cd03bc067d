"""The dashboard and the wall display in Chromium: the charts draw, the map colours the grids and shows
the cases; screenshots go to test-output/ (or $TEST_OUTPUT_DIR) for a person to look at."""

import os
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from core.tests.test_browser import CHROMIUM, browser, sign_in  # noqa: F401  (the browser fixture)
from jiceng.testing import build_world, make_case

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed at /usr/bin/chromium")

OUTPUT = Path(os.environ.get("TEST_OUTPUT_DIR") or settings.BASE_DIR / "test-output")

# Pixels of a chart's canvas that are drawn on (not transparent): an empty chart has only its axes.
DRAWN_PIXELS = """(selector) => {
  const canvas = document.querySelector(selector + " canvas");
  if (!canvas) return 0;
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) drawn++;
  return drawn;
}"""


@pytest.fixture
def site(transactional_db, live_server):
    world = build_world()
    for i, (grid, lon) in enumerate([(world.grid_a, 116.405)] * 5 + [(world.grid_b, 116.415)] * 2):
        make_case(grid, title=f"路灯不亮{i}", longitude=lon + i * 0.0005, latitude=39.905)
    return live_server.url, world


def chart_drawn(page, name: str) -> int:
    page.wait_for_selector(f'[data-chart="{name}"] canvas')
    return page.evaluate(DRAWN_PIXELS, f'[data-chart="{name}"]')


def check_map(page, world):
    page.wait_for_selector(".leaflet-grids-pane canvas")
    page.wait_for_selector(".dash-legend strong")
    box = page.locator(".leaflet-grids-pane canvas").bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100
    page.wait_for_selector(".leaflet-heatmap-layer")  # the cases as a heat layer


def test_the_dashboard_draws_its_charts_and_map(site, browser):  # noqa: F811
    base_url, world = site
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, base_url, "leader")
    page.goto(f"{base_url}/dashboard/?place={world.street.pk}")
    assert page.locator('[data-kpi="reported"]').first.inner_text() == "7"
    for name in ("trend", "categories", "children"):
        assert chart_drawn(page, name) > 2000, f"the {name} chart is empty"
    check_map(page, world)
    page.wait_for_selector(".dash-domains")  # the other registers arrive by HTMX
    page.select_option("[data-map-figure]", "open")
    label = page.locator("[data-map-figure] option[value=open]").inner_text()
    assert label in page.locator(".dash-legend").inner_text()
    page.wait_for_timeout(500)  # let the heat layer fade in
    page.screenshot(path=str(OUTPUT / "dashboard.png"), full_page=True)
    # Drill down: a community in the table opens its own dashboard.
    page.click(f"text={world.community_a.name}")
    page.wait_for_url(f"**place={world.community_a.pk}**")
    assert page.locator('[data-kpi="reported"]').first.inner_text() == "5"
    assert not errors, errors
    page.close()


def test_the_wall_display_fills_the_screen_and_refreshes(site, browser, settings):  # noqa: F811
    base_url, world = site
    settings.DASHBOARD_REFRESH_SECONDS = 2
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, base_url, "leader")
    page.goto(f"{base_url}/dashboard/wall/?place={world.street.pk}")
    for name in ("trend", "categories", "children"):
        assert chart_drawn(page, name) > 2000, f"the {name} chart is empty"
    check_map(page, world)
    # One screen, no scrolling.
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
    page.wait_for_timeout(500)
    page.screenshot(path=str(OUTPUT / "wall.png"))
    # A new report shows after the next refresh, without reloading the page.
    # (Reported from another thread: Playwright's event loop runs in this one, where Django refuses queries.)
    def report():
        try:
            make_case(world.grid_b, title="井盖破损", longitude=116.415, latitude=39.905)
        finally:
            connection.close()

    reporter = threading.Thread(target=report)
    reporter.start()
    reporter.join()
    page.wait_for_function("() => document.querySelector('[data-kpi=\"reported\"]').textContent === '8'", timeout=20000)
    assert "井盖破损" in page.locator("[data-latest]").inner_text()
    assert not errors, errors
    page.close()
