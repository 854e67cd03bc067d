"""The scope sweep: every URL and API route, walked by users of two communities and of every role,
returns no record of the other community: by list, detail, export, search, map layer or download.

Both communities (build_world's A and B) get one record of every kind the platform keeps (a case with
a photo, the registers with ID and phone numbers, special care and community correction, disputes
with an agreement, petitions, stability, legal aid, points, volunteers, wishes with a proof photo,
deliberation, errands, safety, assessment, reports, the burden register, early warnings,
notifications), made by the apps' own actions, each with a marker in its text (``SWEEP-B-case``...),
its own phone and ID numbers, and a user of every role. A user of one community then walks:

* every route without parameters (lists, pages, forms, figures, exports, map layers), whole and
  searched (``?q=`` the other community's marker; a few roles also filter by the other community's
  places and records, by id and by code, and search by its ID and phone numbers): the body (HTML,
  JSON, GeoJSON, CSV, XML, or the text of an .xlsx, .docx or .pdf download) holds none of the other
  community's markers, codes, place names, usernames, phone or ID numbers (full or masked);
* every route that names a record, filled with the other community's record (its page, its API
  detail and actions, its photos and files): 403, 404 or 405 (a POST where GET is not allowed), and
  nothing of it in the body; a few roles also open their own community's records, in which nothing
  of the other may appear (the "possible duplicates" of a case, a report, a document...);
* the public views (tracking code, Open311, similar reports) with the other community's keys: they
  answer by design, without personal data.

Community A sweeps with every role; the mirror, community B, with the roles whose view is narrowed
in different ways (``SWEEPERS``). Each sweeper must also have seen every kind of its own community's
records the platform lets it see, or the sweep proves nothing about that kind.

The routes come from the URL resolver, so a route added later is swept by itself: one without
parameters as a list, a DRF route whose only parameter is ``pk`` with its viewset's model. Any other
route must be listed in RECORD_ROUTES, PARAM_ROUTES, PUBLIC_ROUTES or EXEMPT (with the reason), or
``test_every_route_is_swept_or_listed`` fails. A street dispatcher, a street-level community worker
and a superuser see both communities: those tests prove the markers are real and the fills name real
records.
"""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role
from core.privacy import id_check_character, mask_id_number, mask_phone
from jiceng.testing import Route, url_routes

pytestmark = pytest.mark.django_db

SIDES = ("A", "B")
OTHER = {"A": "B", "B": "A"}


# --- The records of each community ------------------------------------------------------------------
@dataclass
class Side:
    """One community of the sweep: its places, a user of every role, its records and its secrets."""

    key: str
    community: object
    grid: object
    department: object
    users: dict = field(default_factory=dict)  # role -> User of this community
    records: dict = field(default_factory=dict)  # model label -> pk of this community's record
    extra: dict = field(default_factory=dict)  # other route values (tokens, codes)
    secrets: set = field(default_factory=set)  # strings no user of the other community may see
    personal: set = field(default_factory=set)  # of them, the personal data (names, full phone and ID numbers)
    id_numbers: list = field(default_factory=list)
    phones: list = field(default_factory=list)
    _phones: int = 0
    _ids: int = 0

    def mark(self, kind: str) -> str:
        return f"SWEEP-{self.key}-{kind}"

    def person(self, kind: str) -> str:
        """The name of a person (a marker that is personal data)."""
        name = self.mark(kind)
        self.personal.add(name)
        return name

    def phone(self) -> str:
        """A distinct mobile number (13711111xxx for A, 13722222xxx for B); it and its mask are secrets, the
        full number is personal data."""
        self._phones += 1
        digit = "1" if self.key == "A" else "2"
        number = f"137{digit * 5}{digit}{self._phones:02d}"
        self.secrets |= {number, mask_phone(number)}
        self.personal.add(number)
        self.phones.append(number)
        return number

    def id_number(self) -> str:
        """A valid ID number (born 1980-01-01 for A, 1981-02-02 for B); it and its mask are secrets, the
        full number is personal data."""
        self._ids += 1
        born, digit = ("19800101", "1") if self.key == "A" else ("19810202", "2")
        first17 = f"110101{born}{digit}{self._ids:02d}"
        number = first17 + id_check_character(first17)
        self.secrets |= {number, mask_id_number(number)}
        self.personal.add(number)
        self.id_numbers.append(number)
        return number


def jpeg(name="sweep.jpg"):
    from cases.tests.api_builders import jpeg as make

    return make(name)


def make_users(world, side: Side) -> None:
    """A user of every role, scoped as the role usually is, inside this community."""
    from jiceng.testing import make_user
    from people.models import Address, House, Resident

    key = side.key.lower()
    for role in Role.values:
        scope = [side.grid] if role == Role.GRID_WORKER else [side.community]
        user = make_user(f"sweep_{key}_{role}", role, scope, full_name=side.person(f"user-{role}"),
                         phone=side.phone(), department=side.department if role == Role.HANDLER else None)
        side.users[role] = user
        side.secrets.add(user.username)
        side.personal.add(user.username)
    # The resident account is a resident of the register, like the participation tests' residents.
    resident_account = side.users[Role.RESIDENT_USER]
    address = Address.objects.create(grid=side.grid, code=f"{side.grid.code}-R", building="1号楼",
                                     text=side.mark("home-address"))
    house = House.objects.create(grid=side.grid, address=address)
    Resident.objects.create(grid=side.grid, name=side.person("account-resident"), house=house,
                            account=resident_account)


# Grid A spans longitudes 116.40 to 116.41, grid B 116.41 to 116.42 (build_world): both cases are on
# the same matter, some 85 m apart across the boundary (a pair the duplicate look-up would match).
BOUNDARY_LON = 116.41


def build_cases(world, side: Side) -> None:
    from cases.actions import dispatch_case, register_case, report_case
    from cases.models import Category, DutyAssignment

    category, _created = Category.objects.get_or_create(code="9901", defaults={"name": "测试类别"})
    duty, _created = DutyAssignment.objects.get_or_create(org_unit=side.community, category=category,
                                                          defaults={"department": side.department})
    side.records["cases.dutyassignment"] = duty.pk
    case, _created = report_case(
        actor=side.users[Role.RESIDENT_USER], source="resident", category=category, grid=side.grid,
        # The reporter wrote their phone number into the text: public views (tracking, Open311, similar
        # reports) show the text with it masked.
        description=f"{side.mark('case')} 井盖丢失 联系{side.phone()}", title=side.mark("case-title"),
        address=side.mark("case-address"),
        reporter_name=side.person("reporter"), reporter_phone=side.phone(), photos=[jpeg()],
        longitude=BOUNDARY_LON - 0.0005 if side.key == "A" else BOUNDARY_LON + 0.0005, latitude=39.905)
    case = register_case(case, world.users["dispatcher"])
    case = dispatch_case(case, world.users["dispatcher"], department=side.department)
    side.records["cases.case"] = case.pk
    side.records["cases.casephoto"] = case.photos.get().pk
    side.extra |= {"tracking_code": case.tracking_code, "case_number": case.number, "case_text": case.description,
                   "point": (case.longitude, case.latitude)}
    side.secrets |= {case.number, case.tracking_code}


