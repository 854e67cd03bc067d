from django.db import models
from django.utils.translation import gettext_lazy as _


class CategoryKind(models.TextChoices):
    EVENT = "event", _("Event")
    COMPONENT = "component", _("Component")


class Category(models.Model):
    """A case category (大类/小类) of the digital city-management classification.

    A top-level row (no parent) is a major class; its children are minor classes. Each category has
    a default department: the department that owns it.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=CategoryKind.choices, default=CategoryKind.EVENT)
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64)
    parent = models.ForeignKey(
        "self", verbose_name=_("major class"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    default_department = models.ForeignKey(
        "places.Department",
        verbose_name=_("default department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="categories",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"
