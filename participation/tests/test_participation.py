"""Deliberation: eligibility, one vote per resident, the window, quorum and threshold, secrecy; surveys
one answer each and anonymity; the fund never overdraws; a proposal becomes a case; scope."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from participation import actions
from participation.actions import ParticipationError
from participation.eligibility import eligible_voters, is_eligible
from participation.models import Proposal, Response, Vote
from participation.results import satisfaction_score, survey_results
from participation.tests.probes import fund_entry_of, proposal_of, resident_user, survey_of
from people.models import ResidentStatus

pytestmark = pytest.mark.django_db


def voting(world, voters=(), *, secret=True, quorum="0.5", threshold="0.5", building=""):
    staff = world.users["staff_a"]
    proposal = actions.propose(staff, community=world.community_a, title="加装电梯", body="老楼加装电梯",
                               scope_kind="building" if building else "community", building=building)
    actions.admit(proposal, staff)
    actions.open_vote(proposal, staff, closes_at=timezone.now() + timedelta(days=3), secret=secret,
                      quorum=quorum, threshold=threshold)
    return Proposal.objects.get(pk=proposal.pk)


def test_eligibility(world):
    present = resident_user("r1", world.grid_a)
    moved = resident_user("r2", world.grid_a, status=ResidentStatus.MOVED_OUT)
    other_building = resident_user("r3", world.grid_a, building="2号楼")
    in_b = resident_user("rb", world.grid_b)
    proposal = voting(world)
    assert is_eligible(present, proposal)
    assert not is_eligible(moved, proposal)
    assert not is_eligible(world.users["staff_a"], proposal)  # staff without a resident record
    assert not is_eligible(world.users["resident_a"], proposal)  # an account not verified as a resident
    assert not is_eligible(in_b, proposal)
    assert set(eligible_voters(proposal)) == {present, other_building}
    lift = voting(world, building="1号楼")
    assert is_eligible(present, lift)
    assert not is_eligible(other_building, lift)


def test_one_vote_per_resident(world):
    voter = resident_user("r1", world.grid_a)
    proposal = voting(world)
    actions.cast_vote(proposal, voter, choice="yes")
    with pytest.raises(ParticipationError, match="already voted"):
        actions.cast_vote(proposal, voter, choice="no")
    assert Vote.objects.get(proposal=proposal, voter=voter).choice == "yes"
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(proposal=proposal, voter=voter, choice="no")
    with pytest.raises(ParticipationError, match="not an eligible voter"):
        actions.cast_vote(proposal, world.users["staff_a"], choice="yes")


def test_vote_window(world):
    voter = resident_user("r1", world.grid_a)
    proposal = voting(world)
    with pytest.raises(ParticipationError, match="not opened"):
        actions.cast_vote(proposal, voter, choice="yes", now=proposal.opens_at - timedelta(minutes=1))
    with pytest.raises(ParticipationError, match="closed"):
        actions.cast_vote(proposal, voter, choice="yes", now=proposal.closes_at + timedelta(minutes=1))
    discussing = actions.propose(world.users["staff_a"], community=world.community_a, title="t", body="b")
    with pytest.raises(ParticipationError):
        actions.cast_vote(discussing, voter, choice="yes")


def test_quorum_and_threshold(world):
    voters = [resident_user(f"r{i}", world.grid_a) for i in range(4)]
    staff = world.users["staff_a"]
    low = voting(world)  # 1 of 4 voted: quorum 0.5 not met -> rejected
    actions.cast_vote(low, voters[0], choice="yes")
    low = actions.close_vote(low, staff)
    assert (low.status, low.outcome, low.quorum_met, low.eligible_count, low.yes_count) == (
        "decided", "rejected", False, 4, 1)
    tie = voting(world)  # 2 of 4: quorum met; 1 yes of 2 is not more than half -> rejected
    actions.cast_vote(tie, voters[0], choice="yes")
    actions.cast_vote(tie, voters[1], choice="no")
    tie = actions.close_vote(tie, staff)
    assert (tie.quorum_met, tie.outcome) == (True, "rejected")
    win = voting(world)
    for voter, choice in zip(voters, ["yes", "yes", "abstain"], strict=False):
        actions.cast_vote(win, voter, choice=choice)
    win = actions.close_vote(win, staff)
    assert (win.quorum_met, win.outcome, win.abstain_count) == (True, "passed", 1)
    actions.publish_decision(win, staff, decision="通过，加装电梯")
    actions.add_update(win, staff, note="已开工", percent=30)
    assert Proposal.objects.get(pk=win.pk).status == "implementing"
    assert actions.mark_done(win, staff).status == "done"
    assert list(win.events.values_list("action", flat=True)) == [
        "propose", "admit", "open_vote", "close_vote", "publish_decision", "add_update", "mark_done"]


def test_secret_vote_never_shows_the_choice(world, client, api):
    voter = resident_user("r1", world.grid_a)
    proposal = voting(world, secret=True)
    actions.cast_vote(proposal, voter, choice="abstain")
    for user in (voter, world.users["staff_a"]):
        client.force_login(user)
        page = client.get(f"/participation/{proposal.pk}/").content.decode()
        assert "r1" not in page or "r1:" not in page
        assert "Abstain" not in page and "弃权" not in page.split("pt-choices")[-1] if "pt-choices" in page else True
        api.force_authenticate(user)
        body = api.get(f"/api/v1/participation/proposals/{proposal.pk}/").json()
        assert body["vote"]["votes"] == [] and body["vote"]["counts"] is None
        assert "abstain\"" not in str(body["vote"])
    api.force_authenticate(voter)
    assert api.get(f"/api/v1/participation/proposals/{proposal.pk}/").json()["vote"]["voted"] is True
    page = client.get(f"/participation/{proposal.pk}/").content.decode()
    assert "弃权" not in page and "Abstain" not in page  # the staff page during the vote


def test_vote_and_comment_through_the_api(world, api):
    voter = resident_user("r1", world.grid_a)
    proposal = voting(world, secret=False)
    api.force_authenticate(voter)
    url = f"/api/v1/participation/proposals/{proposal.pk}/"
    assert api.post(url + "comment/", {"body": "支持"}, format="json").status_code == 201
    response = api.post(url + "vote/", {"choice": "yes"}, format="json")
    assert response.status_code == 201
    assert response.json()["vote"]["counts"]["yes"] == 1
    again = api.post(url + "vote/", {"choice": "no"}, format="json")
    assert again.status_code == 400 and "choice" in again.json()["fields"]
    api.force_authenticate(world.users["resident_a"])  # not a verified resident
    assert api.post(url + "vote/", {"choice": "no"}, format="json").status_code == 400


def test_vote_on_the_page(world, client):
    voter = resident_user("r1", world.grid_a)
    proposal = voting(world)
    client.force_login(voter)
    assert client.post(f"/participation/{proposal.pk}/", {"op": "vote", "choice": "yes"}).status_code == 302
    assert client.post(f"/participation/{proposal.pk}/", {"op": "vote", "choice": "no"}).status_code == 400
    assert Vote.objects.filter(proposal=proposal).count() == 1


def test_survey_one_answer_and_anonymity(world, client, api):
    staff = world.users["staff_a"]
    respondent = resident_user("r1", world.grid_a)
    survey = actions.create_survey(staff, place=world.community_a, title="满意度调查", anonymous=True)
    scale = actions.add_question(survey, staff, kind="scale", text="总体满意度")
    pick = actions.add_question(survey, staff, kind="multiple", text="最关心", choices="停车\n绿化\n治安")
    text = actions.add_question(survey, staff, kind="text", text="建议", required=False)
    actions.open_survey(survey, staff)
    with pytest.raises(ParticipationError, match="Please answer"):
        actions.submit_response(survey, respondent, answers={str(pick.pk): ["停车"]})
    with pytest.raises(ParticipationError, match="mark from"):
        actions.submit_response(survey, respondent, answers={str(scale.pk): 9, str(pick.pk): ["停车"]})
    actions.submit_response(survey, respondent, answers={str(scale.pk): 4, str(pick.pk): ["停车", "治安"],
                                                         str(text.pk): "多装路灯"})
    with pytest.raises(ParticipationError, match="already answered"):
        actions.submit_response(survey, respondent, answers={str(scale.pk): 5, str(pick.pk): ["停车"]})
    with pytest.raises(ParticipationError, match="verified residents"):
        actions.submit_response(survey, world.users["resident_a"], answers={str(scale.pk): 5})
    assert Response.objects.count() == 1
    results = survey_results(survey)
    assert results["questions"][0]["mean"] == 4
    assert results["questions"][1]["counts"][0] == {"choice": "停车", "count": 1, "share": 1.0}
    assert results["questions"][2]["texts"] == ["多装路灯"]
    today = timezone.localdate()
    assert satisfaction_score(world.community_a, today, today) == 75.0
    assert satisfaction_score(world.community_b, today, today) is None
    client.force_login(staff)
    page = client.get(f"/participation/surveys/{survey.pk}/results/").content.decode()
    assert "多装路灯" in page and "r1" not in page


def test_survey_answer_page(world, client):
    staff = world.users["root"]  # a street survey needs street scope
    respondent = resident_user("r1", world.grid_a)
    survey = actions.create_survey(staff, place=world.street, title="街道满意度")
    q = actions.add_question(survey, staff, kind="single", text="满意吗", choices=["满意", "不满意"])
    actions.open_survey(survey, staff)
    client.force_login(respondent)
    assert client.get(f"/participation/surveys/{survey.pk}/answer/").status_code == 200
    assert client.post(f"/participation/surveys/{survey.pk}/answer/", {f"q{q.pk}": "满意"}).status_code == 302
    assert client.post(f"/participation/surveys/{survey.pk}/answer/", {f"q{q.pk}": "满意"}).status_code == 400


def test_fund_cannot_overdraw(world):
    staff = world.users["staff_a"]
    voter = resident_user("r1", world.grid_a)
    actions.record_fund_entry(staff, community=world.community_a, kind="allocation", amount="1000")
    proposal = voting(world)
    with pytest.raises(ParticipationError, match="passed"):
        actions.record_fund_entry(staff, community=world.community_a, kind="spending", amount="10",
                                  proposal=proposal)
    actions.cast_vote(proposal, voter, choice="yes")
    actions.close_vote(proposal, staff)
    proposal.refresh_from_db()
    with pytest.raises(ParticipationError, match="deliberation"):
        actions.record_fund_entry(staff, community=world.community_a, kind="spending", amount="10")
    with pytest.raises(ParticipationError, match="holds only"):
        actions.record_fund_entry(staff, community=world.community_a, kind="spending", amount="1000.01",
                                  proposal=proposal)
    actions.record_fund_entry(staff, community=world.community_a, kind="spending", amount="990", proposal=proposal)
    actions.record_fund_entry(staff, community=world.community_a, kind="fee", amount="10")
    assert actions.balance(world.community_a) == Decimal(0)
    with pytest.raises(ParticipationError):
        actions.record_fund_entry(world.users["staff_b"], community=world.community_a, kind="donation", amount="5")


def test_refer_to_case(world):
    from cases.models import Category

    category = Category.objects.create(code="9901", name="测试类别")
    proposal = voting(world)
    proposal.status = "discussing"
    proposal.save()
    proposal = actions.refer_to_case(proposal, world.users["staff_a"], category=category,
                                     description="需要住建部门评估电梯加装")
    assert proposal.case is not None and proposal.case.grid_id == world.grid_a.pk
    with pytest.raises(ParticipationError):
        actions.refer_to_case(proposal, world.users["staff_a"], category=category, description="again")


def test_residents_act_staff_of_another_community_cannot(world):
    resident = resident_user("r1", world.grid_a)
    proposal = actions.propose(resident, community=world.community_a, title="楼道灯", body="楼道灯坏了")
    assert proposal.proposer_kind == "resident"
    with pytest.raises(ParticipationError):
        actions.propose(resident, community=world.community_b, title="x", body="y")
    with pytest.raises(ParticipationError):
        actions.admit(proposal, world.users["staff_b"])
    with pytest.raises(ParticipationError):
        actions.admit(proposal, resident)


def test_scope_lists_and_404(world, client, api):
    b_proposal, b_survey, b_entry = proposal_of(world), survey_of(world), fund_entry_of(world)
    client.force_login(world.users["staff_a"])
    for url in ("/participation/", "/participation/surveys/", "/participation/fund/"):
        body = client.get(url, follow=True).content.decode()
        assert "银闸" not in body, url
    for url in (f"/participation/{b_proposal.pk}/", f"/participation/surveys/{b_survey.pk}/",
                f"/participation/fund/{world.community_b.pk}/"):
        assert client.get(url).status_code == 404
    api.force_authenticate(world.users["staff_a"])
    for url in ("proposals", "surveys", "fund"):
        assert "银闸" not in api.get(f"/api/v1/participation/{url}/").content.decode()
    assert api.get(f"/api/v1/participation/fund/{b_entry.pk}/").status_code == 404
    client.force_login(world.users["staff_b"])
    assert "银闸" in client.get("/participation/").content.decode()


def test_cogov_figures_count_what_residents_and_social_forces_do(client, world):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Role
    from jiceng.testing import make_user
    from participation.figures import cogov_figures
    from volunteers.models import Activity, SignUp, Volunteer

    now = timezone.now()
    volunteer_user = make_user("vol_fig", Role.VOLUNTEER, [world.community_a])
    volunteer = Volunteer.objects.create(place=world.community_a, user=volunteer_user)
    activity = Activity.objects.create(place=world.community_a, title="敬老活动", starts_at=now - timedelta(hours=3),
                                       ends_at=now - timedelta(hours=1), capacity=5,
                                       organiser=world.users["staff_a"], status="finished")
    SignUp.objects.create(activity=activity, volunteer=volunteer, status="attended", hours=2)
    today = timezone.localdate()
    figures = cogov_figures(world.users["leader"], today - timedelta(days=1), today)
    assert (figures.volunteers, figures.active_volunteers, figures.hours, figures.activities) == (1, 1, 2.0, 1)
    client.force_login(world.users["leader"])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(reverse("participation:figures")).content.decode()
    assert 'data-figure="hours">2<' in page and 'data-figure="active">1<' in page
    client.force_login(world.users["resident_a"])
    assert client.get(reverse("participation:figures")).status_code == 403
