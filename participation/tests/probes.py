"""Records of community B for the scope walk, and builders shared by the tests."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import Role
from jiceng.testing import make_user
from people.models import Address, House, Resident, ResidentStatus


def resident_user(username, grid, building="1号楼", status=ResidentStatus.PRESENT, code=None):
    """A resident account linked to a verified resident record living in ``building`` of ``grid``."""
    community = grid.parent
    user = make_user(username, Role.RESIDENT_USER, [community])
    address = Address.objects.create(grid=grid, code=code or f"{grid.code}-{username}", building=building,
                                     text=f"{building}{username}")
    house = House.objects.create(grid=grid, address=address)
    Resident.objects.create(grid=grid, name=username, house=house, status=status, account=user)
    return user


def proposal_of(w, status="voting", secret=True):
    from participation import actions
    from participation.models import Proposal

    found = Proposal.objects.filter(place=w.community_b).first()
    if found:
        return found
    staff = w.users["staff_b"]
    proposal = actions.propose(staff, community=w.community_b, title="银闸 停车", body="停车难")
    actions.admit(proposal, staff)
    if status == "voting":
        actions.open_vote(proposal, staff, closes_at=timezone.now() + timedelta(days=3), secret=secret)
    return Proposal.objects.get(pk=proposal.pk)


def survey_of(w):
    from participation import actions
    from participation.models import Survey, SurveyStatus

    found = Survey.objects.filter(place=w.community_b).first()
    if found:
        return found
    staff = w.users["staff_b"]
    survey = actions.create_survey(staff, place=w.community_b, title="银闸 满意度")
    actions.add_question(survey, staff, kind="scale", text="满意吗")
    actions.open_survey(survey, staff)
    return Survey.objects.get(pk=survey.pk, status=SurveyStatus.OPEN)


def fund_entry_of(w):
    from participation import actions
    from participation.models import FundEntry

    found = FundEntry.objects.filter(place=w.community_b).first()
    return found or actions.record_fund_entry(w.users["staff_b"], community=w.community_b, kind="allocation",
                                              amount="1000", counterparty="银闸 街道")
