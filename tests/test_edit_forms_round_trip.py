"""Every page that changes something opens as the user would find it and keeps what others did.

For every edit form in the product, a user allowed to use it opens the page and reads the form
as a browser does (text boxes, the three boxes of each date, the selected option, the checked
radio and checkbox, the text areas, the hidden version), and:

- every field shows what is stored, and the hidden version is the object's version;
- sending the form back as it was opened changes nothing (a blank field would wipe data);
- sending it after someone else changed the object is refused with the conflict message, and
  nothing the user typed is saved;
- sending it without a version, or with one that is not a number, is refused (never a 500):
  without the version the user loaded, a save could overwrite a change they have not seen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import get_resolver, reverse
from django.utils import timezone

from programmes.choices import DatePrecision
from programmes.dates import FinancialYear, PlanDate, add_months, month_start
from programmes.models import (
    Membership,
    Objective,
    OutcomeCategory,
    Person,
    Programme,
    ProgrammeArea,
)
from programmes.services import replace_key_documents
from reporting.models import (
    ChangeMilestone,
    ChangeRequest,
    ExceptionNarrative,
    RaisedException,
)
from reporting.narratives import exceptions_for_period, write_narrative
from risks.models import (
    ActionItem,
    ActionNote,
    AgendaItem,
    Attendance,
    BoardMeeting,
    CommunicationItem,
    Decision,
    Issue,
    Lesson,
    MeetingPaper,
    Risk,
    Stakeholder,
)
from tests.factories import (
    BudgetLineFactory,
    MeasureFactory,
    MeasureReadingFactory,
    MilestoneFactory,
    PeriodFactory,
    PersonFactory,
    RiskFactory,
    StatusUpdateFactory,
)
from tests.html_forms import Form, form_with
from tests.made_once import world_made_once
from workstreams.models import (
    BaselineChange,
    Benefit,
    BenefitYear,
    BudgetLine,
    Measure,
    MeasureReading,
    MeasureTarget,
    Milestone,
    ProgressNote,
    StatusUpdate,
    Workstream,
)
from workstreams.services.benefits import profile_years

CONFLICT = "Someone else changed this"
RELOAD = "reload the page"


@world_made_once
def world(plan, people):
    """One of everything a form changes, with every field filled in, so that a form that opens
    blank, or sends back less than it shows, is seen."""
    today = timezone.localdate()
    programme = plan["programme"]
    organisation = programme.organisation
    owner = PersonFactory(organisation=organisation, name="Anne Mosley")
    this_month = month_start(today)
    milestone = MilestoneFactory(
        workstream=plan["ws_1_1"],
        reference="1.1.3",
        title="Staff consultation meetings",
        kind="key_decision",
        forum="Adult Committee",
        owner=owner,
        description="Consult staff on the new model of day services",
        start_date=PlanDate.of_month(this_month.year, this_month.month).value,
        start_precision=DatePrecision.MONTH,
        baseline_date=today + timedelta(days=60),
        forecast_date=PlanDate.of_month(*_year_month(add_months(today, 3))).value,
        forecast_precision=DatePrecision.MONTH,
        status="in_progress",
        at_risk=True,
    )
    overdue = MilestoneFactory(
        workstream=plan["ws_1_1"],
        reference="1.1.1",
        title="Provider engagement",
        baseline_date=today - timedelta(days=3),
    )
    risk = RiskFactory(
        programme=programme,
        area=plan["area_one"],
        workstream=plan["ws_1_1"],
        reference="CF6 - 005",
        title="Provider withdraws",
        cause="Because the market is thin",
        event="The provider may withdraw",
        effect="Day centres stay open longer",
        category="partnership",
        kind="threat",
        owner=owner,
        raised_on=today - timedelta(days=40),
        inherent_likelihood=4,
        inherent_impact=5,
        current_likelihood=3,
        current_impact=4,
        target_likelihood=2,
        target_impact=2,
        proximity=today + timedelta(days=120),
        response="reduce",
        review_date=today + timedelta(days=14),
        escalated=True,
    )
    issue = Issue.objects.create(
        programme=programme,
        area=plan["area_one"],
        workstream=plan["ws_1_1"],
        reference="I-7",
        title="Venue lost",
        description="The consultation venue was double-booked",
        severity="high",
        priority="high",
        owner=owner,
        raised_on=today - timedelta(days=10),
    )
    chair = people["board"].person
    meeting = BoardMeeting.objects.create(
        programme=programme,
        held_on=today - timedelta(days=7),
        title="Programme Board",
        chair=chair,
        location="Committee Room 5",
        minutes="Apologies from the finance lead.",
    )
    needed = PlanDate.of_month(*_year_month(add_months(today, 2)))
    decision = Decision.objects.create(
        programme=programme,
        reference="D-1.1.3",
        title="Approve the consultation",
        description="Whether to consult on closing two centres",
        forum="Adult Committee",
        needed_by=needed.value,
        needed_by_precision=DatePrecision.MONTH,
        workstream=plan["ws_1_1"],
        milestone=milestone,
        meeting=meeting,
        status="pending",
    )
    measure = MeasureFactory(workstream=plan["ws_1_1"], owner=owner)
    reading = MeasureReadingFactory(
        measure=measure, period=this_month, value=Decimal("55.50"), note="From the care records"
    )
    period = PeriodFactory(
        programme=programme, month=this_month, cut_off=today + timedelta(days=10)
    )
    update = StatusUpdateFactory(
        workstream=plan["ws_1_1"],
        period=period,
        rag="amber",
        reason="The venue was lost",
        achievements="Two consultation meetings held",
        planned_next="Write up the findings",
        escalations="The venue risk",
        decisions_needed="Approve the consultation",
    )
    breach = exceptions_for_period(period).find(f"milestone:{overdue.pk}")
    narrative = write_narrative(
        period,
        breach,
        by=people["manager"],
        version=None,
        fields={
            "cause": "The provider withdrew.",
            "consequences": "Centres stay open longer.",
            "options": "Wait, or re-procure.",
            "recommendation": "Re-procure.",
            "decision_required": "Agree to re-procure.",
        },
    )
    programme.board_name = "Adult Transformation Board"
    programme.overall_commentary = "On course, with the venue risk managed"
    programme.overall_rag = "amber"
    programme.time_tolerance_days = 45
    programme.save()
    # Issue 14, parts 5 and 6: a change request moving the milestone, raised before the
    # meeting, and a quality exception raised by hand; every field filled in.
    change = ChangeRequest.objects.create(
        programme=programme,
        area=plan["area_one"],
        workstream=plan["ws_1_1"],
        reference="CR-007",
        title="Extend the consultation",
        description="Consult staff for six more weeks",
        reason="The unions asked for more time",
        raised_by=owner,
        raised_on=today - timedelta(days=20),
        time_impact="The consultation ends in February",
        cost_impact="Two more venues",
        cost_change=Decimal("2500.00"),
        benefits_impact="None",
        scope_impact="None",
        options="Extend, or close on time",
        recommendation="Extend",
        tolerance_level="area",
        tolerance_variable="time",
        tolerance_value=Decimal("45.00"),
        status="submitted",
    )
    ChangeMilestone.objects.create(
        change=change,
        milestone=milestone,
        new_date=PlanDate.of_month(*_year_month(add_months(today, 4))).value,
        new_precision=DatePrecision.MONTH,
    )
    raised = RaisedException.objects.create(
        programme=programme,
        area=plan["area_one"],
        workstream=plan["ws_1_1"],
        kind="quality",
        title="Assessments not to the standard",
        description="Half of the reviewed assessments missed the carer's view",
        raised_on=today - timedelta(days=4),
    )
    return SimpleNamespace(
        plan=plan,
        today=today,
        programme=Programme.objects.get(pk=programme.pk),
        milestone=milestone,
        risk=risk,
        issue=issue,
        meeting=meeting,
        decision=decision,
        measure=measure,
        reading=reading,
        period=period,
        update=update,
        breach_key=breach.key,
        narrative=narrative,
        change=change,
        raised=raised,
    )


def _year_month(day: date) -> tuple[int, int]:
    return day.year, day.month


@dataclass
class EditPage:
    """One edit form: where it is, who uses it, and what it changes."""

    user: str
    page: str  # the page that shows the form
    obj: models.Model  # what the form changes
    action: str | None = None  # where the form posts, when not to the page itself
    prefix: str = ""
    # Fields that open blank by design (what the user writes anew) or otherwise than stored.
    shown: dict = field(default_factory=dict)
    fill: dict = field(default_factory=dict)  # what a user must enter for a save to go through
    typed: dict = field(default_factory=dict)  # a change of the user's own
    other: tuple[str, object] = ("title", "Changed by someone else")
    round_trip: bool = True  # False for actions (close, remove ...): sending them acts
    follow: bool = False  # a button that redirects with a message

    @property
    def url(self) -> str:
        return self.action or self.page


def _pages(world) -> dict[str, Callable[[], EditPage]]:
    w = world
    m, risk, issue, decision, meeting = w.milestone, w.risk, w.issue, w.decision, w.meeting
    kind, object_id = w.breach_key.split(":")

    def closed_risk() -> EditPage:
        Risk.objects.filter(pk=risk.pk).update(status="closed", closing_reason="Mitigated")
        risk.refresh_from_db()
        return EditPage(
            "manager",
            reverse("risk_detail", args=[risk.pk]),
            risk,
            action=reverse("risk_reopen", args=[risk.pk]),
            round_trip=False,
            follow=True,
        )

    return {
        "milestone edit": lambda: EditPage(
            "manager",
            reverse("milestone_edit", args=[m.pk]),
            m,
            typed={"title": "Staff consultation, all sites"},
            other=("description", "Changed by someone else"),
        ),
        "milestone progress": lambda: EditPage(
            "lead",
            reverse("milestone_detail", args=[m.pk]),
            m,
            shown={"note": ""},
            typed={"note": "Venue booked", "at_risk": None},
            other=("description", "Changed by someone else"),
        ),
        "milestone rebaseline": lambda: EditPage(
            "manager",
            reverse("milestone_rebaseline", args=[m.pk]),
            m,
            shown={"reason": ""},
            fill={
                "baseline_0": "",
                "baseline_1": str(add_months(w.today, 5).month),
                "baseline_2": str(add_months(w.today, 5).year),
                "reason": "The board moved the consultation",
            },
            round_trip=False,
        ),
        "milestone remove": lambda: EditPage(
            "manager", reverse("milestone_remove", args=[m.pk]), m, round_trip=False
        ),
        "risk edit": lambda: EditPage(
            "manager",
            reverse("risk_edit", args=[risk.pk]),
            risk,
            typed={"title": "Provider withdraws from the framework"},
            other=("cause", "Changed by someone else"),
        ),
        "risk close": lambda: EditPage(
            "manager",
            reverse("risk_close", args=[risk.pk]),
            risk,
            fill={"closing_reason": "The provider signed"},
            round_trip=False,
        ),
        "risk reopen": closed_risk,
        "risk realise": lambda: EditPage(
            "manager",
            reverse("risk_realise", args=[risk.pk]),
            risk,
            shown={"severity": None, "priority": None},
            fill={"severity": "high", "priority": "high"},
            round_trip=False,
        ),
        "issue edit": lambda: EditPage(
            "manager",
            reverse("issue_edit", args=[issue.pk]),
            issue,
            typed={"title": "Venue lost for July"},
            other=("description", "Changed by someone else"),
        ),
        "issue resolve": lambda: EditPage(
            "manager",
            reverse("issue_resolve", args=[issue.pk]),
            issue,
            shown={"resolved_on": w.today},
            fill={"resolution": "Another venue was found"},
            round_trip=False,
        ),
        "decision edit": lambda: EditPage(
            "office",
            reverse("decision_edit", args=[decision.pk]),
            decision,
            typed={"title": "Approve the consultation on two centres"},
            other=("description", "Changed by someone else"),
        ),
        "decision record": lambda: EditPage(
            "office",
            reverse("meeting_detail", args=[meeting.pk]),
            decision,
            action=reverse("decision_record", args=[meeting.pk, decision.pk]),
            prefix=f"record-{decision.pk}-",
            shown={"made_on": meeting.held_on},
            fill={f"record-{decision.pk}-outcome": "Approved, with a review in six months"},
            round_trip=False,
        ),
        "meeting edit": lambda: EditPage(
            "office",
            reverse("meeting_edit", args=[meeting.pk]),
            meeting,
            typed={"location": "Council Chamber"},
            other=("minutes", "Changed by someone else"),
        ),
        "reading edit": lambda: EditPage(
            "lead",
            reverse("reading_edit", args=[w.measure.pk, w.reading.period.isoformat()]),
            w.reading,
            typed={"value": "61"},
            other=("note", "Changed by someone else"),
        ),
        "status update": lambda: EditPage(
            "lead",
            reverse("status_update", args=[w.update.workstream_id, w.period.pk]),
            w.update,
            typed={"achievements": "Three consultation meetings held"},
            other=("planned_next", "Changed by someone else"),
        ),
        "programme settings": lambda: EditPage(
            "office",
            reverse("programme_settings", args=[w.programme.pk]),
            w.programme,
            typed={"overall_commentary": "Off course"},
            other=("board_name", "Changed by someone else"),
        ),
        "whole life cost": lambda: _whole_life_cost_page(w),  # issue 16
        "exception narrative": lambda: EditPage(
            "manager",
            reverse("exception_narrative", args=[w.period.pk, kind, object_id]),
            w.narrative,
            typed={"recommendation": "Wait for the new framework."},
            other=("options", "Changed by someone else"),
        ),
        "exception approve": lambda: EditPage(
            "sponsor",
            reverse("exception_approve", args=[w.period.pk, kind, object_id]),
            w.narrative,
            action=reverse("exception_approve", args=[w.period.pk, kind, object_id]),
            other=("options", "Changed by someone else"),
            round_trip=False,
        ),
        **_structure_pages(w),
        **_plan_upkeep_pages(w),
        **_people_pages(w),
        **_change_control_pages(w),
        **_meeting_pages(w),
        **_closing_pages(w),
        **_benefit_pages(w),
    }


def _benefit_pages(w) -> dict[str, Callable[[], EditPage]]:
    """Issue 16, part 1: a benefit with every field filled in and a planned profile, and what
    it realised last financial year (recorded by its owner, the lead)."""
    programme = w.programme
    owner = Person.objects.get(user__username="lead")
    last_year = FinancialYear.containing(w.today).start_year - 1

    def benefit() -> Benefit:
        stored = Benefit.objects.create(
            programme=programme,
            reference="B-07",
            title="Fewer residential placements",
            description="People stay at home with support",
            benefit_type="non_cashable",
            is_disbenefit=False,
            unit="pounds",
            owner=owner,
            beneficiary="Older people",
            baseline_value=Decimal("1250000.00"),
            baseline_description="Spend on placements in 2024/25",
            confidence="high",
            status="realising",
        )
        stored.workstreams.add(w.plan["ws_1_1"])
        stored.measures.add(w.measure)
        BenefitYear.objects.create(
            benefit=stored, financial_year=last_year, planned=Decimal("50000.00")
        )
        return stored

    def edit() -> EditPage:
        stored = benefit()
        planned = {
            f"planned_{year}": Decimal("50000.00") if year == last_year else None
            for year in profile_years(programme, [last_year])
        }
        return EditPage(
            "office",
            reverse("benefit_edit", args=[stored.pk]),
            stored,
            shown={"workstreams": w.plan["ws_1_1"].pk, "measures": w.measure.pk, **planned},
            typed={"beneficiary": "Older people and carers"},
            other=("description", "Changed by someone else"),
        )

    def realisation() -> EditPage:
        stored = benefit()
        year = BenefitYear.objects.get(benefit=stored)
        year.realised = Decimal("48000.00")
        year.evidence = "Placements report, March"
        year.save()
        return EditPage(
            "lead",
            reverse("benefit_realisation", args=[stored.pk, last_year]),
            BenefitYear.objects.get(pk=year.pk),
            typed={"realised": "49000"},
            other=("evidence", "Changed by someone else"),
        )

    return {"benefit edit": edit, "benefit realisation": realisation}


def _closing_pages(w) -> dict[str, Callable[[], EditPage]]:
    """Issue 16, parts 4 and 5: a lesson, a stakeholder and a line of the communications plan,
    each with every field filled in; closing the programme (an act: it asks first)."""
    programme = w.programme

    def lesson() -> EditPage:
        stored = Lesson.objects.create(
            programme=programme,
            number=3,
            workstream=w.plan["ws_1_1"],
            what_happened="The venue was lost a week before the consultation",
            what_we_learned="Book venues early",
            do_differently="Hold two venues for every event",
            category="planning",
            raised_by=w.milestone.owner,
            raised_on=w.today - timedelta(days=5),
        )
        return EditPage(
            "manager",
            reverse("lesson_edit", args=[stored.pk]),
            stored,
            typed={"what_we_learned": "Book venues a term ahead"},
            other=("do_differently", "Changed by someone else"),
        )

    def stakeholder() -> EditPage:
        stored = Stakeholder.objects.create(
            programme=programme,
            name="ACM Managers",
            code="ACM",
            interest=5,
            influence=3,
            notes="Cascade to operational teams",
        )
        return EditPage(
            "office",
            reverse("stakeholder_edit", args=[stored.pk]),
            stored,
            typed={"name": "ACM Network"},
            other=("notes", "Changed by someone else"),
        )

    def communication() -> EditPage:
        audience = Stakeholder.objects.create(
            programme=programme, name="Sponsor", interest=5, influence=5
        )
        stored = CommunicationItem.objects.create(
            programme=programme,
            message="Progress against the plan",
            channel="Highlight report",
            frequency="monthly",
            owner=w.milestone.owner,
            next_on=w.today + timedelta(days=3),
        )
        stored.audience.add(audience)
        return EditPage(
            "office",
            reverse("communication_edit", args=[stored.pk]),
            stored,
            shown={"audience": audience.pk},
            typed={"channel": "Project board meeting"},
            other=("message", "Changed by someone else"),
        )

    def close() -> EditPage:
        return EditPage(
            "office",
            reverse("programme_close", args=[programme.pk]),
            Programme.objects.get(pk=programme.pk),
            shown={"summary": "", "handed_on_to": ""},
            fill={"summary": "Its work is done: the new model runs"},
            other=("description", "Changed by someone else"),
            round_trip=False,
        )

    return {
        "lesson edit": lesson,
        "stakeholder edit": stakeholder,
        "communication edit": communication,
        "programme close": close,
    }


def _meeting_pages(w) -> dict[str, Callable[[], EditPage]]:
    """Issue 14: an agenda item with its minutes and decision, the meeting's list of people,
    and an action of the action log, each with every field filled in."""
    meeting, programme = w.meeting, w.programme

    def agenda_item() -> EditPage:
        paper = MeetingPaper.objects.create(
            meeting=meeting,
            title="Consultation plan",
            file="meeting-papers/consultation.pdf",
            file_name="consultation.pdf",
            kind="pdf",
            size_bytes=1000,
        )
        item = AgendaItem.objects.create(
            meeting=meeting,
            position=1,
            title="The consultation",
            presenter=w.milestone.owner,
            paper=paper,
            decision_sought="Approve the consultation",
            minutes="The board discussed the options.",
        )
        Decision.objects.filter(pk=w.decision.pk).update(agenda_item=item)
        return EditPage(
            "office",
            reverse("agenda_item_edit", args=[item.pk]),
            item,
            shown={"decisions": w.decision.pk},
            typed={"title": "The consultation on two centres"},
            other=("minutes", "Changed by someone else"),
        )

    def attendance() -> EditPage:
        board = Person.objects.get(user__username="board")
        Attendance.objects.create(meeting=meeting, person=board, status="attended")
        Attendance.objects.create(meeting=meeting, person=w.milestone.owner, status="apologies")
        listed = dict(Attendance.objects.filter(meeting=meeting).values_list("person", "status"))
        people = Person.objects.filter(memberships__programme=programme).distinct()
        shown = {f"person-{pk}": listed.get(pk, "") for pk in {*listed, *(p.pk for p in people)}}
        return EditPage(
            "office",
            reverse("meeting_attendance", args=[meeting.pk]),
            BoardMeeting.objects.get(pk=meeting.pk),
            shown={**shown, "add_person": None},
            other=("minutes", "Changed by someone else"),
        )

    def action() -> EditPage:
        stored = ActionItem.objects.create(
            programme=programme,
            number=7,
            meeting=meeting,
            description="Book a venue for the consultation",
            owner=w.milestone.owner,
            due_date=w.today + timedelta(days=10),
        )
        return EditPage(
            "office",
            reverse("action_edit", args=[stored.pk]),
            stored,
            typed={"description": "Book two venues for the consultation"},
            other=("description", "Changed by someone else"),
        )

    return {
        "agenda item edit": agenda_item,
        "meeting attendance": attendance,
        "action edit": action,
    }


def _change_control_pages(w) -> dict[str, Callable[[], EditPage]]:
    """Issue 14, parts 5 and 6: a change request (the form shows each milestone it moves and
    blank rows for more), its decision and withdrawal; a raised exception and its closing."""
    change, raised = w.change, w.raised
    move = change.milestone_moves.get()
    rows = {
        "move-0-milestone": move.milestone_id,
        "move-0-baseline": PlanDate.from_fields(move.new_date, move.new_precision),
    }
    for index in range(1, 4):
        rows[f"move-{index}-milestone"] = None
        rows[f"move-{index}-baseline"] = None
    return {
        "change edit": lambda: EditPage(
            "manager",
            reverse("change_edit", args=[change.pk]),
            change,
            shown=rows,
            typed={"title": "Extend the consultation to February"},
            other=("options", "Changed by someone else"),
        ),
        "change decide": lambda: EditPage(
            "office",
            reverse("change_decide", args=[change.pk]),
            change,
            shown={
                "status": None,
                "decided_by": None,
                "meeting": None,
                "decided_on": w.today,
                "outcome": "",
            },
            fill={
                "status": "approved",
                "decided_by": "board",
                "meeting": str(w.meeting.pk),
                "outcome": "Approved as recommended",
            },
            other=("options", "Changed by someone else"),
            round_trip=False,
        ),
        "change withdraw": lambda: EditPage(
            "manager",
            reverse("change_withdraw", args=[change.pk]),
            change,
            shown={"outcome": ""},
            fill={"outcome": "Overtaken by the new model"},
            other=("options", "Changed by someone else"),
            round_trip=False,
        ),
        "raised exception edit": lambda: EditPage(
            "manager",
            reverse("raised_exception_edit", args=[raised.pk]),
            raised,
            typed={"title": "Assessments below the standard"},
            other=("description", "Changed by someone else"),
        ),
        "raised exception close": lambda: EditPage(
            "manager",
            reverse("raised_exception_close", args=[raised.pk]),
            raised,
            shown={"resolution": "", "closed_on": w.today},
            fill={"resolution": "Retrained the assessors"},
            other=("description", "Changed by someone else"),
            round_trip=False,
        ),
    }


def _whole_life_cost_page(w) -> EditPage:
    """Issue 16: the whole-life cost and the schedule narrative, every field filled in."""
    Programme.objects.filter(pk=w.programme.pk).update(
        whole_life_cost_baseline=Decimal("2500000.00"),
        whole_life_cost_forecast=Decimal("2650000.50"),
        whole_life_cost_narrative="Two more years of the care management system",
        schedule_narrative="On schedule",
    )
    stored = Programme.objects.get(pk=w.programme.pk)
    return EditPage(
        "office",
        reverse("programme_whole_life_cost", args=[stored.pk]),
        stored,
        typed={"schedule_narrative": "Three months late"},
        other=("whole_life_cost_narrative", "Changed by someone else"),
    )


def _plan_upkeep_pages(w) -> dict[str, Callable[[], EditPage]]:
    """Issue 11, part C: a measure and its targets, a budget line, many milestones at once."""
    measure, milestone = w.measure, w.milestone

    def targets() -> EditPage:
        MeasureTarget.objects.create(measure=measure, financial_year=2026, value=Decimal("40"))
        MeasureTarget.objects.create(measure=measure, financial_year=2027, value=Decimal("60"))
        stored = Measure.objects.get(pk=measure.pk)
        return EditPage(
            "manager",
            reverse("measure_targets", args=[stored.pk]),
            stored,
            shown=_shown_targets(stored),
            typed={"target-0-value": "45"},
        )

    def budget_line() -> BudgetLine:
        return BudgetLineFactory(
            workstream=w.plan["ws_1_1"],
            financial_year=2026,
            description="Consultation venues",
            funding_source="Social Care Reform Grant",
            allocated=Decimal("12000"),
            spent=Decimal("4000"),
            forecast=Decimal("13000"),
            variance_explanation="Two venues cost more than planned",
        )

    def line_edit(user: str) -> EditPage:
        stored = budget_line()
        return EditPage(
            user,
            reverse("budget_line_edit", args=[stored.pk]),
            stored,
            typed={"spent": "4500.00"},
            other=("variance_explanation", "Changed by someone else"),
        )

    def line_remove() -> EditPage:
        stored = budget_line()
        return EditPage(
            "manager",
            reverse("budget_line_remove", args=[stored.pk]),
            stored,
            other=("description", "Changed by someone else"),
            round_trip=False,
        )

    def bulk(page: str) -> EditPage:
        return EditPage(
            "manager",
            page,
            milestone,
            prefix=f"m{milestone.pk}-",
            shown={"note": ""},
            typed={f"m{milestone.pk}-note": "Venue booked"},
            other=("description", "Changed by someone else"),
        )

    return {
        "measure edit": lambda: EditPage(
            "manager",
            reverse("measure_edit", args=[measure.pk]),
            measure,
            typed={"title": "People in paid work"},
        ),
        "measure targets": targets,
        "budget line edit": lambda: line_edit("manager"),
        "budget line figures": lambda: line_edit("lead"),
        "budget line remove": line_remove,
        "workstream milestones update": lambda: bulk(
            reverse("workstream_milestones_update", args=[milestone.workstream_id])
        ),
        "area milestones update": lambda: bulk(
            reverse("area_milestones_update", args=[milestone.workstream.area_id])
        ),
    }


def _shown_targets(measure: Measure) -> dict:
    """The targets page's rows as it should open: one per stored target (all for a year)."""
    shown = {"rows": str(measure.targets.count())}
    for index, target in enumerate(measure.targets.order_by("financial_year")):
        year = target.financial_year
        shown[f"target-{index}-kind"] = "year"
        shown[f"target-{index}-financial_year"] = f"{year}/{(year + 1) % 100:02d}"
        shown[f"target-{index}-due"] = None
        shown[f"target-{index}-value"] = target.value
    return shown