def build_people(world, side: Side) -> None:
    from people import actions

    staff = side.users[Role.COMMUNITY_STAFF]
    address = actions.create_address(staff, grid=side.grid, code=f"{side.grid.code}-SWEEP",
                                     text=side.mark("address"))
    house = actions.create_house(staff, address=address, is_rented=True, landlord_name=side.person("landlord"),
                                 landlord_phone=side.phone())
    resident = actions.create_resident(staff, name=side.person("resident"), grid=side.grid, house=house,
                                       id_number=side.id_number(), phone=side.phone(),
                                       household_no=side.mark("household"), is_household_head=True,
                                       hukou_address=side.mark("hukou"), note=side.mark("resident-note"))
    unit = actions.create_unit(staff, grid=side.grid, name=side.mark("unit"), address=address,
                               contact_name=side.person("unit-contact"), contact_phone=side.phone())
    side.records |= {"people.address": address.pk, "people.house": house.pk, "people.resident": resident.pk,
                     "people.unitorg": unit.pk}
    side.secrets.add(address.code)


def build_care(world, side: Side) -> None:
    from care.actions import add_help_member, enrol_person, log_visit
    from people import actions as people_actions

    staff = side.users[Role.COMMUNITY_STAFF]
    officer = side.users[Role.JUSTICE_OFFICER]
    elder = people_actions.create_resident(staff, name=side.person("care-elder"), grid=side.grid,
                                           id_number=side.id_number(), phone=side.phone())
    person = enrol_person(resident=elder, kind="left_behind_elderly", start_date=date(2026, 1, 5), actor=staff,
                          responsible=staff, note=side.mark("care-note"))
    visit = log_visit(person, staff, visited_on=date(2026, 2, 3), findings=side.mark("visit"), photos=[jpeg()])
    member = add_help_member(person, staff, name=side.person("helper"), role="社区民警", duty=side.mark("duty"))
    # Community correction (社区矫正): the justice office's records.
    subject = people_actions.create_resident(staff, name=side.person("correction-subject"), grid=side.grid,
                                             id_number=side.id_number(), phone=side.phone())
    correction = enrol_person(resident=subject, kind="correction", correction_kind="probation",
                              start_date=date(2026, 1, 6), actor=officer, responsible=officer,
                              note=side.mark("correction"))
    side.records |= {"care.specialperson": person.pk, "care.visitphoto": visit.photos.get().pk,
                     "care.helpgroupmember": member.pk, "care.correction": correction.pk}


def build_disputes(world, side: Side) -> None:
    from disputes.actions import create_committee, record_agreement, register_dispute, start_campaign

    staff = side.users[Role.COMMUNITY_STAFF]
    officer = side.users[Role.JUSTICE_OFFICER]
    committee = create_committee(officer, place=side.community, name=side.mark("committee"), level="community",
                                 short_name=side.mark("c"), phone=side.phone())
    dispute = register_dispute(staff, place=side.grid, title=side.mark("dispute"), kind="neighbour",
                               description=side.mark("dispute-text"), received_on=date(2026, 3, 2), parties=[
                                   {"name": side.person("party-1"), "side": "applicant", "id_number": side.id_number(),
                                    "phone": side.phone(), "address": side.mark("party-address")},
                                   {"name": side.person("party-2"), "side": "respondent"}])
    # A second dispute, settled, for the agreement documents (the first stays open: lists show open ones).
    agreed = register_dispute(staff, place=side.grid, title=side.mark("agreed-dispute"), kind="neighbour",
                              description=side.mark("agreed-text"), received_on=date(2026, 3, 3), parties=[
                                  {"name": side.person("agreed-party"), "side": "applicant",
                                   "id_number": side.id_number(), "phone": side.phone()},
                                  {"name": side.person("agreed-party-2"), "side": "respondent"}])
    record_agreement(agreed, staff, matters=side.mark("matters"), terms=side.mark("terms"),
                     signed_on=date(2026, 3, 9))
    campaign = start_campaign(officer, place=side.community, title=side.mark("campaign"), kind="monthly",
                              starts=date(2026, 3, 1), due=date(2026, 3, 25), focus=side.mark("focus"))
    dispute.refresh_from_db()
    agreed.refresh_from_db()
    side.records |= {"disputes.committee": committee.pk, "disputes.dispute": dispute.pk,
                     "disputes.agreed": agreed.pk, "disputes.campaign": campaign.pk}
    side.secrets |= {dispute.number, agreed.number}


def build_petitions(world, side: Side) -> None:
    from petitions.actions import add_reception_day, register_petition

    staff = side.users[Role.COMMUNITY_STAFF]
    day = add_reception_day(place=side.community, actor=staff, date=date(2026, 4, 15),
                            leader_name=side.person("reception-leader"), venue=side.mark("venue"),
                            topic=side.mark("topic"))
    petition = register_petition(place=side.grid, actor=staff, petitioner_name=side.person("petitioner"),
                                 title=side.mark("petition"), matter=side.mark("matter"),
                                 petitioner_id_number=side.id_number(), petitioner_phone=side.phone(),
                                 received_on=date(2026, 4, 1))
    side.extra["petitioner_id_number"] = side.id_numbers[-1]
    side.records |= {"petitions.receptionday": day.pk, "petitions.petition": petition.pk}
    side.secrets.add(petition.number)


def build_stability_and_legal(world, side: Side) -> None:
    from legal.actions import appoint_adviser, log_service, refer_aid
    from stability.actions import register_decision

    staff = side.users[Role.COMMUNITY_STAFF]
    decision = register_decision(place=side.community, title=side.mark("decision"), kind="relocation",
                                 affected_count=40, sponsor_name=side.mark("sponsor"),
                                 description=side.mark("decision-text"), actor=staff)
    adviser = appoint_adviser(place=side.community, name=side.person("adviser"), firm=side.mark("firm"),
                              phone=side.phone(), since=date(2026, 1, 1), actor=staff)
    service = log_service(adviser, staff, date=date(2026, 1, 5), kind="consultation", subject=side.mark("service"),
                          note=side.mark("service-note"))
    referral = refer_aid(place=side.grid, applicant_name=side.person("applicant"), id_number=side.id_number(),
                         phone=side.phone(), matter_kind="unpaid_wages", matter=side.mark("aid-matter"),
                         referred_to=side.mark("aid-centre"), actor=staff)
    side.records |= {"stability.decision": decision.pk, "legal.adviser": adviser.pk, "legal.service": service.pk,
                     "legal.aidreferral": referral.pk}


