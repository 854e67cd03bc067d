"""The hazard loop, the drill and overdue reminders, the pages, the API and the scope of safety records."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from safety import actions, deadlines
from safety.actions import SafetyError
from safety.models import Drill, Hazard, HazardSource, HazardStatus, Plan

pytestmark = pytest.mark.django_db


def english(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def hazard_a(world, **extra):
    return actions.report_hazard(world.users["worker_a"], place=world.grid_a, kind="fire",
                                 description="楼道堆放杂物", **extra)


def test_the_full_loop_with_a_different_verifier(world):
    today = timezone.localdate()
    worker, staff = world.users["worker_a"], world.users["staff_a"]
    hazard = hazard_a(world)
    assert hazard.status == HazardStatus.FOUND and hazard.number.startswith(f"YH{today.year}-")
    actions.assign_hazard(hazard, staff, owner=worker, deadline=today + timedelta(days=7))
    assert Notification.objects.filter(recipient=worker).exists()
    actions.fix_hazard(hazard, worker, note="已清理")
    with pytest.raises(SafetyError) as error:
        actions.recheck_hazard(hazard, worker)
    assert "someone other" in error.value.message
    with pytest.raises(SafetyError):
        actions.reopen_hazard(hazard, worker, note="没修好")
    actions.recheck_hazard(hazard, staff, note="复查合格")
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECHECKED and hazard.rechecked_by == staff and hazard.fixed_by == worker
    assert list(hazard.events.values_list("action", flat=True)) == ["report", "assign", "fix", "recheck"]
    with pytest.raises(SafetyError):
        actions.fix_hazard(hazard, worker, note="again")


def test_a_failed_recheck_reopens(world):
    today = timezone.localdate()
    worker, staff = world.users["worker_a"], world.users["staff_a"]
    hazard = hazard_a(world)
    actions.assign_hazard(hazard, staff, owner=worker, deadline=today + timedelta(days=3))
    actions.fix_hazard(hazard, worker, note="已清理")
    actions.reopen_hazard(hazard, staff, note="仍有杂物", deadline=today + timedelta(days=5))
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.ASSIGNED and hazard.reopened == 1 and hazard.fixed_on is None
    assert hazard.deadline == today + timedelta(days=5)
    with pytest.raises(SafetyError):
        actions.reopen_hazard(hazard, staff, note="x")  # not fixed yet
    actions.fix_hazard(hazard, worker, note="彻底清理")
    actions.recheck_hazard(hazard, staff)
    assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.RECHECKED


def test_assign_needs_someone_and_a_deadline(world):
    hazard = hazard_a(world)
    with pytest.raises(SafetyError) as error:
        actions.assign_hazard(hazard, world.users["staff_a"], deadline=timezone.localdate())
    assert error.value.field == "owner"
    actions.assign_hazard(hazard, world.users["staff_a"], department=world.department_a,
                          deadline=timezone.localdate())
    assert Hazard.objects.get(pk=hazard.pk).department == world.department_a


def test_refer_to_case_keeps_the_link(world):
    from cases.models import Category

    major = Category.objects.create(code="98", name="安全")
    minor = Category.objects.create(code="9801", name="燃气隐患", parent=major)
    hazard = hazard_a(world)
    actions.refer_to_case(hazard, world.users["staff_a"], category=minor, description="燃气管道老化需更换")
    hazard.refresh_from_db()
    assert hazard.case is not None and hazard.status == HazardStatus.ASSIGNED
    assert hazard.case.grid == world.grid_a
    with pytest.raises(SafetyError):
        actions.refer_to_case(hazard, world.users["staff_a"], category=minor, description="again")


def test_drill_reminder_once_per_source(world):
    today = timezone.localdate()
    staff = world.users["staff_a"]
    drilled = actions.save_source(staff, place=world.community_a, name="多福巷加油站", kind="gas_station")
    stale = actions.save_source(staff, place=world.community_a, name="多福巷老楼", kind="old_building")
    never = actions.save_source(staff, place=world.community_a, name="多福巷市场", kind="market")
    plan = actions.save_plan(staff, place=world.community_a, title="加油站预案", kind="fire", sources=[drilled])
    old_plan = actions.save_plan(staff, place=world.community_a, title="老楼预案", kind="building", sources=[stale])
    actions.record_drill(staff, plan=plan, held_on=today - timedelta(days=30), scenario="油罐泄漏", participants=20)
    actions.record_drill(staff, plan=old_plan, held_on=today - timedelta(days=400), scenario="坍塌疏散")
    assert set(deadlines.sources_without_drill(today).values_list("pk", flat=True)) == {stale.pk, never.pk}
    assert deadlines.sweep(today) == 2
    assert deadlines.sweep(today) == 0
    titles = list(Notification.objects.filter(recipient=staff).values_list("title", flat=True))
    assert len(titles) == 2 and not any("加油站" in t for t in titles)
    assert not Notification.objects.filter(recipient=world.users["staff_b"]).exists()
    # A year later, still no drill: reminded again.
    assert deadlines.sweep(today + timedelta(days=366)) == 3
    assert HazardSource.objects.get(pk=never.pk).drill_reminded_on == today + timedelta(days=366)


def test_overdue_hazard_reminded_once(world):
    today = timezone.localdate()
    worker = world.users["worker_a"]
    hazard = hazard_a(world)
    actions.assign_hazard(hazard, world.users["staff_a"], owner=worker, deadline=today)
    Notification.objects.all().delete()
    assert deadlines.sweep(today) == 0
    assert deadlines.sweep(today + timedelta(days=1)) == 1
    assert deadlines.sweep(today + timedelta(days=2)) == 0
    assert Notification.objects.filter(recipient=worker, kind="overdue").count() == 1


def test_drill_issues_become_hazards(world):
    staff = world.users["staff_a"]
    plan = actions.save_plan(staff, place=world.grid_a, title="网格消防预案", kind="fire")
    drill = actions.record_drill(staff, plan=plan, held_on=timezone.localdate(), scenario="火灾疏散",
                                 issues="灭火器过期\n\n消防通道堵塞", issues_as_hazards=True, grade="fair")
    assert drill.hazards.count() == 2 and Drill.objects.count() == 1


def test_pages_report_and_steps(client, world):
    english(client, world.users["worker_a"])
    response = client.post(reverse("safety:report"), {"place": world.grid_a.pk, "kind": "gas",
                                                      "description": "燃气软管老化",
                                                      "found_on": timezone.localdate().isoformat()})
    hazard = Hazard.objects.get()
    assert response.status_code == 302
    page = client.get(reverse("safety:detail", args=[hazard.pk])).content.decode()
    assert hazard.number in page and "Assign for fixing" in page
    response = client.post(reverse("safety:action", args=[hazard.pk, "assign"]), {
        "owner": world.users["worker_a"].pk, "deadline": timezone.localdate().isoformat()})
    assert response.status_code == 302
    response = client.post(reverse("safety:action", args=[hazard.pk, "fix"]), {
        "note": "更换软管", "fixed_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    response = client.post(reverse("safety:action", args=[hazard.pk, "recheck"]), {"note": ""})
    assert response.status_code == 400 and "someone other" in response.content.decode()
    listing = client.get(reverse("safety:list"), {"status": "fixed"}).content.decode()
    assert hazard.number in listing
    for name in ("safety:sources", "safety:plans", "safety:drills", "safety:report", "safety:source-create",
                 "safety:plan-create", "safety:drill-create"):
        assert client.get(reverse(name)).status_code == 200, name


def test_opening_a_step_the_status_does_not_allow_says_so_not_a_500(client, world):
    hazard = hazard_a(world)
    english(client, world.users["worker_a"])
    response = client.get(reverse("safety:action", args=[hazard.pk, "recheck"]))
    assert response.status_code == 200
    assert "cannot be done while the hazard is" in response.content.decode()


def test_sources_page_flags_no_drill(client, world):
    actions.save_source(world.users["staff_a"], place=world.community_a, name="多福巷仓库", kind="warehouse")
    page = english(client, world.users["staff_a"]).get(reverse("safety:sources")).content.decode()
    assert "多福巷仓库" in page and "No drill within a year" in page


def test_plan_file_is_served_in_scope_only(client, world):
    plan = actions.save_plan(world.users["staff_b"], place=world.community_b, title="银闸预案", kind="fire",
                             file=ContentFile(b"plan-bytes", name="p.pdf"))
    english(client, world.users["staff_b"])
    response = client.get(reverse("safety:plan-file", args=[plan.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"plan-bytes"
    english(client, world.users["staff_a"])
    assert client.get(reverse("safety:plan-file", args=[plan.pk])).status_code == 404
    assert "银闸" not in client.get(reverse("safety:plans")).content.decode()
    assert Plan.objects.visible_to(world.users["staff_a"]).count() == 0


def test_scope_community_a_does_not_see_b(client, world):
    hazard_b = actions.report_hazard(world.users["staff_b"], place=world.grid_b, kind="flood",
                                     description="银闸 地下室积水")
    actions.save_source(world.users["staff_b"], place=world.community_b, name="银闸市场", kind="market")
    english(client, world.users["staff_a"])
    for name in ("safety:list", "safety:sources", "safety:drills"):
        assert "银闸" not in client.get(reverse(name)).content.decode()
    assert client.get(reverse("safety:detail", args=[hazard_b.pk])).status_code == 404
    with pytest.raises(SafetyError):
        actions.report_hazard(world.users["staff_a"], place=world.grid_b, kind="fire", description="x")


def test_api_hazard_loop(api, world):
    api.force_authenticate(world.users["worker_a"])
    response = api.post("/api/v1/safety/hazards/", {"place": world.grid_a.code, "kind": "electrical",
                                                    "description": "私拉电线"}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    url = f"/api/v1/safety/hazards/{pk}/"
    assert api.get(url + "assign/").status_code == 200
    response = api.post(url + "assign/", {"owner": "worker_a", "deadline": timezone.localdate().isoformat()},
                        format="json")
    assert response.status_code == 200, response.content
    assert api.post(url + "fix/", {"note": "拆除"}, format="json").json()["status"] == "fixed"
    response = api.post(url + "recheck/", {}, format="json")
    assert response.status_code == 400 and response.json()["error"]
    api.force_authenticate(world.users["staff_a"])
    assert api.post(url + "recheck/", {}, format="json").json()["status"] == "rechecked"
    assert api.get("/api/v1/safety/hazards/").json()["count"] == 1
    assert api.get("/api/v1/safety/sources/").status_code == 200
    api.force_authenticate(world.users["staff_b"])
    assert api.get(url).status_code == 404


def _png(name="p.png"):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_fix_page_takes_photos(client, world):
    hazard = hazard_a(world)
    actions.assign_hazard(hazard, world.users["staff_a"], owner=world.users["worker_a"],
                          deadline=timezone.localdate())
    english(client, world.users["worker_a"])
    response = client.post(reverse("safety:action", args=[hazard.pk, "fix"]), {
        "note": "已清理", "fixed_on": timezone.localdate().isoformat(), "photos": [_png(), _png("q.png")]})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert hazard.photos.filter(stage="fixed").count() == 2


def test_leader_reads_but_cannot_act(client, world):
    hazard = hazard_a(world)
    english(client, world.users["leader"])
    page = client.get(reverse("safety:detail", args=[hazard.pk])).content.decode()
    assert hazard.number in page and "Assign for fixing" not in page
    assert client.get(reverse("safety:report")).status_code == 403
    assert client.get(reverse("safety:action", args=[hazard.pk, "assign"])).status_code == 404
