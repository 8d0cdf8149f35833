"""What needs the signed-in person (DOMAIN.md section 6, "My work"): their milestones due or
overdue, status updates due, readings missing, and risks past their review date.

"Theirs" follows their roles: a lead's workstreams, a project manager's area, what they own
by name; the programme office sees the updates still to come in across its programmes.
Every list starts from what the user may see (`visible_to(user)`): a person named as owner in
a programme where their user holds no role sees nothing of it here (DOMAIN.md section 2).
A fixed number of queries, whatever the size of the programmes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce

from programmes.choices import PeriodStatus, Role
from programmes.dates import add_months, month_start
from programmes.models import Membership, Person, ReportingPeriod
from programmes.rules import is_overdue
from risks.models import IssueAction, MitigationAction, Risk, RiskStatus
from workstreams.models import (
    Measure,
    MeasureReading,
    Milestone,
    MilestoneStatus,
    StatusUpdate,
    UpdateState,
    Workstream,
)

DUE_SOON_DAYS = 30


@dataclass
class UpdateDue:
    workstream: Workstream
    period: ReportingPeriod
    update: StatusUpdate | None
    is_mine: bool

    @property
    def state(self) -> str:
        return "Draft saved" if self.update is not None else "Not started"


@dataclass
class MyWork:
    person: Person | None
    today: date
    overdue: list[Milestone] = field(default_factory=list)
    due_soon: list[Milestone] = field(default_factory=list)
    updates_due: list[UpdateDue] = field(default_factory=list)
    readings_month: date | None = None
    readings_missing: list[Measure] = field(default_factory=list)
    risks_to_review: list[Risk] = field(default_factory=list)
    actions_due: list = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.overdue
            or self.due_soon
            or self.updates_due
            or self.readings_missing
            or self.risks_to_review
            or self.actions_due
        )


def own_milestones(person: Person, user) -> QuerySet[Milestone]:
    """A person's own milestones, whatever their status or date: those of the workstreams
    they lead, of the areas they manage as project manager, and those they own by name
    (DOMAIN.md section 6, "My work"), among those the user may see. One query; callers
    narrow it to what they show."""
    roles = Membership.objects.filter(person=person)
    led = roles.filter(role=Role.WORKSTREAM_LEAD).values("workstream_id")
    managed_areas = roles.filter(role=Role.PROJECT_MANAGER).values("area_id")
    return Milestone.objects.visible_to(user).filter(
        Q(workstream_id__in=led) | Q(workstream__area_id__in=managed_areas) | Q(owner=person)
    )


def my_work(user, today: date) -> MyWork:
    person = Person.objects.filter(user=user).first() if user.is_authenticated else None
    work = MyWork(person=person, today=today, readings_month=add_months(month_start(today), -1))
    if person is None:
        return work
    memberships = list(
        Membership.objects.filter(person=person).values_list(
            "role", "programme_id", "area_id", "workstream_id"
        )
    )
    led = {w for role, _, _, w in memberships if role == Role.WORKSTREAM_LEAD}
    managed_areas = {a for role, _, a, _ in memberships if role == Role.PROJECT_MANAGER}
    office = {p for role, p, _, _ in memberships if role == Role.PROGRAMME_OFFICE}
    mine = Q(pk__in=led) | Q(area_id__in=managed_areas)

    milestones = (
        own_milestones(person, user)
        .exclude(status=MilestoneStatus.COMPLETE)
        .annotate(due_on=Coalesce("forecast_date", "baseline_date"))
        .filter(due_on__lte=today + timedelta(days=DUE_SOON_DAYS))
        .select_related("workstream__programme")
        .order_by("due_on", "sort_key")
    )
    for milestone in milestones:
        milestone.days_late = (today - milestone.due_on).days
        late = is_overdue(milestone.due_on, done=False, as_of=today)
        (work.overdue if late else work.due_soon).append(milestone)

    chased = Workstream.objects.visible_to(user).filter(mine | Q(programme_id__in=office))
    periods = {
        period.programme_id: period
        for period in ReportingPeriod.objects.visible_to(user)
        .filter(
            programme__workstreams__in=chased, month=month_start(today), status=PeriodStatus.OPEN
        )
        .distinct()
    }
    updates = {
        update.workstream_id: update
        for update in StatusUpdate.objects.visible_to(user).filter(
            workstream__in=chased, period__in=list(periods.values())
        )
    }
    for workstream in chased.select_related("programme", "lead").order_by(
        "programme__name", "sort_key"
    ):
        period = periods.get(workstream.programme_id)
        update = updates.get(workstream.pk)
        if period is None or (update is not None and update.state == UpdateState.SUBMITTED):
            continue
        work.updates_due.append(UpdateDue(workstream, period, update, workstream.pk in led))

    work.readings_missing = list(
        Measure.objects.visible_to(user)
        .filter(Q(workstream_id__in=led) | Q(owner=person), targets__isnull=False)
        .exclude(pk__in=MeasureReading.objects.filter(period=work.readings_month).values("measure"))
        .select_related("workstream__programme")
        .distinct()
        .order_by("workstream__sort_key", "sort_key")
    )
    work.risks_to_review = list(
        Risk.objects.visible_to(user)
        .filter(owner=person, status=RiskStatus.OPEN, review_date__lt=today)
        .select_related("programme")
        .order_by("review_date")
    )
    soon = today + timedelta(days=DUE_SOON_DAYS)
    actions = [
        *MitigationAction.objects.visible_to(user)
        .filter(owner=person, done=False, due_date__lte=soon)
        .select_related("risk__programme"),
        *IssueAction.objects.visible_to(user)
        .filter(owner=person, done=False, due_date__lte=soon)
        .select_related("issue__programme"),
    ]
    for action in actions:
        action.parent = getattr(action, "risk", None) or action.issue
        action.is_overdue = is_overdue(action.due_date, done=action.done, as_of=today)
    work.actions_due = sorted(actions, key=lambda action: action.due_date)
    return work
