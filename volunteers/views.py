"""Pages of volunteer services: activities (sign-up, waiting list, the organiser's roster, QR check-in and
hours confirmation), a volunteer's own page, the volunteers of the area (staff), teams, organisations with
their service projects (rated by residents) and the public register.

Lists start from ``visible_to``; single records come from ``get_visible_or_404``; every change goes
through ``volunteers.actions``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import has_model_permission
from accounts.scope import CHANGE, VIEW, get_visible_or_404
from core.pages import form_page, put_error, query_without_page, require_permission

from . import actions, forms
from .actions import VolunteerError
from .models import (
    Activity,
    ActivityStatus,
    Organisation,
    Project,
    SignUp,
    SignUpStatus,
    Team,
    Volunteer,
)

PAGE_SIZE = 25
TAKEN = (SignUpStatus.CONFIRMED, SignUpStatus.ATTENDED)


def _my_volunteer(user) -> Volunteer | None:
    return Volunteer.objects.filter(user=user).select_related("place").first() if user.is_authenticated else None


def _with_counts(activities):
    return activities.annotate(
        taken=Count("signups", filter=Q(signups__status__in=TAKEN)),
        waiting=Count("signups", filter=Q(signups__status=SignUpStatus.WAITING)),
    )


def _can_change(user, obj) -> bool:
    return type(obj).objects.visible_to(user, CHANGE).filter(pk=obj.pk).exists()


# --- Activities -------------------------------------------------------------------------------------
@login_required
def activity_list(request):
    user = request.user
    require_permission(user, Activity)
    past = request.GET.get("when") == "past"
    now = timezone.now()
    activities = _with_counts(Activity.objects.visible_to(user).select_related("place"))
    if past:
        activities = activities.filter(ends_at__lt=now).order_by("-starts_at", "-id")
    else:
        activities = activities.filter(ends_at__gte=now).exclude(status=ActivityStatus.CANCELLED) \
            .order_by("starts_at", "id")
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    for activity in page.object_list:
        activity.left = max(0, activity.capacity - activity.taken)
    return render(request, "volunteers/activities.html", {
        "page": page, "query": query_without_page(request), "past": past,
        "can_create": has_model_permission(user, Activity, CHANGE), "me": _my_volunteer(user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request):
    user = request.user
    require_permission(user, Activity, CHANGE)
    form = forms.ActivityForm(request.POST or None, user=user)
    return form_page(request, form, lambda data: actions.create_activity(user, **data), done=_("Activity posted."),
                     next_url=lambda activity: reverse("volunteers:activity", args=[activity.pk]),
                     template="volunteers/form.html",
                     context={"title": _("Post an activity"), "back": reverse("volunteers:activities")})


def _roster(activity):
    signups = list(activity.signups.select_related("volunteer__user", "hours_confirmed_by")
                   .order_by("status", "position", "signed_up_at", "id"))
    for signup in signups:
        signup.computed = actions.computed_hours(signup, activity)
    return signups


@login_required
@require_http_methods(["GET", "POST"])
def activity_detail(request, pk):
    user = request.user
    activity = get_visible_or_404(Activity.objects.select_related("place", "organiser", "team", "project"),
                                  user, VIEW, pk=pk)
    manage = activity.organiser_id == user.pk or _can_change(user, activity)
    me = _my_volunteer(user)
    mine = SignUp.objects.filter(activity=activity, volunteer=me).first() if me else None
    if request.method == "POST":
        try:
            done = _activity_post(request, activity, me, mine, manage)
        except VolunteerError as error:
            messages.error(request, error.message)
        else:
            if done:
                messages.success(request, done)
        return redirect("volunteers:activity", pk=activity.pk)
    taken = activity.signups.filter(status__in=TAKEN).count()
    waiting = list(activity.signups.filter(status=SignUpStatus.WAITING).order_by("position", "id")
                   .values_list("pk", flat=True))
    return render(request, "volunteers/activity.html", {
        "activity": activity, "manage": manage, "me": me, "mine": mine,
        "left": max(0, activity.capacity - taken), "taken": taken, "waiting_count": len(waiting),
        "my_rank": waiting.index(mine.pk) + 1 if mine and mine.pk in waiting else None,
        "roster": _roster(activity) if manage else None, "now": timezone.now(),
        "started": activity.starts_at <= timezone.now(), "cap": actions.cap_hours(activity),
    })


def _activity_post(request, activity, me, mine, manage) -> str:
    do = request.POST.get("do", "")
    user = request.user
    if do == "sign_up":
        if me is None:
            raise VolunteerError(_("Register as a volunteer first."))
        signup = actions.sign_up(activity, me)
        return _("You have a place.") if signup.status == SignUpStatus.CONFIRMED else \
            _("The activity is full: you are on the waiting list.")
    if do == "cancel":
        if mine is None:
            raise VolunteerError(_("You have not signed up."))
        actions.cancel_sign_up(mine, user)
        return _("Sign-up cancelled.")
    if not manage:
        raise PermissionDenied
    if do in ("remove", "no_show"):
        signup = activity.signups.filter(pk=request.POST.get("signup") or 0).first()
        if signup is None:
            raise VolunteerError(_("No such sign-up."))
        if do == "remove":
            actions.cancel_sign_up(signup, user)
            return _("Sign-up cancelled.")
        actions.mark_no_show(signup, user)
        return _("Marked as not come.")
    if do == "confirm":
        hours = {}
        for key in request.POST.getlist("signup"):
            if key.isdigit():
                hours[int(key)] = request.POST.get(f"hours_{key}", "").strip() or None
        if not hours:
            raise VolunteerError(_("Tick the volunteers whose hours you confirm."))
        done = actions.confirm_hours(activity, user, hours)
        return _("Hours confirmed for %(n)d volunteers.") % {"n": len(done)}
    if do == "cancel_activity":
        actions.cancel_activity(activity, user, reason=request.POST.get("reason", ""))
        return _("Activity cancelled; the volunteers were told.")
    if do == "finish":
        actions.finish_activity(activity, user)
        return _("Activity closed.")
    raise VolunteerError(_("Unknown action."))


@login_required
@require_http_methods(["GET", "POST"])
def activity_checkin(request, pk):
    """The organiser's phone: the QR code volunteers scan to check in and out."""
    from .qr import qr_svg

    user = request.user
    activity = get_visible_or_404(Activity, user, VIEW, pk=pk)
    if not (activity.organiser_id == user.pk or _can_change(user, activity)):
        raise PermissionDenied(_("Only the organiser shows the check-in code."))
    if request.method == "POST":
        actions.rotate_token(activity, user)
        messages.success(request, _("New check-in code: the old one no longer works."))
        return redirect("volunteers:activity-checkin", pk=activity.pk)
    url = request.build_absolute_uri(reverse("volunteers:checkin", args=[activity.checkin_token]))
    signups = activity.signups.filter(status__in=TAKEN)
    return render(request, "volunteers/checkin_code.html", {
        "activity": activity, "url": url, "svg": qr_svg(url),
        "checked_in": signups.filter(checked_in_at__isnull=False).count(),
        "checked_out": signups.filter(checked_out_at__isnull=False).count(), "expected": signups.count(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request, token):
    """The volunteer's phone, opened from the QR code: one big button to check in, then to check out."""
    user = request.user
    activity = get_visible_or_404(Activity, user, VIEW, checkin_token=token)
    me = _my_volunteer(user)
    signup = SignUp.objects.filter(activity=activity, volunteer=me).first() if me else None
    if request.method == "POST" and me is not None:
        try:
            if signup and signup.checked_in_at and not signup.checked_out_at:
                actions.check_out(token, me)
                messages.success(request, _("Checked out. Thank you for your service!"))
            else:
                actions.check_in(token, me)
                messages.success(request, _("Checked in. Welcome!"))
        except VolunteerError as error:
            messages.error(request, error.message)
        return redirect("volunteers:checkin", token=token)
    return render(request, "volunteers/checkin.html", {"activity": activity, "me": me, "signup": signup})


# --- A volunteer's own page -------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def mine(request):
    user = request.user
    me = _my_volunteer(user)
    form = forms.RegisterForm(request.POST or None, initial={"skills": me.skills, "availability": me.availability}
                              if me else None)
    if request.method == "POST" and form.is_valid():
        try:
            if me is None:
                actions.register_volunteer(user, **form.cleaned_data)
                messages.success(request, _("Welcome: you are registered as a volunteer."))
            else:
                actions.update_volunteer(me, **form.cleaned_data)
                messages.success(request, _("Saved."))
        except VolunteerError as error:
            put_error(form, error)
        else:
            return redirect("volunteers:mine")
    signups = []
    if me:
        signups = list(me.signups.select_related("activity__place").order_by("-activity__starts_at"))
    return render(request, "volunteers/mine.html", {
        "me": me, "form": form, "signups": signups, "now": timezone.now(),
        "can_register": user.role in actions.VOLUNTEER_ROLES,
        "teams": me.teams.all() if me else [],
    }, status=400 if request.method == "POST" else 200)


# --- Volunteers (staff) -----------------------------------------------------------------------------
@login_required
def volunteer_list(request):
    user = request.user
    require_permission(user, Volunteer, CHANGE)
    form = forms.VolunteerFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    volunteers = Volunteer.objects.visible_to(user).select_related("user", "place").order_by("path", "-hours_total",
                                                                                              "id")
    if data.get("q"):
        volunteers = volunteers.filter(Q(user__full_name__icontains=data["q"]) | Q(user__username=data["q"]))
    if data.get("skill"):
        volunteers = volunteers.filter(skills__icontains=f'"{data["skill"]}"')
    page = Paginator(volunteers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "volunteers/volunteers.html", {"form": form, "page": page,
                                                          "query": query_without_page(request)})


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_create(request):
    user = request.user
    require_permission(user, Volunteer, CHANGE)
    form = forms.StaffRegisterForm(request.POST or None, user=user)
    def run(data):
        return actions.register_volunteer(data["user"], skills=data["skills"], availability=data["availability"],
                                          actor=user)

    return form_page(request, form, run, done=_("Volunteer registered."), next_url=reverse("volunteers:volunteers"),
                     template="volunteers/form.html",
                     context={"title": _("Register a volunteer"), "back": reverse("volunteers:volunteers")})


# --- Teams, organisations, projects -----------------------------------------------------------------
@login_required
def team_list(request):
    user = request.user
    require_permission(user, Team)
    teams = (Team.objects.visible_to(user).filter(is_active=True).select_related("place", "leader", "organisation")
             .annotate(member_count=Count("memberships")).order_by("path", "name"))
    page = Paginator(teams, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "volunteers/teams.html", {
        "page": page, "query": query_without_page(request), "can_create": has_model_permission(user, Team, CHANGE)})


@login_required
@require_http_methods(["GET", "POST"])
def team_detail(request, pk):
    user = request.user
    team = get_visible_or_404(Team.objects.select_related("place", "leader", "organisation"), user, VIEW, pk=pk)
    me = _my_volunteer(user)
    if request.method == "POST":
        try:
            if me is None:
                raise VolunteerError(_("Register as a volunteer first."))
            actions.join_team(team, me)
        except VolunteerError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("You joined the team."))
        return redirect("volunteers:team", pk=team.pk)
    manage = _can_change(user, team)
    members = team.memberships.select_related("volunteer__user").order_by("joined_on") if manage else None
    now = timezone.now()
    return render(request, "volunteers/team.html", {
        "team": team, "members": members, "member_count": team.memberships.count(), "me": me,
        "is_member": bool(me and team.memberships.filter(volunteer=me).exists()),
        "can_join": bool(me and me.path.startswith(team.path)),
        "activities": team.activities.filter(ends_at__gte=now).exclude(status=ActivityStatus.CANCELLED)
        .order_by("starts_at")[:10],
    })


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request):
    user = request.user
    require_permission(user, Team, CHANGE)
    form = forms.TeamForm(request.POST or None, user=user)
    return form_page(request, form, lambda data: actions.create_team(user, **data), done=_("Saved."),
                     next_url=lambda team: reverse("volunteers:team", args=[team.pk]), template="volunteers/form.html",
                     context={"title": _("New team"), "back": reverse("volunteers:teams")})


