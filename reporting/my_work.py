"""What needs the signed-in person (DOMAIN.md section 6, "My work"): their milestones due or
overdue, status updates due, readings missing, risks past their review date, and their overdue
actions from the action log (issue 14); their milestones and workstreams at risk from a
dependency whose forecast has moved past their due date (issue 15); and what waits on them
(issue 13, part 5): narratives for a sponsor to approve, reports for the programme office to
approve and periods it can close, exceptions a project manager has not yet written about, and
whatever was sent back to its author.

"Theirs" follows their roles: a lead's workstreams, a project manager's area, what they own
by name; the programme office sees the updates still to come in across its programmes.
Every list starts from what the user may see (`visible`: the programmes `access_for(user)`
sees, by id): a person named as owner in a programme where their user holds no role sees
nothing of it here (DOMAIN.md section 2).
A fixed number of queries, whatever the size of the programmes (issue 17): the roles are read
once, by `programmes.permissions`; the person with whether they own anything of each kind
listed by owner, so that a list they own nothing of costs no query; the periods in one
query; the status updates to chase as values, in one query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape as html_escape

from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.safestring import mark_safe

from programmes.choices import PeriodStatus, Role
from programmes.dates import FinancialYear, add_months, month_start
from programmes.models import Membership, Person, ReportingPeriod
from programmes.permissions import Action, access_for, may
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
    UpdateState,
    Workstream,
)

DUE_SOON_DAYS = 30
# A board pack shows on a board member's My work from its making until this long after the
# meeting it was made for (a monthly board: until the next one is near).
PACK_DAYS = 31


@dataclass
class UpdateDue:
    """A workstream's status update still to come in for its programme's open period: read as
    values, not model instances (issue 17: the programme office of 20 programmes has 800)."""

    workstream_id: int
    reference: str
    name: str
    programme_id: int
    programme_name: str
    lead_name: str | None
    period: ReportingPeriod
    update_state: str | None  # None: no update yet
    is_mine: bool

    @property
    def state(self) -> str:
        return "Draft saved" if self.update_state is not None else "Not started"


# More status updates to chase than this and My work folds them by programme: each
# programme's count and cut-off first, its workstreams a click away (the demo's programme
# office had 58 in a row, the same period and cut-off repeated on each).
UPDATES_FLAT_UP_TO = 10
UPDATE_HEADINGS = (WORKSTREAM, PERIOD, CUT_OFF, STATE) = (
    "Workstream",
    "Period",
    "Cut-off",
    "State",
)


def _cut_off_words(period: ReportingPeriod, today: date) -> str:
    cut_off = period.cut_off
    late = (
        ' <strong class="govuk-tag govuk-tag--pink app-rag--small">Late</strong>'
        if cut_off < today
        else ""
    )
    return f"{cut_off.day} {cut_off:%b %Y}{late}"


def _updates_table(rows: list[str], caption: str, *, with_period: bool) -> str:
    headings = UPDATE_HEADINGS if with_period else (WORKSTREAM, STATE)
    head = "".join(
        f'<th scope="col" class="govuk-table__header">{heading}</th>' for heading in headings
    )
    return (
        f'<div class="app-table-scroll" tabindex="0" role="region" aria-label="{caption}">'
        '<table class="govuk-table app-table--compact app-stacked-table">'
        f'<caption class="govuk-table__caption govuk-visually-hidden">{caption}</caption>'
        f'<thead class="govuk-table__head"><tr class="govuk-table__row">{head}</tr></thead>'
        '<tbody class="govuk-table__body">\n  ' + "\n  ".join(rows) + "\n  </tbody></table></div>"
    )


def update_rows(items: list[UpdateDue], url_pattern: str, today: date) -> str:
    """My work's status updates to chase, written here once (issue 17: the programme office
    of 20 programmes has 800 of them, and the template's url tag, escaping and date filter on
    each took most of the page's time). A few: one table of them all. More: a folded block
    for each programme, its count, period and cut-off said once, its workstreams within."""
    grouped = len(items) > UPDATES_FLAT_UP_TO
    periods: dict[int, str] = {}
    programmes: dict[int, str] = {}
    rows: dict[int, list[str]] = {}
    first: dict[int, UpdateDue] = {}  # each programme's first, for its period and name
    for item in items:
        first.setdefault(item.programme_id, item)
        period = item.period
        period_cells = ""
        if not grouped:
            period_cells = periods.get(period.pk)
            if period_cells is None:
                period_cells = periods[period.pk] = (
                    f'<td class="govuk-table__cell app-nowrap" data-label="{PERIOD}">'
                    f"{html_escape(period.label)}</td>"
                    f'<td class="govuk-table__cell app-nowrap" data-label="{CUT_OFF}">'
                    f"{_cut_off_words(period, today)}</td>"
                )
        programme = programmes.get(item.programme_id)
        if programme is None:
            programme = programmes[item.programme_id] = (
                ""
                if grouped
                else f'<br><span class="govuk-body-s app-muted">'
                f"{html_escape(item.programme_name)}</span>"
            )
        lead = ""
        if not item.is_mine:
            lead = (
                ' <span class="app-muted">(lead: '
                f"{html_escape(item.lead_name or 'not named')})</span>"
            )
        rows.setdefault(item.programme_id, []).append(
            '<tr class="govuk-table__row"><td class="govuk-table__cell">'
            f'<a class="govuk-link" href="{url_pattern.format(item.workstream_id, period.pk)}">'
            f"{html_escape(item.reference)} {html_escape(item.name)}</a>{lead}{programme}</td>"
            f'{period_cells}<td class="govuk-table__cell" data-label="{STATE}">{item.state}</td></tr>'
        )
    caption = "Monthly status updates still to come in for the current period"
    if not grouped:
        every = [row for programme_rows in rows.values() for row in programme_rows]
        return mark_safe(_updates_table(every, caption, with_period=True))  # noqa: S308
    blocks = []
    for programme_id, programme_rows in rows.items():
        item = first[programme_id]
        name = html_escape(item.programme_name)
        count = len(programme_rows)
        blocks.append(
            '<details class="govuk-details app-updates-due">'
            '<summary class="govuk-details__summary"><span class="govuk-details__summary-text">'
            f"{name}: {count} workstream{'s' if count != 1 else ''}</span> "
            f'<span class="govuk-body-s">for {html_escape(item.period.label)}, cut-off '
            f"{_cut_off_words(item.period, today)}</span></summary>"
            '<div class="govuk-details__text">'
            + _updates_table(
                programme_rows, f"Status updates still to come in for {name}", with_period=False
            )
            + "</div></details>"
        )
    return mark_safe("\n".join(blocks))  # noqa: S308 (every value escaped)


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
    updates_due_html: str = ""  # the rows of `updates_due` (`update_rows`)

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


def visible(queryset: QuerySet, user) -> QuerySet:
    """`queryset.visible_to(user)`, narrowed by the ids of the programmes the user sees as
    `programmes.permissions` reads them (`access_for`: once a request, kept on the user), not
    by a subquery on memberships in every statement (issue 17)."""
    return queryset.visible_to(user, programme_ids=access_for(user).grants)


def memberships_of(user) -> list[tuple[str, int, int | None, int | None]]:
    """(role, programme, area, workstream) of each of the user's memberships, from what
    `access_for` read (no query more); not the portfolio office, an organisation's role."""
    return [
        (grant.role, programme_id, grant.area_id, grant.workstream_id)
        for programme_id, grants in access_for(user).grants.items()
        for grant in grants
        if grant.role != Role.PORTFOLIO_OFFICE
    ]


