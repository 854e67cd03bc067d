"""What the case API reads and writes. Writes go through ``cases.actions``; these only check input."""

from __future__ import annotations

import copy

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Role
from accounts.scope import VIEW, covers
from cases import workflow
from cases.actions import CaseError, StaleCase, find_place
from cases.models import (
    Case,
    CaseEvent,
    CasePhoto,
    Category,
    CoHandling,
    DutyAssignment,
    Satisfaction,
    Source,
    Status,
    Step,
    Urgency,
)
from places.models import Department, OrgUnit

# Sources a member of staff may give a case; grid workers always report patrols, residents reports.
STAFF_SOURCES = (Source.PATROL, Source.HOTLINE, Source.DEPARTMENT, Source.VIDEO)
DEFAULT_SOURCE = {Role.GRID_WORKER: Source.PATROL, Role.RESIDENT_USER: Source.RESIDENT,
                  Role.DISPATCHER: Source.HOTLINE, Role.HANDLER: Source.DEPARTMENT}
FORCED_SOURCE = {Role.GRID_WORKER: Source.PATROL, Role.RESIDENT_USER: Source.RESIDENT}


def display_name(user) -> str:
    return user.display_name if user else ""


def serves(department: Department, path: str) -> bool:
    return path.startswith(department.org_unit.path)


# --- Related records by code or id --------------------------------------------------------------
class CodeOrIdField(serializers.RelatedField):
    """A record named by its code (a string) or its id (a JSON number, or digits no code matches)."""

    default_error_messages = {"does_not_exist": gettext_lazy("%(value)s was not found."),
                              "invalid": gettext_lazy("Give a code or an id.")}

    def to_internal_value(self, data):
        queryset = self.get_queryset()
        if isinstance(data, bool) or not isinstance(data, (str, int)):
            self.fail("invalid")
        found = None
        if isinstance(data, str):
            found = queryset.filter(code=data.strip()).first()
        if found is None and str(data).strip().isdigit():
            found = queryset.filter(pk=int(data)).first()
        if found is None:
            raise serializers.ValidationError(self.error_messages["does_not_exist"] % {"value": data},
                                              code="does_not_exist")
        return found

    def to_representation(self, value):
        return value.code


CODE_OR_ID = {"type": "string", "minLength": 1}  # an empty value is no record (a related field reads it as null)

@extend_schema_field(CODE_OR_ID)
class CategoryField(CodeOrIdField):
    def get_queryset(self):
        return Category.objects.select_related("parent")


@extend_schema_field(CODE_OR_ID)
class DepartmentField(CodeOrIdField):
    """A department the caller can see (its service area covers or lies above the caller's scope)."""

    def get_queryset(self):
        return Department.objects.visible_to(self.context["request"].user, VIEW).select_related("org_unit")


@extend_schema_field(CODE_OR_ID)
class PlaceField(CodeOrIdField):
    def get_queryset(self):
        return OrgUnit.objects.visible_to(self.context["request"].user, VIEW).defer("geometry")


# --- Reading a case -----------------------------------------------------------------------------
class BuiltOnce:
    """A ModelSerializer whose fields are built once per class, then copied (building them from the
    model on every instance costs milliseconds on the busiest endpoints)."""

    def get_fields(self):
        cls = type(self)
        if "_built_fields" not in cls.__dict__:
            cls._built_fields = super().get_fields()
        return copy.deepcopy(cls._built_fields)