def _people_pages(w) -> dict[str, Callable[[], EditPage]]:
    """Issue 11, part A: a person of the plan, and inviting them to sign in."""

    def person() -> Person:
        return PersonFactory(
            organisation=w.programme.organisation,
            name="Ravi Shah",
            job_title="Head of Commissioning",
            employer="Harrow Council",
            email="ravi.shah@example.org",
        )

    def person_edit() -> EditPage:
        stored = person()
        Membership.objects.create(person=stored, role="board_member", programme=w.programme)
        return EditPage(
            "office",
            reverse("programme_person_edit", args=[w.programme.pk, stored.pk]),
            stored,
            typed={"job_title": "Director of Commissioning"},
            other=("name", "Changed by someone else"),
        )

    def person_invite() -> EditPage:
        stored = person()
        Membership.objects.create(person=stored, role="board_member", programme=w.programme)
        return EditPage(
            "office",
            reverse("programme_person_invite", args=[w.programme.pk, stored.pk]),
            stored,
            other=("email", "changed@example.org"),
            round_trip=False,
        )

    return {"person edit": person_edit, "person invite": person_invite}


def _structure_pages(w) -> dict[str, Callable[[], EditPage]]:
    """Issue 11, part B: an area, its key documents, a workstream and an objective, each with
    every field filled in (made when the page is asked for)."""
    programme = w.programme
    plan = w.plan

    def area() -> ProgrammeArea:
        stored = plan["area_two"]
        organisation = programme.organisation
        stored.aim = "Housing that lets older people live independently"
        stored.sponsor = PersonFactory(organisation=organisation, name="Sam Sponsor")
        stored.project_manager = PersonFactory(organisation=organisation, name="Pat Manager")
        stored.interdependencies = "Area 1 for day services"
        stored.time_tolerance_days = 20
        stored.cost_tolerance_percent = Decimal("7.5")
        stored.benefit_tolerance_percent = Decimal("3")
        stored.risk_tolerance_score = 12
        stored.save()
        replace_key_documents(
            stored, [("Housing Strategy 2008", "https://www.example.gov.uk/housing")]
        )
        return ProgrammeArea.objects.get(pk=stored.pk)

    def workstream() -> Workstream:
        stored = plan["ws_1_2"]
        stored.lead = PersonFactory(organisation=programme.organisation, name="Lee Lead")
        stored.outcomes = "Users shape the services they use"
        stored.funding_notes = "Social Care Reform Grant"
        stored.objective = Objective.objects.create(
            organisation=programme.organisation, reference="CP-02", level="corporate", title="Say"
        )
        stored.save()
        stored.outcome_categories.set([OutcomeCategory.objects.order_by("pk").first()])
        stored.depends_on.set([plan["ws_2_1"]])
        return Workstream.objects.get(pk=stored.pk)

    def objective() -> Objective:
        corporate = Objective.objects.create(
            organisation=programme.organisation, reference="CP-03", level="corporate", title="Live"
        )
        return Objective.objects.create(
            organisation=programme.organisation,
            reference="DADU001",
            level="directorate",
            title="More people live at home",
            parent=corporate,
        )

    def area_edit() -> EditPage:
        stored = area()
        return EditPage(
            "office",
            reverse("area_edit", args=[stored.pk]),
            stored,
            typed={"name": "Accommodation and Housing"},
            other=("aim", "Changed by someone else"),
        )

    def area_documents() -> EditPage:
        stored = area()
        return EditPage(
            "office",
            reverse("area_documents", args=[stored.pk]),
            stored,
            shown={
                "document-0-title": "Housing Strategy 2008",
                "document-0-url": "https://www.example.gov.uk/housing",
                "document-1-title": "",
                "document-1-url": "",
            },
            typed={"document-0-title": "Housing Strategy 2009"},
            other=("aim", "Changed by someone else"),
        )

    def area_close() -> EditPage:
        stored = ProgrammeArea.objects.create(programme=programme, reference="9", name="Done")
        return EditPage(
            "office",
            reverse("area_close", args=[stored.pk]),
            stored,
            other=("name", "Changed by someone else"),
            round_trip=False,
        )

    def workstream_edit() -> EditPage:
        stored = workstream()
        return EditPage(
            "manager",
            reverse("workstream_edit", args=[stored.pk]),
            stored,
            shown={
                "outcome_categories": stored.outcome_categories.get().pk,
                "depends_on": plan["ws_2_1"].pk,
            },
            typed={"name": "Involving users in every decision"},
            other=("outcomes", "Changed by someone else"),
        )

    def workstream_close() -> EditPage:
        stored = Workstream.objects.create(
            programme=programme, area=plan["area_one"], reference="1.9", name="Finished"
        )
        return EditPage(
            "manager",
            reverse("workstream_close", args=[stored.pk]),
            stored,
            other=("name", "Changed by someone else"),
            round_trip=False,
        )

    def objective_edit() -> EditPage:
        stored = objective()
        return EditPage(
            "office",
            reverse("objective_edit", args=[programme.pk, stored.pk]),
            stored,
            typed={"title": "More people live at home for longer"},
        )

    return {
        "area edit": area_edit,
        "area documents": area_documents,
        "area close": area_close,
        "workstream edit": workstream_edit,
        "workstream close": workstream_close,
        "objective edit": objective_edit,
    }


