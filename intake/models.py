"""Models of the smart intake (issue 8): trained versions of the router and the auto-dispatch setting;
hotspots and early warnings (风险预警) with their detection state.

Routing is deployment-wide, not per place: a version is learned from every closed case of the
deployment. A hotspot lies at a place (``AtPlace``) and is seen through the data scope.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import StatusEvent
from places.models import AtPlace


class RoutingKind(models.TextChoices):
    CATEGORY = "category", _("Category (major class)")
    DEPARTMENT = "department", _("Lead department")


class RoutingModel(models.Model):
    """One trained version of the router for one kind; at most one version per kind is active."""

    kind = models.CharField(_("kind"), max_length=16, choices=RoutingKind.choices)
    version = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("trained by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    trained_on = models.PositiveIntegerField(_("trained on (cases)"))
    labels = models.JSONField(_("labels"), default=list)
    metrics = models.JSONField(_("metrics"), default=dict,
                               help_text=_("Held-out accuracy and macro-F1, measured before training on all rows."))
    blob = models.BinaryField(_("model"), editable=False)
    is_active = models.BooleanField(_("active"), default=False)

    class Meta:
        verbose_name = _("routing model")
        verbose_name_plural = _("routing models")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="routingmodel_kind_version"),
            models.UniqueConstraint(fields=["kind"], condition=models.Q(is_active=True),
                                    name="routingmodel_one_active"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} v{self.version}"


class RoutingSettings(models.Model):
    """The deployment's routing settings (one row, made on first use)."""

    auto_dispatch_threshold = models.DecimalField(
        _("auto-dispatch threshold"), max_digits=4, decimal_places=3, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("A new case is dispatched to the suggested department without a dispatcher only when the "
                    "suggestion's probability reaches this value (0–1). Empty: never, a dispatcher decides."))
    retrain_days = models.PositiveSmallIntegerField(
        _("retrain every (days)"), null=True, blank=True, default=7, validators=[MinValueValidator(1)],
        help_text=_("The deadline worker trains new versions from the closed cases this often; the new version "
                    "replaces the active one only if it scores at least as well. Empty: only on demand."))
    next_training_at = models.DateTimeField(_("next scheduled training"), null=True, blank=True)

    class Meta:
        verbose_name = _("routing settings")
        verbose_name_plural = _("routing settings")

    def __str__(self):
        return str(_("Routing settings"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "RoutingSettings":
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class CaseSuggestion(models.Model):
    """What the active router suggests for one case, of one kind: computed by the task worker when the case
    is reported and again when another version becomes active, so web processes never load a router.

    ``items`` are ``[[code, probability], ...]``, best first; more than shown, so that enough remain once
    the departments that returned the case are left out (at read time)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="suggestions")
    kind = models.CharField(_("kind"), max_length=16, choices=RoutingKind.choices)
    version = models.ForeignKey(RoutingModel, verbose_name=_("router version"), on_delete=models.CASCADE,
                                related_name="+")
    items = models.JSONField(_("suggestions"), default=list)
    made_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        verbose_name = _("case suggestion")
        verbose_name_plural = _("case suggestions")
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="casesuggestion_case_kind")]

    def __str__(self):
        return f"{self.case_id} · {self.kind} · v{self.version_id}"


# --- Hotspots and early warning (风险预警) ---------------------------------------------------------
class HotspotKind(models.TextChoices):
    PLACE = "place", _("Place surge")
    TOPIC = "topic", _("Topic surge")
    CLUSTER = "cluster", _("Cluster of reports")
    REPEAT_PETITION = "repeat_petition", _("Repeat petition")
    REPEAT_DISPUTE = "repeat_dispute", _("Repeat dispute")


# Kinds found in the cases, and the risks found in the petition and dispute registers.
CASE_KINDS = (HotspotKind.PLACE, HotspotKind.TOPIC, HotspotKind.CLUSTER)
RISK_KINDS = (HotspotKind.REPEAT_PETITION, HotspotKind.REPEAT_DISPUTE)


class HotspotStatus(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DISMISSED = "dismissed", _("Dismissed")
    RESOLVED = "resolved", _("Resolved")


ACTIVE_HOTSPOT_STATUSES = (HotspotStatus.NEW, HotspotStatus.ACKNOWLEDGED)


class Hotspot(AtPlace):
    """A warning found by the daily detection (``intake/hotspots.py``): a place or a topic whose reports
    rose well above their own baseline, a cluster of reports at one spot, or a repeated petition or
    dispute. One row per *episode*: later detections of the same thing update it (see ``key``)."""

    kind = models.CharField(_("kind"), max_length=16, choices=HotspotKind.choices)
    # What it is about, within its kind: the place's code, community and category codes, the cluster's
    # first centre, the petition group, the first dispute of the chain. With ``first_day`` it is the
    # row's identity, so a rerun of one day's detection updates the same row.
    key = models.CharField(_("key"), max_length=120, editable=False)
    label = models.CharField(_("about"), max_length=200, blank=True)
    street = models.ForeignKey("places.OrgUnit", verbose_name=_("responsible street"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey("cases.Category", verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    topic = models.CharField(_("matter"), max_length=32, blank=True,
                             help_text=_("The petition category or dispute kind of a repeat risk."))
    first_day = models.DateField(_("first detected on"))
    last_day = models.DateField(_("last detected on"), db_index=True)
    window_start = models.DateField(_("window from"))
    window_end = models.DateField(_("window to"))
    count = models.PositiveIntegerField(_("count"))
    baseline = models.FloatField(_("baseline per week"), null=True, blank=True,
                                 help_text=_("Mean per week over the eight weeks before the window."))
    score = models.FloatField(_("score"), null=True, blank=True,
                              help_text=_("−log10 of the Poisson upper-tail probability of the count given "
                                          "the baseline: 3 means one chance in a thousand."))
    reporters = models.PositiveIntegerField(_("distinct reporters"), default=0)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    radius_m = models.PositiveIntegerField(_("radius (m)"), null=True, blank=True)
    cases = models.ManyToManyField("cases.Case", verbose_name=_("cases"), blank=True, related_name="hotspots")
    petitions = models.ManyToManyField("petitions.Petition", verbose_name=_("petitions"), blank=True,
                                       related_name="risk_hotspots")
    disputes = models.ManyToManyField("disputes.Dispute", verbose_name=_("disputes"), blank=True,
                                      related_name="risk_hotspots")
    status = models.CharField(_("status"), max_length=16, choices=HotspotStatus.choices,
                              default=HotspotStatus.NEW)
    status_note = models.TextField(_("note"), blank=True)
    status_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    status_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    detected_at = models.DateTimeField(_("detected"))
    # The warning's claim marker: set by the one worker that told the street (at most once per row).
    notified_at = models.DateTimeField(_("warning sent"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("hotspot")
        verbose_name_plural = _("hotspots")
        ordering = ["-last_day", "-score", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "key", "first_day"], name="hotspot_episode")]
        indexes = [
            models.Index(fields=["path", "status"], name="hotspot_path_status"),
            models.Index(fields=["status", "-last_day"], name="hotspot_status_day"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.label}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_HOTSPOT_STATUSES

    @property
    def is_risk(self) -> bool:
        return self.kind in RISK_KINDS

    @property
    def topic_label(self) -> str:
        """The matter of a repeat risk (the petition category or dispute kind), by its name."""
        if self.kind == HotspotKind.REPEAT_PETITION:
            from petitions.models import Category as PetitionCategory

            return str(dict(PetitionCategory.choices).get(self.topic, self.topic))
        if self.kind == HotspotKind.REPEAT_DISPUTE:
            from disputes.models import DisputeKind

            return str(dict(DisputeKind.choices).get(self.topic, self.topic))
        return self.category.name if self.category_id else ""


class HotspotEvent(StatusEvent):
    """A change of a hotspot's status: who acknowledged, dismissed or resolved it, when and why."""

    hotspot = models.ForeignKey(Hotspot, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        verbose_name = _("hotspot event")
        verbose_name_plural = _("hotspot events")


class HotspotState(models.Model):
    """The detection's one state row: the last day detected. The daily sweep claims the next day with a
    conditional UPDATE on it, so one worker detects each day however many run."""

    last_day = models.DateField(_("last day detected"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)

    class Meta:
        verbose_name = _("hotspot detection state")
        verbose_name_plural = _("hotspot detection state")

    def __str__(self):
        return f"{self.last_day}"
