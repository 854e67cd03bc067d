"""The case lifecycle walked end to end in Chromium, through the pages its people use.

A resident reports a problem from the phone page and follows it; the dispatcher registers and
dispatches it; a handler of the department accepts and resolves it; an inspector (not the handler)
verifies it on site; the dispatcher closes it; the resident sees it closed and rates it; a leader
sees the dashboard's figures move. Every step uses the real buttons and forms (HTMX included) and
waits for what a person would see; a screenshot of each step goes to test-output/journeys/ (or
$TEST_OUTPUT_DIR/journeys/) for a person to look at.

All database work (users, categories) is done before the browser starts: Playwright's event loop
runs in the test's thread, and the live server answers from its own.
"""

import io
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from core.tests.test_browser import CHROMIUM, browser, sign_in  # noqa: F401  (the browser fixture)

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed at /usr/bin/chromium")

OUTPUT = Path(os.environ.get("TEST_OUTPUT_DIR") or settings.BASE_DIR / "test-output") / "journeys"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN"}
DESKTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "zh-CN"}

TITLE = "多福巷口垃圾堆积"
DESCRIPTION = "多福巷东口路边堆了好几袋生活垃圾，已经两天没人清运，有异味。"
RESULT = "已安排环卫清运，路面冲洗干净。"


@pytest.fixture
def site(cw, live_server):
    """The live server over the case world (categories, departments, a handler and an inspector)."""
    return live_server.url, cw


def jpeg(color) -> dict:
    """A small photo, as a file the page's file input takes."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "JPEG")
    return {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


# A fixed element lands wherever the page happened to be scrolled in a full-page capture: the phone's
# tab bar is drawn where it ends up once the page is scrolled to the bottom (after the content).
SHOT_STYLE = ".tabbar { position: static !important; }"


class Steps:
    """Numbered full-page screenshots of the journey, from the top of each page."""

    def __init__(self):
        OUTPUT.mkdir(parents=True, exist_ok=True)
        for old in OUTPUT.glob("*.png"):
            old.unlink()
        self.n = 0

    def shot(self, page, name: str) -> None:
        self.n += 1
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(OUTPUT / f"{self.n:02d}-{name}.png"), full_page=True, style=SHOT_STYLE)


def no_sideways_scroll(page) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the phone screen"


def kpis(page, base_url) -> dict[str, str]:
    page.goto(f"{base_url}/dashboard/")
    return {key: page.locator(f'.dash-kpis [data-kpi="{key}"]').inner_text() for key in ("reported", "closed", "open")}


def take(page, action: str, status: str, *, note: str = "", photo=None) -> None:
    """Take an action from the case page's action panel and wait for the case to reach ``status``."""
    panel = page.locator(f"details.action-{action}")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    form = panel.locator("form")
    if note:
        form.locator("textarea[name=note]").fill(note)
    if photo is not None:
        form.locator("input[type=file][name=photos]").set_input_files(photo)
    form.locator("button[type=submit]").click()
    page.locator(f"#case-body .case-status.status-{status}").wait_for()
    page.locator("#case-body .message-success").wait_for()