def build_co_governance(world, side: Side) -> None:
    from participation import actions as participation
    from points import actions as points
    from portal.actions import save_service_item, submit_errand
    from portal.models import ServiceItem
    from volunteers import actions as volunteers
    from wishes.actions import claim, fulfil, post_wish

    staff = side.users[Role.COMMUNITY_STAFF]
    social = side.users[Role.SOCIAL_WORKER]
    volunteer_user = side.users[Role.VOLUNTEER]
    volunteer = volunteers.register_volunteer(volunteer_user, skills=["repair"], availability=side.mark("availability"))
    organisation = volunteers.create_organisation(staff, place=side.community, name=side.mark("organisation"),
                                                  kind="social_work", contact_name=side.person("org-contact"),
                                                  contact_phone=side.phone(), description=side.mark("org-text"))
    team = volunteers.create_team(staff, place=side.community, name=side.mark("team"), leader=social,
                                  description=side.mark("team-text"))
    volunteers.join_team(team, volunteer)
    today = timezone.localdate()
    project = volunteers.create_project(staff, organisation=organisation, place=side.community,
                                        title=side.mark("project"), starts_on=today,
                                        ends_on=today + timedelta(days=300), budget=1000,
                                        description=side.mark("project-text"))
    starts = timezone.now() + timedelta(days=2)
    activity = volunteers.create_activity(staff, place=side.community, title=side.mark("activity"), starts_at=starts,
                                          ends_at=starts + timedelta(hours=2), venue=side.mark("activity-venue"),
                                          capacity=3, description=side.mark("activity-text"))
    volunteers.sign_up(activity, volunteer)
    side.extra["checkin_token"] = activity.checkin_token
    side.secrets.add(activity.checkin_token)

    item = points.save_item(staff, place=side.community, name=side.mark("shop-item"), cost=10, stock=3,
                            description=side.mark("shop-text"))
    entry = points.award(volunteer_user, points=50, reason=side.mark("points-reason"), actor=staff)
    redemption = points.redeem(volunteer_user, item)

    wish = post_wish(staff, place=side.community, title=side.mark("wish"), story=side.mark("wish-story"),
                     beneficiary_kind="elderly_alone", beneficiary_alias=side.person("alias"),
                     handover_place=side.mark("handover"), handover_contact=side.phone())
    # A second wish, fulfilled with a proof photo (the first stays posted: lists show open ones).
    fulfilled = post_wish(staff, place=side.community, title=side.mark("fulfilled-wish"),
                          story=side.mark("fulfilled-story"), beneficiary_kind="elderly_alone",
                          beneficiary_alias=side.person("alias-2"), handover_contact=side.phone())
    claim(fulfilled, volunteer_user)
    fulfil(fulfilled, volunteer_user, note=side.mark("fulfil-note"), photos=[jpeg()])

    proposal = participation.propose(staff, community=side.community, title=side.mark("proposal"),
                                     body=side.mark("proposal-body"))
    participation.admit(proposal, staff)
    participation.open_vote(proposal, staff, closes_at=timezone.now() + timedelta(days=3))
    participation.comment(proposal, side.users[Role.RESIDENT_USER], body=side.mark("comment"))
    survey = participation.create_survey(staff, place=side.community, title=side.mark("survey"),
                                         intro=side.mark("survey-intro"))
    participation.add_question(survey, staff, kind="scale", text=side.mark("question"))
    participation.open_survey(survey, staff)
    fund = participation.record_fund_entry(staff, community=side.community, kind="allocation", amount="1000",
                                           counterparty=side.mark("counterparty"), purpose=side.mark("purpose"))

    service = save_service_item(staff, ServiceItem(place=side.community, name=side.mark("service-item"),
                                                   category="certificate", time_limit_days=3,
                                                   materials=side.mark("materials")))
    errand = submit_errand(side.users[Role.RESIDENT_USER], service_item=service, details=side.mark("errand"),
                           contact_phone=side.phone())
    side.records |= {
        "volunteers.volunteer": volunteer.pk, "volunteers.organisation": organisation.pk, "volunteers.team": team.pk,
        "volunteers.project": project.pk, "volunteers.activity": activity.pk, "points.item": item.pk,
        "points.redemption": redemption.pk, "points.entry": entry.pk, "wishes.wish": wish.pk,
        "wishes.fulfilled": fulfilled.pk, "wishes.wishphoto": fulfilled.photos.get().pk,
        "participation.proposal": proposal.pk, "participation.survey": survey.pk, "participation.fundentry": fund.pk,
        "portal.serviceitem": service.pk, "portal.errand": errand.pk,
    }
    side.secrets |= {proposal.number, errand.number}


def build_safety(world, side: Side) -> None:
    from django.core.files.base import ContentFile

    from safety.actions import record_drill, report_hazard, save_plan, save_source

    staff = side.users[Role.COMMUNITY_STAFF]
    source = save_source(staff, place=side.community, name=side.mark("hazard-source"), kind="gas_station",
                         address=side.mark("source-address"), responsible=side.person("responsible"),
                         phone=side.phone())
    hazard = report_hazard(staff, place=side.grid, kind="fire", description=side.mark("hazard"),
                           location=side.mark("hazard-location"), source=source, photos=[jpeg()])
    plan = save_plan(staff, place=side.community, title=side.mark("plan"), kind="fire", sources=[source],
                     file=ContentFile(side.mark("plan-file").encode(), name="plan.txt"),
                     responsible=side.mark("plan-owner"), last_reviewed=timezone.localdate())
    drill = record_drill(staff, plan=plan, held_on=timezone.localdate() - timedelta(days=3),
                         scenario=side.mark("drill"), evaluation=side.mark("evaluation"), participants=12)
    side.records |= {"safety.hazardsource": source.pk, "safety.hazard": hazard.pk, "safety.plan": plan.pk,
                     "safety.drill": drill.pk}
    side.secrets.add(hazard.number)


def build_assessment(world, side: Side) -> None:
    from django.core.files.base import ContentFile

    from assessment import actions, workers
    from assessment.models import Category, Item, Score, System, WorkerReview

    staff = side.users[Role.COMMUNITY_STAFF]
    system = System.objects.create(place=side.community, name=side.mark("assessment-system"),
                                   target_level="community", total_points=100, excellent_from=90, pass_from=80,
                                   description=side.mark("system-text"))
    category = Category.objects.create(system=system, name=side.mark("indicator-category"), points=100)
    item = Item.objects.create(category=category, name=side.mark("indicator"), points=100, method="manual",
                               standard=side.mark("standard"))
    period = actions.open_period(system, place=side.community, name=side.mark("period"), start=date(2026, 1, 1),
                                 end=date(2026, 12, 31))
    actions.compute_period(period)
    score = Score.objects.get(period=period, item=item)
    score.note = side.mark("score-note")
    score.evidence.save("evidence.txt", ContentFile(side.mark("evidence").encode()), save=True)
    rectification = actions.open_rectification(staff, place=side.community, score=score,
                                               title=side.mark("rectification"), owner=staff,
                                               deadline=date(2026, 12, 31), detail=side.mark("rect-detail"))
    workers.count_work(period)
    review = WorkerReview.objects.get(period=period, worker=side.users[Role.GRID_WORKER])
    side.records |= {"assessment.system": system.pk, "assessment.category": category.pk, "assessment.item": item.pk,
                     "assessment.period": period.pk, "assessment.score": score.pk,
                     "assessment.rectification": rectification.pk, "assessment.workerreview": review.pk}


