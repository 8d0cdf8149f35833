"""Programmes, their areas and reporting periods, read-only (the programme office changes
them on the pages)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from programmes.api.fields import MonthField
from programmes.choices import Role
from programmes.models import Organisation, Person, Programme, ProgrammeArea, ReportingPeriod
from programmes.permissions import access_for


class PersonBriefSerializer(serializers.ModelSerializer):
    """Someone named in the plan: an officer, a partner organisation or a team."""

    class Meta:
        model = Person
        fields = ["id", "name"]
        read_only_fields = fields


class OrganisationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "slug"]
        read_only_fields = fields


class ProgrammeSerializer(serializers.ModelSerializer):
    organisation = OrganisationBriefSerializer(read_only=True)
    senior_responsible_owner = PersonBriefSerializer(read_only=True, allow_null=True)
    your_roles = serializers.SerializerMethodField(
        help_text="The signed-in user's roles in the programme"
    )

    class Meta:
        model = Programme
        fields = [
            "id",
            "reference",
            "name",
            "organisation",
            "description",
            "source",
            "starts_on",
            "ends_on",
            "status",
            "rag_scale",
            "board_name",
            "senior_responsible_owner",
            "overall_rag",
            "overall_commentary",
            "time_tolerance_days",
            "cost_tolerance_percent",
            "benefit_tolerance_percent",
            "risk_tolerance_score",
            "risk_amber_from",
            "risk_red_from",
            "version",
            "your_roles",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Role.choices)))
    def get_your_roles(self, programme: Programme) -> list[str]:
        access = access_for(self.context["request"].user)
        return sorted(role.value for role in access.roles_in(programme.pk))


class ProgrammeAreaSerializer(serializers.ModelSerializer):
    sponsor = PersonBriefSerializer(read_only=True, allow_null=True)
    project_manager = PersonBriefSerializer(read_only=True, allow_null=True)
    key_documents = serializers.CharField(
        source="key_documents_text",
        read_only=True,
        help_text="The titles of the area's key documents, separated by semicolons",
    )

    class Meta:
        model = ProgrammeArea
        fields = [
            "id",
            "programme",
            "reference",
            "name",
            "aim",
            "sponsor",
            "project_manager",
            "interdependencies",
            "key_documents",
            "time_tolerance_days",
            "cost_tolerance_percent",
            "benefit_tolerance_percent",
            "risk_tolerance_score",
        ]
        read_only_fields = fields
        extra_kwargs = {
            name: {"help_text": "The area's own tolerance; null means the programme's"}
            for name in (
                "time_tolerance_days",
                "cost_tolerance_percent",
                "benefit_tolerance_percent",
                "risk_tolerance_score",
            )
        }


class ReportingPeriodSerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True)

    class Meta:
        model = ReportingPeriod
        fields = ["id", "programme", "month", "label", "cut_off", "status", "closed_at"]
        read_only_fields = fields
