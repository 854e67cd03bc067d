"""Every write of the volunteers app, one atomic function each, raising ``VolunteerError`` with the field
at fault.

Callers fetch records through ``get_visible_or_404`` (the scope is theirs to check); these functions check
who may do what and when. Capacity holds under concurrent sign-ups: the activity row is locked
(``select_for_update``) while confirmed places are counted.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.scope import CHANGE, covers
from core.errors import DomainError
from notifications.models import Kind
from notifications.service import notify

from .models import (
    Activity,
    ActivityStatus,
    Organisation,
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
)

CHECKIN_GRACE = timedelta(minutes=30)
HALF_HOUR = Decimal("0.5")
VOLUNTEER_ROLES = (Role.VOLUNTEER, Role.RESIDENT_USER)


class VolunteerError(DomainError):
    """A refused volunteers action."""


def _can_change(user, obj) -> bool:
    return type(obj).objects.visible_to(user, CHANGE).filter(pk=obj.pk).exists()


def _clean_skills(skills) -> list[str]:
    skills = list(dict.fromkeys(skills or []))
    unknown = [s for s in skills if s not in VolunteerSkill.values]
    if unknown:
        raise VolunteerError(_("Unknown skill: %(skill)s.") % {"skill": unknown[0]}, field="skills")
    return skills


# --- Volunteers, organisations, teams, projects ------------------------------------------------------
@transaction.atomic
def register_volunteer(user, *, skills=(), availability: str = "", actor=None, place=None) -> Volunteer:
    """Register ``user`` as a volunteer of their community (themself, or by staff of the place)."""
    actor = actor or user
    if user.role not in VOLUNTEER_ROLES:
        raise VolunteerError(_("Only residents and volunteers can register as volunteers."), field="user")
    place = place or user.org_unit
    if place is None:
        raise VolunteerError(_("The account has no home community."), field="place")
    if actor.pk != user.pk and not covers(actor, place.path):
        raise VolunteerError(_("This place is outside your area."), field="place")
    if Volunteer.objects.filter(user=user).exists():
        raise VolunteerError(_("Already registered as a volunteer."), field="user")
    return Volunteer.objects.create(user=user, place=place, skills=_clean_skills(skills),
                                    availability=(availability or "").strip())


@transaction.atomic
def update_volunteer(volunteer: Volunteer, *, skills=(), availability: str = "", is_active: bool | None = None):
    volunteer.skills = _clean_skills(skills)
    volunteer.availability = (availability or "").strip()
    if is_active is not None:
        volunteer.is_active = is_active
    volunteer.save()
    return volunteer


def _check_place(actor, place) -> None:
    if place is None or not covers(actor, place.path):
        raise VolunteerError(_("This place is outside your area."), field="place")


@transaction.atomic
def create_organisation(actor, *, place, **fields) -> Organisation:
    _check_place(actor, place)
    if not (fields.get("name") or "").strip():
        raise VolunteerError(_("Please give a name."), field="name")
    return Organisation.objects.create(place=place, **fields)


@transaction.atomic
def create_team(actor, *, place, name: str, leader=None, organisation=None, description: str = "") -> Team:
    _check_place(actor, place)
    if organisation is not None and not (place.path.startswith(organisation.path)
                                         or organisation.path.startswith(place.path)):
        raise VolunteerError(_("The organisation is not of this place."), field="organisation")
    return Team.objects.create(place=place, name=name.strip(), leader=leader or actor, organisation=organisation,
                               description=description)


@transaction.atomic
def join_team(team: Team, volunteer: Volunteer) -> TeamMembership:
    if not volunteer.path.startswith(team.path):
        raise VolunteerError(_("This team serves another place."), field="team")
    membership, created = TeamMembership.objects.get_or_create(team=team, volunteer=volunteer)
    if not created:
        raise VolunteerError(_("Already a member of this team."), field="team")
    return membership


@transaction.atomic
def create_project(actor, *, organisation: Organisation, place, title: str, starts_on, ends_on, budget=0,
                   deliverables: str = "", description: str = "", status=ProjectStatus.PLANNED) -> Project:
    _check_place(actor, place)
    if ends_on < starts_on:
        raise VolunteerError(_("The end is before the start."), field="ends_on")
    return Project.objects.create(organisation=organisation, place=place, title=title.strip(), budget=budget,
                                  starts_on=starts_on, ends_on=ends_on, deliverables=deliverables,
                                  description=description, status=status)


@transaction.atomic
def report_progress(project: Project, actor, *, progress: int, note: str) -> ProgressReport:
    if not 0 <= int(progress) <= 100:
        raise VolunteerError(_("Progress is between 0 and 100."), field="progress")
    if not (note or "").strip():
        raise VolunteerError(_("Please say what was done."), field="note")
    project = Project.objects.select_for_update().get(pk=project.pk)
    project.progress = int(progress)
    if project.progress >= 100:
        project.status = ProjectStatus.COMPLETED
    elif project.status == ProjectStatus.PLANNED and project.progress > 0:
        project.status = ProjectStatus.RUNNING
    project.save(update_fields=["progress", "status", "updated"])
    return ProgressReport.objects.create(project=project, progress=project.progress, note=note.strip(), author=actor)


def may_rate(user, project: Project) -> bool:
    return bool(user.is_authenticated and user.role == Role.RESIDENT_USER and user.org_unit_id
                and user.org_unit.path.startswith(project.path))


@transaction.atomic
def rate_project(project: Project, user, *, score: int, comment: str = "") -> ProjectRating:
    """A resident of the project's place rates it, once."""
    if not may_rate(user, project):
        raise VolunteerError(_("Only residents served by the project can rate it."), field="score")
    if not 1 <= int(score) <= 5:
        raise VolunteerError(_("Give 1 to 5 stars."), field="score")
    try:
        with transaction.atomic():
            return ProjectRating.objects.create(project=project, user=user, score=int(score),
                                                comment=(comment or "").strip())
    except IntegrityError as error:
        raise VolunteerError(_("You have already rated this project."), field="score") from error