def own_milestones(person: Person, user, memberships=None) -> QuerySet[Milestone]:
    """A person's own milestones, whatever their status or date: those of the workstreams
    they lead, of the areas they manage as project manager, and those they own by name
    (DOMAIN.md section 6, "My work"), among those the user may see. One query; callers
    narrow it to what they show. With the user's `memberships` (`memberships_of`), read by
    the ids they hold rather than subqueries."""
    if memberships is None:
        roles = Membership.objects.filter(person=person)
        led = roles.filter(role=Role.WORKSTREAM_LEAD).values("workstream_id")
        managed_areas = roles.filter(role=Role.PROJECT_MANAGER).values("area_id")
        milestones = Milestone.objects.visible_to(user)
    else:
        led = sorted({w for role, _, _, w in memberships if role == Role.WORKSTREAM_LEAD})
        managed_areas = sorted({a for role, _, a, _ in memberships if role == Role.PROJECT_MANAGER})
        milestones = visible(Milestone.objects.all(), user)
    return milestones.filter(
        Q(workstream_id__in=led) | Q(workstream__area_id__in=managed_areas) | Q(owner=person)
    )


def _person_of(user, today: date, memberships) -> Person | None:
    """The user's person, with their organisation (the page's header names it), kept on the
    user as `user.person` for the rest of the request; and, read in the same query, whether
    they own anything of each kind listed by owner (`owns`), so that a list they own nothing
    of costs no query (issue 17: the programme office of 20 programmes owns none of it). Each
    flag may say yes where the list then finds nothing (it is not narrowed to the programmes
    the user sees), never no where it would find something. Likewise whether anything waits
    for the sponsor's or the programme office's approval (`waits_narratives`,
    `waits_reports`)."""
    if not user.is_authenticated:
        return None
    owner, author = OuterRef("pk"), OuterRef("user_id")
    soon = today + timedelta(days=DUE_SOON_DAYS)
    owns = {
        "milestones": Milestone.objects.filter(owner=owner).exclude(
            status=MilestoneStatus.COMPLETE
        ),
        "measures": Measure.objects.filter(owner=owner),
        "risks": Risk.objects.filter(owner=owner, status=RiskStatus.OPEN, review_date__lt=today),
        "mitigations": MitigationAction.objects.filter(owner=owner, done=False, due_date__lte=soon),
        "issue_actions": IssueAction.objects.filter(owner=owner, done=False, due_date__lte=soon),
        "board_actions": ActionItem.objects.filter(
            owner=owner, status=ActionStatus.OPEN, due_date__lt=today
        ),
        "milestone_dependencies": Milestone.depends_on.through.objects.filter(
            Q(from_milestone__owner=owner)
            | Q(from_milestone__owner__isnull=True, from_milestone__workstream__lead=owner),
            from_milestone__actual_date__isnull=True,
        ),
        "workstream_dependencies": Workstream.depends_on.through.objects.filter(
            from_workstream__lead=owner, from_workstream__closed_on__isnull=True
        ),
        "narratives_sent_back": ExceptionNarrative.objects.filter(
            written_by=author, sent_back_at__isnull=False, approved_at__isnull=True
        ),
        "reports_sent_back": ReportRun.objects.filter(
            requested_by=author, sent_back_at__isnull=False, approved_at__isnull=True
        ),
    }
    flags = {f"owns_{name}": Exists(queryset) for name, queryset in owns.items()}
    sponsored = sorted({a for role, _, a, _ in memberships if role == Role.SPONSOR})
    office = sorted({p for role, p, _, _ in memberships if role == Role.PROGRAMME_OFFICE})
    flags["waits_narratives"] = Exists(
        ExceptionNarrative.objects.filter(
            Q(area_id__in=sponsored)
            | Q(workstream__area_id__in=sponsored)
            | Q(period__programme_id__in=office),
            approved_at__isnull=True,
            sent_back_at__isnull=True,
            period__month__in=_reporting_months(today),
        )
    )
    flags["waits_reports"] = Exists(
        ReportRun.objects.filter(
            programme_id__in=office,
            status=RunStatus.DONE,
            approved_at__isnull=True,
            period__status=PeriodStatus.CLOSED,
        )
    )
    person = (
        Person.objects.filter(user=user).select_related("organisation").annotate(**flags).first()
    )
    Person._meta.get_field("user").remote_field.set_cached_value(user, person)  # user.person
    return person