PAGES = [
    "milestone edit",
    "milestone progress",
    "milestone rebaseline",
    "milestone remove",
    "risk edit",
    "risk close",
    "risk reopen",
    "risk realise",
    "issue edit",
    "issue resolve",
    "decision edit",
    "decision record",
    "meeting edit",
    "reading edit",
    "status update",
    "programme settings",
    "whole life cost",  # issue 16
    "exception narrative",
    "exception approve",
    # Issue 11, part B
    "area edit",
    "area documents",
    "area close",
    "workstream edit",
    "workstream close",
    "objective edit",
    # Issue 11, part C
    "measure edit",
    "measure targets",
    "budget line edit",
    "budget line figures",
    "budget line remove",
    "workstream milestones update",
    "area milestones update",
    # Issue 11, part A
    "person edit",
    "person invite",
    # Issue 14, parts 5 and 6
    "change edit",
    "change decide",
    "change withdraw",
    "raised exception edit",
    "raised exception close",
    # Issue 14
    "agenda item edit",
    "meeting attendance",
    "action edit",
    # Issue 16, parts 4 and 5
    "lesson edit",
    "stakeholder edit",
    "communication edit",
    "programme close",
    # Issue 16, part 1
    "benefit edit",
    "benefit realisation",
]


# Forms whose sending acts (closes, removes, records ...): sending one back unchanged is not a
# no-op, so only the other tests ask them.
ACTIONS = {
    "milestone rebaseline",
    "milestone remove",
    "risk close",
    "risk reopen",
    "risk realise",
    "issue resolve",
    "decision record",
    "exception approve",
    # Issue 11, part B
    "area close",
    "workstream close",
    # Issue 11, parts C and A
    "budget line remove",
    "person invite",
    # Issue 14, parts 5 and 6
    "change decide",
    "change withdraw",
    "raised exception close",
    "programme close",  # issue 16
}


