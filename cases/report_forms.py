"""Forms of the reporting pages: a signed-in reporter's form and the public (no account) form.

The forms check what a person can correct (the category, the text, the point, the photos, the phone
number) and find the grid of the point, so that every mistake shows next to its field with what was
typed kept. Creating the case is ``actions.report_case``'s job.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.scope import covers
from places.geo import locate_grid

from .models import Category, Urgency
from .photos import MAX_PHOTOS, process_photos

CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MOBILE_RE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
LANDLINE_RE = re.compile(r"^(0\d{2,3})-?(\d{7,8})(?:-(\d{1,6}))?$")

# Roles whose reports may carry an urgency: people who work the grid, not the public.
URGENCY_ROLES = frozenset({Role.GRID_WORKER, Role.COMMUNITY_STAFF})


def category_choices() -> list:
    """Active categories, the minor classes grouped under their major class (``<optgroup>``).

    A major class without minor classes can be chosen itself; a major class with minor classes
    cannot (a case is always filed under the most specific class).
    """
    categories = list(Category.objects.filter(is_active=True).select_related("parent").order_by("code"))
    children: dict[int, list[Category]] = {}
    for category in categories:
        if category.parent_id:
            children.setdefault(category.parent_id, []).append(category)
    choices: list = [("", _("Choose the kind of problem"))]
    for category in categories:
        if category.parent_id:
            continue
        minors = children.get(category.pk)
        if minors:
            choices.append((category.name, [(str(minor.pk), minor.name) for minor in minors]))
        elif not category.children.exists():
            choices.append((str(category.pk), category.name))
    return choices


def normalise_phone(value: str) -> str:
    """A mainland mobile (13812345678) or landline (010-12345678[-123]) number, or ValidationError."""
    compact = re.sub(r"[\s()（）]", "", value or "")
    mobile = MOBILE_RE.match(compact.replace("-", ""))
    if mobile:
        return mobile.group(1)
    landline = LANDLINE_RE.match(compact)
    if landline:
        area, number, extension = landline.groups()
        return f"{area}-{number}" + (f"-{extension}" if extension else "")
    digits = compact.replace("-", "")
    if re.fullmatch(r"0\d{9,11}", digits):
        # Area codes 010 and 02x have three digits, all others four; the local number has 7 or 8.
        split = 3 if digits[1] in "12" else 4
        if 7 <= len(digits) - split <= 8:
            return f"{digits[:split]}-{digits[split:]}"
    raise ValidationError(_("Enter a mainland mobile number (11 digits, e.g. 13812345678) or a landline "
                            "with its area code (e.g. 010-12345678)."), code="phone")


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; each is checked, turned upright and shrunk by ``photos.py``."""

    widget = MultiplePhotoInput

    def clean(self, data, initial=None):
        uploads = [upload for upload in (data or []) if upload]
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(uploads) > MAX_PHOTOS:
            raise ValidationError(_("At most %(n)d photos, please.") % {"n": MAX_PHOTOS}, code="too_many")
        return process_photos(uploads)


class ReportForm(forms.Form):
    """A report by a signed-in grid worker, community worker or resident."""

    category = forms.ChoiceField(label=_("What kind of problem?"))
    description = forms.CharField(
        label=_("Describe the problem"), max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("What is wrong, and where exactly?")}),
        error_messages={"required": _("Describe the problem.")},
    )
    title = forms.CharField(label=_("Short title (optional)"), max_length=120, required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL, required=False,
                                widget=forms.RadioSelect)
    photos = PhotosField(
        label=_("Photos"), required=False,
        widget=MultiplePhotoInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    address = forms.CharField(
        label=_("Address or landmark"), max_length=200, required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. in front of No. 12, Dengshikou Street")}),
    )
    client_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user if user is not None and user.is_authenticated else None
        self.fields["category"].choices = category_choices()
        self.fields["category"].error_messages["required"] = _("Choose the kind of problem.")
        self.fields["photos"].widget.attrs["data-max"] = str(MAX_PHOTOS)
        if not self.shows_urgency:
            del self.fields["urgency"]

    @property
    def shows_urgency(self) -> bool:
        user = self.user
        return bool(user and (user.is_superuser or user.role in URGENCY_ROLES))

    def clean_category(self):
        value = self.cleaned_data["category"]
        category = Category.objects.filter(pk=value, is_active=True).select_related("parent").first()
        if category is None or (category.parent_id is None and category.children.exists()):
            raise ValidationError(_("Choose the kind of problem from the list."), code="invalid_choice")
        return category

    def clean_description(self):
        value = self.cleaned_data["description"].strip()
        if not value:
            raise ValidationError(_("Describe the problem."), code="required")
        return value

    def clean_urgency(self):
        return self.cleaned_data.get("urgency") or Urgency.NORMAL

    def clean_client_id(self):
        value = (self.cleaned_data.get("client_id") or "").strip()
        # A malformed id (an old browser, a hand-made request) is dropped: the report still goes in.
        return value if CLIENT_ID_RE.match(value) else ""

    def clean(self):
        data = super().clean()
        if "longitude" in self.errors or "latitude" in self.errors:
            self.errors.pop("latitude", None)
            self.errors["longitude"] = self.error_class([_("The location could not be read. Tap the map again.")])
            return data
        lon, lat = data.get("longitude"), data.get("latitude")
        if lon is None or lat is None:
            self.add_error("longitude", _("Tap the map where the problem is, or use your location."))
            return data
        grid = locate_grid(lon, lat)
        if grid is None:
            self.add_error("longitude", _("This point lies outside every grid of the district. "
                                          "Move the marker to where the problem is."))
        elif self.user is not None and not covers(self.user, grid.path):
            self.add_error("longitude", _("This point lies outside the area you report for. "
                                          "Move the marker into your area."))
        else:
            data["grid"] = grid
        return data


class PublicReportForm(ReportForm):
    """A report by a resident without an account: their phone number is required so the centre can call back."""

    name = forms.CharField(label=_("Your name (optional)"), max_length=64, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(
        label=_("Your phone number"), max_length=32,
        help_text=_("Only the staff handling your report see it, to call you back."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"required": _("Enter your phone number so that we can call you back.")},
    )
    # A honeypot: hidden from people, filled in by form-filling robots.
    website = forms.CharField(label=_("Leave this field empty"), required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))

    def __init__(self, *args, **kwargs):
        kwargs["user"] = None
        super().__init__(*args, **kwargs)

    def clean_phone(self):
        return normalise_phone(self.cleaned_data["phone"])


class RatingForm(forms.Form):
    """1–5 stars and a comment: the reporter's satisfaction with a closed case."""

    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with how it was handled?"), coerce=int,
        choices=[(5, "5"), (4, "4"), (3, "3"), (2, "2"), (1, "1")], widget=forms.RadioSelect,
        error_messages={"required": _("Choose from 1 to 5 stars.")},
    )
    note = forms.CharField(label=_("Comment (optional)"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"), max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                                      "placeholder": "ABCD2345EF"}),
        error_messages={"required": _("Enter the tracking code you were given.")},
    )

    def clean_code(self):
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"]).upper()
        if not re.fullmatch(r"[A-Z0-9]{6,12}", code):
            raise ValidationError(_("A tracking code has 10 letters and digits, e.g. ABCD2345EF."), code="invalid")
        return code