class CaseListSerializer(BuiltOnce, serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display")
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name")
    place = serializers.IntegerField(source="grid_id")
    place_name = serializers.CharField(source="grid.name")
    department_name = serializers.CharField(source="department.name", default="")
    due_state = serializers.CharField()

    # What the list needs from the database (``.only()``), with the joined rows.
    RELATED = ("category", "grid", "department")
    ONLY = ("id", "number", "title", "status", "source", "urgency", "grid_id", "department_id", "address",
            "reported_at", "updated_at", "deadline", "warn_at", "was_overdue", "version",
            "category__code", "category__name", "grid__name", "department__name")

    class Meta:
        model = Case
        fields = ["id", "number", "title", "status", "status_display", "category", "category_name", "source",
                  "urgency", "address", "place", "place_name", "department", "department_name", "reported_at",
                  "updated_at", "deadline", "due_state", "was_overdue", "version"]
        read_only_fields = fields

    def to_representation(self, case):
        """A list row built directly: DRF's field-by-field walk (attribute lookups, a choices dict rebuilt
        for every status label) was two thirds of the list's CPU. Same keys and formats as the fields
        declared above, which still describe the row in the OpenAPI document (a test compares the two)."""
        moment = self.fields["reported_at"].to_representation
        department = case.department

        def optional(value):
            return None if value is None else moment(value)

        return {
            "id": case.id, "number": case.number, "title": case.title, "status": case.status,
            "status_display": str(Status(case.status).label), "category": case.category.code,
            "category_name": case.category.name, "source": case.source, "urgency": case.urgency,
            "address": case.address, "place": case.grid_id, "place_name": case.grid.name,
            "department": case.department_id, "department_name": department.name if department else "",
            "reported_at": moment(case.reported_at), "updated_at": moment(case.updated_at),
            "deadline": optional(case.deadline), "due_state": case.due_state(self.context.get("now")),
            "was_overdue": case.was_overdue, "version": case.version,
        }


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = CasePhoto
        fields = ["id", "kind", "url", "width", "height", "event", "uploaded_at"]

    def get_url(self, photo) -> str:
        url = reverse("case-photo", kwargs={"pk": photo.case_id, "photo_id": photo.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class EventSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    photos = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = ["id", "action", "label", "actor", "at", "from_status", "to_status", "note", "data", "photos"]

    def get_label(self, event) -> str:
        return str(workflow.EVENT_LABELS.get(event.action, event.action))

    def get_actor(self, event) -> str:
        return event.actor_label or display_name(event.actor)

    def get_photos(self, event) -> list[int]:
        return [photo.pk for photo in event.photos.all()]


class CoHandlingSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name")
    replied_by = serializers.SerializerMethodField()

    class Meta:
        model = CoHandling
        fields = ["department", "department_name", "requested_at", "reply", "replied_at", "replied_by"]

    def get_replied_by(self, co) -> str:
        return display_name(co.replied_by)


class AvailableActionSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()
    note_required = serializers.BooleanField()


def action_info(name: str) -> dict:
    transition = workflow.TRANSITIONS[name]
    return {"action": name, "label": str(transition.label), "note_required": transition.note_required}


class CaseDetailSerializer(CaseListSerializer):
    category_major = serializers.CharField(source="category.parent.name", default="")
    place_code = serializers.CharField(source="grid.code")
    reporter_phone_masked = serializers.CharField(source="masked_phone")
    handler_name = serializers.SerializerMethodField()
    verifier_name = serializers.SerializerMethodField()
    escalated_to_name = serializers.CharField(source="escalated_to.name", default="")
    tracking_code = serializers.SerializerMethodField(
        help_text="Shown to the person who reported the case only: it lets them follow and rate it without "
                  "signing in.")
    timeline = EventSerializer(source="events", many=True)
    photos = PhotoSerializer(many=True)
    co_handling = CoHandlingSerializer(source="co_handlings", many=True)
    available_actions = serializers.SerializerMethodField()

    RELATED = ("category__parent", "grid", "department", "handler", "verifier", "escalated_to")

    class Meta(CaseListSerializer.Meta):
        fields = [*CaseListSerializer.Meta.fields, "category_major", "description", "longitude", "latitude",
                  "place_code", "reporter_name", "reporter_phone_masked", "handler", "handler_name", "verifier",
                  "verifier_name", "escalated_to", "escalated_to_name", "result", "step", "step_started", "warn_at",
                  "pending_extension_hours", "rework_count", "return_count", "extension_count", "supervision_count",
                  "satisfaction", "evaluation", "registered_at", "dispatched_at", "resolved_at", "closed_at",
                  "evaluated_at", "tracking_code", "timeline", "photos", "co_handling", "available_actions"]
        read_only_fields = fields

    def to_representation(self, instance):
        data = serializers.ModelSerializer.to_representation(self, instance)
        data["due_state"] = instance.due_state(self.context.get("now"))
        return data

    @staticmethod
    def prefetch(queryset):
        from django.db.models import Prefetch

        return queryset.select_related(*CaseDetailSerializer.RELATED).prefetch_related(
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor").prefetch_related(
                Prefetch("photos", queryset=CasePhoto.objects.only("id", "event_id")))),
            "photos",
            Prefetch("co_handlings", queryset=CoHandling.objects.select_related("department", "replied_by")),
        )

    def get_handler_name(self, case) -> str:
        return display_name(case.handler)

    def get_verifier_name(self, case) -> str:
        return display_name(case.verifier)

    def get_tracking_code(self, case) -> str | None:
        user = self.context["request"].user
        return case.tracking_code if case.reporter_id and case.reporter_id == user.pk else None

    @extend_schema_field(AvailableActionSerializer(many=True))
    def get_available_actions(self, case):
        return [action_info(name) for name in workflow.available_actions(case, self.context["request"].user)]


# --- Reporting a case ---------------------------------------------------------------------------
class CaseCreateSerializer(serializers.Serializer):
    category = CategoryField(help_text="Category code (or id). A minor class, or a major class without minor ones.")
    title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    description = serializers.CharField(max_length=4000)
    longitude = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True)
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    grid = PlaceField(required=False, allow_null=True, help_text="Grid (or community) code or id, when no point "
                                                                 "is given.")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    reporter_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    reporter_phone = serializers.RegexField(r"^\+?[0-9][0-9 \-]{2,30}$", max_length=32, required=False,
                                            allow_blank=True, write_only=True,
                                            help_text="Stored encrypted; responses show it masked.")
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True,
                                      help_text="Made by the device: a retry with the same id returns the first case.")
    source = serializers.ChoiceField(choices=[(source.value, source.label) for source in STAFF_SOURCES], required=False,
                                     help_text="Staff only; a grid worker reports patrols, a resident resident "
                                               "reports.")
    register = serializers.BooleanField(default=False, help_text="A dispatcher taking a hotline call registers it "
                                                                 "at once.")
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=9,
                                   help_text="Several files under the same name (multipart).")

    def validate_register(self, value):
        if value and not workflow.role_may(self.context["request"].user, "register"):
            raise serializers.ValidationError(_("Only a dispatcher may register a case."))
        return value

    def validate(self, attrs):
        user = self.context["request"].user
        place = find_place(attrs.get("longitude"), attrs.get("latitude"), attrs.get("grid"))
        if not covers(user, place.path):
            raise CaseError(_("This location is outside your area."), field="location")
        attrs["grid"] = place
        attrs["source"] = FORCED_SOURCE.get(user.role) or attrs.get("source") or DEFAULT_SOURCE.get(
            user.role, Source.PATROL)
        return attrs

    def report(self):
        """(case, created): creates the case, or finds the one a retried submission made before."""
        from cases.actions import report_case

        data = dict(self.validated_data)
        return report_case(actor=self.context["request"].user, photos=data.pop("photos", []), **data)


