"""The demo's governance story (issue 18), told through the services a programme office uses:
board meetings with agendas, lists of who came, papers, minutes and actions for the last three
months; realised risks managed as issues with actions; change requests, one of them decided;
exception narratives written and approved; the board's own rating. Each step is dated when it
happened: the services save "now", so the history rows each step makes are moved back to the
day it happened (`dated`), and the as-at views and past reports tell the same story as today's
pages. Run once, for a programme just built by `plans.demo` (so loading twice changes nothing).
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from programmes.choices import Rag, RagScale, Role
from programmes.dates import FinancialYear, PlanDate, add_months, month_start
from programmes.models import Membership, Person, Programme, ReportingPeriod
from programmes.money import WholeLifeCostDetails, update_whole_life_cost
from reporting.changes import (
    ChangeDecision,
    ChangeDetails,
    MilestoneMove,
    decide_change,
    next_reference,
    raise_change,
)
from reporting.models import (
    ChangeDecider,
    ChangeMilestone,
    ChangeRequest,
    ChangeStatus,
    ExceptionNarrative,
)
from reporting.narratives import approve_narrative, exceptions_for_period, write_narrative
from risks.models import (
    ActionItem,
    ActionNote,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    BoardMeeting,
    CommunicationItem,
    CommunicationSent,
    Decision,
    Issue,
    IssueAction,
    IssueSeverity,
    Lesson,
    MeetingPaper,
    Risk,
    RiskStatus,
    Stakeholder,
)
from risks.services.communications import (
    CommunicationDetails,
    StakeholderDetails,
    add_communication,
    add_stakeholder,
    record_sent,
)
from risks.services.governance import (
    DecisionDetails,
    MeetingDetails,
    add_decision,
    edit_meeting,
)
from risks.services.lessons import LessonDetails, add_lesson
from risks.services.meetings import (
    ActionDetails,
    AgendaItemDetails,
    add_action,
    add_agenda_item,
    add_paper,
    edit_agenda_item,
    set_attendance,
    update_action,
)
from risks.services.risks import (
    IssueDetails,
    add_issue_action,
    complete_action,
    edit_issue,
    realise_risk,
)
from workstreams.models import (
    BaselineChange,
    Benefit,
    BenefitStatus,
    BenefitYear,
    BudgetLine,
    Measure,
    MeasureReading,
    MeasureTarget,
    Milestone,
    MilestoneStatus,
)
from workstreams.services.benefits import BenefitDetails, add_benefit, record_realisation


def at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@contextmanager
def dated(when: datetime, *models):
    """Whatever the services inside save of these models is recorded as done at `when`: the
    history rows made inside get its date (they were made at "now")."""
    since = timezone.now() - timedelta(seconds=1)
    yield
    moment = min(when, timezone.now())
    for model in models:
        model.history.model.objects.filter(history_date__gte=since).update(history_date=moment)


# A tiny PDF of our own (one page of text), so that papers are real files the board pack
# can merge, without rendering anything.
def paper_pdf(title: str, lines: list[str]) -> bytes:
    def escape(text: str) -> str:
        text = text.encode("latin-1", "replace").decode("latin-1")
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    rows = [f"BT /F1 16 Tf 56 780 Td ({escape(title)}) Tj ET"]
    for index, line in enumerate(lines):
        rows.append(f"BT /F1 11 Tf 56 {750 - 18 * index} Td ({escape(line[:95])}) Tj ET")
    stream = "\n".join(rows).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@dataclass
class Cast:
    """Who the story needs, from the programme's own people and the demo sign-ins."""

    office_user: object
    sponsor_user: object
    office: Person
    chair: Person
    sro: Person | None
    sponsors: list[Person]
    managers: list[Person]


