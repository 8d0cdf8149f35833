"""The search page behind the box in every page's header (issue 15, part 7)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from reporting.search import MAX_QUERY_LENGTH, search


@login_required
@require_safe
def search_results(request):
    """What the user may see that matches `?q=`, grouped by kind."""
    results = search(request.user, request.GET.get("q", ""))
    return render(
        request,
        "reporting/search.html",
        {"results": results, "max_length": MAX_QUERY_LENGTH},
    )
