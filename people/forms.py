"""Forms of the register pages. They only collect input: ``actions.py`` checks the rules and the
view puts its ``ValidationError`` back next to the field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.scope import VIEW, places_in_scope, scope_q
from core.privacy import mask_phone
from places.models import Level, OrgUnit

from .models import Address, Gender, House, HouseUse, MoveKind, Resident, ResidentStatus, Tag, UnitKind, UnitOrg

DATE = forms.DateInput(attrs={"type": "date"})


class ResidentForm(forms.Form):
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    name = forms.CharField(label=_("Name"), max_length=64)
    id_number = forms.CharField(label=_("ID number"), max_length=24, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    grid = forms.ModelChoiceField(label=_("Grid"), queryset=OrgUnit.objects.none())
    house = forms.ModelChoiceField(label=_("House"), queryset=House.objects.none(), required=False)
    household_no = forms.CharField(label=_("Household number"), max_length=32, required=False)
    is_household_head = forms.BooleanField(label=_("Head of household"), required=False)
    relation_to_head = forms.CharField(label=_("Relation to the head"), max_length=16, required=False)
    gender = forms.ChoiceField(label=_("Gender"), required=False,
                               choices=[("", _("From the ID number")), *Gender.choices])
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DATE,
                                 help_text=_("Taken from the ID number when left empty."))
    is_floating = forms.BooleanField(label=_("Floating population"), required=False)
    is_tenant = forms.BooleanField(label=_("Tenant"), required=False)
    hukou_address = forms.CharField(label=_("Registered residence"), max_length=200, required=False)
    ethnicity = forms.CharField(label=_("Ethnic group"), max_length=16, required=False)
    tags = forms.ModelMultipleChoiceField(label=_("Tags"), queryset=Tag.objects.all(), required=False,
                                          widget=forms.CheckboxSelectMultiple)
    moved_in = forms.DateField(label=_("Moved in"), required=False, widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, user, instance: Resident | None = None, **kwargs):
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                name: getattr(instance, name) for name in self.base_fields
                if name not in ("id_number", "phone", "tags")
            } | {"tags": list(instance.tags.all()), "grid": instance.grid_id, "house": instance.house_id}
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = places_in_scope(user, (Level.GRID,))
        self.fields["house"].queryset = House.objects.visible_to(user, VIEW).select_related("address")
        if instance is not None:
            # The stored values are never put into the page: leave empty to keep them.
            self.fields["grid"].disabled = True
            self.fields["id_number"].help_text = _("Stored: %(masked)s. Leave empty to keep it.") % {
                "masked": instance.masked_id_number or "—"}
            self.fields["phone"].help_text = _("Stored: %(masked)s. Leave empty to keep it.") % {
                "masked": instance.masked_phone or "—"}
            del self.fields["moved_in"]

    def action_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("tags", None)
        if self.instance is not None:
            data.pop("grid", None)
            for name in ("id_number", "phone"):
                if not data.get(name):
                    data.pop(name, None)
        return data


class ResidentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(attrs={
        "type": "search", "placeholder": _("Name, full ID number or household number"), "autocomplete": "off"}))
    grid = forms.ChoiceField(label=_("Place"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Living here")), ("all", _("Any status"))]
                               + [c for c in ResidentStatus.choices if c[0] != ResidentStatus.PRESENT])
    floating = forms.ChoiceField(label=_("Population"), required=False, choices=[
        ("", _("All")), ("1", _("Floating")), ("0", _("Registered"))])
    tag = forms.ModelChoiceField(label=_("Tag"), required=False, queryset=Tag.objects.all(), empty_label=_("All"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        places = (OrgUnit.objects.visible_to(user, VIEW).filter(scope_q(user, "path"),
                                                                 level__in=[Level.COMMUNITY, Level.GRID])
                  .defer("geometry").order_by("path").values_list("code", "name", "level")[:500])
        self.fields["grid"].choices = [("", _("All places"))] + [
            (code, ("\u3000" if level == Level.GRID else "") + name) for code, name, level in places]


class MoveForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MoveKind.choices)
    at = forms.DateField(label=_("Date"), widget=DATE)
    to_grid = forms.ModelChoiceField(label=_("To grid"), queryset=OrgUnit.objects.none(), required=False)
    to_house = forms.ModelChoiceField(label=_("To house"), queryset=House.objects.none(), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_grid"].queryset = places_in_scope(user, (Level.GRID,))
        self.fields["to_house"].queryset = House.objects.visible_to(user, VIEW).select_related("address")


class HouseForm(forms.Form):
    """Add a house (with its new address), or edit one (``instance``): the grid and the address code
    stay, the landlord's phone is never put into the page (leave empty to keep it)."""

    grid = forms.ModelChoiceField(label=_("Grid"), queryset=OrgUnit.objects.none())
    address_code = forms.CharField(label=_("Address code"), max_length=40)
    address_text = forms.CharField(label=_("Address"), max_length=200)
    use = forms.ChoiceField(label=_("Use"), choices=HouseUse.choices)
    area = forms.DecimalField(label=_("Floor area (m²)"), max_digits=8, decimal_places=1, min_value=0,
                              required=False)
    is_rented = forms.BooleanField(label=_("Rented out"), required=False)
    landlord_name = forms.CharField(label=_("Landlord's name"), max_length=64, required=False)
    landlord_phone = forms.CharField(label=_("Landlord's phone"), max_length=32, required=False,
                                     widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, user, instance: House | None = None, **kwargs):
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "address_code": instance.address.code, "address_text": instance.address.text, "use": instance.use,
                "area": instance.area, "is_rented": instance.is_rented, "landlord_name": instance.landlord_name,
                "note": instance.note}
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = places_in_scope(user, (Level.GRID,))
        if instance is not None:
            del self.fields["grid"]
            self.fields["address_code"].disabled = True
            self.fields["address_code"].required = False
            self.fields["landlord_phone"].help_text = _("Stored: %(masked)s. Leave empty to keep it.") % {
                "masked": mask_phone(instance.landlord_phone) or "—"}

    def action_data(self) -> dict:
        """The house fields for ``actions.create_house``/``update_house`` (address fields left out)."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("grid", "address_code", "address_text")}
        if self.instance is not None and not data.get("landlord_phone"):
            data.pop("landlord_phone", None)
        return data


class UnitForm(forms.Form):
    """Add a unit, or edit one (``instance``: the grid stays, the contact phone is kept when left empty)."""

    grid = forms.ModelChoiceField(label=_("Grid"), queryset=OrgUnit.objects.none())
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18, required=False)
    address = forms.ModelChoiceField(label=_("Address"), queryset=Address.objects.none(), required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=64, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=32, required=False,
                                    widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    employees = forms.IntegerField(label=_("Employees"), min_value=0, required=False)
    is_active = forms.BooleanField(label=_("In business"), required=False)

    def __init__(self, *args, user, instance: UnitOrg | None = None, **kwargs):
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                name: getattr(instance, name) for name in self.base_fields if name not in ("contact_phone", "address")
            } | {"grid": instance.grid_id, "address": instance.address_id}
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = places_in_scope(user, (Level.GRID,))
        self.fields["address"].queryset = Address.objects.visible_to(user, VIEW)
        if instance is None:
            del self.fields["is_active"]
        else:
            self.fields["grid"].disabled = True
            self.fields["contact_phone"].help_text = _("Stored: %(masked)s. Leave empty to keep it.") % {
                "masked": mask_phone(instance.contact_phone) or "—"}

    def action_data(self) -> dict:
        data = dict(self.cleaned_data)
        if self.instance is not None:
            data.pop("grid", None)
            if not data.get("contact_phone"):
                data.pop("contact_phone", None)
        return data


__all__ = ["HouseForm", "MoveForm", "ResidentFilterForm", "ResidentForm", "UnitForm", "UnitOrg"]
