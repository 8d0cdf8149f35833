"""Demo data: the five source programmes, moved in time so that they are in flight today,
with a simulated but consistent history (DOMAIN.md; seeds/README.md).

The plans come from the YAML files in `demo_data/` (transcribed from the documents). The
history is generated here, deterministically from each item's reference: milestones
completed on time, late or not at all, forecasts moved, measure readings, monthly status
updates whose ratings follow the rules as they stood at each cut-off, board meetings and
decisions. Every change is saved with the date it happened, so the change history and the
"as at" views tell the same story as the pages.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from copy import copy
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from plans.demo_story import tell_story
from programmes.choices import (
    DEFAULT_OUTCOME_CATEGORIES,
    DatePrecision,
    MembershipSource,
    PeriodStatus,
    Rag,
    Role,
)
from programmes.dates import (
    FinancialYear,
    PlanDate,
    add_months,
    month_end,
    month_start,
    months_between,
)
from programmes.models import (
    Funding,
    Membership,
    Objective,
    Organisation,
    OrganisationRole,
    OutcomeCategory,
    Person,
    Programme,
    ProgrammeArea,
    ReportingPeriod,
)
from programmes.rules import RagResult, requires_reason
from programmes.services import key_document_titles, replace_key_documents
from risks.models import BoardMeeting, Decision, DecisionStatus, MitigationAction, Risk
from workstreams.assessment import assess_workstream_from
from workstreams.models import (
    BudgetLine,
    Measure,
    MeasureReading,
    MeasureTarget,
    Milestone,
    MilestoneKind,
    MilestoneStatus,
    ProgressNote,
    StatusUpdate,
    UpdateState,
    Workstream,
)
from workstreams.rules import Target, needs_variance_explanation, target_for_month

DATA_DIR = Path(__file__).resolve().parent / "demo_data"
FILES = [
    "harrow.yaml",
    "east_sussex.yaml",
    "cheshire_east.yaml",
    "torbay.yaml",
    "cambridgeshire.yaml",
]
# The share of dated milestones that should be behind us today: about half-way through.
TARGET_SHARE_DONE = 0.55


ON_TRACK, SOME_ISSUES, IN_TROUBLE = "on track", "some issues", "in trouble"
HEALTH_ODDS = {
    ON_TRACK: {"on_time": 0.88, "late": 1.0, "slipped": 1.0, "future_slip": 0.03, "at_risk": 0.03},
    SOME_ISSUES: {
        "on_time": 0.65,
        "late": 0.85,
        "slipped": 1.0,
        "future_slip": 0.15,
        "at_risk": 0.10,
    },
    IN_TROUBLE: {
        "on_time": 0.5,
        "late": 0.7,
        "slipped": 0.85,
        "future_slip": 0.25,
        "at_risk": 0.1,
    },
}
# The demo lead's second workstream is struggling, so that trying the app as "lead" shows an
# overdue milestone on My work.
STORY_HEALTH = {("HARROW-TPP", "1.4"): "in trouble"}
# The demo lead's struggling workstream has not sent this month's update yet (My work).
UPDATE_NOT_IN = {("HARROW-TPP", "1.4")}
# Cambridgeshire's programme office has not closed last month yet: a period to close on My work.
LAST_MONTH_OPEN = {"TL"}
# Torbay's last report is made but waits for the programme office's approval (My work); the
# other programmes' are approved and sent to the board.
REPORTS_AWAITING_APPROVAL = {"PERS"}
MEASURE_PERFORMANCE = {
    ON_TRACK: [1.03, 1.01, 1.0, 1.0],
    SOME_ISSUES: [0.975, 0.965, 1.0],
    IN_TROUBLE: [0.85, 0.9],
}


@dataclass(frozen=True)
class DemoSignIn:
    username: str
    role: str
    person_name: str
    job_title: str = ""
    organisation_slug: str = "harrow"
    superuser: bool = False
    portfolio_office: bool = False  # of the organisation: sees all its programmes


SIGN_INS = [
    DemoSignIn(
        "board",
        "Board member of every demo programme",
        "Margaret Hughes",
        "Programme board member (demo sign-in)",
    ),
    DemoSignIn("sponsor", "Sponsor of Harrow programme areas 1 and 3", "Bernie Flaherty"),
    DemoSignIn("manager", "Project manager of Harrow programme area 4", "Peter Singh"),
    DemoSignIn("lead", "Lead of Harrow workstreams 1.2 and 1.4", "Anne Mosley"),
    DemoSignIn(
        "office",
        "Programme office of every demo programme",
        "Sam Okafor",
        "Programme office manager (demo sign-in)",
    ),
    DemoSignIn(
        "portfolio",
        "Portfolio office of Harrow Council: sees every Harrow programme, creates programmes "
        "and appoints their programme office",
        "Priya Nair",
        "Corporate PMO manager (demo sign-in)",
        portfolio_office=True,
    ),
    DemoSignIn("admin", "Site administrator", "", superuser=True),
]


def _score(spec: dict, key: str, assumed: int) -> int | None:
    """A score part from the document, an assumed one when the entry's scores are assumed,
    or None (not assessed)."""
    if spec.get(key) is not None:
        return int(spec[key])
    return assumed if spec.get("assumed") else None


def demo_email(name: str, organisation_slug: str) -> str:
    """A made-up address on a reserved example domain, so reminders can be tried safely."""
    local = ".".join("".join(c for c in part if c.isalnum()) for part in name.lower().split())
    return f"{local}@{organisation_slug}.example.org"


def parse_yaml_date(text: str | None) -> PlanDate | None:
    if text in (None, ""):
        return None
    text = str(text)
    parts = [int(part) for part in text.split("-")]
    if len(parts) == 2:
        return PlanDate.of_month(parts[0], parts[1])
    return PlanDate.of_day(date(*parts))


def at_nine(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


def money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def working_day_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def second_tuesday(month: date) -> date:
    day = month_start(month)
    while day.weekday() != 1:
        day += timedelta(days=1)
    return day + timedelta(days=7)


def choose_year_shift(data: dict, today: date) -> int:
    """Whole years (so months and financial years keep their meaning) that put the
    programme in flight today with about half of its dated milestones behind it."""
    starts = parse_yaml_date(data["programme"]["starts"]).value
    ends = parse_yaml_date(data["programme"]["ends"]).value
    dues = [
        parse_yaml_date(milestone["due"]).value
        for area in data["areas"]
        for workstream in area["workstreams"]
        for milestone in workstream.get("milestones") or []
        if milestone.get("due")
    ]
    best, best_gap = None, None
    for years in range(0, 40):
        shifted_start = add_months(month_start(starts), 12 * years)
        shifted_end = add_months(ends, 12 * years)
        if not (shifted_start <= today <= shifted_end):
            continue
        share = (
            sum(add_months(due, 12 * years) < today for due in dues) / len(dues) if dues else 0.5
        )
        gap = abs(share - TARGET_SHARE_DONE)
        if best_gap is None or gap < best_gap:
            best, best_gap = years, gap
    if best is None:
        raise ValueError(f"{data['programme']['name']} cannot be put in flight today")
    return best


@dataclass
class MilestoneStory:
    """What happens to one milestone, as dated events applied in order."""

    milestone: Milestone
    events: list[tuple[datetime, dict, str]] = field(default_factory=list)  # when, changes, note

    def state_at(self, moment: datetime) -> dict:
        state = {
            "forecast_date": None,
            "forecast_precision": DatePrecision.DAY,
            "actual_date": None,
            "status": MilestoneStatus.NOT_STARTED,
            "at_risk": False,
            "has_note": False,
        }
        for when, changes, note in self.events:
            if when > moment:
                break
            state.update(changes)
            if note:
                state["has_note"] = True
        return state


class ProgrammeBuilder:
    """Builds one programme from its YAML, then plays its history forward to today."""

    def __init__(self, data: dict, *, today: date, office_user, log):
        self.data = data
        self.today = today
        # "Now" is the end of the working day of `today` at the latest, so that a demo built
        # for a given day is the same whenever it is built.
        self.now = min(timezone.now(), at_nine(today) + timedelta(hours=8))
        self.office_user = office_user
        self.log = log
        self.shift_years = choose_year_shift(data, today)
        self.reference = data["programme"]["reference"]
        self.people: dict[str, Person] = {}
        self.workstreams: dict[str, Workstream] = {}
        self.areas: dict[str, ProgrammeArea] = {}
        self.milestones: dict[str, Milestone] = {}
        self.stories: dict[int, MilestoneStory] = {}
        self.measures: list[tuple[Measure, list[Target]]] = []
        self.target_rows: dict[int, list[MeasureTarget]] = defaultdict(list)
        self.readings: dict[int, list[MeasureReading]] = defaultdict(list)
        self.periods: list[ReportingPeriod] = []

    # ----- helpers -----
    def rng(self, *parts) -> random.Random:
        return random.Random(":".join([self.reference, *map(str, parts)]))

    def shift(self, plan_date: PlanDate | None) -> PlanDate | None:
        return plan_date.shifted(12 * self.shift_years) if plan_date else None

    def shifted(self, text) -> PlanDate | None:
        return self.shift(parse_yaml_date(text))

    def person(self, name: str | None) -> Person | None:
        if not name:
            return None
        if name not in self.people:
            raise ValueError(f"{self.reference}: {name!r} is used but not listed under people")
        return self.people[name]

    def user_for(self, person: Person | None):
        if person is not None and person.user_id:
            return person.user
        return self.office_user

    def save_at(self, instance, when: datetime, user=None):
        # Nothing happens to the plan before it is approved, nor after now.
        approved = getattr(self, "approved_at", None)
        if approved is not None and when < approved:
            when = approved if instance.pk is None else approved + timedelta(minutes=1)
        instance._history_date = min(when, self.now)
        instance._history_user = user or self.office_user
        instance.save()
        return instance

    # ----- the plan -----
    def build(self) -> Programme:
        data = self.data
        organisation, _ = Organisation.objects.get_or_create(
            slug=data["organisation"]["slug"], defaults={"name": data["organisation"]["name"]}
        )
        for entry in data.get("people") or []:
            person, _ = Person.objects.get_or_create(
                organisation=organisation,
                name=entry["name"],
                defaults={
                    "job_title": entry.get("job_title") or "",
                    "employer": entry.get("employer") or "",
                    "is_team": bool(entry.get("team")),
                    "email": demo_email(entry["name"], organisation.slug),
                },
            )
            self.people[entry["name"]] = person

        spec = data["programme"]
        starts = self.shifted(spec["starts"])
        ends = self.shifted(spec["ends"])
        self.approved_at = at_nine(month_start(starts.value))
        tolerances = spec.get("tolerances") or {}
        programme = Programme(
            organisation=organisation,
            reference=spec["reference"],
            name=spec["name"],
            description=" ".join(str(spec.get("description") or "").split()),
            source=spec.get("source") or "",
            starts_on=month_start(starts.value),
            ends_on=ends.value,
            rag_scale=spec.get("rag_scale") or "three",
            board_name=spec.get("board") or "Programme Board",
            senior_responsible_owner=self.person(spec.get("senior_responsible_owner")),
            time_tolerance_days=tolerances.get("time_days", 30),
            cost_tolerance_percent=Decimal(str(tolerances.get("cost_percent", 10))),
            benefit_tolerance_percent=Decimal(str(tolerances.get("benefit_percent", 5))),
            risk_tolerance_score=tolerances.get("risk_score", 15),
        )
        self.programme = self.save_at(programme, self.approved_at)

        self.build_objectives(organisation)
        self.build_funding()
        for position, (key, name) in enumerate(DEFAULT_OUTCOME_CATEGORIES, start=1):
            OutcomeCategory.objects.get_or_create(
                key=key, defaults={"name": name, "position": position}
            )
        categories = {category.key: category for category in OutcomeCategory.objects.all()}
        dependencies: list[tuple[Workstream, list[str]]] = []
        milestone_dependencies: list[tuple[Milestone, list[str]]] = []
        for area_spec in data["areas"]:
            area = self.save_at(
                ProgrammeArea(
                    programme=programme,
                    reference=str(area_spec["reference"]),
                    name=area_spec["name"],
                    aim=" ".join(str(area_spec.get("aim") or "").split()),
                    sponsor=self.person(area_spec.get("sponsor")),
                    project_manager=self.person(area_spec.get("project_manager")),
                    interdependencies=area_spec.get("interdependencies") or "",
                ),
                self.approved_at,
            )
            self.areas[area.reference] = area
            replace_key_documents(area, key_document_titles(area_spec.get("key_documents") or ""))
            for workstream_spec in area_spec.get("workstreams") or []:
                workstream = self.build_workstream(area, workstream_spec, categories)
                dependencies.append((workstream, workstream_spec.get("depends_on") or []))
                milestone_specs = workstream_spec.get("milestones") or []
                for position, milestone_spec in enumerate(milestone_specs, start=1):
                    milestone = self.build_milestone(workstream, milestone_spec, position)
                    milestone_dependencies.append(
                        (milestone, milestone_spec.get("depends_on") or [])
                    )
                for measure_spec in workstream_spec.get("measures") or []:
                    self.build_measure(workstream, measure_spec)
                for budget_spec in workstream_spec.get("budget_lines") or []:
                    self.build_budget_line(workstream, budget_spec)
        for workstream, references in dependencies:
            for reference in references:
                workstream.depends_on.add(self.workstreams[str(reference)])
        for milestone, references in milestone_dependencies:
            for reference in references:
                milestone.depends_on.add(self.milestones[str(reference)])
        self.build_risks()
        return programme

    def build_objectives(self, organisation):
        made = {}
        for spec in self.data.get("objectives") or []:
            objective, _ = Objective.objects.get_or_create(
                organisation=organisation,
                reference=str(spec["reference"]),
                defaults={
                    "level": spec["level"],
                    "title": " ".join(str(spec["title"]).split()),
                    "parent": made.get(spec.get("parent")),
                },
            )
            made[objective.reference] = objective
        self.objectives = made

    def build_funding(self):
        for spec in self.data.get("funding") or []:
            year = FinancialYear.parse(spec["financial_year"]).start_year + self.shift_years
            self.save_at(
                Funding(
                    programme=self.programme,
                    source=spec["source"],
                    financial_year=year,
                    amount=money(spec["amount"]),
                ),
                self.approved_at,
            )

    def build_workstream(self, area, spec, categories) -> Workstream:
        workstream = self.save_at(
            Workstream(
                programme=self.programme,
                area=area,
                reference=str(spec["reference"]),
                name=" ".join(str(spec["name"]).split()),
                outcomes=" ".join(str(spec.get("outcomes") or "").split()),
                lead=self.person(spec.get("lead")),
                funding_notes=spec.get("funding") or "",
                objective=self.objectives.get(str(spec.get("objective") or "")),
            ),
            self.approved_at,
        )
        for name in spec.get("supporting") or []:
            workstream.supported_by.add(self.person(name))
        for key in spec.get("outcome_categories") or []:
            workstream.outcome_categories.add(categories[key])
        self.workstreams[workstream.reference] = workstream
        return workstream

    def build_milestone(self, workstream, spec, position: int) -> Milestone:
        due = self.shifted(spec.get("due"))
        start = self.shifted(spec.get("start"))
        reference = str(spec["reference"])
        if reference in self.milestones:
            raise ValueError(f"{self.reference}: milestone {reference} is listed twice")
        description = ""
        if spec.get("assumed"):
            description = "The source document gives no date for this; the date is assumed."
        milestone = self.save_at(
            Milestone(
                workstream=workstream,
                reference=reference,
                title=" ".join(str(spec["title"]).split())[:300],
                description=description,
                kind=spec.get("kind") or MilestoneKind.MILESTONE,
                forum=spec.get("forum") or "",
                owner=self.person(spec.get("owner")),
                baseline_date=due.value if due else None,
                baseline_precision=due.precision if due else DatePrecision.DAY,
                start_date=start.value if start else None,
                start_precision=start.precision if start else DatePrecision.DAY,
                position=position,
            ),
            self.approved_at,
        )
        self.milestones[reference] = milestone
        return milestone

    def build_measure(self, workstream, spec):
        measure = self.save_at(
            Measure(
                workstream=workstream,
                reference=str(spec["reference"]),
                title=" ".join(str(spec["title"]).split())[:400],
                unit=spec.get("unit") or "number",
                direction=spec.get("direction") or "higher",
                baseline_value=(
                    Decimal(str(spec["baseline"])) if spec.get("baseline") is not None else None
                ),
                owner=self.person(spec.get("owner")),
            ),
            self.approved_at,
        )
        targets = []
        for target_spec in spec.get("targets") or []:
            value = Decimal(str(target_spec["value"]))
            if target_spec.get("financial_year"):
                year = FinancialYear.parse(target_spec["financial_year"]).start_year
                target = MeasureTarget(
                    measure=measure, financial_year=year + self.shift_years, value=value
                )
            else:
                due = self.shifted(target_spec["by"])
                target = MeasureTarget(
                    measure=measure,
                    due_date=due.value,
                    due_precision=due.precision,
                    value=value,
                )
            if target.financial_year and any(
                t.financial_year == target.financial_year for t in targets
            ):
                continue
            self.save_at(target, self.approved_at)
            self.target_rows[measure.pk].append(target)
            targets.append(Target(target.value, target.financial_year, target.due_date))
        self.measures.append((measure, targets))

    def build_budget_line(self, workstream, spec):
        """A budget line as allocated when the plan was approved, then its spend to date and
        forecast outturn entered month by month, each month's figures posted early in the
        month after (when the ledger for the month closes), so that the line as at the end of
        any past period shows what finance had posted by then."""
        year = FinancialYear.parse(spec["financial_year"]).start_year + self.shift_years
        allocated = money(spec["allocated"])
        fy = FinancialYear(year)
        rng = self.rng("budget", workstream.reference, spec["description"], year)
        if fy.ends < self.today:
            outturn = Decimal(str(rng.uniform(0.9, 1.04)))  # spent over the whole year
            final_forecast = outturn
        else:
            outturn = Decimal(str(rng.uniform(0.8, 1.1)))  # pace of spend this year
            final_forecast = Decimal(str(rng.choice([0.96, 1.0, 1.0, 1.04, 1.16])))
        line = BudgetLine(
            workstream=workstream,
            financial_year=year,
            description=" ".join(str(spec["description"]).split())[:300],
            funding_source=spec.get("funding_source") or "",
            allocated=allocated,
            spent=Decimal(0),
            forecast=allocated,
        )
        self.save_at(line, self.approved_at)
        user = self.user_for(workstream.lead)
        month = max(fy.starts, self.programme.starts_on)
        last = min(month_start(fy.ends), add_months(month_start(self.today), -1))
        while month <= last:
            posted = working_day_on_or_before(add_months(month, 1).replace(day=6))
            if posted > self.today:
                break
            index = months_between(fy.starts, month) + 1  # 1 (April) .. 12 (March)
            share = Decimal(index) / Decimal(12)
            wobble = Decimal(str(rng.uniform(0.92, 1.08))) if index < 12 else Decimal(1)
            spent = max(line.spent, money(allocated * outturn * share * wobble))
            # The forecast settles month by month from the allocation to the outturn.
            forecast = money(allocated * (1 + (final_forecast - 1) * min(Decimal(1), share * 2)))
            if index == 12 and fy.ends < self.today:
                forecast = spent
            line.spent, line.forecast = spent, forecast
            if not line.variance_explanation and needs_variance_explanation(
                allocated=allocated, forecast=forecast
            ):
                line.variance_explanation = (
                    "Forecast outturn differs from the allocation by more than 5%: "
                    "the project manager is reviewing commitments for the year."
                )
            self.save_at(line, at_nine(posted), user)
            month = add_months(month, 1)

    def build_risks(self):
        for spec in self.data.get("risks") or []:
            workstream = self.workstreams.get(str(spec.get("workstream") or ""))
            area = self.areas.get(str(spec.get("area") or "")) if not workstream else None
            raised = self.shifted(spec.get("raised")) or PlanDate.of_day(self.programme.starts_on)
            raised_on = min(raised.value, self.today)
            likelihood, impact = int(spec["likelihood"]), int(spec["impact"])
            rng = self.rng("risk", spec["reference"])
            owner = self.person(spec.get("owner"))
            description = " ".join(str(spec.get("description") or spec["title"]).split())
            if spec.get("assumed"):
                description += " (Scores assumed: the source document gives none.)"
            risk = Risk(
                programme=self.programme,
                area=area,
                workstream=workstream,
                reference=str(spec["reference"]),
                title=" ".join(str(spec["title"]).split())[:300],
                event=description,
                category=spec.get("category") or "internal",
                kind=spec.get("kind") or "threat",
                owner=owner,
                raised_on=raised_on,
                # Inherent and target scores only where the document gives them, or where its
                # scores were assumed anyway (and say so): never invented for a real log row.
                inherent_likelihood=_score(spec, "inherent_likelihood", min(5, likelihood + 1)),
                inherent_impact=_score(spec, "inherent_impact", impact),
                current_likelihood=likelihood,
                current_impact=impact,
                target_likelihood=_score(spec, "target_likelihood", max(1, likelihood - 2)),
                target_impact=_score(spec, "target_impact", impact),
                response=spec.get("response")
                or ("exploit" if spec.get("kind") == "opportunity" else "reduce"),
                review_date=self.today + timedelta(days=rng.randint(-25, 70)),
                status=spec.get("status") or "open",
            )
            risk.escalated = risk.goes_to_board
            if risk.status == "closed":
                risk.closing_reason = "Closed by the programme board."
            moved = spec.get("assumed") and rng.random() < 0.35
            if moved:
                # The story: its score changed within the last three months.
                risk.current_likelihood = min(5, max(1, likelihood + rng.choice([-1, 1])))
            self.save_at(risk, at_nine(raised_on))
            if moved:
                risk.current_likelihood = likelihood
                changed = self.today - timedelta(days=rng.randint(5, 90))
                self.save_at(risk, at_nine(max(changed, raised_on)), self.user_for(owner))
            fallback_owner = owner or (area.project_manager if area else None)
            if workstream is not None:
                fallback_owner = fallback_owner or workstream.lead
            fallback_owner = fallback_owner or self.office_person
            for index, action_spec in enumerate(spec.get("mitigations") or [], start=1):
                due = raised_on + timedelta(days=45 * index + rng.randint(0, 30))
                done = due < self.today and rng.random() < 0.7
                self.save_at(
                    MitigationAction(
                        risk=risk,
                        description=" ".join(str(action_spec["description"]).split()),
                        owner=self.person(action_spec.get("owner")) or fallback_owner,
                        due_date=due,
                        done=done,
                        completed_on=due - timedelta(days=rng.randint(0, 10)) if done else None,
                    ),
                    at_nine(raised_on),
                )

    # ----- the history -----
    def play_history(self):
        self.build_periods()
        self.plan_milestone_stories()
        self.apply_milestone_stories()
        self.build_readings()
        self.build_status_updates()
        self.build_board_meetings_and_decisions()

    def build_periods(self):
        month = self.programme.starts_on
        current = month_start(self.today)
        while month <= current:
            cut_off = working_day_on_or_before(month.replace(day=25))
            period = ReportingPeriod(programme=self.programme, month=month, cut_off=cut_off)
            self.save_at(period, at_nine(month))
            left_open = self.reference in LAST_MONTH_OPEN and add_months(month, 1) == current
            if month < current and not left_open:
                period.status = PeriodStatus.CLOSED
                period.closed_at = at_nine(add_months(month, 1))
                period.closed_by = self.office_user
                self.save_at(period, period.closed_at)
            self.periods.append(period)
            month = add_months(month, 1)

    def plan_milestone_stories(self):
        now = self.now
        for milestone in self.milestones.values():
            story = MilestoneStory(milestone)
            self.stories[milestone.pk] = story
            rng = self.rng("milestone", milestone.reference)
            lead_user = self.user_for(milestone.workstream.lead)
            due = milestone.baseline
            started = milestone.start.value if milestone.start else None
            if due is None:
                if rng.random() < 0.5 and self.programme.starts_on < self.today:
                    when = at_nine(self.programme.starts_on + timedelta(days=rng.randint(20, 90)))
                    story.events.append((when, {"status": MilestoneStatus.IN_PROGRESS}, ""))
                continue
            deadline = due.value
            begin = started or max(self.programme.starts_on, deadline - timedelta(days=60))
            begin_at = at_nine(min(begin, deadline))
            if begin_at < now:
                story.events.append((begin_at, {"status": MilestoneStatus.IN_PROGRESS}, ""))
            health = self.health(milestone.workstream)
            odds = HEALTH_ODDS[health]
            roll = rng.random()
            if deadline < self.today:
                recent = (self.today - deadline).days <= 20
                if roll < odds["on_time"]:
                    actual = max(deadline - timedelta(days=rng.randint(0, 20)), begin)
                    self.complete(story, actual, "Completed as planned.")
                elif roll < odds["late"] or (health == ON_TRACK and not recent):
                    slip_days = rng.randint(8, 45)
                    forecast = deadline + timedelta(days=slip_days)
                    noticed = deadline - timedelta(days=rng.randint(5, 25))
                    self.reforecast(story, noticed, forecast, due.precision, lead_user)
                    if forecast < self.today:
                        done = forecast - timedelta(days=rng.randint(0, 5))
                        self.complete(story, done, "Completed later than the baseline.")
                elif recent:
                    # Slipped a little and still open: re-forecast within tolerance.
                    forecast = self.today + timedelta(days=rng.randint(3, 8))
                    noticed = deadline - timedelta(days=rng.randint(3, 15))
                    self.reforecast(story, noticed, forecast, DatePrecision.DAY, lead_user)
                elif health == SOME_ISSUES:
                    forecast = deadline + timedelta(days=rng.randint(8, 28))
                    noticed = deadline - timedelta(days=rng.randint(3, 15))
                    self.reforecast(story, noticed, forecast, due.precision, lead_user)
                    self.complete(story, forecast, "Completed later than the baseline.")
                elif roll < odds["slipped"]:
                    # In trouble: re-forecast well beyond tolerance.
                    forecast = self.today + timedelta(days=rng.randint(20, 120))
                    noticed = deadline - timedelta(days=rng.randint(3, 20))
                    self.reforecast(story, noticed, forecast, DatePrecision.DAY, lead_user)
                # else: overdue, nothing reported
            else:
                horizon = (deadline - self.today).days
                if roll < odds["future_slip"] and horizon < 150:
                    limit = 28 if health != IN_TROUBLE else 90
                    forecast = deadline + timedelta(days=rng.randint(7, limit))
                    noticed = self.today - timedelta(days=rng.randint(3, 40))
                    self.reforecast(story, noticed, forecast, DatePrecision.DAY, lead_user)
                elif roll < odds["future_slip"] + odds["at_risk"] and horizon < 120:
                    flagged = self.today - timedelta(days=rng.randint(2, 30))
                    story.events.append(
                        (
                            at_nine(flagged),
                            {"at_risk": True},
                            "Dependencies on partners may delay this; watching closely.",
                        )
                    )
            story.events.sort(key=lambda event: event[0])

    def health(self, workstream) -> str:
        """How a workstream is going in the story: most on track, some with issues, a few in
        trouble, so that problems cluster as they do in real programmes."""
        if (self.reference, workstream.reference) in STORY_HEALTH:
            return STORY_HEALTH[(self.reference, workstream.reference)]
        roll = self.rng("health", workstream.reference).random()
        if roll < 0.62:
            return ON_TRACK
        if roll < 0.88:
            return SOME_ISSUES
        return IN_TROUBLE

    def reforecast(self, story, noticed: date, forecast: date, precision, user):
        noticed = min(max(noticed, self.programme.starts_on), self.today)
        if precision == DatePrecision.MONTH:
            forecast = month_end(forecast)
        note = f"Forecast moved to {PlanDate.from_fields(forecast, precision)}."
        story.events.append(
            (
                at_nine(noticed),
                {"forecast_date": forecast, "forecast_precision": precision},
                note,
            )
        )

    def complete(self, story, actual: date, note: str):
        actual = min(actual, self.today)
        story.events.append(
            (
                at_nine(actual) + timedelta(hours=6),
                {"actual_date": actual, "status": MilestoneStatus.COMPLETE, "at_risk": False},
                note,
            )
        )

    def apply_milestone_stories(self):
        for story in self.stories.values():
            milestone = story.milestone
            user = self.user_for(milestone.workstream.lead)
            for when, changes, note in story.events:
                for name, value in changes.items():
                    setattr(milestone, name, value)
                self.save_at(milestone, when, user)
                if note:
                    progress = ProgressNote(
                        milestone=milestone,
                        noted_on=timezone.localdate(when),
                        text=note,
                        author=user,
                    )
                    self.save_at(progress, when, user)

    def build_readings(self):
        last_month = add_months(month_start(self.today), -1)
        for measure, targets in self.measures:
            if not targets and measure.baseline_value is None:
                continue  # the document gives nothing to measure against
            rng = self.rng("measure", measure.workstream.reference, measure.reference)
            performance = rng.choice(MEASURE_PERFORMANCE[self.health(measure.workstream)])
            first_target = next(
                (t.value for t in sorted(targets, key=lambda t: t.due or date.max)), None
            )
            if first_target is None and targets:
                first_target = targets[0].value
            end_value = first_target if first_target is not None else measure.baseline_value
            higher = measure.direction == "higher"
            start_value = measure.baseline_value
            if start_value is None:
                start_value = end_value * Decimal("0.85" if higher else "1.15")
            month = self.programme.starts_on
            total = max(1, months_between(self.programme.starts_on, last_month))
            user = self.user_for(measure.owner or measure.workstream.lead)
            step = 0
            while month <= last_month:
                if month == last_month and rng.random() < 0.25:
                    break  # not entered yet: it shows on its owner's My work
                target = target_for_month(targets, month)
                aim = (
                    target
                    if target is not None
                    else (start_value + (end_value - start_value) * Decimal(step) / Decimal(total))
                )
                factor = Decimal(str(performance * rng.uniform(0.985, 1.015)))
                value = aim * factor if higher else aim / factor
                if measure.unit == "percent":
                    value = min(value, Decimal(100))
                value = value.quantize(Decimal("0.1"))
                reading = MeasureReading(
                    measure=measure, period=month, value=max(value, Decimal(0)), entered_by=user
                )
                entered = at_nine(add_months(month, 1) + timedelta(days=rng.randint(1, 8)))
                self.save_at(reading, min(entered, self.now), user)
                self.readings[measure.pk].append(reading)
                month = add_months(month, 1)
                step += 1

    def suggested_at(self, workstream, moment: datetime) -> RagResult:
        """The system's suggested rating as it stood at `moment`, which the lead mostly
        follows: the one assessment, fed the plan as it stood then (DOMAIN.md section 3)."""
        as_of = timezone.localdate(moment)
        milestones, noted = [], set()
        for milestone in self._milestones_of(workstream):
            state = self.stories[milestone.pk].state_at(moment)
            then = copy(milestone)
            for name in ("forecast_date", "forecast_precision", "actual_date", "status", "at_risk"):
                setattr(then, name, state[name])
            milestones.append(then)
            if state["has_note"]:
                noted.add(milestone.pk)
        measures, targets, readings = [], [], []
        for measure, _ in self.measures:
            if measure.workstream_id != workstream.pk:
                continue
            measures.append(measure)
            targets += self.target_rows[measure.pk]
            # A month's reading is entered after the month.
            readings += [r for r in self.readings[measure.pk] if add_months(r.period, 1) <= as_of]
        return assess_workstream_from(
            workstream,
            programme=self.programme,
            as_of=as_of,
            milestones=milestones,
            milestones_with_notes=noted,
            measures=measures,
            targets=targets,
            readings=readings,
        ).suggested

    def build_status_updates(self):
        current = month_start(self.today)
        for workstream in self.workstreams.values():
            user = self.user_for(workstream.lead)
            for period in self.periods:
                rng = self.rng("update", workstream.reference, period.month)
                if period.month == current and (
                    rng.random() < 0.45 or (self.reference, workstream.reference) in UPDATE_NOT_IN
                ):
                    continue  # not in yet for the open period: it shows on My work
                submitted_on = period.cut_off - timedelta(days=rng.randint(0, 6))
                if rng.random() < 0.1:
                    submitted_on = period.cut_off + timedelta(days=rng.randint(1, 5))
                if submitted_on > self.today:
                    continue
                moment = at_nine(submitted_on) + timedelta(hours=5)
                suggested = self.suggested_at(workstream, moment)
                rag = suggested.rag
                if rag in (Rag.NO_DATA, Rag.NOT_STARTED):
                    rag = Rag.GREEN
                if rag == Rag.AMBER and rng.random() < 0.15:
                    rag = Rag.GREEN  # leads are sometimes more hopeful than the plan
                elif rag == Rag.RED and rng.random() < 0.2:
                    rag = Rag.AMBER
                # On the delivery confidence scale leads use the steps between, too.
                five_point = self.programme.rag_scale == "five"
                if five_point and rag in (Rag.RED, Rag.AMBER) and rng.random() < 0.5:
                    rag = Rag.AMBER_RED if rag == Rag.RED else Rag.AMBER_GREEN
                reason = ""
                if requires_reason(rag):
                    reason = suggested.explanation("it").split("because: ", 1)[-1]
                    reason = reason[:1].upper() + reason[1:] + "."
                update = StatusUpdate(
                    workstream=workstream,
                    period=period,
                    rag=rag,
                    reason=reason[:2000],
                    achievements=self.achievements(workstream, period),
                    planned_next=self.planned_next(workstream, period),
                    escalations=("Needs the board's help: " + reason if rag == Rag.RED else "")[
                        :4000
                    ],
                    decisions_needed=self.decisions_needed(workstream, period),
                    state=UpdateState.SUBMITTED,
                    submitted_at=moment,
                    submitted_by=user,
                )
                self.save_at(update, moment, user)

    def _milestones_of(self, workstream):
        # Asked for each workstream in each period: grouped once (the plan is built by then).
        if not hasattr(self, "_by_workstream"):
            self._by_workstream = defaultdict(list)
            for milestone in self.milestones.values():
                self._by_workstream[milestone.workstream_id].append(milestone)
        return self._by_workstream[workstream.pk]

    def achievements(self, workstream, period) -> str:
        done = [
            m
            for m in self._milestones_of(workstream)
            if m.actual_date and month_start(m.actual_date) == period.month
        ]
        if not done:
            return "Work continued on the workstream's open milestones."
        return "\n".join(f"Completed {m.reference} {m.title}." for m in done)

    def planned_next(self, workstream, period) -> str:
        next_month = add_months(period.month, 1)
        due = [
            m
            for m in self._milestones_of(workstream)
            if m.due and month_start(m.due.value) == next_month and not m.actual_date
        ]
        if not due:
            return "Continue delivery against the plan."
        return "\n".join(f"{m.reference} {m.title} (due {m.due})." for m in due)

    def decisions_needed(self, workstream, period) -> str:
        next_month = add_months(period.month, 1)
        decisions = [
            m
            for m in self._milestones_of(workstream)
            if m.kind == MilestoneKind.KEY_DECISION
            and m.due
            and month_start(m.due.value) in (period.month, next_month)
            and not (m.actual_date and m.actual_date <= period.ends_on)
        ]
        return "\n".join(
            f"{m.forum or self.programme.board_name}: {m.title} (needed by {m.due})."
            for m in decisions
        )

    def build_board_meetings_and_decisions(self):
        meetings = {}
        month = self.programme.starts_on
        while month <= self.programme.ends_on:
            held_on = second_tuesday(month)
            meeting = BoardMeeting(
                programme=self.programme,
                held_on=held_on,
                title=self.programme.board_name,
                chair=self.board_chair,
                minutes="Minutes are kept by the programme office." if held_on < self.today else "",
            )
            self.save_at(meeting, self.approved_at)
            meetings[month] = meeting
            month = add_months(month, 1)
        for milestone in self.milestones.values():
            if milestone.kind != MilestoneKind.KEY_DECISION:
                continue
            due = milestone.due
            made = milestone.actual_date is not None
            forum = milestone.forum or self.programme.board_name
            at_board = forum.lower() in (self.programme.board_name.lower(), "programme board")
            meeting = meetings.get(month_start(due.value)) if due and at_board else None
            decision = Decision(
                programme=self.programme,
                workstream=milestone.workstream,
                reference=f"D-{milestone.reference}",
                title=milestone.title[:300],
                description=f"Key decision in the plan of workstream {milestone.workstream}.",
                forum=forum[:100],
                needed_by=due.value if due else None,
                needed_by_precision=due.precision if due else DatePrecision.DAY,
                status=DecisionStatus.MADE if made else DecisionStatus.PENDING,
                made_on=milestone.actual_date,
                outcome="Agreed." if made else "",
                milestone=milestone,
                meeting=meeting,
            )
            self.save_at(decision, self.approved_at)
        for spec in self.data.get("decisions") or []:
            needed = self.shifted(spec.get("needed_by"))
            self.save_at(
                Decision(
                    programme=self.programme,
                    reference=str(spec["reference"]),
                    title=" ".join(str(spec["title"]).split())[:300],
                    forum=spec.get("forum") or self.programme.board_name,
                    needed_by=needed.value if needed else None,
                    needed_by_precision=needed.precision if needed else DatePrecision.DAY,
                    status=DecisionStatus.MADE
                    if needed and needed.value < self.today
                    else DecisionStatus.PENDING,
                    made_on=needed.value if needed and needed.value < self.today else None,
                    outcome="Agreed." if needed and needed.value < self.today else "",
                ),
                self.approved_at,
            )


def read_demo_file(file_name: str) -> dict:
    """A demo file, parsed by libyaml where PyYAML has it (ten times quicker than its Python
    parser, which took 3 of the 28 seconds `load_demo` took)."""
    safe_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load((DATA_DIR / file_name).read_text(encoding="utf-8"), Loader=safe_loader)


def ensure_demo_users():
    """One sign-in per role; existing ones are left exactly as they are. They share one
    password, hashed once (a hash is made to be slow: a third of a second each)."""
    user_model = get_user_model()
    users = {}
    password = None
    for sign_in in SIGN_INS:
        user = user_model.objects.filter(username=sign_in.username).first()
        if user is None:
            user = user_model(
                username=sign_in.username,
                is_staff=sign_in.superuser,
                is_superuser=sign_in.superuser,
            )
            password = password or make_password(settings.DEMO_PASSWORD)
            user.password = password
            user.save()
        users[sign_in.username] = user
    return users


def link_demo_people(users, spec: dict) -> None:
    """Give the demo sign-ins their people and roles (idempotent), in Harrow's organisation
    (`spec`: harrow.yaml's)."""
    harrow, _ = Organisation.objects.get_or_create(
        slug=spec["slug"], defaults={"name": spec["name"]}
    )
    for sign_in in SIGN_INS:
        if not sign_in.person_name:
            continue
        user = users[sign_in.username]
        person, _ = Person.objects.get_or_create(
            organisation=harrow,
            name=sign_in.person_name,
            defaults={
                "job_title": sign_in.job_title,
                "email": demo_email(sign_in.person_name, harrow.slug),
            },
        )
        if person.user_id is None and not hasattr(user, "person"):
            person.user = user
            person.save()
        if sign_in.portfolio_office:
            OrganisationRole.objects.get_or_create(
                person=person, organisation=harrow, role=Role.PORTFOLIO_OFFICE
            )
    for programme in Programme.objects.filter(
        organisation__slug__in=[
            "harrow",
            "east-sussex",
            "cheshire-east",
            "torbay",
            "cambridgeshire",
        ]
    ):
        for username, role in (("board", Role.BOARD_MEMBER), ("office", Role.PROGRAMME_OFFICE)):
            person = Person.objects.filter(user=users[username]).first()
            if person is not None:
                Membership.objects.get_or_create(
                    person=person,
                    role=role,
                    programme=programme,
                    area=None,
                    workstream=None,
                    defaults={"source": MembershipSource.GRANTED},
                )


def load_approved_reports(
    programme: Programme, *, approver, log=print, approve: bool = True
) -> list:
    """The programme's last closed period's highlight report, and its exception report where
    there are exceptions, rendered for real (reporting's build, WeasyPrint) and approved by
    the programme office, so that a board member finds them on day one. The board counts as
    told (recorded, no email sent). Nothing if the period has reports already. With
    `approve=False` the reports are made but wait for the programme office's approval."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from reporting.models import BoardDistribution, ReportKind, ReportRun, RunStatus, RunTrigger
    from reporting.reports import has_exceptions
    from reporting.tasks import build_pdf

    period = (
        ReportingPeriod.objects.filter(programme=programme, status=PeriodStatus.CLOSED)
        .order_by("-month")
        .first()
    )
    if period is None or ReportRun.objects.filter(period=period).exists():
        return []
    kinds = [ReportKind.HIGHLIGHT]
    if has_exceptions(programme, period):
        kinds.append(ReportKind.EXCEPTION)
    runs = []
    for kind in kinds:
        run = ReportRun.objects.create(
            programme=programme,
            period=period,
            kind=kind,
            version=1,
            trigger=RunTrigger.SCHEDULED,
            notify_board=True,
            # Recorded as finished and approved before it is drawn, so that the cover says
            # by whom and when; the file (named here) is saved just after.
            status=RunStatus.DONE,
            file=f"reports/{programme.reference}/{period.month:%Y-%m}/{kind}-v1.pdf",
            attempts=1,
            started_at=timezone.now(),
            approved_at=timezone.now() if approve else None,
            approved_by=approver if approve else None,
        )
        started = timezone.now()
        pdf = build_pdf(run)
        name = default_storage.save(
            f"reports/{programme.reference}/{period.month:%Y-%m}/{run.filename}",
            ContentFile(pdf.content),
        )
        finished = timezone.now()
        run.status = RunStatus.DONE
        run.file = name
        run.size_bytes = len(pdf.content)
        run.checksum = hashlib.sha256(pdf.content).hexdigest()
        run.pages = pdf.pages
        run.finished_at = finished
        run.duration_ms = int((finished - started).total_seconds() * 1000)
        run.approved_at = finished if approve else None
        run.approved_by = approver if approve else None
        run._history_user = approver
        run.save()
        runs.append(run)
    if not approve:
        log(f"  {programme.name}: {len(runs)} report(s) for {period.label} awaiting approval")
        return runs
    distribution = BoardDistribution.objects.create(
        programme=programme, period=period, made_by=approver, emailed_at=timezone.now()
    )
    distribution.runs.set(runs)
    log(f"  {programme.name}: {len(runs)} approved report(s) for {period.label}")
    return runs


def load_demo(
    *, today: date | None = None, log=print, reports: str | None = "all"
) -> list[Programme]:
    """Create the five demo programmes that are not there yet, with approved reports for
    their last closed period ("all"; "harrow": only Harrow's; None: none). Running it again
    changes nothing."""
    today = today or timezone.localdate()
    users = ensure_demo_users()
    harrow = read_demo_file("harrow.yaml")["organisation"]
    created = []
    stories: dict[int, dict] = {}
    for file_name in FILES:
        data = read_demo_file(file_name)
        organisation_slug = data["organisation"]["slug"]
        reference = data["programme"]["reference"]
        if Programme.objects.filter(
            organisation__slug=organisation_slug, reference=reference
        ).exists():
            log(f"  {data['programme']['name']}: already loaded, left as it is")
            continue
        with transaction.atomic():
            link_demo_people(users, harrow)
            builder = ProgrammeBuilder(data, today=today, office_user=users["office"], log=log)
            builder.office_person = Person.objects.filter(user=users["office"]).first()
            builder.board_chair = Person.objects.filter(user=users["board"]).first()
            programme = builder.build()
            builder.play_history()
        created.append(programme)
        stories[programme.pk] = data
        log(
            f"  {programme.name}: loaded, moved {builder.shift_years} years to run "
            f"{programme.starts_on:%b %Y} to {programme.ends_on:%b %Y}"
        )
    link_demo_people(users, harrow)
    for programme in created:
        # The governance story is told through the services, which check the sign-ins' roles:
        # after the roles are given.
        with transaction.atomic():
            tell_story(programme, users=users, today=today, data=stories[programme.pk])
    if reports:
        for programme in created:
            if reports == "all" or programme.organisation.slug == reports:
                with transaction.atomic():
                    load_approved_reports(
                        programme,
                        approver=users["office"],
                        log=log,
                        approve=programme.reference not in REPORTS_AWAITING_APPROVAL,
                    )
                if programme.reference == "HARROW-TPP":
                    load_board_pack(programme, by=users["office"], today=today, log=log)
    return created


def load_board_pack(programme: Programme, *, by, today: date, log=print):
    """The board pack of the programme's last meeting held, made for real (the agenda,
    minutes, actions, change requests, approved reports and papers in one PDF)."""
    from reporting.board_pack import make_pack, request_pack
    from reporting.models import BoardPack

    meeting = (
        BoardMeeting.objects.filter(programme=programme, held_on__lt=today)
        .order_by("-held_on")
        .first()
    )
    if meeting is None or BoardPack.objects.filter(meeting=meeting).exists():
        return None
    pack = request_pack(meeting, by=by)
    make_pack(pack.pk)  # made already where tasks run at once: then this does nothing
    pack.refresh_from_db()
    log(f"  {programme.name}: board pack for {meeting} ({pack.get_status_display()})")
    return pack