def my_work(user, today: date) -> MyWork:
    memberships = memberships_of(user) if user.is_authenticated else []
    person = _person_of(user, today, memberships)
    work = MyWork(person=person, today=today, readings_month=add_months(month_start(today), -1))
    if person is None:
        return work
    led = {w for role, _, _, w in memberships if role == Role.WORKSTREAM_LEAD}
    managed_areas = {a for role, _, a, _ in memberships if role == Role.PROJECT_MANAGER}

    milestones = (
        own_milestones(person, user, memberships)
        .exclude(status=MilestoneStatus.COMPLETE)
        .annotate(due_on=Coalesce("forecast_date", "baseline_date"))
        .filter(due_on__lte=today + timedelta(days=DUE_SOON_DAYS))
        .select_related("workstream__programme")
        .order_by("due_on", "sort_key")
    )
    for milestone in milestones if led or managed_areas or person.owns_milestones else []:
        milestone.days_late = (today - milestone.due_on).days
        late = is_overdue(milestone.due_on, done=False, as_of=today)
        (work.overdue if late else work.due_soon).append(milestone)

    periods = _periods(user, memberships, today)
    _updates_due(work, user, memberships, periods["open"], today)

    # What they own by name: no query for a kind they own none of (`_person_of`).
    if led or person.owns_measures:
        work.readings_missing = list(
            visible(Measure.objects.all(), user)
            .filter(Q(workstream_id__in=sorted(led)) | Q(owner=person), targets__isnull=False)
            .exclude(
                pk__in=MeasureReading.objects.filter(period=work.readings_month).values("measure")
            )
            .select_related("workstream__programme")
            .distinct()
            .order_by("workstream__sort_key", "sort_key")
        )
    if person.owns_risks:
        work.risks_to_review = list(
            visible(Risk.objects.all(), user)
            .filter(owner=person, status=RiskStatus.OPEN, review_date__lt=today)
            .select_related("programme")
            .order_by("review_date")
        )
    soon = today + timedelta(days=DUE_SOON_DAYS)
    actions = []
    if person.owns_mitigations:
        actions += (
            visible(MitigationAction.objects.all(), user)
            .filter(owner=person, done=False, due_date__lte=soon)
            .select_related("risk__programme")
        )
    if person.owns_issue_actions:
        actions += (
            visible(IssueAction.objects.all(), user)
            .filter(owner=person, done=False, due_date__lte=soon)
            .select_related("issue__programme")
        )
    for action in actions:
        action.parent = getattr(action, "risk", None) or action.issue
        action.is_overdue = is_overdue(action.due_date, done=action.done, as_of=today)
    work.actions_due = sorted(actions, key=lambda action: action.due_date)
    if person.owns_board_actions:
        work.board_actions_overdue = list(
            visible(ActionItem.objects.all(), user)
            .filter(owner=person, status=ActionStatus.OPEN, due_date__lt=today)
            .select_related("programme", "meeting")
            .order_by("due_date", "number")
        )
    work.dependencies_at_risk = dependencies_at_risk(
        person,
        user,
        today,
        of_milestones=person.owns_milestone_dependencies,
        of_workstreams=person.owns_workstream_dependencies,
    )
    work.board_packs = board_packs_to_read(memberships, user, today)
    work.periods_to_close = periods["to_close"]
    narratives = _waiting_on_approvers(work, user, person, memberships, today)
    sent_back = _waiting_on_writers(work, user, person, periods["reported_on"])
    # What each narrative is about, for both lists at once (a query per kind).
    titles = _titles({narrative.key for narrative in [*narratives, *sent_back]})
    work.narratives_to_approve = [
        NarrativeWaiting(narrative, titles.get(narrative.key, narrative.get_kind_display()))
        for narrative in narratives
    ]
    work.sent_back_to_me = [
        NarrativeWaiting(narrative, titles.get(narrative.key, narrative.get_kind_display()))
        for narrative in sent_back
    ]
    return work


