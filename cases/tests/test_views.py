"""The staff pages of the case engine through Django's test client: the dispatch console (filters,
capped pagination, bulk actions), the department inbox, the verification queue, the case detail with
its timeline and action forms, and the scoped photo view."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import actions, views
from cases.models import Case, CasePhoto, PhotoKind, Source, Status
from cases.tests.api_builders import jpeg
from jiceng.testing import make_case

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def en(client):
    """A test client that asks for English pages, so messages can be matched exactly."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def walk(cw, case, status):
    """Take a case along the loop until it reaches ``status``."""
    u = cw.users
    steps = [
        (Status.REGISTERED, lambda c: actions.register_case(c, u["dispatcher"])),
        (Status.DISPATCHED, lambda c: actions.dispatch_case(c, u["dispatcher"])),
        (Status.ACCEPTED, lambda c: actions.accept_case(c, u["handler"])),
        (Status.RESOLVED, lambda c: actions.resolve_case(c, u["handler"], "已清运", photos=[jpeg("after.jpg")])),
        (Status.VERIFIED, lambda c: actions.verify_case(c, u["inspector"], "现场已干净")),
        (Status.CLOSED, lambda c: actions.close_case(c, u["dispatcher"])),
    ]
    order = [Status.REPORTED, *[target for target, _step in steps]]
    for target, step in steps:
        if order.index(case.status) >= order.index(status):
            break
        if order.index(case.status) >= order.index(target):
            continue
        case = step(case)
        assert case.status == target
    return case


def listed(response) -> list[str]:
    return [row.case.number for row in response.context["rows"]]


def posted(case, action, **data):
    return {"action": action, "version": case.version, **data}


# --- Dispatch console -----------------------------------------------------------------------------
def test_the_console_lists_only_cases_in_scope(client, cw, report):
    a = report(title="多福巷垃圾")
    b = make_case(cw.grid_b, category=cw.manhole, title="银闸井盖")
    client.force_login(cw.users["dispatcher_b"])  # community B only
    response = client.get(reverse("cases:console"))
    assert response.status_code == 200
    assert listed(response) == [b.number]
    body = response.content.decode()
    assert "银闸井盖" in body and a.number not in body and "多福巷垃圾" not in body

    client.force_login(cw.users["dispatcher"])  # the street: both
    assert set(listed(client.get(reverse("cases:console")))) == {a.number, b.number}

    client.force_login(cw.users["staff_a"])  # community staff, read-only
    response = client.get(reverse("cases:console"))
    assert listed(response) == [a.number]
    assert response.context["can_bulk"] is False and 'name="cases"' not in response.content.decode()


def test_console_filters(client, cw, report):
    litter = report(title="路边垃圾")
    hotline = report(title="热线来电", source=Source.HOTLINE, external_id="HL-778899")
    manhole = make_case(cw.grid_b, category=cw.manhole, title="井盖破损")
    walk(cw, manhole, Status.DISPATCHED)
    client.force_login(cw.users["dispatcher"])
    url = reverse("cases:console")

    def numbers(**params):
        return set(listed(client.get(url, params)))

    assert numbers(status=["reported"]) == {litter.number, hotline.number}
    assert numbers(status=["reported", "dispatched"]) == {litter.number, hotline.number, manhole.number}
    assert numbers(category=str(cw.major.pk)) == {litter.number, hotline.number}  # a major class takes its minors
    assert numbers(category=str(cw.manhole.pk)) == {manhole.number}
    assert numbers(place=cw.community_b.code) == {manhole.number}
    assert numbers(place=cw.grid_a.code) == {litter.number, hotline.number}
    assert numbers(department=str(cw.water.pk)) == {manhole.number}
    assert numbers(department="none") == {litter.number, hotline.number}
    assert numbers(source="hotline") == {hotline.number}
    assert numbers(q="HL-778899") == {hotline.number}
    assert numbers(q=litter.number) == {litter.number}
    assert numbers(q="井盖") == {manhole.number}
    actions.escalate_case(Case.objects.get(pk=litter.pk), cw.users["staff_a"], "需要街道协调")
    assert numbers(escalated="on") == {litter.number}
    assert listed(client.get(url, {"sort": "oldest"}))[0] == litter.number
    assert listed(client.get(url))[0] == manhole.number  # newest first


