"""Workstreams, milestones, measures, readings, status updates and budget lines.

Reads: everything in the programmes the user has a role in. Writes, through the services
the pages use, as the user's role allows (DOMAIN.md section 2): a milestone's progress, a
measure's reading, a workstream's monthly status update.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Subquery
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from programmes.api.viewsets import VisibleViewSet, write_responses
from programmes.permissions import Action, require
from workstreams.api.filtersets import (
    BudgetLineFilterSet,
    MeasureFilterSet,
    MilestoneFilterSet,
    ReadingFilterSet,
    StatusUpdateFilterSet,
    WorkstreamFilterSet,
)
from workstreams.api.serializers import (
    BudgetLineSerializer,
    MeasureSerializer,
    MilestoneProgressSerializer,
    MilestoneSerializer,
    ReadingChangeSerializer,
    ReadingCreateSerializer,
    ReadingSerializer,
    StatusUpdateChangeSerializer,
    StatusUpdateCreateSerializer,
    StatusUpdateSerializer,
    WorkstreamSerializer,
)
from workstreams.assessment import DEPENDENCY_FIELDS
from workstreams.models import (
    BudgetLine,
    Measure,
    MeasureReading,
    MeasureTarget,
    Milestone,
    ProgressNote,
    StatusUpdate,
    UpdateState,
    Workstream,
)
from workstreams.services.progress import (
    record_reading,
    save_status_update,
    update_milestone_progress,
)

WRITES = ["get", "post", "patch", "head", "options"]


class WorkstreamViewSet(VisibleViewSet):
    """Workstreams with their lead's latest reported RAG. The suggested RAG (the worst of
    the milestones and measures) is on the workstream's page, not here."""

    queryset = Workstream.objects.select_related("lead").order_by("programme_id", "sort_key", "pk")
    serializer_class = WorkstreamSerializer
    filterset_class = WorkstreamFilterSet

    def with_details(self, queryset):
        reported = (
            StatusUpdate.objects.filter(
                workstream=OuterRef("pk"),
                state=UpdateState.SUBMITTED,
                period__month__lte=timezone.localdate(),
            )
            .order_by("-period__month")
            .values("rag")[:1]
        )
        return queryset.annotate(reported_rag=Subquery(reported)).prefetch_related(
            Prefetch("depends_on", Workstream.objects.only("id"))
        )


class MilestoneViewSet(VisibleViewSet):
    """Milestones, key decisions and deliverables with their RAG as of today. A lead (of the
    workstream), project manager (of the area) or the programme office updates progress
    with PATCH."""

    queryset = Milestone.objects.select_related(
        "workstream__area", "workstream__programme", "owner"
    ).order_by("workstream__programme_id", "workstream__sort_key", "position", "sort_key", "pk")
    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilterSet
    http_method_names = ["get", "patch", "head", "options"]

    def with_details(self, queryset):
        return queryset.annotate(
            has_notes=Exists(ProgressNote.objects.filter(milestone=OuterRef("pk")))
        ).prefetch_related(
            # With their dates: the rating warns of a dependency at risk, as `assess` does.
            Prefetch("depends_on", Milestone.objects.only(*DEPENDENCY_FIELDS)),
            Prefetch("dependents", Milestone.objects.only(*DEPENDENCY_FIELDS)),
        )

    @extend_schema(
        request=MilestoneProgressSerializer,
        responses=write_responses(MilestoneSerializer),
        summary="Update a milestone's progress",
        description="Status, forecast (a day or a month), completion date, at-risk flag and "
        "a progress note. Fields left out keep their value; `version` is the one you read.",
    )
    def partial_update(self, request, *args, **kwargs):
        milestone = self.object_for(Action.UPDATE_MILESTONE)
        incoming = MilestoneProgressSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        update_milestone_progress(
            milestone,
            by=request.user,
            version=data["version"],
            status=data.get("status", milestone.status),
            forecast=data.get("forecast", milestone.forecast),
            actual_date=data.get("actual_date", milestone.actual_date),
            at_risk=data.get("at_risk", milestone.at_risk),
            note=data.get("note", ""),
        )
        return Response(self.get_serializer(self.fresh(milestone)).data)