# Where each edit form above sends its save.
SAVED_AT = {
    "milestone edit": "milestone_edit",
    "milestone progress": "milestone_detail",
    "milestone rebaseline": "milestone_rebaseline",
    "milestone remove": "milestone_remove",
    "risk edit": "risk_edit",
    "risk close": "risk_close",
    "risk reopen": "risk_reopen",
    "risk realise": "risk_realise",
    "issue edit": "issue_edit",
    "issue resolve": "issue_resolve",
    "decision edit": "decision_edit",
    "decision record": "decision_record",
    "meeting edit": "meeting_edit",
    "reading edit": "reading_edit",
    "status update": "status_update",
    "programme settings": "programme_settings",
    "whole life cost": "programme_whole_life_cost",  # issue 16
    "exception narrative": "exception_narrative",
    "exception approve": "exception_approve",
    # Issue 11, part B
    "area edit": "area_edit",
    "area documents": "area_documents",
    "area close": "area_close",
    "workstream edit": "workstream_edit",
    "workstream close": "workstream_close",
    "objective edit": "objective_edit",
    # Issue 11, part C
    "measure edit": "measure_edit",
    "measure targets": "measure_targets",
    "budget line edit": "budget_line_edit",
    "budget line figures": "budget_line_edit",
    "budget line remove": "budget_line_remove",
    "workstream milestones update": "workstream_milestones_update",
    "area milestones update": "area_milestones_update",
    # Issue 11, part A
    "person edit": "programme_person_edit",
    "person invite": "programme_person_invite",
    # Issue 14, parts 5 and 6
    "change edit": "change_edit",
    "change decide": "change_decide",
    "change withdraw": "change_withdraw",
    "raised exception edit": "raised_exception_edit",
    "raised exception close": "raised_exception_close",
    # Issue 14
    "agenda item edit": "agenda_item_edit",
    "meeting attendance": "meeting_attendance",
    "action edit": "action_edit",
    # Issue 16, parts 4 and 5
    "lesson edit": "lesson_edit",
    "stakeholder edit": "stakeholder_edit",
    "communication edit": "communication_edit",
    "programme close": "programme_close",
    # Issue 16, part 1
    "benefit edit": "benefit_edit",
    "benefit realisation": "benefit_realisation",
}

