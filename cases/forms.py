"""Forms of the case pages: one form per action of the detail page's action panel, and the bulk form
of the dispatch console.

The forms only collect input; every rule about what may happen to a case is checked by the action
functions in ``actions.py`` (a ``CaseError`` they raise is put back on the form by the view).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.scope import VIEW
from places.models import Department, OrgUnit

from . import workflow
from .models import Case, Satisfaction

# Actions whose form takes photos, and what the photos show.
PHOTO_ACTIONS = {
    "resolve": _("Photos after handling"),
    "verify": _("Photos from the site"),
    "send_back": _("Photos from the site"),
}
NOTE_LABELS = {
    "reject": _("Reason for not registering"),
    "return": _("Why this is not your department's case"),
    "request_extension": _("Reason for the extension"),
    "deny_extension": _("Reason for the refusal"),
    "suspend": _("Why it is a long-term matter"),
    "resolve": _("What was done"),
    "verify": _("Finding on site"),
    "send_back": _("What is still wrong"),
    "callback": _("What the reporter said"),
    "evaluate": _("Comment"),
    "escalate": _("Why it needs a higher level"),
    "report_back": _("Your department's reply"),
    "supervise": _("Supervision notice"),
    "merge": _("Why it is the same matter"),
}


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one file input (taken with the phone's camera where there is one)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "capture": "environment",
                                                             "multiple": True}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class DepartmentChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, suggested=None, **kwargs):
        self.suggested = suggested
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        if self.suggested is not None and obj.pk == self.suggested.pk:
            return _("%(name)s (suggested owner)") % {"name": obj.name}
        return obj.name


def department_choices(user):
    """Active departments the user can see (their service area covers the user's scope or lies under it)."""
    return Department.objects.visible_to(user, VIEW).filter(is_active=True).select_related("org_unit").order_by(
        "org_unit__path", "code")


class ActionForm(forms.Form):
    """The input of one action on one case. ``version`` is the case version the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    note = forms.CharField(label=_("Note"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, data=None, files=None, *, case: Case, user, action: str, suggested=None, **kwargs):
        kwargs.setdefault("auto_id", f"id_{case.pk}_{action}_%s")
        super().__init__(data, files, **kwargs)
        self.case, self.user, self.action = case, user, action
        self.transition = workflow.TRANSITIONS[action]
        self.initial.setdefault("version", case.version)
        note = self.fields["note"]
        note.required = self.transition.note_required
        note.label = NOTE_LABELS.get(action, _("Note"))
        if note.required:
            note.widget.attrs["required"] = True
        self.add_action_fields(suggested)

    @property
    def label(self) -> str:
        return str(self.transition.label)

    def add_action_fields(self, suggested) -> None:
        action = self.action
        if action == "dispatch":
            departments = department_choices(self.user)
            self.fields["department"] = DepartmentChoiceField(
                departments, label=_("Lead department"), required=False, suggested=suggested,
                empty_label=_("The suggested owner"),
                help_text=_("Leave it on the suggested owner to follow the duty list."))
            if suggested is not None:
                self.initial.setdefault("department", suggested.pk)
            self.fields["co_departments"] = forms.ModelMultipleChoiceField(
                departments, label=_("Co-handling departments"), required=False,
                widget=forms.CheckboxSelectMultiple)
            self.fields["co_departments"].label_from_instance = lambda obj: obj.name
        elif action == "request_extension":
            self.fields["hours"] = forms.DecimalField(
                label=_("Extra time (hours)"), min_value=0.5, max_value=2000, decimal_places=1,
                widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}))
        elif action == "approve_extension":
            self.fields["hours"] = forms.DecimalField(
                label=_("Hours granted"), required=False, min_value=0.5, max_value=2000, decimal_places=1,
                help_text=_("Leave empty to grant what was asked."),
                widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}))
            if self.case.pending_extension_hours is not None:
                self.initial.setdefault("hours", self.case.pending_extension_hours)
        elif action in ("callback", "evaluate"):
            self.fields["satisfaction"] = forms.TypedChoiceField(
                label=_("Satisfaction"), choices=Satisfaction.choices, coerce=int, widget=forms.RadioSelect)
        elif action == "escalate":
            codes = self.case.path.rstrip("/").split("/")[:-1]
            above = OrgUnit.objects.visible_to(self.user, VIEW).filter(code__in=codes).defer("geometry").order_by(
                "-path")
            self.fields["to_unit"] = forms.ModelChoiceField(
                above, label=_("Raise to"), required=False, empty_label=_("The next level up"),
                help_text=_("Leave it on the next level up, or call departments in below instead."))
            self.fields["to_unit"].label_from_instance = lambda obj: f"{obj.name} ({obj.get_level_display()})"
            self.fields["departments"] = forms.ModelMultipleChoiceField(
                department_choices(self.user), label=_("Call in departments"), required=False,
                widget=forms.CheckboxSelectMultiple)
            self.fields["departments"].label_from_instance = lambda obj: obj.name
        elif action == "merge":
            self.fields["master"] = forms.CharField(
                label=_("Master case number"), max_length=20,
                help_text=_("The case this one duplicates. This case ends and follows it; its reporter is told "
                            "the outcome."))
        if action in PHOTO_ACTIONS:
            self.fields["photos"] = PhotosField(label=PHOTO_ACTIONS[action])

    @property
    def changes_state(self) -> bool:
        return self.transition.target is not None

    @property
    def takes_photos(self) -> bool:
        return "photos" in self.fields

    def visible_field_names(self) -> list[str]:
        return [name for name, field in self.fields.items() if not field.widget.is_hidden]


class BulkForm(forms.Form):
    """The dispatch console's bulk action on the selected cases."""

    OPERATIONS = [
        ("dispatch", _("Dispatch")),
        ("register", pgettext_lazy("case stage", "Register")),
    ]
    operation = forms.ChoiceField(label=_("Action"), choices=OPERATIONS)
    department = forms.ModelChoiceField(
        Department.objects.none(), label=_("Department"), required=False,
        empty_label=_("Each case's suggested owner"))
    note = forms.CharField(label=_("Note"), required=False, max_length=1000,
                           widget=forms.TextInput(attrs={"placeholder": _("Note (optional)")}))
    cases = forms.TypedMultipleChoiceField(label=_("Cases"), coerce=int, choices=(),
                                           error_messages={"required": _("Select the cases first.")})

    MAX_CASES = 200

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["department"].queryset = department_choices(user)
        self.fields["department"].label_from_instance = lambda obj: obj.name
        if data is not None:
            # Any id may be posted; which ones the user may act on is decided by the scope query.
            ids = [value for value in data.getlist("cases") if str(value).isdigit()]
            self.fields["cases"].choices = [(value, value) for value in ids]

    def clean_cases(self):
        cases = self.cleaned_data["cases"]
        if len(cases) > self.MAX_CASES:
            raise forms.ValidationError(_("Select at most %(n)d cases at a time.") % {"n": self.MAX_CASES})
        return list(dict.fromkeys(cases))
