"""Assessment: indicator systems, scores, rankings and rectification (考核).

* ``System`` (考核体系): a tree of ``Category`` > ``Item`` with points (e.g. 1,000 in total), the
  thresholds for "excellent" and "pass", and the level it assesses (streets or communities). It
  belongs to the assessing place (district or street); those below see it.
* ``Item``: scored by a formula over the platform's figures (``formulas.py``: the admin picks a code
  and its parameters) or manually with evidence; ``is_veto`` (一票否决): when it fails, the whole
  result is "failed" whatever the points.
* ``Period``: one round of a system at the assessing place (a year, a half-year); ``frozen`` stops
  every change to its scores.
* ``Score``: one item for one assessed place in a period: computed, self-assessed and inspection points
  side by side, with an evidence file.
* ``Rectification`` (整改): a finding to put right, with owner, plan, deadline and re-check by someone
  else; its timeline is ``RectificationEvent``.

Writes go through ``actions.py`` only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.scope import ScopedQuerySet
from core.models import StatusEvent
from places.models import AtPlace


class AssessedLevel(models.TextChoices):
    STREET = "street", _("Streets")
    COMMUNITY = "community", _("Communities")


class ItemMethod(models.TextChoices):
    FORMULA = "formula", _("Formula on the platform's figures")
    MANUAL = "manual", _("Manual, with evidence")


class PeriodStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("assessment period", "Open")
    FROZEN = "frozen", _("Frozen")


class AssessmentGrade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    VETOED = "vetoed", _("Failed by veto")


class RectificationStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("rectification", "Open")
    SUBMITTED = "submitted", _("Submitted for re-check")
    CLOSED = "closed", _("Closed (re-check passed)")


class System(AtPlace):
    """An indicator system (考核体系) of the assessing place; the places below at ``target_level`` are assessed."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    total_points = models.DecimalField(_("total points"), max_digits=7, decimal_places=2, default=1000)
    excellent_from = models.DecimalField(_("excellent from"), max_digits=7, decimal_places=2, default=900)
    pass_from = models.DecimalField(_("pass from"), max_digits=7, decimal_places=2, default=800)
    target_level = models.CharField(_("assessed level"), max_length=16, choices=AssessedLevel.choices,
                                    default=AssessedLevel.COMMUNITY)
    is_active = models.BooleanField(_("active"), default=True)

    # Those assessed below see the system (read-only).
    scope_ancestors = True

    class Meta:
        verbose_name = _("indicator system")
        verbose_name_plural = _("indicator systems")
        ordering = ["path", "name"]

    def __str__(self):
        return self.name


class Category(models.Model):
    system = models.ForeignKey(System, verbose_name=_("system"), on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    points = models.DecimalField(_("full marks"), max_digits=7, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("indicator category")
        verbose_name_plural = _("indicator categories")
        ordering = ["system", "order", "id"]

    def __str__(self):
        return self.name


class Item(models.Model):
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="items")
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    points = models.DecimalField(_("full marks"), max_digits=7, decimal_places=2)
    method = models.CharField(_("scoring method"), max_length=16, choices=ItemMethod.choices,
                              default=ItemMethod.MANUAL)
    formula = models.CharField(_("formula"), max_length=40, blank=True,
                               help_text=_("One of the formulas in the list (assessment.formulas)."))
    params = models.JSONField(_("formula parameters"), default=dict, blank=True)
    is_veto = models.BooleanField(_("one-vote veto"), default=False,
                                  help_text=_("When this item fails, the whole result is failed (一票否决)."))
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    standard = models.TextField(_("scoring standard"), blank=True)

    class Meta:
        verbose_name = _("indicator item")
        verbose_name_plural = _("indicator items")
        ordering = ["category", "order", "id"]

    def __str__(self):
        return self.name


class Period(AtPlace):
    """One round of a system, run by the assessing place (its ``place``)."""

    system = models.ForeignKey(System, verbose_name=_("system"), on_delete=models.PROTECT, related_name="periods")
    name = models.CharField(_("name"), max_length=120)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    status = models.CharField(_("status"), max_length=12, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    scope_ancestors = True

    class Meta:
        verbose_name = _("assessment period")
        verbose_name_plural = _("assessment periods")
        ordering = ["-start", "path", "id"]

    def __str__(self):
        return self.name

    @property
    def is_frozen(self) -> bool:
        return self.status == PeriodStatus.FROZEN


class Score(models.Model):
    """One item for one assessed place in a period: computed, self-assessed and inspection points."""

    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.CASCADE, related_name="scores")
    place = models.ForeignKey("places.OrgUnit", verbose_name=_("assessed place"), on_delete=models.PROTECT,
                              related_name="+")
    path = models.CharField(max_length=255, editable=False, db_index=True)
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="scores")
    computed_points = models.DecimalField(_("computed points"), max_digits=7, decimal_places=2, null=True, blank=True)
    ratio = models.FloatField(_("figure"), null=True, blank=True, help_text=_("The figure the formula read, 0–1."))
    self_points = models.DecimalField(_("self-assessment"), max_digits=7, decimal_places=2, null=True, blank=True)
    inspection_points = models.DecimalField(_("inspection"), max_digits=7, decimal_places=2, null=True, blank=True)
    evidence = models.FileField(_("evidence"), upload_to="assessment/%Y/%m/", blank=True)
    note = models.TextField(_("note"), blank=True)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "path"

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["period", "path", "item"]
        constraints = [models.UniqueConstraint(fields=["period", "place", "item"], name="assessment_one_score")]

    def __str__(self):
        return f"{self.period_id} {self.place_id} {self.item_id}"

    def save(self, *args, **kwargs):
        self.path = self.place.path
        super().save(*args, **kwargs)

    @property
    def points(self):
        """What counts: inspection if present, else computed, else self-assessment."""
        for value in (self.inspection_points, self.computed_points, self.self_points):
            if value is not None:
                return value
        return None

    @property
    def failed(self) -> bool:
        """A veto item fails when what counts is below its full points (None: not scored yet, not failed)."""
        points = self.points
        return points is not None and points < self.item.points


