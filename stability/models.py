"""Stability risk assessment of major decisions (社会稳定风险评估).

A ``Decision`` (a land taking, demolition, price change, relocation...) is registered at the place it
affects, the affected people are consulted (``Consultation`` rows: people reached, in favour, opposed),
then it is assessed (risk grade, the two risk flags) and decided: approved to issue, or shelved
(不出台). The rule of the three "do not issue" (三个不出台) refuses approval when most of those
consulted oppose, when it may cause mass conflict, or when it competes with residents for benefits.
After issue the decision is followed up (``FollowUp``). Every change is a ``DecisionEvent``; status
changes go through ``actions.py`` only, along ``TRANSITIONS``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import StatusEvent
from places.models import AtPlace

DEFAULT_MIN_COVERAGE = 0.8


def min_coverage() -> float:
    """The share of affected people that must have been consulted before an assessment (应评尽评)."""
    return float(getattr(settings, "STABILITY_MIN_COVERAGE", DEFAULT_MIN_COVERAGE))


class DecisionKind(models.TextChoices):
    LAND_TAKING = "land_taking", _("Land taking (征地)")
    DEMOLITION = "demolition", _("Demolition (拆迁)")
    PRICING = "pricing", _("Price adjustment (价格调整)")
    RELOCATION = "relocation", _("Relocation and resettlement (搬迁安置)")
    RESTRUCTURING = "restructuring", _("Enterprise restructuring (企业改制)")
    ENVIRONMENT = "environment", _("Environment or major project")
    OTHER = "other", _("Other")


class DecisionStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    CONSULTING = "consulting", _("Consulting")
    ASSESSED = "assessed", _("Assessed")
    APPROVED = "approved", _("Approved to issue")
    SHELVED = "shelved", _("Shelved (not issued)")
    ISSUED = "issued", _("Issued")
    FOLLOWED_UP = "followed_up", _("Followed up")
    CLOSED = "closed", _("Closed")


S = DecisionStatus
# Which status may follow which. Assessed and shelved decisions may go back to consultation
# (revised and consulted again); a decision is issued only after approval.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.REGISTERED: frozenset({S.CONSULTING}),
    S.CONSULTING: frozenset({S.ASSESSED}),
    S.ASSESSED: frozenset({S.APPROVED, S.SHELVED, S.CONSULTING}),
    S.APPROVED: frozenset({S.ISSUED}),
    S.SHELVED: frozenset({S.CONSULTING, S.CLOSED}),
    S.ISSUED: frozenset({S.FOLLOWED_UP}),
    S.FOLLOWED_UP: frozenset({S.FOLLOWED_UP, S.CLOSED}),
    S.CLOSED: frozenset(),
}


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


class RiskGrade(models.TextChoices):
    HIGH = "A", _("A – high risk")
    MEDIUM = "B", _("B – medium risk")
    LOW = "C", _("C – low risk")


class ConsultationMethod(models.TextChoices):
    VISIT = "visit", _("Household visit")
    MEETING = "meeting", _("Meeting")
    HEARING = "hearing", _("Hearing")
    SURVEY = "survey", _("Questionnaire survey")
    ONLINE = "online", _("Online")


class Decision(AtPlace):
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=DecisionKind.choices)
    sponsor = models.ForeignKey("places.Department", verbose_name=_("sponsoring department"), null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="+")
    sponsor_name = models.CharField(_("sponsor"), max_length=100, blank=True,
                                    help_text=_("When the sponsor is not a department in the system."))
    description = models.TextField(_("description"), blank=True)
    affected_count = models.PositiveIntegerField(_("people affected"))
    status = models.CharField(_("status"), max_length=16, choices=DecisionStatus.choices,
                              default=DecisionStatus.REGISTERED, db_index=True)
    risk_grade = models.CharField(_("risk grade"), max_length=1, choices=RiskGrade.choices, blank=True)
    may_cause_mass_conflict = models.BooleanField(_("may cause mass conflict"), default=False)
    competes_for_benefits = models.BooleanField(_("competes with residents for benefits (与民争利)"),
                                                default=False)
    assessment = models.TextField(_("assessment"), blank=True)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assessor"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)

    class Meta:
        verbose_name = _("major decision")
        verbose_name_plural = _("major decisions")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["path", "status"], name="stability_path_status")]

    def __str__(self):
        return self.title

    @property
    def sponsor_display(self) -> str:
        return self.sponsor.name if self.sponsor_id else self.sponsor_name

    # --- What the consultations add up to ------------------------------------------------------
    def totals(self) -> dict[str, int]:
        if hasattr(self, "_totals"):
            return self._totals
        row = self.consultations.aggregate(reached=models.Sum("reached"), in_favour=models.Sum("in_favour"),
                                           opposed=models.Sum("opposed"), neutral=models.Sum("neutral"))
        self._totals = {key: value or 0 for key, value in row.items()}
        return self._totals

    @property
    def coverage(self) -> float | None:
        """People reached over people affected (capped at 1)."""
        if not self.affected_count:
            return None
        return min(1.0, self.totals()["reached"] / self.affected_count)

    @property
    def coverage_percent(self) -> int:
        return round((self.coverage or 0) * 100)

    @property
    def opposition_share(self) -> float | None:
        reached = self.totals()["reached"]
        return self.totals()["opposed"] / reached if reached else None

    @property
    def opposition_percent(self) -> int | None:
        share = self.opposition_share
        return None if share is None else round(share * 100)

    def three_no_checks(self) -> list[dict]:
        """The three "do not issue" checks (三个不出台): each with its field, whether it blocks and why."""
        from django.utils.translation import gettext

        totals = self.totals()
        most_oppose = totals["reached"] > 0 and totals["opposed"] * 2 > totals["reached"]
        return [
            {"field": "opposed", "blocks": most_oppose, "label": gettext("Most of the affected people support it"),
             "reason": gettext("%(opposed)s of the %(reached)s people consulted oppose it: more than half.")
             % totals if most_oppose else ""},
            {"field": "may_cause_mass_conflict", "blocks": self.may_cause_mass_conflict,
             "label": gettext("It will not cause mass conflict"),
             "reason": gettext("The assessment found that it may cause mass conflict.")
             if self.may_cause_mass_conflict else ""},
            {"field": "competes_for_benefits", "blocks": self.competes_for_benefits,
             "label": gettext("It does not compete with residents for benefits"),
             "reason": gettext("The assessment found that it competes with residents for benefits (与民争利).")
             if self.competes_for_benefits else ""},
        ]

    def three_no_reasons(self) -> list[dict]:
        return [check for check in self.three_no_checks() if check["blocks"]]


class Consultation(models.Model):
    """One round of consulting the affected people (入户走访、座谈会、听证会、问卷、网上征求意见)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="consultations")
    held_on = models.DateField(_("date"))
    method = models.CharField(_("method"), max_length=16, choices=ConsultationMethod.choices)
    reached = models.PositiveIntegerField(_("people reached"))
    in_favour = models.PositiveIntegerField(_("in favour"), default=0)
    opposed = models.PositiveIntegerField(_("opposed"), default=0)
    neutral = models.PositiveIntegerField(_("neutral or no opinion"), default=0)
    summary = models.TextField(_("summary of opinions"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["held_on", "id"]

    def __str__(self):
        return f"{self.decision_id} {self.held_on} {self.method}"


class FollowUp(models.Model):
    """A follow-up after the decision was issued (跟踪评估): how it is going, incidents since."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="follow_ups")
    on = models.DateField(_("date"))
    note = models.TextField(_("note"))
    incidents = models.PositiveIntegerField(_("incidents"), default=0,
                                            help_text=_("Petitions, disputes or gatherings caused by it since."))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["on", "id"]

    def __str__(self):
        return f"{self.decision_id} {self.on}"


class DecisionEvent(StatusEvent):
    """The history of a decision: every change, who made it, from and to which status."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="events")
