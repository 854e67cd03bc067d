"""The registers grid workers keep (一标三实): standard addresses, houses, residents, units.

Every record lies in a grid and copies the grid's materialised path into ``path``, so the data
scope (``visible_to``) filters it with an indexed prefix match. Fields that identify a person are
encrypted at rest (django-fernet-encrypted-fields: keys derived from SECRET_KEY, rotated through
SECRET_KEY_FALLBACKS); an ID number also keeps a keyed hash (``core.privacy.id_hash``) for exact
search. Full values are shown only through ``people.privacy`` (which audits each full view).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from accounts.scope import ScopedQuerySet
from core.privacy import id_hash, mask_id_number, mask_phone, normalize_id_number


class InGrid(models.Model):
    """A record placed in a grid; ``path`` follows the grid (kept in ``save``)."""

    grid = models.ForeignKey("places.OrgUnit", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+")
    path = models.CharField(_("path"), max_length=255, editable=False, db_index=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "path"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.path = self.grid.path
        super().save(*args, **kwargs)


class Address(InGrid):
    """A standard address (标准地址): the place every house, household and unit hangs from."""

    code = models.CharField(_("address code"), max_length=40, unique=True)
    text = models.CharField(_("address"), max_length=200)
    building = models.CharField(_("building"), max_length=40, blank=True)
    unit = models.CharField(_("entrance"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=20, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("standard address")
        verbose_name_plural = _("standard addresses")
        ordering = ["path", "code"]

    def __str__(self):
        return self.text


class HouseUse(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential")
    COMMERCIAL = "commercial", _("Commercial")
    MIXED = "mixed", _("Mixed use")
    OTHER = "other", _("Other")


class House(InGrid):
    """An actual house (实有房屋): a dwelling at an address, rented or not."""

    address = models.OneToOneField(Address, verbose_name=_("address"), on_delete=models.PROTECT,
                                   related_name="house")
    use = models.CharField(_("use"), max_length=16, choices=HouseUse.choices, default=HouseUse.RESIDENTIAL)
    area = models.DecimalField(_("floor area (m²)"), max_digits=8, decimal_places=1, null=True, blank=True)
    is_rented = models.BooleanField(_("rented out"), default=False)
    landlord = models.ForeignKey("Resident", verbose_name=_("landlord"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="houses_let")
    landlord_name = models.CharField(_("landlord's name"), max_length=64, blank=True,
                                     help_text=_("When the landlord does not live in the district."))
    landlord_phone = EncryptedCharField(_("landlord's phone"), max_length=32, blank=True, null=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("house")
        verbose_name_plural = _("houses")
        ordering = ["path", "address__code"]

    def __str__(self):
        return str(self.address)


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class ResidentStatus(models.TextChoices):
    PRESENT = "present", _("Living here")
    MOVED_OUT = "moved_out", _("Moved out")
    DECEASED = "deceased", _("Deceased")


class Tag(models.Model):
    """A care tag (elderly living alone, disabled, low-income...), editable per deployment."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=32)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Resident(InGrid):
    """A person of the actual population (实有人口): registered (户籍) or floating (流动)."""

    name = models.CharField(_("name"), max_length=64, db_index=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    id_number = EncryptedCharField(_("ID number"), max_length=18, blank=True, null=True)
    id_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone = EncryptedCharField(_("phone"), max_length=32, blank=True, null=True)
    house = models.ForeignKey(House, verbose_name=_("house"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="residents")
    household_no = models.CharField(_("household number"), max_length=32, blank=True, db_index=True)
    is_household_head = models.BooleanField(_("head of household"), default=False)
    relation_to_head = models.CharField(_("relation to the head"), max_length=16, blank=True)
    is_floating = models.BooleanField(_("floating population"), default=False)
    is_tenant = models.BooleanField(_("tenant"), default=False)
    hukou_address = models.CharField(_("registered residence (户籍地)"), max_length=200, blank=True)
    ethnicity = models.CharField(_("ethnic group"), max_length=16, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="residents")
    status = models.CharField(_("status"), max_length=16, choices=ResidentStatus.choices,
                              default=ResidentStatus.PRESENT)
    moved_in = models.DateField(_("moved in"), null=True, blank=True)
    moved_out = models.DateField(_("moved out"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # The resident's own sign-in, once the community has verified who they are (实名认证): what makes
    # them eligible to vote on their community's or building's matters, one vote per person.
    account = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="resident_record")

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["path", "household_no", "-is_household_head", "name"]
        indexes = [models.Index(fields=["path", "status"], name="resident_path_status")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.id_number = normalize_id_number(self.id_number) or None
        self.id_hash = id_hash(self.id_number)
        super().save(*args, **kwargs)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class UnitKind(models.TextChoices):
    SHOP = "shop", _("Shop")
    FIRM = "firm", _("Company")
    SCHOOL = "school", _("School")
    HOSPITAL = "hospital", _("Clinic or hospital")
    RESTAURANT = "restaurant", _("Restaurant")
    GOVERNMENT = "government", _("Public body")
    OTHER = "other", _("Other")


class UnitOrg(InGrid):
    """An actual unit (实有单位): a shop, firm, school... in the grid."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices, default=UnitKind.SHOP)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True, db_index=True)
    address = models.ForeignKey(Address, verbose_name=_("address"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="units")
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    contact_phone = EncryptedCharField(_("contact phone"), max_length=32, blank=True, null=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    is_active = models.BooleanField(_("in business"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path", "name"]

    def __str__(self):
        return self.name


class MoveKind(models.TextChoices):
    IN = "in", _("Moved in")
    OUT = "out", _("Moved out")
    TRANSFER = "transfer", _("Moved within the district")


class Move(models.Model):
    """One move of a resident: the register keeps where they were, not only where they are."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="moves")
    kind = models.CharField(_("kind"), max_length=16, choices=MoveKind.choices)
    at = models.DateField(_("date"))
    from_grid = models.ForeignKey("places.OrgUnit", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    to_grid = models.ForeignKey("places.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_house = models.ForeignKey(House, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_house = models.ForeignKey(House, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("move")
        verbose_name_plural = _("moves")
        ordering = ["resident", "at", "id"]

    def __str__(self):
        return f"{self.resident_id} {self.kind} {self.at}"


class SensitiveView(models.Model):
    """One full view of protected personal data: who saw which field of which record, when, from where."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    model = models.CharField(_("record type"), max_length=64)
    object_id = models.PositiveBigIntegerField(_("record"))
    fields = models.CharField(_("fields"), max_length=200)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    remote_addr = models.GenericIPAddressField(_("address"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("full view of personal data")
        verbose_name_plural = _("full views of personal data")
        ordering = ["-at"]
        indexes = [models.Index(fields=["model", "object_id", "-at"], name="sensitiveview_record")]

    def __str__(self):
        return f"{self.user_id} {self.model}#{self.object_id} {self.at:%Y-%m-%d %H:%M}"