def test_a_place_outside_the_scope_cannot_be_used_as_a_filter(client, cw, report):
    report()
    b_case = make_case(cw.grid_b)
    client.force_login(cw.users["dispatcher_b"])
    response = client.get(reverse("cases:console"), {"place": cw.community_a.code})
    assert listed(response) == []  # not a place of the scope: nothing found
    assert listed(client.get(reverse("cases:console"), {"place": cw.community_a.pk})) == []
    assert listed(client.get(reverse("cases:console"), {"place": cw.community_b.pk})) == [b_case.number]
    assert cw.community_a.name not in response.content.decode()


def test_overdue_and_approaching_filters(client, cw, report):
    long_ago = timezone.now() - timedelta(days=10)
    late = report(title="早已超时", now=long_ago)
    fresh = report(title="刚刚上报")
    near = report(title="快到期")
    Case.objects.filter(pk=near.pk).update(warn_at=timezone.now() - timedelta(minutes=5),
                                           deadline=timezone.now() + timedelta(hours=1))
    client.force_login(cw.users["dispatcher"])
    url = reverse("cases:console")
    assert listed(client.get(url, {"due": "overdue"})) == [late.number]
    assert listed(client.get(url, {"due": "warning"})) == [near.number]
    assert set(listed(client.get(url, {"due": "late"}))) == {late.number, near.number}
    response = client.get(url)
    rows = {row.case.number: row.due for row in response.context["rows"]}
    assert rows == {late.number: "overdue", near.number: "warning", fresh.number: "on_time"}
    body = response.content.decode()
    assert 'class="due due-overdue"' in body and 'class="due due-warning"' in body
    # The quick filter for overdue cases counts it.
    overdue = next(p for p in response.context["presets"] if p["key"] == "overdue")
    assert overdue["count"] == 1