def build_reports_taskload_intake(world, side: Side) -> None:
    from intake.models import Hotspot, HotspotKind
    from notifications.models import Notification
    from places.models import Department
    from reports.actions import generate_report, save_schedule
    from reports.content import MONTH
    from taskload.actions import register_pushdown

    staff = side.users[Role.COMMUNITY_STAFF]
    report = generate_report(side.community, MONTH, date(2026, 1, 1), actor=staff)
    schedule = save_schedule(staff, place=side.community, kind="month", recipients=[staff])
    street_department, _created = Department.objects.get_or_create(
        code="SWEEP-STREET", defaults={"name": "东华门街道城管科", "org_unit": world.street})
    pushdown = register_pushdown(world.users["dispatcher"], place=world.street, department=street_department,
                                 title=side.mark("pushdown"), kind="ledger", frequency="weekly", hours=2,
                                 start=date(2026, 1, 1), targets=[side.community], basis=side.mark("basis"),
                                 note=side.mark("pushdown-note"))
    today = timezone.localdate()
    lon = float(side.grid.geometry["coordinates"][0][0][0]) + 0.005
    lat = float(side.grid.geometry["coordinates"][0][0][1]) + 0.005
    hotspot = Hotspot.objects.create(
        kind=HotspotKind.CLUSTER, key=f"sweep-{side.key}@{lat:.4f},{lon:.4f}", label=side.mark("hotspot"),
        place=side.grid, street=world.street, first_day=today, last_day=today, window_start=today, window_end=today,
        count=6, baseline=0.5, score=4.2, reporters=6, longitude=lon, latitude=lat, radius_m=60,
        detected_at=timezone.now())
    hotspot.cases.add(side.records["cases.case"])
    notifications = [Notification.objects.create(recipient=user, kind="update", title=side.mark("notification"),
                                                 body=side.mark("notification-body"))
                     for user in side.users.values()]
    side.records |= {"reports.report": report.pk, "reports.reportschedule": schedule.pk,
                     "taskload.pushdown": pushdown.pk, "intake.hotspot": hotspot.pk}
    # The community staff member's notification is the one record routes name.
    side.records["notifications.notification"] = notifications[list(side.users).index(Role.COMMUNITY_STAFF)].pk


BUILDERS = (make_users, build_cases, build_people, build_care, build_disputes, build_petitions,
            build_stability_and_legal, build_co_governance, build_safety, build_assessment,
            build_reports_taskload_intake)


def link_across(world, sides: dict) -> None:
    """Records that reach across the boundary, so a page of one community's record has the other's at
    hand: A's petitioner comes to B too (a repeat petition, linked to A's by the ID number), and each
    early warning counts both communities' cases."""
    from intake.models import Hotspot
    from petitions.actions import register_petition

    a, b = sides["A"], sides["B"]
    repeat = register_petition(place=b.grid, actor=b.users[Role.COMMUNITY_STAFF],
                               petitioner_name=b.person("repeat-petitioner"), title=b.mark("repeat-petition"),
                               matter=b.mark("repeat-matter"), petitioner_id_number=a.extra["petitioner_id_number"],
                               petitioner_phone=b.phone(), received_on=date(2026, 4, 20))
    b.secrets.add(repeat.number)
    shared = a.extra["petitioner_id_number"]  # the same person is on both registers now: no one's secret
    a.secrets -= {shared, mask_id_number(shared)}
    a.personal.discard(shared)
    a.id_numbers.remove(shared)
    for side in sides.values():
        Hotspot.objects.get(pk=side.records["intake.hotspot"]).cases.add(
            *(other.records["cases.case"] for other in sides.values()))


@dataclass
class Sweep:
    world: object
    sides: dict
    street_users: dict
    media: object = None


def build_sweep() -> Sweep:
    from jiceng.testing import build_world, make_user

    world = build_world()
    sides = {
        "A": Side("A", world.community_a, world.grid_a, world.department_a),
        "B": Side("B", world.community_b, world.grid_b, world.department_b),
    }
    for builder in BUILDERS:
        for side in sides.values():
            builder(world, side)
    link_across(world, sides)
    for side in sides.values():
        side.records |= {"places.orgunit": side.grid.pk, "places.department": side.department.pk,
                         "accounts.user": side.users[Role.COMMUNITY_STAFF].pk}
        side.secrets |= {side.community.code, side.community.name, side.grid.name, side.department.code,
                         side.department.name, side.mark("")}
    # build_world's own users of each community (usernames staff_a, worker_a... and staff_b).
    sides["A"].secrets |= {"staff_a", "worker_a", "admin_a", "resident_a"}
    sides["B"].secrets.add("staff_b")
    # Places' names: 多福巷 (A) and 银闸 (B) name only their own community's places.
    sides["A"].secrets.add("多福巷")
    sides["B"].secrets.add("银闸")
    street_users = {
        "dispatcher": world.users["dispatcher"],
        "staff": make_user("sweep_street_staff", Role.COMMUNITY_STAFF, [world.street]),
        "root": world.users["root"],
    }
    return Sweep(world, sides, street_users)


@pytest.fixture(scope="module")
def sweep(django_db_setup, django_db_blocker, tmp_path_factory):
    """The two communities and their records, built once for the module inside a transaction that is
    rolled back at the end (each test runs in a savepoint inside it, as usual)."""
    media = tmp_path_factory.mktemp("sweep-media")
    test_settings = override_settings(
        MEDIA_ROOT=media, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sweep"}},
        DASHBOARD_CACHE_SECONDS=0, ROLLUP_SWEEP_SECONDS=0)
    with django_db_blocker.unblock(), test_settings, translation.override("en"):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                data = build_sweep()
            data.media = media
            yield data
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _sweep_media(_test_settings, settings, sweep):
    """The photos and files of the module's records (conftest gives each test a media folder of its own)."""
    settings.MEDIA_ROOT = sweep.media


# --- The routes -------------------------------------------------------------------------------------
def pk(label: str):
    """Fill ``pk`` with the community's record of this model."""
    return lambda s: {"pk": s.records[label]}


def pk_and(label: str, **more):
    """``pk`` and more kwargs: a model label (the community's record) or a literal value."""
    return lambda s: {"pk": s.records[label], **{k: s.records.get(v, v) for k, v in more.items()}}