# --- Activities -------------------------------------------------------------------------------------
@transaction.atomic
def create_activity(actor, *, place, title: str, starts_at, ends_at, venue: str, capacity: int, skills=(),
                    description: str = "", team=None, project=None, organiser=None) -> Activity:
    _check_place(actor, place)
    if ends_at <= starts_at:
        raise VolunteerError(_("The end must be after the start."), field="ends_at")
    if capacity < 1:
        raise VolunteerError(_("At least one place."), field="capacity")
    return Activity.objects.create(place=place, title=title.strip(), starts_at=starts_at, ends_at=ends_at,
                                   venue=venue.strip(), capacity=capacity, skills=_clean_skills(skills),
                                   description=description, team=team, project=project,
                                   organiser=organiser or actor)


def _activity_url(activity: Activity) -> str:
    return reverse("volunteers:activity", args=[activity.pk])


@transaction.atomic
def sign_up(activity: Activity, volunteer: Volunteer) -> SignUp:
    """A confirmed place while places remain, else a place on the waiting list."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status != ActivityStatus.OPEN:
        raise VolunteerError(_("This activity is not open for sign-up."), field="activity")
    if activity.ends_at <= timezone.now():
        raise VolunteerError(_("This activity is over."), field="activity")
    if not volunteer.is_active:
        raise VolunteerError(_("Your volunteer registration is not active."), field="volunteer")
    existing = SignUp.objects.select_for_update().filter(activity=activity, volunteer=volunteer).first()
    if existing and existing.status != SignUpStatus.CANCELLED:
        raise VolunteerError(_("You have already signed up for this activity."), field="activity")
    confirmed = SignUp.objects.filter(activity=activity, status__in=(SignUpStatus.CONFIRMED,
                                                                       SignUpStatus.ATTENDED)).count()
    signup = existing or SignUp(activity=activity, volunteer=volunteer)
    signup.signed_up_at = timezone.now()
    if confirmed < activity.capacity:
        signup.status, signup.position = SignUpStatus.CONFIRMED, None
    else:
        last = SignUp.objects.filter(activity=activity).aggregate(last=Max("position"))["last"] or 0
        signup.status, signup.position = SignUpStatus.WAITING, last + 1
    signup.save()
    return signup


def _may_manage(user, activity: Activity) -> bool:
    return activity.organiser_id == user.pk or _can_change(user, activity)


@transaction.atomic
def cancel_sign_up(signup: SignUp, actor) -> SignUp | None:
    """Cancel a sign-up (the volunteer, or the organiser). A freed place goes to the first on the waiting
    list, who is told. Returns the promoted sign-up, if any."""
    activity = Activity.objects.select_for_update().get(pk=signup.activity_id)
    signup = SignUp.objects.select_for_update().select_related("volunteer").get(pk=signup.pk)
    if signup.volunteer.user_id != actor.pk and not _may_manage(actor, activity):
        raise VolunteerError(_("Only the volunteer or the organiser can cancel this sign-up."), field="signup")
    if signup.status not in (SignUpStatus.CONFIRMED, SignUpStatus.WAITING):
        raise VolunteerError(_("This sign-up cannot be cancelled any more."), field="signup")
    was_confirmed = signup.status == SignUpStatus.CONFIRMED
    signup.status, signup.position = SignUpStatus.CANCELLED, None
    signup.save(update_fields=["status", "position"])
    if not was_confirmed or activity.status != ActivityStatus.OPEN or activity.ends_at <= timezone.now():
        return None
    return _promote(activity)


def _promote(activity: Activity) -> SignUp | None:
    confirmed = SignUp.objects.filter(activity=activity, status__in=(SignUpStatus.CONFIRMED,
                                                                       SignUpStatus.ATTENDED)).count()
    if confirmed >= activity.capacity:
        return None
    first = (SignUp.objects.select_for_update().select_related("volunteer__user")
             .filter(activity=activity, status=SignUpStatus.WAITING).order_by("position", "id").first())
    if first is None:
        return None
    first.status, first.position = SignUpStatus.CONFIRMED, None
    first.save(update_fields=["status", "position"])
    notify([first.volunteer.user], kind=Kind.UPDATE,
           title=_("You have a place: %(title)s") % {"title": activity.title},
           body=_("A place came free and you moved up from the waiting list. See you on %(when)s at %(venue)s.") % {
               "when": timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M"), "venue": activity.venue},
           url=_activity_url(activity))
    return first


@transaction.atomic
def cancel_activity(activity: Activity, actor, *, reason: str = "") -> Activity:
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if not _may_manage(actor, activity):
        raise VolunteerError(_("Only the organiser can cancel the activity."), field="activity")
    if activity.status in (ActivityStatus.CANCELLED, ActivityStatus.FINISHED):
        raise VolunteerError(_("This activity is already over."), field="status")
    activity.status = ActivityStatus.CANCELLED
    activity.save(update_fields=["status", "updated"])
    people = [s.volunteer.user for s in activity.signups.select_related("volunteer__user")
              .filter(status__in=(SignUpStatus.CONFIRMED, SignUpStatus.WAITING))]
    notify(people, kind=Kind.UPDATE, title=_("Activity cancelled: %(title)s") % {"title": activity.title},
           body=reason, url=_activity_url(activity))
    return activity


@transaction.atomic
def rotate_token(activity: Activity, actor) -> Activity:
    """A new check-in code (the old QR code stops working)."""
    from .models import new_token

    if not _may_manage(actor, activity):
        raise VolunteerError(_("Only the organiser can change the check-in code."), field="activity")
    activity.checkin_token = new_token()
    activity.save(update_fields=["checkin_token", "updated"])
    return activity


def _on_site(token: str, volunteer: Volunteer, now) -> tuple[Activity, SignUp]:
    activity = Activity.objects.select_for_update().filter(checkin_token=token).first()
    if activity is None:
        raise VolunteerError(_("This check-in code is not valid."), field="token")
    if activity.status == ActivityStatus.CANCELLED:
        raise VolunteerError(_("This activity was cancelled."), field="token")
    start, end = activity.checkin_window()
    if not start <= now < end:
        raise VolunteerError(_("Check-in is open from 30 minutes before the start until the end of the "
                               "activity's day."), field="token")
    signup = SignUp.objects.select_for_update().filter(activity=activity, volunteer=volunteer).first()
    if signup is None or signup.status not in (SignUpStatus.CONFIRMED, SignUpStatus.ATTENDED):
        raise VolunteerError(_("You have no confirmed place in this activity."), field="token")
    return activity, signup


@transaction.atomic
def check_in(token: str, volunteer: Volunteer, *, now=None) -> SignUp:
    now = now or timezone.now()
    _activity, signup = _on_site(token, volunteer, now)
    if signup.checked_in_at:
        raise VolunteerError(_("You have already checked in."), field="token")
    signup.checked_in_at = now
    signup.status = SignUpStatus.ATTENDED
    signup.save(update_fields=["checked_in_at", "status"])
    return signup


@transaction.atomic
def check_out(token: str, volunteer: Volunteer, *, now=None) -> SignUp:
    now = now or timezone.now()
    _activity, signup = _on_site(token, volunteer, now)
    if not signup.checked_in_at:
        raise VolunteerError(_("Check in first."), field="token")
    if signup.checked_out_at:
        raise VolunteerError(_("You have already checked out."), field="token")
    signup.checked_out_at = max(now, signup.checked_in_at)
    signup.save(update_fields=["checked_out_at"])
    return signup


def round_half_hour(hours: Decimal) -> Decimal:
    return (Decimal(hours) / HALF_HOUR).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * HALF_HOUR


def computed_hours(signup: SignUp, activity: Activity) -> Decimal | None:
    """Hours from check-in to check-out, rounded to the half hour, at most the activity's length."""
    if not (signup.checked_in_at and signup.checked_out_at):
        return None
    seconds = (signup.checked_out_at - signup.checked_in_at).total_seconds()
    return min(round_half_hour(Decimal(seconds) / Decimal(3600)), cap_hours(activity))