def test_pagination_caps_the_count(client, cw, report, monkeypatch):
    monkeypatch.setattr(views, "COUNT_CAP", 3)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for i in range(5):
        report(title=f"第{i}件")
    client.force_login(cw.users["dispatcher"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cases:console"), HTTP_ACCEPT_LANGUAGE="en")
    paginator = response.context["page"].paginator
    assert paginator.capped and paginator.count == 4  # counted up to cap + 1, no further
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper() and "cases_case" in q["sql"]]
    assert counts and all("LIMIT" in sql.upper() for sql in counts)
    body = response.content.decode()
    assert "3+ cases" in body
    assert len(listed(response)) == 2
    second = client.get(reverse("cases:console"), {"page": 2})
    assert len(listed(second)) == 2 and set(listed(second)).isdisjoint(listed(response))
    # A page past the cap is not served: the last page is.
    assert client.get(reverse("cases:console"), {"page": 99}).context["page"].number == 2


def test_a_list_past_the_cap_walks_the_sort_index_with_the_same_result(client, cw, report, monkeypatch):
    monkeypatch.setattr(views, "COUNT_CAP", 3)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    long_ago = timezone.now() - timedelta(days=30)
    made = [report(title=f"第{i}件", now=long_ago + timedelta(hours=i)) for i in range(5)]
    client.force_login(cw.users["dispatcher"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cases:console"))
    sql = [q["sql"] for q in queries.captured_queries]  # (the next request clears the log)
    assert response.context["page"].paginator.capped
    second = client.get(reverse("cases:console"), {"page": 2})
    newest_first = [c.number for c in reversed(made)]
    assert listed(response) + listed(second) == newest_first[:4]  # the same order as without the hint
    page_query = next(q for q in sql if "ORDER BY" in q and "LIMIT 2" in q)
    assert '"reported_at" >=' in page_query and '"reported_at" <=' in page_query
    # Sorted by deadline: only cases whose clock runs, nearest first.
    closed = walk(cw, report(title="已结案"), Status.CLOSED)
    numbers = listed(client.get(reverse("cases:console"), {"sort": "deadline"}))
    assert closed.number not in numbers and numbers == [made[0].number, made[1].number]
    deadlines = [Case.objects.get(number=n).deadline for n in numbers]
    assert deadlines == sorted(deadlines)


def test_a_title_search_reads_the_most_recent_cases(client, cw, report, monkeypatch):
    from cases import filtersets

    monkeypatch.setattr(filtersets, "TEXT_SEARCH_WINDOW", 2)
    old = report(title="井盖丢失", now=timezone.now() - timedelta(days=400))
    report(title="别的事")
    report(title="又一件")
    new = report(title="新的井盖问题")
    client.force_login(cw.users["dispatcher"])
    assert listed(client.get(reverse("cases:console"), {"q": "井盖"})) == [new.number]
    # The number still finds the old case.
    assert listed(client.get(reverse("cases:console"), {"q": old.number})) == [old.number]


def test_an_htmx_filter_request_returns_only_the_results(client, cw, report):
    report()
    client.force_login(cw.users["dispatcher"])
    response = client.get(reverse("cases:console"), {"status": "reported"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and 'id="bulk-form"' in body
    assert "HX-Request" in response["Vary"]


def test_bulk_dispatch_dispatches_and_reports_each_failure(en, cw, report):
    ready = walk(cw, report(title="可派遣"), Status.REGISTERED)
    ready_too = walk(cw, report(title="也可派遣"), Status.REGISTERED)
    not_registered = report(title="未立案")
    elsewhere = make_case(cw.grid_a)  # in scope for the street dispatcher, not for dispatcher_b
    en.force_login(cw.users["dispatcher"])
    response = en.post(reverse("cases:bulk"), {
        "operation": "dispatch", "department": "", "note": "批量派遣",
        "cases": [ready.pk, ready_too.pk, not_registered.pk, 999999], "query": "status=registered",
    }, **HTMX)
    assert response.status_code == 200
    report_ = response.context["bulk_report"]
    outcome = {r.pk: (r.ok, r.message) for r in report_.results}
    assert outcome[ready.pk] == (True, f"Dispatched to {cw.roads.name}.")  # the suggested owner
    assert outcome[ready_too.pk][0] is True
    assert outcome[not_registered.pk][0] is False
    assert "cannot be given this action" in outcome[not_registered.pk][1]
    assert outcome[999999] == (False, "Not found among the cases you can see.")
    assert report_.succeeded == 2 and report_.failed == 2
    body = response.content.decode()
    assert "2 of 4 cases done" in body and "2 failed" in body
    assert 'id="case-presets" aria-label="Quick filters" hx-swap-oob="true"' in body  # counts refreshed too
    assert Case.objects.get(pk=ready.pk).status == Status.DISPATCHED
    assert Case.objects.get(pk=ready.pk).department == cw.roads
    assert Case.objects.get(pk=not_registered.pk).status == Status.REPORTED
    # The list under the report keeps the filters it was posted with.
    assert response.context["query"] == "status=registered"

    # To a chosen department, without HTMX: back to the console with one message per failure.
    en.force_login(cw.users["dispatcher_b"])
    other = walk(cw, make_case(cw.grid_b), Status.REGISTERED)
    response = en.post(reverse("cases:bulk"), {
        "operation": "dispatch", "department": cw.water.pk, "cases": [other.pk, elsewhere.pk], "query": "",
    }, follow=True)
    assert response.redirect_chain[-1][0] == reverse("cases:console")
    texts = [str(m) for m in response.context["messages"]]
    assert "1 of 2 cases done." in texts
    assert any(str(elsewhere.pk) in t and "Not found" in t for t in texts)
    assert Case.objects.get(pk=other.pk).department == cw.water


def test_bulk_register_and_who_may_use_it(client, cw, report):
    first, second = report(), report()
    client.force_login(cw.users["dispatcher"])
    response = client.post(reverse("cases:bulk"), {"operation": "register", "cases": [first.pk, second.pk]},
                           **HTMX)
    assert response.context["bulk_report"].succeeded == 2
    assert set(Case.objects.values_list("status", flat=True)) == {Status.REGISTERED}
    # Nothing selected: the form says so, nothing happens.
    response = client.post(reverse("cases:bulk"), {"operation": "register"}, **HTMX)
    assert response.context["bulk_report"] is None and response.context["bulk_form"].errors
    # Read-only roles may not post bulk actions.
    third = report()
    client.force_login(cw.users["leader"])
    assert client.post(reverse("cases:bulk"), {"operation": "register", "cases": [third.pk]}).status_code == 403
    assert Case.objects.get(pk=third.pk).status == Status.REPORTED


def test_who_opens_which_list(client, cw):
    client.force_login(cw.users["handler"])
    assert client.get(reverse("cases:console")).url == reverse("cases:inbox")
    client.force_login(cw.users["worker_a"])
    assert client.get(reverse("cases:console")).status_code == 403
    assert client.get(reverse("cases:inbox")).status_code == 403
    assert client.get(reverse("cases:verify")).status_code == 403
    client.force_login(cw.users["inspector"])
    assert client.get(reverse("cases:verify")).status_code == 200
    assert client.get(reverse("cases:console")).status_code == 200  # read-only

    def nav(user):
        client.force_login(user)
        return [item.key for item in client.get("/").context["nav_items"]]

    assert "cases" in nav(cw.users["dispatcher"]) and "case_inbox" not in nav(cw.users["dispatcher"])
    assert "case_inbox" in nav(cw.users["handler"]) and "cases" not in nav(cw.users["handler"])
    assert "case_verify" in nav(cw.users["inspector"])
    assert "cases" in nav(cw.users["leader"]) and "cases" in nav(cw.users["staff_a"])


# --- Department inbox and verification queue ------------------------------------------------------
def test_the_inbox_shows_the_departments_cases_by_deadline_and_co_handling_requests(client, cw, report):
    later = walk(cw, report(title="普通"), Status.DISPATCHED)
    sooner = walk(cw, report(title="更急"), Status.ACCEPTED)
    Case.objects.filter(pk=sooner.pk).update(deadline=timezone.now() + timedelta(hours=1))
    Case.objects.filter(pk=later.pk).update(deadline=timezone.now() + timedelta(hours=20))
    water = make_case(cw.grid_a, category=cw.manhole, title="井盖")
    water = walk(cw, water, Status.DISPATCHED)  # to the water department
    assert water.department == cw.water
    actions.escalate_case(water, cw.users["dispatcher"], "请城管协助", departments=[cw.roads])
    client.force_login(cw.users["handler"])
    response = client.get(reverse("cases:inbox"))
    assert listed(response) == [sooner.number, later.number]
    assert [row.case.number for row in response.context["co_handling"]] == [water.number]
    assert client.get(reverse("cases:inbox"), {"status": "accepted"}).context["rows"][0].case == sooner
    client.force_login(cw.users["water_handler"])
    assert listed(client.get(reverse("cases:inbox"))) == [water.number]


def test_the_verification_queue_verifies_from_the_card(client, cw, report):
    waiting = walk(cw, report(title="待核查", photos=[jpeg("before.jpg")]), Status.RESOLVED)
    other = walk(cw, report(title="另一件"), Status.RESOLVED)
    walk(cw, report(title="还在处理"), Status.ACCEPTED)
    client.force_login(cw.users["inspector"])
    response = client.get(reverse("cases:verify"))
    cards = response.context["cards"]
    assert {card.case.number for card in cards} == {waiting.number, other.number}
    card = next(c for c in cards if c.case == waiting)
    assert len(card.before) == 1 and len(card.after) == 1
    assert [form.action for form in card.forms] == ["verify", "send_back"]
    body = response.content.decode()
    assert 'accept="image/*"' in body and 'capture="environment"' in body

    response = client.post(reverse("cases:detail", args=[waiting.pk]),
                           {**posted(waiting, "verify", note="现场已清理"), "from": "verify"}, **HTMX)
    assert response.status_code == 200 and response.context["card"].done
    assert Case.objects.get(pk=waiting.pk).status == Status.VERIFIED

    # Sending back needs a reason: the card comes back with the error, nothing changes.
    response = client.post(reverse("cases:detail", args=[other.pk]),
                           {**posted(other, "send_back"), "from": "verify"}, **HTMX)
    assert response.status_code == 200 and response.context["card"].forms[1].errors["note"]
    assert Case.objects.get(pk=other.pk).status == Status.RESOLVED
    # With a reason and a photo from the phone, it goes back to the department.
    response = client.post(reverse("cases:detail", args=[other.pk]), {
        **posted(other, "send_back", note="垃圾还在"), "from": "verify", "photos": [jpeg("site.jpg")],
    })
    assert response.status_code == 302 and response.url == reverse("cases:verify")
    other = Case.objects.get(pk=other.pk)
    assert other.status == Status.ACCEPTED and other.rework_count == 1
    assert other.photos.filter(kind=PhotoKind.VERIFY).count() == 1


# --- Case detail ----------------------------------------------------------------------------------
def test_the_detail_shows_the_timeline_and_only_the_allowed_actions(client, cw, report):
    case = walk(cw, report(reporter_phone="13812345678"), Status.REGISTERED)
    client.force_login(cw.users["dispatcher"])
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    assert [item["event"].action for item in response.context["timeline"]] == ["report", "register"]
    offered = [form.action for form in response.context["forms"]]
    assert offered == ["dispatch", "escalate", "supervise", "merge"]
    body = response.content.decode()
    assert 'name="action" value="accept"' not in body and 'name="action" value="dispatch"' in body
    assert f'name="version" value="{case.version}"' in body
    # The suggested owner is preselected in the dispatch form.
    dispatch = response.context["forms"][0]
    assert dispatch["department"].value() == cw.roads.pk
    # The phone is masked, the map has the grid and the point.
    assert "138****5678" in body and "13812345678" not in body
    assert response.context["map_data"]["point"] == [case.latitude, case.longitude]
    assert response.context["map_data"]["grid"]["type"] == "Polygon"

    case = walk(cw, case, Status.DISPATCHED)
    client.force_login(cw.users["handler"])
    offered = [form.action for form in client.get(reverse("cases:detail", args=[case.pk])).context["forms"]]
    assert offered == ["accept", "return"]
    client.force_login(cw.users["leader"])
    offered = [form.action for form in client.get(reverse("cases:detail", args=[case.pk])).context["forms"]]
    assert offered == ["supervise"]


def test_the_timeline_shows_event_details_in_words(en, cw, report):
    case = walk(cw, report(), Status.ACCEPTED)
    case = actions.request_extension(case, cw.users["handler"], 8, "需要采购零件")
    en.force_login(cw.users["dispatcher"])
    response = en.get(reverse("cases:detail", args=[case.pk]))
    timeline = {item["event"].action: item for item in response.context["timeline"]}
    assert ("Department", cw.roads.name) in timeline["dispatch"]["facts"]
    assert ("Hours", "8.0") in timeline["request_extension"]["facts"]
    assert timeline["request_extension"]["label"] == "Request extension"
    assert timeline["accept"]["actor"] == cw.users["handler"].display_name
    assert "需要采购零件" in response.content.decode()


def test_an_action_form_posts_and_changes_the_state(client, cw, report):
    case = walk(cw, report(), Status.REGISTERED)
    client.force_login(cw.users["dispatcher"])
    response = client.post(reverse("cases:detail", args=[case.pk]), posted(
        case, "dispatch", department=cw.water.pk, co_departments=[cw.roads.pk], note="转水务"))
    assert response.status_code == 302 and response.url == reverse("cases:detail", args=[case.pk])
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and case.department == cw.water
    assert list(case.co_departments.all()) == [cw.roads]

    # Through HTMX the detail body comes back with the new state.
    client.force_login(cw.users["water_handler"])
    response = client.post(reverse("cases:detail", args=[case.pk]), posted(case, "accept"), **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and 'id="case-body"' not in body and "status-accepted" in body
    assert response.context["flash"]
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED and case.handler == cw.users["water_handler"]

    # Resolving with photos from the form.
    response = client.post(reverse("cases:detail", args=[case.pk]), posted(
        case, "resolve", note="已更换井盖", photos=[jpeg("a.jpg"), jpeg("b.jpg")]))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.RESOLVED and case.photos.filter(kind=PhotoKind.RESULT).count() == 2


def test_a_stale_post_says_reload_and_changes_nothing(en, cw, report):
    case = walk(cw, report(), Status.REGISTERED)
    shown_version = case.version
    actions.supervise_case(case, cw.users["leader"], "请尽快派遣")  # someone acts in between
    en.force_login(cw.users["dispatcher"])
    response = en.post(reverse("cases:detail", args=[case.pk]), {"action": "dispatch", "version": shown_version})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this case in the meantime; reload it and try again." in body
    assert "Reload the case" in body
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == Status.REGISTERED and fresh.version == shown_version + 1
    # Through HTMX the same message comes back in the swapped body (200, so HTMX shows it).
    response = en.post(reverse("cases:detail", args=[case.pk]), {"action": "dispatch", "version": shown_version},
                       **HTMX)
    assert response.status_code == 200 and "reload it and try again" in response.content.decode()


def test_an_illegal_post_shows_the_reason_and_changes_nothing(en, cw, report):
    case = report()
    en.force_login(cw.users["dispatcher"])
    # Not a transition of this state.
    response = en.post(reverse("cases:detail", args=[case.pk]), posted(case, "close"))
    assert response.status_code == 409
    assert "cannot be given this action" in response.content.decode()
    # Not this role's action.
    response = en.post(reverse("cases:detail", args=[case.pk]), posted(case, "accept"))
    assert response.status_code == 403 and "Your role may not do this" in response.content.decode()
    # A reason is required to reject: the note field says so.
    response = en.post(reverse("cases:detail", args=[case.pk]), posted(case, "reject"))
    assert response.status_code == 400
    reject = next(f for f in response.context["forms"] if f.action == "reject")
    assert reject.errors["note"]
    # An unknown action.
    assert en.post(reverse("cases:detail", args=[case.pk]), {"action": "explode"}).status_code == 400
    # The action's own refusal lands on the named field (hours out of range).
    case = walk(cw, Case.objects.get(pk=case.pk), Status.ACCEPTED)
    en.force_login(cw.users["handler"])
    response = en.post(reverse("cases:detail", args=[case.pk]),
                       posted(case, "request_extension", hours="5000", note="太久"))
    assert response.status_code == 400
    form = next(f for f in response.context["forms"] if f.action == "request_extension")
    assert form.errors["hours"]
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == Status.ACCEPTED and fresh.version == case.version and fresh.pending_extension_hours is None


def test_a_handler_who_returns_a_case_is_sent_back_to_the_inbox(client, cw, report):
    case = walk(cw, report(), Status.DISPATCHED)
    client.force_login(cw.users["handler"])
    response = client.post(reverse("cases:detail", args=[case.pk]), posted(case, "return", note="不属于城管"),
                           **HTMX)
    assert response.status_code == 200 and response["HX-Redirect"] == reverse("cases:inbox")
    assert Case.objects.get(pk=case.pk).status == Status.RETURNED
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404


def test_a_resident_is_sent_to_the_tracking_page_of_their_own_report(client, cw, report):
    own = report(actor=cw.users["resident_a"], source=Source.RESIDENT)
    other = report()
    client.force_login(cw.users["resident_a"])
    response = client.get(reverse("cases:detail", args=[own.pk]))
    assert response.status_code == 302 and response.url == reverse("public:track-detail", args=[own.tracking_code])
    assert client.get(reverse("cases:detail", args=[other.pk])).status_code == 404


# --- Scope and photos -----------------------------------------------------------------------------
def test_a_case_and_photo_of_another_community_are_not_found(client, cw):
    b_case = make_case(cw.grid_b, photos=[jpeg()])
    photo = b_case.photos.get()
    client.force_login(cw.users["staff_a"])
    assert client.get(reverse("cases:detail", args=[b_case.pk])).status_code == 404
    assert client.get(reverse("cases:photo", args=[b_case.pk, photo.pk])).status_code == 404
    assert client.post(reverse("cases:detail", args=[b_case.pk]), posted(b_case, "escalate", note="x")).status_code \
        == 404
    client.force_login(cw.users["staff_b"])
    assert client.get(reverse("cases:detail", args=[b_case.pk])).status_code == 200


def test_the_photo_view_streams_the_file_to_someone_in_scope(client, cw, report):
    case = report(photos=[jpeg()])
    other = report(photos=[jpeg()])
    photo = case.photos.get()
    client.force_login(cw.users["staff_a"])
    response = client.get(reverse("cases:photo", args=[case.pk, photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg" and "private" in response["Cache-Control"]
    data = b"".join(response.streaming_content)
    assert data[:3] == b"\xff\xd8\xff"  # a JPEG
    # A photo is only found under its own case.
    assert client.get(reverse("cases:photo", args=[other.pk, photo.pk])).status_code == 404
    # A photo whose file is gone is a 404, not a 500.
    CasePhoto.objects.filter(pk=photo.pk).update(image="cases/missing.jpg")
    assert client.get(reverse("cases:photo", args=[case.pk, photo.pk])).status_code == 404
    # The detail page links photos through the view, never the media URL.
    body = client.get(reverse("cases:detail", args=[other.pk])).content.decode()
    assert reverse("cases:photo", args=[other.pk, other.photos.get().pk]) in body and "/media/" not in body


def test_every_case_page_renders_in_chinese(client, cw, report):
    case = walk(cw, report(), Status.RESOLVED)
    detail = reverse("cases:detail", args=[case.pk])
    for username, url in [("dispatcher", reverse("cases:console")), ("handler", reverse("cases:inbox")),
                          ("inspector", reverse("cases:verify")), ("dispatcher", detail), ("inspector", detail)]:
        client.force_login(cw.users[username])
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="zh-hans">' in response.content.decode()