class CaseCreatedSerializer(CaseDetailSerializer):
    """The answer to a report: the case's own fields, from memory, without the timeline, photos and
    actions (no second read: reporting is the busiest write of the system; GET the case for more)."""

    timeline = photos = co_handling = available_actions = None

    class Meta(CaseDetailSerializer.Meta):
        fields = [f for f in CaseDetailSerializer.Meta.fields
                  if f not in ("timeline", "photos", "co_handling", "available_actions")]
        read_only_fields = fields


# --- Acting on a case ---------------------------------------------------------------------------
class ActionInputSerializer(serializers.Serializer):
    """The body of ``POST /cases/{id}/{action}/``: a note, the version shown, and the action's own fields."""

    note = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    version = serializers.IntegerField(required=False, allow_null=True,
                                       help_text="The version the client showed; a newer one on the server is 409.")
    department = DepartmentField(required=False, allow_null=True, help_text="dispatch: lead department code or id "
                                                                            "(default: the duty list's owner).")
    co_departments = serializers.ListField(child=DepartmentField(), required=False,
                                           help_text="dispatch: co-handling departments.")
    hours = serializers.DecimalField(max_digits=6, decimal_places=1, required=False, allow_null=True,
                                     help_text="request_extension (required), approve_extension (optional).")
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, required=False, allow_null=True,
                                           help_text="evaluate, callback: 1 to 5.")
    to_unit = PlaceField(required=False, allow_null=True, help_text="escalate: the place to raise it to.")
    departments = serializers.ListField(child=DepartmentField(), required=False,
                                        help_text="escalate: departments called in to report back.")
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=9)
    master = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=20,
                                   help_text="merge (required): the number (or id) of the case this one duplicates.")

    # Which inputs each action takes besides note, version and photos.
    FIELDS = {
        "dispatch": ("department", "co_departments"),
        "request_extension": ("hours",),
        "approve_extension": ("hours",),
        "evaluate": ("satisfaction",),
        "callback": ("satisfaction",),
        "escalate": ("to_unit", "departments"),
        "merge": ("master",),
    }

    def _serving(self, departments):
        path = self.context["case"].path
        for department in departments:
            if not serves(department, path):
                raise serializers.ValidationError(
                    _("%(name)s does not serve the place of this case.") % {"name": department.name})
        return departments

    def validate_department(self, department):
        return self._serving([department])[0] if department else department

    def validate_co_departments(self, departments):
        return self._serving(departments)

    def validate_departments(self, departments):
        return self._serving(departments)

    def arguments(self) -> dict:
        """Keyword arguments for the action function."""
        data = self.validated_data
        kwargs = {"note": data.get("note") or "", "version": data.get("version"), "photos": data.get("photos", [])}
        for name in self.FIELDS.get(self.context["action"], ()):
            if name in data and data[name] is not None:
                kwargs[name] = data[name]
        if self.context["action"] in ("request_extension", "evaluate", "callback", "merge"):
            kwargs.setdefault(self.FIELDS[self.context["action"]][0], None)  # the action names what is missing
        return kwargs