# Routes that name a record of a community, for the routes the sweep cannot fill by itself (a DRF
# route whose only parameter is ``pk`` is filled from its viewset's model). Route name -> a function
# of a community (Side) giving the kwargs (or a list of them).
RECORD_ROUTES = {
    "places:detail": pk("places.orgunit"),
    **{f"people:{name}": pk("people.resident") for name in ("detail", "edit", "reveal", "move")},
    **{f"people:{name}": pk("people.house") for name in ("house-detail", "house-edit")},
    **{f"people:{name}": pk("people.unitorg") for name in ("unit-detail", "unit-edit")},
    **{f"care:{name}": pk("care.specialperson") for name in ("detail", "visit", "lost_contact", "transfer", "end",
                                                              "level", "help_group")},
    # The correction record (the justice office's, hidden from the rest of the place), whose kind has
    # an outcome (placement, reoffending).
    "care:outcome": pk("care.correction"),
    "care:photo": pk_and("care.specialperson", photo_pk="care.visitphoto"),
    "care:help_group_remove": pk_and("care.specialperson", member_pk="care.helpgroupmember"),
    "disputes:detail": pk("disputes.dispute"),
    "disputes:action": pk_and("disputes.dispute", name="session"),
    "disputes:agreement": lambda s: [{"pk": s.records["disputes.agreed"], "fmt": fmt} for fmt in ("docx", "pdf")],
    "disputes:record": lambda s: [{"pk": s.records["disputes.agreed"], "fmt": fmt} for fmt in ("docx", "pdf")],
    "disputes:campaign": pk("disputes.campaign"),
    "disputes:campaign-report": pk("disputes.campaign"),
    "disputes:committee": pk("disputes.committee"),
    "petitions:reception_detail": pk("petitions.receptionday"),
    **{f"petitions:{name}": pk("petitions.petition") for name in ("detail", "forward", "reply", "close", "not_accept",
                                                                   "link", "key")},
    **{f"stability:{name}": pk("stability.decision") for name in ("detail", "consult", "assess", "decide", "revise",
                                                                   "issue", "follow_up", "close")},
    **{f"legal:{name}": pk("legal.adviser") for name in ("adviser", "adviser_log", "adviser_end")},
    **{f"legal:{name}": pk("legal.aidreferral") for name in ("aid", "aid_update")},
    "points:item": pk("points.item"),
    "points:hand-over": pk("points.redemption"),
    "volunteers:activity": pk("volunteers.activity"),
    "volunteers:activity-checkin": pk("volunteers.activity"),
    "volunteers:checkin": lambda s: {"token": s.extra["checkin_token"]},
    "volunteers:team": pk("volunteers.team"),
    "volunteers:organisation": pk("volunteers.organisation"),
    "volunteers:project-create": pk("volunteers.organisation"),
    "volunteers:project": pk("volunteers.project"),
    "wishes:detail": pk("wishes.wish"),
    "wishes:photo": pk_and("wishes.fulfilled", photo_pk="wishes.wishphoto"),
    "wishes:action": pk_and("wishes.wish", name="confirm"),
    "participation:detail": pk("participation.proposal"),
    "participation:action": pk_and("participation.proposal", name="close_vote"),
    "participation:survey": pk("participation.survey"),
    "participation:survey-answer": pk("participation.survey"),
    "participation:survey-results": pk("participation.survey"),
    "participation:survey-action": pk_and("participation.survey", name="close"),
    # The fund ledger of a community: named by the community.
    "participation:fund": lambda s: {"pk": s.community.pk},
    "participation:fund-record": lambda s: {"pk": s.community.pk},
    "portal:errand": pk("portal.errand"),
    "portal:errand-action": pk_and("portal.errand", name="take"),
    "portal:service-edit": pk("portal.serviceitem"),
    "portal:community": lambda s: {"code": s.community.code},
    "safety:detail": pk("safety.hazard"),
    "safety:action": pk_and("safety.hazard", name="assign"),
    "safety:plan-file": pk("safety.plan"),
    **{f"assessment:{name}": pk("assessment.system") for name in ("system", "system-edit", "category-create",
                                                                   "period-create")},
    **{f"assessment:{name}": pk("assessment.category") for name in ("category-edit", "category-delete",
                                                                     "item-create")},
    **{f"assessment:{name}": pk("assessment.item") for name in ("item-edit", "item-delete")},
    **{f"assessment:{name}": pk("assessment.period") for name in ("period", "departments", "workers")},
    "assessment:period-action": pk_and("assessment.period", name="compute"),
    "assessment:sheet": lambda s: {"pk": s.records["assessment.period"], "place_pk": s.community.pk},
    "assessment:review": pk("assessment.workerreview"),
    "assessment:score": pk("assessment.score"),
    "assessment:evidence": pk("assessment.score"),
    "assessment:rectification": pk("assessment.rectification"),
    "assessment:rectification-step": pk_and("assessment.rectification", name="submit"),
    "reports:detail": pk("reports.report"),
    "reports:download": lambda s: [{"pk": s.records["reports.report"], "fmt": fmt} for fmt in ("xlsx", "pdf")],
    "reports:schedule-toggle": pk("reports.reportschedule"),
    "taskload:detail": pk("taskload.pushdown"),
    "taskload:action": pk_and("taskload.pushdown", name="review"),
    "intake:case-duplicates": pk("cases.case"),
    "intake:hotspot": pk("intake.hotspot"),
    "cases:detail": pk("cases.case"),
    "cases:photo": pk_and("cases.case", photo_pk="cases.casephoto"),
    "public:report-done": pk("cases.case"),
    "notifications:detail": pk("notifications.notification"),
    # API routes with more than a pk.
    "case-photo": pk_and("cases.case", photo_id="cases.casephoto"),
    "case-action": pk_and("cases.case", action_name="accept"),
}

# Routes whose parameters do not name a record: probed like a list with these values.
PARAM_ROUTES = {
    "places:outlines-geojson": [{"level": level} for level in ("street", "community", "grid")],
    # The ledger (the import templates are fixed workbooks with an example row: its grid, 多福巷, is
    # the demo district's, whose name build_world gives community A).
    "people_io:download": [{"name": "ledger"}],
    "reports:ledger-download": None,  # every ledger: filled from reports.ledgers.LEDGERS
    "open311:services": [{"fmt": "json"}, {"fmt": "xml"}],
}

# Public by design, keyed by a code the holder was given: the tracking code of a case (shows its
# status, never names, notes or places) and Open311 (the district's public view of cases, without
# reporters). Fetched with the other community's keys; only personal data (names of people, phone
# and ID numbers, usernames) must stay out.
PUBLIC_ROUTES = {
    "public:track-detail": lambda s: {"code": s.extra["tracking_code"]},
    "case-track": lambda s: {"tracking_code": s.extra["tracking_code"]},
    "case-track-evaluate": lambda s: {"tracking_code": s.extra["tracking_code"]},
    "open311:requests": lambda s: [{"fmt": "json"}, {"fmt": "xml"}],
    "open311:request": lambda s: [{"request_id": s.extra["case_number"], "fmt": fmt} for fmt in ("json", "xml")],
    "open311:service": lambda s: [{"code": "9901", "fmt": fmt} for fmt in ("json", "xml")],
    "open311:token": lambda s: [{"token": s.extra["tracking_code"], "fmt": fmt} for fmt in ("json", "xml")],
}

# Public by design, by POST: what the report form shows of similar open reports nearby while someone
# writes one (title with numbers masked, category, status, distance: intake/duplicate_views.py). Asked
# with the other community's case text at its point.
PUBLIC_POSTS = {
    "intake:similar": lambda s: {"description": s.extra["case_text"], "title": s.mark("case-title"),
                                 "longitude": s.extra["point"][0], "latitude": s.extra["point"][1]},
}

