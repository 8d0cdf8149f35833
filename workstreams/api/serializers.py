"""Workstreams and what they hold, as the API shows them, and what a write may send.

Ratings are computed as of today with the rules every page uses (`workstreams.assessment`,
`workstreams.rules`), from what the list has loaded: no query per row.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from programmes.api.fields import (
    DayField,
    MonthField,
    PlanDateField,
    RagSerializer,
    plan_date_text,
    rag_data,
)
from programmes.api.serializers import PersonBriefSerializer
from programmes.choices import Rag, RagScale
from programmes.dates import PlanDate
from programmes.models import ReportingPeriod
from programmes.rules import Tolerances, ratings_on_scale
from workstreams.assessment import rate_measure, rate_milestone_with_dependencies
from workstreams.models import (
    BudgetLine,
    Measure,
    MeasureReading,
    MeasureTarget,
    Milestone,
    MilestoneStatus,
    StatusUpdate,
    Workstream,
)
from workstreams.rules import (
    Target,
    budget_rag,
    needs_variance_explanation,
    target_for_month,
)

BIGGEST_VERSION = 2**31 - 1


def version_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1,
        max_value=BIGGEST_VERSION,
        help_text="The version you read: a change made since then is refused with 409",
        **kwargs,
    )


def _tolerances(workstream: Workstream) -> Tolerances:
    """The tolerances where the workstream sits: its area's, else its programme's."""
    return workstream.programme.tolerances_for(workstream.area)


# ----- Reading -----


class WorkstreamSerializer(serializers.ModelSerializer):
    lead = PersonBriefSerializer(read_only=True, allow_null=True)
    reported_rag = serializers.ChoiceField(
        choices=Rag.choices,
        read_only=True,
        allow_null=True,
        help_text="The rating in the lead's latest submitted status update; null if none",
    )

    class Meta:
        model = Workstream
        fields = [
            "id",
            "programme",
            "area",
            "reference",
            "name",
            "outcomes",
            "lead",
            "funding_notes",
            "objective",
            "depends_on",
            "reported_rag",
        ]
        read_only_fields = fields


class MilestoneSerializer(serializers.ModelSerializer):
    programme = serializers.IntegerField(source="workstream.programme_id", read_only=True)
    owner = PersonBriefSerializer(read_only=True, allow_null=True)
    start = PlanDateField(read_only=True, allow_null=True)
    baseline = PlanDateField(read_only=True, allow_null=True)
    forecast = PlanDateField(read_only=True, allow_null=True)
    due = PlanDateField(
        read_only=True, allow_null=True, help_text="The forecast if set, else the baseline"
    )
    rag = serializers.SerializerMethodField(help_text="The milestone's RAG as of today")

    class Meta:
        model = Milestone
        fields = [
            "id",
            "programme",
            "workstream",
            "reference",
            "title",
            "description",
            "kind",
            "forum",
            "owner",
            "start",
            "baseline",
            "forecast",
            "due",
            "actual_date",
            "status",
            "at_risk",
            "position",
            "depends_on",
            "version",
            "rag",
        ]
        read_only_fields = fields

    @extend_schema_field(RagSerializer)
    def get_rag(self, milestone: Milestone) -> dict:
        result = rate_milestone_with_dependencies(
            milestone,
            as_of=self.context["today"],
            tolerance_days=_tolerances(milestone.workstream).time_days,
            has_notes=milestone.has_notes,
        )
        return rag_data(result)


class MeasureTargetSerializer(serializers.ModelSerializer):
    due = serializers.SerializerMethodField(help_text="For a target to reach by a date")

    class Meta:
        model = MeasureTarget
        fields = ["id", "financial_year", "due", "value", "period_label"]
        read_only_fields = fields
        extra_kwargs = {
            "financial_year": {"help_text": "The year it starts in: 2026 for 2026/27"},
        }

    @extend_schema_field(PlanDateField(allow_null=True))
    def get_due(self, target: MeasureTarget) -> str | None:
        due = PlanDate.from_fields(target.due_date, target.due_precision)
        return plan_date_text(due) if due else None


class LatestReadingSerializer(serializers.Serializer):
    period = MonthField()
    value = serializers.DecimalField(max_digits=14, decimal_places=2)


class MeasureSerializer(serializers.ModelSerializer):
    programme = serializers.IntegerField(source="workstream.programme_id", read_only=True)
    owner = PersonBriefSerializer(read_only=True, allow_null=True)
    targets = MeasureTargetSerializer(many=True, read_only=True)
    latest_reading = serializers.SerializerMethodField(
        help_text="The latest reading up to this month"
    )
    rag = serializers.SerializerMethodField(
        help_text="The latest reading against the target for its month"
    )

    class Meta:
        model = Measure
        fields = [
            "id",
            "programme",
            "workstream",
            "reference",
            "title",
            "unit",
            "direction",
            "baseline_value",
            "tolerance_percent",
            "owner",
            "targets",
            "latest_reading",
            "version",
            "rag",
        ]
        read_only_fields = fields

    @extend_schema_field(LatestReadingSerializer(allow_null=True))
    def get_latest_reading(self, measure: Measure) -> dict | None:
        if measure.latest_period is None:
            return None
        return LatestReadingSerializer(
            {"period": measure.latest_period, "value": measure.latest_value}
        ).data

    @extend_schema_field(RagSerializer)
    def get_rag(self, measure: Measure) -> dict:
        targets = [Target(t.value, t.financial_year, t.due_date) for t in measure.targets.all()]
        target = target_for_month(targets, measure.latest_period) if measure.latest_period else None
        return rag_data(
            rate_measure(
                measure,
                tolerances=_tolerances(measure.workstream),
                actual=measure.latest_value,
                target=target,
            )
        )


class ReadingSerializer(serializers.ModelSerializer):
    programme = serializers.IntegerField(source="measure.workstream.programme_id", read_only=True)
    workstream = serializers.IntegerField(source="measure.workstream_id", read_only=True)
    period = MonthField(read_only=True)

    class Meta:
        model = MeasureReading
        fields = ["id", "programme", "workstream", "measure", "period", "value", "note", "version"]
        read_only_fields = fields


class StatusUpdateSerializer(serializers.ModelSerializer):
    programme = serializers.IntegerField(source="workstream.programme_id", read_only=True)
    month = MonthField(source="period.month", read_only=True)

    class Meta:
        model = StatusUpdate
        fields = [
            "id",
            "programme",
            "workstream",
            "period",
            "month",
            "rag",
            "reason",
            "achievements",
            "planned_next",
            "escalations",
            "decisions_needed",
            "state",
            "submitted_at",
            "is_late",
            "reopened",
            "is_locked",
            "version",
        ]
        read_only_fields = fields


class BudgetLineSerializer(serializers.ModelSerializer):
    programme = serializers.IntegerField(source="workstream.programme_id", read_only=True)
    needs_variance_explanation = serializers.SerializerMethodField(
        help_text="The forecast is more than 5% from the allocation, either way"
    )
    rag = serializers.SerializerMethodField(help_text="Forecast outturn against allocation")

    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "programme",
            "workstream",
            "financial_year",
            "financial_year_label",
            "description",
            "funding_source",
            "allocated",
            "spent",
            "forecast",
            "variance_explanation",
            "needs_variance_explanation",
            "rag",
        ]
        read_only_fields = fields

    def get_needs_variance_explanation(self, line: BudgetLine) -> bool:
        return needs_variance_explanation(allocated=line.allocated, forecast=line.forecast)

    @extend_schema_field(RagSerializer)
    def get_rag(self, line: BudgetLine) -> dict:
        tolerance = _tolerances(line.workstream).cost_percent
        return rag_data(
            budget_rag(
                allocated=line.allocated, forecast=line.forecast, cost_tolerance_percent=tolerance
            )
        )


# ----- Writing: what a client sends. Leave a field out to keep its value. -----


class MilestoneProgressSerializer(serializers.Serializer):
    """A lead's update of a milestone (DOMAIN.md section 4, step 2)."""

    status = serializers.ChoiceField(choices=MilestoneStatus.choices, required=False)
    forecast = PlanDateField(required=False, allow_null=True)
    actual_date = DayField(required=False, allow_null=True, help_text="When it was completed")
    at_risk = serializers.BooleanField(required=False)
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="A progress note, dated today",
    )
    version = version_field()


