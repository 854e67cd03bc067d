"""Reports and ledgers: the figures in the workbook equal the records counted by hand, the PDF is a PDF,
the schedule sweep makes one report however often it runs, the scope holds, ledgers mask identifiers,
bad input is a form error."""

from __future__ import annotations

from datetime import date, datetime, time
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role
from cases.models import Case, Status
from jiceng.testing import make_case, make_unit, make_user
from notifications.models import Notification
from places.models import Level
from reports import actions, deadlines
from reports.content import build_report, next_period_start, period_of, previous_period
from reports.models import Report, ReportSchedule

pytestmark = pytest.mark.django_db

OCT = date(2026, 10, 1)
ID_NUMBER = "110101199003071234"


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _case(grid, reported: date, **fields):
    case = make_case(grid)
    Case.objects.filter(pk=case.pk).update(reported_at=at(reported), **fields)
    return case


@pytest.fixture
def records(world):
    """October 2026 in the street: 3 cases in community A and 1 in B (3 registered, 2 closed: one on time
    and rated 5, one overdue, reworked and rated 2); 2 cases in September (A); 2 hazards in grid A (one
    fixed, one assigned and past its deadline); a drill; a petition replied on time in community A."""
    from petitions.models import Petition
    from safety.models import Drill, Hazard, Plan

    _case(world.grid_a, date(2026, 10, 3), registered_at=at(date(2026, 10, 3), 11), status=Status.CLOSED,
          closed_at=at(date(2026, 10, 10)), was_overdue=False, satisfaction=5)
    _case(world.grid_a, date(2026, 10, 5), registered_at=at(date(2026, 10, 5), 11), status=Status.CLOSED,
          closed_at=at(date(2026, 10, 20)), was_overdue=True, rework_count=1, satisfaction=2)
    _case(world.grid_a, date(2026, 10, 25), registered_at=at(date(2026, 10, 25), 11), status=Status.REGISTERED)
    _case(world.grid_b, date(2026, 10, 28), status=Status.REPORTED)
    _case(world.grid_a, date(2026, 9, 10), status=Status.REPORTED)
    _case(world.grid_a, date(2026, 9, 20), status=Status.REPORTED)
    Hazard.objects.create(place=world.grid_a, number="YH-1", kind="fire", description="楼道堆物",
                          found_on=date(2026, 10, 5), status="fixed", fixed_on=date(2026, 10, 9))
    Hazard.objects.create(place=world.grid_a, number="YH-2", kind="gas", description="软管老化",
                          found_on=date(2026, 10, 6), status="assigned", deadline=date(2026, 10, 20))
    plan = Plan.objects.create(place=world.community_a, title="火灾预案")
    Drill.objects.create(place=world.community_a, plan=plan, held_on=date(2026, 10, 15), participants=30,
                         scenario="疏散")
    Petition.objects.create(place=world.community_a, number="XF-1", petitioner_name="张三",
                            petitioner_id_number=ID_NUMBER, petitioner_phone="13812345678", title="噪声",
                            matter="夜间施工", received_on=date(2026, 10, 8), reply_due=date(2026, 10, 30),
                            replied_on=date(2026, 10, 20))
    return world


def sheet_rows(data: bytes) -> list[tuple]:
    book = load_workbook(BytesIO(data))
    return [row for sheet in book for row in sheet.iter_rows(values_only=True)]


def first_row(rows, label):
    return next(row for row in rows if row[0] == label)


