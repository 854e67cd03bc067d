"""Public legal services (公共法律服务): one legal adviser per village or community (一村一法律顾问) with the
log of their work, and legal-aid referrals (法律援助: unpaid wages, work injuries...).

``Adviser`` sits at a community; its ``Service`` rows (consultations, opinions, contract reviews,
talks) copy the adviser's place so the data scope filters them too. An ``AidReferral`` keeps the
applicant's ID number and phone encrypted (with a keyed hash of the ID number for exact search) and
shows them masked. Every change goes through ``actions.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from core.models import StatusEvent
from core.privacy import id_hash, mask_id_number, mask_phone, normalize_id_number
from places.models import AtPlace


class Adviser(AtPlace):
    """The legal adviser of a village or community (村(居)法律顾问)."""

    name = models.CharField(_("name"), max_length=64)
    firm = models.CharField(_("law firm or legal service office"), max_length=120)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="legal_advisers")
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True, db_index=True)

    # A grid worker sees the adviser of the community above the grid (read only), never a sibling's.
    scope_ancestors = True

    class Meta:
        verbose_name = _("legal adviser")
        verbose_name_plural = _("legal advisers")
        ordering = ["path", "-active", "name"]

    def __str__(self):
        return f"{self.name} ({self.firm})"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class ServiceKind(models.TextChoices):
    CONSULTATION = "consultation", _("Legal consultation (咨询)")
    OPINION = "opinion", _("Legal opinion (法律意见)")
    CONTRACT = "contract", _("Contract review (合同审查)")
    TALK = "talk", _("Legal talk or lecture (法治讲座)")
    MEDIATION = "mediation", _("Took part in mediation (参与调解)")
    OTHER = "other", _("Other")


class Service(AtPlace):
    """One piece of work of an adviser (the service log, 工作台账); its place is the adviser's."""

    adviser = models.ForeignKey(Adviser, verbose_name=_("adviser"), on_delete=models.PROTECT,
                                related_name="services")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=ServiceKind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    people_served = models.PositiveIntegerField(_("people served"), default=1)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    scope_ancestors = True  # like the adviser's

    class Meta:
        verbose_name = _("legal service")
        verbose_name_plural = _("legal services")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["path", "date"], name="legal_service_path_date")]

    def __str__(self):
        return f"{self.adviser_id} {self.date} {self.kind}"

    def save(self, *args, **kwargs):
        self.place_id = self.adviser.place_id
        self.place = self.adviser.place
        super().save(*args, **kwargs)


class MatterKind(models.TextChoices):
    UNPAID_WAGES = "unpaid_wages", _("Unpaid wages (欠薪)")
    WORK_INJURY = "work_injury", _("Work injury")
    FAMILY = "family", _("Family or maintenance")
    CONSUMER = "consumer", _("Consumer rights")
    OTHER = "other", _("Other")


class AidStatus(models.TextChoices):
    REFERRED = "referred", _("Referred")
    ACCEPTED = "accepted", _("Accepted")
    CONCLUDED = "concluded", _("Concluded")
    REFUSED = "refused", _("Refused")


# Which status may follow which.
AID_TRANSITIONS = {
    AidStatus.REFERRED: frozenset({AidStatus.ACCEPTED, AidStatus.REFUSED}),
    AidStatus.ACCEPTED: frozenset({AidStatus.CONCLUDED}),
    AidStatus.CONCLUDED: frozenset(),
    AidStatus.REFUSED: frozenset(),
}


class AidReferral(AtPlace):
    """A person referred to the legal aid centre (法律援助转介)."""

    applicant_name = models.CharField(_("applicant"), max_length=64)
    id_number = EncryptedCharField(_("ID number"), max_length=24, blank=True, null=True)
    id_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone = EncryptedCharField(_("phone"), max_length=32, blank=True, null=True)
    matter_kind = models.CharField(_("matter"), max_length=16, choices=MatterKind.choices)
    matter = models.TextField(_("what it is about"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True,
                                 help_text=_("Wages owed, compensation claimed…"))
    referred_to = models.CharField(_("referred to"), max_length=120,
                                   help_text=_("The legal aid centre or station."))
    referred_on = models.DateField(_("referred on"))
    adviser = models.ForeignKey(Adviser, verbose_name=_("adviser"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="referrals")
    status = models.CharField(_("status"), max_length=16, choices=AidStatus.choices, default=AidStatus.REFERRED,
                              db_index=True)
    result = models.TextField(_("result"), blank=True)
    recovered = models.DecimalField(_("amount recovered (yuan)"), max_digits=12, decimal_places=2, null=True,
                                    blank=True)

    class Meta:
        verbose_name = _("legal aid referral")
        verbose_name_plural = _("legal aid referrals")
        ordering = ["-referred_on", "-id"]

    def __str__(self):
        return f"{self.applicant_name} ({self.get_matter_kind_display()})"

    def save(self, *args, **kwargs):
        self.id_number = normalize_id_number(self.id_number) or None
        self.id_hash = id_hash(self.id_number) if self.id_number else ""
        super().save(*args, **kwargs)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number or "")

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone or "")


class AidEvent(StatusEvent):
    """The history of a referral: referred, accepted, concluded or refused."""

    referral = models.ForeignKey(AidReferral, on_delete=models.CASCADE, related_name="events")