@login_required
def organisation_list(request):
    user = request.user
    require_permission(user, Organisation)
    organisations = (Organisation.objects.visible_to(user).filter(is_active=True).select_related("place")
                     .annotate(project_count=Count("projects", distinct=True)).order_by("path", "name"))
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "volunteers/organisations.html", {
        "page": page, "query": query_without_page(request),
        "can_create": has_model_permission(user, Organisation, CHANGE)})


@login_required
def organisation_detail(request, pk):
    user = request.user
    organisation = get_visible_or_404(Organisation.objects.select_related("place"), user, VIEW, pk=pk)
    projects = (Project.objects.visible_to(user).filter(organisation=organisation).select_related("place")
                .annotate(rating=Avg("ratings__score"), rating_count=Count("ratings")).order_by("-starts_on"))
    teams = Team.objects.visible_to(user).filter(organisation=organisation, is_active=True)
    return render(request, "volunteers/organisation.html", {
        "organisation": organisation, "projects": projects, "teams": teams,
        "manage": _can_change(user, organisation)})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    user = request.user
    require_permission(user, Organisation, CHANGE)
    form = forms.OrganisationForm(request.POST or None, user=user)
    return form_page(request, form, lambda data: actions.create_organisation(user, **data), done=_("Saved."),
                     next_url=lambda organisation: reverse("volunteers:organisation", args=[organisation.pk]),
                     template="volunteers/form.html",
                     context={"title": _("New organisation"), "back": reverse("volunteers:organisations")})


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request, pk):
    user = request.user
    organisation = get_visible_or_404(Organisation, user, VIEW, pk=pk)
    require_permission(user, Project, CHANGE)
    form = forms.ProjectForm(request.POST or None, user=user)
    return form_page(request, form, lambda data: actions.create_project(user, organisation=organisation, **data),
                     done=_("Saved."), next_url=lambda project: reverse("volunteers:project", args=[project.pk]),
                     template="volunteers/form.html", context={
                         "title": _("New service project of %(name)s") % {"name": organisation.name},
                         "back": reverse("volunteers:organisation", args=[organisation.pk])})