class Rectification(AtPlace):
    """A finding to put right (整改) at the assessed place: owner, plan, deadline, re-check by someone else."""

    period = models.ForeignKey(Period, verbose_name=_("period"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="rectifications")
    score = models.ForeignKey(Score, verbose_name=_("score"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="rectifications")
    title = models.CharField(_("finding"), max_length=200)
    detail = models.TextField(_("detail"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="assessment_rectifications")
    plan = models.TextField(_("plan"), blank=True)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=12, choices=RectificationStatus.choices,
                              default=RectificationStatus.OPEN)
    submitted_note = models.TextField(_("what was done"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["status", "deadline", "id"]

    def __str__(self):
        return self.title


class RectificationEvent(StatusEvent):
    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        verbose_name = _("rectification event")
        verbose_name_plural = _("rectification events")


# --- Grid workers' reviews (网格员考核) --------------------------------------------------------------
class WorkerReview(AtPlace):
    """One grid worker in one period: the work done (counted from the platform when the period's workers
    are computed), the skills points given by the inspector, and residents' satisfaction sampled at random
    among those served (``SatisfactionSample``). Its place is the worker's grid. The score is derived in
    ``assessment.workers`` (weights documented there)."""

    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.CASCADE,
                               related_name="worker_reviews")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("grid worker"), on_delete=models.PROTECT,
                               related_name="assessment_reviews")
    cases_reported = models.PositiveIntegerField(_("cases reported"), default=0)
    visits = models.PositiveIntegerField(_("care visits"), default=0)
    hazards = models.PositiveIntegerField(_("hazards found"), default=0)
    disputes = models.PositiveIntegerField(_("disputes registered"), default=0)
    screening_reports = models.PositiveIntegerField(_("screening reports"), default=0)
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    skills_points = models.DecimalField(_("skills"), max_digits=5, decimal_places=2, null=True, blank=True)
    skills_note = models.TextField(_("skills note"), blank=True,
                                   help_text=_("Training attended, certificates, tests passed."))

    class Meta:
        verbose_name = _("grid worker review")
        verbose_name_plural = _("grid worker reviews")
        ordering = ["period", "path", "worker"]
        constraints = [models.UniqueConstraint(fields=["period", "worker"], name="assessment_one_review")]

    def __str__(self):
        return f"{self.period} {self.worker}"

    @classmethod
    def scope_narrowing(cls, user):
        """A grid worker reads their own review only."""
        from accounts.models import Role

        if user.role == Role.GRID_WORKER:
            return models.Q(worker_id=user.pk)
        return None


class SatisfactionSample(models.Model):
    """A resident served by the worker, drawn at random (by a case of the worker's grid), to be asked how
    satisfied they are; ``rating`` stays empty until the answer is recorded."""

    review = models.ForeignKey(WorkerReview, verbose_name=_("review"), on_delete=models.CASCADE,
                               related_name="samples")
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), null=True, on_delete=models.SET_NULL,
                             related_name="+")
    resident_name = models.CharField(_("resident"), max_length=64, blank=True)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("asked by"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True,
                                              choices=[(n, str(n)) for n in range(1, 6)])
    note = models.TextField(_("note"), blank=True)
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("satisfaction sample")
        verbose_name_plural = _("satisfaction samples")
        ordering = ["review", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "case"], name="assessment_sample_once")]

    def __str__(self):
        return f"{self.review_id} {self.case_id}"


class WorkerReviewEvent(StatusEvent):
    review = models.ForeignKey(WorkerReview, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        verbose_name = _("grid worker review event")
        verbose_name_plural = _("grid worker review events")
