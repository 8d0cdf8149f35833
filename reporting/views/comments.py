"""Adding a comment to an item (issue 13, part 6; programmes/comments.py): a workstream, a
milestone, a risk, an issue, a report, a change request, or one exception of a period. Anyone
who can see the item may comment (Action.COMMENT). Here, above the apps whose items take
comments, so that one module knows them all.

On success: back to the item's comments, told whom the @mentions emailed (with htmx, the
comments section itself, swapped in place). With a problem: the comments section with the
error summary and the message by the field, on a page of its own (with htmx, in place).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from programmes.comments import (
    add_comment,
    comment_form,
    comment_thread,
    comments_by_topic,
    example_name,
    item_path,
    mentions_told,
)
from programmes.forms import add_errors
from programmes.models import ReportingPeriod
from programmes.permissions import Action, get_for
from reporting.models import ChangeRequest, ReportRun
from reporting.narratives import exceptions_for_period
from risks.models import Issue, Risk
from workstreams.models import Milestone, Workstream


def _comment(
    request,
    target,
    *,
    post_url: str,
    title: str,
    programme,
    topic: str = "",
    about: str = "",
    workstream=None,
    heading_level: int = 2,
):
    """Add the posted comment to `target` (fetched with Action.COMMENT by the caller)."""
    form = comment_form(topic, request.POST)
    thread_options = {
        "user": request.user,
        "post_url": post_url,
        "topic": topic,
        "heading_level": heading_level,
    }
    if form.is_valid():
        try:
            comment = add_comment(
                target, form.cleaned_data["body"], by=request.user, topic=topic, about=about
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            told = " ".join(filter(None, ["Comment added.", mentions_told(comment.mentions)]))
            if request.htmx:
                thread = comment_thread(target, told=told, **thread_options)
                return render(request, "includes/comments.html", {"thread": thread})
            messages.success(request, told)
            return redirect(item_path(target, topic))
    thread = comment_thread(target, form=form, **thread_options)
    if request.htmx:  # htmx swaps only a success: the section, showing the problem, is one
        return render(request, "includes/comments.html", {"thread": thread})
    thread.heading_level = 2
    return render(
        request,
        "reporting/comment.html",
        {
            "thread": thread,
            "title": title,
            "back_url": item_path(target, topic),
            "programme": programme,
            "workstream": workstream,
            "header_organisation": programme.organisation,
        },
        status=400,
    )


@login_required
@require_POST
def workstream_comment(request, workstream_id: int):
    workstream = get_for(
        request.user,
        Action.COMMENT,
        Workstream.objects.select_related("programme__organisation"),
        pk=workstream_id,
    )
    return _comment(
        request,
        workstream,
        post_url=reverse("workstream_comment", args=[workstream.pk]),
        title=f"Workstream {workstream.reference} {workstream.name}",
        programme=workstream.programme,
        workstream=workstream,
    )


@login_required
@require_POST
def milestone_comment(request, milestone_id: int):
    milestone = get_for(
        request.user,
        Action.COMMENT,
        Milestone.objects.select_related("workstream__programme__organisation"),
        pk=milestone_id,
    )
    return _comment(
        request,
        milestone,
        post_url=reverse("milestone_comment", args=[milestone.pk]),
        title=f"Milestone {milestone.reference} {milestone.title}",
        programme=milestone.workstream.programme,
        workstream=milestone.workstream,
    )


@login_required
@require_POST
def risk_comment(request, risk_id: int):
    risk = get_for(
        request.user,
        Action.COMMENT,
        Risk.objects.select_related("programme__organisation", "workstream"),
        pk=risk_id,
    )
    return _comment(
        request,
        risk,
        post_url=reverse("risk_comment", args=[risk.pk]),
        title=f"Risk {risk.reference} {risk.title}",
        programme=risk.programme,
        workstream=risk.workstream,
    )


@login_required
@require_POST
def issue_comment(request, issue_id: int):
    issue = get_for(
        request.user,
        Action.COMMENT,
        Issue.objects.select_related("programme__organisation", "workstream"),
        pk=issue_id,
    )
    return _comment(
        request,
        issue,
        post_url=reverse("issue_comment", args=[issue.pk]),
        title=f"Issue {issue.reference} {issue.title}",
        programme=issue.programme,
        workstream=issue.workstream,
    )


@login_required
@require_POST
def report_comment(request, run_id: int):
    run = get_for(
        request.user,
        Action.COMMENT,
        ReportRun.objects.select_related("programme__organisation", "period"),
        pk=run_id,
    )
    title = f"the {run.get_kind_display().lower()} for {run.period.label}, version {run.version}"
    return _comment(
        request,
        run,
        post_url=reverse("report_comment", args=[run.pk]),
        title=title[:1].upper() + title[1:],
        about=title,
        programme=run.programme,
    )


@login_required
@require_POST
def change_comment(request, change_id: int):
    change = get_for(
        request.user,
        Action.COMMENT,
        ChangeRequest.objects.select_related("programme__organisation", "workstream"),
        pk=change_id,
    )
    return _comment(
        request,
        change,
        post_url=reverse("change_comment", args=[change.pk]),
        title=f"Change request {change.reference} {change.title}",
        programme=change.programme,
        workstream=change.workstream,
    )


@login_required
@require_POST
def exception_comment(request, period_id: int, kind: str, object_id: int):
    """A comment on one exception of a period: on the period, its topic the exception's key
    (only an exception found in the period: it is where the comment shows)."""
    period = get_for(
        request.user,
        Action.COMMENT,
        ReportingPeriod.objects.select_related("programme__organisation"),
        pk=period_id,
    )
    breach = exceptions_for_period(period).find(f"{kind}:{object_id}")
    if breach is None:
        raise Http404("No such exception in this period")
    return _comment(
        request,
        period,
        post_url=reverse("exception_comment", args=[period.pk, kind, object_id]),
        title=f"Exception in {period.label}: {breach.title}",
        about=f"the exception for {breach.title} in {period.label}",
        programme=period.programme,
        topic=breach.key,
        heading_level=4,
    )


def attach_exception_threads(request, period: ReportingPeriod, lines) -> None:
    """Give each exception line of a period's exceptions page (`line.breach`) its comments
    section as `line.comments`: every comment of the period read at once, grouped by
    exception (three queries for the page, whatever the number of exceptions)."""
    by_topic = comments_by_topic(period)
    example = example_name(period.programme_id, request.user)
    for line in lines:
        key = line.breach.key
        kind, object_id = key.split(":")
        line.comments = comment_thread(
            period,
            user=request.user,
            post_url=reverse("exception_comment", args=[period.pk, kind, object_id]),
            topic=key,
            comments=by_topic.get(key, []),
            example=example,
            heading_level=4,
        )