# Routes not swept, and why.
EXEMPT = {
    "login": "the sign-in page (no records; a signed-in user is sent on)",
    "logout": "ends the session the sweep runs in",
    "set_language": "stores the language choice and redirects",
    "api-token": "POST only: exchanges a password for a token",
    "openapi": "the OpenAPI document is generated from code and holds no records",
    "api-docs": "Swagger UI over the OpenAPI document",
    "api-redoc": "ReDoc over the OpenAPI document",
    "intake:activate": "a version of the routing model is deployment-wide (no place), administrators only",
}
# Django admin: superusers only, who see everything by definition.
EXEMPT_NAMESPACES = {"admin"}
# Routes without a name (they cannot be reversed), by view.
EXEMPT_VIEWS = {"jiceng.api.errors.not_found": "the API's JSON 404 for a path it does not know"}


def all_routes() -> list[Route]:
    return list(url_routes(EXEMPT_NAMESPACES))


def view_name(route: Route) -> str:
    return f"{route.view.__module__}.{route.view.__name__}"


def viewset_model(route: Route):
    """The model of a DRF viewset route, when the viewset names one."""
    cls = getattr(route.view, "cls", None)
    return getattr(cls, "model", None) if cls is not None else None


def classify(route: Route, labels) -> str:
    """list | param | record | public | exempt | auto | unknown"""
    if route.name is None:
        return "exempt" if view_name(route) in EXEMPT_VIEWS else "unknown"
    if route.name in EXEMPT:
        return "exempt"
    if route.name in PUBLIC_ROUTES or route.name in PUBLIC_POSTS:
        return "public"
    if route.name in RECORD_ROUTES:
        return "record"
    if route.name in PARAM_ROUTES:
        return "param"
    if not route.params:
        return "list"
    model = viewset_model(route)
    if route.params == ("pk",) and model is not None and model._meta.label_lower in labels:
        return "auto"
    return "unknown"


@functools.cache
def sweep_plan(labels: frozenset):
    """Every route, with how it is swept: (list/param urls, record routes: name -> fill)."""
    lists, records, public = [], {}, {}
    for route in all_routes():
        kind = classify(route, labels)
        if kind == "list":
            lists.append(reverse(route.name))
        elif kind == "param":
            values = PARAM_ROUTES[route.name]
            if values is None:
                from reports.ledgers import LEDGERS

                values = [{"name": name} for name in LEDGERS]
            lists += [reverse(route.name, kwargs=kwargs) for kwargs in values]
        elif kind == "record":
            records[route.name] = RECORD_ROUTES[route.name]
        elif kind == "auto":
            records[route.name] = pk(viewset_model(route)._meta.label_lower)
        elif kind == "public" and route.name in PUBLIC_ROUTES:
            public[route.name] = PUBLIC_ROUTES[route.name]
    return sorted(set(lists)), records, public


def fills(fill, side) -> list[dict]:
    kwargs = fill(side)
    return kwargs if isinstance(kwargs, list) else [kwargs]


# --- Reading a response -----------------------------------------------------------------------------
def body_text(response) -> str:
    """What a user gets to read: the page or JSON, or the text of a downloaded .xlsx, .docx or .pdf."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "").split(";")[0].strip()
    if kind == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(str(value) for sheet in book for row in sheet.iter_rows(values_only=True)
                         for value in row if value is not None)
    if kind == "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
        from docx import Document

        document = Document(io.BytesIO(content))
        cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    if kind == "application/pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    if kind.startswith("image/"):
        return ""  # a photo: what matters is whether it is served at all (the status)
    text = content.decode("utf-8-sig", errors="replace")
    if kind.endswith("json"):
        import json

        try:  # Django's JsonResponse escapes non-ASCII (\\u94f6): read it as the client would
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return text + response.get("Location", "")


def leaked(text: str, secrets, echoed=()) -> list[str]:
    """The secrets a response's text shows; a search term the page repeats (in its search box, its
    links) is not counted, unless a record's marker continues it."""
    for term in echoed:
        text = re.sub(re.escape(term) + r"(?![\w-])", "", text)
    return sorted(secret for secret in secrets if secret and secret in text)


# --- The sweep --------------------------------------------------------------------------------------
# The markers by which a kind of record is recognised in a response.
KINDS = {
    "cases.case": ("case", "case-title"),
    "people.address": ("address",),
    "people.house": ("landlord",),
    "people.resident": ("resident",),
    "people.unitorg": ("unit",),
    "care.specialperson": ("care-elder", "care-note", "visit"),
    "disputes.committee": ("committee",),
    "disputes.dispute": ("dispute",),
    "disputes.campaign": ("campaign",),
    "petitions.receptionday": ("reception-leader", "venue", "topic"),
    "petitions.petition": ("petition",),
    "stability.decision": ("decision",),
    "legal.adviser": ("adviser",),
    "legal.service": ("service",),
    "legal.aidreferral": ("aid-matter", "applicant"),
    "volunteers.volunteer": ("availability",),
    "volunteers.organisation": ("organisation",),
    "volunteers.team": ("team",),
    "volunteers.project": ("project",),
    "volunteers.activity": ("activity",),
    "points.item": ("shop-item",),
    "points.entry": ("points-reason",),
    "wishes.wish": ("wish",),
    "participation.proposal": ("proposal",),
    "participation.survey": ("survey",),
    "participation.fundentry": ("counterparty", "purpose"),
    "portal.serviceitem": ("service-item",),
    "portal.errand": ("errand",),
    "safety.hazardsource": ("hazard-source",),
    "safety.hazard": ("hazard",),
    "safety.plan": ("plan",),
    "safety.drill": ("drill",),
    "assessment.system": ("assessment-system",),
    "assessment.period": ("period",),
    "assessment.rectification": ("rectification",),
    "taskload.pushdown": ("pushdown",),
    "intake.hotspot": ("hotspot",),
    "notifications.notification": ("notification",),
}


def visible_kinds(user, side: Side) -> list[str]:
    """The kinds of the community's records the platform lets this user see (by role and scope)."""
    from django.apps import apps

    labels = []
    for label in KINDS:
        model = apps.get_model(label)
        if hasattr(model.objects, "visible_to"):
            if model.objects.visible_to(user).filter(pk=side.records[label]).exists():
                labels.append(label)
        elif model.objects.filter(recipient=user).exists():
            labels.append(label)  # notifications: each its recipient's alone
    return labels


# Statuses that say "not yours" without saying what it is.
REFUSED = {403, 404, 405}


# Where phone and ID numbers are kept: these lists are also searched for one of the other community's
# ID numbers and phone numbers (an exact search by number goes through a keyed hash, not the text).
NUMBER_SEARCH_PREFIXES = ("/people/", "/care/", "/petitions/", "/legal/", "/disputes/", "/cases/", "/hotline/",
                          "/api/v1/people/", "/api/v1/care/", "/api/v1/petitions/", "/api/v1/legal/",
                          "/api/v1/disputes/", "/api/v1/cases/")