def cap_hours(activity: Activity) -> Decimal:
    return round_half_hour(activity.length_hours)


@transaction.atomic
def confirm_hours(activity: Activity, organiser, hours_by_signup: dict) -> list[SignUp]:
    """The organiser confirms service hours: ``{signup id: hours, or None to compute them from the check-in
    and check-out}``. Adds the hours to the volunteers' totals and awards points (once per sign-up)."""
    from points.actions import award
    from points.models import Entry, Rule

    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if not _may_manage(organiser, activity):
        raise VolunteerError(_("Only the organiser can confirm service hours."), field="activity")
    if activity.starts_at > timezone.now():
        raise VolunteerError(_("The activity has not started yet."), field="activity")
    signups = {s.pk: s for s in SignUp.objects.select_for_update().select_related("volunteer__user")
               .filter(activity=activity, pk__in=[int(k) for k in hours_by_signup])}
    cap = cap_hours(activity)
    rule = Rule.objects.filter(code="service_hour", is_active=True).exists()
    now, done = timezone.now(), []
    for key, value in hours_by_signup.items():
        signup = signups.get(int(key))
        field = f"hours_{key}"
        if signup is None:
            raise VolunteerError(_("No such sign-up in this activity."), field=field)
        if signup.hours_confirmed_at:
            continue  # confirmed before: hours and points stand
        if signup.status not in (SignUpStatus.CONFIRMED, SignUpStatus.ATTENDED):
            raise VolunteerError(_("%(name)s has no place in this activity.") % {"name": signup.volunteer.name},
                                 field=field)
        if value in (None, ""):
            hours = computed_hours(signup, activity)
            if hours is None:
                raise VolunteerError(_("%(name)s did not check in and out: give the hours.")
                                     % {"name": signup.volunteer.name}, field=field)
        else:
            try:
                hours = round_half_hour(Decimal(str(value)))
            except ArithmeticError as error:
                raise VolunteerError(_("Give a number of hours."), field=field) from error
            hours = min(hours, cap)
        if hours <= 0:
            raise VolunteerError(_("Service hours must be more than zero."), field=field)
        signup.hours, signup.hours_confirmed_by, signup.hours_confirmed_at = hours, organiser, now
        signup.status = SignUpStatus.ATTENDED
        signup.save(update_fields=["hours", "hours_confirmed_by", "hours_confirmed_at", "status"])
        Volunteer.objects.filter(pk=signup.volunteer_id).update(hours_total=F("hours_total") + hours)
        source = f"volunteers.signup:{signup.pk}"
        if rule and not Entry.objects.filter(account__user=signup.volunteer.user, source=source).exists():
            award(signup.volunteer.user, rule="service_hour", hours=hours, source=source, actor=organiser,
                  reason=_("Volunteer service: %(title)s, %(hours)s h") % {"title": activity.title, "hours": hours})
        done.append(signup)
    return done


@transaction.atomic
def mark_no_show(signup: SignUp, organiser) -> SignUp:
    activity = signup.activity
    if not _may_manage(organiser, activity):
        raise VolunteerError(_("Only the organiser can mark who did not come."), field="signup")
    signup = SignUp.objects.select_for_update().get(pk=signup.pk)
    if signup.status != SignUpStatus.CONFIRMED or signup.checked_in_at:
        raise VolunteerError(_("Only a confirmed volunteer who did not check in can be marked absent."),
                             field="signup")
    if activity.starts_at > timezone.now():
        raise VolunteerError(_("The activity has not started yet."), field="signup")
    signup.status = SignUpStatus.NO_SHOW
    signup.save(update_fields=["status"])
    return signup


@transaction.atomic
def finish_activity(activity: Activity, actor) -> Activity:
    if not _may_manage(actor, activity):
        raise VolunteerError(_("Only the organiser can close the activity."), field="activity")
    activity.status = ActivityStatus.FINISHED
    activity.save(update_fields=["status", "updated"])
    return activity
