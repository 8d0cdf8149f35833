"""My work: the first page after signing in."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from reporting.my_work import my_work


@login_required
@require_safe
def home(request):
    """My work: what needs the signed-in person, each item linking to where it is done."""
    today = timezone.localdate()
    return render(request, "reporting/my_work.html", {"work": my_work(request.user, today)})