class MeasureViewSet(VisibleViewSet):
    """Measures with their targets, latest reading and RAG as of today."""

    queryset = Measure.objects.select_related(
        "workstream__area", "workstream__programme", "owner"
    ).order_by("workstream__programme_id", "workstream__sort_key", "sort_key", "pk")
    serializer_class = MeasureSerializer
    filterset_class = MeasureFilterSet

    def with_details(self, queryset):
        latest = MeasureReading.objects.filter(
            measure=OuterRef("pk"), period__lte=timezone.localdate()
        ).order_by("-period")
        return queryset.annotate(
            latest_period=Subquery(latest.values("period")[:1]),
            latest_value=Subquery(latest.values("value")[:1]),
        ).prefetch_related(
            Prefetch("targets", MeasureTarget.objects.order_by("financial_year", "due_date"))
        )


class ReadingViewSet(VisibleViewSet):
    """Measure readings, one a month. Enter one with POST; correct one with PATCH."""

    queryset = MeasureReading.objects.select_related("measure__workstream").order_by(
        "measure__workstream__programme_id", "measure_id", "period", "pk"
    )
    serializer_class = ReadingSerializer
    filterset_class = ReadingFilterSet
    http_method_names = WRITES

    @extend_schema(
        request=ReadingCreateSerializer,
        responses=write_responses(ReadingSerializer, created=True),
        summary="Enter a measure's reading for a month",
    )
    def create(self, request, *args, **kwargs):
        incoming = ReadingCreateSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        require(request.user, Action.RECORD_READING, data["measure"])
        reading = record_reading(
            data["measure"],
            by=request.user,
            month=data["period"],
            value=data["value"],
            note=data["note"],
        )
        return Response(
            self.get_serializer(self.fresh(reading)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=ReadingChangeSerializer,
        responses=write_responses(ReadingSerializer),
        summary="Correct a reading",
    )
    def partial_update(self, request, *args, **kwargs):
        reading = self.object_for(Action.RECORD_READING)
        incoming = ReadingChangeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        record_reading(
            reading.measure,
            by=request.user,
            month=reading.period,
            value=data.get("value", reading.value),
            note=data.get("note", reading.note),
            version=data["version"],
        )
        return Response(self.get_serializer(self.fresh(reading)).data)


STATUS_UPDATE_FIELDS = [
    "rag",
    "reason",
    "achievements",
    "planned_next",
    "escalations",
    "decisions_needed",
]


class StatusUpdateViewSet(VisibleViewSet):
    """Leads' monthly status updates. Start one with POST (as a draft, or submitted with
    `submit`); change or submit it with PATCH until its period closes."""

    queryset = StatusUpdate.objects.select_related("workstream__programme", "period").order_by(
        "workstream__programme_id", "workstream__sort_key", "-period__month", "pk"
    )
    serializer_class = StatusUpdateSerializer
    filterset_class = StatusUpdateFilterSet
    http_method_names = WRITES

    @extend_schema(
        request=StatusUpdateCreateSerializer,
        responses=write_responses(StatusUpdateSerializer, created=True),
        summary="Write a workstream's status update for a period",
    )
    def create(self, request, *args, **kwargs):
        incoming = StatusUpdateCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        workstream = data["workstream"]
        require(request.user, Action.SUBMIT_STATUS_UPDATE, workstream)
        update = save_status_update(
            workstream,
            data["period"],
            by=request.user,
            version=None,
            submit=data["submit"],
            **{name: data[name] for name in STATUS_UPDATE_FIELDS if name in data},
        )
        return Response(
            self.get_serializer(self.fresh(update)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=StatusUpdateChangeSerializer,
        responses=write_responses(StatusUpdateSerializer),
        summary="Change or submit a status update",
    )
    def partial_update(self, request, *args, **kwargs):
        update = self.object_for(Action.SUBMIT_STATUS_UPDATE)
        incoming = StatusUpdateChangeSerializer(
            data=request.data,
            context=self.get_serializer_context() | {"programme": update.workstream.programme},
        )
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        save_status_update(
            update.workstream,
            update.period,
            by=request.user,
            version=data["version"],
            submit=data["submit"],
            **{name: data.get(name, getattr(update, name)) for name in STATUS_UPDATE_FIELDS},
        )
        return Response(self.get_serializer(self.fresh(update)).data)


class BudgetLineViewSet(VisibleViewSet):
    """Budget lines by financial year, with their RAG against the cost tolerance."""

    queryset = BudgetLine.objects.select_related(
        "workstream__area", "workstream__programme"
    ).order_by("workstream__programme_id", "workstream__sort_key", "financial_year", "pk")
    serializer_class = BudgetLineSerializer
    filterset_class = BudgetLineFilterSet