@login_required
@require_http_methods(["GET", "POST"])
def project_detail(request, pk):
    user = request.user
    project = get_visible_or_404(Project.objects.select_related("place", "organisation"), user, VIEW, pk=pk)
    manage = _can_change(user, project)
    rated = project.ratings.filter(user=user).first()
    may_rate = actions.may_rate(user, project) and rated is None
    rating_form = forms.RatingForm(request.POST if request.POST.get("do") == "rate" else None)
    progress_form = forms.ProgressForm(request.POST if request.POST.get("do") == "progress" else None,
                                       initial={"progress": project.progress})
    if request.method == "POST":
        form = rating_form if request.POST.get("do") == "rate" else progress_form
        if form is progress_form and not manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                if form is rating_form:
                    actions.rate_project(project, user, **form.cleaned_data)
                    messages.success(request, _("Thank you for your rating."))
                else:
                    actions.report_progress(project, user, **form.cleaned_data)
                    messages.success(request, _("Progress recorded."))
            except VolunteerError as error:
                put_error(form, error)
            else:
                return redirect("volunteers:project", pk=project.pk)
    summary = project.ratings.aggregate(avg=Avg("score"), n=Count("id"))
    return render(request, "volunteers/project.html", {
        "project": project, "manage": manage, "may_rate": may_rate, "rated": rated,
        "rating_form": rating_form, "progress_form": progress_form, "summary": summary,
        "ratings": project.ratings.all()[:20], "reports": project.reports.select_related("author")[:20],
    }, status=400 if request.method == "POST" else 200)


# --- The public register ----------------------------------------------------------------------------
@login_required
def public_register(request):
    """Who does what in the place: teams, organisations and their projects (no personal phone numbers)."""
    user = request.user
    require_permission(user, Organisation)
    teams = (Team.objects.visible_to(user).filter(is_active=True).select_related("place", "leader", "organisation")
             .annotate(member_count=Count("memberships")).order_by("path", "name"))
    projects = Project.objects.visible_to(user).annotate(rating=Avg("ratings__score"), rating_count=Count("ratings"))
    organisations = (Organisation.objects.visible_to(user).filter(is_active=True).select_related("place")
                     .prefetch_related(Prefetch("projects", queryset=projects.order_by("-starts_on"),
                                                to_attr="visible_projects"))
                     .order_by("path", "name"))
    return render(request, "volunteers/register.html", {
        "teams": teams[:200], "organisations": organisations[:200],
        "volunteer_count": Volunteer.objects.visible_to(user).filter(is_active=True).count()
        if has_model_permission(user, Volunteer, VIEW) else None,
    })