# Every other page, and why it needs no version: it only reads, it adds something new, or it
# acts on something the user did not type (the row is claimed fresh, or the act is one-way).
NOT_EDITS = {
    "reads": {
        "status_update_submitted",  # issue 15: the confirmation after submitting an update
        "board_pack",
        "board_pack_download",
        "api_docs",
        "api_schema",
        "calendar_feed",
        "calendar_feed_list",
        "decision_detail",
        "decision_list",
        "export_plan",
        "home",
        "issue_detail",
        "issue_list",
        "login",
        "logout",
        # Issue 12: single sign-on sends the person to their provider and back; no form
        "oidc_sign_in",
        "oidc_callback",
        "two_factor_code",  # a sign-in step: the code from the app, nothing stored to edit
        "measure_list",
        "meeting_detail",
        "meeting_list",
        "milestone_list",
        "milestone_preview",
        "period_exceptions",
        "period_list",
        # Issue 14, parts 5 and 6
        "change_detail",
        "change_list",
        "raised_exception_detail",
        "plan_import_job",
        "plan_template",
        "portfolio",
        "search",  # issue 15, part 7
        "programme_dependencies",
        "programme_detail",
        "programme_finance",  # issue 16: the finance page and the government return
        "programme_government_return",
        "programme_list",
        "programme_timeline",
        "report_download",
        "report_run",
        "risk_detail",
        "risk_list",
        "workstream_detail",
        "workstream_list",
        # Issue 11, part B
        "area_detail",
        "area_list",
        "programme_objectives",
        # Issue 11, parts C and A
        "workstream_budget",
        "programme_people",
        # Issue 12: the page that answers a reset request
        "password_reset_sent",
        # Issue 14: a meeting's minutes and papers, the action log and an action
        "meeting_minutes_pdf",
        "meeting_paper_download",
        "action_list",
        "action_detail",
        # Issue 16, parts 4 and 5: the lists, and the closure reports
        "lesson_list",
        "stakeholder_list",
        "communication_list",
        "programme_closure_report",
        "workstream_closure_report",
        # Issue 16, part 1: the benefits register and a benefit's page
        "benefit_list",
        "benefit_detail",
    },
    "adds": {
        "api_token",
        "calendar_feed_create",
        "confirm_plan_import",
        "decision_add",
        "import_plan",
        "issue_add",
        "measure_detail",  # a new month's reading; correcting one is reading_edit
        "meeting_add",
        "milestone_add",
        "report_list",  # asks for a new version of a report
        "risk_add",
        # Issue 11, part B
        "objective_add",
        "programme_area_add",
        "workstream_add",
        # Issue 11, parts C and A
        "measure_add",
        "budget_line_add",
        "programme_add",
        "programme_person_add",
        # Issue 14, parts 5 and 6: a change request, a comment on one, an exception raised
        "change_add",
        "change_comment",
        "raised_exception_add",
        "programme_role_add",
        # Issue 13, part 6: a comment is added, never edited
        "workstream_comment",
        "milestone_comment",
        "risk_comment",
        "issue_comment",
        "report_comment",
        "exception_comment",
        # Issue 14: an agenda item, a paper and an action are added; an owner's update is a
        # note added (marking the action done acts on it as stored now, refused if closed)
        "agenda_item_add",
        "meeting_paper_add",
        "action_add",
        "action_update",
        # Issue 16: a lesson, a stakeholder, a line of the plan are added; recording a line as
        # sent adds to its log and moves its next date on from the date as stored now
        "lesson_add",
        "stakeholder_add",
        "communication_add",
        "communication_detail",
        "benefit_add",  # issue 16, part 1
    },
    "acts on what is stored now": {
        "calendar_feed_reset",
        "issue_action_done",
        "meeting_agenda",
        "milestone_move",
        "mitigation_done",
        "period_close",
        "period_reopen",
        "report_approve",  # a rendered report never changes; approving twice is refused
        # Issue 13, part 5: sending back records a comment and a date; nothing is edited
        "exception_send_back",
        "report_send_back",
        "board_pack_make",  # a new version each time
        "status_update_reopen",
        # Issue 11, part B: reordering claims the rows afresh
        "area_move",
        # Issue 11, part A: taking a role away, once asked; the link in an invitation works
        # once, its token made from the account as it stands
        "programme_role_remove",
        "invitation_accept",
        # Issue 12: setting up an authenticator makes a new one; turning it off takes a
        # current code from the app, checked against the authenticator as it stands
        "two_factor",
        "two_factor_turn_off",
        # Issue 12: a reset request stores nothing (it sends an email); a reset link works once
        # like an invitation's; "Sign out everywhere" ends the sessions there are now
        "password_reset",
        "password_reset_link",
        "user_sessions",
        # Issue 14: reordering claims the agenda afresh; removing asks first
        "agenda_item_move",
        "agenda_item_remove",
        "meeting_paper_remove",
    },
}


