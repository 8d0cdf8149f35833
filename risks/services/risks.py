"""Writes to the RAID log: risks and their mitigation actions, issues and their actions, and
realising a risk into an issue in one step. Each is one transaction, takes the acting user,
checks their role (programmes.permissions), validates, and saves through the models so that
the history records who changed what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from programmes.models import Person, Programme, ProgrammeArea
from programmes.permissions import Action, require
from risks.models import (
    OPPORTUNITY_RESPONSES,
    THREAT_RESPONSES,
    Issue,
    IssueAction,
    IssueStatus,
    MitigationAction,
    Risk,
    RiskKind,
    RiskStatus,
)
from workstreams.models import Workstream


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationError(problems)


def _pair_problems(prefix: str, noun: str, likelihood, impact, *, required: bool) -> dict:
    problems = {}
    for part, value in (("likelihood", likelihood), ("impact", impact)):
        if value is None:
            if required:
                problems[f"{prefix}_{part}"] = f"Choose the {noun} {part}, from 1 to 5"
        elif value not in range(1, 6):
            problems[f"{prefix}_{part}"] = f"The {noun} {part} must be a whole number from 1 to 5"
    if not required and (likelihood is None) != (impact is None) and not problems:
        missing = "impact" if impact is None else "likelihood"
        problems[f"{prefix}_{missing}"] = f"Give the {noun} {missing} too, or neither"
    return problems


def risk_problems(data: RiskDetails) -> dict[str, str]:
    """What makes a risk unacceptable, field by field (DOMAIN.md section 3)."""
    problems = {}
    problems |= _pair_problems(
        "current", "current", data.current_likelihood, data.current_impact, required=True
    )
    problems |= _pair_problems(
        "inherent", "inherent", data.inherent_likelihood, data.inherent_impact, required=False
    )
    problems |= _pair_problems(
        "target", "target", data.target_likelihood, data.target_impact, required=False
    )
    allowed = OPPORTUNITY_RESPONSES if data.kind == RiskKind.OPPORTUNITY else THREAT_RESPONSES
    if data.response and data.response not in allowed:
        words = ", ".join(str(r.label).lower() for r in allowed)
        kind = "an opportunity" if data.kind == RiskKind.OPPORTUNITY else "a threat"
        problems["response"] = f"The response to {kind} is one of: {words}"
    if data.raised_on and data.raised_on > timezone.localdate():
        problems["raised_on"] = "The date raised must be today or in the past"
    if (
        data.area is not None
        and data.workstream is not None
        and data.workstream.area_id != data.area.pk
    ):
        problems["workstream"] = "The workstream must be in the chosen area"
    return problems


@dataclass
class RiskDetails:
    reference: str
    title: str
    event: str
    category: str
    kind: str = RiskKind.THREAT
    cause: str = ""
    effect: str = ""
    owner: Person | None = None
    raised_on: date | None = None
    area: ProgrammeArea | None = None
    workstream: Workstream | None = None
    inherent_likelihood: int | None = None
    inherent_impact: int | None = None
    current_likelihood: int | None = None
    current_impact: int | None = None
    target_likelihood: int | None = None
    target_impact: int | None = None
    proximity: date | None = None
    response: str = ""
    review_date: date | None = None
    escalated: bool = False


def _apply(risk: Risk, details: RiskDetails) -> None:
    for name, value in details.__dict__.items():
        if name == "area" and details.workstream is not None:
            value = details.workstream.area
        setattr(risk, name, value.strip() if isinstance(value, str) else value)


@transaction.atomic
def raise_risk(programme: Programme, *, by, details: RiskDetails) -> Risk:
    risk = Risk(programme=programme)
    _apply(risk, details)
    risk.raised_on = risk.raised_on or timezone.localdate()
    require(by, Action.MANAGE_RISKS, risk)
    _refuse(risk_problems(details))
    if Risk.objects.filter(programme=programme, reference=risk.reference).exists():
        raise ValidationError(
            {"reference": "This programme already has a risk with this reference"}
        )
    risk._history_user = by
    risk.save()
    return risk


@transaction.atomic
def edit_risk(risk: Risk, *, by, version: int, details: RiskDetails) -> Risk:
    require(by, Action.MANAGE_RISKS, risk)
    _refuse(risk_problems(details))
    if (
        Risk.objects.filter(programme_id=risk.programme_id, reference=details.reference.strip())
        .exclude(pk=risk.pk)
        .exists()
    ):
        raise ValidationError(
            {"reference": "This programme already has a risk with this reference"}
        )
    raised_on = risk.raised_on
    _apply(risk, details)
    risk.raised_on = risk.raised_on or raised_on  # left blank: it was raised when it was
    require(by, Action.MANAGE_RISKS, risk)  # and in the scope it moves to
    risk.version = version
    risk._history_user = by
    risk.save()
    return risk


@transaction.atomic
def close_risk(risk: Risk, *, by, version: int, reason: str) -> Risk:
    require(by, Action.MANAGE_RISKS, risk)
    if not reason.strip():
        raise ValidationError({"closing_reason": "Say why the risk is closed"})
    if risk.status != RiskStatus.OPEN:
        raise ValidationError("Only an open risk can be closed")
    risk.version = version
    risk.status = RiskStatus.CLOSED
    risk.closing_reason = reason.strip()
    risk._history_user = by
    risk._change_reason = f"Closed: {reason.strip()}"
    risk.save()
    return risk


@transaction.atomic
def reopen_risk(risk: Risk, *, by, version: int) -> Risk:
    require(by, Action.MANAGE_RISKS, risk)
    if risk.status != RiskStatus.CLOSED:
        raise ValidationError("Only a closed risk can be reopened")
    risk.version = version
    risk.status = RiskStatus.OPEN
    risk.closing_reason = ""
    risk._history_user = by
    risk.save()
    return risk


def action_problems(*, description: str, owner, due_date) -> dict[str, str]:
    problems = {}
    if not description.strip():
        problems["description"] = "Describe the action"
    if owner is None:
        problems["owner"] = "Choose who owns the action"
    if due_date is None:
        problems["due_date"] = "Enter the date the action is due"
    return problems


@transaction.atomic
def add_mitigation(risk: Risk, *, by, description: str, owner, due_date) -> MitigationAction:
    require(by, Action.MANAGE_RISKS, risk)
    _refuse(action_problems(description=description, owner=owner, due_date=due_date))
    action = MitigationAction(
        risk=risk, description=description.strip(), owner=owner, due_date=due_date
    )
    action._history_user = by
    action.save()
    return action


@transaction.atomic
def complete_action(action: MitigationAction | IssueAction, *, by, on: date | None = None):
    require(by, Action.MANAGE_RISKS, action)
    action.done = True
    action.completed_on = on or timezone.localdate()
    action._history_user = by
    action.save()
    return action


@dataclass
class IssueDetails:
    reference: str
    title: str
    description: str
    severity: str
    priority: str
    owner: Person | None = None
    raised_on: date | None = None
    area: ProgrammeArea | None = None
    workstream: Workstream | None = None


def issue_problems(details: IssueDetails) -> dict[str, str]:
    problems = {}
    if details.raised_on and details.raised_on > timezone.localdate():
        problems["raised_on"] = "The date raised must be today or in the past"
    if (
        details.area is not None
        and details.workstream is not None
        and details.workstream.area_id != details.area.pk
    ):
        problems["workstream"] = "The workstream must be in the chosen area"
    return problems


def _apply_issue(issue: Issue, details: IssueDetails) -> None:
    for name, value in details.__dict__.items():
        if name == "area" and details.workstream is not None:
            value = details.workstream.area
        setattr(issue, name, value.strip() if isinstance(value, str) else value)


def _save_new_issue(issue: Issue) -> Issue:
    try:
        with transaction.atomic():
            issue.save()
    except IntegrityError:
        raise ValidationError(
            {"reference": "This programme already has an issue with this reference"}
        ) from None
    return issue


@transaction.atomic
def raise_issue(programme: Programme, *, by, details: IssueDetails) -> Issue:
    issue = Issue(programme=programme)
    _apply_issue(issue, details)
    issue.raised_on = issue.raised_on or timezone.localdate()
    require(by, Action.MANAGE_RISKS, issue)
    _refuse(issue_problems(details))
    issue._history_user = by
    return _save_new_issue(issue)


@transaction.atomic
def edit_issue(issue: Issue, *, by, version: int, details: IssueDetails) -> Issue:
    require(by, Action.MANAGE_RISKS, issue)
    _refuse(issue_problems(details))
    _apply_issue(issue, details)
    require(by, Action.MANAGE_RISKS, issue)
    issue.version = version
    issue._history_user = by
    try:
        with transaction.atomic():
            issue.save()
    except IntegrityError:
        raise ValidationError(
            {"reference": "This programme already has an issue with this reference"}
        ) from None
    return issue


@transaction.atomic
def resolve_issue(issue: Issue, *, by, version: int, resolution: str, resolved_on: date) -> Issue:
    require(by, Action.MANAGE_RISKS, issue)
    problems = {}
    if not resolution.strip():
        problems["resolution"] = "Say how the issue was resolved"
    if resolved_on is None:
        problems["resolved_on"] = "Enter the date it was resolved"
    elif resolved_on > timezone.localdate():
        problems["resolved_on"] = "The date resolved must be today or in the past"
    _refuse(problems)
    issue.version = version
    issue.status = IssueStatus.RESOLVED
    issue.resolution = resolution.strip()
    issue.resolved_on = resolved_on
    issue._history_user = by
    issue.save()
    return issue


@transaction.atomic
def add_issue_action(issue: Issue, *, by, description: str, owner, due_date) -> IssueAction:
    require(by, Action.MANAGE_RISKS, issue)
    _refuse(action_problems(description=description, owner=owner, due_date=due_date))
    action = IssueAction(
        issue=issue, description=description.strip(), owner=owner, due_date=due_date
    )
    action._history_user = by
    action.save()
    return action


@transaction.atomic
def realise_risk(
    risk: Risk, *, by, version: int, severity: str, priority: str, reference: str = ""
) -> Issue:
    """The risk has happened: it becomes an issue linked to it, carrying over its title,
    description, scope, owner and open actions, so nothing is retyped (DOMAIN.md section 3)."""
    require(by, Action.MANAGE_RISKS, risk)
    if Issue.objects.filter(risk=risk).exists():
        raise ValidationError("This risk is already linked to an issue: it has been realised")
    if risk.status == RiskStatus.CLOSED:
        raise ValidationError("A closed risk cannot be realised: reopen it first")
    today = timezone.localdate()
    risk.version = version
    risk.status = RiskStatus.REALISED
    risk._history_user = by
    risk._change_reason = "Realised: it has happened and is now managed as an issue"
    risk.save()
    description = "\n\n".join(
        part for part in (risk.cause, risk.event, risk.effect) if part and part.strip()
    )
    issue = Issue(
        programme_id=risk.programme_id,
        area_id=risk.area_id,
        workstream_id=risk.workstream_id,
        reference=(reference or risk.reference).strip(),
        title=risk.title,
        description=description,
        severity=severity,
        priority=priority,
        owner_id=risk.owner_id,
        raised_on=today,
        risk=risk,
    )
    issue._history_user = by
    _save_new_issue(issue)
    for action in risk.actions.filter(done=False):
        carried = IssueAction(
            issue=issue,
            description=action.description,
            owner_id=action.owner_id,
            due_date=action.due_date,
        )
        carried._history_user = by
        carried.save()
    return issue