def precheck(case: Case, user, action: str, version) -> None:
    """Refuse early, before reading the action's input: stale version, then role, state and guards.
    The action checks all of it again on the locked row."""
    from cases.actions import check

    if version not in (None, ""):
        try:
            version = int(version)
        except (TypeError, ValueError):
            raise serializers.ValidationError({"version": [_("A valid integer is required.")]}) from None
        if version != case.version:
            raise StaleCase(_("Someone else changed this case in the meantime; reload it and try again."),
                            field="version")
    check(case, user, action)


class ActionDescriptionSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()
    note_required = serializers.BooleanField()
    fields = serializers.ListField(child=serializers.CharField())
    available = serializers.BooleanField()
    reason = serializers.CharField(allow_null=True)


def describe_action(case: Case, user, name: str) -> dict:
    """What ``GET /cases/{id}/{action}/`` answers: the action's inputs and whether the user may take it now."""
    from cases.actions import check

    try:
        check(case, user, name)
        reason = None
    except CaseError as exc:
        reason = exc.message
    return {**action_info(name), "fields": ["note", "version", *ActionInputSerializer.FIELDS.get(name, ()),
                                            "photos"],
            "available": reason is None, "reason": reason}


# --- Duplicates ---------------------------------------------------------------------------------
class CategoryQuerySerializer(serializers.Serializer):
    include_inactive = serializers.BooleanField(required=False, default=False,
                                                help_text="Also the categories no longer in use.")


class DuplicatesQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(required=False, default=5, min_value=1, max_value=20)


class DuplicateSerializer(serializers.Serializer):
    """A possible duplicate (``intake.duplicates.Match``): the open case, how far and how similar."""

    id = serializers.IntegerField(source="case.pk")
    number = serializers.CharField(source="case.number")
    title = serializers.CharField(source="case.title")
    status = serializers.CharField(source="case.status")
    status_display = serializers.CharField(source="case.get_status_display")
    category = serializers.CharField(source="case.category.code")
    category_name = serializers.CharField(source="case.category.name")
    reported_at = serializers.DateTimeField(source="case.reported_at")
    distance_m = serializers.FloatField(allow_null=True, help_text="null when either case has no point")
    similarity = serializers.FloatField(help_text="text similarity, 0 to 1")
    score = serializers.FloatField()


class SuggestionSerializer(serializers.Serializer):
    """One suggestion of the router (``intake.actions.Suggestion``): a label and its probability."""

    code = serializers.CharField(help_text="major class code, or department code")
    name = serializers.CharField()
    probability = serializers.FloatField(help_text="0 to 1")


class SuggestionsSerializer(serializers.Serializer):
    department = SuggestionSerializer(many=True, help_text="the departments that handled similar reports")
    category = SuggestionSerializer(many=True, help_text="the major classes the text reads like")