class ReadingCreateSerializer(serializers.Serializer):
    measure = serializers.PrimaryKeyRelatedField(queryset=Measure.objects.none())
    period = MonthField()
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["measure"].queryset = Measure.objects.visible_to(request.user)


class ReadingChangeSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    version = version_field()


RATINGS_OFFERED = [
    (rag.value, rag.label) for rag in (*ratings_on_scale(RagScale.FIVE_POINT), Rag.COMPLETE)
]  # narrowed to the programme's scale in validate()


class _StatusUpdateFields(serializers.Serializer):
    rag = serializers.ChoiceField(
        choices=RATINGS_OFFERED,
        help_text="Red, Amber or Green (or the five-point scale, if the programme uses it), "
        "or Complete",
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="Needed for all but Green"
    )
    achievements = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    planned_next = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    escalations = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    decisions_needed = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    submit = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Submit it to the programme office; otherwise it is saved as a draft",
    )

    def rating_problems(self, rag: str | None, programme) -> dict:
        if rag is None:
            return {}
        ratings = programme.ratings
        if rag not in (*ratings, Rag.COMPLETE):
            words = ", ".join(Rag(r).label for r in ratings)
            return {"rag": f"This programme rates {words}, or Complete"}
        return {}


class StatusUpdateCreateSerializer(_StatusUpdateFields):
    workstream = serializers.PrimaryKeyRelatedField(queryset=Workstream.objects.none())
    period = serializers.PrimaryKeyRelatedField(queryset=ReportingPeriod.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["workstream"].queryset = Workstream.objects.select_related(
                "programme"
            ).visible_to(request.user)
            self.fields["period"].queryset = ReportingPeriod.objects.visible_to(request.user)

    def validate(self, attrs):
        workstream, period = attrs["workstream"], attrs["period"]
        if period.programme_id != workstream.programme_id:
            raise serializers.ValidationError(
                {"period": "Choose a reporting period of the workstream's programme"}
            )
        problems = self.rating_problems(attrs["rag"], workstream.programme)
        if problems:
            raise serializers.ValidationError(problems)
        return attrs


class StatusUpdateChangeSerializer(_StatusUpdateFields):
    version = version_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rag"].required = False

    def validate(self, attrs):
        problems = self.rating_problems(attrs.get("rag"), self.context["programme"])
        if problems:
            raise serializers.ValidationError(problems)
        return attrs
