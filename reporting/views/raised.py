"""Scope and quality exceptions raised by hand (DOMAIN.md section 3; issue 14, part 6): raising
one, its page, changing it, and closing it once resolved. Its narrative is written, approved
and commented on with the detected exceptions, on the period's exceptions page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from programmes.dates import month_start
from programmes.forms import posted, save_form
from programmes.history import HistorySource, describe_history
from programmes.lists import programme_for
from programmes.models import ReportingPeriod
from programmes.permissions import Action, get_for, may, may_somewhere
from reporting.models import RaisedException
from reporting.raised import close_raised_exception, edit_raised_exception, raise_exception
from reporting.raised_forms import CloseRaisedExceptionForm, RaisedExceptionForm


def _raised(request, raised_id: int, action: Action = Action.VIEW) -> RaisedException:
    """The exception from those the user may see (404), if their role allows the action (403)."""
    return get_for(
        request.user,
        action,
        RaisedException.objects.select_related(
            "programme__organisation", "area", "workstream__area", "raised_by__person"
        ),
        pk=raised_id,
    )


def _context(raised: RaisedException, **extra) -> dict:
    return {
        "raised": raised,
        "programme": raised.programme,
        "workstream": raised.workstream,
        "header_organisation": raised.programme.organisation,
        **extra,
    }


def _form_page(request, form, programme, raised=None, status=200):
    return render(
        request,
        "reporting/raised/form.html",
        {
            "form": form,
            "raised": raised,
            "programme": programme,
            "workstream": raised.workstream if raised else None,
            "header_organisation": programme.organisation,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def raised_exception_add(request, programme_id: int):
    programme = programme_for(request, programme_id)
    if not may_somewhere(request.user, Action.WRITE_EXCEPTION, programme):
        raise PermissionDenied("Your role does not allow this")
    form = RaisedExceptionForm(posted(request), programme=programme, user=request.user)
    raised = save_form(
        form,
        lambda data: raise_exception(programme, by=request.user, details=form.details()),
        noun="exception",
    )
    if raised is not None:
        messages.success(
            request,
            f"{raised.get_kind_display()} exception raised: it is one of the exceptions of each "
            "period until it is closed",
        )
        return redirect("raised_exception_detail", raised.pk)
    return _form_page(request, form, programme, status=400 if form.errors else 200)


@login_required
@require_safe
def raised_exception_detail(request, raised_id: int):
    raised = _raised(request, raised_id)
    period = ReportingPeriod.objects.filter(
        programme_id=raised.programme_id, month=month_start(timezone.localdate())
    ).first()
    return render(
        request,
        "reporting/raised/detail.html",
        _context(
            raised,
            period=period,
            can_change=not raised.is_closed and may(request.user, Action.WRITE_EXCEPTION, raised),
            history=describe_history(
                [HistorySource(RaisedException.history.filter(id=raised.pk), lambda r: "Exception")]
            ),
        ),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def raised_exception_edit(request, raised_id: int):
    raised = _raised(request, raised_id, Action.WRITE_EXCEPTION)
    if raised.is_closed:
        messages.error(request, "This exception is closed: it can no longer be changed")
        return redirect("raised_exception_detail", raised.pk)
    form = RaisedExceptionForm(
        posted(request), programme=raised.programme, user=request.user, raised=raised
    )
    if save_form(
        form,
        lambda data: edit_raised_exception(
            raised, by=request.user, version=data["version"], details=form.details()
        ),
        noun="exception",
    ):
        messages.success(request, "Exception changed")
        return redirect("raised_exception_detail", raised.pk)
    status = 409 if form.conflict else 400 if form.errors else 200
    return _form_page(request, form, raised.programme, raised, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def raised_exception_close(request, raised_id: int):
    """Close it once resolved, saying how: from then it is no longer an exception."""
    raised = _raised(request, raised_id, Action.WRITE_EXCEPTION)
    if raised.is_closed and request.method != "POST":
        messages.error(request, f"This exception was closed on {raised.closed_on:%-d %B %Y}")
        return redirect("raised_exception_detail", raised.pk)
    form = CloseRaisedExceptionForm(posted(request), raised=raised)
    if save_form(
        form,
        lambda data: close_raised_exception(
            raised,
            by=request.user,
            version=data["version"],
            resolution=data["resolution"],
            closed_on=data.get("closed_on"),
        ),
        noun="exception",
        doing="reading it",
        outcome="It has not been closed: read it again, and close it if you still mean to.",
    ):
        messages.success(request, "Exception closed")
        return redirect("raised_exception_detail", raised.pk)
    return render(
        request,
        "reporting/confirm.html",
        _context(
            raised,
            caption=raised.programme.name,
            heading=f"Close the {raised.get_kind_display().lower()} exception: {raised.title}?",
            explanation=[
                "Once closed, it is no longer one of the exceptions of the periods that follow. "
                "The periods it was open in keep it, with its narrative.",
            ],
            form=form,
            action_url=reverse("raised_exception_close", args=[raised.pk]),
            button="Close the exception",
            cancel_url=reverse("raised_exception_detail", args=[raised.pk]),
        ),
        status=409 if form.conflict else 400 if form.errors else 200,
    )
