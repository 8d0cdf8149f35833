"""The RAID log: risks, issues, decisions and board meetings, read by everyone with a role
in the programme; risks raised, changed and closed as the role allows (DOMAIN.md section 2:
leads their workstream's, project managers their area's, the programme office all)."""

from __future__ import annotations

from dataclasses import fields

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from programmes.api.viewsets import VisibleViewSet, write_responses
from programmes.permissions import Action, require
from risks.api.filtersets import (
    BoardMeetingFilterSet,
    DecisionFilterSet,
    IssueFilterSet,
    RiskFilterSet,
)
from risks.api.serializers import (
    BoardMeetingSerializer,
    DecisionSerializer,
    IssueSerializer,
    RiskChangeSerializer,
    RiskCloseSerializer,
    RiskCreateSerializer,
    RiskSerializer,
)
from risks.models import BoardMeeting, Decision, Issue, IssueAction, MitigationAction, Risk
from risks.services.risks import RiskDetails, close_risk, edit_risk, raise_risk

RISK_DETAILS = [field.name for field in fields(RiskDetails)]


def where_it_would_sit(programme, details: RiskDetails) -> Risk:
    """An unsaved risk at the scope the details give, to ask who may manage risks there."""
    area = details.workstream.area if details.workstream is not None else details.area
    return Risk(programme=programme, area=area, workstream=details.workstream)


class RiskViewSet(VisibleViewSet):
    """The risk register, every status unless `status` is given, with scores and bands."""

    queryset = Risk.objects.select_related(
        "programme", "area", "workstream__area", "owner", "issue"
    ).order_by("programme_id", "sort_key", "pk")
    serializer_class = RiskSerializer
    filterset_class = RiskFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def with_details(self, queryset):
        return queryset.prefetch_related(
            Prefetch("actions", MitigationAction.objects.select_related("owner"))
        )

    @extend_schema(
        request=RiskCreateSerializer,
        responses=write_responses(RiskSerializer, created=True),
        summary="Raise a risk",
        description="In the programme, an area or a workstream: where your role lets you "
        "manage risks.",
    )
    def create(self, request, *args, **kwargs):
        incoming = RiskCreateSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        programme = data.pop("programme")
        details = RiskDetails(**data)
        require(request.user, Action.MANAGE_RISKS, where_it_would_sit(programme, details))
        risk = raise_risk(programme, by=request.user, details=details)
        return Response(self.get_serializer(self.fresh(risk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=RiskChangeSerializer,
        responses=write_responses(RiskSerializer),
        summary="Change a risk",
        description="Fields left out keep their value; `version` is the one you read. A "
        "workstream given without an area brings its area.",
    )
    def partial_update(self, request, *args, **kwargs):
        risk = self.object_for(Action.MANAGE_RISKS)
        incoming = RiskChangeSerializer(
            data=request.data,
            context=self.get_serializer_context() | {"programme": risk.programme},
        )
        incoming.is_valid(raise_exception=True)
        changes = dict(incoming.validated_data)
        version = changes.pop("version")
        if changes.get("workstream") is not None and "area" not in changes:
            changes["area"] = changes["workstream"].area
        details = RiskDetails(**({name: getattr(risk, name) for name in RISK_DETAILS} | changes))
        require(request.user, Action.MANAGE_RISKS, where_it_would_sit(risk.programme, details))
        edit_risk(risk, by=request.user, version=version, details=details)
        return Response(self.get_serializer(self.fresh(risk)).data)

    @extend_schema(
        request=RiskCloseSerializer,
        responses=write_responses(RiskSerializer),
        summary="Close a risk",
    )
    @action(detail=True, methods=["post"])
    def close(self, request, *args, **kwargs):
        risk = self.object_for(Action.MANAGE_RISKS)
        incoming = RiskCloseSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        close_risk(risk, by=request.user, version=data["version"], reason=data["closing_reason"])
        return Response(self.get_serializer(self.fresh(risk)).data)


class IssueViewSet(VisibleViewSet):
    """The issue log: what has happened and must be managed, with its actions."""

    queryset = Issue.objects.select_related("owner").order_by("programme_id", "sort_key", "pk")
    serializer_class = IssueSerializer
    filterset_class = IssueFilterSet

    def with_details(self, queryset):
        return queryset.prefetch_related(
            Prefetch("actions", IssueAction.objects.select_related("owner"))
        )


class DecisionViewSet(VisibleViewSet):
    """The decision log: what the board or a committee must decide, by when, and what it
    decided."""

    queryset = Decision.objects.order_by("programme_id", "sort_key", "pk")
    serializer_class = DecisionSerializer
    filterset_class = DecisionFilterSet


class BoardMeetingViewSet(VisibleViewSet):
    """Board meetings with the decisions on their agenda."""

    queryset = BoardMeeting.objects.select_related("chair").order_by(
        "programme_id", "held_on", "pk"
    )
    serializer_class = BoardMeetingSerializer
    filterset_class = BoardMeetingFilterSet

    def with_details(self, queryset):
        return queryset.prefetch_related(
            Prefetch("decisions", Decision.objects.only("id", "meeting_id").order_by("pk"))
        )