def test_every_page_of_the_product_is_an_edit_form_above_or_says_why_it_needs_no_version():
    names = {name for name in get_resolver().reverse_dict if isinstance(name, str)}
    listed = set(SAVED_AT.values()).union(*NOT_EDITS.values())

    assert names - listed == set(), "a page nobody listed: is it an edit form?"
    assert listed - names == set()
    assert set(SAVED_AT) == set(PAGES)


@pytest.fixture(params=PAGES)
def edit_page(request, world) -> EditPage:
    return _pages(world)[request.param]()


@pytest.fixture(params=[name for name in PAGES if name not in ACTIONS])
def plain_edit_page(request, world) -> EditPage:
    page = _pages(world)[request.param]()
    assert page.round_trip, f"{request.param} acts when sent: list it in ACTIONS"
    return page


# ----- What a form should show, worked out from the object, not from the form -----


def _date_parts(value, precision: str | None = None) -> tuple[str, str, str]:
    if value is None:
        return ("", "", "")
    if isinstance(value, PlanDate):
        precision, value = value.precision, value.value
    day = "" if precision == DatePrecision.MONTH else str(value.day)
    return (day, str(value.month), str(value.year))


def _stored(obj, name: str):
    """The stored value behind a form field called `name`."""
    try:
        model_field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        return getattr(obj, name)
    if isinstance(model_field, models.ForeignKey):
        return getattr(obj, model_field.attname)
    return getattr(obj, name)


