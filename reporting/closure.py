"""The closure report of a programme or a workstream (issue 16, part 4; DOMAIN.md: "a closure
report when a programme or workstream closes"): what it set out to do and how far it got
(each workstream's objective and outcomes, its milestones done, its measures against their
targets), the benefits handed over with their owners, the risks and issues still open that
are handed on, and the lessons learned. Gathered here in a fixed number of queries, rendered
by templates/reports/closure.html and made a PDF with reporting.pdf.

Asked for before the programme (or workstream) has closed, it is a draft, and says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.apps import apps
from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone

from programmes.choices import ProgrammeStatus
from programmes.models import Programme
from reporting.pdf import RenderedPDF, html_to_pdf
from risks.models import Closure, Issue, IssueStatus, Lesson, Risk, RiskStatus
from workstreams.models import (
    Measure,
    MeasureReading,
    MeasureTarget,
    Milestone,
    MilestoneStatus,
    Workstream,
)
from workstreams.rules import Target, measure_rag, target_for_month


@dataclass
class WorkstreamOutcome:
    workstream: Workstream
    milestones_done: int
    milestones_total: int


@dataclass
class MeasureOutcome:
    measure: Measure
    reading: MeasureReading | None
    target: Decimal | None
    rating: object  # programmes.rules.RagResult
    explanation: str


@dataclass
class HandedOverBenefit:
    benefit: object  # workstreams.models.Benefit, once it has landed
    planned: Decimal | None
    realised: Decimal | None


@dataclass
class ClosureReport:
    programme: Programme
    workstream: Workstream | None
    is_closed: bool
    closed_on: date | None
    closure: Closure | None
    generated: datetime
    workstreams: list[WorkstreamOutcome] = field(default_factory=list)
    measures: list[MeasureOutcome] = field(default_factory=list)
    # None when the benefits register is not there to read (then objectives and measures say
    # what was achieved).
    benefits: list[HandedOverBenefit] | None = None
    open_risks: list[Risk] = field(default_factory=list)
    open_issues: list[Issue] = field(default_factory=list)
    lessons: list[Lesson] = field(default_factory=list)

    @property
    def subject(self) -> str:
        return str(self.workstream) if self.workstream else self.programme.name

    @property
    def kind(self) -> str:
        return "Workstream closure report" if self.workstream else "Programme closure report"


def _benefit_model():
    try:
        return apps.get_model("workstreams", "Benefit")
    except LookupError:
        return None


def _benefits(programme: Programme, workstream: Workstream | None) -> list | None:
    model = _benefit_model()
    if model is None:
        return None
    benefits = model.objects.filter(programme=programme).select_related("owner")
    if workstream is not None:
        benefits = benefits.filter(workstreams=workstream)
    benefits = benefits.prefetch_related("years").order_by("sort_key")
    rows = []
    for benefit in benefits:
        years = list(benefit.years.all())
        planned = [y.planned for y in years if y.planned is not None]
        realised = [y.realised for y in years if y.realised is not None]
        rows.append(
            HandedOverBenefit(
                benefit, sum(planned) if planned else None, sum(realised) if realised else None
            )
        )
    return rows


def _measures(programme: Programme, workstreams: list[Workstream]) -> list[MeasureOutcome]:
    """Each measure's latest reading against the target for its month."""
    measures = (
        Measure.objects.filter(workstream__in=[w.pk for w in workstreams])
        .select_related("workstream")
        .prefetch_related(
            Prefetch("targets", queryset=MeasureTarget.objects.order_by("pk")),
            Prefetch("readings", queryset=MeasureReading.objects.order_by("-period", "-pk")),
        )
        .order_by("workstream__sort_key", "sort_key")
    )
    rows = []
    for measure in measures:
        reading = next(iter(measure.readings.all()), None)
        target = None
        if reading is not None:
            target = target_for_month(
                [
                    Target(t.value, financial_year=t.financial_year, due=t.due_date)
                    for t in measure.targets.all()
                ],
                reading.period,
            )
        tolerance = (
            measure.tolerance_percent
            if measure.tolerance_percent is not None
            else programme.benefit_tolerance_percent
        )
        rating = measure_rag(
            actual=reading.value if reading else None,
            target=target,
            direction=measure.direction,
            tolerance_percent=tolerance,
        )
        explanation = "; ".join(reason.text("it") for reason in rating.reasons)
        explanation = explanation[:1].upper() + explanation[1:]
        rows.append(MeasureOutcome(measure, reading, target, rating, explanation))
    return rows


def gather_closure(
    programme: Programme, workstream: Workstream | None = None, *, now: datetime | None = None
) -> ClosureReport:
    """The closure report of the programme, or of one of its workstreams."""
    now = now or timezone.now()
    if workstream is None:
        is_closed = programme.status == ProgrammeStatus.CLOSED
        closure = (
            Closure.objects.filter(programme=programme).select_related("closed_by__person").first()
        )
        closed_on = closure.closed_on if closure else None
        workstreams = list(
            Workstream.objects.filter(programme=programme)
            .select_related("objective", "lead")
            .order_by("sort_key")
        )
        where = Q(programme=programme)
    else:
        is_closed, closure, closed_on = workstream.is_closed, None, workstream.closed_on
        workstreams = [workstream]
        where = Q(workstream=workstream)
    done = defaultdict(int)
    total = defaultdict(int)
    for workstream_id, status in Milestone.objects.filter(
        workstream__in=[w.pk for w in workstreams]
    ).values_list("workstream_id", "status"):
        total[workstream_id] += 1
        done[workstream_id] += status == MilestoneStatus.COMPLETE
    return ClosureReport(
        programme=programme,
        workstream=workstream,
        is_closed=is_closed,
        closed_on=closed_on,
        closure=closure,
        generated=now,
        workstreams=[WorkstreamOutcome(w, done[w.pk], total[w.pk]) for w in workstreams],
        measures=_measures(programme, workstreams),
        benefits=_benefits(programme, workstream),
        open_risks=list(
            Risk.objects.filter(where, status=RiskStatus.OPEN)
            .select_related("owner", "workstream")
            .order_by("sort_key")
        ),
        open_issues=list(
            Issue.objects.filter(where, status=IssueStatus.OPEN)
            .select_related("owner", "workstream")
            .order_by("sort_key")
        ),
        lessons=list(
            Lesson.objects.filter(where)
            .select_related("raised_by", "workstream")
            .order_by("number")
        ),
    )


def closure_html(report: ClosureReport) -> str:
    return render_to_string("reports/closure.html", {"report": report, **_context(report)})


def _context(report: ClosureReport) -> dict:
    return {"programme": report.programme, "generated": report.generated}


def closure_pdf(report: ClosureReport) -> RenderedPDF:
    return html_to_pdf(closure_html(report))


def closure_filename(report: ClosureReport) -> str:
    reference = report.workstream.reference if report.workstream else report.programme.reference
    safe = "".join(c if c.isalnum() else "-" for c in reference).strip("-") or "programme"
    return f"{safe}-closure-report-{report.generated:%Y-%m-%d}.pdf"
