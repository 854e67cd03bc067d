"""Hazards, emergency plans and drills (隐患排查、应急预案、演练).

* ``HazardSource``: a major hazard source (重大危险源: a gas station, a chemical store, an old building, a
  crowded market) with its responsible unit and person and its risk level.
* ``Hazard`` (隐患): found in a grid, assigned to a person or a department with a deadline, fixed, and
  re-checked by someone other than the fixer; a failed re-check sends it back (reopened). Where a
  department must act it is handed over as a case (``cases``) and keeps the link.
* ``Plan`` (应急预案): an emergency plan for hazard sources or a place, with an optional file served
  only through a scoped page.
* ``Drill`` (演练): a drill of a plan: when, who took part, the scenario and how it went.

Status changes go through ``actions.py`` only; the allowed ones are the table in ``workflow.py``.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import StatusEvent
from places.models import AtPlace


class HazardSourceKind(models.TextChoices):
    GAS_STATION = "gas_station", _("Gas or filling station")
    CHEMICAL = "chemical", _("Chemical store or plant")
    OLD_BUILDING = "old_building", _("Old or dangerous building")
    MARKET = "market", _("Crowded market or mall")
    SCHOOL = "school", _("School or kindergarten")
    CARE_HOME = "care_home", _("Care home")
    WAREHOUSE = "warehouse", _("Warehouse")
    CONSTRUCTION = "construction", _("Construction site")
    WATERSIDE = "waterside", _("River, pond or low-lying area")
    OTHER = "other", _("Other")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    GENERAL = "general", _("General")
    HIGH = "high", _("High")
    MAJOR = "major", _("Major")


class HazardSource(AtPlace):
    """A major hazard source (重大危险源) and who answers for it."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=HazardSourceKind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    unit = models.ForeignKey("people.UnitOrg", verbose_name=_("responsible unit"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="hazard_sources")
    responsible = models.CharField(_("responsible person"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    risk_level = models.CharField(_("risk level"), max_length=16, choices=RiskLevel.choices,
                                  default=RiskLevel.GENERAL)
    is_active = models.BooleanField(_("active"), default=True)
    # The reminder sweep's claim marker: when the community staff were last told "no drill within a year".
    drill_reminded_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("hazard source")
        verbose_name_plural = _("hazard sources")
        ordering = ["path", "name"]

    def __str__(self):
        return self.name


class HazardKind(models.TextChoices):
    FIRE = "fire", _("Fire")
    GAS = "gas", _("Gas")
    ELECTRICAL = "electrical", _("Electrical")
    BUILDING = "building", _("Building structure")
    TRAFFIC = "traffic", _("Traffic")
    FLOOD = "flood", _("Flood and waterlogging")
    CROWD = "crowd", _("Crowds")
    OTHER = "other", _("Other")


class HazardStatus(models.TextChoices):
    FOUND = "found", _("Found")
    ASSIGNED = "assigned", _("Assigned")
    FIXED = "fixed", _("Fixed")
    RECHECKED = "rechecked", _("Re-checked")


OPEN_HAZARD_STATUSES = (HazardStatus.FOUND, HazardStatus.ASSIGNED, HazardStatus.FIXED)


class Hazard(AtPlace):
    """A hazard found in a grid (隐患), worked through found → assigned → fixed → re-checked."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=HazardKind.choices)
    description = models.TextField(_("what was found"))
    location = models.CharField(_("where exactly"), max_length=200, blank=True)
    found_on = models.DateField(_("found on"))
    found_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("found by"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    source = models.ForeignKey(HazardSource, verbose_name=_("hazard source"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="hazards")
    drill = models.ForeignKey("Drill", verbose_name=_("found in drill"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="hazards")
    status = models.CharField(_("status"), max_length=16, choices=HazardStatus.choices, default=HazardStatus.FOUND,
                              db_index=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("to fix"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="hazards_to_fix")
    department = models.ForeignKey("places.Department", verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    deadline = models.DateField(_("fix by"), null=True, blank=True, db_index=True)
    fixed_on = models.DateField(_("fixed on"), null=True, blank=True)
    fixed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("fixed by"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    fix_note = models.TextField(_("what was done"), blank=True)
    rechecked_on = models.DateField(_("re-checked on"), null=True, blank=True)
    rechecked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("re-checked by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    reopened = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="hazards")
    # The deadline sweep's claim marker: the owner was told the deadline passed (reset on assignment).
    overdue_notified = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["-found_on", "-id"]
        indexes = [models.Index(fields=["path", "status"], name="hazard_path_status")]

    def __str__(self):
        return f"{self.number} {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_HAZARD_STATUSES


def hazard_photo_path(instance, filename):
    return f"safety/hazards/{instance.hazard.found_on:%Y/%m}/{instance.hazard_id}/{secrets.token_hex(8)}.jpg"


class HazardPhoto(models.Model):
    """A photo of the hazard or of the fix (resized and re-encoded like case photos)."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(_("stage"), max_length=16, choices=HazardStatus.choices, default=HazardStatus.FIXED)
    image = models.ImageField(_("photo"), upload_to=hazard_photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("hazard photo")
        verbose_name_plural = _("hazard photos")

    def __str__(self):
        return f"{self.hazard_id} {self.stage}"


class HazardEvent(StatusEvent):
    """Every change of a hazard: who, when, from which status to which, why."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="events")


class PlanKind(models.TextChoices):
    GENERAL = "general", _("General emergency plan")
    FIRE = "fire", _("Fire")
    GAS = "gas", _("Gas leak")
    FLOOD = "flood", _("Flood")
    EARTHQUAKE = "earthquake", _("Earthquake")
    CHEMICAL = "chemical", _("Hazardous chemicals")
    CROWD = "crowd", _("Crowd stampede")
    BUILDING = "building", _("Building collapse")
    OTHER = "other", _("Other")


def plan_file_path(instance, filename):
    suffix = Path(filename).suffix.lower()[:8]
    return f"safety/plans/{secrets.token_hex(12)}{suffix}"


class Plan(AtPlace):
    """An emergency plan (应急预案) for hazard sources or for a place."""

    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=PlanKind.choices, default=PlanKind.GENERAL)
    version = models.CharField(_("version"), max_length=32, blank=True)
    sources = models.ManyToManyField(HazardSource, verbose_name=_("hazard sources"), blank=True,
                                     related_name="plans")
    file = models.FileField(_("file"), upload_to=plan_file_path, blank=True)
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    responsible = models.CharField(_("responsible"), max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("emergency plan")
        verbose_name_plural = _("emergency plans")
        ordering = ["path", "title"]

    def __str__(self):
        return self.title


class DrillGrade(models.TextChoices):
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")


class Drill(AtPlace):
    """A drill of an emergency plan (应急演练)."""

    plan = models.ForeignKey(Plan, verbose_name=_("emergency plan"), on_delete=models.PROTECT, related_name="drills")
    held_on = models.DateField(_("held on"), db_index=True)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    participants_note = models.CharField(_("who took part"), max_length=400, blank=True)
    scenario = models.TextField(_("scenario"))
    evaluation = models.TextField(_("evaluation"), blank=True)
    grade = models.CharField(_("grade"), max_length=8, choices=DrillGrade.choices, default=DrillGrade.GOOD)
    issues = models.TextField(_("issues found"), blank=True, help_text=_("One per line."))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.plan} {self.held_on}"

    @property
    def issue_lines(self) -> list[str]:
        return [line.strip() for line in self.issues.splitlines() if line.strip()]