# --- Public tracking ----------------------------------------------------------------------------
class TrackEventSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()
    at = serializers.DateTimeField()
    status = serializers.CharField()


class TrackSerializer(serializers.Serializer):
    """What anyone holding the tracking code sees: no names, no notes, no place."""

    number = serializers.CharField()
    category = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField()
    reported_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    result = serializers.CharField()
    can_evaluate = serializers.BooleanField()
    satisfaction = serializers.IntegerField(allow_null=True)
    merged_into = serializers.CharField(allow_null=True, help_text="merged: the number of the case it follows")
    merged_into_status = serializers.CharField(allow_null=True)
    timeline = TrackEventSerializer(many=True)

    @staticmethod
    def of(case: Case) -> dict:
        events = list(case.events.only("action", "at", "to_status", "note").order_by("at", "id"))
        result = ""
        if case.status in (Status.CLOSED, Status.EVALUATED):
            result = case.result
        elif case.status == Status.REJECTED:
            rejected = [e for e in events if e.action == "reject"]
            result = rejected[-1].note if rejected else ""
        master = None
        if case.status == Status.MERGED and case.merged_into_id:
            from cases.report_views import master_of

            master = master_of(case)
            result = master.result if master.status in (Status.CLOSED, Status.EVALUATED) else ""
        return {
            "number": case.number, "category": case.category.name, "status": case.status,
            "status_display": case.get_status_display(), "reported_at": case.reported_at,
            "updated_at": case.updated_at, "result": result,
            "can_evaluate": case.status == Status.CLOSED, "satisfaction": case.satisfaction,
            "merged_into": master.number if master else None,
            "merged_into_status": master.status if master else None,
            "timeline": [{"action": e.action, "label": str(workflow.EVENT_LABELS.get(e.action, e.action)),
                          "at": e.at, "status": e.to_status} for e in events],
        }


class TrackEvaluateSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


# --- Categories and the duty list ---------------------------------------------------------------
class LimitSerializer(serializers.Serializer):
    hours = serializers.FloatField()
    unit = serializers.CharField()


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent.code", default=None, allow_null=True)
    default_department_name = serializers.CharField(source="default_department.name", default="")
    limits = serializers.SerializerMethodField()
    children = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["id", "code", "name", "kind", "parent", "default_department", "default_department_name",
                  "is_active", "limit_unit", "register_hours", "dispatch_hours", "handle_hours", "verify_hours",
                  "limits", "children"]
        read_only_fields = fields

    @extend_schema_field({"type": "object", "additionalProperties": {
        "type": "object", "properties": {"hours": {"type": "number"}, "unit": {"type": "string"}}}})
    def get_limits(self, category):
        """The limits that apply, after falling back to the major class and the defaults."""
        return {step: dict(zip(("hours", "unit"), category.limit(step), strict=True)) for step in Step.values}

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_children(self, category):
        children = self.context.get("children", {}).get(category.pk, [])
        return CategorySerializer(children, many=True, context=self.context).data


class DutySerializer(serializers.ModelSerializer):
    org_unit = serializers.SlugRelatedField(slug_field="code", queryset=OrgUnit.objects.defer("geometry"))
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all())
    category_name = serializers.CharField(source="category.name", read_only=True)
    department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.select_related(
        "org_unit"))
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = DutyAssignment
        fields = ["id", "org_unit", "org_unit_name", "category", "category_name", "department", "department_name",
                  "note"]

    def validate_org_unit(self, unit):
        if not covers(self.context["request"].user, unit.path):
            raise serializers.ValidationError(_("Place %(code)s not found.") % {"code": unit.code})
        return unit

    def validate_department(self, department):
        if not Department.objects.visible_to(self.context["request"].user, VIEW).filter(pk=department.pk).exists():
            raise serializers.ValidationError(_("Department %(code)s not found.") % {"code": department.code})
        return department

    def validate(self, attrs):
        unit = attrs.get("org_unit", getattr(self.instance, "org_unit", None))
        department = attrs.get("department", getattr(self.instance, "department", None))
        if unit and department and not serves(department, unit.path):
            raise serializers.ValidationError(
                {"department": _("%(name)s does not serve this place.") % {"name": department.name}})
        return attrs

