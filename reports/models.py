"""Monthly and quarterly reports per place (月报 / 季报) and the schedules that make them.

* ``Report``: the report of one place for one period, generated from the records under the place
  (``content.build_report``), kept as its content (JSON, shown as HTML) and as an .xlsx and a .pdf
  file (``render``). One per place, kind and period start: generating again overwrites it.
* ``ReportSchedule``: a place's standing order for a report of a kind; the deadline worker
  (``deadlines.sweep``) generates the previous period's report when ``next_run_at`` comes and tells
  the recipients.

Files are stored under MEDIA_ROOT/reports/ with unguessable names and served only through the scoped
download page, never as a public media URL.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from places.models import AtPlace


class Kind(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")


class ReportStatus(models.TextChoices):
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


def report_file_path(instance, filename):
    suffix = filename.rsplit(".", 1)[-1].lower()[:8]
    return f"reports/{instance.period_start:%Y}/{secrets.token_hex(12)}.{suffix}"


class Report(AtPlace):
    """The report of a place for a month or a quarter."""

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), help_text=_("The last day of the period."))
    status = models.CharField(_("status"), max_length=8, choices=ReportStatus.choices, default=ReportStatus.READY)
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+",
                                     help_text=_("Empty for a scheduled report."))
    content = models.JSONField(_("content"), default=dict, blank=True)
    xlsx = models.FileField(_("Excel file"), upload_to=report_file_path, blank=True)
    pdf = models.FileField(_("PDF file"), upload_to=report_file_path, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period_start", "path", "kind"]
        constraints = [models.UniqueConstraint(fields=["place", "kind", "period_start"], name="report_per_period")]
        indexes = [models.Index(fields=["path", "-period_start"], name="report_path_start")]

    def __str__(self):
        return self.content.get("title") or f"{self.place} {self.period_start:%Y-%m}"

    @property
    def period_label(self) -> str:
        from .content import period_label

        return period_label(self.kind, self.period_start)


class ReportSchedule(AtPlace):
    """A standing order: the report of ``kind`` for the place, made after each period ends."""

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("recipients"), blank=True,
                                        related_name="+")
    active = models.BooleanField(_("active"), default=True)
    next_run_at = models.DateTimeField(_("next run"), db_index=True)
    last_report = models.ForeignKey(Report, verbose_name=_("last report"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+", editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")
        ordering = ["path", "kind"]
        constraints = [models.UniqueConstraint(fields=["place", "kind"], name="report_schedule_per_kind")]

    def __str__(self):
        return f"{self.place} {self.get_kind_display()}"
