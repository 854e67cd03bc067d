"""In-app notifications: what the deadline worker and the case engine tell people."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ASSIGNED = "assigned", _("New task")
    RETURNED = "returned", _("Case returned")
    WARNING = "warning", _("Deadline approaching")
    OVERDUE = "overdue", _("Deadline passed")
    SUPERVISION = "supervision", _("Supervision notice")
    ESCALATED = "escalated", _("Escalated to you")
    REWORK = "rework", _("Sent back for rework")
    UPDATE = "update", _("Case update")
    RISK = "risk", _("Early warning")


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=200, blank=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="notifications")
    created = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created"], name="notification_inbox")]

    def __str__(self):
        return self.title
