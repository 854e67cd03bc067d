"""The dispute pages as mediators and community staff use them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from disputes.models import Dispute, ScreeningReport, Status
from jiceng.testing import make_user

pytestmark = pytest.mark.django_db


def english(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def registration(dw, **extra):
    return {"place": dw.grid_a.pk, "title": "装修噪音", "kind": "neighbour", "grade": "minor",
            "description": "夜间装修噪音扰民", "source": "visit", "people_count": 2,
            "received_on": timezone.localdate().isoformat(),
            "party0_name": "王五", "party0_side": "applicant", "party0_id_number": "11010519491231002X",
            "party0_phone": "13912345678", "party1_name": "赵六", "party1_side": "respondent", **extra}


def test_register_then_see_the_dispute_with_masked_parties(client, dw):
    english(client, dw.users["worker_a"])
    response = client.post(reverse("disputes:create"), registration(dw))
    dispute = Dispute.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("disputes:detail", args=[dispute.pk])
    page = client.get(response["Location"]).content.decode()
    assert "王五" in page and "赵六" in page
    assert "11010519491231002X" not in page and "13912345678" not in page
    assert "1101" in page and "5678" in page
    assert "Record a session" in page
    listing = client.get(reverse("disputes:list")).content.decode()
    assert "装修噪音" in listing and dispute.number in listing


def test_bad_input_is_shown_next_to_the_field(client, dw):
    english(client, dw.users["worker_a"])
    response = client.post(reverse("disputes:create"), registration(dw, party0_id_number="110105194912310021",
                                                                   amount="-5"))
    assert response.status_code == 400
    assert not Dispute.objects.exists()
    page = response.content.decode()
    assert "Ensure this value is greater than or equal to 0" in page
    response = client.post(reverse("disputes:create"), registration(dw, party0_id_number="110105194912310021"))
    assert response.status_code == 400 and "does not match" in response.content.decode()


def test_a_failed_session_from_the_page_sends_it_up(client, dw, new_dispute):
    dispute = new_dispute("general")
    english(client, dw.users["staff_a"])
    url = reverse("disputes:action", args=[dispute.pk, "session"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                                 "attendees": "双方", "minutes": "未达成一致", "result": "failed"})
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.tier == "street"
    # The community staff no longer act on it, but still see it (the place is theirs).
    page = client.get(reverse("disputes:detail", args=[dispute.pk])).content.decode()
    assert "Sent up a tier" in page and "Village / community → Town / street" in page


def test_agreement_documents_download(client, dw, new_dispute):
    dispute = new_dispute("general")
    english(client, dw.users["staff_a"])
    response = client.post(reverse("disputes:action", args=[dispute.pk, "agree"]), {
        "matters": "漏水", "terms": "赔偿1500元", "signed_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    docx = client.get(reverse("disputes:agreement", args=[dispute.pk, "docx"]))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    pdf = client.get(reverse("disputes:agreement", args=[dispute.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"


def test_an_action_not_allowed_now_gives_a_message_not_a_500(client, dw, new_dispute):
    dispute = new_dispute()
    english(client, dw.users["staff_a"])
    client.post(reverse("disputes:action", args=[dispute.pk, "withdraw"]), {"note": "和解"})
    response = client.post(reverse("disputes:action", args=[dispute.pk, "escalate"]), {"note": "x"})
    assert response.status_code == 400
    assert "cannot be done while the dispute is" in response.content.decode()
    assert client.get(reverse("disputes:action", args=[dispute.pk, "nonsense"])).status_code == 404


def test_opening_an_action_the_status_does_not_allow_says_so_not_a_500(client, dw, new_dispute):
    dispute = new_dispute()
    english(client, dw.users["staff_a"])
    client.post(reverse("disputes:action", args=[dispute.pk, "withdraw"]), {"note": "和解"})
    response = client.get(reverse("disputes:action", args=[dispute.pk, "session"]))
    assert response.status_code == 200
    assert "cannot be done while the dispute is" in response.content.decode()


def test_zero_reports_and_missing_grids_are_tracked(client, dw):
    from disputes.actions import file_screening_report, start_campaign
    from jiceng.testing import make_unit, square
    from places.models import Level

    grid_a2 = make_unit("110101001001002", "多福巷第2网格", Level.GRID, dw.community_a, geometry=square(116.402, 39.9))
    justice = dw.users["justice"]
    today = timezone.localdate()
    campaign = start_campaign(justice, place=dw.community_a, title="十一月排查", kind="monthly",
                              starts=today - timedelta(days=20), due=today - timedelta(days=1))
    file_screening_report(campaign, dw.users["worker_a"], grid=dw.grid_a, nothing_found=True)
    english(client, justice)
    page = client.get(reverse("disputes:campaign", args=[campaign.pk])).content.decode()
    assert "Nothing found" in page
    assert "1 grid has not reported" in page and grid_a2.name in page
    listing = client.get(reverse("disputes:campaigns")).content.decode()
    assert "十一月排查" in listing and "1 / 2" in listing and "Missing reports" in listing
    english(client, dw.users["staff_a"])
    response = client.post(reverse("disputes:campaign-report", args=[campaign.pk]),
                           {"grid": grid_a2.pk, "found": "0"})
    assert response.status_code == 400 and "zero report" in response.content.decode()
    client.post(reverse("disputes:campaign-report", args=[campaign.pk]), {"grid": grid_a2.pk, "found": "2"})
    assert ScreeningReport.objects.get(grid=grid_a2).found == 2
    english(client, justice)
    assert "has not reported" not in client.get(reverse("disputes:campaign", args=[campaign.pk])).content.decode()


def test_committee_coverage_shows_the_gaps(client, dw):
    from disputes.models import Committee
    from jiceng.testing import make_unit
    from people.actions import create_unit
    from places.models import Level

    Committee.objects.filter(place=dw.community_b).delete()
    make_unit("110101001003", "新建社区", Level.COMMUNITY, dw.street)
    create_unit(dw.users["root"], grid=dw.grid_a, name="多福巷制造厂", kind="firm", employees=350)
    english(client, dw.users["justice"])
    page = client.get(reverse("disputes:committees")).content.decode()
    assert "2 of 3 communities have no committee" in page
    assert "银闸社区" in page and "新建社区" in page and "多福巷制造厂" in page


def test_leaders_see_figures_but_no_rows(client, dw, new_dispute):
    from disputes.actions import end_unsettled, record_agreement

    today = timezone.localdate()
    record_agreement(new_dispute(), dw.users["staff_a"], matters="m", terms="t", signed_on=today)
    end_unsettled(new_dispute(), dw.users["staff_a"], route="litigation", note="起诉")
    new_dispute()
    english(client, dw.users["leader"])
    assert client.get(reverse("disputes:list")).status_code == 403
    page = client.get(reverse("disputes:figures")).content.decode()
    assert 'data-figure="accepted">3<' in page
    assert 'data-figure="success">50%<' in page


def test_a_grid_worker_of_another_community_cannot_open_the_dispute(client, dw, new_dispute):
    dispute = new_dispute()
    other = make_user("worker_b", Role.GRID_WORKER, [dw.grid_b])
    client.force_login(other)
    assert client.get(reverse("disputes:detail", args=[dispute.pk])).status_code == 404
    assert client.post(reverse("disputes:action", args=[dispute.pk, "withdraw"]), {"note": "x"}).status_code == 404
    dispute.refresh_from_db()
    assert dispute.status == Status.ACCEPTED


def test_grids_late_with_their_report_are_reminded_once(dw):
    from disputes.actions import file_screening_report, start_campaign, sweep_missing_reports
    from jiceng.testing import make_unit, square
    from notifications.models import Notification
    from places.models import Level

    grid_a2 = make_unit("110101001001002", "多福巷第2网格", Level.GRID, dw.community_a, geometry=square(116.402, 39.9))
    worker_a2 = make_user("worker_a2", Role.GRID_WORKER, [grid_a2])
    today = timezone.localdate()
    campaign = start_campaign(dw.users["justice"], place=dw.community_a, title="节前专项排查", kind="special",
                              starts=today - timedelta(days=5), due=today - timedelta(days=1))
    file_screening_report(campaign, dw.users["worker_a"], grid=dw.grid_a, nothing_found=True)
    Notification.objects.all().delete()
    assert sweep_missing_reports(today) == 1
    assert sweep_missing_reports(today) == 0
    assert Notification.objects.filter(recipient=worker_a2, title__contains="节前专项排查").count() == 1
    assert not Notification.objects.filter(recipient=dw.users["worker_a"]).exists()
    author = Notification.objects.get(recipient=dw.users["justice"])
    assert "1" in author.title and grid_a2.name in author.body


def test_joint_mediation_pulls_in_a_court_and_tells_the_account(client, dw, new_dispute):
    from notifications.models import Notification

    judge = make_user("judge", Role.MEDIATOR, [dw.street])
    dispute = new_dispute("general")
    english(client, dw.users["staff_a"])
    url = reverse("disputes:action", args=[dispute.pk, "joint"])
    response = client.post(url, {"kind": "judicial", "organisation": "", "name": "王法官"})
    assert response.status_code == 400 and "Name the organisation" in response.content.decode()
    response = client.post(url, {"kind": "judicial", "organisation": "东城区人民法院", "name": "王法官",
                                 "role": "诉调对接", "user": judge.pk})
    assert response.status_code == 302
    page = client.get(reverse("disputes:detail", args=[dispute.pk])).content.decode()
    assert "Joint mediation" in page and "东城区人民法院" in page and "Judicial mediation" in page
    assert Notification.objects.filter(recipient=judge, url__endswith=f"/disputes/{dispute.pk}/").exists()
    assert dispute.events.filter(action="joint").count() == 1


def test_a_unit_can_be_a_party(client, dw):
    english(client, dw.users["worker_a"])
    response = client.post(reverse("disputes:create"), registration(
        dw, party1_name="多福巷物业公司", party1_kind="unit", party1_side="respondent", kind="property"))
    assert response.status_code == 302
    party = Dispute.objects.get().parties.get(name="多福巷物业公司")
    assert party.kind == "unit" and party.id_number is None
