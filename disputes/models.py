"""Disputes and their mediation (矛盾纠纷排查调处), as mediators and justice offices work them.

* ``Committee`` (调委会) at grid, community, street, county or industry level, with its ``Mediator``s.
* ``Campaign`` (排查): scheduled or special screening of a place; every grid under it files a
  ``ScreeningReport`` with its findings or an explicit "nothing found" (零报告).
* ``Dispute``: the register. Its grade decides the tier it starts at (``GradeRule``: small disputes
  stay in the grid, ordinary ones in the village, hard ones go up); each tier has a deadline
  (``TierRule``); a tier that fails or passes its deadline escalates, with a ``DisputeEvent``.
* ``Session`` (调解会), ``Agreement`` (调解协议书, numbered per committee and year) and ``FollowUp``
  (回访: was the agreement performed?). ``Party`` holds the persons and units involved; their ID
  numbers and phones are encrypted and shown masked.

Status changes go through ``actions.py`` only; the allowed ones are the table in ``workflow.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from encrypted_fields.fields import EncryptedCharField

from core.models import StatusEvent
from core.privacy import id_hash, mask_id_number, mask_phone, normalize_id_number
from places.models import AtPlace


class Tier(models.TextChoices):
    """The levels a dispute is handled at, bottom up (组 → 村 → 镇 → 县)."""

    GRID = "grid", _("Grid")
    COMMUNITY = "community", _("Village / community")
    STREET = "street", _("Town / street")
    COUNTY = "county", _("County / district")


TIER_ORDER = [Tier.GRID, Tier.COMMUNITY, Tier.STREET, Tier.COUNTY]
# The place level whose committee handles each tier.
TIER_PLACE_LEVEL = {Tier.GRID: "grid", Tier.COMMUNITY: "community", Tier.STREET: "street", Tier.COUNTY: "district"}


class CommitteeLevel(models.TextChoices):
    GRID = "grid", _("Grid mediation group")
    COMMUNITY = "community", _("Village / community committee")
    STREET = "street", _("Town / street committee")
    COUNTY = "county", _("County / district committee")
    INDUSTRY = "industry", _("Industry or professional committee")


class Industry(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    TRAFFIC = "traffic", _("Traffic accidents")
    MEDICAL = "medical", _("Medical disputes")
    LABOUR = "labour", _("Labour disputes")
    PROPERTY = "property", _("Property management")
    CONSUMER = "consumer", _("Consumer disputes")
    TOURISM = "tourism", _("Tourism")
    OTHER = "other", _("Other")


class DisputeKind(models.TextChoices):
    NEIGHBOUR = "neighbour", _("Neighbours")
    FAMILY = "family", _("Family and marriage")
    LAND = "land", _("Land and housing sites")
    LABOUR = "labour", _("Labour and wages")
    PROPERTY = "property", _("Property management")
    CONSUMER = "consumer", _("Consumer")
    CONTRACT = "contract", _("Contracts and debts")
    DAMAGE = "damage", _("Damage and injury")
    TRAFFIC = "traffic", _("Traffic accident")
    MEDICAL = "medical", _("Medical")
    DEMOLITION = "demolition", _("Demolition and relocation")
    OTHER = "other", _("Other")


class Grade(models.TextChoices):
    """How hard a dispute is: the starting tier follows from it (``GradeRule``)."""

    MINOR = "minor", _("Minor")
    GENERAL = "general", _("General (一般)")
    MAJOR = "major", _("Major (重大)")
    DIFFICULT = "difficult", _("Difficult (疑难)")


class Status(models.TextChoices):
    ACCEPTED = "accepted", pgettext_lazy("dispute status", "Accepted")
    MEDIATING = "mediating", _("Being mediated")
    AGREED = "agreed", _("Agreement reached")
    FAILED = "failed", _("Mediation failed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (Status.ACCEPTED, Status.MEDIATING)


class Route(models.TextChoices):
    """Where a dispute that mediation could not settle is guided (with the record handed over)."""

    LITIGATION = "litigation", _("Litigation (court)")
    ARBITRATION = "arbitration", _("Arbitration")
    PETITION = "petition", _("Petition (信访)")
    ADMINISTRATIVE = "administrative", _("Administrative handling")
    OTHER = "other", _("Other")


class Source(models.TextChoices):
    SCREENING = "screening", _("Screening campaign")
    VISIT = "visit", _("Found on a visit")
    WALK_IN = "walk_in", _("Walk-in")
    HOTLINE = "hotline", _("Hotline")
    REFERRAL = "referral", _("Referred by a department or court")
    CASE = "case", _("From a case")


class GradeRule(models.Model):
    """Configurable rule: the tier a dispute of this grade starts at."""

    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices, unique=True)
    start_tier = models.CharField(_("starting tier"), max_length=16, choices=Tier.choices)

    class Meta:
        verbose_name = _("grade rule")
        verbose_name_plural = _("grade rules")

    def __str__(self):
        return f"{self.get_grade_display()} → {self.get_start_tier_display()}"


class TierRule(models.Model):
    """Configurable rule: how many days a tier has before the dispute goes up."""

    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, unique=True)
    days = models.PositiveSmallIntegerField(_("days to settle"))

    class Meta:
        verbose_name = _("tier rule")
        verbose_name_plural = _("tier rules")

    def __str__(self):
        return f"{self.get_tier_display()}: {self.days}"


class Committee(AtPlace):
    """A people's mediation committee (调委会) and the area it serves (its place and everything below)."""

    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=CommitteeLevel.choices)
    industry = models.CharField(_("industry"), max_length=16, choices=Industry.choices, blank=True)
    unit = models.ForeignKey("people.UnitOrg", verbose_name=_("enterprise"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="mediation_committees",
                             help_text=_("For an enterprise committee: the enterprise it belongs to."))
    short_name = models.CharField(_("short name for numbering"), max_length=16, blank=True,
                                  help_text=_("Used in agreement numbers, e.g. 东华门 in （2026）东华门调字第1号."))
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    kinds = models.JSONField(_("dispute kinds"), default=list, blank=True,
                             help_text=_("The kinds of dispute it takes; empty: all."))
    is_active = models.BooleanField(_("active"), default=True)

    # A committee serves everything below its place: those below see it (read-only).
    scope_ancestors = True

    class Meta:
        verbose_name = _("mediation committee")
        verbose_name_plural = _("mediation committees")
        ordering = ["path", "level", "name"]

    def __str__(self):
        return self.name


class Mediator(models.Model):
    """A people's mediator of a committee; ``user`` when they sign in."""

    committee = models.ForeignKey(Committee, verbose_name=_("committee"), on_delete=models.CASCADE,
                                  related_name="mediators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="mediator_roles")
    name = models.CharField(_("name"), max_length=64)
    is_head = models.BooleanField(_("committee head"), default=False)
    is_full_time = models.BooleanField(_("full-time"), default=False)
    specialty = models.CharField(_("specialty"), max_length=64, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")
        ordering = ["-is_head", "name"]

    def __str__(self):
        return self.name


class CampaignKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly screening")
    QUARTERLY = "quarterly", _("Quarterly screening")
    SPECIAL = "special", _("Special screening")


class Campaign(AtPlace):
    """A screening campaign (排查) over a place: every grid under it reports by ``due``."""

    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=CampaignKind.choices)
    focus = models.TextField(_("focus"), blank=True, help_text=_("What to look for (重点排查事项)."))
    starts = models.DateField(_("starts"))
    due = models.DateField(_("reports due"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # The deadline sweep's claim marker: the grids that had not reported by ``due`` were reminded.
    missing_notified = models.BooleanField(default=False, editable=False)

    # Every grid under the place reports to it: those below see it (read-only).
    scope_ancestors = True

    class Meta:
        verbose_name = _("screening campaign")
        verbose_name_plural = _("screening campaigns")
        ordering = ["-due", "-id"]

    def __str__(self):
        return self.title


class ScreeningReport(models.Model):
    """One grid's report to a campaign: what it found, or explicitly nothing (零报告)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reports")
    grid = models.ForeignKey("places.OrgUnit", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=255, editable=False, db_index=True)
    nothing_found = models.BooleanField(_("nothing found"), default=False)
    found = models.PositiveIntegerField(_("disputes found"), default=0)
    note = models.TextField(_("note"), blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reported_at = models.DateTimeField(_("reported at"), auto_now=True)

    class Meta:
        verbose_name = _("screening report")
        verbose_name_plural = _("screening reports")
        constraints = [models.UniqueConstraint(fields=["campaign", "grid"], name="one_report_per_grid")]

    def __str__(self):
        return f"{self.campaign_id} {self.grid_id}"

    def save(self, *args, **kwargs):
        self.path = self.grid.path
        super().save(*args, **kwargs)


class Dispute(AtPlace):
    """A dispute (矛盾纠纷) where it arose (``place``: usually a grid), handled at one tier at a time."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("what happened"))
    kind = models.CharField(_("kind"), max_length=16, choices=DisputeKind.choices)
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices, default=Grade.GENERAL)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.VISIT)
    amount = models.DecimalField(_("amount involved (yuan)"), max_digits=14, decimal_places=2, null=True,
                                 blank=True)
    people_count = models.PositiveIntegerField(_("people involved"), default=2)
    risk_mass_incident = models.BooleanField(_("risk of a mass incident"), default=False)
    risk_criminal = models.BooleanField(_("risk of turning criminal"), default=False)
    campaign = models.ForeignKey(Campaign, verbose_name=_("screening campaign"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="disputes")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACCEPTED,
                              db_index=True)
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    # The path of the place handling the current tier (the grid, the community...): the committee's
    # mediators see the dispute through it, and the scope of a tier is what goes "up".
    committee = models.ForeignKey(Committee, verbose_name=_("committee"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="disputes")
    mediator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("mediator"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="mediated_disputes")
    received_on = models.DateField(_("received on"))
    tier_due = models.DateField(_("tier deadline"), null=True, blank=True, db_index=True)
    escalations = models.PositiveSmallIntegerField(_("escalations"), default=0)
    route = models.CharField(_("guided to"), max_length=16, choices=Route.choices, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    turned_criminal = models.BooleanField(_("turned criminal (民转刑)"), default=False)
    incident_prevented = models.BooleanField(_("mass incident prevented"), default=False)
    prevented_people = models.PositiveIntegerField(_("people in the prevented incident"), default=0)
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="disputes")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["path", "status"], name="dispute_path_status")]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class PartyKind(models.TextChoices):
    PERSON = "person", _("Person")
    UNIT = "unit", _("Unit")


class PartySide(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    RESPONDENT = "respondent", _("Respondent")
    THIRD = "third", _("Third party")


class Party(models.Model):
    """A party to a dispute: a person (ID number and phone encrypted, shown masked) or a unit."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="parties")
    side = models.CharField(_("side"), max_length=16, choices=PartySide.choices, default=PartySide.APPLICANT)
    kind = models.CharField(_("kind"), max_length=8, choices=PartyKind.choices, default=PartyKind.PERSON)
    name = models.CharField(_("name"), max_length=100)
    resident = models.ForeignKey("people.Resident", verbose_name=_("resident"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="dispute_parties")
    unit = models.ForeignKey("people.UnitOrg", verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="dispute_parties")
    id_number = EncryptedCharField(_("ID number"), max_length=24, blank=True, null=True)
    id_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone = EncryptedCharField(_("phone"), max_length=32, blank=True, null=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["side", "id"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.id_number = normalize_id_number(self.id_number or "") or None
        self.id_hash = id_hash(self.id_number) if self.id_number else ""
        super().save(*args, **kwargs)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number or "")

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone or "")


class JointKind(models.TextChoices):
    """Who joins a people's mediation (大调解: 人民调解 with 行政调解, 司法调解, 警调对接)."""

    ADMINISTRATIVE = "administrative", _("Administrative mediation (a department)")
    JUDICIAL = "judicial", _("Judicial mediation (a court, 诉调对接)")
    POLICE = "police", _("Police station (警调对接)")
    LAWYER = "lawyer", _("Lawyer or legal adviser")
    OTHER = "other", _("Other")


class JointMediator(models.Model):
    """A mediator from outside the committee pulled into the mediation: a department's official, a
    judge or court mediator, a police officer, a lawyer."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="joint_mediators")
    kind = models.CharField(_("kind"), max_length=16, choices=JointKind.choices)
    organisation = models.CharField(_("organisation"), max_length=100)
    name = models.CharField(_("name"), max_length=64)
    department = models.ForeignKey("places.Department", verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="joint_mediations")
    role = models.CharField(_("role in the mediation"), max_length=100, blank=True)
    invited_at = models.DateTimeField(_("invited at"), auto_now_add=True)

    class Meta:
        verbose_name = _("joint mediator")
        verbose_name_plural = _("joint mediators")
        ordering = ["invited_at", "id"]

    def __str__(self):
        return f"{self.name} ({self.organisation})"


class SessionResult(models.TextChoices):
    CONTINUE = "continue", _("To be continued")
    AGREED = "agreed", _("Agreement reached")
    FAILED = "failed", _("No agreement")


class Session(models.Model):
    """A mediation session (调解会): when, who attended, the minutes."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="sessions")
    held_at = models.DateTimeField(_("held at"))
    venue = models.CharField(_("venue"), max_length=100, blank=True)
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    mediators = models.CharField(_("mediators"), max_length=200)
    attendees = models.CharField(_("attendees"), max_length=400)
    minutes = models.TextField(_("minutes"))
    result = models.CharField(_("result"), max_length=16, choices=SessionResult.choices,
                              default=SessionResult.CONTINUE)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["held_at", "id"]

    def __str__(self):
        return f"{self.dispute_id} {self.held_at:%Y-%m-%d}"


class Agreement(models.Model):
    """A mediation agreement (人民调解协议书), numbered per committee and year."""

    dispute = models.OneToOneField(Dispute, on_delete=models.PROTECT, related_name="agreement")
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="agreements")
    year = models.PositiveSmallIntegerField()
    serial = models.PositiveIntegerField()
    matters = models.TextField(_("facts and matters in dispute"))
    terms = models.TextField(_("terms agreed"))
    performance = models.CharField(_("how and when it is performed"), max_length=400, blank=True)
    perform_by = models.DateField(_("to be performed by"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"))
    mediators = models.CharField(_("mediators"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")
        constraints = [models.UniqueConstraint(fields=["committee", "year", "serial"], name="agreement_number")]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        short = self.committee.short_name or self.committee.name[:4]
        return f"（{self.year}）{short}调字第{self.serial}号"


class Performed(models.TextChoices):
    YES = "yes", _("Performed")
    PARTLY = "partly", _("Partly performed")
    NO = "no", _("Not performed")


class FollowUp(models.Model):
    """A follow-up visit (回访): was the agreement performed?"""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="follow_ups")
    visited_on = models.DateField(_("visited on"))
    performed = models.CharField(_("performed"), max_length=8, choices=Performed.choices)
    note = models.TextField(_("note"), blank=True)
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        ordering = ["visited_on", "id"]

    def __str__(self):
        return f"{self.dispute_id} {self.visited_on}"


class DisputeEvent(StatusEvent):
    """Every change of a dispute: who, when, from which status and tier to which, why."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="events")
    from_tier = models.CharField(max_length=16, blank=True)
    to_tier = models.CharField(max_length=16, blank=True)
