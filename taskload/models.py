"""The community burden register (基层减负 / 社区工作事项准入, 三减一加强).

Departments push tasks, assessments, ledgers and report forms, meetings, certificates, plaques and
government apps or work groups down to the communities. Each one is registered here as a
``Pushdown`` at the street or district that issues it (the place of the review), with the target
communities, how often it recurs and the hours it costs each community. The governance centre (or an
administrator) reviews it against its legal basis (准入): admitted items count as load; refused ones
stay on the register, shown as refused, so that they do not creep back (反弹).

* ``Pushdown``: one item pushed down, with its review status (``workflow.py``).
* ``PushdownEvent``: every change of it.
* ``CompletionReport``: a community says it did the item for a period (optional).

Status changes go through ``actions.py`` only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import StatusEvent
from places.models import AtPlace


class PushdownKind(models.TextChoices):
    TASK = "task", _("Work task")  # 工作任务
    ASSESSMENT = "assessment", _("Assessment or ranking")  # 考核评比
    LEDGER = "ledger", _("Ledger or report form")  # 台账报表
    MEETING = "meeting", _("Meeting")  # 会议
    CERTIFICATE = "certificate", _("Certificate to issue")  # 证明事项
    PLAQUE = "plaque", _("Sign or plaque")  # 挂牌
    APP = "app", _("Government app or work group")  # 政务APP/工作群


class PushdownStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    ADMITTED = "admitted", _("Admitted")
    REFUSED = "refused", _("Not admitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Frequency(models.TextChoices):
    ONCE = "once", _("Once")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


# Times per month an item of each frequency recurs ("once" is spread over the item's span: figures.py).
PER_MONTH = {
    Frequency.WEEKLY: 52 / 12,
    Frequency.MONTHLY: 1.0,
    Frequency.QUARTERLY: 1 / 3,
    Frequency.YEARLY: 1 / 12,
}

# Places that issue items: the street office or the district.
ISSUING_LEVELS = ("district", "street")


class Pushdown(AtPlace):
    """One item a department pushes down to communities (下沉事项), registered at the street or district."""

    department = models.ForeignKey("places.Department", verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="pushdowns")
    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=PushdownKind.choices, db_index=True)
    basis = models.TextField(_("legal basis or approval"), blank=True,
                             help_text=_("The law, regulation or approved document that requires it (准入依据)."))
    status = models.CharField(_("status"), max_length=16, choices=PushdownStatus.choices,
                              default=PushdownStatus.PENDING, db_index=True)
    frequency = models.CharField(_("frequency"), max_length=16, choices=Frequency.choices, default=Frequency.MONTHLY)
    hours = models.DecimalField(_("hours per community each time"), max_digits=6, decimal_places=1, default=0)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    targets = models.ManyToManyField("places.OrgUnit", verbose_name=_("communities"), related_name="pushdowns",
                                     limit_choices_to={"level": "community"})
    note = models.TextField(_("note"), blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("registered by"), null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    review_note = models.TextField(_("review reason"), blank=True)

    scope_ancestors = True

    class Meta:
        verbose_name = _("pushed-down item")
        verbose_name_plural = _("pushed-down items")
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["path", "status"], name="pushdown_path_status")]

    def __str__(self):
        return self.title

    @classmethod
    def scope_narrowing(cls, user) -> Q | None:
        """Items of the user's own places, or issued above them to a community of theirs (a community
        worker sees what the street pushes onto their community, never what goes only to a sibling);
        a department's handlers see their department's items."""
        from accounts.models import Role
        from accounts.scope import EVERYWHERE, scope_paths, scope_q

        narrow = None
        paths = scope_paths(user)
        if EVERYWHERE not in paths:
            targeted = Q(pk__in=[])
            for path in paths:
                targeted |= Q(orgunit__path__startswith=path)
            through = cls.targets.through.objects.filter(targeted).values("pushdown_id")
            narrow = scope_q(user, "path") | Q(pk__in=through)
        if user.role == Role.HANDLER:
            own = Q(department_id=user.department_id) if user.department_id else Q(pk__in=[])
            narrow = own if narrow is None else narrow & own
        return narrow

    @property
    def counts_as_load(self) -> bool:
        return self.status == PushdownStatus.ADMITTED


class PushdownEvent(StatusEvent):
    """Every change of a pushed-down item: who, when, from which status to which, why."""

    pushdown = models.ForeignKey(Pushdown, on_delete=models.CASCADE, related_name="events")


class CompletionReport(models.Model):
    """A community reports an item done for one period (the period's first day: its week, month,
    quarter or year; for a one-off item, its start)."""

    pushdown = models.ForeignKey(Pushdown, on_delete=models.CASCADE, related_name="completions")
    community = models.ForeignKey("places.OrgUnit", verbose_name=_("community"), on_delete=models.PROTECT,
                                  related_name="+")
    period = models.DateField(_("period"))
    hours_spent = models.DecimalField(_("hours spent"), max_digits=6, decimal_places=1, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("completion report")
        verbose_name_plural = _("completion reports")
        ordering = ["-period", "community__path"]
        constraints = [models.UniqueConstraint(fields=["pushdown", "community", "period"],
                                               name="taskload_completion_once_per_period")]

    def __str__(self):
        return f"{self.pushdown_id} {self.community_id} {self.period}"
