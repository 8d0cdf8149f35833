"""The RAID log as the API shows it, and what raising or changing a risk may send."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from programmes.api.fields import DayField, PlanDateField, plan_date_text
from programmes.api.serializers import PersonBriefSerializer
from programmes.choices import Rag
from programmes.dates import PlanDate
from programmes.models import Person, Programme, ProgrammeArea
from risks.models import (
    BoardMeeting,
    Decision,
    Issue,
    IssueAction,
    MitigationAction,
    Risk,
    RiskCategory,
    RiskKind,
    RiskResponse,
)
from workstreams.api.serializers import version_field
from workstreams.models import Workstream

# ----- Reading -----


class MitigationActionSerializer(serializers.ModelSerializer):
    owner = PersonBriefSerializer(read_only=True)

    class Meta:
        model = MitigationAction
        fields = ["id", "description", "owner", "due_date", "done", "completed_on"]
        read_only_fields = fields


class RiskSerializer(serializers.ModelSerializer):
    owner = PersonBriefSerializer(read_only=True, allow_null=True)
    actions = MitigationActionSerializer(many=True, read_only=True)
    current_score = serializers.IntegerField(read_only=True, help_text="Likelihood x impact")
    inherent_score = serializers.IntegerField(read_only=True, allow_null=True)
    target_score = serializers.IntegerField(read_only=True, allow_null=True)
    current_band = serializers.SerializerMethodField()
    inherent_band = serializers.SerializerMethodField()
    target_band = serializers.SerializerMethodField()
    goes_to_board = serializers.SerializerMethodField(
        help_text="The current score is at or above the risk tolerance of its area (if the "
        "area sets one) or of the programme"
    )
    issue = serializers.SerializerMethodField(help_text="The issue it became, if realised")

    class Meta:
        model = Risk
        fields = [
            "id",
            "programme",
            "area",
            "workstream",
            "reference",
            "title",
            "kind",
            "category",
            "cause",
            "event",
            "effect",
            "owner",
            "raised_on",
            "inherent_likelihood",
            "inherent_impact",
            "inherent_score",
            "inherent_band",
            "current_likelihood",
            "current_impact",
            "current_score",
            "current_band",
            "target_likelihood",
            "target_impact",
            "target_score",
            "target_band",
            "goes_to_board",
            "proximity",
            "response",
            "review_date",
            "status",
            "closing_reason",
            "escalated",
            "actions",
            "issue",
            "version",
        ]
        read_only_fields = fields

    def _band(self, risk: Risk, score: int | None) -> str | None:
        band = risk.band_of(score, risk.programme)
        return band.value if band else None

    @extend_schema_field(serializers.ChoiceField(choices=Rag.choices))
    def get_current_band(self, risk: Risk) -> str:
        return self._band(risk, risk.current_score)

    @extend_schema_field(serializers.ChoiceField(choices=Rag.choices, allow_null=True))
    def get_inherent_band(self, risk: Risk) -> str | None:
        return self._band(risk, risk.inherent_score)

    @extend_schema_field(serializers.ChoiceField(choices=Rag.choices, allow_null=True))
    def get_target_band(self, risk: Risk) -> str | None:
        return self._band(risk, risk.target_score)

    def get_goes_to_board(self, risk: Risk) -> bool:
        return risk.goes_to_board

    def get_issue(self, risk: Risk) -> int | None:
        issue = getattr(risk, "issue", None)
        return issue.pk if issue else None


class IssueActionSerializer(serializers.ModelSerializer):
    owner = PersonBriefSerializer(read_only=True)

    class Meta:
        model = IssueAction
        fields = ["id", "description", "owner", "due_date", "done", "completed_on"]
        read_only_fields = fields


class IssueSerializer(serializers.ModelSerializer):
    owner = PersonBriefSerializer(read_only=True, allow_null=True)
    actions = IssueActionSerializer(many=True, read_only=True)

    class Meta:
        model = Issue
        fields = [
            "id",
            "programme",
            "area",
            "workstream",
            "reference",
            "title",
            "description",
            "severity",
            "priority",
            "owner",
            "raised_on",
            "status",
            "resolution",
            "resolved_on",
            "risk",
            "actions",
            "version",
        ]
        read_only_fields = fields


class DecisionSerializer(serializers.ModelSerializer):
    needed_by = serializers.SerializerMethodField(help_text="A day, or only a month")

    class Meta:
        model = Decision
        fields = [
            "id",
            "programme",
            "workstream",
            "milestone",
            "meeting",
            "reference",
            "title",
            "description",
            "forum",
            "needed_by",
            "status",
            "outcome",
            "made_on",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(PlanDateField(allow_null=True))
    def get_needed_by(self, decision: Decision) -> str | None:
        needed_by = PlanDate.from_fields(decision.needed_by, decision.needed_by_precision)
        return plan_date_text(needed_by) if needed_by else None


class BoardMeetingSerializer(serializers.ModelSerializer):
    chair = PersonBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = BoardMeeting
        fields = [
            "id",
            "programme",
            "held_on",
            "title",
            "chair",
            "location",
            "minutes",
            "decisions",
            "version",
        ]
        read_only_fields = fields


# ----- Writing -----

SCORE = {"min_value": 1, "max_value": 5}


class _RiskFields(serializers.Serializer):
    """A risk's details as a client sends them (DOMAIN.md section 3, "Risk score")."""

    reference = serializers.CharField(max_length=50, help_text="Your own, such as CF6 - 005")
    title = serializers.CharField(max_length=300)
    kind = serializers.ChoiceField(choices=RiskKind.choices, required=False)
    cause = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    event = serializers.CharField(max_length=2000, help_text="What may happen")
    effect = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=RiskCategory.choices)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.none(), required=False, allow_null=True
    )
    area = serializers.PrimaryKeyRelatedField(
        queryset=ProgrammeArea.objects.none(), required=False, allow_null=True
    )
    workstream = serializers.PrimaryKeyRelatedField(
        queryset=Workstream.objects.none(),
        required=False,
        allow_null=True,
        help_text="Its area follows unless you give one",
    )
    inherent_likelihood = serializers.IntegerField(required=False, allow_null=True, **SCORE)
    inherent_impact = serializers.IntegerField(required=False, allow_null=True, **SCORE)
    current_likelihood = serializers.IntegerField(**SCORE)
    current_impact = serializers.IntegerField(**SCORE)
    target_likelihood = serializers.IntegerField(required=False, allow_null=True, **SCORE)
    target_impact = serializers.IntegerField(required=False, allow_null=True, **SCORE)
    proximity = DayField(required=False, allow_null=True, help_text="By when it may happen")
    response = serializers.ChoiceField(
        choices=RiskResponse.choices, required=False, allow_blank=True
    )
    review_date = DayField(required=False, allow_null=True)
    escalated = serializers.BooleanField(required=False, help_text="Escalated to the board")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None:
            return
        user = request.user
        visible_programmes = Programme.objects.visible_to(user)
        self.fields["owner"].queryset = Person.objects.filter(
            organisation__programmes__in=visible_programmes
        ).distinct()
        self.fields["area"].queryset = ProgrammeArea.objects.visible_to(user)
        self.fields["workstream"].queryset = Workstream.objects.visible_to(user)
        if "programme" in self.fields:
            self.fields["programme"].queryset = visible_programmes.select_related("organisation")

    def scope_problems(self, attrs: dict, programme: Programme) -> dict[str, str]:
        """The owner, area and workstream must be the programme's own."""
        problems = {}
        owner, area, workstream = attrs.get("owner"), attrs.get("area"), attrs.get("workstream")
        if owner is not None and owner.organisation_id != programme.organisation_id:
            problems["owner"] = f"Choose someone from {programme.organisation}"
        if area is not None and area.programme_id != programme.pk:
            problems["area"] = "Choose an area of this programme"
        if workstream is not None and workstream.programme_id != programme.pk:
            problems["workstream"] = "Choose a workstream of this programme"
        return problems


class RiskCreateSerializer(_RiskFields):
    programme = serializers.PrimaryKeyRelatedField(queryset=Programme.objects.none())
    raised_on = DayField(required=False, allow_null=True, help_text="Leave out for today")

    def validate(self, attrs):
        problems = self.scope_problems(attrs, attrs["programme"])
        if problems:
            raise serializers.ValidationError(problems)
        return attrs


class RiskChangeSerializer(_RiskFields):
    raised_on = DayField(required=False)
    version = version_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("reference", "title", "event", "category", "current_likelihood"):
            self.fields[name].required = False
        self.fields["current_impact"].required = False

    def validate(self, attrs):
        problems = self.scope_problems(attrs, self.context["programme"])
        if problems:
            raise serializers.ValidationError(problems)
        return attrs


class RiskCloseSerializer(serializers.Serializer):
    closing_reason = serializers.CharField(max_length=2000, help_text="Why the risk is closed")
    version = version_field()
