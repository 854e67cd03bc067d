"""What the volunteers API reads and writes. Writes go through ``volunteers.actions``. Phones are masked."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from volunteers.models import Activity, Organisation, Project, SignUp, Volunteer


def choice_display(source: str) -> serializers.CharField:
    return serializers.CharField(source=source, read_only=True)


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class SkillListField(serializers.ListField):
    child = serializers.CharField()


class ActivitySerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="place.code", read_only=True)
    place_name = serializers.CharField(source="place.name", read_only=True)
    status = serializers.CharField(read_only=True)
    status_display = choice_display("get_status_display")
    skills = SkillListField(read_only=True)
    organiser = serializers.CharField(source="organiser.display_name", read_only=True)
    places_taken = serializers.SerializerMethodField()
    waiting = serializers.SerializerMethodField()
    my_sign_up = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = ["id", "title", "description", "place", "place_name", "starts_at", "ends_at", "venue", "capacity",
                  "places_taken", "waiting", "skills", "organiser", "team", "project", "status", "status_display",
                  "my_sign_up"]

    def _count(self, obj, statuses) -> int:
        return sum(1 for s in obj.signups.all() if s.status in statuses)

    def get_places_taken(self, obj) -> int:
        return self._count(obj, ("confirmed", "attended"))

    def get_waiting(self, obj) -> int:
        return self._count(obj, ("waiting",))

    @extend_schema_field({"type": "object", "nullable": True, "properties": {
        "id": {"type": "integer"}, "status": {"type": "string"}, "position": {"type": "integer", "nullable": True}}})
    def get_my_sign_up(self, obj):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for signup in obj.signups.all():
            if user is not None and signup.volunteer.user_id == user.pk:
                return {"id": signup.pk, "status": signup.status, "position": signup.position}
        return None


class SignUpSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    status_display = choice_display("get_status_display")

    class Meta:
        model = SignUp
        fields = ["id", "activity", "status", "status_display", "position", "signed_up_at", "checked_in_at",
                  "checked_out_at", "hours", "hours_confirmed_at"]


class VolunteerSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    masked_phone = serializers.CharField(read_only=True)
    place = serializers.CharField(source="place.code", read_only=True)
    place_name = serializers.CharField(source="place.name", read_only=True)
    skills = SkillListField(read_only=True)

    class Meta:
        model = Volunteer
        fields = ["id", "name", "masked_phone", "place", "place_name", "skills", "availability", "hours_total",
                  "joined_on", "is_active"]


class OrganisationSerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="place.code", read_only=True)
    place_name = serializers.CharField(source="place.name", read_only=True)
    kind = serializers.CharField(read_only=True)
    kind_display = choice_display("get_kind_display")
    masked_phone = serializers.CharField(read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "kind_display", "place", "place_name", "credit_code", "contact_name",
                  "masked_phone", "description", "is_active"]


class ProjectSerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="place.code", read_only=True)
    place_name = serializers.CharField(source="place.name", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    status = serializers.CharField(read_only=True)
    status_display = choice_display("get_status_display")
    rating = serializers.FloatField(read_only=True, allow_null=True)
    rating_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Project
        fields = ["id", "title", "organisation", "organisation_name", "place", "place_name", "budget", "starts_on",
                  "ends_on", "deliverables", "progress", "status", "status_display", "rating", "rating_count"]
