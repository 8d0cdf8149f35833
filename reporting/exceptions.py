"""Exceptions: every breach of tolerance in a period (DOMAIN.md sections 3 and 5), found from
the programme as it stood at the period's end, with the narrative the project manager wrote.

Milestones overdue or forecast beyond baseline + time tolerance, dependencies at risk (a
milestone or workstream whose due date falls before the forecast of what it depends on, one
entry per threatened item, key dependency:<milestone id> or workstream-dependency:<id>), Red
workstreams, Red measures, budget over cost tolerance, and risks at or above the board's threshold or newly
Red. Scope and quality exceptions are raised by hand (`reporting.raised`): those open at the
data's date are exceptions too, added here so that every page and report that lists, counts
or asks whether there are exceptions gets them from this one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from programmes.choices import Rag
from programmes.rules import RagResult, Reason
from reporting.dashboard import Dashboard
from reporting.finance import rate_money
from reporting.models import BreachKind, ExceptionNarrative
from reporting.raised import raised_open_on
from reporting.state import ProgrammeData


@dataclass
class Breach:
    kind: BreachKind
    key: str  # "milestone:123": what the narrative is about
    title: str  # "Milestone 1.1.3 Staff consultation meetings"
    breach: str  # what is breached, in words
    area: object | None = None
    workstream: object | None = None
    narrative: ExceptionNarrative | None = None
    result: RagResult | None = None  # the item's rating, for its tag

    @property
    def has_narrative(self) -> bool:
        return self.narrative is not None and self.narrative.is_written

    @property
    def kind_label(self) -> str:
        return BreachKind(self.kind).label


def detect_exceptions(data: ProgrammeData, dashboard: Dashboard) -> list[Breach]:
    """Every breach of tolerance as at the data's date, most serious kinds first: as the
    assessment rated it, with the tolerances of each item's area."""
    programme = data.programme
    areas = {area.pk: area for area in data.rating_state.areas}
    breaches: list[Breach] = []

    for workstream_rating in dashboard.rating.workstreams:
        workstream = workstream_rating.workstream
        area = areas.get(workstream.area_id)
        if workstream_rating.rating.rag == Rag.RED:
            breaches.append(
                Breach(
                    BreachKind.WORKSTREAM,
                    f"workstream:{workstream.pk}",
                    f"Workstream {workstream.reference} {workstream.name}",
                    workstream_rating.rating.explanation("it"),
                    area,
                    workstream,
                    result=workstream_rating.rating,
                )
            )
        for item in workstream_rating.milestones:
            milestone = item.milestone
            if item.is_breach:
                breaches.append(
                    Breach(
                        BreachKind.MILESTONE,
                        f"milestone:{milestone.pk}",
                        f"Milestone {milestone.reference} {milestone.title}",
                        item.result.explanation("it"),
                        area,
                        workstream,
                        result=item.result,
                    )
                )
        for item in workstream_rating.measures:
            if item.result.rag == Rag.RED:
                measure = item.measure
                breaches.append(
                    Breach(
                        BreachKind.MEASURE,
                        f"measure:{measure.pk}",
                        f"Measure {measure.reference} {measure.title}",
                        item.result.explanation("it"),
                        area,
                        workstream,
                        result=item.result,
                    )
                )

    breaches += _dependency_breaches(dashboard, areas)

    for year in dashboard.budget:
        if year.result.rag == Rag.RED:
            breaches.append(
                Breach(
                    BreachKind.BUDGET,
                    f"budget:{year.financial_year.start_year}",
                    f"Budget for {year.financial_year}",
                    year.result.explanation("it"),
                    result=year.result,
                )
            )

    breaches += _cost_breaches(data, areas)

    workstreams = {w.workstream.pk: w.workstream for w in dashboard.rating.workstreams}
    for line in dashboard.risk_lines:
        risk = line.risk
        previous_band = (
            programme.risk_band(line.previous_score) if line.previous_score is not None else None
        )
        # Held in its own area, else its workstream's: that area's tolerance applies.
        workstream = workstreams.get(risk.workstream_id)
        held_in = areas.get(risk.area_id or (workstream.area_id if workstream else None))
        at_threshold = risk.goes_to_board_in(programme, held_in)
        newly_red = line.band == Rag.RED and previous_band != Rag.RED
        if not (at_threshold or newly_red):
            continue
        why = []
        if at_threshold:
            why.append(
                f"its score of {line.score} is at or above the board's threshold of "
                f"{programme.tolerances_for(held_in).risk_score}"
            )
        if newly_red:
            why.append(
                "it is newly Red" + (f" (was {line.previous_score})" if line.previous_score else "")
            )
        breaches.append(
            Breach(
                BreachKind.RISK,
                f"risk:{risk.pk}",
                f"Risk {risk.reference} {risk.title}",
                "Red because: " + "; ".join(why)
                if line.band == Rag.RED
                else "; ".join(why).capitalize(),
                areas.get(risk.area_id),
                workstream,
                result=RagResult(line.band),
            )
        )

    breaches += _raised_breaches(data, areas, workstreams)

    order = {
        kind: index
        for index, kind in enumerate(
            [
                BreachKind.WORKSTREAM,
                BreachKind.MILESTONE,
                BreachKind.DEPENDENCY,
                BreachKind.MEASURE,
                BreachKind.BUDGET,
                BreachKind.RISK,
                BreachKind.SCOPE,
                BreachKind.QUALITY,
            ]
        )
    }
    breaches.sort(key=lambda breach: order[breach.kind])
    if data.period is not None:
        narratives = {n.key: n for n in ExceptionNarrative.objects.filter(period=data.period)}
        for breach in breaches:
            breach.narrative = narratives.get(breach.key)
    return breaches