def _periods(user, memberships, today: date) -> dict:
    """The periods the page needs, in one query: this month's open period of each programme
    whose updates the person chases ("open", by programme); for the programme office, the
    open periods of months gone by ("to_close"); for a project manager, the earliest period
    of the months being reported on not yet sent to the board ("reported_on")."""
    this_month = month_start(today)
    months = _reporting_months(today)
    chasing = {
        p
        for role, p, _, _ in memberships
        if role in (Role.WORKSTREAM_LEAD, Role.PROJECT_MANAGER, Role.PROGRAMME_OFFICE)
    }
    office = {p for role, p, _, _ in memberships if role == Role.PROGRAMME_OFFICE}
    managed = {p for role, p, _, _ in memberships if role == Role.PROJECT_MANAGER}
    found = {"open": {}, "to_close": [], "reported_on": {}}
    if not chasing:
        return found
    wanted = (
        Q(programme_id__in=sorted(chasing), month=this_month, status=PeriodStatus.OPEN)
        | Q(programme_id__in=sorted(office), month__lt=this_month, status=PeriodStatus.OPEN)
        | Q(programme_id__in=sorted(managed), month__in=months)
    )
    for period in (
        visible(ReportingPeriod.objects.all(), user)
        .filter(wanted)
        .annotate(distributed=Exists(BoardDistribution.objects.filter(period=OuterRef("pk"))))
        .select_related("programme__organisation")
        .order_by("programme__name", "month")
    ):
        programme_id, is_open = period.programme_id, period.status == PeriodStatus.OPEN
        if programme_id in chasing and period.month == this_month and is_open:
            found["open"][programme_id] = period
        if programme_id in office and period.month < this_month and is_open:
            found["to_close"].append(period)
        if programme_id in managed and period.month in months and not period.distributed:
            # The earliest month not yet sent to the board.
            found["reported_on"].setdefault(programme_id, period)
    return found


