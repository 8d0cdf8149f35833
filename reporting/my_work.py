"""What needs the signed-in person (DOMAIN.md section 6, "My work"): their milestones due or
overdue, status updates due, readings missing, risks past their review date, and their overdue
actions from the action log (issue 14); their milestones and workstreams at risk from a
dependency whose forecast has moved past their due date (issue 15); and what waits on them (issue 13, part 5): narratives
for a sponsor to approve, reports for the programme office to approve and periods it can
close, exceptions a project manager has not yet written about, and whatever was sent back to
its author.

"Theirs" follows their roles: a lead's workstreams, a project manager's area, what they own
by name; the programme office sees the updates still to come in across its programmes.
Every list starts from what the user may see (`visible_to(user)`): a person named as owner in
a programme where their user holds no role sees nothing of it here (DOMAIN.md section 2).
A fixed number of queries, whatever the size of the programmes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from programmes.choices import PeriodStatus, Role
from programmes.dates import FinancialYear, add_months, month_start
from programmes.models import Membership, Person, ReportingPeriod
from programmes.permissions import Action, may
from programmes.rules import is_overdue
from reporting.exceptions import Breach
from reporting.models import (
    BoardDistribution,
    BoardPack,
    ExceptionNarrative,
    ReportRun,
    RunStatus,
)
from reporting.narratives import exceptions_for_period, placed_at
from risks.models import (
    ActionItem,
    ActionStatus,
    IssueAction,
    MitigationAction,
    Risk,
    RiskStatus,
)
from workstreams.assessment import (
    DependencyThreat,
    ProgrammeState,
    find_dependency_threats,
    milestone_threat,
)
from workstreams.models import (
    BudgetLine,
    Measure,
    MeasureReading,
    Milestone,
    MilestoneStatus,
    StatusUpdate,
    UpdateState,
    Workstream,
)

DUE_SOON_DAYS = 30
# A board pack shows on a board member's My work from its making until this long after the
# meeting it was made for (a monthly board: until the next one is near).
PACK_DAYS = 31


@dataclass
class UpdateDue:
    workstream: Workstream
    period: ReportingPeriod
    update: StatusUpdate | None
    is_mine: bool
    html: str = ""  # its row of the table (`row`)

    @property
    def state(self) -> str:
        return "Draft saved" if self.update is not None else "Not started"

    def row(self, url_pattern: str, today: date) -> str:
        """The row of My work's table, written here once (issue 17: the programme office of
        20 programmes has 800 of them, and the template's url tag and date filter on each
        took most of the page's time). The same markup as the template wrote."""
        workstream, period = self.workstream, self.period
        lead = ""
        if not self.is_mine:
            name = workstream.lead.name if workstream.lead is not None else ""
            lead = f' <span class="app-muted">(lead: {escape(name or "not named")})</span>'
        cut_off = period.cut_off
        late = (
            ' <strong class="govuk-tag govuk-tag--pink app-rag--small">Late</strong>'
            if cut_off < today
            else ""
        )
        return mark_safe(  # noqa: S308 (every value escaped)
            '<tr class="govuk-table__row"><td class="govuk-table__cell">'
            f'<a class="govuk-link" href="{url_pattern.format(workstream.pk, period.pk)}">'
            f"{escape(workstream.reference)} {escape(workstream.name)}</a>{lead}"
            f'<br><span class="govuk-body-s app-muted">{escape(workstream.programme.name)}'
            "</span></td>"
            f'<td class="govuk-table__cell app-nowrap">{escape(period.label)}</td>'
            f'<td class="govuk-table__cell app-nowrap">{cut_off.day} {cut_off:%b %Y}{late}</td>'
            f'<td class="govuk-table__cell">{self.state}</td></tr>'
        )


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
    board_actions_overdue: list[ActionItem] = field(default_factory=list)
    dependencies_at_risk: list[DependencyThreat] = field(default_factory=list)
    narratives_to_approve: list[NarrativeWaiting] = field(default_factory=list)
    sent_back_to_me: list[NarrativeWaiting] = field(default_factory=list)
    exceptions_to_write: list[ExceptionToWrite] = field(default_factory=list)
    reports_to_approve: list[ReportRun] = field(default_factory=list)
    reports_sent_back: list[ReportRun] = field(default_factory=list)
    periods_to_close: list[ReportingPeriod] = field(default_factory=list)
    board_packs: list[BoardPack] = field(default_factory=list)

    @property
    def sent_back_count(self) -> int:
        return len(self.sent_back_to_me) + len(self.reports_sent_back)

    @property
    def is_empty(self) -> bool:
        return not (
            self.narratives_to_approve
            or self.sent_back_to_me
            or self.exceptions_to_write
            or self.reports_to_approve
            or self.reports_sent_back
            or self.periods_to_close
            or self.overdue
            or self.due_soon
            or self.updates_due
            or self.readings_missing
            or self.risks_to_review
            or self.actions_due
            or self.board_actions_overdue
            or self.dependencies_at_risk
            or self.board_packs
        )


