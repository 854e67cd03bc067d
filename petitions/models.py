"""Petitions (信访): letters and visits, their reply deadline, repeats, key petitions and reception days.

A ``Petition`` is registered where the petitioner lives or the matter arose (``place``), gets a
number (XF2026-00012), is forwarded to the body that handles it and must be answered by
``reply_due`` (``settings.PETITION_REPLY_DAYS`` after receipt, 60 days by default). Petitions by the
same person (same ID number, or same phone when there is no ID number) are linked automatically into
one *repeat group*; staff link petitions on the same matter by hand. Key petitions (重点信访) get the
"five ones" (五个一): one matter, one leader, one team, one plan, followed through to the end
(``KeyPlan``). The monthly leader reception day (领导接待日) keeps its own register (``ReceptionDay``).
ID numbers and phones are encrypted and shown masked.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from core.models import StatusEvent
from core.privacy import id_hash, mask_id_number, mask_phone, normalize_id_number
from places.models import AtPlace

COLLECTIVE_SIZE = 5  # five or more people: a collective petition (集体访)


def reply_days() -> int:
    return int(getattr(settings, "PETITION_REPLY_DAYS", 60))


def phone_hash(phone: str | None) -> str:
    """A keyed hash of a phone number (digits only), to find the same caller without decrypting."""
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    return id_hash(f"tel:{digits}") if digits else ""


class Channel(models.TextChoices):
    LETTER = "letter", _("Letter (来信)")
    VISIT = "visit", _("Visit (来访)")
    PHONE = "phone", _("Phone")
    ONLINE = "online", _("Online (网上信访)")
    HOTLINE = "hotline", _("Hotline 12345")
    MAILBOX = "mailbox", _("Leader mailbox")


class Destination(models.TextChoices):
    """How high the petitioner went (本级/到区/到市/到省/进京)."""

    LOCAL = "local", _("This level (本级)")
    DISTRICT = "district", _("To the district (到区)")
    CITY = "city", _("To the city (到市)")
    PROVINCE = "province", _("To the province (到省)")
    BEIJING = "beijing", _("To Beijing (进京)")


class Category(models.TextChoices):
    LAND = "land", _("Land acquisition and demolition")
    HOUSING = "housing", _("Housing and property")
    LABOUR = "labour", _("Labour and wages")
    SOCIAL = "social", _("Social security and civil affairs")
    ENVIRONMENT = "environment", _("Environment and pollution")
    URBAN = "urban", _("Urban management")
    LAW = "law", _("Law and litigation (涉法涉诉)")
    CONDUCT = "conduct", _("Conduct of officials")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    FORWARDED = "forwarded", _("Forwarded")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", _("Closed")
    NOT_ACCEPTED = "not_accepted", _("Not accepted (不予受理)")


OPEN_STATUSES = (Status.REGISTERED, Status.FORWARDED)  # the reply is still owed


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class ReceptionDay(AtPlace):
    """One leader reception day (领导接待日): usually the 15th of each month, at the street office."""

    date = models.DateField(_("date"), db_index=True)
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("receiving leader"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="reception_days")
    leader_name = models.CharField(_("leader (name and post)"), max_length=64, blank=True)
    venue = models.CharField(_("venue"), max_length=100, blank=True)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("reception day")
        verbose_name_plural = _("reception days")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.leader_label}"

    @property
    def leader_label(self) -> str:
        if self.leader_name:
            return self.leader_name
        return self.leader.display_name if self.leader else ""


class Petition(AtPlace):
    number = models.CharField(_("number"), max_length=32, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.VISIT)
    petitioner_name = models.CharField(_("petitioner"), max_length=64)
    petitioner_id_number = EncryptedCharField(_("ID number"), max_length=24, blank=True, null=True)
    id_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    petitioner_phone = EncryptedCharField(_("phone"), max_length=32, blank=True, null=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    resident = models.ForeignKey("people.Resident", verbose_name=_("resident"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="petitions")
    people_count = models.PositiveIntegerField(_("people"), default=1)
    is_collective = models.BooleanField(_("collective (集体访)"), default=False, editable=False)
    destination = models.CharField(_("destination level"), max_length=16, choices=Destination.choices,
                                   default=Destination.LOCAL)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices, default=Category.OTHER)
    title = models.CharField(_("matter"), max_length=120)
    matter = models.TextField(_("what is asked"))
    received_on = models.DateField(_("received on"), db_index=True)
    reply_due = models.DateField(_("reply due"), db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REGISTERED,
                              db_index=True)
    status_reason = models.TextField(_("reason"), blank=True)
    forwarded_to = models.ForeignKey("places.Department", verbose_name=_("forwarded to"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="petitions")
    forwarded_to_name = models.CharField(_("handling body"), max_length=100, blank=True)
    forwarded_on = models.DateField(_("forwarded on"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    satisfaction = models.CharField(_("petitioner's satisfaction"), max_length=16, choices=Satisfaction.choices,
                                    blank=True)
    settled = models.BooleanField(_("petitioner accepts (息诉罢访)"), default=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    is_key = models.BooleanField(_("key petition"), default=False, db_index=True)
    is_repeat = models.BooleanField(_("repeat petition"), default=False, editable=False)
    # The repeat group: the first petition of the chain (itself for the first).
    group = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              editable=False)
    reception_day = models.ForeignKey(ReceptionDay, verbose_name=_("reception day"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="petitions")
    dispute = models.ForeignKey("disputes.Dispute", verbose_name=_("dispute"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="petitions")
    # The deadline sweep's claim marker: the overdue notice went out (at most once per petition).
    overdue_notified = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["path", "status"], name="petition_path_status"),
            models.Index(fields=["status", "reply_due"], name="petition_status_due"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        self.petitioner_id_number = normalize_id_number(self.petitioner_id_number) or None
        self.id_hash = id_hash(self.petitioner_id_number)
        self.petitioner_phone = (self.petitioner_phone or "").strip() or None
        self.phone_hash = phone_hash(self.petitioner_phone)
        self.is_collective = self.people_count >= COLLECTIVE_SIZE
        super().save(*args, **kwargs)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.petitioner_id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.petitioner_phone)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: date | None = None) -> bool:
        return self.is_open and self.reply_due < (today or timezone.localdate())

    @property
    def replied_on_time(self) -> bool | None:
        if not self.replied_on:
            return None
        return self.replied_on <= self.reply_due


class KeyPlan(models.Model):
    """The "five ones" (五个一) of a key petition: one matter (the petition), one leader, one team, one
    plan, followed through to the end (progress and result)."""

    petition = models.OneToOneField(Petition, on_delete=models.CASCADE, related_name="key_plan")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("responsible leader"), null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="key_petitions")
    leader_name = models.CharField(_("leader (name and post)"), max_length=64, blank=True)
    team = models.TextField(_("team"), help_text=_("Who works on it, one per line with their duty."))
    plan = models.TextField(_("plan"))
    target_date = models.DateField(_("resolve by"), null=True, blank=True)
    progress = models.TextField(_("follow-through"), blank=True)
    result = models.TextField(_("result"), blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("key petition plan")
        verbose_name_plural = _("key petition plans")

    def __str__(self):
        return f"{self.petition_id} {self.leader_label}"

    @property
    def leader_label(self) -> str:
        if self.leader_name:
            return self.leader_name
        return self.leader.display_name if self.leader else ""


class LinkKind(models.TextChoices):
    SAME_PERSON = "same_person", _("Same petitioner")
    SAME_MATTER = "same_matter", _("Same matter")


class PetitionLink(models.Model):
    """Why two petitions are in one repeat group: found automatically (same person) or linked by staff."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="links_out")
    other = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=16, choices=LinkKind.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("petition link")
        verbose_name_plural = _("petition links")
        constraints = [models.UniqueConstraint(fields=["petition", "other"], name="petition_link_unique")]

    def __str__(self):
        return f"{self.petition_id}-{self.other_id} {self.kind}"


class PetitionEvent(StatusEvent):
    """Every change of a petition: who, when, from which status to which, why."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="events")