def _as_sent(value) -> str | None:
    """A stored value as the browser sends it back."""
    if value is None:
        return None
    if value is True:
        return "on"
    if value is False:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _same(shown: str | None, expected) -> bool:
    if isinstance(expected, Decimal):
        try:
            return Decimal(shown or "") == expected
        except InvalidOperation:
            return False
    expected = _as_sent(expected)
    return (shown or None) == (expected or None)


def differences(form: Form, page: EditPage) -> list[str]:
    """Each field that does not show what is stored, as 'name: shown ... expected ...'."""
    obj, problems = page.obj, []
    sent = form.data()
    # A page of many objects (one form each, told apart by a prefix): the one tested.
    names = {name.removeprefix(page.prefix) for name in form.names if name.startswith(page.prefix)}
    dates = {name[:-2] for name in names if name[-2:] in ("_0", "_1", "_2")}
    for base in sorted(dates):
        if base in page.shown:
            value, precision = page.shown[base], None
        else:
            value, precision = _stored(obj, base), getattr(obj, f"{base}_precision", None)
        expected = _date_parts(value, precision)
        shown = tuple(sent.get(f"{page.prefix}{base}_{index}", "") for index in range(3))
        if shown != expected:
            problems.append(f"{base}: shown {shown}, stored {expected}")
    for name in sorted(names - {f"{base}_{index}" for base in dates for index in range(3)}):
        expected = page.shown[name] if name in page.shown else _stored(obj, name)
        shown = sent.get(page.prefix + name)
        if not _same(shown, expected):
            problems.append(f"{name}: shown {shown!r}, stored {expected!r}")
    return problems


