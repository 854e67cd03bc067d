"""Small wishes (微心愿): social workers post the wishes of people in need without exposing them;
volunteers, residents or units claim and fulfil them; the worker (or the beneficiary) confirms.

PRIVACY. A ``Wish`` names its beneficiary twice: ``beneficiary`` (the register record: real name, ID
number, address, phone) and ``beneficiary_alias`` ("王奶奶"). Only users who may *change* the wish
(the social workers and community staff of its place) ever see the register record; everyone else
(volunteers, residents, the claimer) sees the alias, the story, the category and the place's name.
The claimer additionally sees the meeting arrangement (the worker's contact and a handover place),
never the beneficiary's address. ``wishes.privacy`` is the one place that decides this.

The lifecycle is the table ``TRANSITIONS``: posted → claimed → fulfilled → confirmed; a claim may be
released (back to posted); an open wish may be cancelled. Every change is a ``WishEvent``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import StatusEvent
from places.models import AtPlace

DEFAULT_FULFIL_DAYS = 14


class WishCategory(models.TextChoices):
    ITEM = "item", _("An item")
    SERVICE = "service", _("A service")
    COMPANIONSHIP = "companionship", _("Companionship")
    STUDY = "study", _("Study help")
    OTHER = "other", _("Other")


class BeneficiaryKind(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", _("Elderly person living alone")
    CHILD = "child", _("Child in difficulty")
    DISABLED = "disabled", _("Person with a disability")
    LOW_INCOME = "low_income", _("Low-income family")
    OTHER = "other", _("Other person in need")


class WishStatus(models.TextChoices):
    POSTED = "posted", _("Waiting to be claimed")
    CLAIMED = "claimed", _("Claimed")
    FULFILLED = "fulfilled", _("Fulfilled, awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_WISH_STATUSES = (WishStatus.POSTED, WishStatus.CLAIMED, WishStatus.FULFILLED)


@dataclass(frozen=True)
class Transition:
    label: str
    sources: frozenset[str]
    target: str
    note_required: bool = False


# The whole lifecycle: action -> from which statuses, to which status.
TRANSITIONS: dict[str, Transition] = {
    "claim": Transition(_("Claim this wish"), frozenset({WishStatus.POSTED}), WishStatus.CLAIMED),
    "release": Transition(_("Release the claim"), frozenset({WishStatus.CLAIMED}), WishStatus.POSTED),
    "fulfil": Transition(_("Report it fulfilled"), frozenset({WishStatus.CLAIMED}), WishStatus.FULFILLED),
    "confirm": Transition(_("Confirm it was fulfilled"), frozenset({WishStatus.FULFILLED}), WishStatus.CONFIRMED),
    "cancel": Transition(_("Cancel the wish"), frozenset({WishStatus.POSTED, WishStatus.CLAIMED}),
                         WishStatus.CANCELLED, note_required=True),
}


class Wish(AtPlace):
    """A small wish of a person in need, at a community or grid."""

    title = models.CharField(_("wish"), max_length=100, help_text=_("What is wished for, e.g. “a radio”."))
    story = models.TextField(_("story"), help_text=_("Public: written without names, addresses or phone numbers."))
    category = models.CharField(_("category"), max_length=16, choices=WishCategory.choices,
                                default=WishCategory.ITEM)
    beneficiary_kind = models.CharField(_("who it is for"), max_length=16, choices=BeneficiaryKind.choices)
    beneficiary = models.ForeignKey("people.Resident", verbose_name=_("beneficiary (register)"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    beneficiary_alias = models.CharField(_("public alias"), max_length=32,
                                         help_text=_("How the person is called in public, e.g. “王奶奶”."))
    status = models.CharField(_("status"), max_length=16, choices=WishStatus.choices, default=WishStatus.POSTED,
                              db_index=True)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("posted by"), null=True,
                                  on_delete=models.SET_NULL, related_name="posted_wishes")
    handover_place = models.CharField(_("handover place"), max_length=100, blank=True,
                                      help_text=_("Where the claimer meets the worker, e.g. the community office."))
    handover_contact = models.CharField(_("worker's contact phone"), max_length=32, blank=True)
    fulfil_days = models.PositiveSmallIntegerField(_("days to fulfil after a claim"), default=DEFAULT_FULFIL_DAYS)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("claimed by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="claimed_wishes")
    claimed_unit = models.ForeignKey("people.UnitOrg", verbose_name=_("on behalf of the unit"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    due = models.DateField(_("fulfil by"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    fulfil_note = models.TextField(_("how it was fulfilled"), blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")

    # The grid workers of a community see (read-only) the wishes posted at the community itself.
    scope_ancestors = True

    class Meta:
        verbose_name = _("small wish")
        verbose_name_plural = _("small wishes")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["path", "status"], name="wish_path_status")]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_WISH_STATUSES

    def is_late(self, today) -> bool:
        return self.status == WishStatus.CLAIMED and self.due is not None and self.due < today

    @property
    def claimer_name(self) -> str:
        if self.claimed_unit_id:
            return self.claimed_unit.name
        return self.claimed_by.display_name if self.claimed_by_id else ""


def wish_photo_path(instance, filename):
    import secrets

    return f"wishes/{instance.wish_id}/{secrets.token_hex(8)}.jpg"


class WishPhoto(models.Model):
    """A photo proving a fulfilled wish (resized and re-encoded: no EXIF, no location)."""

    wish = models.ForeignKey(Wish, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=wish_photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("wish photo")
        verbose_name_plural = _("wish photos")
        ordering = ["id"]

    def __str__(self):
        return f"{self.wish_id} #{self.pk}"


class WishEvent(StatusEvent):
    """Every change of a wish: posted, claimed, released, fulfilled, confirmed, cancelled."""

    wish = models.ForeignKey(Wish, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        verbose_name = _("wish event")
        verbose_name_plural = _("wish events")
