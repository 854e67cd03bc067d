"""Cases (事件 / 工单): categories with their time limits, the duty list, the case, its timeline and photos.

The states and the transitions between them are in ``workflow.py``; every write is an action in
``actions.py``; working time is in ``worktime.py``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from encrypted_fields.fields import EncryptedCharField

from accounts.scope import ScopedQuerySet


class CategoryKind(models.TextChoices):
    EVENT = "event", _("Event")
    COMPONENT = "component", _("Component")


class LimitUnit(models.TextChoices):
    WORKING = "working", _("Working hours")
    NATURAL = "natural", _("Natural hours")


class Step(models.TextChoices):
    """The timed steps of a case; each has a limit per category."""

    REGISTER = "register", pgettext_lazy("case stage", "Register")
    DISPATCH = "dispatch", _("Dispatch")
    HANDLE = "handle", _("Handle")
    VERIFY = "verify", _("Verify")


class Category(models.Model):
    """A case category (大类/小类) of the digital city-management classification.

    A top-level row (no parent) is a major class; its children are minor classes. Each category has
    a default department and a time limit per step; a minor class with a limit left empty takes its
    major class's.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=CategoryKind.choices, default=CategoryKind.EVENT)
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64)
    parent = models.ForeignKey(
        "self", verbose_name=_("major class"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    default_department = models.ForeignKey(
        "places.Department",
        verbose_name=_("default department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="categories",
    )
    limit_unit = models.CharField(_("limits counted in"), max_length=16, choices=LimitUnit.choices,
                                  default=LimitUnit.WORKING)
    register_hours = models.DecimalField(_("register within (hours)"), max_digits=6, decimal_places=1,
                                         null=True, blank=True, validators=[MinValueValidator(0.1)])
    dispatch_hours = models.DecimalField(_("dispatch within (hours)"), max_digits=6, decimal_places=1,
                                         null=True, blank=True, validators=[MinValueValidator(0.1)])
    handle_hours = models.DecimalField(_("handle within (hours)"), max_digits=6, decimal_places=1,
                                       null=True, blank=True, validators=[MinValueValidator(0.1)])
    verify_hours = models.DecimalField(_("verify within (hours)"), max_digits=6, decimal_places=1,
                                       null=True, blank=True, validators=[MinValueValidator(0.1)])
    is_active = models.BooleanField(_("active"), default=True)

    # Used when neither the category nor its major class sets a limit.
    DEFAULT_HOURS = {Step.REGISTER: 1, Step.DISPATCH: 1, Step.HANDLE: 24, Step.VERIFY: 4}

    class Meta:
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    def limit(self, step: str) -> tuple[float, str]:
        """(hours, unit) allowed for a step: this class's limit, else its major class's, else the default."""
        for category in (self, self.parent):
            if category is not None:
                hours = getattr(category, f"{step}_hours")
                if hours is not None:
                    return float(hours), category.limit_unit
        return float(self.DEFAULT_HOURS[step]), (self.parent or self).limit_unit


class DutyAssignment(models.Model):
    """One row of the duty list (权责清单): in this place, cases of this category belong to this department.

    The most specific row wins (the deepest place, a minor class before its major class); where no row
    applies the category's default department takes it, and where that department does not serve the
    place, the territorial office of the place does (属地兜底).
    """

    org_unit = models.ForeignKey("places.OrgUnit", verbose_name=_("place"), on_delete=models.CASCADE,
                                 related_name="duties")
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.CASCADE,
                                 related_name="duties")
    department = models.ForeignKey("places.Department", verbose_name=_("department"), on_delete=models.CASCADE,
                                   related_name="duties")
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "org_unit__path"
    scope_ancestors = True

    class Meta:
        verbose_name = _("duty list entry")
        verbose_name_plural = _("duty list")
        constraints = [models.UniqueConstraint(fields=["org_unit", "category"], name="duty_unique_place_category")]

    def __str__(self):
        return f"{self.org_unit} · {self.category} → {self.department}"


class Source(models.TextChoices):
    PATROL = "patrol", _("Grid patrol")
    RESIDENT = "resident", _("Resident report")
    HOTLINE = "hotline", _("Hotline 12345")
    DEPARTMENT = "department", _("Department")
    VIDEO = "video", _("Video surveillance")
    OPEN311 = "open311", _("Open311 application")


class Status(models.TextChoices):
    REPORTED = "reported", _("Reported")
    REGISTERED = "registered", _("Registered")
    REJECTED = "rejected", _("Rejected")
    DISPATCHED = "dispatched", _("Dispatched")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")
    SUSPENDED = "suspended", _("Suspended")
    RESOLVED = "resolved", _("Resolved")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", _("Closed")
    EVALUATED = "evaluated", _("Evaluated")
    MERGED = "merged", _("Merged")


OPEN_STATUSES = (Status.REPORTED, Status.REGISTERED, Status.DISPATCHED, Status.RETURNED, Status.ACCEPTED,
                 Status.SUSPENDED, Status.RESOLVED, Status.VERIFIED)
# What a department's inbox lists: the cases dispatched to it, being handled or suspended.
INBOX_STATUSES = (Status.DISPATCHED, Status.ACCEPTED, Status.SUSPENDED)
# A merged case (a duplicate, 重复诉求) follows its master case: final, like a rejected one.
FINAL_STATUSES = (Status.REJECTED, Status.CLOSED, Status.EVALUATED, Status.MERGED)


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class Satisfaction(models.IntegerChoices):
    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    NEUTRAL = 3, _("Neutral")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


class DueState(models.TextChoices):
    NONE = "none", _("No deadline")
    ON_TIME = "on_time", _("On time")
    WARNING = "warning", _("Approaching deadline")
    OVERDUE = "overdue", _("Overdue")


def new_tracking_code() -> str:
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read over the phone
    return "".join(secrets.choice(alphabet) for _ in range(10))


class CaseQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now=None):
        from django.utils import timezone

        return self.filter(deadline__lt=now or timezone.now(), status__in=OPEN_STATUSES)


# The operator class of the indexes a place's cases are found by: every scope and place filter is a
# path prefix (``path LIKE '110101/110101001/%'``), which PostgreSQL answers from a B-tree only with
# the pattern operators unless the database's collation is "C" (``varchar_pattern_ops`` also serves
# equality). Other databases ignore operator classes.
PATH_OPS = "varchar_pattern_ops"


class Case(models.Model):
    """One case (事件 / 工单), from report to evaluation. Its place is the grid it lies in."""

    number = models.CharField(_("case number"), max_length=20, unique=True, editable=False)
    tracking_code = models.CharField(_("tracking code"), max_length=12, unique=True, default=new_tracking_code,
                                     editable=False)
    client_id = models.CharField(_("client id"), max_length=64, null=True, blank=True, unique=True,
                                 help_text=_("Generated by the reporting device so that a retried submission "
                                             "never creates a second case."))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    external_id = models.CharField(_("external number"), max_length=64, blank=True, db_index=True,
                                   help_text=_("The hotline work-order number, for imported cases."))
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="cases")
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=4000)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    address = models.CharField(_("address"), max_length=200, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    grid = models.ForeignKey("places.OrgUnit", verbose_name=_("place"), on_delete=models.PROTECT,
                             related_name="cases")
    # The grid's materialised path, copied so that scope filters and per-place figures need no join.
    path = models.CharField(_("path"), max_length=255, editable=False)  # indexed in Meta (PATH_OPS)

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reporter"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="reported_cases")
    reporter_name = models.CharField(_("reporter's name"), max_length=64, blank=True)
    reporter_phone = EncryptedCharField(_("reporter's phone"), max_length=32, blank=True, null=True)

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REPORTED)
    department = models.ForeignKey("places.Department", verbose_name=_("lead department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="cases")
    co_departments = models.ManyToManyField("places.Department", verbose_name=_("co-handling departments"),
                                            through="CoHandling", related_name="co_cases", blank=True)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handler"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="handled_cases")
    verifier = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("verifier"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="verified_cases")
    escalated_to = models.ForeignKey("places.OrgUnit", verbose_name=_("escalated to"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="escalated_cases")
    result = models.TextField(_("result"), blank=True)
    # A duplicate merged into another case (status ``merged``) follows that master case.
    merged_into = models.ForeignKey("self", verbose_name=_("merged into"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="merged_cases")

    # The running step and its clock. `warn_at`/`deadline` are null when no clock runs (suspended, final).
    step = models.CharField(_("step"), max_length=16, choices=Step.choices, blank=True)
    step_started = models.DateTimeField(_("step started"), null=True, blank=True)
    warn_at = models.DateTimeField(_("warning at"), null=True, blank=True)
    deadline = models.DateTimeField(_("step deadline"), null=True, blank=True)
    # The deadline worker's claim marker: 0 nothing sent for this step, 1 warning sent, 2 overdue sent.
    alert_stage = models.PositiveSmallIntegerField(default=0, editable=False)
    was_overdue = models.BooleanField(_("went overdue"), default=False)
    pending_extension_hours = models.DecimalField(_("extension requested (hours)"), max_digits=6, decimal_places=1,
                                                  null=True, blank=True)

    rework_count = models.PositiveSmallIntegerField(_("reworks"), default=0)
    return_count = models.PositiveSmallIntegerField(_("returns"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    supervision_count = models.PositiveSmallIntegerField(_("supervision notices"), default=0)

    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), choices=Satisfaction.choices, null=True,
                                                    blank=True)
    evaluation = models.TextField(_("evaluation"), blank=True)

    reported_at = models.DateTimeField(_("reported"))
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    evaluated_at = models.DateTimeField(_("evaluated"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Optimistic locking: each action bumps it; a form posts the version it showed.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CaseQuerySet.as_manager()
    scope_path = "path"

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-reported_at", "-id"]
        indexes = [
            # A place's cases, newest first (a community's console, its title search over its recent
            # cases): the path's range, then the report time in order. PATH_OPS: see there.
            models.Index(fields=["path", "-reported_at", "-id"], name="case_path_reported",
                         opclasses=[PATH_OPS, "timestamptz_ops", "int8_ops"]),
            models.Index(fields=["path", "status"], name="case_path_status", opclasses=[PATH_OPS, "varchar_ops"]),
            models.Index(fields=["status", "-reported_at"], name="case_status_reported"),
            models.Index(fields=["-reported_at", "-id"], name="case_reported"),
            models.Index(fields=["department", "status"], name="case_department_status"),
            # A department's inbox in its order (most urgent deadline first): the page is the index's
            # first rows, not a sort of every case the department holds.
            models.Index(fields=["department", "deadline", "reported_at", "id"], name="case_inbox",
                         condition=Q(status__in=INBOX_STATUSES)),
            models.Index(fields=["deadline"], name="case_open_deadline", condition=Q(deadline__isnull=False)),
            models.Index(fields=["warn_at"], name="case_due_alerts",
                         condition=Q(warn_at__isnull=False, alert_stage__lt=2)),
            models.Index(fields=["reporter", "-reported_at"], name="case_reporter"),
            # The open cases whose clock runs, newest first (the console's deadline filters), and the
            # closings of a period (figures).
            models.Index(fields=["-reported_at", "-id"], name="case_clock_reported",
                         condition=Q(deadline__isnull=False)),
            models.Index(fields=["closed_at"], name="case_closed", condition=Q(closed_at__isnull=False)),
            # The open cases per place (the dashboards' backlog): only the open rows are indexed.
            models.Index(fields=["path"], name="case_open_path", condition=Q(status__in=OPEN_STATUSES),
                         opclasses=[PATH_OPS]),
            # The open cases by point: the duplicate look-up's bounding box (intake/duplicates.py).
            models.Index(fields=["latitude", "longitude"], name="case_open_point",
                         condition=Q(status__in=OPEN_STATUSES, latitude__isnull=False)),
            # ... and the open cases without a point, per place (a hotline call typed in without one).
            models.Index(fields=["path"], name="case_open_unlocated",
                         condition=Q(status__in=OPEN_STATUSES, latitude__isnull=True), opclasses=[PATH_OPS]),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @classmethod
    def scope_narrowing(cls, user) -> Q | None:
        """Within their places, a handler sees its department's cases and a resident their own reports."""
        from accounts.models import Role

        if user.role == Role.HANDLER:
            if not user.department_id:
                return Q(pk__in=[])
            return Q(department_id=user.department_id) | Q(
                pk__in=CoHandling.objects.filter(department_id=user.department_id).values("case_id"))
        if user.role == Role.RESIDENT_USER:
            return Q(reporter_id=user.pk)
        return None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def due_state(self, now=None) -> str:
        from django.utils import timezone

        if self.deadline is None or not self.is_open:
            return DueState.NONE
        now = now or timezone.now()
        if now >= self.deadline:
            return DueState.OVERDUE
        if self.warn_at and now >= self.warn_at:
            return DueState.WARNING
        return DueState.ON_TIME

    @property
    def masked_phone(self) -> str:
        from core.privacy import mask_phone

        return mask_phone(self.reporter_phone)


class CoHandling(models.Model):
    """A department called in beside the lead (协办), or by a whistle (吹哨); it must report back."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="co_handlings")
    department = models.ForeignKey("places.Department", verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="co_handlings")
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    reply = models.TextField(_("report back"), blank=True)
    replied_at = models.DateTimeField(_("reported back"), null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("co-handling department")
        verbose_name_plural = _("co-handling departments")
        constraints = [models.UniqueConstraint(fields=["case", "department"], name="cohandling_unique")]

    def __str__(self):
        return f"{self.case.number} · {self.department}"


class CaseEvent(models.Model):
    """One step of a case's timeline: who did what, when, from which state to which, and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="case_events")
    actor_label = models.CharField(_("by"), max_length=100, blank=True,
                                   help_text=_("Who acted when it was not a signed-in user (a resident, the system)."))
    at = models.DateTimeField(_("at"), db_index=True)
    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["case", "at"], name="caseevent_case_at"),
            # The escalations (吹哨), a few among tens of millions of events: the console's filter.
            models.Index(fields=["case"], name="caseevent_escalations", condition=Q(action="escalate")),
        ]

    def __str__(self):
        return f"{self.case_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


def photo_path(instance, filename):
    return f"cases/{instance.case.reported_at:%Y/%m}/{instance.case.number}/{secrets.token_hex(8)}.jpg"


class PhotoKind(models.TextChoices):
    REPORT = "report", _("As reported")
    RESULT = "result", _("After handling")
    VERIFY = "verify", _("On verification")


class CasePhoto(models.Model):
    """A photo of a case, resized and re-encoded server-side (which also drops the camera's EXIF data)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    event = models.ForeignKey(CaseEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos")
    kind = models.CharField(_("kind"), max_length=16, choices=PhotoKind.choices, default=PhotoKind.REPORT)
    image = models.ImageField(_("photo"), upload_to=photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return f"{self.case_id} {self.get_kind_display()}"


class CaseCounter(models.Model):
    """The last case number issued per day: numbers are YYYYMMDD + a five-digit sequence."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.day} #{self.last}"


class CalendarDay(models.Model):
    """A day that breaks the Monday–Friday rule: a public holiday on a weekday, or a make-up working
    day (调休) on a weekend. Seeded from the ``chinesecalendar`` package; an admin adds later years."""

    date = models.DateField(_("date"), primary_key=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("holiday or make-up working day")
        verbose_name_plural = _("holiday calendar")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"


class CalendarYear(models.Model):
    """A year whose holiday schedule has been entered. A year without a row falls back to Monday–Friday."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True,
                                            validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    source = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self):
        return str(self.year)
