"""What the reports API reads and writes. Writes go through ``reports.actions``; these only check input."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from reports.models import Kind, Report


class ReportSerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="place.code")
    place_name = serializers.CharField(source="place.name")
    kind = serializers.CharField()
    status = serializers.CharField()
    period_label = serializers.CharField()
    title = serializers.SerializerMethodField()
    requested_by = serializers.CharField(source="requested_by.username", default=None)
    xlsx_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = ["id", "place", "place_name", "kind", "period_start", "period_end", "period_label", "title",
                  "status", "generated_at", "requested_by", "xlsx_url", "pdf_url"]

    def get_title(self, report) -> str:
        return report.content.get("title", "") if isinstance(report.content, dict) else ""

    def _url(self, report, fmt) -> str | None:
        if not getattr(report, fmt):
            return None
        return reverse("reports:download", args=[report.pk, fmt], request=self.context.get("request"))

    def get_xlsx_url(self, report) -> str | None:
        return self._url(report, "xlsx")

    def get_pdf_url(self, report) -> str | None:
        return self._url(report, "pdf")


class ReportDetailSerializer(ReportSerializer):
    content = serializers.JSONField()

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "content"]


def choice(choices, **options) -> serializers.ChoiceField:
    field = serializers.ChoiceField(choices, **options)
    return extend_schema_field({"type": "string", "enum": [value for value, _label in choices]})(field)


class GenerateInputSerializer(serializers.Serializer):
    place = serializers.CharField(max_length=32, help_text="The code of a place of the caller's scope.")
    kind = choice(Kind.choices)
    start = serializers.DateField(help_text="Any day of the month or quarter.")
