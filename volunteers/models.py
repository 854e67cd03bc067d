"""Volunteers, teams, social organisations, service projects and activities (志愿服务).

Social workers lead volunteers (社工引领志愿者): volunteers register with their skills and when they are
free, join teams led by a social worker or a social organisation, and sign up to activities. The
organiser shows a QR code on site; volunteers scan it to check in and out, and the organiser confirms
their service hours, which earn points (``points.actions.award``).

Every record belongs to a place (``places.models.AtPlace``): a volunteer to their community, an
organisation, team, project or activity to the community or street that runs it. Organisations, teams,
projects and activities of a street are visible, read-only, to the communities below it
(``scope_ancestors``), so residents see who serves them; a volunteer's own record is not.
"""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.privacy import mask_phone
from places.models import AtPlace


class VolunteerSkill(models.TextChoices):
    MEDICAL = "medical", _("Medical care")
    LEGAL = "legal", _("Legal advice")
    TEACHING = "teaching", _("Teaching and tutoring")
    REPAIR = "repair", _("Repairs")
    ELDERLY_CARE = "elderly_care", _("Elderly care")
    IT = "it", _("Computers and phones")
    DRIVING = "driving", _("Driving")
    TRANSLATION = "translation", _("Translation")
    OTHER = "other", _("Other")


SKILL_LABELS = dict(VolunteerSkill.choices)


def skill_labels(codes) -> list[str]:
    return [str(SKILL_LABELS.get(code, code)) for code in codes or []]


class Volunteer(AtPlace):
    """A registered volunteer (志愿者) of a community: the person's account, skills and hours served."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE,
                                related_name="volunteer_profile")
    skills = models.JSONField(_("skills"), default=list, blank=True)
    availability = models.CharField(_("availability"), max_length=200, blank=True,
                                    help_text=_("When the volunteer is free: weekday evenings, weekends..."))
    hours_total = models.DecimalField(_("service hours"), max_digits=8, decimal_places=2, default=Decimal("0"),
                                      editable=False)
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["path", "-hours_total", "id"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.user.display_name if self.user_id else ""

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.user.phone) if self.user_id else ""

    @property
    def skill_labels(self) -> list[str]:
        return skill_labels(self.skills)


class OrganisationKind(models.TextChoices):
    SOCIAL_ORGANISATION = "social_org", _("Social organisation")
    SOCIAL_WORK_AGENCY = "social_work", _("Social work agency")
    VOLUNTEER_ASSOCIATION = "volunteer_assoc", _("Volunteer association")
    ENTERPRISE = "enterprise", _("Enterprise or unit")


class Organisation(AtPlace):
    """A social organisation (社会组织), social work agency (社工机构), volunteer association or partner unit."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    description = models.TextField(_("what it does"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    scope_ancestors = True

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path", "name"]

    def __str__(self):
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.contact_phone)


class Team(AtPlace):
    """A volunteer team (志愿服务队), led by a social worker or a person of an organisation."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("what it does"), blank=True)
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("leader"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="led_volunteer_teams")
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="teams")
    members = models.ManyToManyField(Volunteer, verbose_name=_("members"), through="TeamMembership",
                                     related_name="teams", blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    scope_ancestors = True

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["path", "name"]

    def __str__(self):
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="memberships")
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [models.UniqueConstraint(fields=["team", "volunteer"], name="volunteers_team_member_once")]

    def __str__(self):
        return f"{self.volunteer_id} @ {self.team_id}"


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")


class Project(AtPlace):
    """A service project the government buys from an organisation (政府购买服务项目)."""

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
                                     related_name="projects")
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    budget = models.DecimalField(_("budget (yuan)"), max_digits=12, decimal_places=2, default=Decimal("0"),
                                 validators=[MinValueValidator(Decimal("0"))])
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    deliverables = models.TextField(_("deliverables"), blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, validators=[MaxValueValidator(100)])
    status = models.CharField(_("status"), max_length=12, choices=ProjectStatus.choices,
                              default=ProjectStatus.PLANNED)

    scope_ancestors = True

    class Meta:
        verbose_name = _("service project")
        verbose_name_plural = _("service projects")
        ordering = ["path", "-starts_on", "id"]

    def __str__(self):
        return self.title


class ProgressReport(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    progress = models.PositiveSmallIntegerField(_("progress (%)"), validators=[MaxValueValidator(100)])
    note = models.TextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"{self.progress}%"


class ProjectRating(models.Model):
    """A resident served by the project rates it (1-5), once."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("project rating")
        verbose_name_plural = _("project ratings")
        ordering = ["-created", "-id"]
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="volunteers_rating_once")]

    def __str__(self):
        return f"{self.score}★"


class ActivityStatus(models.TextChoices):
    OPEN = "open", _("Open for sign-up")
    CLOSED = "closed", _("Sign-up closed")
    CANCELLED = "cancelled", _("Cancelled")
    FINISHED = "finished", _("Finished")


def new_token() -> str:
    return secrets.token_urlsafe(18)


class Activity(AtPlace):
    """A volunteer activity (志愿活动): place, time, places available and skills wanted."""

    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    venue = models.CharField(_("venue"), max_length=200)
    capacity = models.PositiveIntegerField(_("places available"), validators=[MinValueValidator(1)])
    skills = models.JSONField(_("skills wanted"), default=list, blank=True)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("organiser"), on_delete=models.PROTECT,
                                  related_name="organised_activities")
    team = models.ForeignKey(Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="activities")
    project = models.ForeignKey(Project, verbose_name=_("service project"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="activities")
    status = models.CharField(_("status"), max_length=12, choices=ActivityStatus.choices,
                              default=ActivityStatus.OPEN, db_index=True)
    checkin_token = models.CharField(_("check-in code"), max_length=40, unique=True, default=new_token,
                                     editable=False)

    scope_ancestors = True

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["status", "starts_at"], name="volunteers_activity_when")]

    def __str__(self):
        return self.title

    @property
    def length_hours(self) -> Decimal:
        return Decimal((self.ends_at - self.starts_at).total_seconds()) / Decimal(3600)

    @property
    def skill_labels(self) -> list[str]:
        return skill_labels(self.skills)

    def checkin_window(self):
        """From 30 minutes before the start to the end of the activity's last day (local time)."""
        start = self.starts_at - timedelta(minutes=30)
        last_day = timezone.localtime(self.ends_at).date()
        end = timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time.min))
        return start, end


class SignUpStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITING = "waiting", _("Waiting list")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Did not come")


class SignUp(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="signups")
    status = models.CharField(_("status"), max_length=12, choices=SignUpStatus.choices)
    position = models.PositiveIntegerField(_("place in the waiting list"), null=True, blank=True)
    signed_up_at = models.DateTimeField(_("signed up at"), default=timezone.now)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    hours = models.DecimalField(_("service hours"), max_digits=4, decimal_places=2, null=True, blank=True)
    hours_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="+")
    hours_confirmed_at = models.DateTimeField(_("hours confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["signed_up_at", "id"]
        constraints = [models.UniqueConstraint(fields=["activity", "volunteer"], name="volunteers_signup_once")]

    def __str__(self):
        return f"{self.volunteer} @ {self.activity}"

    @property
    def is_active(self) -> bool:
        return self.status in (SignUpStatus.CONFIRMED, SignUpStatus.WAITING, SignUpStatus.ATTENDED)
