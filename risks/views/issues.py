"""An issue's page (what happened, actions, resolution, history) and the pages that change
issues: raise, edit, resolve, and add or complete their actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from programmes.comments import comment_thread, with_comments
from programmes.forms import add_errors, posted, save_form
from programmes.history import HistorySource, describe_history
from programmes.lists import programme_for
from programmes.permissions import Action, get_for, may
from risks.forms.risks import ActionForm, IssueForm, ResolveIssueForm
from risks.models import Issue, IssueAction, IssueStatus
from risks.services.risks import (
    add_issue_action,
    complete_action,
    edit_issue,
    raise_issue,
    resolve_issue,
)
from risks.views.lists import may_raise_risks


def _issue(request, issue_id: int, action: Action = Action.VIEW) -> Issue:
    """The issue from those the user may see (404), if their role allows the action (403)."""
    return get_for(
        request.user,
        action,
        Issue.objects.select_related(
            "programme__organisation", "area", "workstream", "owner", "risk"
        ),
        pk=issue_id,
    )


def _context(issue: Issue, **extra) -> dict:
    return {
        "issue": issue,
        "programme": issue.programme,
        "workstream": issue.workstream,
        "header_organisation": issue.programme.organisation,
        **extra,
    }


@login_required
def issue_detail(request, issue_id: int):
    action = Action.MANAGE_RISKS if request.method == "POST" else Action.VIEW
    issue = _issue(request, issue_id, action)
    can_manage = may(request.user, Action.MANAGE_RISKS, issue)
    action_form = ActionForm(programme=issue.programme, prefix="action") if can_manage else None
    if request.method == "POST":
        action_form = ActionForm(request.POST, programme=issue.programme, prefix="action")
        if action_form.is_valid():
            data = action_form.cleaned_data
            try:
                add_issue_action(
                    issue,
                    by=request.user,
                    description=data["description"],
                    owner=data["owner"],
                    due_date=data["due_date"],
                )
            except ValidationError as error:
                add_errors(action_form, error)
            else:
                messages.success(request, "Action added")
                return redirect("issue_detail", issue.pk)
    history = describe_history(
        [
            HistorySource(Issue.history.filter(id=issue.pk), lambda r: "Issue"),
            HistorySource(
                IssueAction.history.filter(issue_id=issue.pk),
                lambda r: "Action",
                lambda r: f"Added: {r.description[:100]}",
            ),
        ]
    )
    comments = comment_thread(
        issue, user=request.user, post_url=reverse("issue_comment", args=[issue.pk])
    )
    return render(
        request,
        "risks/issue_detail.html",
        _context(
            issue,
            actions=issue.actions.select_related("owner"),
            action_form=action_form,
            can_manage=can_manage,
            is_open=issue.status == IssueStatus.OPEN,
            history=with_comments(history, comments.comments),
            comments=comments,
            today=timezone.localdate(),
        ),
        status=400 if action_form is not None and action_form.errors else 200,
    )


@login_required
def issue_add(request, programme_id: int):
    programme = programme_for(request, programme_id)
    if not may_raise_risks(request.user, programme):
        raise PermissionDenied("Your role does not allow this")
    form = IssueForm(
        posted(request),
        programme=programme,
        initial={"raised_on": timezone.localdate(), "priority": "medium"},
    )
    issue = save_form(
        form,
        lambda data: raise_issue(programme, by=request.user, details=form.details()),
        noun="issue",
    )
    if issue is not None:
        messages.success(request, f"Issue {issue.reference} raised")
        return redirect("issue_detail", issue.pk)
    return render(
        request,
        "risks/issue_form.html",
        {
            "form": form,
            "programme": programme,
            "issue": None,
            "header_organisation": programme.organisation,
        },
        status=400 if form.errors else 200,
    )


@login_required
def issue_edit(request, issue_id: int):
    issue = _issue(request, issue_id, Action.MANAGE_RISKS)
    form = IssueForm(posted(request), programme=issue.programme, issue=issue)
    if save_form(
        form,
        lambda data: edit_issue(
            issue, by=request.user, version=data["version"], details=form.details()
        ),
        noun="issue",
    ):
        messages.success(request, f"Issue {issue.reference} changed")
        return redirect("issue_detail", issue.pk)
    return render(
        request,
        "risks/issue_form.html",
        _context(issue, form=form),
        status=400 if form.errors else 200,
    )


@login_required
def issue_resolve(request, issue_id: int):
    issue = _issue(request, issue_id, Action.MANAGE_RISKS)
    form = ResolveIssueForm(posted(request), issue=issue)
    if save_form(
        form,
        lambda data: resolve_issue(
            issue,
            by=request.user,
            version=data["version"],
            resolution=data["resolution"],
            resolved_on=data["resolved_on"],
        ),
        noun="issue",
    ):
        messages.success(request, f"Issue {issue.reference} resolved")
        return redirect("issue_detail", issue.pk)
    return render(
        request,
        "risks/issue_resolve.html",
        _context(issue, form=form),
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def issue_action_done(request, action_id: int):
    action = get_for(
        request.user,
        Action.MANAGE_RISKS,
        IssueAction.objects.select_related("issue"),
        pk=action_id,
    )
    complete_action(action, by=request.user)
    messages.success(request, "Action marked as done")
    return redirect("issue_detail", action.issue_id)
