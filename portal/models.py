"""The resident portal and errands (代办帮办).

``ServiceItem`` is the service catalogue of a community or street (certificates, benefits, elderly
care...), each with the materials needed and a time limit in *working days* (the Chinese calendar of
``cases.worktime``: holidays and make-up days count as they should). Items of a street serve every
community below it (``scope_ancestors``).

An ``Errand`` is a resident asking for help with one item. Its place is the resident's community. The
grid worker or community staff member who first takes it owns it (首问负责): the claim is one
conditional UPDATE (``owner IS NULL``), so of two workers clicking at once exactly one wins. It must be
done by ``due`` (received + the item's time limit); ``portal.deadlines.sweep`` tells the owner once
when it passes. Every change is an ``ErrandEvent``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from core.models import StatusEvent
from core.privacy import mask_phone
from places.models import AtPlace


class ServiceCategory(models.TextChoices):
    CERTIFICATE = "certificate", _("Certificates and proofs")
    BENEFIT = "benefit", _("Benefits and allowances")
    ELDERLY = "elderly", _("Elderly care")
    DISABILITY = "disability", _("Disability support")
    HOUSING = "housing", _("Housing")
    EMPLOYMENT = "employment", _("Employment and social insurance")
    FAMILY = "family", _("Family and births")
    OTHER = "other", _("Other")


class ServiceItem(AtPlace):
    """One item of the service catalogue of a community or street."""

    name = models.CharField(_("name"), max_length=64)
    category = models.CharField(_("category"), max_length=16, choices=ServiceCategory.choices,
                                default=ServiceCategory.OTHER)
    description = models.TextField(_("description"), blank=True)
    materials = models.TextField(_("materials needed"), blank=True, help_text=_("One per line."))
    time_limit_days = models.PositiveSmallIntegerField(_("time limit (working days)"), default=5)
    is_active = models.BooleanField(_("offered"), default=True)

    # A street's catalogue serves every community under it: those below see it.
    scope_ancestors = True

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service catalogue")
        ordering = ["category", "name"]

    def __str__(self):
        return self.name

    @property
    def materials_list(self) -> list[str]:
        return [line.strip() for line in self.materials.splitlines() if line.strip()]


class ErrandStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, waiting to be received")
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("Being handled")
    RETURNED = "returned", _("Returned for missing materials")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_ERRAND_STATUSES = (ErrandStatus.SUBMITTED, ErrandStatus.RECEIVED, ErrandStatus.IN_PROGRESS,
                        ErrandStatus.RETURNED)
# The statuses in which the owner's clock runs.
RUNNING_STATUSES = (ErrandStatus.RECEIVED, ErrandStatus.IN_PROGRESS)


@dataclass(frozen=True)
class Transition:
    label: str
    sources: frozenset[str]
    target: str
    note_required: bool = False


ERRAND_TRANSITIONS: dict[str, Transition] = {
    "take": Transition(_("Receive it (I am responsible)"), frozenset({ErrandStatus.SUBMITTED}),
                       ErrandStatus.RECEIVED),
    "progress": Transition(_("Record progress"), frozenset(RUNNING_STATUSES), ErrandStatus.IN_PROGRESS,
                           note_required=True),
    "return": Transition(_("Return for missing materials"), frozenset(RUNNING_STATUSES), ErrandStatus.RETURNED,
                         note_required=True),
    "resubmit": Transition(_("Materials supplied"), frozenset({ErrandStatus.RETURNED}), ErrandStatus.IN_PROGRESS),
    "done": Transition(_("Done"), frozenset(RUNNING_STATUSES), ErrandStatus.DONE, note_required=True),
    "cancel": Transition(_("Cancel my request"), frozenset(OPEN_ERRAND_STATUSES), ErrandStatus.CANCELLED),
}


class Errand(AtPlace):
    """A resident's request for help with a service item (代办/帮办)."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    service_item = models.ForeignKey(ServiceItem, verbose_name=_("service"), on_delete=models.PROTECT,
                                     related_name="errands")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                  on_delete=models.PROTECT, related_name="errands")
    resident = models.ForeignKey("people.Resident", verbose_name=_("resident record"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    details = models.TextField(_("details"), blank=True)
    contact_phone = EncryptedCharField(_("contact phone"), max_length=32, blank=True, null=True)
    status = models.CharField(_("status"), max_length=16, choices=ErrandStatus.choices,
                              default=ErrandStatus.SUBMITTED, db_index=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("responsible (first received by)"),
                              null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_errands")
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    due = models.DateField(_("due"), null=True, blank=True, db_index=True)
    # The overdue sweep's claim marker: set once when the errand passes its due date (the owner is told
    # then); cleared when a new due date runs.
    overdue = models.BooleanField(_("overdue"), default=False, editable=False)
    result = models.TextField(_("result"), blank=True)
    return_reason = models.TextField(_("missing materials"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    # Grid workers see (and may take) the errands of their community.
    scope_ancestors = True

    class Meta:
        verbose_name = _("errand")
        verbose_name_plural = _("errands")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["path", "status"], name="errand_path_status")]

    def __str__(self):
        return f"{self.number} {self.service_item}"

    @classmethod
    def scope_narrowing(cls, user):
        """Residents see their own errands only."""
        from django.db.models import Q

        from accounts.models import Role

        if user.role == Role.RESIDENT_USER:
            return Q(requester=user)
        return None

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ERRAND_STATUSES

    def is_late(self, today) -> bool:
        return self.status in RUNNING_STATUSES and self.due is not None and self.due < today


class ErrandEvent(StatusEvent):
    """Every change of an errand: submitted, received, progress, returned, done, overdue, cancelled."""

    errand = models.ForeignKey(Errand, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        verbose_name = _("errand event")
        verbose_name_plural = _("errand events")
