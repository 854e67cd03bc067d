"""The burden register: review transitions, who may admit, load figures by hand, scope, bad input."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from jiceng.testing import make_unit, make_user
from places.models import Department, Level
from taskload import actions
from taskload.actions import TaskloadError
from taskload.figures import community_load, monthly_hours
from taskload.models import CompletionReport, Pushdown, PushdownEvent, PushdownStatus
from taskload.tests.probes import pushdown_of, street_department

pytestmark = pytest.mark.django_db


@pytest.fixture
def dept(world):
    return street_department(world)


@pytest.fixture
def handler(world, dept):
    return make_user("handler_jdb", Role.HANDLER, [world.street], department=dept)


def _register(world, actor, dept, **options):
    values = {"place": world.street, "department": dept, "title": "测试事项", "kind": "task",
              "frequency": "monthly", "hours": 4, "start": date(2026, 1, 1),
              "targets": [world.community_a, world.community_b], **options}
    return actions.register_pushdown(actor, **values)


# --- Transitions ----------------------------------------------------------------------------------
def test_register_admit_withdraw_with_events(world, dept, handler):
    item = _register(world, handler, dept)
    assert item.status == PushdownStatus.PENDING and item.registered_by == handler
    item = actions.review(item, world.users["dispatcher"], decision="admit")
    assert item.status == PushdownStatus.ADMITTED and item.reviewed_by == world.users["dispatcher"]
    item = actions.withdraw(item, handler, note="任务已结束")
    assert item.status == PushdownStatus.WITHDRAWN and item.end is not None
    assert list(PushdownEvent.objects.filter(pushdown=item).values_list("action", "from_status", "to_status")) == [
        ("register", "-", "pending"), ("admit", "pending", "admitted"), ("withdraw", "admitted", "withdrawn")]


def test_department_cannot_admit_its_own_item(world, dept, handler):
    item = _register(world, handler, dept)
    # A handler has no review role at all.
    with pytest.raises(TaskloadError):
        actions.review(item, handler, decision="admit")
    # A dispatcher who sits in the pushing department cannot admit it either...
    insider = make_user("insider", Role.DISPATCHER, [world.street], department=dept)
    with pytest.raises(TaskloadError) as error:
        actions.review(item, insider, decision="admit")
    assert "own" in error.value.message or "itself" in error.value.message
    # ...nor can whoever registered it.
    own = _register(world, world.users["dispatcher"], dept)
    with pytest.raises(TaskloadError):
        actions.review(own, world.users["dispatcher"], decision="admit")
    # Someone else of the governance centre can.
    other = make_user("dispatcher2", Role.DISPATCHER, [world.street])
    assert actions.review(own, other, decision="admit").status == PushdownStatus.ADMITTED
    assert Pushdown.objects.get(pk=item.pk).status == PushdownStatus.PENDING


def test_refuse_needs_a_reason_and_cannot_be_admitted_afterwards(world, dept, handler):
    item = _register(world, handler, dept)
    with pytest.raises(TaskloadError) as error:
        actions.review(item, world.users["dispatcher"], decision="refuse", note=" ")
    assert error.value.field == "note"
    item = actions.review(item, world.users["dispatcher"], decision="refuse", note="不在准入目录")
    assert item.status == PushdownStatus.REFUSED
    with pytest.raises(TaskloadError) as error:
        actions.review(item, world.users["dispatcher"], decision="admit")
    assert error.value.field == "status"
    # It can come back for review with a better basis, never straight to admitted.
    item = actions.resubmit(item, handler, note="补充依据", basis="《某某条例》第五条")
    assert item.status == PushdownStatus.PENDING and item.basis.startswith("《")


def test_handler_registers_only_for_own_department(world, dept, handler):
    other = Department.objects.create(code="OTHER", name="东华门街道其他科", org_unit=world.street)
    with pytest.raises(TaskloadError) as error:
        _register(world, handler, other)
    assert error.value.field == "department"
    # Without a department, a handler's own is used.
    assert _register(world, handler, None).department == dept


def test_community_staff_cannot_register_or_review(world, dept):
    with pytest.raises(TaskloadError):
        _register(world, world.users["staff_a"], dept)
    item = Pushdown.objects.get(pk=pushdown_of(world))
    with pytest.raises(TaskloadError):
        actions.review(item, world.users["staff_b"], decision="refuse", note="x")


def test_completion_by_a_target_community_once_per_period(world, dept, handler):
    item = _register(world, handler, dept, targets=[world.community_b])
    with pytest.raises(TaskloadError):  # not admitted yet
        actions.record_completion(item, world.users["staff_b"], community=world.community_b)
    item = actions.review(item, world.users["dispatcher"], decision="admit")
    report = actions.record_completion(item, world.users["staff_b"], community=world.community_b,
                                       period=date(2026, 3, 17), hours_spent="3.5")
    assert report.period == date(2026, 3, 1) and report.hours_spent == Decimal("3.5")
    with pytest.raises(TaskloadError) as error:
        actions.record_completion(item, world.users["staff_b"], community=world.community_b, period=date(2026, 3, 2))
    assert error.value.field == "period"
    with pytest.raises(TaskloadError) as error:  # not a target, and not theirs
        actions.record_completion(item, world.users["staff_a"], community=world.community_a)
    assert error.value.field == "community"
    assert CompletionReport.objects.count() == 1


# --- Figures --------------------------------------------------------------------------------------
def test_load_figures_by_hand(world, dept, handler, settings):
    settings.TASKLOAD_HOURS_ALERT = 10
    on = date(2026, 6, 15)
    reviewer = world.users["dispatcher"]
    a, b = world.community_a, world.community_b

    def item(status="admit", **options):
        pushdown = _register(world, handler, dept, **options)
        if status in ("admit", "refuse"):
            pushdown = actions.review(pushdown, reviewer, decision=status, note="理由")
        return pushdown

    item(kind="meeting", frequency="weekly", hours=3, targets=[a])  # 3 × 52/12 = 13.0
    item(kind="ledger", frequency="monthly", hours=2, targets=[a, b])  # 2 each
    item(kind="assessment", frequency="quarterly", hours=6, targets=[a, b])  # 2 each
    item(kind="task", frequency="yearly", hours=24, targets=[b])  # 2
    item(kind="task", frequency="once", hours=12, start=date(2026, 5, 1), end=date(2026, 7, 31), targets=[b])  # 4
    item(kind="plaque", frequency="monthly", hours=50, targets=[a, b], status="refuse")  # refused: not load
    item(kind="certificate", frequency="monthly", hours=50, targets=[a, b], status="pending")  # pending: not load
    item(kind="task", frequency="monthly", hours=50, targets=[a], start=date(2026, 7, 1))  # not started yet
    item(kind="task", frequency="monthly", hours=50, targets=[a], end=date(2026, 5, 31))  # over already
    gone = item(kind="app", frequency="weekly", hours=50, targets=[b])
    actions.withdraw(gone, handler, note="取消")  # withdrawn today: over before `on`? counted by status
    load = community_load([a, b], on)
    rows = {row.community.pk: row for row in load.rows}
    assert rows[a.pk].items == 3 and rows[b.pk].items == 4
    assert rows[a.pk].hours == pytest.approx(13 + 2 + 2)
    assert rows[b.pk].hours == pytest.approx(2 + 2 + 2 + 4)
    assert rows[a.pk].meetings == 1 and rows[a.pk].ledgers == 1 and rows[b.pk].meetings == 0
    assert rows[a.pk].by_kind == {"meeting": 1, "ledger": 1, "assessment": 1}
    assert rows[a.pk].street_average == pytest.approx((17 + 10) / 2)
    assert rows[a.pk].over and not rows[b.pk].over
    assert load.rows[0].community == a  # heaviest first
    assert load.as_dict()["over_threshold"] == 1


def test_once_without_end_spreads_over_twelve_months():
    assert monthly_hours(Pushdown(frequency="once", hours=Decimal(24), start=date(2026, 1, 1))) == 2
    assert monthly_hours(Pushdown(frequency="once", hours=Decimal(6), start=date(2026, 1, 20),
                                  end=date(2026, 1, 25))) == 6


def test_load_page_and_api(client, api, world, dept, handler):
    item = _register(world, handler, dept, kind="meeting", frequency="weekly", hours=12, targets=[world.community_a],
                     start=timezone.localdate() - timedelta(days=3))
    actions.review(item, world.users["dispatcher"], decision="admit")
    client.force_login(world.users["dispatcher"])
    page = client.get(reverse("taskload:load"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "多福巷社区" in body and "taskload-chart-data" in body and "52.0" in body
    api.force_authenticate(world.users["staff_a"])
    data = api.get("/api/v1/taskload/load/").json()
    assert [row["name"] for row in data["rows"]] == ["多福巷社区"]
    assert data["rows"][0]["hours_per_month"] == 52.0 and data["rows"][0]["over_threshold"] is True


# --- Scope ----------------------------------------------------------------------------------------
def test_community_staff_see_only_items_pushed_onto_them(client, world, dept, handler):
    only_b = Pushdown.objects.get(pk=pushdown_of(world))
    both = _register(world, handler, dept, title="两社区共同事项")
    staff_a = world.users["staff_a"]
    visible = set(Pushdown.objects.visible_to(staff_a).values_list("pk", flat=True))
    assert visible == {both.pk}
    assert not Pushdown.objects.visible_to(staff_a, "change").exists()
    client.force_login(staff_a)
    assert client.get(reverse("taskload:detail", args=[only_b.pk])).status_code == 404
    page = client.get(reverse("taskload:detail", args=[both.pk])).content.decode()
    assert "多福巷社区" in page and "银闸" not in page  # the sibling target is counted, never named
    listing = client.get(reverse("taskload:list")).content.decode()
    assert "两社区共同事项" in listing and "银闸" not in listing


def test_community_staff_of_another_street_see_nothing(client, world, dept, handler):
    other_street = make_unit("110101002", "景山街道", Level.STREET, world.district)
    other_community = make_unit("110101002001", "吉祥社区", Level.COMMUNITY, other_street)
    stranger = make_user("staff_x", Role.COMMUNITY_STAFF, [other_community])
    item = _register(world, handler, dept)
    assert not Pushdown.objects.visible_to(stranger).exists()
    client.force_login(stranger)
    assert client.get(reverse("taskload:detail", args=[item.pk])).status_code == 404
    assert "测试事项" not in client.get(reverse("taskload:list")).content.decode()
    assert community_load([other_community], date(2026, 6, 1)).rows[0].items == 0


def test_handler_sees_only_own_department(world, dept, handler):
    other = Department.objects.create(code="OTHER", name="东华门街道其他科", org_unit=world.street)
    mine = _register(world, handler, dept)
    _register(world, world.users["dispatcher"], other)
    assert list(Pushdown.objects.visible_to(handler).values_list("pk", flat=True)) == [mine.pk]


# --- Pages and bad input --------------------------------------------------------------------------
def test_add_form_registers_and_review_page_admits(client, world, dept, handler):
    client.force_login(handler)
    page = client.get(reverse("taskload:create")).content.decode()
    assert 'type="checkbox" name="targets"' in page and "银闸社区" in page
    response = client.post(reverse("taskload:create"), {
        "place": world.street.pk, "department": dept.pk, "title": "消防检查台账", "kind": "ledger",
        "frequency": "monthly", "hours": "2.5", "start": "2026-01-01", "targets": [world.community_a.pk]})
    assert response.status_code == 302
    item = Pushdown.objects.get(title="消防检查台账")
    assert item.hours == Decimal("2.5") and list(item.targets.all()) == [world.community_a]
    client.force_login(world.users["dispatcher"])
    detail = client.get(reverse("taskload:detail", args=[item.pk])).content.decode()
    assert reverse("taskload:action", args=[item.pk, "review"]) in detail
    response = client.post(reverse("taskload:action", args=[item.pk, "review"]), {"decision": "admit"})
    assert response.status_code == 302
    assert Pushdown.objects.get(pk=item.pk).status == PushdownStatus.ADMITTED


def test_bad_input_gives_form_errors(client, world, dept, handler):
    client.force_login(handler)
    response = client.post(reverse("taskload:create"), {
        "place": world.community_a.pk, "department": dept.pk, "title": "", "kind": "nope", "frequency": "daily",
        "hours": "-1", "start": "2026-02-30", "end": "x", "targets": ["abc"]})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"place", "title", "kind", "frequency", "hours", "start", "end", "targets"} <= set(errors)
    # End before start, and a target outside the place, come back as field errors too.
    response = client.post(reverse("taskload:create"), {
        "place": world.street.pk, "department": dept.pk, "title": "x", "kind": "task", "frequency": "once",
        "hours": "1", "start": "2026-05-01", "end": "2026-04-01", "targets": [world.community_a.pk]})
    assert response.status_code == 400 and "end" in response.context["form"].errors
    assert not Pushdown.objects.exists()
    # Refusing without a reason: the message sits next to the note.
    item = _register(world, handler, dept)
    client.force_login(world.users["dispatcher"])
    response = client.post(reverse("taskload:action", args=[item.pk, "review"]), {"decision": "refuse"})
    assert response.status_code == 400 and "note" in response.context["form"].errors


def test_api_create_review_and_errors(api, world, dept, handler):
    api.force_authenticate(handler)
    response = api.post("/api/v1/taskload/items/", {
        "place": world.street.code, "title": "月度报表", "kind": "ledger", "frequency": "monthly", "hours": 1,
        "targets": [world.community_a.code]}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["department"] == dept.code
    response = api.post(f"/api/v1/taskload/items/{pk}/review/", {"decision": "admit"}, format="json")
    assert response.status_code in (400, 403, 404)
    api.force_authenticate(world.users["dispatcher"])
    response = api.post(f"/api/v1/taskload/items/{pk}/review/", {"decision": "admit"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "admitted"
    response = api.post("/api/v1/taskload/items/", {"place": "nowhere", "title": "x", "kind": "task",
                                                    "targets": []}, format="json")
    assert response.status_code == 400


def test_api_complete_by_community_and_withdraw_by_department(api, world, dept, handler):
    item = _register(world, handler, dept, targets=[world.community_b])
    actions.review(item, world.users["dispatcher"], decision="admit")
    api.force_authenticate(world.users["staff_b"])
    url = f"/api/v1/taskload/items/{item.pk}/"
    assert api.get(url).json()["communities"] == [world.community_b.code]
    response = api.post(url + "complete/", {"community": world.community_b.code, "period": "2026-02-10"},
                        format="json")
    assert response.status_code == 200, response.content
    assert CompletionReport.objects.get().period == date(2026, 2, 1)
    assert api.post(url + "withdraw/", {"note": "x"}, format="json").status_code == 403
    api.force_authenticate(world.users["staff_a"])
    assert api.post(url + "complete/", {"community": world.community_b.code}, format="json").status_code == 404
    api.force_authenticate(handler)
    response = api.post(url + "withdraw/", {"note": "任务取消"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    # The street's handler sees every community's completions (the street covers them).
    assert [e["action"] for e in response.json()["events"]] == ["register", "admit", "complete", "withdraw"]