def _cost_breaches(data: ProgrammeData, areas: dict) -> list[Breach]:
    """Budgets over the cost tolerance of their area (issue 16), as
    `reporting.finance.rate_money` rates them: a workstream whose budget over the programme's
    life is, as one exception naming its lines that are too; and each budget line that is,
    in a workstream that is not (a line 16% over is an exception even when its workstream and
    its year are within tolerance). One overspend is never told twice."""
    money = rate_money(
        data.programme,
        data.rating_state.areas,
        data.rating_state.workstreams,
        data.budget_lines,
    )
    breaches = []
    for item in money.workstreams:
        workstream = item.workstream
        area = areas.get(workstream.area_id)
        lines_over = [line_item for line_item in item.lines if line_item.result.rag == Rag.RED]
        if item.result.rag == Rag.RED:
            result = RagResult(
                Rag.RED,
                item.result.reasons
                + tuple(
                    Reason(
                        reason.predicate,
                        f"budget line {line_item.line.description} "
                        f"{line_item.line.financial_year_label}",
                    )
                    for line_item in lines_over
                    for reason in line_item.result.reasons
                ),
            )
            breaches.append(
                Breach(
                    BreachKind.BUDGET,
                    f"budget-workstream:{workstream.pk}",
                    f"Budget of workstream {workstream.reference} {workstream.name}",
                    result.explanation("it"),
                    area,
                    workstream,
                    result=result,
                )
            )
            continue
        for line_item in lines_over:
            line = line_item.line
            breaches.append(
                Breach(
                    BreachKind.BUDGET,
                    f"budget-line:{line.pk}",
                    f"Budget line {line.description} {line.financial_year_label} "
                    f"(workstream {workstream.reference})",
                    line_item.result.explanation("it"),
                    area,
                    workstream,
                    result=line_item.result,
                )
            )
    return breaches


def _dependency_breaches(dashboard: Dashboard, areas: dict) -> list[Breach]:
    """Each milestone or workstream threatened by what it depends on, with every threat in the
    words both ends show ("at risk from 3.2.1, forecast Dec 2026, 34 days after this is due"),
    as the assessment found them."""
    breaches = []
    for workstream_rating in dashboard.rating.workstreams:
        workstream = workstream_rating.workstream
        area = areas.get(workstream.area_id)
        if workstream_rating.threatened_by:
            breaches.append(
                Breach(
                    BreachKind.DEPENDENCY,
                    f"workstream-dependency:{workstream.pk}",
                    f"Workstream {workstream.reference} {workstream.name}",
                    _threat_words(workstream_rating.threatened_by),
                    area,
                    workstream,
                    result=RagResult(
                        Rag.AMBER,
                        tuple(
                            Reason(f"is {t.downstream_words}")
                            for t in workstream_rating.threatened_by
                        ),
                    ),
                )
            )
        for item in workstream_rating.milestones:
            if item.threatened_by:
                milestone = item.milestone
                breaches.append(
                    Breach(
                        BreachKind.DEPENDENCY,
                        f"dependency:{milestone.pk}",
                        f"Milestone {milestone.reference} {milestone.title}",
                        _threat_words(item.threatened_by),
                        area,
                        workstream,
                        result=item.result,
                    )
                )
    return breaches


def _threat_words(threats) -> str:
    """ "At risk from 3.2.1 Title (workstream 3.2), forecast Dec 2026, 34 days after this is
    due", for each threat."""
    text = "; ".join(
        (f"{t.downstream_words} ({t.upstream.title}, workstream {t.upstream.workstream.reference})")
        for t in threats
    )
    return text[:1].upper() + text[1:]


def _raised_breaches(data: ProgrammeData, areas: dict, workstreams: dict) -> list[Breach]:
    """The scope and quality exceptions raised by hand and open at the data's date, each
    where it was raised (its workstream's area when raised for a workstream). Red: raised
    for the board's decision (DOMAIN.md section 3). Two queries."""
    raised = raised_open_on(data.programme.pk, data.as_of, data.snapshot)
    if not raised:
        return []
    who = _names_of_users({item.raised_by_id for item in raised})
    breaches = []
    for item in raised:
        workstream = workstreams.get(item.workstream_id)
        area = areas.get(item.area_id or (workstream.area_id if workstream else None))
        raised_by = who.get(item.raised_by_id, "someone since removed")
        result = RagResult(
            Rag.RED,
            (Reason(f"was raised by {raised_by} on {item.raised_on:%-d %B %Y}"),),
        )
        breaches.append(
            Breach(
                BreachKind(item.kind),
                item.key,
                f"{item.get_kind_display()} exception: {item.title}",
                f"Raised by {raised_by} on {item.raised_on:%-d %B %Y}: {item.description}",
                area,
                workstream,
                result=result,
            )
        )
    return breaches


def _names_of_users(ids: set) -> dict[int, str]:
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return {}
    users = get_user_model().objects.select_related("person").in_bulk(ids)
    return {
        pk: getattr(getattr(user, "person", None), "name", None) or user.get_username()
        for pk, user in users.items()
    }