def _updates_due(work: MyWork, user, memberships, periods: dict, today: date) -> None:
    """The status updates not yet submitted for this month's open period: of the workstreams
    the person leads, of the areas they manage, and, for the programme office, of every
    workstream of its programmes. One query, as values (the workstream, its programme's and
    its lead's names, and its update's state), only the rows shown."""
    if not periods:
        return
    led = {w for role, _, _, w in memberships if role == Role.WORKSTREAM_LEAD}
    managed_areas = {a for role, _, a, _ in memberships if role == Role.PROJECT_MANAGER}
    office = {p for role, p, _, _ in memberships if role == Role.PROGRAMME_OFFICE}
    chased = (
        Q(pk__in=sorted(led))
        | Q(area_id__in=sorted(managed_areas))
        | Q(programme_id__in=sorted(office))
    )
    period_ids = sorted(period.pk for period in periods.values())
    rows = (
        # Only the programmes with an open period, those the user sees (`_periods`).
        Workstream.objects.filter(chased, programme_id__in=sorted(periods))
        .annotate(
            update=FilteredRelation(
                "status_updates", condition=Q(status_updates__period_id__in=period_ids)
            ),
            # "" where there is no update yet (the join finds none).
            update_state=Coalesce(F("update__state"), Value("")),
        )
        .exclude(update_state=UpdateState.SUBMITTED)
        .order_by("programme__name", "sort_key")
        .values_list(
            "pk",
            "reference",
            "name",
            "programme_id",
            "programme__name",
            "lead__name",
            "update_state",
        )
    )
    # One reverse() for every row's link (the URL with {} for the ids).
    update_url = (
        reverse("status_update", args=[987654321, 987654322])
        .replace("987654321", "{0}")
        .replace("987654322", "{1}")
    )
    for pk, reference, name, programme_id, programme_name, lead_name, state in rows:
        work.updates_due.append(
            UpdateDue(
                pk,
                reference,
                name,
                programme_id,
                programme_name,
                lead_name,
                periods[programme_id],
                state or None,
                pk in led,
            )
        )
    work.updates_due_html = update_rows(work.updates_due, update_url, today)


def board_packs_to_read(memberships, user, today: date) -> list[BoardPack]:
    """For a board member, the latest board pack made for each of their programmes' meetings
    of the last `PACK_DAYS` days or to come: the papers to read before (or since) the meeting.
    One query."""
    programmes = {p for role, p, _, _ in memberships if role == Role.BOARD_MEMBER}
    if not programmes:
        return []
    latest: dict[int, BoardPack] = {}
    for pack in (
        visible(BoardPack.objects.all(), user)
        .filter(
            programme_id__in=sorted(programmes),
            status=RunStatus.DONE,
            meeting__held_on__gte=today - timedelta(days=PACK_DAYS),
        )
        .select_related("programme", "meeting")
        .order_by("-meeting__held_on", "-version")
    ):
        latest.setdefault(pack.programme_id, pack)
    return sorted(latest.values(), key=lambda pack: (pack.meeting.held_on, pack.programme.name))