def test_a_report_goes_round_the_whole_loop(site, browser):  # noqa: F811
    base_url, w = site
    steps = Steps()
    errors: list[str] = []

    def context(options):
        made = browser.new_context(**options)
        page = made.new_page()
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        return page

    # A leader looks at the district's dashboard first.
    leader = context(DESKTOP)
    sign_in(leader, base_url, "leader")
    before = kpis(leader, base_url)
    # No reports yet: the map paints the grids in the palette's palest colour, not its darkest.
    swatch = leader.locator(".dash-legend div .legend-swatch").first
    assert swatch.evaluate("(el) => getComputedStyle(el).backgroundColor") == "rgb(255, 245, 235)"
    steps.shot(leader, "leader-dashboard-before")

    # 1. A resident reports from the phone.
    phone = context(PHONE)
    sign_in(phone, base_url, "resident_a")
    phone.goto(f"{base_url}/report/")
    form = phone.locator("form[data-report-form]")
    form.locator("select[name=category]").select_option(label=w.litter.name)
    form.locator("textarea[name=description]").fill(DESCRIPTION)
    form.locator("input[name=title]").fill(TITLE)
    # The point: a tap inside the resident's grid on the map (the page draws the grids of their area).
    grid = form.locator(".report-map .leaflet-overlay-pane path.leaflet-interactive")
    grid.first.wait_for()
    assert grid.count() == 1  # their community's one grid
    grid.first.tap()
    phone.locator("[data-where].ok").filter(has_text=w.grid_a.name).wait_for()
    phone.locator(".report-map .pin-icon").wait_for()
    form.locator("input[type=file][name=photos]").set_input_files(jpeg((120, 110, 90)))
    form.locator("[data-photo-previews] img").wait_for()
    no_sideways_scroll(phone)
    steps.shot(phone, "resident-report-form")
    form.locator("button[data-submit]").tap()
    phone.wait_for_url(re.compile(r"/report/\d+/done/$"))
    done = phone.locator("[data-report-done]")
    number = done.locator(".code-value.small").inner_text().strip()
    code = done.locator("[data-copy-source]").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{6,12}", code), code
    assert w.grid_a.name in done.inner_text() and TITLE in done.inner_text()
    no_sideways_scroll(phone)
    steps.shot(phone, "resident-report-sent")

    done.locator(".done-actions a.btn-primary").tap()  # "Follow this case"
    phone.wait_for_url(f"**/track/{code}/")
    phone.locator(".badge.badge-s-reported").wait_for()
    assert phone.locator(".stages li.done").count() == 1
    no_sideways_scroll(phone)
    steps.shot(phone, "resident-tracks-reported")

    # 2. The dispatcher registers it and dispatches it to the department that owns the category.
    dispatcher = context(DESKTOP)
    sign_in(dispatcher, base_url, "dispatcher")
    dispatcher.goto(f"{base_url}/cases/")
    row = dispatcher.locator("tr", has=dispatcher.locator(f"a:text-is('{number}')"))
    row.get_by_role("link", name=TITLE).click()
    dispatcher.wait_for_url("**/cases/*/")
    case_url = dispatcher.url
    take(dispatcher, "register", "registered")
    dispatch = dispatcher.locator("details.action-dispatch form")
    dispatch.locator("select[name=department]").select_option(value=str(w.roads.pk))
    steps.shot(dispatcher, "dispatcher-registered")
    take(dispatcher, "dispatch", "dispatched")
    assert w.roads.name in dispatcher.locator(".case-facts").inner_text()
    steps.shot(dispatcher, "dispatcher-dispatched")

    # 3. A handler of that department accepts it from the inbox and reports it resolved.
    handler = context(DESKTOP)
    sign_in(handler, base_url, "handler")
    handler.goto(f"{base_url}/cases/inbox/")
    handler.get_by_role("link", name=TITLE).first.click()
    handler.wait_for_url(case_url)
    steps.shot(handler, "handler-inbox-case")
    take(handler, "accept", "accepted")
    take(handler, "resolve", "resolved", note=RESULT, photo=jpeg((60, 140, 70)))
    assert RESULT in handler.locator(".case-facts").inner_text()
    steps.shot(handler, "handler-resolved")

    # 4. An inspector, not the handler, checks on site and passes it from the verification queue.
    inspector = context(DESKTOP)
    sign_in(inspector, base_url, "inspector")
    inspector.goto(f"{base_url}/cases/verify/")
    card = inspector.locator("article.verify-card", has_text=number)
    assert card.locator(".verify-photos img").count() == 2  # as reported, after handling
    card.locator("details.verify-verify summary").click()
    card.locator("details.verify-verify textarea[name=note]").fill("现场查看，垃圾已清理。")
    steps.shot(inspector, "inspector-verifies")
    card.locator("details.verify-verify button[type=submit]").click()
    inspector.locator("article.verify-card.is-done", has_text=number).locator(".status-verified").wait_for()
    steps.shot(inspector, "inspector-verified")

    # The dispatcher closes it.
    dispatcher.goto(case_url)
    take(dispatcher, "close", "closed")
    steps.shot(dispatcher, "dispatcher-closed")

    # 5. The resident sees it closed, with what was done, and rates it.
    phone.goto(f"{base_url}/report/mine/")
    item = phone.locator(".mine-item", has_text=number)
    item.locator(".badge.badge-s-closed").wait_for()
    rating = item.locator("details.mine-rate")
    if rating.get_attribute("open") is None:
        rating.locator("summary").tap()
    rating.locator("label[for$='star5']").tap()
    rating.locator("textarea[name=note]").fill("处理很及时，谢谢！")
    no_sideways_scroll(phone)
    steps.shot(phone, "resident-rates")
    rating.locator("button[type=submit]").tap()
    phone.locator(".message-success").wait_for()
    item = phone.locator(".mine-item", has_text=number)
    item.locator(".badge.badge-s-evaluated").wait_for()
    steps.shot(phone, "resident-rated")
    phone.goto(f"{base_url}/track/{code}/")
    phone.locator(".badge.badge-s-evaluated").wait_for()
    assert RESULT in phone.locator(".result-box").inner_text()
    assert phone.locator(".stages li.done").count() == 7
    no_sideways_scroll(phone)
    steps.shot(phone, "resident-tracks-evaluated")

    # 6. The leader's dashboard counts one more report and one more closing, and it is no longer open.
    after = kpis(leader, base_url)
    steps.shot(leader, "leader-dashboard-after")
    assert int(after["reported"]) == int(before["reported"]) + 1
    assert int(after["closed"]) == int(before["closed"]) + 1
    assert int(after["open"]) == int(before["open"])
    assert not errors, errors
