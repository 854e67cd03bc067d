"""The roll-up of case figures per day (统计汇总表): what the district and street dashboards read
instead of the cases.

Each row holds the counts of ``cases.figures.Figures`` for the cases reported (inflow) and closed
(outflow) on one local day (``CaseDayFigures``; ``CaseMonthFigures`` sums them per calendar month),
in one of four cuts, small enough that a year of a district is a few hundred thousand daily rows
(some ten thousand monthly ones) whatever the number of cases:

- ``grid``: per place the cases lie at (a grid, mostly): what the map colours;
- ``place``: per community (``path`` is the community's; cases placed above a community keep
  their own place);
- ``category``: per street (``path`` is the street's) and major class;
- ``department``: per street and lead department.

The rows are derived data: ``dashboard/rollup.py`` recomputes whole days from the cases, so a row
is never edited in place and a rebuild gives the same table.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Cut(models.TextChoices):
    GRID = "grid", _("per grid")
    PLACE = "place", _("per community")
    CATEGORY = "category", _("per street and major class")
    DEPARTMENT = "department", _("per street and department")


class CaseFigureCounts(models.Model):
    """The counts of one cut, place, major class and lead department (the columns both roll-ups share)."""

    cut = models.CharField(_("cut"), max_length=16, choices=Cut.choices)
    path = models.CharField(_("path"), max_length=255)
    category = models.ForeignKey("cases.Category", verbose_name=_("major class"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+", db_constraint=False)
    department = models.ForeignKey("places.Department", verbose_name=_("lead department"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="+", db_constraint=False)
    reported = models.PositiveIntegerField(default=0)
    registered = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    closed_on_time = models.PositiveIntegerField(default=0)
    reworked = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    evaluated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    satisfaction_points = models.PositiveIntegerField(default=0)
    handled = models.PositiveIntegerField(default=0)
    handling_seconds = models.FloatField(default=0)

    class Meta:
        abstract = True


class CaseDayFigures(CaseFigureCounts):
    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("daily case figures")
        verbose_name_plural = _("daily case figures")
        indexes = [models.Index(fields=["cut", "day", "path"], name="rollup_cut_day_path")]

    def __str__(self):
        return f"{self.day} {self.path}"


class CaseMonthFigures(CaseFigureCounts):
    """The daily rows of a calendar month summed (``month`` is its first day): what periods longer than
    two months read for their whole months, a thirtieth of the rows."""

    month = models.DateField(_("month"))

    class Meta:
        verbose_name = _("monthly case figures")
        verbose_name_plural = _("monthly case figures")
        indexes = [models.Index(fields=["cut", "month", "path"], name="rollup_cut_month_path")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.path}"


class CaseBacklog(models.Model):
    """The open cases as of the last sweep, in the same cuts (replaced whole at each sweep)."""

    cut = models.CharField(_("cut"), max_length=16, choices=Cut.choices)
    path = models.CharField(_("path"), max_length=255)
    category = models.ForeignKey("cases.Category", verbose_name=_("major class"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+", db_constraint=False)
    department = models.ForeignKey("places.Department", verbose_name=_("lead department"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="+", db_constraint=False)
    open = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("open cases")
        verbose_name_plural = _("open cases")
        indexes = [models.Index(fields=["cut", "path"], name="backlog_cut_path")]

    def __str__(self):
        return f"{self.cut} {self.path}"


class RollupState(models.Model):
    """The single row that says up to which moment the roll-up holds the cases: readers count the
    cases reported or closed after ``complete_until`` live; the next sweep folds them in."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    complete_until = models.DateTimeField(_("complete until"), null=True, blank=True)
    rebuilt_at = models.DateTimeField(_("rebuilt"), null=True, blank=True)

    class Meta:
        verbose_name = _("roll-up state")

    def __str__(self):
        return f"complete until {self.complete_until}"
