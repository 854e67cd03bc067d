"""What the participation API reads and writes. Writes go through ``participation.actions``.

A secret vote shows no voter and its counts only after closing; an anonymous survey shows no respondent.
Choice sets are given inline in the schema (their names "status", "kind" are shared by other apps)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from participation.models import FundEntry, Proposal, Question, Survey, VoteChoice


def choice(choices, **options) -> serializers.ChoiceField:
    field = serializers.ChoiceField(choices, **options)
    return extend_schema_field({"type": "string", "enum": [value for value, _label in choices]})(field)


class ProposalSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="place.code")
    community_name = serializers.CharField(source="place.name")
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    outcome = serializers.CharField()
    proposer_kind = serializers.CharField()
    scope_kind = serializers.CharField()

    class Meta:
        model = Proposal
        fields = ["id", "number", "title", "community", "community_name", "scope_kind", "building", "proposer_kind",
                  "status", "status_display", "outcome", "created"]


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    at = serializers.DateTimeField()
    hidden = serializers.SerializerMethodField()

    def get_author(self, obj) -> str | None:
        if obj.hidden_by_id or obj.author is None:
            return None
        return obj.author.full_name or obj.author.username

    def get_body(self, obj) -> str:
        return "" if obj.hidden_by_id else obj.body

    def get_hidden(self, obj) -> bool:
        return bool(obj.hidden_by_id)


class UpdateSerializer(serializers.Serializer):
    date = serializers.DateField()
    note = serializers.CharField()
    percent = serializers.IntegerField()


class ProposalDetailSerializer(ProposalSerializer):
    body = serializers.CharField()
    vote = serializers.SerializerMethodField()
    comments = serializers.SerializerMethodField()
    updates = UpdateSerializer(many=True, read_only=True)
    case = serializers.CharField(source="case.number", default=None)

    class Meta(ProposalSerializer.Meta):
        fields = [*ProposalSerializer.Meta.fields, "body", "status_note", "decision", "decision_published_at",
                  "vote", "comments", "updates", "case"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_vote(self, obj) -> dict:
        """The vote settings, the caller's standing (eligible, voted: never the choice on a secret vote),
        the counts (after closing; live only for an open vote) and, for an open vote, who voted what."""
        from participation.actions import tally
        from participation.eligibility import eligible_voters, is_eligible

        user = self.context["request"].user
        body = {"secret": obj.secret, "opens_at": obj.opens_at, "closes_at": obj.closes_at,
                "quorum": str(obj.quorum), "threshold": str(obj.threshold),
                "eligible": is_eligible(user, obj), "voted": obj.votes.filter(voter=user).exists(),
                "counts": None, "quorum_met": obj.quorum_met, "votes": []}
        if obj.eligible_count is not None:
            body["counts"] = {"yes": obj.yes_count, "no": obj.no_count, "abstain": obj.abstain_count,
                              "eligible": obj.eligible_count}
        elif obj.status == "voting" and not obj.secret:
            body["counts"] = {**tally(obj), "eligible": eligible_voters(obj).count()}
        if not obj.secret:
            body["votes"] = [{"voter": v.voter.full_name or v.voter.username, "choice": v.choice}
                             for v in obj.votes.select_related("voter")]
        return body

    def get_comments(self, obj) -> list[dict]:
        return CommentSerializer(obj.comments.select_related("author"), many=True).data


class VoteInputSerializer(serializers.Serializer):
    choice = choice(VoteChoice.choices)


class CommentInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=4000)


class QuestionSerializer(serializers.ModelSerializer):
    kind = serializers.CharField()

    class Meta:
        model = Question
        fields = ["id", "order", "kind", "text", "choices", "required"]


class SurveySerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="place.code")
    place_name = serializers.CharField(source="place.name")
    status = serializers.CharField()
    target = serializers.CharField()

    class Meta:
        model = Survey
        fields = ["id", "title", "place", "place_name", "target", "building", "anonymous", "status", "opens_at",
                  "closes_at"]


class SurveyDetailSerializer(SurveySerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "intro", "questions"]


class RespondInputSerializer(serializers.Serializer):
    answers = serializers.DictField(child=serializers.JSONField(), help_text=(
        "Question id -> answer: a choice (single), a list of choices (multiple), 1-5 (scale) or text."))


class FundEntrySerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="place.code")
    direction = serializers.CharField()
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    proposal = serializers.CharField(source="proposal.number", default=None)

    class Meta:
        model = FundEntry
        fields = ["id", "community", "date", "direction", "kind", "kind_display", "amount", "counterparty",
                  "purpose", "proposal", "voucher"]
