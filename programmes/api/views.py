"""Programmes, programme areas and reporting periods: read for everyone with a role in the
programme (DOMAIN.md section 2)."""

from __future__ import annotations

from drf_spectacular.views import SpectacularSwaggerSplitView

from programmes.api.filtersets import (
    ProgrammeAreaFilterSet,
    ProgrammeFilterSet,
    ReportingPeriodFilterSet,
)
from programmes.api.serializers import (
    ProgrammeAreaSerializer,
    ProgrammeSerializer,
    ReportingPeriodSerializer,
)
from programmes.api.viewsets import VisibleViewSet
from programmes.models import Programme, ProgrammeArea, ReportingPeriod


class ProgrammeViewSet(VisibleViewSet):
    """Programmes in which you hold a role (all of them for site administrators). The
    computed programme RAG is on the programme's dashboard page, not here: it rates every
    milestone and measure of the programme."""

    queryset = Programme.objects.select_related(
        "organisation", "senior_responsible_owner"
    ).order_by("organisation__name", "sort_key", "pk")
    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilterSet


class ProgrammeAreaViewSet(VisibleViewSet):
    """Programme areas, with their sponsor, project manager and own tolerances."""

    queryset = (
        ProgrammeArea.objects.select_related("sponsor", "project_manager")
        .prefetch_related("documents")
        .order_by("programme_id", "sort_key", "pk")
    )
    serializer_class = ProgrammeAreaSerializer
    filterset_class = ProgrammeAreaFilterSet


class ReportingPeriodViewSet(VisibleViewSet):
    """Reporting periods, newest first: one a month, open until closed."""

    queryset = ReportingPeriod.objects.order_by("programme_id", "-month", "pk")
    serializer_class = ReportingPeriodSerializer
    filterset_class = ReportingPeriodFilterSet


class DocsView(SpectacularSwaggerSplitView):
    """The API's browsable docs (Swagger UI), served from our own static files and within
    the site's Content Security Policy: its start-up script is a second request rather than
    inline, and its one inline style carries the page's nonce."""

    template_name = "api/swagger_ui.html"
    title = "Transformation programmes API"
