from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from .scope import ScopedQuerySet


class Role(models.TextChoices):
    GRID_WORKER = "grid_worker", _("Grid worker")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    DISPATCHER = "dispatcher", _("Dispatcher")
    HANDLER = "handler", _("Department handler")
    INSPECTOR = "inspector", _("Inspector")
    MEDIATOR = "mediator", _("Mediator")
    JUSTICE_OFFICER = "justice_officer", _("Justice officer")
    VOLUNTEER = "volunteer", _("Volunteer")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    RESIDENT_USER = "resident_user", _("Resident")
    LEADER = "leader", _("Leader")
    ADMIN = "admin", _("Administrator")


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in. Their role says what they do; their data scope says where."""

    full_name = models.CharField(_("full name"), max_length=64, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.RESIDENT_USER)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    org_unit = models.ForeignKey(
        "places.OrgUnit",
        verbose_name=_("home place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        help_text=_("Where the user works or lives; their record is visible to staff whose scope covers it."),
    )
    department = models.ForeignKey(
        "places.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    scope_units = models.ManyToManyField(
        "places.OrgUnit",
        verbose_name=_("data scope"),
        blank=True,
        related_name="scoped_users",
        help_text=_("The places whose records this user may see and act on."),
    )

    objects = ScopedUserManager()
    scope_path = "org_unit__path"

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username
