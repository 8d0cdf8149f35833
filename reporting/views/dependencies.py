"""The dependency map of a programme (issue 15, part 3): its workstreams and their
dependencies as a graph with RAG, and the same arrows as a table."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from programmes.lists import programme_for
from reporting.dependency_map import build_dependency_map
from workstreams.assessment import assess, load_state


@login_required
@require_safe
def programme_dependencies(request, programme_id: int):
    """Everyone in the programme sees its map, rated as today, as the dashboard rates it."""
    programme = programme_for(request, programme_id)
    today = timezone.localdate()
    state = load_state(programme, today)
    rating = assess(state, today)
    dependency_map = build_dependency_map(rating, state.workstream_edges, state.milestone_edges)
    return render(
        request,
        "reporting/dependencies.html",
        {
            "programme": programme,
            "header_organisation": programme.organisation,
            "rating": rating,
            "map": dependency_map,
            "today": today,
        },
    )