# --- Periods ------------------------------------------------------------------------------------
def test_periods():
    assert period_of("month", date(2026, 2, 14)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_of("quarter", date(2026, 11, 24)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert previous_period("month", date(2026, 1, 5)) == (date(2025, 12, 1), date(2025, 12, 31))
    assert previous_period("quarter", date(2026, 2, 1)) == (date(2025, 10, 1), date(2025, 12, 31))
    assert next_period_start("quarter", date(2026, 12, 31)) == date(2027, 1, 1)


# --- Content and files --------------------------------------------------------------------------
def test_report_figures_in_the_workbook_equal_the_records(records):
    w = records
    report = actions.generate_report(w.street, "month", OCT, date(2026, 10, 31), actor=w.users["dispatcher"])
    assert report.period_end == date(2026, 10, 31) and report.requested_by == w.users["dispatcher"]
    rows = sheet_rows(report.xlsx.read())
    assert rows[0][0] == "东华门街道2026年10月工作月报"
    assert first_row(rows, "上报")[1:4] == (4, 2, 1.0)  # 4 this month, 2 last month: +100 %
    assert first_row(rows, "立案")[1] == 3
    assert first_row(rows, "结案")[1] == 2
    assert first_row(rows, "返工")[1] == 1
    assert first_row(rows, "按期结案率")[1] == pytest.approx(0.5)
    assert first_row(rows, "满意率")[1] == pytest.approx(0.5)
    assert first_row(rows, "多福巷社区")[1:4] == (3, 3, 2)  # by community: reported, registered, closed
    assert first_row(rows, "银闸社区")[1:4] == (1, 0, 0)
    assert first_row(rows, "发现隐患")[1] == 2
    assert first_row(rows, "完成整改")[1] == 1
    assert first_row(rows, "逾期未整改")[1] == 1
    assert first_row(rows, "应急演练")[1] == 1
    assert first_row(rows, "演练参与人次")[1] == 30
    assert first_row(rows, "受理信访")[1] == 1
    assert first_row(rows, "按期答复率")[1] == pytest.approx(1.0)
    # Shares are stored as numbers with a percentage format.
    book = load_workbook(BytesIO(report.xlsx.open("rb").read()))
    cell = next(row[1] for row in book.active.iter_rows() if row[0].value == "按期结案率")
    assert cell.number_format == "0.0%"
    pdf = report.pdf.open("rb").read()
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000 and b"/Type /Page" in pdf


def test_community_report_counts_only_its_records(records):
    content = build_report(records.community_a, "month", OCT, date(2026, 10, 31))
    main = content["sections"][0]["tables"][0]["rows"]
    assert main[0][:3] == ["上报", 3, 2]
    assert [row[0] for row in content["sections"][0]["tables"][1]["rows"]] == ["多福巷第1网格"]


def test_generating_again_overwrites_the_report(records, django_capture_on_commit_callbacks):
    import os

    first = actions.generate_report(records.street, "month", OCT, actor=records.users["dispatcher"])
    old_file = first.xlsx.path
    with django_capture_on_commit_callbacks(execute=True):
        again = actions.generate_report(records.street, "month", date(2026, 10, 17),
                                        actor=records.users["dispatcher"])
    assert again.pk == first.pk and Report.objects.count() == 1
    assert again.period_start == OCT
    assert not os.path.exists(old_file) and os.path.exists(again.xlsx.path)


def test_quarterly_report(records):
    report = actions.generate_report(records.street, "quarter", date(2026, 11, 2))
    assert (report.period_start, report.period_end) == (OCT, date(2026, 12, 31))
    assert report.content["title"].endswith("2026年第4季度工作季报")
    assert report.content["previous"]["label"] == "2026年第3季度"


@pytest.mark.parametrize("kind", ["month", "quarter"])
def test_the_case_section_reads_the_roll_up_and_says_the_same(records, kind):
    """A street's case figures come from the dashboards' roll-up once it is built (a quarter reads its
    whole months from the monthly rows): the section is the one counted from the cases."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dashboard import rollup

    counted = build_report(records.street, kind, OCT, period_of(kind, OCT)[1])["sections"][0]
    rollup.rebuild()
    with CaptureQueriesContext(connection) as queries:
        rolled = build_report(records.street, kind, OCT, period_of(kind, OCT)[1])["sections"][0]
    assert any("dashboard_casedayfigures" in query["sql"] for query in queries.captured_queries)
    assert rolled == counted
    assert rolled["tables"][0]["rows"][0][:3] == ["上报", 4, 2]


def test_refusals(records):
    with pytest.raises(actions.ReportError) as error:
        actions.generate_report(records.community_b, "month", OCT, actor=records.users["staff_a"])
    assert error.value.field == "place"
    with pytest.raises(actions.ReportError):
        actions.generate_report(records.street, "year", OCT)
    with pytest.raises(actions.ReportError):
        actions.generate_report(records.street, "month", date(2030, 1, 1))
    with pytest.raises(actions.ReportError):
        actions.generate_report(records.street, "month", OCT, actor=records.users["leader"])  # leaders read


# --- Schedules ----------------------------------------------------------------------------------
def test_schedule_sweep_claims_once(records):
    w = records
    schedule = actions.save_schedule(w.users["dispatcher"], place=w.street, kind="month",
                                     recipients=[w.users["dispatcher"]], next_run_at=at(date(2026, 11, 1), 6))
    now = at(date(2026, 11, 2), 8)
    assert deadlines.sweep(now) == 1
    assert deadlines.sweep(now) == 0
    report = Report.objects.get()
    assert (report.place, report.kind, report.period_start) == (w.street, "month", OCT)
    assert report.requested_by is None
    schedule.refresh_from_db()
    assert schedule.next_run_at == at(date(2026, 12, 1), 6) and schedule.last_report == report
    notice = Notification.objects.get(recipient=w.users["dispatcher"])
    assert notice.url == reverse("reports:detail", args=[report.pk])


def test_a_stale_claim_loses(records):
    """Two workers read the same due schedule: the second one's conditional UPDATE matches nothing."""
    schedule = actions.save_schedule(None, place=records.street, kind="month", next_run_at=at(date(2026, 11, 1), 6))
    stale = ReportSchedule.objects.get(pk=schedule.pk)  # what the second worker read
    now = at(date(2026, 11, 2))
    assert deadlines.run(schedule, now) is True
    assert deadlines.run(stale, now) is False
    assert Report.objects.count() == 1


def test_inactive_schedules_do_not_run(records):
    schedule = actions.save_schedule(None, place=records.street, kind="month", next_run_at=at(date(2026, 11, 1)))
    actions.set_schedule_active(schedule, None, False)
    assert deadlines.sweep(at(date(2026, 11, 2))) == 0


def test_the_deadline_worker_runs_the_sweep():
    from cases.management.commands.deadline_worker import SWEEPS

    assert ("reports", deadlines.sweep) in SWEEPS


# --- Pages --------------------------------------------------------------------------------------
def test_generate_page_and_download(client, records):
    client.force_login(records.users["dispatcher"])
    assert client.get(reverse("reports:list")).status_code == 200
    response = client.post(reverse("reports:list"), {"place": records.street.pk, "kind": "month",
                                                      "month": "2026-10"})
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:detail", args=[report.pk])
    page = client.get(reverse("reports:detail", args=[report.pk]))
    assert page.status_code == 200 and "东华门街道2026年10月工作月报" in page.content.decode()
    xlsx = client.get(reverse("reports:download", args=[report.pk, "xlsx"]))
    assert xlsx.status_code == 200 and first_row(sheet_rows(b"".join(xlsx.streaming_content)), "上报")[1] == 4
    pdf = client.get(reverse("reports:download", args=[report.pk, "pdf"]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("reports:download", args=[report.pk, "doc"])).status_code == 404


def test_bad_input_to_the_generate_form_is_a_form_error(client, records):
    client.force_login(records.users["dispatcher"])
    for data in ({"place": "not-a-place", "kind": "month", "month": "2026-10"},
                 {"place": records.street.pk, "kind": "nope", "month": "2026-10"},
                 {"place": records.street.pk, "kind": "month", "month": "2026-13"},
                 {"place": records.street.pk, "kind": "month", "month": "2099-01"},
                 {"place": records.community_b.pk + 999, "kind": "month", "month": "2026-10"}):
        response = client.post(reverse("reports:list"), data)
        assert response.status_code == 400, data
        assert response.context["form"].errors
    client.force_login(records.users["staff_a"])
    response = client.post(reverse("reports:list"), {"place": records.community_b.pk, "kind": "month",
                                                     "month": "2026-10"})
    assert response.status_code == 400 and "place" in response.context["form"].errors
    assert not Report.objects.exists()


def test_another_street_cannot_see_or_download(client, records):
    w = records
    other_street = make_unit("110101002", "景山街道", Level.STREET, w.district)
    outsider = make_user("outsider", Role.DISPATCHER, [other_street])
    report = actions.generate_report(w.street, "month", OCT)
    client.force_login(outsider)
    for url in (reverse("reports:detail", args=[report.pk]), reverse("reports:download", args=[report.pk, "xlsx"]),
                reverse("reports:download", args=[report.pk, "pdf"])):
        assert client.get(url).status_code == 404
    listing = client.get(reverse("reports:list")).content.decode()
    assert "东华门街道" not in listing
    client.force_login(w.users["leader"])  # the district's leader reads it
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 200


def test_schedule_pages(client, records):
    w = records
    client.force_login(w.users["staff_a"])
    response = client.post(reverse("reports:schedules"), {"place": w.community_a.pk, "kind": "quarter",
                                                          "recipients": [w.users["staff_a"].pk]})
    assert response.status_code == 302
    schedule = ReportSchedule.objects.get()
    assert schedule.active and list(schedule.recipients.all()) == [w.users["staff_a"]]
    assert timezone.localtime(schedule.next_run_at).date() == next_period_start("quarter", timezone.localdate())
    assert client.post(reverse("reports:schedule-toggle", args=[schedule.pk])).status_code == 302
    schedule.refresh_from_db()
    assert not schedule.active
    assert client.post(reverse("reports:schedules"), {"place": "x", "kind": "nope"}).status_code == 400


# --- Ledgers ------------------------------------------------------------------------------------
def test_ledger_masks_id_numbers(client, records):
    client.force_login(records.users["staff_a"])
    response = client.get(reverse("reports:ledger-download", args=["petitions"]))
    assert response.status_code == 200
    rows = sheet_rows(response.content)
    text = "\n".join(str(value) for row in rows for value in row if value is not None)
    assert "1101**********1234" in text and ID_NUMBER not in text
    assert "138****5678" in text and "13812345678" not in text


def test_care_ledger_masks_and_filters(client, records):
    from care.actions import enrol_person
    from people.models import Resident

    w = records
    resident = Resident.objects.create(grid=w.grid_a, name="李四", id_number="11010119500101123X")
    enrol_person(resident=resident, kind="left_behind_elderly", start_date=date(2026, 9, 1), actor=w.users["staff_a"])
    client.force_login(w.users["staff_a"])
    url = reverse("reports:ledger-download", args=["care-persons"])
    text = str(sheet_rows(client.get(url).content))
    assert "李四" in text and "1101**********123X" in text and "11010119500101123X" not in text
    rows = sheet_rows(client.get(url, {"start": "2026-10-01"}).content)
    assert len(rows) == 1  # the header only: the person was taken in in September
    assert client.get(url, {"start": "x", "end": "y"}).status_code == 400


def test_ledger_scope_and_permissions(client, records):
    w = records
    client.force_login(w.users["staff_b"])
    text = str(sheet_rows(client.get(reverse("reports:ledger-download", args=["hazards"])).content))
    assert "YH-1" not in text  # community A's hazards
    client.force_login(w.users["leader"])
    assert client.get(reverse("reports:ledger-download", args=["care-persons"])).status_code == 403
    assert client.get(reverse("reports:ledger-download", args=["nope"])).status_code == 404
    page = client.get(reverse("reports:ledgers")).content.decode()
    assert reverse("reports:ledger-download", args=["hazards"]) in page


# --- API ----------------------------------------------------------------------------------------
def test_api_generate_list_detail(api, records):
    w = records
    api.force_authenticate(w.users["dispatcher"])
    response = api.post("/api/v1/reports/generate/", {"place": w.street.code, "kind": "month", "start": "2026-10-09"},
                        format="json")
    assert response.status_code == 201, response.content
    assert response.json()["period_start"] == "2026-10-01"
    assert response.json()["content"]["sections"][0]["tables"][0]["rows"][0][:2] == ["上报", 4]
    listing = api.get("/api/v1/reports/").json()
    assert [row["id"] for row in listing["results"]] == [response.json()["id"]]
    bad = api.post("/api/v1/reports/generate/", {"place": "nowhere", "kind": "month", "start": "2026-10-01"},
                   format="json")
    assert bad.status_code == 400 and bad.json()["fields"].get("place")
    api.force_authenticate(w.users["leader"])
    assert api.post("/api/v1/reports/generate/", {"place": w.street.code, "kind": "month",
                                                  "start": "2026-10-01"}, format="json").status_code == 403