def queries(url: str, other: Side, deep: tuple) -> list[dict]:
    """Each list is fetched whole (with map geometry) and searched for the other community's marker.
    ``deep`` adds: "ids", the other community's places and records named by id in the parameters that
    filter a list or fill a form (a figure, a list or a form must not follow them out of the scope);
    "codes", its places named by code; "numbers", where numbers are kept, a search for one of its ID
    and phone numbers (an exact search goes through a keyed hash, not the text)."""
    result = [{"page_size": "500", "geometry": "1"}, {"q": other.mark("")}]
    if "ids" in deep:
        records = other.records
        result.append({
            "place": other.community.pk, "grid": other.grid.pk, "community": other.community.pk,
            "department": other.department.pk, "case": records["cases.case"], "score": records["assessment.score"],
            "period": records["assessment.period"], "item": records["portal.serviceitem"],
            "reception_day": records["petitions.receptionday"], "resident": records["people.resident"],
            "house": records["people.house"], "address": records["people.address"], "plan": records["safety.plan"],
            "source": records["safety.hazardsource"], "dispute": records["disputes.dispute"],
            "campaign": records["disputes.campaign"], "petition": records["petitions.petition"],
            "adviser": records["legal.adviser"], "organisation": records["volunteers.organisation"],
            "team": records["volunteers.team"], "activity": records["volunteers.activity"],
            "user": records["accounts.user"], "system": records["assessment.system"]})
    if "codes" in deep:
        code = other.community.code
        result.append({"place": code, "under": code, "parent": code, "community": code, "grid": other.grid.code})
    if "numbers" in deep and url.startswith(NUMBER_SEARCH_PREFIXES):
        result += [{"q": other.id_numbers[0]}, {"q": other.phones[0]}]
    return result


def sweep_as(client, user, own: Side, other: Side, *, deep: tuple, own_pages: bool) -> list[str]:
    """Every route as ``user`` of ``own``: the problems found (none is the answer). ``deep``:
    filter and search by number too (``queries``); ``own_pages``: also open the pages of the user's own
    community's records (and their downloads), looking for the other community inside them."""
    problems = []
    seen = set()

    def check(method, url, response, secrets, allowed=None, echoed=()):
        if response.status_code >= 500:
            problems.append(f"{method} {url}: {response.status_code}")
        elif allowed is not None and response.status_code not in allowed:
            problems.append(f"{method} {url}: {response.status_code}, expected one of {sorted(allowed)}")
        text = body_text(response)
        found = leaked(text, secrets, echoed)
        if found:
            problems.append(f"{method} {url} shows {found}")
        seen.update(re.findall(own.mark("") + r"([\w-]+)", text))

    lists, records, public = sweep_plan(frozenset(own.records))
    for url in lists:
        whole, *searches = queries(url, other, deep)
        response = client.get(url, whole)
        check("GET", url, response, other.secrets)
        if response.status_code in (403, 405):
            continue  # the page refuses the role (or GET) outright: nothing to search
        for params in searches:
            echoed = [str(v) for v in params.values() if len(str(v)) > 5]  # the search box repeats the term
            # Searches are typed into a box that fetches the rows alone (htmx): that path too.
            response = client.get(url, params, headers={"HX-Request": "true"} if "q" in params else {})
            check("GET", f"{url}?{params}", response, other.secrets, echoed=echoed)
    for name, fill in records.items():
        for kwargs in fills(fill, other):
            url = reverse(name, kwargs=kwargs)
            echoed = [v for v in kwargs.values() if isinstance(v, str) and len(v) > 5]  # a token in the URL
            response = client.get(url)
            check("GET", url, response, other.secrets, REFUSED, echoed)
            if response.status_code == 405:  # a route for writes: try it the way it is used
                response = client.post(url, "{}", content_type="application/json")
                check("POST", url, response, other.secrets, REFUSED, echoed)
        for kwargs in fills(fill, own) if own_pages else ():
            url = reverse(name, kwargs=kwargs)
            check("GET", url, client.get(url), other.secrets)
    for name, fill in public.items():
        for kwargs in fills(fill, other):
            url = reverse(name, kwargs=kwargs)
            check("GET", url, client.get(url), other.personal)
    for name, form in PUBLIC_POSTS.items():
        response = client.post(reverse(name), form(other))
        check("POST", reverse(name), response, other.personal)
        if f'href="{reverse("cases:detail", args=[other.records["cases.case"]])}"' in body_text(response):
            problems.append(f"POST {reverse(name)} links to the other community's case")
    # The sweep is only as good as what it could see: every kind of record the role may view, it saw
    # somewhere (its own community's, on a list, a page or in the API).
    unseen = [label for label in visible_kinds(user, own) if not seen & set(KINDS[label])]
    if unseen:
        problems.append(f"never saw its own community's {unseen}: the sweep proves nothing about them")
    return problems


# Who sweeps. Community A: a user of every role, each opening every list (whole and searched) and
# every record route of B. The mirror, community B: the roles whose view is narrowed differently (by
# department, to their own reports, to the justice office's records) and the broadest one.
# A few roles of each side go deeper: filters and number searches on every list, and the pages of
# their own community's records. (Every role in every way would take minutes and run the same code.)
MIRROR_ROLES = (Role.COMMUNITY_STAFF, Role.HANDLER, Role.JUSTICE_OFFICER, Role.RESIDENT_USER)
DEEP = {("A", Role.ADMIN): ("ids", "numbers"), ("A", Role.COMMUNITY_STAFF): ("codes", "numbers"),
        ("A", Role.RESIDENT_USER): ("ids",), ("B", Role.COMMUNITY_STAFF): ("ids", "codes", "numbers")}
OWN_PAGES = {("A", Role.ADMIN), ("A", Role.HANDLER), ("A", Role.RESIDENT_USER), ("B", Role.COMMUNITY_STAFF)}
SWEEPERS = [("A", role) for role in Role.values] + [("B", role) for role in MIRROR_ROLES]


@pytest.mark.parametrize(("key", "role"), SWEEPERS, ids=[f"{key}-{role}" for key, role in SWEEPERS])
def test_no_route_shows_the_other_community(sweep, client, settings, key, role):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"  # no session row to read
    own, other = sweep.sides[key], sweep.sides[OTHER[key]]
    user = own.users[role]
    client.force_login(user)
    client.raise_request_exception = False  # a 500 is one more problem on the list
    problems = sweep_as(client, user, own, other, deep=DEEP.get((key, role), ()), own_pages=(key, role) in OWN_PAGES)
    assert not problems, f"{role} of community {key}:\n" + "\n".join(problems)


# --- The sweep itself is checked ----------------------------------------------------------------------
def test_every_route_is_swept_or_listed(sweep):
    """A new route is swept by itself, or the test names it: add it to RECORD_ROUTES (which record of a
    community fills it), PARAM_ROUTES, PUBLIC_ROUTES or EXEMPT (why it is not swept)."""
    labels = frozenset(sweep.sides["A"].records)
    routes = all_routes()
    unknown = sorted(f"{route.name or view_name(route)}: {route.pattern}" for route in routes
                     if classify(route, labels) == "unknown")
    assert not unknown, "routes the sweep cannot fill; list them in test_scope_sweep.py:\n" + "\n".join(unknown)
    names = {route.name for route in routes}
    stale = sorted((set(RECORD_ROUTES) | set(PARAM_ROUTES) | set(PUBLIC_ROUTES) | set(PUBLIC_POSTS) | set(EXEMPT))
                   - names)
    assert not stale, f"listed routes that no longer exist: {stale}"
    lists, records, _public = sweep_plan(labels)
    assert len(lists) > 150 and len(records) > 150  # the walk found the site