def cast_of(programme: Programme, users) -> Cast:
    areas = list(programme.areas.select_related("sponsor", "project_manager").order_by("sort_key"))
    sponsors = list(dict.fromkeys(a.sponsor for a in areas if a.sponsor and not a.sponsor.is_team))
    managers = list(
        dict.fromkeys(
            a.project_manager for a in areas if a.project_manager and not a.project_manager.is_team
        )
    )
    return Cast(
        office_user=users["office"],
        sponsor_user=users["sponsor"],
        office=Person.objects.get(user=users["office"]),
        chair=Person.objects.get(user=users["board"]),
        sro=programme.senior_responsible_owner,
        sponsors=sponsors[:3],
        managers=managers[:2],
    )


# How far back a communication was last sent, by its frequency: so that each was sent once
# lately and is next due soon after today.
LAST_SENT_DAYS_AGO = {
    "weekly": 3,
    "fortnightly": 6,
    "monthly": 12,
    "two_monthly": 35,
    "quarterly": 50,
    "six_monthly": 120,
    "yearly": 200,
}


class Story:
    def __init__(self, programme: Programme, *, users, today: date, data: dict | None = None):
        self.data = data or {}
        self.programme = programme
        self.users = users
        self.today = today
        self.by = users["office"]
        self.cast = cast_of(programme, users)
        self.rng = random.Random(f"story:{programme.reference}")

    # ----- the board's rating -----
    def board_rating(self, meetings: list[BoardMeeting]):
        """Torbay (five-point): the board's own delivery confidence at each of its last three
        meetings, the commentary as it stood."""
        if self.programme.rag_scale != RagScale.FIVE_POINT:
            return
        # The document's "by April 2012", as the demo has moved it.
        target = (
            MeasureTarget.objects.filter(
                measure__workstream__programme=self.programme, due_date__isnull=False
            )
            .order_by("due_date")
            .first()
        )
        by = f"by {target.due_date:%B %Y}" if target is not None else "by the end of the year"
        ratings = [
            (
                Rag.AMBER,
                "Key decisions on the information, advice and advocacy strategy are "
                "still with the Care Trust and the Council; workforce pilot under way.",
            ),
            (
                Rag.AMBER,
                "The Re-calibrated RAS is in use; the third party to administer direct "
                "payments is not yet in place, so the 20% direct payment milestone is at risk.",
            ),
            (
                Rag.AMBER_GREEN,
                "Successful delivery probable: most key decisions taken, personal "
                f"budgets on course for 85% {by}; direct payments (20%) still need "
                "attention, and the assurance mechanisms are being audited.",
            ),
        ]
        programme = Programme.objects.get(pk=self.programme.pk)
        for meeting, (rag, commentary) in zip(meetings, ratings[-len(meetings) :], strict=True):
            programme.overall_rag = rag
            programme.overall_commentary = commentary
            programme._history_date = at(meeting.held_on, 16)
            programme._history_user = self.by
            programme.save()

    # ----- board meetings -----
    def meetings(self) -> list[BoardMeeting]:
        held = list(
            BoardMeeting.objects.filter(programme=self.programme, held_on__lt=self.today)
            .select_related("programme")
            .order_by("-held_on")[:3]
        )[::-1]
        upcoming = (
            BoardMeeting.objects.filter(programme=self.programme, held_on__gte=self.today)
            .order_by("held_on")
            .first()
        )
        self.upcoming = upcoming
        for number, meeting in enumerate(held):
            self.meeting(meeting, number, last=number == len(held) - 1)
        if upcoming is not None:
            self.agenda(upcoming, held=False)
        return held

    def people_at(self, number: int) -> dict[int, str]:
        cast = self.cast
        statuses = {cast.chair.pk: AttendanceStatus.ATTENDED, cast.office.pk: "attended"}
        others = [p for p in [cast.sro, *cast.sponsors, *cast.managers] if p is not None]
        for index, person in enumerate(dict.fromkeys(others)):
            away = (index + number) % 4 == 3
            statuses.setdefault(
                person.pk, AttendanceStatus.APOLOGIES if away else AttendanceStatus.ATTENDED
            )
        return statuses

    def period_before(self, meeting: BoardMeeting) -> ReportingPeriod | None:
        month = add_months(month_start(meeting.held_on), -1)
        return ReportingPeriod.objects.filter(programme=self.programme, month=month).first()

    def agenda(self, meeting: BoardMeeting, *, held: bool) -> list[AgendaItem]:
        """The agenda and papers, sent a week before, and the list of those invited."""
        cast = self.cast
        period = self.period_before(meeting)
        label = period.label if period else meeting.held_on.strftime("%B %Y")
        sent = at(meeting.held_on - timedelta(days=7))
        items = []
        with dated(sent, AgendaItem, MeetingPaper, Attendance, BoardMeeting):
            statuses = dict.fromkeys(self.people_at(0), AttendanceStatus.INVITED)
            set_attendance(
                meeting, by=self.by, version=self.fresh(meeting).version, statuses=statuses
            )
            highlight = add_paper(
                meeting,
                by=self.by,
                title=f"Highlight report, {label}",
                upload=SimpleUploadedFile(
                    f"highlight-report-{label.lower().replace(' ', '-')}.pdf",
                    paper_pdf(
                        f"{self.programme.name}: highlight report, {label}",
                        self.highlight_lines(period),
                    ),
                    content_type="application/pdf",
                ),
            )
            risks = add_paper(
                meeting,
                by=self.by,
                title="Risks and issues for the board",
                upload=SimpleUploadedFile(
                    "risks-and-issues.pdf",
                    paper_pdf(f"{self.programme.name}: risks and issues", self.risk_lines()),
                    content_type="application/pdf",
                ),
            )
            chair_id = cast.chair.pk
            presenter = (cast.sro or cast.chair).pk
            plan = [
                ("Apologies, minutes of the last meeting and matters arising", chair_id, None, ""),
                (f"Highlight report, {label}", cast.office.pk, highlight.pk, ""),
                (
                    "Exceptions, risks and issues at board level",
                    presenter,
                    risks.pk,
                    "Agree the responses recommended for each exception.",
                ),
                (
                    "Key decisions and change requests",
                    cast.office.pk,
                    None,
                    "Take the key decisions due and decide the change requests submitted.",
                ),
                ("Any other business", chair_id, None, ""),
            ]
            for title, person_id, paper_id, sought in plan:
                items.append(
                    add_agenda_item(
                        meeting,
                        by=self.by,
                        details=AgendaItemDetails(
                            title=title,
                            presenter_id=person_id,
                            paper_id=paper_id,
                            decision_sought=sought,
                        ),
                    )
                )
        MeetingPaper.objects.filter(meeting=meeting).update(uploaded_at=min(sent, timezone.now()))
        return items

    def fresh(self, meeting: BoardMeeting) -> BoardMeeting:
        return BoardMeeting.objects.get(pk=meeting.pk)

    def meeting(self, meeting: BoardMeeting, number: int, *, last: bool):
        items = self.agenda(meeting, held=True)
        cast = self.cast
        minuted = at(meeting.held_on + timedelta(days=1), 11)
        period = self.period_before(meeting)
        label = period.label if period else meeting.held_on.strftime("%B %Y")
        decisions = list(
            Decision.objects.filter(meeting=meeting).order_by("sort_key").values_list("pk", "title")
        )
        with dated(minuted, AgendaItem, Attendance, BoardMeeting, ActionItem, Decision, Programme):
            set_attendance(
                meeting,
                by=self.by,
                version=self.fresh(meeting).version,
                statuses=self.people_at(number),
            )
            minutes = [
                "The minutes of the last meeting were agreed as a true record; open actions "
                "were reviewed against the action log.",
                f"The board noted the highlight report for {label} and the workstream ratings "
                "it shows.",
                "The board reviewed the exceptions and the risks at board level, and agreed the "
                "responses recommended by the project managers.",
                (
                    "Decisions taken: " + "; ".join(title for _, title in decisions) + "."
                    if decisions
                    else "No key decision fell due at this meeting."
                ),
                "None.",
            ]
            for item, text in zip(items, minutes, strict=True):
                edit_agenda_item(
                    item,
                    by=self.by,
                    version=AgendaItem.objects.get(pk=item.pk).version,
                    details=AgendaItemDetails(
                        title=item.title,
                        presenter_id=item.presenter_id,
                        paper_id=item.paper_id,
                        decision_sought=item.decision_sought,
                        minutes=text,
                        decision_ids=[pk for pk, _ in decisions] if item is items[3] else None,
                    ),
                )
            stored = self.fresh(meeting)
            edit_meeting(
                stored,
                by=self.by,
                version=stored.version,
                details=MeetingDetails(
                    held_on=stored.held_on,
                    title=stored.title,
                    chair_id=stored.chair_id,
                    location=stored.location or "Committee Room 2",
                    minutes=(
                        f"Chaired by {cast.chair.name}. The board noted the highlight report "
                        f"for {label}, reviewed exceptions, risks and issues, and agreed the "
                        "actions below. Minutes by the programme office."
                    ),
                ),
            )
            owners = [cast.chair, cast.sro or cast.office, *cast.sponsors, cast.office]
            actions = [
                (
                    items[2],
                    owners[(number + 1) % len(owners)],
                    "Bring the recovery plan for the workstreams rated red to the next meeting.",
                ),
                (
                    items[1],
                    cast.chair if number == 1 else owners[number % len(owners)],
                    "Brief the partnership boards on the programme's progress and the decisions "
                    "taken.",
                ),
            ]
            made = []
            for item, owner, description in actions:
                made.append(
                    add_action(
                        self.programme,
                        by=self.by,
                        details=ActionDetails(
                            description=description,
                            owner_id=owner.pk,
                            due_date=meeting.held_on + timedelta(days=21),
                            agenda_item_id=item.pk,
                        ),
                        today=meeting.held_on,
                    )
                )
        # The oldest meeting's actions are done since, one of the middle one's too; the chair's
        # from the middle meeting is overdue (it shows on the board member's My work).
        for index, action in enumerate(made):
            noted = min(self.today, meeting.held_on + timedelta(days=10))
            with dated(at(noted, 15), ActionItem):
                update_action(
                    action,
                    by=self.by,
                    note="In hand: the owner has started on it and will report at the next "
                    "meeting.",
                    today=noted,
                )
            ActionNote.objects.filter(action=action).update(written_at=at(noted, 15))
            if number == 0 or (number == 1 and index == 0):
                closed = min(self.today, action.due_date - timedelta(days=3))
                with dated(at(closed, 15), ActionItem):
                    update_action(
                        action,
                        by=self.by,
                        note="Done: reported to the board.",
                        done=True,
                        today=closed,
                    )
                ActionNote.objects.filter(action=action, written_at__gt=at(noted, 15)).update(
                    written_at=at(closed, 15)
                )

    def highlight_lines(self, period) -> list[str]:
        workstreams = self.programme.workstreams.order_by("sort_key")[:12]
        lines = [f"Programme: {self.programme.name} ({self.programme.reference})"]
        if period is not None:
            lines.append(f"Reporting period: {period.label}")
        lines.append("Workstreams:")
        lines += [f"  {w.reference} {w.name}" for w in workstreams]
        return lines

    def risk_lines(self) -> list[str]:
        risks = Risk.objects.filter(programme=self.programme).order_by("sort_key")[:15]
        return [
            f"{r.reference}: {r.title} (score {r.current_likelihood * r.current_impact})"
            for r in risks
        ] or ["No risks are recorded for the programme."]

    # ----- issues -----
    REALISED = {
        # East Sussex's CF6 risk log: the ACM programme's timescales did slip, and the Blue
        # Car Badge team's manager retired (both in the log as risks; the story is ours).
        "PPF": [
            (
                "CF6 - 001",
                IssueSeverity.HIGH,
                [
                    ("Agree the revised ACM scope and dates with the ACM Programme Board", -20),
                    ("Re-plan CF6 Phase 3 against the revised ACM timetable", 25),
                ],
            ),
            (
                "CF6 - 003",
                IssueSeverity.MEDIUM,
                [
                    ("Hand over the Blue Car Badge team's procedures to Wendy Shirvani", -40),
                    ("Document the Blue Car Badge processes in CareFirst 6", 14),
                ],
            ),
        ],
        "HARROW-TPP": [
            (
                "R1",
                IssueSeverity.MEDIUM,
                [
                    ("Raise the partners' pace of work at the Partnership Boards", -10),
                    ("Agree revised dates with partners for the joint workstreams", 20),
                ],
            ),
        ],
    }

    def issues(self):
        spec = self.REALISED.get(self.programme.reference)
        if spec is None:
            risk = (
                Risk.objects.filter(programme=self.programme, status=RiskStatus.OPEN)
                .order_by("-current_likelihood", "-current_impact", "sort_key")
                .first()
            )
            if risk is None:
                return
            spec = [
                (
                    risk.reference,
                    IssueSeverity.MEDIUM,
                    [
                        ("Agree the response with the programme board", -12),
                        ("Report progress on the response in the highlight report", 18),
                    ],
                )
            ]
        for number, (reference, severity, actions) in enumerate(spec):
            risk = Risk.objects.get(programme=self.programme, reference=reference)
            happened = self.today - timedelta(days=55 + 20 * number)
            happened = max(happened, risk.raised_on)
            owner = risk.owner or self.cast.office
            with dated(at(happened, 14), Risk, Issue, IssueAction):
                issue = realise_risk(
                    risk, by=self.by, version=risk.version, severity=severity, priority="high"
                )
                issue = edit_issue(
                    issue,
                    by=self.by,
                    version=issue.version,
                    details=IssueDetails(
                        reference=issue.reference,
                        title=issue.title,
                        description=issue.description,
                        severity=issue.severity,
                        priority=issue.priority,
                        owner=owner,
                        raised_on=happened,
                        area=issue.area,
                        workstream=issue.workstream,
                    ),
                )
                made = [
                    add_issue_action(
                        issue,
                        by=self.by,
                        description=description,
                        owner=owner,
                        due_date=self.today + timedelta(days=days),
                    )
                    for description, days in actions
                ]
            first = made[0]
            done_on = first.due_date - timedelta(days=2)
            if number == 0 and done_on < self.today:
                with dated(at(done_on, 15), IssueAction):
                    complete_action(first, by=self.by, on=done_on)

    def of_programme(self, person: Person | None) -> Person | None:
        """The person if they are of the programme's organisation (who may raise a change)."""
        if person is not None and person.organisation_id == self.programme.organisation_id:
            return person
        return None

    # ----- change control -----
    def changes(self, meetings: list[BoardMeeting]):
        """East Sussex's change control (PID section 17): a request is assessed by the project
        manager and decided by the board at its next meeting. One decided and approved,
        moving a milestone's baseline; one awaiting the next meeting."""
        if not meetings:
            return
        candidates = list(
            Milestone.objects.filter(
                workstream__programme=self.programme,
                baseline_date__gt=self.today + timedelta(days=60),
                status=MilestoneStatus.NOT_STARTED,
                actual_date__isnull=True,
            )
            .select_related("workstream__area")
            .order_by("baseline_date", "sort_key")[:2]
        )
        if not candidates:
            return
        decided_at = meetings[-1]
        raised = decided_at.held_on - timedelta(days=12)
        first = candidates[0]
        manager = self.of_programme(first.workstream.area.project_manager)
        moved = PlanDate.from_fields(add_months(first.baseline_date, 2), first.baseline_precision)
        with dated(at(raised, 10), ChangeRequest, ChangeMilestone):
            change = raise_change(
                self.programme,
                by=self.by,
                submit=True,
                details=ChangeDetails(
                    reference=next_reference(self.programme),
                    title=f"Move {first.reference} by two months",
                    description=(
                        f"Move the baseline of milestone {first.reference} {first.title} from "
                        f"{first.baseline} to {moved}."
                    ),
                    reason=(
                        "A dependency outside the workstream has slipped; the work cannot start "
                        "as planned."
                    ),
                    raised_by=manager,
                    raised_on=raised,
                    workstream=first.workstream,
                    time_impact="Two months later for this milestone; no later milestone moves.",
                    cost_impact="None: the work is done by staff already funded.",
                    benefits_impact="None expected.",
                    options="1. Accept the two months. 2. Add resources to keep the date.",
                    recommendation="Option 1: accept the two months.",
                    moves=[MilestoneMove(first, moved)],
                ),
            )
        with dated(at(decided_at.held_on, 16), ChangeRequest, Milestone, BaselineChange, Programme):
            decide_change(
                change,
                by=self.by,
                version=change.version,
                decision=ChangeDecision(
                    status=ChangeStatus.APPROVED,
                    decided_by=ChangeDecider.BOARD,
                    meeting=decided_at,
                    outcome="Approved by the board on the project manager's assessment.",
                ),
            )
        # The minutes of the meeting's item on change requests say so.
        item = AgendaItem.objects.filter(
            meeting=decided_at, title="Key decisions and change requests"
        ).first()
        if item is not None:
            with dated(at(decided_at.held_on + timedelta(days=1), 11), AgendaItem):
                edit_agenda_item(
                    item,
                    by=self.by,
                    version=item.version,
                    details=AgendaItemDetails(
                        title=item.title,
                        presenter_id=item.presenter_id,
                        paper_id=item.paper_id,
                        decision_sought=item.decision_sought,
                        minutes=f"{item.minutes} Change request {change.reference} "
                        f"({change.title}) was approved on the project manager's assessment: "
                        f"the baseline of {first.reference} moves to {moved}.",
                    ),
                )
        BaselineChange.objects.filter(milestone=first).update(
            changed_at=min(at(decided_at.held_on, 16), timezone.now())
        )
        if len(candidates) > 1:
            second = candidates[1]
            raised = min(self.today - timedelta(days=4), decided_at.held_on + timedelta(days=9))
            with dated(at(raised, 10), ChangeRequest, ChangeMilestone, Decision):
                waiting = raise_change(
                    self.programme,
                    by=self.by,
                    submit=True,
                    details=ChangeDetails(
                        reference=next_reference(self.programme),
                        title=f"Extend {second.reference} by one month",
                        description=(
                            f"Move the baseline of milestone {second.reference} {second.title} "
                            "by one month, to allow for the consultation the board asked for."
                        ),
                        reason="The board asked for wider consultation before sign-off.",
                        raised_by=self.of_programme(second.workstream.area.project_manager),
                        raised_on=raised,
                        workstream=second.workstream,
                        time_impact="One month later for this milestone.",
                        cost_impact="Within the workstream's allocation.",
                        cost_change=Decimal(0),
                        recommendation="Approve at the next board meeting.",
                        moves=[
                            MilestoneMove(
                                second,
                                PlanDate.from_fields(
                                    add_months(second.baseline_date, 1),
                                    second.baseline_precision,
                                ),
                            )
                        ],
                    ),
                )
                if self.upcoming is not None:
                    # The board decides it at its next meeting (PID section 17).
                    add_decision(
                        self.programme,
                        by=self.by,
                        details=DecisionDetails(
                            reference=f"D-{waiting.reference}",
                            title=f"Decide change request {waiting.reference}: {waiting.title}",
                            description=waiting.description,
                            forum=self.programme.board_name,
                            needed_by=PlanDate.of_day(self.upcoming.held_on),
                            workstream_id=second.workstream_id,
                            meeting_id=self.upcoming.pk,
                        ),
                    )

    # ----- exceptions -----
    def narratives(self):
        """Harrow: last month's exceptions in the areas the demo sponsor sponsors written and
        approved (the report went to the board with them); one of this month's written and
        waiting for the sponsor; the demo project manager's area's left to write."""
        if self.programme.reference != "HARROW-TPP":
            return
        sponsor_areas = set(
            Membership.objects.filter(
                person__user=self.users["sponsor"], role=Role.SPONSOR, programme=self.programme
            ).values_list("area_id", flat=True)
        )
        this_month = month_start(self.today)
        for month, approve, most in ((add_months(this_month, -1), True, 6), (this_month, False, 1)):
            period = ReportingPeriod.objects.get(programme=self.programme, month=month)
            written_on = (
                period.cut_off + timedelta(days=3) if approve else self.today - timedelta(days=1)
            )
            breaches = [
                b
                for b in exceptions_for_period(period).breaches
                if b.area is not None and b.area.pk in sponsor_areas and not b.has_narrative
            ][:most]
            for breach in breaches:
                with dated(at(written_on, 11), ExceptionNarrative):
                    write_narrative(
                        period,
                        breach,
                        by=self.by,
                        version=None,
                        fields={
                            "cause": f"{breach.breach[:1].upper()}{breach.breach[1:]}: the work "
                            "depends on partners whose own timetables have moved.",
                            "consequences": "Later delivery of the outcomes for service users "
                            "that depend on it.",
                            "options": "1. Re-plan within tolerance. 2. Ask the board for more "
                            "time through a change request.",
                            "recommendation": "Option 1: re-plan within tolerance, and report "
                            "progress next month.",
                            "decision_required": "Agree the re-plan.",
                        },
                    )
                if approve:
                    with dated(at(written_on + timedelta(days=1), 10), ExceptionNarrative):
                        approve_narrative(
                            period,
                            breach,
                            by=self.users["sponsor"],
                            version=ExceptionNarrative.objects.get(
                                period=period, key=breach.key
                            ).version,
                        )

    # ----- stakeholders, communications and lessons (issue 16) -----
    def communications(self):
        """The document's communications plan: its stakeholders, and each line of the plan
        with its owner, channel and frequency, each sent once lately."""
        specs = self.data.get("stakeholders") or []
        if not specs:
            return
        people = {
            p.name: p for p in Person.objects.filter(organisation=self.programme.organisation)
        }
        planned = at(self.programme.starts_on + timedelta(days=14))
        stakeholders = {}
        with dated(planned, Stakeholder, CommunicationItem):
            for spec in specs:
                stakeholders[spec["name"]] = add_stakeholder(
                    self.programme,
                    by=self.by,
                    details=StakeholderDetails(
                        name=spec["name"],
                        code=spec.get("code") or "",
                        interest=int(spec["interest"]),
                        influence=int(spec["influence"]),
                        notes="Interest and influence are the demo's: the plan gives none.",
                    ),
                )
            items = []
            for spec in self.data.get("communications") or []:
                days = LAST_SENT_DAYS_AGO.get(spec["frequency"])
                last = self.today - timedelta(days=days) if days else None
                item = add_communication(
                    self.programme,
                    by=self.by,
                    details=CommunicationDetails(
                        message=" ".join(str(spec["message"]).split()),
                        channel=spec["channel"],
                        frequency=spec["frequency"],
                        owner_id=people[spec["owner"]].pk,
                        next_on=last,
                        audience_ids=[stakeholders[name].pk for name in spec["audience"]],
                    ),
                )
                items.append((item, last))
        for item, last in items:
            if last is None:
                continue
            with dated(at(last, 15), CommunicationItem):
                record_sent(item, by=self.by, sent_on=last, note="Sent as planned.")
            CommunicationSent.objects.filter(item=item).update(recorded_at=at(last, 15))

    def lessons(self):
        for number, spec in enumerate(self.data.get("lessons") or []):
            workstream = None
            if spec.get("workstream"):
                workstream = self.programme.workstreams.get(reference=str(spec["workstream"]))
            raised = self.today - timedelta(days=30 + 25 * number)
            with dated(at(raised, 12), Lesson):
                add_lesson(
                    self.programme,
                    by=self.by,
                    details=LessonDetails(
                        what_happened=spec["what_happened"],
                        what_we_learned=spec["what_we_learned"],
                        do_differently=spec["do_differently"],
                        category=spec["category"],
                        raised_on=raised,
                        raised_by_id=self.cast.office.pk,
                        workstream_id=workstream.pk if workstream else None,
                    ),
                )

    def whole_life_cost(self, meetings: list[BoardMeeting]):
        """Where the document gives money (East Sussex): the whole-life cost baselined at the
        plan's total allocation when the plan was approved, and forecast at the board's last
        meeting from each line's outturn and forecast."""
        lines = BudgetLine.objects.filter(workstream__programme=self.programme)
        if not lines.exists():
            return
        baseline = sum(line.allocated for line in lines)
        forecast = sum(line.forecast for line in lines)
        steps = [(at(self.programme.starts_on, 10), baseline, "")]
        if meetings:
            words = "above" if forecast > baseline else "below"
            steps.append(
                (
                    at(meetings[-1].held_on, 17),
                    forecast,
                    f"The forecast is £{abs(forecast - baseline):,.0f} {words} the allocation: "
                    "past years' outturn as spent, this year's forecast outturn from the "
                    "budget holders, later years as allocated.",
                )
            )
        for when, amount, narrative in steps:
            programme = Programme.objects.get(pk=self.programme.pk)
            with dated(when, Programme):
                update_whole_life_cost(
                    programme,
                    by=self.by,
                    version=programme.version,
                    details=WholeLifeCostDetails(
                        baseline=baseline, forecast=amount, narrative=narrative
                    ),
                )

    def benefits(self):
        """The benefits the document names, with their profiles; what was realised recorded for
        the years begun, on the first of the month after the last reading."""
        specs = self.data.get("benefits") or []
        people = {
            p.name: p for p in Person.objects.filter(organisation=self.programme.organisation)
        }
        moved = self.programme.starts_on.year - int(str(self.data["programme"]["starts"])[:4])
        current = FinancialYear.containing(self.today).start_year
        for spec in specs:
            planned = {
                FinancialYear.parse(year).start_year + moved: Decimal(str(amount))
                for year, amount in (spec.get("planned") or {}).items()
            }
            workstreams = self.programme.workstreams.filter(
                reference__in=[str(r) for r in spec.get("workstreams") or []]
            )
            measures = Measure.objects.filter(
                workstream__programme=self.programme,
                reference__in=[str(r) for r in spec.get("measures") or []],
            )
            with dated(at(self.programme.starts_on, 11), Benefit, BenefitYear):
                benefit = add_benefit(
                    self.programme,
                    by=self.by,
                    details=BenefitDetails(
                        reference=spec["reference"],
                        title=spec["title"],
                        benefit_type=spec["type"],
                        unit=spec["unit"],
                        owner_id=people[spec["owner"]].pk,
                        beneficiary=spec.get("beneficiary") or "",
                        workstream_ids=[w.pk for w in workstreams],
                        measure_ids=[m.pk for m in measures],
                        status=BenefitStatus.PLANNED,
                        planned=planned,
                    ),
                )
            for year, amount in sorted(planned.items()):
                if year > current:
                    continue
                realised, evidence = self.realised(spec, amount, year == current)
                if realised is None:
                    continue
                with dated(at(self.today - timedelta(days=3), 12), BenefitYear):
                    record_realisation(
                        benefit,
                        by=self.by,
                        financial_year=year,
                        realised=realised,
                        evidence=evidence,
                        today=self.today,
                    )

    def realised(self, spec, planned: Decimal, this_year: bool):
        if spec.get("realised_from"):
            reading = (
                MeasureReading.objects.filter(
                    measure__workstream__programme=self.programme,
                    measure__reference=spec["realised_from"],
                )
                .order_by("-period")
                .first()
            )
            if reading is None:
                return None, ""
            return reading.value, f"The measure {spec['realised_from']} for {reading.period:%B %Y}."
        share = Decimal(str(spec.get("realised_share", 1))) if this_year else Decimal(1)
        return (
            (planned * share).quantize(Decimal("1")),
            "Housing Directorate revenue budget monitoring: savings against the base budget.",
        )

    def tell(self):
        self.benefits()
        self.communications()
        self.lessons()
        meetings = self.meetings()
        self.board_rating(meetings)
        self.whole_life_cost(meetings)
        self.issues()
        self.changes(meetings)
        self.narratives()


def tell_story(programme: Programme, *, users, today: date, data: dict | None = None) -> None:
    Story(programme, users=users, today=today, data=data).tell()