@dataclass
class NarrativeWaiting:
    narrative: ExceptionNarrative
    title: str

    @property
    def url(self) -> str:
        return (
            f"{reverse('period_exceptions', args=[self.narrative.period_id])}"
            f"#{self.narrative.key.replace(':', '-')}"
        )

    @property
    def approve_url(self) -> str:
        kind, object_id = self.narrative.key.split(":")
        return reverse("exception_approve", args=[self.narrative.period_id, kind, object_id])


@dataclass
class ExceptionToWrite:
    period: ReportingPeriod
    breach: Breach

    @property
    def url(self) -> str:
        kind, object_id = self.breach.key.split(":")
        return reverse("exception_narrative", args=[self.period.pk, kind, object_id])


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
    # One reverse() for every row's link (the URL with {} for the ids).
    update_url = (
        reverse("status_update", args=[987654321, 987654322])
        .replace("987654321", "{0}")
        .replace("987654322", "{1}")
    )
    for workstream in (
        chased.select_related("programme", "lead")
        .only(
            "pk",
            "reference",
            "name",
            "sort_key",
            "programme_id",
            "programme__name",
            "lead_id",
            "lead__name",
        )
        .order_by("programme__name", "sort_key")
    ):
        period = periods.get(workstream.programme_id)
        update = updates.get(workstream.pk)
        if period is None or (update is not None and update.state == UpdateState.SUBMITTED):
            continue
        item = UpdateDue(workstream, period, update, workstream.pk in led)
        item.html = item.row(update_url, today)
        work.updates_due.append(item)

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
    work.board_actions_overdue = list(
        ActionItem.objects.visible_to(user)
        .filter(owner=person, status=ActionStatus.OPEN, due_date__lt=today)
        .select_related("programme", "meeting")
        .order_by("due_date", "number")
    )
    work.dependencies_at_risk = dependencies_at_risk(person, user, today)
    work.board_packs = board_packs_to_read(memberships, user, today)
    _waiting_on_approvers(work, user, memberships, today)
    _waiting_on_writers(work, user, memberships, today)
    return work


def board_packs_to_read(memberships, user, today: date) -> list[BoardPack]:
    """For a board member, the latest board pack made for each of their programmes' meetings
    of the last `PACK_DAYS` days or to come: the papers to read before (or since) the meeting.
    One query."""
    programmes = {p for role, p, _, _ in memberships if role == Role.BOARD_MEMBER}
    if not programmes:
        return []
    latest: dict[int, BoardPack] = {}
    for pack in (
        BoardPack.objects.visible_to(user)
        .filter(
            programme_id__in=programmes,
            status=RunStatus.DONE,
            meeting__held_on__gte=today - timedelta(days=PACK_DAYS),
        )
        .select_related("programme", "meeting")
        .order_by("-meeting__held_on", "-version")
    ):
        latest.setdefault(pack.programme_id, pack)
    return sorted(latest.values(), key=lambda pack: (pack.meeting.held_on, pack.programme.name))


