"""The place tree: district > street > community > grid (> building), and departments.

Every place is one ``OrgUnit`` row. ``path`` is the chain of codes from the root, each followed by
``/`` (``110101/110101001/110101001001/``), so "lies under" is an indexed prefix match.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

from accounts.scope import ScopedQuerySet


class Level(models.TextChoices):
    DISTRICT = "district", _("District")
    STREET = "street", _("Street/Town")
    COMMUNITY = "community", _("Community/Village")
    GRID = "grid", _("Grid")
    BUILDING = "building", _("Building")


# Which level may sit directly under which.
CHILD_LEVEL = {
    None: Level.DISTRICT,
    Level.DISTRICT: Level.STREET,
    Level.STREET: Level.COMMUNITY,
    Level.COMMUNITY: Level.GRID,
    Level.GRID: Level.BUILDING,
}
LEVEL_DEPTH = {level: depth for depth, level in enumerate(Level.values)}


class OrgUnit(models.Model):
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    code = models.CharField(
        _("code"), max_length=32, unique=True, help_text=_("Statistical code (GB/T 2260 and its extensions).")
    )
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("path"), max_length=255, editable=False, db_index=True)
    resident_count = models.PositiveIntegerField(_("residents"), default=0)
    household_count = models.PositiveIntegerField(_("households"), default=0)
    geometry = models.JSONField(_("boundary"), null=True, blank=True, help_text=_("GeoJSON Polygon or MultiPolygon."))
    centroid_lon = models.FloatField(_("centroid longitude"), null=True, blank=True, editable=False)
    centroid_lat = models.FloatField(_("centroid latitude"), null=True, blank=True, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "path"
    scope_ancestors = True

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["path"]
        # db_index on `path` gives PostgreSQL a varchar_pattern_ops index too, so prefix matches
        # (`path LIKE 'x%'`) use an index there; SQLite uses it with case_sensitive_like on.
        indexes = [models.Index(fields=["level", "path"], name="orgunit_level_path")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        old_path = None
        if self.pk:
            old_path = OrgUnit.objects.filter(pk=self.pk).values_list("path", flat=True).first()
        self.path = (self.parent.path if self.parent_id else "") + self.code + "/"
        if self.geometry:
            from .geo import centroid

            self.centroid_lon, self.centroid_lat = centroid(self.geometry)
        else:
            self.centroid_lon = self.centroid_lat = None
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # Moving or recoding a node moves its whole subtree.
            OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=Concat(Value(self.path), Substr("path", len(old_path) + 1))
            )

    def clean(self):
        from .geo import GeometryError, validate_geometry

        expected = CHILD_LEVEL[self.parent.level if self.parent else None]
        if self.level != expected:
            raise ValidationError({"level": _("A %(parent)s can only contain a %(child)s.") % {
                "parent": self.parent.get_level_display() if self.parent else _("root"),
                "child": Level(expected).label,
            }})
        if self.geometry is not None:
            try:
                validate_geometry(self.geometry)
            except GeometryError as exc:
                raise ValidationError({"geometry": str(exc)}) from exc
        elif self.level == Level.GRID:
            raise ValidationError({"geometry": _("A grid needs a boundary polygon.")})

    @property
    def depth(self) -> int:
        return LEVEL_DEPTH[self.level]

    def ancestors(self):
        """Places above this one, root first."""
        codes = self.path.rstrip("/").split("/")[:-1]
        by_code = {unit.code: unit for unit in OrgUnit.objects.filter(code__in=codes)}
        return [by_code[code] for code in codes if code in by_code]

    def descendants(self):
        return OrgUnit.objects.filter(path__startswith=self.path).exclude(pk=self.pk)


class Department(models.Model):
    """A functional department (职能部门) that handles cases within its service area."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("service area"),
        on_delete=models.PROTECT,
        related_name="departments",
        help_text=_("The place whose cases this department handles (usually the district or a street)."),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_territorial = models.BooleanField(
        _("territorial office"),
        default=False,
        help_text=_("The office of the place itself (a street office): it owns every case of its area that no "
                    "duty-list row or category gives to another department (属地兜底)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "org_unit__path"
    scope_ancestors = True

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self):
        return self.name


class AtPlace(models.Model):
    """A record that belongs to a place of any level (a committee of a street, a dispute in a grid, a
    petition from a community); ``path`` copies the place's path (kept in ``save``) so the data scope
    filters it with an indexed prefix match."""

    place = models.ForeignKey(OrgUnit, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    path = models.CharField(_("path"), max_length=255, editable=False, db_index=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "path"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.path = self.place.path
        super().save(*args, **kwargs)