def snapshot(obj) -> dict:
    """The object as stored (None once removed), and how many of each thing there are."""
    stored = type(obj)._base_manager.filter(pk=obj.pk).first()
    values = None
    if stored is not None:
        values = {f.attname: getattr(stored, f.attname) for f in obj._meta.concrete_fields}
    counts = {
        model.__name__: model.objects.count()
        for model in (
            Milestone,
            ProgressNote,
            BaselineChange,
            Risk,
            Issue,
            Decision,
            BoardMeeting,
            MeasureReading,
            StatusUpdate,
            ExceptionNarrative,
            AgendaItem,
            Attendance,
            MeetingPaper,
            ActionItem,
            ActionNote,
        )
    }
    return {"object": values, "counts": counts}


# Kept by every save, like the history: the version, and who last saved.
BOOKKEEPING = {"version", "entered_by_id", "written_by_id"}


def without_bookkeeping(state: dict) -> dict:
    values = state["object"] and {
        name: value for name, value in state["object"].items() if name not in BOOKKEEPING
    }
    return {"object": values, "counts": state["counts"]}


def change_by_someone_else(page: EditPage) -> dict:
    """Someone else saves a change to the object; returns it as it then stands."""
    obj = type(page.obj)._base_manager.get(pk=page.obj.pk)
    name, value = page.other
    setattr(obj, name, value)
    obj.save()
    return snapshot(obj)


def open_form(client, people, page: EditPage) -> Form:
    client.force_login(people[page.user])
    response = client.get(page.page)
    assert response.status_code == 200
    return form_with(response.content.decode(), page.prefix + "version", action=page.action)


def send(client, page: EditPage, data: dict):
    return client.post(page.url, data, follow=page.follow)


# ----- The tests -----


def test_every_edit_page_opens_showing_what_is_stored(client, people, edit_page):
    form = open_form(client, people, edit_page)

    assert differences(form, edit_page) == []
    assert form.shown(edit_page.prefix + "version") == str(edit_page.obj.version)


def test_sending_an_edit_form_back_as_opened_changes_nothing(client, people, plain_edit_page):
    edit_page = plain_edit_page
    before = snapshot(edit_page.obj)
    form = open_form(client, people, edit_page)

    response = send(client, edit_page, form.data())

    assert response.status_code == 302, response.content.decode()[:3000]
    assert without_bookkeeping(snapshot(edit_page.obj)) == without_bookkeeping(before)


def test_a_save_over_someone_elses_newer_change_is_refused(client, people, edit_page):
    form = open_form(client, people, edit_page)
    after_theirs = change_by_someone_else(edit_page)
    typed = {**form.data(), **edit_page.fill}
    for name, value in edit_page.typed.items():
        if value is None:
            typed.pop(name, None)
        else:
            typed[name] = value

    response = send(client, edit_page, typed)

    html = response.content.decode()
    assert response.status_code != 500
    assert CONFLICT in html
    assert snapshot(edit_page.obj) == after_theirs  # nothing the user sent was saved
    if edit_page.typed and not edit_page.follow:
        # What they typed is still in front of them, at the version now stored, so that
        # saving again goes through once they have seen the other change.
        shown = form_with(html, edit_page.prefix + "version", action=edit_page.action)
        for name, value in edit_page.typed.items():
            assert shown.shown(name) == value
        stored = type(edit_page.obj)._base_manager.get(pk=edit_page.obj.pk)
        assert shown.shown(edit_page.prefix + "version") == str(stored.version)


@pytest.mark.parametrize("version", [None, "", "abc", "-1"])
def test_a_save_without_a_usable_version_is_refused_not_a_server_error(
    client, people, edit_page, version
):
    form = open_form(client, people, edit_page)
    before = snapshot(edit_page.obj)
    data = {**form.data(), **edit_page.fill}
    data.update({name: value for name, value in edit_page.typed.items() if value is not None})
    key = edit_page.prefix + "version"
    if version is None:
        del data[key]
    else:
        data[key] = version

    response = send(client, edit_page, data)

    html = response.content.decode()
    assert response.status_code in ((200,) if edit_page.follow else (400, 409))
    assert RELOAD in html or CONFLICT in html
    assert snapshot(edit_page.obj) == before
