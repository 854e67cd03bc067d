"""Demo volunteer services: about twenty volunteers per community (the demo volunteer accounts, some
residents and extra volunteer accounts), a team per community led by a street social worker, two or
three organisations per street with service projects rated by residents, activities over the last two
months (finished, with check-ins and confirmed hours that earned points) and the next two weeks (open,
some full with a waiting list).

Written in bulk; deterministic from the demo seed. Needs the places and users steps."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Role, User
from core.demo import ChineseNames, DemoContext, demo_step

from .models import (
    Activity,
    ActivityStatus,
    Organisation,
    OrganisationKind,
    ProgressReport,
    Project,
    ProjectRating,
    ProjectStatus,
    SignUp,
    SignUpStatus,
    Team,
    TeamMembership,
    Volunteer,
    VolunteerSkill,
    new_token,
)

VOLUNTEERS_PER_COMMUNITY = 20
RESIDENT_VOLUNTEERS = 6
PAST_ACTIVITIES = 4  # per community, over the last two months
NEXT_ACTIVITIES = 3  # per community, over the next two weeks
AVAILABILITY = ["工作日晚上", "周末", "周末上午", "工作日白天", "随时可以"]
ACTIVITIES = [
    ("四点半课堂课业辅导", "社区活动室", [VolunteerSkill.TEACHING], (16, 30), 60),
    ("空巢老人走访陪伴", "社区居委会门口集合", [VolunteerSkill.ELDERLY_CARE], (9, 0), 120),
    ("义诊量血压", "社区卫生服务站", [VolunteerSkill.MEDICAL], (9, 0), 150),
    ("家电义务维修", "社区广场", [VolunteerSkill.REPAIR], (9, 30), 180),
    ("老年人智能手机课堂", "社区党群服务中心", [VolunteerSkill.IT, VolunteerSkill.TEACHING], (14, 30), 90),
    ("法律咨询进社区", "社区广场", [VolunteerSkill.LEGAL], (9, 0), 120),
    ("胡同环境清洁日", "胡同口集合", [], (8, 30), 120),
    ("周末剧场放映服务", "星光广场", [], (19, 0), 120),
    ("红袖章治安巡逻", "社区居委会门口集合", [], (19, 0), 90),
]
ORGANISATIONS = [
    ("{street}民悦社会工作服务中心", OrganisationKind.SOCIAL_WORK_AGENCY,
     "专业社工驻站服务，开展入户探访、需求评估，引领志愿者开展常态化服务。"),
    ("{street}邻里守望志愿者协会", OrganisationKind.VOLUNTEER_ASSOCIATION,
     "组织辖区志愿者开展助老、助学、环境整治和治安巡逻。"),
    ("{street}阳光助老服务社", OrganisationKind.SOCIAL_ORGANISATION,
     "为高龄、独居、空巢老人提供助餐、助洁、陪伴和精神慰藉服务。"),
]
PROJECTS = [
    ("社工引领志愿者助老服务项目", "入户探访300人次；建立空巢老人档案；组织志愿服务活动24场", 180000),
    ("四点半课堂青少年成长项目", "每个上学日16:30-17:30课业辅导；主题活动12场；志愿者培训4次", 120000),
    ("社区微心愿征集与圆梦项目", "征集困难青少年、空巢老人心愿100个；结对帮扶50对", 60000),
]
COMMENTS = ["服务很贴心，老人很满意", "志愿者很耐心", "希望活动能多办几次", "孩子的作业辅导很有帮助", "还可以更好",
            ""]


def _at(day, hm) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(*hm)))


@demo_step("volunteers", order=750, flush=(
    "volunteers.SignUp", "volunteers.Activity", "volunteers.ProjectRating", "volunteers.ProgressReport",
    "volunteers.Project", "volunteers.TeamMembership", "volunteers.Team", "volunteers.Organisation",
    "volunteers.Volunteer"))
def make_volunteers(ctx: DemoContext) -> None:
    if not ctx.communities:
        return
    rng = ctx.rng("volunteers")
    names = ChineseNames(rng)
    today = timezone.localdate(ctx.now)
    password = ctx.password_hash()
    by_place: dict[int, list[User]] = {}
    for role in (Role.VOLUNTEER, Role.RESIDENT_USER, Role.SOCIAL_WORKER):
        for user in ctx.users.get(role, []):
            by_place.setdefault((role, user.org_unit_id), []).append(user)

    # Volunteer accounts: the demo ones, some residents and extra volunteer accounts.
    extra_users = []
    for community in ctx.communities:
        have = len(by_place.get((Role.VOLUNTEER, community.pk), [])) + min(
            RESIDENT_VOLUNTEERS, len(by_place.get((Role.RESIDENT_USER, community.pk), [])))
        for i in range(max(0, VOLUNTEERS_PER_COMMUNITY - have)):
            last, first = names.full()
            extra_users.append(User(username=f"vol{community.code}{i + 1:02d}", password=password,
                                    role=Role.VOLUNTEER, full_name=last + first, last_name=last, first_name=first,
                                    org_unit=community, phone=f"139{int(rng.integers(10**7, 10**8)):08d}"))
    User.objects.bulk_create(extra_users, batch_size=500)
    Scope = User.scope_units.through
    Scope.objects.bulk_create([Scope(user_id=u.pk, orgunit_id=u.org_unit_id) for u in extra_users], batch_size=1000)
    for user in extra_users:
        by_place.setdefault((Role.VOLUNTEER, user.org_unit_id), []).append(user)
        ctx.users[Role.VOLUNTEER].append(user)

    skills = VolunteerSkill.values
    volunteers, per_community = [], {}
    for community in ctx.communities:
        people = by_place.get((Role.VOLUNTEER, community.pk), []) + \
            by_place.get((Role.RESIDENT_USER, community.pk), [])[:RESIDENT_VOLUNTEERS]
        rows = []
        for user in people:
            picked = sorted({skills[int(k)] for k in rng.integers(0, len(skills), size=int(rng.integers(1, 3)))})
            rows.append(Volunteer(user=user, place=community, path=community.path, skills=picked,
                                  availability=AVAILABILITY[int(rng.integers(len(AVAILABILITY)))],
                                  joined_on=today - timedelta(days=int(rng.integers(60, 900)))))
        per_community[community.pk] = rows
        volunteers.extend(rows)
    Volunteer.objects.bulk_create(volunteers, batch_size=500)

    # Organisations and projects per street, teams per community.
    organisations, projects, teams = [], [], []
    street_orgs: dict[int, list[Organisation]] = {}
    for street in ctx.streets:
        short = street.name.removesuffix("街道")
        count = 2 + int(rng.integers(0, 2))
        orgs = []
        for name, kind, description in ORGANISATIONS[:count]:
            last, first = names.full()
            orgs.append(Organisation(place=street, path=street.path, name=name.format(street=short), kind=kind,
                                     description=description, contact_name=last + first,
                                     contact_phone=f"010-6{int(rng.integers(10**6, 10**7)):07d}",
                                     credit_code=f"52110101MJ{int(rng.integers(10**7, 10**8)):08d}"))
        street_orgs[street.pk] = orgs
        organisations.extend(orgs)
    Organisation.objects.bulk_create(organisations)
    for street in ctx.streets:
        for org, (title, deliverables, budget) in zip(street_orgs[street.pk], PROJECTS, strict=False):
            starts = today - timedelta(days=int(rng.integers(60, 300)))
            ends = starts + timedelta(days=365)
            progress = min(100, int((today - starts).days * 100 / 365) + int(rng.integers(-10, 10)))
            projects.append(Project(place=street, path=street.path, organisation=org, title=title, budget=budget,
                                    deliverables=deliverables, starts_on=starts, ends_on=ends,
                                    progress=max(5, progress), status=ProjectStatus.RUNNING,
                                    description=org.description))
    Project.objects.bulk_create(projects)
    reports, ratings = [], []
    for project in projects:
        for k, share in enumerate((0.3, 0.6, 1.0)):
            reports.append(ProgressReport(project=project, progress=int(project.progress * share),
                                          note=f"第{k + 1}阶段：按计划推进，完成阶段性服务目标",
                                          created=ctx.now - timedelta(days=60 - 25 * k)))
        residents = [u for c in ctx.children(project.place) for u in by_place.get((Role.RESIDENT_USER, c.pk), [])[:3]]
        for user in residents:
            if rng.random() < 0.5:
                ratings.append(ProjectRating(project=project, user=user, score=int(rng.choice([3, 4, 4, 5, 5])),
                                             comment=COMMENTS[int(rng.integers(len(COMMENTS)))],
                                             created=ctx.now - timedelta(days=int(rng.integers(1, 50)))))
    ProgressReport.objects.bulk_create(reports)
    ProjectRating.objects.bulk_create(ratings, batch_size=500)

    street_of = {c.pk: c.parent_id for c in ctx.communities}
    for community in ctx.communities:
        workers = by_place.get((Role.SOCIAL_WORKER, street_of[community.pk]), [])
        orgs = street_orgs.get(street_of[community.pk], [])
        teams.append(Team(place=community, path=community.path, name=f"{community.name}志愿服务队",
                          leader=workers[int(rng.integers(len(workers)))] if workers else None,
                          organisation=orgs[0] if orgs else None,
                          description="社工引领，志愿者参与助老、助学、环境和治安志愿服务"))
    Team.objects.bulk_create(teams)
    memberships = []
    for team in teams:
        for volunteer in per_community[team.place_id]:
            if rng.random() < 0.7:
                memberships.append(TeamMembership(team=team, volunteer=volunteer, joined_on=volunteer.joined_on))
    TeamMembership.objects.bulk_create(memberships, batch_size=1000)

    # Activities: past (finished, with attendance and confirmed hours) and coming (open).
    activities, plans = [], []
    team_of = {t.place_id: t for t in teams}
    project_of = {p.place_id: p for p in projects}
    for community in ctx.communities:
        team = team_of[community.pk]
        organiser = team.leader or by_place.get((Role.VOLUNTEER, community.pk), [None])[0]
        if organiser is None:
            continue
        days = sorted(int(d) for d in rng.choice(range(2, 60), size=PAST_ACTIVITIES, replace=False))
        days = [-d for d in days] + [int(d) for d in rng.integers(1, 15, size=NEXT_ACTIVITIES)]
        for offset in days:
            title, venue, wanted, hm, minutes = ACTIVITIES[int(rng.integers(len(ACTIVITIES)))]
            starts = _at(today + timedelta(days=offset), hm)
            capacity = int(rng.choice([5, 8, 10, 12]))
            activity = Activity(place=community, path=community.path, title=title, venue=f"{community.name}{venue}",
                                description=f"{title}，欢迎有意愿的志愿者报名参加。", starts_at=starts,
                                ends_at=starts + timedelta(minutes=minutes), capacity=capacity, skills=list(wanted),
                                organiser=organiser, team=team, project=project_of.get(community.parent_id),
                                checkin_token=new_token(),
                                status=ActivityStatus.FINISHED if offset < 0 else ActivityStatus.OPEN)
            activities.append(activity)
            plans.append((activity, community))
    Activity.objects.bulk_create(activities, batch_size=500)

    signups, hours_by_volunteer, awards = [], {}, []
    for activity, community in plans:
        pool = per_community[community.pk]
        past = activity.starts_at < ctx.now
        # Some coming activities fill up and get a waiting list.
        wanted = activity.capacity + int(rng.integers(1, 4)) if (not past and rng.random() < 0.35) \
            else int(rng.integers(max(1, activity.capacity // 2), activity.capacity + 1))
        chosen = [pool[int(i)] for i in rng.choice(len(pool), size=min(wanted, len(pool)), replace=False)]
        length = (activity.ends_at - activity.starts_at).total_seconds() / 3600
        for n, volunteer in enumerate(chosen):
            signed = activity.starts_at - timedelta(days=int(rng.integers(1, 7)), minutes=int(rng.integers(0, 600)))
            row = SignUp(activity=activity, volunteer=volunteer, signed_up_at=signed)
            if n >= activity.capacity:
                row.status, row.position = SignUpStatus.WAITING, n - activity.capacity + 1
            elif not past:
                row.status = SignUpStatus.CONFIRMED
            elif rng.random() < 0.1:
                row.status = SignUpStatus.NO_SHOW
            else:
                row.status = SignUpStatus.ATTENDED
                row.checked_in_at = activity.starts_at - timedelta(minutes=int(rng.integers(0, 15)))
                row.checked_out_at = activity.ends_at + timedelta(minutes=int(rng.integers(-20, 10)))
                hours = min(Decimal(round(((row.checked_out_at - row.checked_in_at).total_seconds() / 3600) * 2)) / 2,
                            Decimal(int(length * 2)) / 2)
                row.hours, row.hours_confirmed_by = hours, activity.organiser
                row.hours_confirmed_at = activity.ends_at + timedelta(hours=2)
                hours_by_volunteer[volunteer.pk] = hours_by_volunteer.get(volunteer.pk, Decimal(0)) + hours
            signups.append(row)
    SignUp.objects.bulk_create(signups, batch_size=1000)
    for volunteer in volunteers:
        volunteer.hours_total = hours_by_volunteer.get(volunteer.pk, Decimal(0))
    Volunteer.objects.bulk_update([v for v in volunteers if v.hours_total], ["hours_total"], batch_size=1000)
    awards = [s for s in signups if s.hours]
    ctx.count(gettext("points for service hours"), _award_points(awards))

    ctx.count(gettext("volunteers"), len(volunteers))
    ctx.count(gettext("volunteer teams"), len(teams))
    ctx.count(gettext("organisations"), len(organisations))
    ctx.count(gettext("service projects"), len(projects))
    ctx.count(gettext("volunteer activities"), len(activities))
    ctx.count(gettext("sign-ups"), len(signups))


def _award_points(signups: list[SignUp]) -> int:
    """Points for confirmed hours, written in bulk like ``points.actions.award`` would (one entry per sign-up,
    source ``volunteers.signup:<id>``), with the accounts' balances."""
    from points.actions import award_in_bulk
    from points.models import Rule

    rule = Rule.objects.filter(code="service_hour", is_active=True).first()
    if rule is None or not signups:
        return 0
    return award_in_bulk(
        (signup.volunteer.user_id, round(rule.points * signup.hours) if rule.per_hour else rule.points,
         f"志愿服务：{signup.activity.title}，{signup.hours}小时", rule, f"volunteers.signup:{signup.pk}",
         signup.hours_confirmed_by_id)
        for signup in sorted(signups, key=lambda s: s.hours_confirmed_at))
