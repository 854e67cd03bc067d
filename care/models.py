"""Special-care persons (特殊人群): who they are, who helps them (帮教小组), when they are visited.

A ``SpecialPerson`` is a resident of the register under one kind of care (community correction,
released person, drug rehabilitation, severe mental illness, left-behind child or elderly person,
key petitioner). Their visit plan follows from kind and level (``schedule.py``); the care sweep
(``alerts.py``) raises an alert to the responsible worker when a visit falls due and is missed, and
to the justice office after a grace period. Lost contact (脱管) is a status of its own.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from people.models import InGrid


class CareKind(models.TextChoices):
    CORRECTION = "correction", _("Community correction")
    RELEASED = "released", _("Released person")
    DRUG = "drug", _("Drug rehabilitation")
    MENTAL = "mental", _("Severe mental illness")
    LEFT_BEHIND_CHILD = "left_behind_child", _("Left-behind child")
    LEFT_BEHIND_ELDERLY = "left_behind_elderly", _("Left-behind elderly person")
    KEY_PETITIONER = "key_petitioner", _("Key petitioner")


class CorrectionKind(models.TextChoices):
    PROBATION = "probation", _("Probation (缓刑)")
    PAROLE = "parole", _("Parole (假释)")
    MEDICAL = "medical", _("Temporary service outside prison (暂予监外执行)")
    SURVEILLANCE = "surveillance", _("Public surveillance (管制)")


class Level(models.TextChoices):
    """Supervision level for correction (严管/普管/宽管); risk band for the others (high/medium/low)."""

    STRICT = "strict", _("Strict / high risk")
    NORMAL = "normal", _("Normal / medium risk")
    LENIENT = "lenient", _("Lenient / low risk")


class CareStatus(models.TextChoices):
    ACTIVE = "active", _("Under care")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    ENDED = "ended", _("Ended")
    REVOKED = "revoked", _("Revoked (back to prison)")


class SpecialPerson(InGrid):
    resident = models.ForeignKey("people.Resident", verbose_name=_("resident"), on_delete=models.PROTECT,
                                 related_name="care_records")
    kind = models.CharField(_("kind"), max_length=24, choices=CareKind.choices)
    correction_kind = models.CharField(_("correction type"), max_length=16, choices=CorrectionKind.choices,
                                       blank=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.NORMAL)
    risk_score = models.PositiveSmallIntegerField(_("risk level (0–5)"), null=True, blank=True,
                                                  help_text=_("Severe mental illness: the 0–5 risk assessment."))
    start_date = models.DateField(_("start"), help_text=_("Intake into correction, release date, diagnosis…"))
    end_date = models.DateField(_("end"), null=True, blank=True,
                                help_text=_("End of the correction term or of the help period."))
    status = models.CharField(_("status"), max_length=16, choices=CareStatus.choices, default=CareStatus.ACTIVE)
    is_placed = models.BooleanField(_("placed (安置)"), default=False,
                                    help_text=_("Released persons: has work or a livelihood been arranged?"))
    reoffended_on = models.DateField(_("reoffended on"), null=True, blank=True)
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("responsible worker"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="care_persons")
    visit_every_days = models.PositiveSmallIntegerField(_("visit every (days)"), null=True, blank=True,
                                                        help_text=_("Leave empty to follow the plan for the kind "
                                                                    "and level."))
    last_visit = models.DateField(_("last visit"), null=True, blank=True)
    next_visit_due = models.DateField(_("next visit due"), null=True, blank=True, db_index=True)
    # The care sweep's claim marker for the running due date: 0 nothing sent, 1 worker alerted,
    # 2 justice office alerted.
    alert_stage = models.PositiveSmallIntegerField(default=0, editable=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("special-care person")
        verbose_name_plural = _("special-care persons")
        ordering = ["path", "kind"]
        indexes = [models.Index(fields=["path", "kind", "status"], name="care_path_kind_status")]

    def __str__(self):
        return f"{self.resident} ({self.get_kind_display()})"

    @classmethod
    def scope_narrowing(cls, user):
        """Correction records are the justice office's: others of the place see them only when they sit
        in the person's help group (to log their visits)."""
        from django.db.models import Q

        from accounts.models import Role

        if user.role in (Role.JUSTICE_OFFICER, Role.ADMIN):
            return None
        in_group = HelpGroupMember.objects.filter(user=user).values("person_id")
        return ~Q(kind=CareKind.CORRECTION) | Q(pk__in=in_group) | Q(responsible=user)


class HelpGroupMember(models.Model):
    """One member of the help group (帮教小组): a named person with a duty (定人、定责、定措施)."""

    person = models.ForeignKey(SpecialPerson, on_delete=models.CASCADE, related_name="help_group")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="help_groups")
    name = models.CharField(_("name"), max_length=64)
    role = models.CharField(_("role"), max_length=32, help_text=_("Grid worker, community police, family…"))
    duty = models.CharField(_("duty and measures"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("help group member")
        verbose_name_plural = _("help group")

    def __str__(self):
        return f"{self.name} ({self.role})"


class Visit(models.Model):
    """A visit (走访/帮教谈话) logged from the phone."""

    person = models.ForeignKey(SpecialPerson, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("date"))
    place = models.CharField(_("where"), max_length=100, blank=True)
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("visitor"), null=True,
                                on_delete=models.SET_NULL, related_name="care_visits")
    companions = models.CharField(_("with"), max_length=100, blank=True)
    met = models.BooleanField(_("met the person"), default=True)
    findings = models.TextField(_("what was found"))
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-id"]

    def __str__(self):
        return f"{self.person_id} {self.visited_on}"


def visit_photo_path(instance, filename):
    import secrets

    return f"care/{instance.visit.visited_on:%Y/%m}/{instance.visit.person_id}/{secrets.token_hex(8)}.jpg"


class VisitPhoto(models.Model):
    """A photo taken on a visit (resized and re-encoded like case photos, which drops EXIF)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=visit_photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["id"]

    def __str__(self):
        return f"{self.visit_id} #{self.pk}"


class CareEvent(models.Model):
    """The history of a care record: intake, level changes, transfers, lost contact, alerts, end."""

    person = models.ForeignKey(SpecialPerson, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.person_id} {self.action}"
