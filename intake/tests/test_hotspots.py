"""Hotspots and early warning (intake/hotspots.py): what is found and what is not, the daily sweep, who
is warned, the pages and their scope, the actions, the repeat risks, the dashboard's warning layer."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from cases.models import Case, Category, Source
from intake import hotspot_actions, hotspots
from intake.models import Hotspot, HotspotEvent, HotspotKind, HotspotState, HotspotStatus
from jiceng.testing import make_unit, make_user, square
from notifications.models import Notification
from places.models import Level

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = TODAY - timedelta(days=1)  # the day detected: the window is DAY-6 .. DAY
FIRST = DAY - timedelta(days=6)
_numbers = itertools.count(1)


def at(day: date, minute: int = 0) -> datetime:
    return datetime.combine(day, time(9, 0), timezone.get_default_timezone()) + timedelta(minutes=minute)


def plant(grid, category, days, *, points=None, reporters=None, address=""):
    """Cases reported on ``days`` in ``grid`` (bulk: the detector only reads them)."""
    rows = []
    for i, day in enumerate(days):
        lon, lat = points[i] if points else (None, None)
        n = next(_numbers)
        rows.append(Case(number=f"T{n:011d}", source=Source.RESIDENT, category=category, title=f"测试{n}",
                         description="测试", grid=grid, path=grid.path, longitude=lon, latitude=lat,
                         address=address, reporter_name=reporters[i] if reporters else f"居民{n}",
                         reported_at=at(day, i)))
    return Case.objects.bulk_create(rows)


def window_days(n):
    """``n`` days spread over the window."""
    return [FIRST + timedelta(days=i % 7) for i in range(n)]


def baseline_days(per_week):
    """``per_week`` reports in each of the eight weeks before the window."""
    return [FIRST - timedelta(days=7 * week + 1 + i % 7) for week in range(8) for i in range(per_week)]


def spread(grid_lon, grid_lat, n):
    """``n`` points about 300 m apart inside a 0.01° grid square (no two within a cluster's radius)."""
    return [(grid_lon + 0.001 + 0.0035 * (i % 3), grid_lat + 0.001 + 0.0028 * (i // 3 % 4)) for i in range(n)]


@pytest.fixture
def cats(cw):
    """Minor classes in three major classes (and litter, a minor of 市容环境, from the case world)."""
    ads = Category.objects.create(code="02", name="宣传广告")
    works = Category.objects.create(code="03", name="施工管理")
    return {
        "litter": cw.litter,
        "flyer": Category.objects.create(code="0201X", name="非法小广告", parent=ads),
        "noise": Category.objects.create(code="0301", name="施工扰民", parent=works),
        "manhole": cw.manhole,
    }


@pytest.fixture
def street2(cw):
    """A second street with its own community, grid and dispatcher."""
    street = make_unit("110101002", "景山街道", Level.STREET, cw.district)
    community = make_unit("110101002001", "隆福寺社区", Level.COMMUNITY, street)
    grid = make_unit("110101002001001", "隆福寺第1网格", Level.GRID, community, geometry=square(116.43, 39.90))
    cw.users["dispatcher2"] = make_user("dispatcher2", Role.DISPATCHER, [street])
    return street, community, grid


def found(kind=None):
    rows = Hotspot.objects.all()
    return list(rows.filter(kind=kind) if kind else rows)


# --- What is found ------------------------------------------------------------------------------
def test_a_fresh_spot_needs_six_reports_and_a_scanned_one_more():
    assert not hotspots.surge_test(5, 0).surge  # P(X ≥ 5 | 0.5) = 0.00017
    assert hotspots.surge_test(6, 0).surge and hotspots.surge_test(6, 0).score > 4
    assert not hotspots.surge_test(6, 0, tests=50).surge and hotspots.surge_test(8, 0, tests=50).surge


def test_poisson_tail_is_the_upper_tail():
    assert hotspots.poisson_tail(0, 3.0) == 1.0
    assert hotspots.poisson_tail(1, 1.0) == pytest.approx(1 - 0.36787944, rel=1e-6)
    assert hotspots.poisson_tail(5, 0.5) == pytest.approx(0.000172, rel=0.01)
    assert hotspots.poisson_tail(60, 10.0) < 1e-20


def test_a_grid_surging_above_its_own_baseline_is_found(cw, cats):
    plant(cw.grid_a, cats["litter"], baseline_days(1))  # about one report a week, usually
    # Twelve this week in three classes (four each: no class surges on its own), by twelve people.
    for i, name in enumerate(("litter", "flyer", "noise")):
        plant(cw.grid_a, cats[name], window_days(4), points=spread(116.40, 39.90, 12)[i * 4:i * 4 + 4])
    detection = hotspots.detect(DAY, now=at(TODAY))
    assert [(h.kind, h.place_id) for h in detection.new] == [(HotspotKind.PLACE, cw.grid_a.pk)]
    hotspot = detection.new[0]
    assert hotspot.count == 12 and hotspot.baseline == 1.0 and hotspot.reporters == 12
    assert hotspot.score > 3 and hotspot.street_id == cw.street.pk and hotspot.status == HotspotStatus.NEW
    assert (hotspot.window_start, hotspot.window_end) == (FIRST, DAY)
    assert hotspot.cases.count() == 12
    # The community's rise is the grid's: not a second warning.
    assert not Hotspot.objects.filter(place=cw.community_a).exists()


def test_a_category_surging_in_a_community_is_a_topic_surge(cw, cats):
    plant(cw.grid_a, cats["noise"], baseline_days(1)[:4])
    plant(cw.grid_a, cats["litter"], window_days(8), points=spread(116.40, 39.90, 8))
    hotspots.detect(DAY, now=at(TODAY))
    (hotspot,) = found()
    assert (hotspot.kind, hotspot.place_id, hotspot.category_id) == (HotspotKind.TOPIC, cw.community_a.pk,
                                                                     cats["litter"].pk)
    assert hotspot.count == 8 and cats["litter"].name in hotspot.label


def test_a_steady_busy_place_is_not_a_surge(cw, cats):
    # Twelve litter reports every week for eight weeks; fourteen this week: ordinary variation.
    plant(cw.grid_a, cats["litter"], baseline_days(12), points=spread(116.40, 39.90, 9) * 11)
    plant(cw.grid_a, cats["litter"], window_days(14), points=spread(116.40, 39.90, 9) * 2)
    hotspots.detect(DAY, now=at(TODAY))
    assert found() == []


@pytest.mark.parametrize("count", [3, 4])
def test_a_few_reports_are_never_a_surge(cw, cats, count):
    plant(cw.grid_a, cats["litter"], window_days(count), points=[(116.405, 39.905)] * count)
    hotspots.detect(DAY, now=at(TODAY))
    assert found() == []


def test_one_person_reporting_many_times_is_not_a_surge(cw, cats):
    plant(cw.grid_a, cats["litter"], window_days(9), points=spread(116.40, 39.90, 9), reporters=["张三"] * 9)
    plant(cw.grid_a, cats["manhole"], window_days(6), points=[(116.405, 39.905)] * 6, reporters=["李四"] * 6)
    hotspots.detect(DAY, now=at(TODAY))
    assert found() == []


def test_reports_at_one_spot_by_several_people_are_one_cluster(cw, cats):
    plant(cw.grid_a, cats["litter"], baseline_days(2), points=spread(116.40, 39.90, 9) * 2)
    # Seven manhole reports within about 40 m of one point, by seven people; one far away.
    near = [(116.4050 + 0.0002 * (i % 3), 39.9050 + 0.0002 * (i // 3)) for i in range(7)]
    cases = plant(cw.grid_a, cats["manhole"], window_days(7), points=near, address="多福巷12号")
    plant(cw.grid_a, cats["manhole"], [DAY], points=[(116.409, 39.909)])
    hotspots.detect(DAY, now=at(TODAY))
    (hotspot,) = found()  # not also a surge of the class in the community, nor of the grid
    assert hotspot.kind == HotspotKind.CLUSTER and hotspot.place_id == cw.grid_a.pk
    assert set(hotspot.cases.values_list("pk", flat=True)) == {case.pk for case in cases}
    assert hotspot.reporters == 7 and hotspot.radius_m <= hotspots.CLUSTER_RADIUS_M
    assert hotspots.distance_m(hotspot.longitude, hotspot.latitude, 116.4052, 39.9051) < 40
    assert "多福巷12号" in hotspot.label and hotspot.category_id == cats["manhole"].pk


def test_reports_without_a_point_cluster_by_their_address(cw, cats):
    plant(cw.grid_a, cats["manhole"], window_days(6), address="多福巷 12 号")
    hotspots.detect(DAY, now=at(TODAY))
    (hotspot,) = found()
    assert hotspot.kind == HotspotKind.CLUSTER and hotspot.key.startswith(cats["manhole"].code + "@address:")


def test_a_spot_that_always_has_reports_is_not_a_cluster(cw, cats):
    spot = [(116.405, 39.905)]
    plant(cw.grid_a, cats["manhole"], baseline_days(6), points=spot * 48)
    plant(cw.grid_a, cats["manhole"], window_days(7), points=spot * 7)
    hotspots.detect(DAY, now=at(TODAY))
    assert found() == []


# --- Episodes, the sweep and the warnings ---------------------------------------------------------
@pytest.fixture
def surge(cw, cats):
    """A cluster of manhole reports in grid A during the window."""
    near = [(116.4050 + 0.0002 * (i % 3), 39.9050 + 0.0002 * (i // 3)) for i in range(7)]
    return plant(cw.grid_a, cats["manhole"], [FIRST + timedelta(days=1 + i % 6) for i in range(7)], points=near)


def test_running_a_day_again_updates_the_same_row(cw, surge):
    first = hotspots.detect(DAY, now=at(TODAY))
    again = hotspots.detect(DAY, now=at(TODAY, 5))
    assert len(first.new) == 1 and again.new == [] and [h.pk for h in again.updated] == [first.new[0].pk]
    assert Hotspot.objects.count() == 1
    # The next day, the same spot is the same episode: updated, not raised again.
    nxt = hotspots.detect(DAY + timedelta(days=1), now=at(TODAY, 60))
    assert nxt.new == [] and Hotspot.objects.get().last_day == DAY + timedelta(days=1)


def test_the_sweep_claims_the_day_once_and_warns_once(cw, surge, monkeypatch):
    now = at(TODAY) + timedelta(hours=2)  # after DETECT_HOUR: yesterday is due
    assert hotspots.due_day(now) == DAY
    assert hotspots.sweep(now) == (1, 1)  # one hotspot; the street's dispatcher warned
    assert hotspots.sweep(now) == (0, 0)
    assert hotspots.sweep(now + timedelta(hours=3)) == (0, 0)
    assert HotspotState.objects.get().last_day == DAY
    # A second worker that read the state before the first claimed it loses the conditional UPDATE.
    HotspotState.objects.update(last_day=DAY - timedelta(days=1))
    stale = HotspotState(pk=1, last_day=DAY - timedelta(days=2))
    monkeypatch.setattr(HotspotState.objects, "get_or_create", lambda **kw: (stale, False))
    assert hotspots.sweep(now) == (0, 0)
    assert Hotspot.objects.count() == 1
    notices = Notification.objects.filter(recipient=cw.users["dispatcher"])
    assert notices.count() == 1
    hotspot = Hotspot.objects.get()
    assert notices.get().url == reverse("intake:hotspot", args=[hotspot.pk]) and hotspot.notified_at is not None
    # Warning again about the same row sends nothing.
    assert hotspots.warn([hotspot]) == 0


def test_before_the_detect_hour_the_day_before_yesterday_is_due(cw):
    assert hotspots.due_day(at(TODAY) - timedelta(hours=8, minutes=30)) == TODAY - timedelta(days=2)


def test_the_responsible_street_is_warned_and_no_one_else(cw, surge, street2):
    u = cw.users
    u["street_leader"] = make_user("street_leader", Role.LEADER, [cw.street])
    u["community_dispatcher"] = make_user("community_dispatcher", Role.DISPATCHER, [cw.community_a])
    detection, sent = hotspots.run(DAY, now=at(TODAY))
    assert len(detection.new) == 1 and sent == 3
    warned = set(Notification.objects.values_list("recipient__username", flat=True))
    # The street's dispatcher and leader, the dispatcher of the community it lies in; not the other street,
    # not community B's dispatcher, not the district's leader, not the community's staff.
    assert warned == {"dispatcher", "street_leader", "community_dispatcher"}
    title = Notification.objects.filter(recipient=u["dispatcher"]).get().title
    assert "Cluster of reports" in title


# --- Pages and their scope -------------------------------------------------------------------------
def test_the_list_and_page_show_a_street_its_own_hotspots_only(client, cw, surge, street2):
    hotspots.detect(DAY, now=at(TODAY))
    hotspot = Hotspot.objects.get()
    client.force_login(cw.users["dispatcher"])
    page = client.get(reverse("intake:hotspots"))
    assert page.status_code == 200 and f'data-hotspot="{hotspot.pk}"' in page.content.decode()
    detail = client.get(reverse("intake:hotspot", args=[hotspot.pk]))
    assert detail.status_code == 200
    assert surge[0].number in detail.content.decode()  # the reports, linked
    for user in (cw.users["dispatcher2"], cw.users["staff_b"]):
        client.force_login(user)
        assert f'data-hotspot="{hotspot.pk}"' not in client.get(reverse("intake:hotspots")).content.decode()
        assert client.get(reverse("intake:hotspot", args=[hotspot.pk])).status_code == 404
    client.force_login(cw.users["resident_a"])
    assert client.get(reverse("intake:hotspots")).status_code == 403


def test_the_list_filters_by_kind_status_and_street(client, cw, surge, street2):
    hotspots.detect(DAY, now=at(TODAY))
    hotspot = Hotspot.objects.get()
    client.force_login(cw.users["leader"])
    url = reverse("intake:hotspots")
    marker = f'data-hotspot="{hotspot.pk}"'
    assert marker in client.get(url, {"kind": "cluster", "street": cw.street.pk}).content.decode()
    assert marker not in client.get(url, {"kind": "place"}).content.decode()
    assert marker not in client.get(url, {"street": street2[0].pk}).content.decode()
    assert marker not in client.get(url, {"status": "dismissed"}).content.decode()
    assert marker in client.get(url, {"status": ""}).content.decode()


def test_actions_record_who_when_and_why(client, cw, surge):
    hotspots.detect(DAY, now=at(TODAY))
    hotspot = Hotspot.objects.get()
    url = reverse("intake:hotspot", args=[hotspot.pk])
    client.force_login(cw.users["leader"])  # leaders read, they do not act
    assert client.post(url, {"action": "acknowledge", "note": "知道了"}).status_code == 404
    client.force_login(cw.users["dispatcher"])
    assert client.post(url, {"action": "acknowledge", "note": ""}).status_code == 400
    response = client.post(url, {"action": "acknowledge", "note": "已派城管到现场查看"})
    assert response.status_code == 302
    hotspot.refresh_from_db()
    assert hotspot.status == HotspotStatus.ACKNOWLEDGED and hotspot.status_by == cw.users["dispatcher"]
    assert hotspot.status_note == "已派城管到现场查看" and hotspot.status_at is not None
    assert client.post(url, {"action": "acknowledge", "note": "again"}).status_code == 400
    hotspot_actions.resolve(hotspot, cw.users["dispatcher"], "井盖已更换")
    events = list(HotspotEvent.objects.filter(hotspot=hotspot).values_list("action", "actor__username", "from_status",
                                                                           "to_status", "note"))
    assert events == [("acknowledge", "dispatcher", "new", "acknowledged", "已派城管到现场查看"),
                      ("resolve", "dispatcher", "acknowledged", "resolved", "井盖已更换")]
    with pytest.raises(hotspot_actions.HotspotError):
        hotspot_actions.dismiss(hotspot, cw.users["dispatcher"], "不是问题")
    with pytest.raises(hotspot_actions.HotspotNotAllowed):
        hotspot_actions.change(Hotspot.objects.get(), cw.users["dispatcher_b"], "dismiss", "x")
    # The timeline shows it.
    assert "井盖已更换" in client.get(url).content.decode()


def test_a_dismissed_hotspot_is_not_raised_again_while_it_lasts(cw, surge):
    hotspots.detect(DAY, now=at(TODAY))
    hotspot_actions.dismiss(Hotspot.objects.get(), cw.users["dispatcher"], "施工围挡，已知")
    nxt = hotspots.detect(DAY + timedelta(days=1), now=at(TODAY, 30))
    assert nxt.new == [] and Hotspot.objects.get().status == HotspotStatus.DISMISSED


# --- Repeat petitions and disputes -----------------------------------------------------------------
def petition(cw, received_on, category="housing", id_number="110101199003071233", name="王建国"):
    from petitions.actions import register_petition

    return register_petition(place=cw.grid_a, actor=cw.users["dispatcher"], petitioner_name=name, title="房屋漏水",
                             matter="楼顶漏水多次反映未解决", received_on=received_on, category=category,
                             petitioner_id_number=id_number)


def test_the_same_petitioner_on_the_same_matter_within_90_days_is_a_risk(client, cw):
    first = petition(cw, DAY - timedelta(days=40))
    second = petition(cw, DAY - timedelta(days=2))
    hotspots.detect(DAY, now=at(TODAY))
    (risk,) = found(HotspotKind.REPEAT_PETITION)
    assert set(risk.petitions.values_list("pk", flat=True)) == {first.pk, second.pk} and risk.count == 2
    assert risk.label == "王**" and "王建国" not in risk.label  # masked
    assert risk.place_id == cw.grid_a.pk and risk.street_id == cw.street.pk and risk.topic == "housing"
    client.force_login(cw.users["dispatcher"])
    page = client.get(reverse("petitions:detail", args=[second.pk])).content.decode()
    assert 'data-risk="repeat_petition"' in page
    detail = client.get(reverse("intake:hotspot", args=[risk.pk])).content.decode()
    assert second.number in detail and "110101199003071233" not in detail


@pytest.mark.parametrize(("days_before", "category"), [(100, "housing"), (40, "labour")])
def test_an_old_or_different_petition_is_not_a_repeat_risk(cw, days_before, category):
    petition(cw, DAY - timedelta(days=days_before), category=category)
    petition(cw, DAY - timedelta(days=2))
    hotspots.detect(DAY, now=at(TODAY))
    assert found(HotspotKind.REPEAT_PETITION) == []


def test_a_repeat_only_counts_when_the_latest_is_in_the_window(cw):
    petition(cw, DAY - timedelta(days=40))
    petition(cw, DAY - timedelta(days=20))
    hotspots.detect(DAY, now=at(TODAY))
    assert found(HotspotKind.REPEAT_PETITION) == []


def dispute(cw, received_on, parties):
    from disputes.actions import register_dispute

    return register_dispute(cw.users["staff_a"], place=cw.grid_a, title="邻里漏水纠纷", description="楼上漏水",
                            kind="neighbour", parties=parties, received_on=received_on)


NEIGHBOURS = [{"name": "赵大明", "id_number": "110101198001011232", "side": "applicant"},
              {"name": "钱小红", "side": "respondent"}]


def test_the_same_parties_back_after_mediation_are_a_risk(client, cw):
    from disputes.actions import end_unsettled
    from disputes.models import Dispute

    earlier = dispute(cw, DAY - timedelta(days=60), NEIGHBOURS)
    end_unsettled(earlier, cw.users["staff_a"], route="litigation", note="调解不成")
    Dispute.objects.filter(pk=earlier.pk).update(ended_on=DAY - timedelta(days=30))
    other = dispute(cw, DAY - timedelta(days=3), [{"name": "赵大明", "side": "applicant"},
                                                  {"name": "孙某", "side": "respondent"}])
    again = dispute(cw, DAY - timedelta(days=2), NEIGHBOURS)
    hotspots.detect(DAY, now=at(TODAY))
    (risk,) = found(HotspotKind.REPEAT_DISPUTE)
    assert set(risk.disputes.values_list("pk", flat=True)) == {earlier.pk, again.pk}  # not the other dispute
    assert risk.label == "赵** / 钱**" and risk.topic == "neighbour"
    client.force_login(cw.users["staff_a"])
    assert 'data-risk="repeat_dispute"' in client.get(reverse("disputes:detail", args=[again.pk])).content.decode()
    assert 'data-risk' not in client.get(reverse("disputes:detail", args=[other.pk])).content.decode()


def test_a_dispute_still_being_mediated_is_not_a_repeat(cw):
    dispute(cw, DAY - timedelta(days=60), NEIGHBOURS)
    dispute(cw, DAY - timedelta(days=2), NEIGHBOURS)
    hotspots.detect(DAY, now=at(TODAY))
    assert found(HotspotKind.REPEAT_DISPUTE) == []


# --- The dashboard -------------------------------------------------------------------------------
def test_the_dashboard_shows_the_hotspots_of_its_scope_only(client, cw, surge, street2):
    hotspots.detect(DAY, now=at(TODAY))
    hotspot = Hotspot.objects.get()
    url = reverse("dashboard:hotspots")
    client.force_login(cw.users["leader"])
    rows = client.get(url).json()["hotspots"]
    assert [(r["pk"], r["kind"], r["url"]) for r in rows] == [
        (hotspot.pk, "cluster", reverse("intake:hotspot", args=[hotspot.pk]))]
    assert rows[0]["radius_m"] and rows[0]["lat"] == pytest.approx(hotspot.latitude)
    kpis = {k["key"]: k for k in client.get(reverse("dashboard:data")).json()["kpis"]}
    assert kpis["warnings"]["value"] == 1 and kpis["warnings"]["url"].startswith(reverse("intake:hotspots"))
    assert client.get(url, {"place": street2[0].pk}).json()["hotspots"] == []
    assert client.get(url, {"place": cw.community_b.pk}).json()["hotspots"] == []
    index = client.get(reverse("dashboard:index")).content.decode()
    assert "data-map-hotspots" in index and "data-hotspots-url" in index
    for user in (cw.users["dispatcher2"], cw.users["staff_b"]):
        client.force_login(user)
        assert client.get(url).json()["hotspots"] == []
        assert {k["key"]: k["value"] for k in client.get(reverse("dashboard:data")).json()["kpis"]}["warnings"] == 0
    # Dismissed: no longer current.
    hotspot_actions.dismiss(hotspot, cw.users["dispatcher"], "已知")
    client.force_login(cw.users["leader"])
    assert client.get(url).json()["hotspots"] == []


def test_roles_without_warnings_get_no_warning_kpi(client, cw):
    client.force_login(cw.users["handler"])
    data = client.get(reverse("dashboard:data")).json()
    assert "warnings" not in {k["key"] for k in data["kpis"]}