def test_the_fills_name_real_records(sweep, client):
    """Each record route filled with a community's record opens for someone (a superuser, or the
    community's own staff): the 404s the sweep expects are the scope's, not a wrong id's."""
    _lists, records, public = sweep_plan(frozenset(sweep.sides["A"].records))
    client.raise_request_exception = False
    problems = []
    for side in sweep.sides.values():
        viewers = [sweep.street_users["root"], *(side.users[role] for role in (
            Role.COMMUNITY_STAFF, Role.JUSTICE_OFFICER, Role.RESIDENT_USER, Role.VOLUNTEER))]
        for name, fill in {**records, **public}.items():
            for kwargs in fills(fill, side):
                url = reverse(name, kwargs=kwargs)
                statuses = []
                for viewer in viewers:
                    client.force_login(viewer)
                    statuses.append(client.get(url).status_code)
                    if statuses[-1] not in (403, 404):
                        break
                else:
                    problems.append(f"{url}: nobody may open it {statuses}")
    assert not problems, "\n".join(problems)


# What a street-level user sees of both communities: (route, kwargs, query, kinds of marker).
GRID_NAME = "grid name"  # not a marker: the name of the community's grid (a map layer's feature)
STREET_VIEWS = {
    "dispatcher": [
        ("cases:console", {}, {}, ("case-title",)),
        ("case-list", {}, {}, ("case",)),
        ("case-list", {}, {"q": "SWEEP"}, ("case",)),
        ("petitions:list", {}, {}, ("petition",)),
        ("disputes:list", {}, {"status": "all"}, ("dispute",)),
        ("safety:list", {}, {}, ("hazard",)),
        ("hazard-list", {}, {}, ("hazard",)),
        ("intake:hotspots", {}, {}, ("hotspot",)),
        ("taskload:list", {}, {}, ("pushdown",)),
        ("dashboard:hotspots", {}, {}, ("hotspot",)),
        ("places:grids-geojson", {}, {}, (GRID_NAME,)),
        ("dashboard:map", {}, {}, (GRID_NAME,)),
        ("reports:ledger-download", {"name": "cases"}, {}, ("case-title", "case")),
        ("reports:ledger-download", {"name": "petitions"}, {}, ("petition",)),
    ],
    "staff": [
        ("people:list", {}, {}, ("resident",)),
        ("resident-list", {}, {}, ("resident",)),
        ("people_io:download", {"name": "ledger"}, {}, ("resident",)),
        ("care:list", {}, {}, ("care-elder",)),
        ("reports:ledger-download", {"name": "care-persons"}, {}, ("care-elder",)),
        ("reports:ledger-download", {"name": "disputes"}, {}, ("dispute",)),
        ("wishes:list", {}, {}, ("wish",)),
        ("volunteers:activities", {}, {}, ("activity",)),
        ("participation:list", {}, {}, ("proposal",)),
        ("portal:inbox", {}, {}, ("errand", "service-item")),
        ("legal:aid_list", {}, {}, ("aid-matter", "applicant")),
    ],
}


@pytest.mark.parametrize("who", sorted(STREET_VIEWS))
def test_street_users_see_both_communities(sweep, client, who):
    """The markers are real: a user of the street sees both communities' records on lists, in the API,
    in searches and in the .xlsx ledgers (a sweep that sees nothing would prove nothing)."""
    client.force_login(sweep.street_users[who])
    problems = []
    for name, kwargs, query, kinds in STREET_VIEWS[who]:
        response = client.get(reverse(name, kwargs=kwargs), query)
        text = body_text(response)
        for side in sweep.sides.values():
            expected = [side.grid.name if kind == GRID_NAME else side.mark(kind) for kind in kinds]
            if not any(marker in text for marker in expected):
                problems.append(f"{name} {kwargs} {query}: {response.status_code}, no {expected[0]}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("key", SIDES)
def test_downloads_are_read_a_superuser_opens_each_communitys_files(sweep, client, key):
    """The sweep reads what it downloads: the photo, the dispute record as .docx and .pdf, the report as
    .xlsx and .pdf carry the community's data (and a photo is served as an image)."""
    side = sweep.sides[key]
    client.force_login(sweep.street_users["root"])
    photo = client.get(reverse("cases:photo", args=[side.records["cases.case"], side.records["cases.casephoto"]]))
    assert photo.status_code == 200 and photo["Content-Type"].startswith("image/")
    for fmt in ("docx", "pdf"):
        record = client.get(reverse("disputes:record", args=[side.records["disputes.dispute"], fmt]))
        assert side.mark("dispute") in body_text(record), fmt
    for fmt in ("xlsx", "pdf"):
        report = client.get(reverse("reports:download", args=[side.records["reports.report"], fmt]))
        assert side.community.name in body_text(report), fmt


def test_the_public_views_answer_without_personal_data(sweep, client):
    """The public probes are real: community A's staff asking the public views about B's case get it
    (Open311, the tracking page, similar reports), with the reporter's phone number masked."""
    a, b = sweep.sides["A"], sweep.sides["B"]
    client.force_login(a.users[Role.COMMUNITY_STAFF])
    phone = b.extra["case_text"].rsplit("联系", 1)[1]
    answers = {
        "open311": client.get(reverse("open311:requests", kwargs={"fmt": "json"})),
        "tracking": client.get(reverse("public:track-detail", kwargs={"code": b.extra["tracking_code"]})),
        "similar": client.post(reverse("intake:similar"), PUBLIC_POSTS["intake:similar"](b)),
    }
    for name, response in answers.items():
        text = body_text(response)
        assert response.status_code == 200 and b.mark("case") in text, name
        assert phone not in text and b.mark("reporter") not in text, name


def test_the_links_across_the_boundary_are_real(sweep, client):
    """The pages the sweep opens of a community's own records do have the other's at hand: seen from
    the street, A's case has B's as a possible duplicate, A's petition is linked to B's repeat, and A's
    early warning counts B's case."""
    a = sweep.sides["A"]
    client.force_login(sweep.street_users["dispatcher"])
    duplicates = client.get(reverse("intake:case-duplicates", args=[a.records["cases.case"]]))
    assert sweep.sides["B"].mark("case-title") in body_text(duplicates)
    client.force_login(sweep.street_users["root"])
    petition = client.get(reverse("petitions:detail", args=[a.records["petitions.petition"]]))
    assert sweep.sides["B"].mark("repeat-petition") in body_text(petition)
    hotspot = client.get(reverse("intake:hotspot", args=[a.records["intake.hotspot"]]))
    assert sweep.sides["B"].mark("case-title") in body_text(hotspot)