def dependencies_at_risk(
    person: Person,
    user,
    today: date,
    *,
    of_milestones: bool = True,
    of_workstreams: bool = True,
) -> list[DependencyThreat]:
    """The person's milestones (owned by name, or without an owner in a workstream they lead)
    and open workstreams they lead, threatened by what they depend on: the warnings `assess`
    finds (`milestone_threat`, `find_dependency_threats`), read for this person alone. Two
    queries, three when a workstream they lead depends on another; none for those the caller
    knows they have none of (`of_milestones`, `of_workstreams` false)."""
    undone = visible(Milestone.objects.all(), user).filter(actual_date__isnull=True)
    mine = undone.filter(Q(owner=person) | Q(owner__isnull=True, workstream__lead=person))
    threats = []
    milestone_edges = (
        Milestone.depends_on.through.objects.filter(from_milestone__in=mine).select_related(
            "from_milestone__workstream__programme", "to_milestone"
        )
        if of_milestones
        else []
    )
    for edge in milestone_edges:
        threat = milestone_threat(edge.to_milestone, edge.from_milestone, today)
        if threat is not None:
            threats.append(threat)

    led = visible(Workstream.objects.all(), user).filter(lead=person, closed_on__isnull=True)
    edges = (
        list(
            Workstream.depends_on.through.objects.filter(from_workstream__in=led).select_related(
                "from_workstream__programme", "to_workstream"
            )
        )
        if of_workstreams
        else []
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


def _waiting_on_approvers(work: MyWork, user, person: Person, memberships, today: date) -> list:
    """Narratives a sponsor (or the programme office) may approve, unapproved and not sent
    back (returned, for `my_work` to title); the programme office's reports to approve."""
    sponsored = {a for role, _, a, _ in memberships if role == Role.SPONSOR}
    office = {p for role, p, _, _ in memberships if role == Role.PROGRAMME_OFFICE}
    narratives = []
    if (sponsored or office) and person.waits_narratives:  # `_person_of`
        distributed = BoardDistribution.objects.values("period_id")
        narratives = [
            narrative
            for narrative in visible(ExceptionNarrative.objects.all(), user)
            .filter(
                Q(area_id__in=sorted(sponsored))
                | Q(workstream__area_id__in=sorted(sponsored))
                | Q(period__programme_id__in=sorted(office)),
                approved_at__isnull=True,
                sent_back_at__isnull=True,
                period__month__in=_reporting_months(today),
            )
            .exclude(period_id__in=distributed)
            .select_related("period__programme", "area", "workstream")
            .order_by("period__programme__name", "period__month", "kind", "key")
            if narrative.is_written and may(user, Action.APPROVE_EXCEPTION, narrative)
        ]
    if not (office and person.waits_reports):
        return narratives
    latest = (
        ReportRun.objects.filter(
            programme=OuterRef("programme"), period=OuterRef("period"), kind=OuterRef("kind")
        )
        .exclude(status=RunStatus.FAILED)
        .order_by("-version")
        .values("version")[:1]
    )
    work.reports_to_approve = list(
        visible(ReportRun.objects.all(), user)
        .filter(
            programme_id__in=sorted(office),
            status=RunStatus.DONE,
            approved_at__isnull=True,
            period__status=PeriodStatus.CLOSED,
            version=Subquery(latest),
        )
        .select_related("programme", "period", "sent_back_by__person")
        .order_by("programme__name", "-period__month", "kind")
    )
    return narratives


def _waiting_on_writers(
    work: MyWork, user, person: Person, reported_on: dict[int, ReportingPeriod]
) -> list:
    """A project manager's exceptions with no narrative yet, in the period being reported on
    (last month's until the board has had its reports, then this month's: `_periods`); and
    what was sent back to its author (the narratives returned, for `my_work` to title). One
    reading of each managed programme: a fixed number of queries for each programme the
    person manages in, whatever its size."""
    for period in reported_on.values():
        for breach in exceptions_for_period(period).breaches:
            if breach.has_narrative:
                continue
            if may(user, Action.WRITE_EXCEPTION, placed_at(period, breach)):
                work.exceptions_to_write.append(ExceptionToWrite(period, breach))
    sent_back = []
    if person.owns_narratives_sent_back:  # `_person_of`
        sent_back = list(
            visible(ExceptionNarrative.objects.all(), user)
            .filter(written_by=user, sent_back_at__isnull=False, approved_at__isnull=True)
            .select_related("period__programme", "sent_back_by__person")
            .order_by("-sent_back_at")
        )
    if person.owns_reports_sent_back:
        work.reports_sent_back = list(
            visible(ReportRun.objects.all(), user)
            .filter(requested_by=user, sent_back_at__isnull=False, approved_at__isnull=True)
            .select_related("programme", "period", "sent_back_by__person")
            .order_by("-sent_back_at")
        )
    return sent_back