def dependencies_at_risk(person: Person, user, today: date) -> list[DependencyThreat]:
    """The person's milestones (owned by name, or without an owner in a workstream they lead)
    and open workstreams they lead, threatened by what they depend on: the warnings `assess`
    finds (`milestone_threat`, `find_dependency_threats`), read for this person alone. Two
    queries, three when a workstream they lead depends on another."""
    visible = Milestone.objects.visible_to(user).filter(actual_date__isnull=True)
    mine = visible.filter(Q(owner=person) | Q(owner__isnull=True, workstream__lead=person))
    threats = []
    for edge in Milestone.depends_on.through.objects.filter(from_milestone__in=mine).select_related(
        "from_milestone__workstream__programme", "to_milestone"
    ):
        threat = milestone_threat(edge.to_milestone, edge.from_milestone, today)
        if threat is not None:
            threats.append(threat)

    led = Workstream.objects.visible_to(user).filter(lead=person, closed_on__isnull=True)
    edges = list(
        Workstream.depends_on.through.objects.filter(from_workstream__in=led).select_related(
            "from_workstream__programme", "to_workstream"
        )
    )
    if edges:
        workstreams = {}
        for edge in edges:
            workstreams[edge.from_workstream_id] = edge.from_workstream
            workstreams[edge.to_workstream_id] = edge.to_workstream
        state = ProgrammeState(
            programme=None,
            areas=[],
            workstreams=list(workstreams.values()),
            milestones=list(Milestone.objects.filter(workstream_id__in=workstreams)),
            milestones_with_notes=set(),
            measures=[],
            targets=[],
            readings=[],
            updates=[],
            workstream_edges=[(e.to_workstream_id, e.from_workstream_id) for e in edges],
        )
        threats += find_dependency_threats(state, today)
    return sorted(threats, key=lambda t: (t.downstream_due.value, t.downstream.reference))


def _reporting_months(today: date) -> list[date]:
    """The months whose reports are in hand: this one and the last."""
    this_month = month_start(today)
    return [add_months(this_month, -1), this_month]


def _titles(keys: set[str]) -> dict[str, str]:
    """What each exception key names ("Milestone 3.2.1 Cabinet approval"): a query per kind."""
    ids: dict[str, set[int]] = {}
    titles = {}
    for key in keys:
        kind, _, object_id = key.partition(":")
        if kind == "budget":
            titles[key] = f"Budget for {object_id}/{(int(object_id) + 1) % 100:02d}"
        else:
            ids.setdefault(kind, set()).add(int(object_id))
    models = {"milestone": Milestone, "workstream": Workstream, "measure": Measure, "risk": Risk}
    # A dependency at risk is about a milestone or a workstream (issue 15).
    models |= {"dependency": Milestone, "workstream-dependency": Workstream}
    # A workstream's budget or a budget line over cost tolerance (issue 16).
    models |= {"budget-workstream": Workstream}
    for pk, description, year in BudgetLine.objects.filter(
        pk__in=ids.pop("budget-line", set())
    ).values_list("pk", "description", "financial_year"):
        titles[f"budget-line:{pk}"] = f"Budget line {description} {FinancialYear(year)}"
    for kind, wanted in ids.items():
        model = models.get(kind)
        if model is None:
            continue
        name = "name" if model is Workstream else "title"
        noun = model._meta.verbose_name.capitalize()
        for pk, reference, text in model.objects.filter(pk__in=wanted).values_list(
            "pk", "reference", name
        ):
            titles[f"{kind}:{pk}"] = f"{noun} {reference} {text}"
    return titles


