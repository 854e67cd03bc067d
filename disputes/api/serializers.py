"""What the disputes API reads and writes. Writes go through ``disputes.actions``; these only check input.

Parties come with their masked ID number and phone only. Choice values are given with their label
(``*_display``) in the caller's language.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from disputes.models import (
    Agreement,
    Campaign,
    Committee,
    Dispute,
    DisputeEvent,
    DisputeKind,
    FollowUp,
    Grade,
    Mediator,
    Party,
    PartyKind,
    PartySide,
    Performed,
    Route,
    ScreeningReport,
    Session,
    SessionResult,
    Source,
)


def choice(choices, **options) -> serializers.ChoiceField:
    """A choice field whose values are listed in the schema inline: the names of the choice sets
    ("kind", "source", "status") are used by other apps too, and shared enum components would collide."""
    field = serializers.ChoiceField(choices, **options)
    return extend_schema_field({"type": "string", "enum": [value for value, _label in choices]})(field)


def display_name(user) -> str | None:
    return (getattr(user, "display_name", None) or getattr(user, "username", None)) if user else None


# --- Reading ------------------------------------------------------------------------------------
class DisputePartySerializer(serializers.ModelSerializer):
    side = serializers.CharField()
    side_display = serializers.CharField(source="get_side_display")
    kind = serializers.CharField()
    masked_id_number = serializers.CharField()
    masked_phone = serializers.CharField()

    class Meta:
        model = Party
        fields = ["id", "side", "side_display", "kind", "name", "masked_id_number", "masked_phone", "address"]


class MediationSessionSerializer(serializers.ModelSerializer):
    tier = serializers.CharField()
    result = serializers.CharField()
    result_display = serializers.CharField(source="get_result_display")

    class Meta:
        model = Session
        fields = ["id", "held_at", "venue", "tier", "mediators", "attendees", "minutes", "result", "result_display"]


class MediationAgreementSerializer(serializers.ModelSerializer):
    number = serializers.CharField()
    committee = serializers.CharField(source="committee.name")

    class Meta:
        model = Agreement
        fields = ["id", "number", "committee", "signed_on", "matters", "terms", "performance", "perform_by",
                  "mediators"]


class DisputeFollowUpSerializer(serializers.ModelSerializer):
    performed = serializers.CharField()
    performed_display = serializers.CharField(source="get_performed_display")
    visitor = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = ["id", "visited_on", "performed", "performed_display", "note", "visitor"]

    def get_visitor(self, follow_up) -> str | None:
        return display_name(follow_up.visitor)


class DisputeEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = DisputeEvent
        fields = ["action", "actor", "at", "from_status", "to_status", "from_tier", "to_tier", "note"]

    def get_actor(self, event) -> str | None:
        return display_name(event.actor)


class DisputeSerializer(serializers.ModelSerializer):
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    grade = serializers.CharField()
    grade_display = serializers.CharField(source="get_grade_display")
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    tier = serializers.CharField()
    tier_display = serializers.CharField(source="get_tier_display")
    route = serializers.CharField()
    place = serializers.CharField(source="place.code")
    place_name = serializers.CharField(source="place.name")
    committee = serializers.CharField(source="committee.name", default=None)
    mediator = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Dispute
        fields = ["id", "number", "title", "kind", "kind_display", "grade", "grade_display", "status",
                  "status_display", "tier", "tier_display", "place", "place_name", "committee", "mediator",
                  "received_on", "tier_due", "overdue", "escalations", "risk_mass_incident", "risk_criminal",
                  "route", "ended_on"]

    def get_mediator(self, dispute) -> str | None:
        return display_name(dispute.mediator)

    def get_overdue(self, dispute) -> bool:
        return bool(dispute.is_open and dispute.tier_due and dispute.tier_due < timezone.localdate())


class DisputeDetailSerializer(DisputeSerializer):
    source = serializers.CharField()
    parties = DisputePartySerializer(many=True, read_only=True)
    sessions = MediationSessionSerializer(many=True, read_only=True)
    agreement = serializers.SerializerMethodField()
    agreement_number = serializers.SerializerMethodField()
    follow_ups = DisputeFollowUpSerializer(many=True, read_only=True)
    events = DisputeEventSerializer(many=True, read_only=True)
    case = serializers.CharField(source="case.number", default=None)
    campaign = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta(DisputeSerializer.Meta):
        fields = [*DisputeSerializer.Meta.fields, "description", "source", "amount", "people_count", "campaign",
                  "turned_criminal", "incident_prevented", "prevented_people", "case", "agreement_number",
                  "parties", "sessions", "agreement", "follow_ups", "events"]

    @staticmethod
    def _agreement(dispute) -> Agreement | None:
        try:
            return dispute.agreement
        except Agreement.DoesNotExist:
            return None

    def get_agreement(self, dispute) -> MediationAgreementSerializer(allow_null=True):
        agreement = self._agreement(dispute)
        return MediationAgreementSerializer(agreement).data if agreement else None

    def get_agreement_number(self, dispute) -> str | None:
        agreement = self._agreement(dispute)
        return agreement.number if agreement else None


class CommitteeMediatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Mediator
        fields = ["id", "name", "is_head", "is_full_time", "specialty"]


class CommitteeSerializer(serializers.ModelSerializer):
    level = serializers.CharField()
    level_display = serializers.CharField(source="get_level_display")
    industry = serializers.CharField()
    place = serializers.CharField(source="place.code")
    place_name = serializers.CharField(source="place.name")
    mediators = serializers.SerializerMethodField()

    class Meta:
        model = Committee
        fields = ["id", "name", "short_name", "level", "level_display", "industry", "place", "place_name", "phone",
                  "kinds", "is_active", "mediators"]

    def get_mediators(self, committee) -> CommitteeMediatorSerializer(many=True):
        return CommitteeMediatorSerializer([m for m in committee.mediators.all() if m.is_active], many=True).data


class ScreeningReportSerializer(serializers.ModelSerializer):
    grid = serializers.CharField(source="grid.code")
    grid_name = serializers.CharField(source="grid.name")

    class Meta:
        model = ScreeningReport
        fields = ["id", "grid", "grid_name", "nothing_found", "found", "note", "reported_at"]


class CampaignSerializer(serializers.ModelSerializer):
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    place = serializers.CharField(source="place.code")
    place_name = serializers.CharField(source="place.name")
    reports = ScreeningReportSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "title", "kind", "kind_display", "focus", "place", "place_name", "starts", "due", "reports"]


# --- Writing ------------------------------------------------------------------------------------
class PartyInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    side = choice(PartySide.choices, default=PartySide.APPLICANT)
    kind = choice(PartyKind.choices, default=PartyKind.PERSON)
    id_number = serializers.CharField(max_length=24, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class DisputeInputSerializer(serializers.Serializer):
    place = serializers.CharField(max_length=32, help_text=_("The code of the place (usually a grid)."))
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=8000)
    kind = choice(DisputeKind.choices)
    grade = choice(Grade.choices, default=Grade.GENERAL)
    source = choice(Source.choices, default=Source.VISIT)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True,
                                      default=None)
    people_count = serializers.IntegerField(min_value=0, default=2)
    risk_mass_incident = serializers.BooleanField(default=False)
    risk_criminal = serializers.BooleanField(default=False)
    campaign = serializers.IntegerField(required=False, allow_null=True, default=None)
    received_on = serializers.DateField(required=False, allow_null=True, default=None)
    parties = PartyInputSerializer(many=True)


class NoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class SessionInputSerializer(serializers.Serializer):
    held_at = serializers.DateTimeField()
    minutes = serializers.CharField(max_length=8000)
    attendees = serializers.CharField(max_length=400)
    mediators = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    venue = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    result = choice(SessionResult.choices, default=SessionResult.CONTINUE)


class AgreementInputSerializer(serializers.Serializer):
    matters = serializers.CharField(max_length=8000)
    terms = serializers.CharField(max_length=8000)
    signed_on = serializers.DateField()
    mediators = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    performance = serializers.CharField(max_length=400, required=False, allow_blank=True, default="")
    perform_by = serializers.DateField(required=False, allow_null=True, default=None)


class EndInputSerializer(serializers.Serializer):
    route = choice(Route.choices)
    note = serializers.CharField(max_length=2000)


class FollowUpInputSerializer(serializers.Serializer):
    visited_on = serializers.DateField()
    performed = choice(Performed.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReportInputSerializer(serializers.Serializer):
    grid = serializers.CharField(max_length=32, help_text=_("The code of the reporting grid."))
    nothing_found = serializers.BooleanField(default=False)
    found = serializers.IntegerField(min_value=0, default=0)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