def _waiting_on_approvers(work: MyWork, user, memberships, today: date) -> None:
    """Narratives a sponsor (or the programme office) may approve, unapproved and not sent
    back; the programme office's reports to approve and periods to close."""
    sponsored = {a for role, _, a, _ in memberships if role == Role.SPONSOR}
    office = {p for role, p, _, _ in memberships if role == Role.PROGRAMME_OFFICE}
    if sponsored or office:
        distributed = BoardDistribution.objects.values("period_id")
        narratives = [
            narrative
            for narrative in ExceptionNarrative.objects.visible_to(user)
            .filter(
                Q(area_id__in=sponsored)
                | Q(workstream__area_id__in=sponsored)
                | Q(period__programme_id__in=office),
                approved_at__isnull=True,
                sent_back_at__isnull=True,
                period__month__in=_reporting_months(today),
            )
            .exclude(period_id__in=distributed)
            .select_related("period__programme", "area", "workstream")
            .order_by("period__programme__name", "period__month", "kind", "key")
            if narrative.is_written and may(user, Action.APPROVE_EXCEPTION, narrative)
        ]
        titles = _titles({narrative.key for narrative in narratives})
        work.narratives_to_approve = [
            NarrativeWaiting(narrative, titles.get(narrative.key, narrative.get_kind_display()))
            for narrative in narratives
        ]
    if not office:
        return
    latest = (
        ReportRun.objects.filter(
            programme=OuterRef("programme"), period=OuterRef("period"), kind=OuterRef("kind")
        )
        .exclude(status=RunStatus.FAILED)
        .order_by("-version")
        .values("version")[:1]
    )
    work.reports_to_approve = list(
        ReportRun.objects.visible_to(user)
        .filter(
            programme_id__in=office,
            status=RunStatus.DONE,
            approved_at__isnull=True,
            period__status=PeriodStatus.CLOSED,
            version=Subquery(latest),
        )
        .select_related("programme", "period", "sent_back_by__person")
        .order_by("programme__name", "-period__month", "kind")
    )
    work.periods_to_close = list(
        ReportingPeriod.objects.visible_to(user)
        .filter(programme_id__in=office, status=PeriodStatus.OPEN, month__lt=month_start(today))
        .select_related("programme")
        .order_by("programme__name", "month")
    )


def _waiting_on_writers(work: MyWork, user, memberships, today: date) -> None:
    """A project manager's exceptions with no narrative yet, in the period being reported on
    (last month's until the board has had its reports, then this month's); and what was sent
    back to its author. One reading of each managed programme: a fixed number of queries for
    each programme the person manages in, whatever its size."""
    managed = {p for role, p, _, _ in memberships if role == Role.PROJECT_MANAGER}
    if managed:
        months = _reporting_months(today)
        periods = (
            ReportingPeriod.objects.visible_to(user)
            .filter(programme_id__in=managed, month__in=months)
            .exclude(pk__in=BoardDistribution.objects.values("period_id"))
            .select_related("programme__organisation")
            .order_by("programme__name", "month")
        )
        reported_on: dict[int, ReportingPeriod] = {}
        for period in periods:  # the earliest month not yet sent to the board
            reported_on.setdefault(period.programme_id, period)
        for period in reported_on.values():
            for breach in exceptions_for_period(period).breaches:
                if breach.has_narrative:
                    continue
                if may(user, Action.WRITE_EXCEPTION, placed_at(period, breach)):
                    work.exceptions_to_write.append(ExceptionToWrite(period, breach))
    sent_back = list(
        ExceptionNarrative.objects.visible_to(user)
        .filter(written_by=user, sent_back_at__isnull=False, approved_at__isnull=True)
        .select_related("period__programme", "sent_back_by__person")
        .order_by("-sent_back_at")
    )
    titles = _titles({narrative.key for narrative in sent_back})
    work.sent_back_to_me = [
        NarrativeWaiting(narrative, titles.get(narrative.key, narrative.get_kind_display()))
        for narrative in sent_back
    ]
    work.reports_sent_back = list(
        ReportRun.objects.visible_to(user)
        .filter(requested_by=user, sent_back_at__isnull=False, approved_at__isnull=True)
        .select_related("programme", "period", "sent_back_by__person")
        .order_by("-sent_back_at")
    )
