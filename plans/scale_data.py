"""Synthetic data at the size of a large portfolio, for measuring pages and reports at scale
(docs/benchmarks.md; `manage.py generate_scale_data`).

`generate_scale_data` builds programmes that are in flight today (each started two thirds of
the way through its months), with programme areas, workstreams, milestones, risks, measures
with targets and monthly readings, status updates for the last twelve closed periods, budget
lines, funding, people with their memberships, board meetings and decisions. Everything comes
from one seed, so a run on a given day is repeatable.

It writes with bulk inserts, never per-row saves. History records are written beside the rows,
one per change, each with the date the change happened (`_history_date`): milestones are
started, re-forecast, flagged at risk, re-baselined and completed, and risks are re-scored and
closed, across the programme's life and especially its last twelve months, so that "as at the
end of a period" views (django-simple-history's `as_of`) show what was true then.

Bulk inserts skip `save()` and the post_save signals, so this module does what they would:
every reference gets its sort key (`reference_sort_key`), and the plan's sponsors, project
managers and leads get their memberships with source "plan".

Organisations are made for the data set and named after their prefix ("Ashworth Borough
Council (SCALE)", slug "scale--ashworth"); programme references are "<prefix>-<n>". That is how
`delete_scale_data` finds what to remove.
"""

from __future__ import annotations

import copy
import math
import random
import re
import time as clock
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, models, transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from programmes.choices import (
    DatePrecision,
    MembershipSource,
    ObjectiveLevel,
    PeriodStatus,
    Rag,
    RagScale,
    Role,
)
from programmes.dates import FinancialYear, PlanDate, add_months, month_end, month_start
from programmes.models import (
    Funding,
    Membership,
    Objective,
    Organisation,
    OutcomeCategory,
    Person,
    Programme,
    ProgrammeArea,
    ReportingPeriod,
)
from programmes.references import reference_sort_key
from programmes.rules import RagResult, requires_reason
from risks.models import (
    BoardMeeting,
    Decision,
    DecisionStatus,
    Issue,
    IssueAction,
    IssueSeverity,
    IssueStatus,
    MitigationAction,
    Risk,
    RiskCategory,
    RiskKind,
    RiskResponse,
    RiskStatus,
)
from risks.rules import risk_score
from workstreams.assessment import assess_workstream_from
from workstreams.models import (
    BaselineChange,
    BudgetLine,
    Direction,
    Measure,
    MeasureReading,
    MeasureTarget,
    MeasureUnit,
    Milestone,
    MilestoneKind,
    MilestoneStatus,
    ProgressNote,
    StatusUpdate,
    UpdateState,
    Workstream,
)
from workstreams.rules import Target, needs_variance_explanation, target_for_month

BATCH_SIZE = 1000
AREAS_PER_PROGRAMME = 5
PROGRAMMES_PER_ORGANISATION = 4
PERIODS_WITH_UPDATES = 12
HISTORY_WINDOW_DAYS = 365
RISK_CHANGING_FIELDS = (
    "current_likelihood",
    "current_impact",
    "escalated",
    "review_date",
    "status",
    "closing_reason",
)

# --------------------------------------------------------------------------------------------
# The size, the result, and the entry points
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScaleSize:
    """How much to make: programmes; per programme, workstreams, risks and measures; per
    workstream, milestones; and each programme's length in months (also the number of monthly
    readings of each measure)."""

    programmes: int = 20
    workstreams: int = 40
    milestones: int = 25
    risks: int = 150
    measures: int = 50
    months: int = 36

    def __post_init__(self):
        for name in ("programmes", "workstreams", "milestones", "risks", "measures"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.months < 2:
            raise ValueError("months must be at least 2, so that a programme has a past")

    @property
    def elapsed_months(self) -> int:
        """How long ago each programme started: two thirds of its length (24 of 36 months)."""
        return min(self.months - 1, max(1, round(self.months * 2 / 3)))


DEFAULT_SIZE = ScaleSize()


class ScaleDataExists(Exception):
    """Scale data with this prefix is already there; `replace` deletes it first."""


@dataclass
class ScaleSummary:
    prefix: str
    counts: Counter = field(default_factory=Counter)
    history_records: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        """ "Created 20 programmes, 800 workstreams, ... with prefix SCALE in 84.2 s"."""
        shown = [
            ("programmes", "programmes"),
            ("areas", "programme areas"),
            ("workstreams", "workstreams"),
            ("milestones", "milestones"),
            ("risks", "risks"),
            ("measures", "measures"),
            ("readings", "readings"),
            ("periods", "reporting periods"),
            ("status_updates", "status updates"),
            ("budget_lines", "budget lines"),
            ("people", "people"),
            ("memberships", "memberships"),
            ("board_meetings", "board meetings"),
            ("decisions", "decisions"),
        ]
        parts = ", ".join(f"{self.counts[key]:,} {label}" for key, label in shown)
        return (
            f"Created {parts} and {self.history_records:,} history records "
            f"with prefix {self.prefix} in {self.seconds:.1f} s"
        )


def programme_reference(prefix: str, number: int) -> str:
    return f"{prefix}-{number}"


def organisation_slug_prefix(prefix: str) -> str:
    return f"{slugify(prefix)}--"


def scale_programmes(prefix: str) -> models.QuerySet:
    """The programmes made with this prefix: references "<prefix>-<number>"."""
    return Programme.objects.filter(reference__regex=rf"^{re.escape(prefix)}-[0-9]+$")


def scale_organisations(prefix: str) -> models.QuerySet:
    return Organisation.objects.filter(slug__startswith=organisation_slug_prefix(prefix))


def validate_prefix(prefix: str) -> None:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]{0,19}", prefix or ""):
        raise ValueError("The prefix is 1 to 20 letters and digits, starting with a letter")


def generate_scale_data(
    size: ScaleSize = DEFAULT_SIZE,
    *,
    seed: int = 1,
    prefix: str = "SCALE",
    replace: bool = False,
    today: date | None = None,
    log: Callable[[str], object] | None = None,
) -> ScaleSummary:
    """Build the data set in one transaction. Refuses (ScaleDataExists) if data with this
    prefix is there, unless `replace`, which deletes it first."""
    validate_prefix(prefix)
    started = clock.perf_counter()
    today = today or timezone.localdate()
    now = timezone.now()
    summary = ScaleSummary(prefix=prefix)
    with transaction.atomic():
        existing = scale_programmes(prefix).count()
        if existing or scale_organisations(prefix).exists():
            if not replace:
                raise ScaleDataExists(
                    f"Scale data with prefix {prefix} is already there ({existing} programmes); "
                    "use --replace to delete it and generate it again, or another --prefix."
                )
            delete_scale_data(prefix)
        categories = list(OutcomeCategory.objects.order_by("position"))
        organisations = build_organisations(size, prefix, seed, today, now, summary)
        for index in range(size.programmes):
            organisation, objectives, names = organisations[index // PROGRAMMES_PER_ORGANISATION]
            ProgrammeBuilder(
                number=index + 1,
                organisation=organisation,
                objectives=objectives,
                names=names,
                categories=categories,
                size=size,
                prefix=prefix,
                rng=random.Random(f"{seed}:{prefix}:{index}"),
                today=today,
                now=now,
                summary=summary,
            ).build()
            if log is not None:
                log(f"  {programme_reference(prefix, index + 1)} done")
    analyze_database()
    summary.seconds = clock.perf_counter() - started
    return summary


def analyze_database() -> None:
    """Gather the planner's statistics after a bulk load (`ANALYZE`, on PostgreSQL and
    SQLite), outside the transaction that loaded the rows: a server without autovacuum would
    otherwise plan every query with no statistics at all (issue 17: one query took 69 ms
    instead of 4 ms). The generator and `manage.py bench` both call it."""
    if connection.vendor in ("postgresql", "sqlite"):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def delete_scale_data(prefix: str) -> int:
    """Delete the programmes, organisations and people made with this prefix, with the history
    records of everything the generator makes, so that a replaced data set leaves no trace.
    Rows of other kinds that hang off these programmes go by the usual cascade. Returns how
    many programmes went."""
    programme_ids = list(scale_programmes(prefix).values_list("pk", flat=True))
    organisations = scale_organisations(prefix)
    in_programmes = [
        (Programme, "pk__in"),
        (ProgrammeArea, "programme__in"),
        (Workstream, "programme__in"),
        (Milestone, "workstream__programme__in"),
        (BaselineChange, "milestone__workstream__programme__in"),
        (ProgressNote, "milestone__workstream__programme__in"),
        (Measure, "workstream__programme__in"),
        (MeasureTarget, "measure__workstream__programme__in"),
        (MeasureReading, "measure__workstream__programme__in"),
        (StatusUpdate, "workstream__programme__in"),
        (BudgetLine, "workstream__programme__in"),
        (Membership, "programme__in"),
        (Funding, "programme__in"),
        (ReportingPeriod, "programme__in"),
        (Risk, "programme__in"),
        (MitigationAction, "risk__programme__in"),
        (Issue, "programme__in"),
        (IssueAction, "issue__programme__in"),
        (BoardMeeting, "programme__in"),
        (Decision, "programme__in"),
    ]
    for model, lookup in in_programmes:
        _delete_history_of(model.objects.filter(**{lookup: programme_ids}))
    for model in (Person, Objective):
        _delete_history_of(model.objects.filter(organisation__in=organisations))
    _delete_history_of(organisations)
    # The history is gone already: deleting the rows must not write "deleted" records.
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        Programme.objects.filter(pk__in=programme_ids).delete()
        Person.objects.filter(organisation__in=organisations).delete()
        for level in (ObjectiveLevel.SERVICE, ObjectiveLevel.DIRECTORATE, ObjectiveLevel.CORPORATE):
            Objective.objects.filter(organisation__in=organisations, level=level).delete()
        organisations.delete()
    return len(programme_ids)


def _delete_history_of(queryset: models.QuerySet) -> None:
    history = queryset.model.history.model
    records = history.objects.filter(id__in=queryset.values("pk"))
    for m2m_field in getattr(history, "_history_m2m_fields", []):
        m2m_history = getattr(history, m2m_field.name).model
        m2m_history.objects.filter(history__in=records.values("history_id")).delete()
    records.delete()


# --------------------------------------------------------------------------------------------
# Words: names of places, people, programmes, workstreams, milestones, risks and measures
# --------------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


PLACES = [
    ("Ashworth", "Borough Council"),
    ("Brackenfield", "County Council"),
    ("Castlebridge", "City Council"),
    ("Dunmore", "District Council"),
    ("Elmsbury", "Borough Council"),
    ("Fernleigh", "County Council"),
    ("Greystone", "City Council"),
    ("Hollowmere", "District Council"),
    ("Kingsmead", "Borough Council"),
    ("Larchfield", "County Council"),
]
FIRST_NAMES = _words(
    "Aisha Alan Amira Andrew Anne Ben Bernadette Carl Caroline Chloe Daniel Deborah Dev "
    "Eleanor Emma Farah Fiona Gareth Grace Hannah Harpreet Ian Imran Jane Jasmine John Karen "
    "Kwame Laura Liam Margaret Mark Mei Michael Nadia Neil Olivia Owen Priya Rachel Rhys Ruth "
    "Sam Sarah Simon Sophie Tariq Tom Yvonne Zoe"
)
LAST_NAMES = _words(
    "Adams Ahmed Bailey Begum Bennett Brown Campbell Chowdhury Clarke Davies Edwards Evans "
    "Fisher Green Hall Harris Hughes Hussain Jackson James Jones Kaur Khan Lewis Martin "
    "Mitchell Morgan Murphy Nowak Okafor Owen Patel Phillips Price Roberts Robinson Shah "
    "Singh Smith Taylor Thomas Thompson Turner Walker Ward Watson White Williams Wilson "
    "Wright"
)
TEAMS = [
    "Senior Management Team",
    "Commissioning Team",
    "Customer Services Team",
    "ICT Service Desk",
    "Finance Business Partners",
    "Day Services Team",
    "Housing Options Team",
    "Performance and Intelligence Team",
]
PARTNERS = [
    "Capita",
    "Age UK",
    "NHS Integrated Care Board",
    "Carers' Centre",
    "Housing Association",
    "Mind",
]
PROGRAMME_THEMES = [
    "Adult Social Care Transformation Programme",
    "Housing and Homelessness Programme",
    "Digital Council Programme",
    "Children's Services Improvement Programme",
    "Community Health and Wellbeing Programme",
    "Customer Access Programme",
    "Prevention and Early Help Programme",
    "Waste and Environment Modernisation Programme",
]
AREA_NAMES = [
    "Continuous Improvement in Community Services",
    "Accommodation and Housing",
    "Prevention and Early Help",
    "Workforce and Culture",
    "Digital and Data",
    "Commissioning and Markets",
    "Customer Access",
    "Health Integration",
    "Assets and Estates",
    "Income and Efficiency",
]
WORKSTREAM_VERBS = [
    "Modernising",
    "Redesigning",
    "Integrating",
    "Recommissioning",
    "Digitising",
    "Reviewing",
    "Expanding",
    "Transforming",
]
WORKSTREAM_SUBJECTS = [
    "Day Opportunities",
    "Home Care",
    "Extra Care Housing",
    "Carers' Support",
    "Direct Payments",
    "Reablement",
    "Learning Disability Services",
    "Mental Health Pathways",
    "Transport",
    "Community Equipment",
    "Telecare",
    "Customer Contact",
    "the Case Management System",
    "Supported Living",
    "Hospital Discharge",
    "Safeguarding Practice",
    "Financial Assessments",
    "Information and Advice",
]
MILESTONE_TITLES = [
    "Project initiation document signed off",
    "Options appraisal complete",
    "Staff consultation meetings",
    "Equality impact assessment complete",
    "Stakeholder engagement events held",
    "Procurement exercise launched",
    "Contract awarded",
    "Pilot begins",
    "Pilot evaluated",
    "Training delivered to front-line staff",
    "System configured and tested",
    "Data migration complete",
    "Service goes live",
    "Benefits realisation review",
    "Post-implementation review",
]
KEY_DECISIONS = [
    ("Approval of the business case", "Cabinet"),
    ("Decision on the preferred option", "Programme Board"),
    ("Approval to consult on changes to the service", "Cabinet"),
    ("Agreement of the commissioning strategy", "Health and Wellbeing Board"),
    ("Approval of the revised charging policy", "Cabinet"),
    ("Go / no-go decision for go-live", "Programme Board"),
]
DELIVERABLES = [
    "Needs analysis report",
    "Commissioning strategy",
    "Communications plan",
    "Training plan",
    "Service specification",
    "Business case",
]
RISK_TEXTS = [
    (
        "Partner capacity",
        "Partners are stretched by winter pressures",
        "Partners cannot release staff for the redesign",
        "Delivery slips and benefits are delayed",
        RiskCategory.PARTNERSHIP,
    ),
    (
        "Recruitment of care workers",
        "The local labour market is tight",
        "Vacancies in the new service cannot be filled",
        "The service cannot open at full capacity",
        RiskCategory.WORKFORCE,
    ),
    (
        "Savings not realised",
        "Demand is rising faster than planned",
        "The planned savings are not achieved",
        "A budget gap in the medium-term financial plan",
        RiskCategory.FINANCIAL,
    ),
    (
        "Supplier delay",
        "The supplier depends on a national product release",
        "The system is delivered late",
        "Go-live moves and temporary arrangements continue",
        RiskCategory.TECHNOLOGY,
    ),
    (
        "Legal challenge to consultation",
        "Changes to services affect protected groups",
        "The consultation is challenged by judicial review",
        "Decisions are delayed and costs are incurred",
        RiskCategory.LEGAL,
    ),
    (
        "Public opposition",
        "Users and carers value the current service",
        "There is organised opposition to the change",
        "Reputational damage and political pressure to pause",
        RiskCategory.REPUTATIONAL,
    ),
    (
        "Data quality",
        "Records in the legacy system are incomplete",
        "Migrated data is wrong",
        "Payments and assessments are delayed",
        RiskCategory.OPERATIONAL,
    ),
    (
        "Staff resistance",
        "Staff are anxious about new ways of working",
        "New practice is not adopted",
        "Benefits of the redesign are not realised",
        RiskCategory.INTERNAL,
    ),
    (
        "Change in national policy",
        "Government is reviewing the funding formula",
        "Grant funding is reduced or redirected",
        "Parts of the programme must be re-scoped",
        RiskCategory.EXTERNAL,
    ),
]
OPPORTUNITY_TEXTS = [
    (
        "Shared procurement with neighbours",
        "Neighbouring councils are procuring the same service",
        "A joint procurement lowers unit costs",
        "Savings above plan",
        RiskCategory.PARTNERSHIP,
    ),
    (
        "National funding bid",
        "A national fund has opened for digital projects",
        "The bid succeeds",
        "Extra capacity for the programme",
        RiskCategory.FINANCIAL,
    ),
]
CLOSING_REASONS = [
    "Mitigation complete; the risk no longer applies.",
    "The milestone it threatened has been delivered.",
    "Merged into a programme-level risk.",
    "The partner has confirmed capacity for the year.",
]
MEASURES = [
    ("Percentage of adults receiving self-directed support", MeasureUnit.PERCENT, Direction.HIGHER),
    ("Delayed transfers of care per month", MeasureUnit.NUMBER, Direction.LOWER),
    ("Average days from referral to assessment", MeasureUnit.DAYS, Direction.LOWER),
    ("People supported to live independently", MeasureUnit.NUMBER, Direction.HIGHER),
    ("Average weekly cost of a care package", MeasureUnit.POUNDS, Direction.LOWER),
    ("Carers receiving a needs assessment", MeasureUnit.PERCENT, Direction.HIGHER),
    ("Customer satisfaction with the service", MeasureUnit.PERCENT, Direction.HIGHER),
    ("Emergency readmissions within 30 days", MeasureUnit.PERCENT, Direction.LOWER),
    ("Contacts resolved at first point of contact", MeasureUnit.PERCENT, Direction.HIGHER),
    ("Households in temporary accommodation", MeasureUnit.NUMBER, Direction.LOWER),
]
OUTCOME_TEXTS = [
    "More people live independently at home for longer.",
    "People have more choice and control over the support they receive.",
    "Carers are supported to continue caring.",
    "Services are easier to reach and quicker to respond.",
]


@dataclass(frozen=True)
class Health:
    """How a workstream goes, so that problems cluster as they do in real programmes: most
    on track, some with issues, a few in trouble (as in the demo's story, programmes/demo.py).
    """

    share: float  # of workstreams
    on_time: float  # share of past milestones completed by their baseline; the rest late
    slip_days: tuple[int, int]  # how far late ones were re-forecast, and then completed
    open_problems: float  # share of recently due ones still open: re-forecast, or overdue
    problem_window_days: int  # how recent "recently due" is
    future_slip: float  # share of coming milestones re-forecast
    future_slip_days: tuple[int, int]
    at_risk: float  # share of coming milestones flagged at risk
    measure_performance: tuple[float, float]  # actual / target


ON_TRACK, SOME_ISSUES, IN_TROUBLE = "on track", "some issues", "in trouble"
HEALTHS = {
    ON_TRACK: Health(0.6, 0.93, (5, 25), 0.0, 0, 0.02, (7, 25), 0.02, (1.01, 1.05)),
    SOME_ISSUES: Health(0.28, 0.75, (8, 40), 0.05, 90, 0.1, (7, 28), 0.06, (0.965, 1.0)),
    IN_TROUBLE: Health(0.12, 0.55, (10, 60), 0.35, 200, 0.25, (20, 90), 0.1, (0.85, 0.94)),
}
# Likelihood and impact from 1 to 5, most often in the middle.
SCORE_WEIGHTS = [0.08, 0.24, 0.36, 0.23, 0.09]


def at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def second_tuesday(month: date) -> date:
    day = month_start(month)
    while day.weekday() != 1:
        day += timedelta(days=1)
    return day + timedelta(days=7)


def working_day_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def financial_years(starts: date, ends: date) -> list[int]:
    first = FinancialYear.containing(starts).start_year
    last = FinancialYear.containing(ends).start_year
    return list(range(first, last + 1))


class UniqueNames:
    """People's names, unique within one organisation (the database insists)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def person(self) -> str:
        for _ in range(50):
            name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
            if name not in self.used:
                self.used.add(name)
                return name
        return self._numbered(f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}")

    def team(self) -> str:
        name = self.rng.choice(TEAMS)
        for qualifier in ("", "North ", "South ", "East ", "West ", "Central "):
            if f"{qualifier}{name}" not in self.used:
                self.used.add(f"{qualifier}{name}")
                return f"{qualifier}{name}"
        return self._numbered(name)

    def _numbered(self, name: str) -> str:
        number = 2
        while f"{name} {number}" in self.used:
            number += 1
        self.used.add(f"{name} {number}")
        return f"{name} {number}"


def email_for(name: str, organisation: Organisation) -> str:
    local = ".".join(re.sub(r"[^a-z0-9]", "", part) for part in name.lower().split())
    return f"{local}@{organisation.slug.replace('--', '-')}.example.org"


def bulk_with_history(model, objects: list, summary: ScaleSummary, when: datetime | None = None):
    """Insert rows and their creation records ("+"), dated `when` or each row's own
    `_history_date`."""
    if not objects:
        return objects
    created = bulk_create_with_history(objects, model, batch_size=BATCH_SIZE, default_date=when)
    summary.history_records += len(created)
    return created


def bulk_changes(model, snapshots: list, summary: ScaleSummary) -> None:
    """Insert change records ("~"): copies of rows as they were after each change, each with
    its `_history_date`."""
    if snapshots:
        model.history.bulk_history_create(snapshots, batch_size=BATCH_SIZE, update=True)
        summary.history_records += len(snapshots)


def snapshot(instance, when: datetime, **changes):
    """A copy of a row as it stood after a change, for its history record."""
    copied = copy.copy(instance)
    for name, value in changes.items():
        setattr(copied, name, value)
    copied._history_date = when
    return copied


def build_organisations(size, prefix, seed, today, now, summary):
    """A few councils, each with a golden thread of objectives; four programmes each."""
    rng = random.Random(f"{seed}:{prefix}:organisations")
    count = math.ceil(size.programmes / PROGRAMMES_PER_ORGANISATION)
    earliest = min(at(add_months(month_start(today), -size.elapsed_months)), now)
    organisations = []
    for index in range(count):
        place, kind = PLACES[index % len(PLACES)]
        if index >= len(PLACES):
            place = f"{place} {index // len(PLACES) + 1}"
        organisations.append(
            Organisation(
                name=f"{place} {kind} ({prefix})",
                slug=(organisation_slug_prefix(prefix) + slugify(place))[:60],
            )
        )
    bulk_with_history(Organisation, organisations, summary, earliest)
    result = []
    for organisation in organisations:
        objectives = build_objectives(organisation, earliest, summary)
        result.append((organisation, objectives, UniqueNames(rng)))
    return result


def build_objectives(organisation, when, summary) -> list[Objective]:
    """Two corporate objectives, each with directorate objectives and service objectives: the
    golden thread that workstreams serve (DOMAIN.md section 1)."""
    corporate = [
        Objective(
            organisation=organisation,
            level=ObjectiveLevel.CORPORATE,
            reference=f"CP-0{number}",
            sort_key=reference_sort_key(f"CP-0{number}"),
            title=title,
        )
        for number, title in (
            (1, "People live healthy, independent lives"),
            (2, "A modern council that is easy to deal with"),
        )
    ]
    bulk_with_history(Objective, corporate, summary, when)
    directorate = []
    for parent in corporate:
        for number in (1, 2):
            reference = f"D{parent.reference[-1]}0{number}"
            directorate.append(
                Objective(
                    organisation=organisation,
                    level=ObjectiveLevel.DIRECTORATE,
                    reference=reference,
                    sort_key=reference_sort_key(reference),
                    title=f"Directorate objective {reference} towards {parent.reference}",
                    parent=parent,
                )
            )
    bulk_with_history(Objective, directorate, summary, when)
    service = []
    for parent in directorate:
        for number in (1, 2):
            reference = f"S{parent.reference[1:]}.{number}"
            service.append(
                Objective(
                    organisation=organisation,
                    level=ObjectiveLevel.SERVICE,
                    reference=reference,
                    sort_key=reference_sort_key(reference),
                    title=f"Service objective {reference} towards {parent.reference}",
                    parent=parent,
                )
            )
    bulk_with_history(Objective, service, summary, when)
    return service


# --------------------------------------------------------------------------------------------
# One programme
# --------------------------------------------------------------------------------------------


@dataclass
class MilestonePlan:
    """A milestone and what happens to it: dated changes applied in order."""

    milestone: Milestone
    initial: dict
    events: list[tuple[datetime, dict]] = field(default_factory=list)
    notes: list[tuple[datetime, str]] = field(default_factory=list)
    rebaseline: tuple[datetime, date, date] | None = None  # when, from, to

    def state_at(self, moment: datetime) -> dict:
        state = dict(self.initial)
        for when, changes in self.events:
            if when > moment:
                break
            state.update(changes)
        return state


class ProgrammeBuilder:
    """Builds one programme: the plan as approved at its start, then what happened since."""

    def __init__(
        self,
        *,
        number: int,
        organisation: Organisation,
        objectives: list[Objective],
        names: UniqueNames,
        categories: list[OutcomeCategory],
        size: ScaleSize,
        prefix: str,
        rng: random.Random,
        today: date,
        now: datetime,
        summary: ScaleSummary,
    ):
        self.number = number
        self.organisation = organisation
        self.objectives = objectives
        self.names = names
        self.categories = categories
        self.size = size
        self.prefix = prefix
        self.rng = rng
        self.today = today
        self.now = now
        self.summary = summary
        self.starts_on = add_months(month_start(today), -size.elapsed_months)
        self.ends_on = month_end(add_months(self.starts_on, size.months - 1))
        self.approved_at = at(self.starts_on)
        self.tolerance_days = 30
        self.health: dict[int, str] = {}
        self.plans: dict[int, list[MilestonePlan]] = defaultdict(list)
        self.readings: dict[int, list[MeasureReading]] = defaultdict(list)
        self.measures: dict[int, list[tuple[Measure, list[Target]]]] = defaultdict(list)
        self.target_rows: dict[int, list[MeasureTarget]] = defaultdict(list)

    # ----- helpers -----
    def when(self, moment: datetime) -> datetime:
        """Nothing happens before the plan is approved, nor after now."""
        return min(max(moment, self.approved_at), self.now)

    def count(self, key: str, amount: int) -> None:
        self.summary.counts[key] += amount

    def day_between(self, first: date, last: date) -> date:
        if last <= first:
            return first
        return first + timedelta(days=self.rng.randint(0, (last - first).days))

    def score(self) -> int:
        return self.rng.choices(range(1, 6), weights=SCORE_WEIGHTS)[0]

    def build(self) -> Programme:
        self.build_people()
        self.build_programme()
        self.build_areas()
        self.build_workstreams()
        self.build_memberships()
        self.build_milestones()
        self.build_measures()
        self.build_periods_and_updates()
        self.build_budget()
        self.build_risks()
        self.build_meetings_and_decisions()
        return self.programme

    # ----- people -----
    def new_person(self, name: str, job_title: str = "", **extra) -> Person:
        return Person(
            organisation=self.organisation,
            name=name,
            job_title=job_title,
            email=email_for(name, self.organisation),
            **extra,
        )

    def build_people(self):
        names, theme = self.names, PROGRAMME_THEMES[(self.number - 1) % len(PROGRAMME_THEMES)]
        self.theme = theme
        self.sro = self.new_person(names.person(), "Corporate Director")
        self.chair = self.new_person(names.person(), "Cabinet Member and Board Chair")
        self.office = self.new_person(names.person(), "Programme Office Manager")
        self.sponsors = [self.new_person(names.person(), "Director") for _ in range(3)]
        self.managers = [
            self.new_person(names.person(), "Programme Manager")
            for _ in range(min(AREAS_PER_PROGRAMME, self.size.workstreams))
        ]
        self.leads = []
        for _ in range(max(1, math.ceil(self.size.workstreams * 0.7))):
            roll = self.rng.random()
            if roll < 0.08:
                self.leads.append(self.new_person(names.team(), is_team=True))
            elif roll < 0.18:
                self.leads.append(
                    self.new_person(
                        names.person(), "Service Manager", employer=self.rng.choice(PARTNERS)
                    )
                )
            else:
                self.leads.append(
                    self.new_person(
                        names.person(), self.rng.choice(["Head of Service", "Service Manager"])
                    )
                )
        people = [self.sro, self.chair, self.office, *self.sponsors, *self.managers, *self.leads]
        bulk_with_history(Person, people, self.summary, self.approved_at)
        self.count("people", len(people))

    # ----- the plan -----
    def build_programme(self):
        five_point = self.number % 4 == 0
        reference = programme_reference(self.prefix, self.number)
        overall = ""
        if self.number % 3 == 0:
            overall = Rag.AMBER_GREEN if five_point else Rag.AMBER
        self.programme = Programme(
            organisation=self.organisation,
            reference=reference,
            sort_key=reference_sort_key(reference),
            name=f"{self.theme} {self.number}",
            description="Synthetic programme for measuring the application at scale.",
            source="Generated by manage.py generate_scale_data",
            starts_on=self.starts_on,
            ends_on=self.ends_on,
            rag_scale=RagScale.FIVE_POINT if five_point else RagScale.THREE_POINT,
            senior_responsible_owner=self.sro,
            overall_rag=overall,
            overall_commentary=(
                "Delivery is broadly on track; the board is watching recruitment and the "
                "supplier's timetable."
                if overall
                else ""
            ),
            time_tolerance_days=self.tolerance_days,
        )
        bulk_with_history(Programme, [self.programme], self.summary, self.approved_at)
        self.count("programmes", 1)

    def build_areas(self):
        count = min(AREAS_PER_PROGRAMME, self.size.workstreams)
        names = self.rng.sample(AREA_NAMES, count)
        self.areas = [
            ProgrammeArea(
                programme=self.programme,
                reference=str(number),
                sort_key=reference_sort_key(str(number)),
                name=name,
                aim=f"Deliver the {name.lower()} changes of the programme.",
                sponsor=self.sponsors[(number - 1) % len(self.sponsors)],
                project_manager=self.managers[number - 1],
            )
            for number, name in enumerate(names, start=1)
        ]
        bulk_with_history(ProgrammeArea, self.areas, self.summary, self.approved_at)
        self.count("areas", len(self.areas))

    def area_sizes(self) -> list[int]:
        """Workstreams per area: uneven, as in real plans, and at least one each."""
        total, count = self.size.workstreams, len(self.areas)
        weights = [self.rng.uniform(0.5, 1.5) for _ in range(count)]
        sizes = [1 + int((total - count) * weight / sum(weights)) for weight in weights]
        for index in range(total - sum(sizes)):
            sizes[index % count] += 1
        return sizes

    def build_workstreams(self):
        self.workstreams: list[Workstream] = []
        lead_pool = list(self.leads)
        self.rng.shuffle(lead_pool)
        for area, count in zip(self.areas, self.area_sizes(), strict=True):
            for number in range(1, count + 1):
                reference = f"{area.reference}.{number}"
                lead = lead_pool[len(self.workstreams) % len(lead_pool)]
                self.workstreams.append(
                    Workstream(
                        programme=self.programme,
                        area=area,
                        reference=reference,
                        sort_key=reference_sort_key(reference),
                        name=(
                            f"{self.rng.choice(WORKSTREAM_VERBS)} "
                            f"{self.rng.choice(WORKSTREAM_SUBJECTS)}"
                        ),
                        outcomes=self.rng.choice(OUTCOME_TEXTS),
                        lead=lead,
                        objective=self.rng.choice(self.objectives),
                        funding_notes="Funded from the transformation reserve.",
                    )
                )
        bulk_with_history(Workstream, self.workstreams, self.summary, self.approved_at)
        self.count("workstreams", len(self.workstreams))
        for workstream in self.workstreams:
            self.health[workstream.pk] = self.rng.choices(
                list(HEALTHS), weights=[health.share for health in HEALTHS.values()]
            )[0]
        # Links without history of their own, as a plan import would make them.
        supported = Workstream.supported_by.through
        categories = Workstream.outcome_categories.through
        depends = Workstream.depends_on.through
        supporters, outcomes, dependencies = [], [], []
        for workstream in self.workstreams:
            if self.rng.random() < 0.3:
                supporters.append(
                    supported(workstream=workstream, person=self.rng.choice(self.managers))
                )
            for category in self.rng.sample(
                self.categories, min(len(self.categories), self.rng.randint(1, 2))
            ):
                outcomes.append(categories(workstream=workstream, outcomecategory=category))
            others = [w for w in self.workstreams if w.area_id != workstream.area_id]
            if others and self.rng.random() < 0.15:
                dependencies.append(
                    depends(from_workstream=workstream, to_workstream=self.rng.choice(others))
                )
        for through, rows in (
            (supported, supporters),
            (categories, outcomes),
            (depends, dependencies),
        ):
            through.objects.bulk_create(rows, batch_size=BATCH_SIZE)

    def build_memberships(self):
        """What `programmes.signals` would do on save: the plan's sponsors, project managers
        and leads hold those roles; plus the board and the programme office."""
        rows = []
        for area in self.areas:
            for role, person in (
                (Role.SPONSOR, area.sponsor),
                (Role.PROJECT_MANAGER, area.project_manager),
            ):
                rows.append(
                    Membership(
                        person=person,
                        role=role,
                        programme=self.programme,
                        area=area,
                        source=MembershipSource.PLAN,
                    )
                )
        for workstream in self.workstreams:
            rows.append(
                Membership(
                    person=workstream.lead,
                    role=Role.WORKSTREAM_LEAD,
                    programme=self.programme,
                    workstream=workstream,
                    source=MembershipSource.PLAN,
                )
            )
        for person, role in (
            (self.sro, Role.BOARD_MEMBER),
            (self.chair, Role.BOARD_MEMBER),
            (self.office, Role.PROGRAMME_OFFICE),
        ):
            rows.append(
                Membership(
                    person=person,
                    role=role,
                    programme=self.programme,
                    source=MembershipSource.GRANTED,
                )
            )
        bulk_with_history(Membership, rows, self.summary, self.approved_at)
        self.count("memberships", len(rows))

    # ----- milestones and what happened to them -----
    def baselines_for(self, count: int) -> list[date]:
        """Due dates spread over the programme: each workstream works in a window of it."""
        length = (self.ends_on - self.starts_on).days
        window_start = self.starts_on + timedelta(days=int(length * self.rng.uniform(0.02, 0.2)))
        window_end = self.starts_on + timedelta(days=int(length * self.rng.uniform(0.8, 1.0)))
        return sorted(self.day_between(window_start, window_end) for _ in range(count))

    def build_milestones(self):
        milestones: list[Milestone] = []
        plans: list[MilestonePlan] = []
        for workstream in self.workstreams:
            for position, baseline in enumerate(self.baselines_for(self.size.milestones), 1):
                plan = self.plan_milestone(workstream, position, baseline)
                milestones.append(plan.milestone)
                plans.append(plan)
                self.plans[workstream.pk].append(plan)
        Milestone.objects.bulk_create(milestones, batch_size=BATCH_SIZE)
        self.count("milestones", len(milestones))

        created, changes, notes, rebaselines = [], [], [], []
        for plan in plans:
            milestone = plan.milestone
            record = snapshot(milestone, self.approved_at, version=1, **plan.initial)
            created.append(record)
            for version, (when, change) in enumerate(plan.events, start=2):
                record = snapshot(record, when, version=version, **change)
                changes.append(record)
            for when, text in plan.notes:
                note = ProgressNote(
                    milestone=milestone, noted_on=timezone.localdate(when), text=text
                )
                note._history_date = when
                notes.append(note)
            if plan.rebaseline is not None:
                when, previous, new = plan.rebaseline
                change = BaselineChange(
                    milestone=milestone,
                    previous_date=previous,
                    previous_precision=milestone.baseline_precision,
                    new_date=new,
                    new_precision=milestone.baseline_precision,
                    reason="Re-planned with the board's agreement after a supplier delay.",
                    changed_at=when,
                )
                change._history_date = when
                rebaselines.append(change)
        Milestone.history.bulk_history_create(created, batch_size=BATCH_SIZE)
        self.summary.history_records += len(created)
        bulk_changes(Milestone, changes, self.summary)
        bulk_with_history(ProgressNote, notes, self.summary)
        bulk_with_history(BaselineChange, rebaselines, self.summary)

        through = Milestone.depends_on.through
        dependencies = [
            through(from_milestone=later.milestone, to_milestone=earlier.milestone)
            for workstream_plans in self.plans.values()
            for earlier, later in zip(workstream_plans, workstream_plans[1:], strict=False)
            if self.rng.random() < 0.2
        ]
        through.objects.bulk_create(dependencies, batch_size=BATCH_SIZE)

    def plan_milestone(self, workstream: Workstream, position: int, baseline: date):
        rng = self.rng
        roll = rng.random()
        if roll < 0.1:
            title, forum = rng.choice(KEY_DECISIONS)
            kind = MilestoneKind.KEY_DECISION
        elif roll < 0.22:
            title, forum, kind = rng.choice(DELIVERABLES), "", MilestoneKind.DELIVERABLE
        else:
            title, forum, kind = rng.choice(MILESTONE_TITLES), "", MilestoneKind.MILESTONE
        precision = DatePrecision.MONTH if rng.random() < 0.2 else DatePrecision.DAY
        if precision == DatePrecision.MONTH:
            baseline = month_end(baseline)
        start = None
        if rng.random() < 0.5:
            start = max(self.starts_on, baseline - timedelta(days=rng.randint(30, 120)))
        reference = f"{workstream.reference}.{position}"
        owner = workstream.lead if rng.random() < 0.85 else rng.choice(self.managers)
        milestone = Milestone(
            workstream=workstream,
            reference=reference,
            sort_key=reference_sort_key(reference),
            title=title,
            kind=kind,
            forum=forum,
            owner=owner,
            start_date=start,
            baseline_date=baseline,
            baseline_precision=precision,
            position=position,
        )
        initial = {
            "status": MilestoneStatus.NOT_STARTED,
            "forecast_date": None,
            "forecast_precision": DatePrecision.DAY,
            "actual_date": None,
            "at_risk": False,
            "baseline_date": baseline,
        }
        plan = MilestonePlan(milestone, initial)
        self.tell_story(plan, self.health[workstream.pk])
        plan.events.sort(key=lambda event: event[0])
        for _, change in plan.events:
            for name, value in change.items():
                setattr(milestone, name, value)
        milestone.version = 1 + len(plan.events)
        return plan

    def tell_story(self, plan: MilestonePlan, health: str) -> None:
        """What happened to a milestone by today: completed on time or late, re-forecast
        within or beyond tolerance, overdue with nothing reported, flagged at risk, or
        re-baselined; the last twelve months see most of the changes."""
        rng, today = self.rng, self.today
        milestone = plan.milestone
        due = milestone.baseline_date
        odds = HEALTHS[health]
        if due >= today and rng.random() < 0.03:
            when = at(self.day_between(max(self.starts_on, today - timedelta(days=300)), today))
            new = add_months(due, rng.randint(1, 3))
            if milestone.baseline_precision == DatePrecision.MONTH:
                new = month_end(new)
            plan.rebaseline = (self.when(when), due, new)
            plan.events.append((self.when(when), {"baseline_date": new}))
            due = new
        begin = milestone.start_date or max(self.starts_on, due - timedelta(days=60))
        if begin < today:
            plan.events.append((self.when(at(begin)), {"status": MilestoneStatus.IN_PROGRESS}))
        if due < today:
            recent = (today - due).days <= odds.problem_window_days
            if recent and rng.random() < odds.open_problems:
                if rng.random() < 0.5:
                    forecast = today + timedelta(days=rng.randint(10, 120))
                    self.reforecast(plan, due - timedelta(days=rng.randint(3, 20)), forecast)
                elif rng.random() < 0.3:
                    flagged = due - timedelta(days=rng.randint(3, 20))
                    self.flag(plan, flagged, "Waiting on a partner; the date will be missed.")
                # else overdue, with nothing reported
            elif rng.random() < odds.on_time:
                self.complete(plan, max(begin, due - timedelta(days=rng.randint(0, 20))))
            else:
                forecast = due + timedelta(days=rng.randint(*odds.slip_days))
                self.reforecast(plan, due - timedelta(days=rng.randint(5, 25)), forecast)
                if forecast < today:
                    self.complete(plan, forecast - timedelta(days=rng.randint(0, 5)))
            return
        horizon = (due - today).days
        roll = rng.random()
        if roll < odds.future_slip and horizon < 180:
            self.reforecast(
                plan,
                today - timedelta(days=rng.randint(3, 60)),
                due + timedelta(days=rng.randint(*odds.future_slip_days)),
            )
        elif roll < odds.future_slip + odds.at_risk and horizon < 120:
            self.flag(
                plan,
                today - timedelta(days=rng.randint(2, 30)),
                "Dependencies on partners may delay this; watching closely.",
            )
        elif horizon < 21 and roll > 0.96 and begin < today:
            self.complete(plan, max(begin, today - timedelta(days=rng.randint(0, 5))))

    def reforecast(self, plan: MilestonePlan, noticed: date, forecast: date) -> None:
        noticed = min(max(noticed, self.starts_on), self.today)
        precision = plan.milestone.baseline_precision
        if precision == DatePrecision.MONTH:
            forecast = month_end(forecast)
        when = self.when(at(noticed))
        plan.events.append((when, {"forecast_date": forecast, "forecast_precision": precision}))
        plan.notes.append((when, f"Forecast moved to {PlanDate.from_fields(forecast, precision)}."))

    def complete(self, plan: MilestonePlan, actual: date) -> None:
        actual = min(actual, self.today)
        plan.events.append(
            (
                self.when(at(actual, 15)),
                {"actual_date": actual, "status": MilestoneStatus.COMPLETE, "at_risk": False},
            )
        )

    def flag(self, plan: MilestonePlan, flagged: date, note: str) -> None:
        when = self.when(at(min(max(flagged, self.starts_on), self.today)))
        plan.events.append((when, {"at_risk": True}))
        plan.notes.append((when, note))

    # ----- measures -----
    def build_measures(self):
        years = financial_years(self.starts_on, self.ends_on)
        measures = []
        for number in range(1, self.size.measures + 1):
            workstream = self.rng.choice(self.workstreams)
            title, unit, direction = self.rng.choice(MEASURES)
            reference = f"PI {number}"
            if unit == MeasureUnit.PERCENT:
                baseline = Decimal(self.rng.randint(35, 75))
            elif unit == MeasureUnit.POUNDS:
                baseline = Decimal(self.rng.randint(300, 900))
            elif unit == MeasureUnit.DAYS:
                baseline = Decimal(self.rng.randint(10, 40))
            else:
                baseline = Decimal(self.rng.randint(50, 900))
            measures.append(
                Measure(
                    workstream=workstream,
                    reference=reference,
                    sort_key=reference_sort_key(reference),
                    title=title,
                    unit=unit,
                    direction=direction,
                    baseline_value=baseline,
                    owner=workstream.lead,
                )
            )
        bulk_with_history(Measure, measures, self.summary, self.approved_at)
        self.count("measures", len(measures))

        targets, readings = [], []
        last_month = add_months(month_start(self.today), -1)
        first_month = add_months(last_month, -(self.size.months - 1))
        for measure in measures:
            higher = measure.direction == Direction.HIGHER
            step = Decimal(self.rng.choice(["0.04", "0.06", "0.1"]))
            measure_targets = []
            for index, year in enumerate(years, start=1):
                change = 1 + step * index if higher else 1 - step * index
                value = (measure.baseline_value * change).quantize(Decimal("1"))
                if measure.unit == MeasureUnit.PERCENT:
                    value = min(value, Decimal(100))
                row = MeasureTarget(measure=measure, financial_year=year, value=value)
                targets.append(row)
                self.target_rows[measure.pk].append(row)
                measure_targets.append(Target(value, year, None))
            self.measures[measure.workstream_id].append((measure, measure_targets))
            low, high = HEALTHS[self.health[measure.workstream_id]].measure_performance
            performance = self.rng.uniform(low, high)
            month = first_month
            while month <= last_month:
                aim = target_for_month(measure_targets, month) or measure.baseline_value
                factor = Decimal(str(round(performance * self.rng.uniform(0.99, 1.01), 4)))
                value = aim * factor if higher else aim / factor
                if measure.unit == MeasureUnit.PERCENT:
                    value = min(value, Decimal(100))
                reading = MeasureReading(
                    measure=measure, period=month, value=value.quantize(Decimal("0.1"))
                )
                entered = at(add_months(month, 1) + timedelta(days=self.rng.randint(1, 8)))
                reading._history_date = min(entered, self.now)
                readings.append(reading)
                self.readings[measure.pk].append(reading)
                month = add_months(month, 1)
        bulk_with_history(MeasureTarget, targets, self.summary, self.approved_at)
        bulk_with_history(MeasureReading, readings, self.summary)
        self.count("readings", len(readings))

    # ----- reporting periods and the leads' monthly updates -----
    def build_periods_and_updates(self):
        """One period per month from the start to this month (a period opens with its
        month); the past ones closed; every workstream's update for the last twelve."""
        current = month_start(self.today)
        periods = []
        month = self.starts_on
        while month <= current:
            period = ReportingPeriod(
                programme=self.programme,
                month=month,
                cut_off=working_day_on_or_before(month.replace(day=25)),
            )
            period._history_date = self.when(at(month))
            periods.append(period)
            month = add_months(month, 1)
        bulk_with_history(ReportingPeriod, periods, self.summary)
        closings = []
        for period in periods[:-1]:
            period.status = PeriodStatus.CLOSED
            period.closed_at = self.when(at(add_months(period.month, 1)))
            closings.append(snapshot(period, period.closed_at))
        ReportingPeriod.objects.bulk_update(
            closings, ["status", "closed_at"], batch_size=BATCH_SIZE
        )
        bulk_changes(ReportingPeriod, closings, self.summary)
        self.count("periods", len(periods))

        closed = [p for p in periods if p.status == PeriodStatus.CLOSED]
        updates = []
        for period in closed[-PERIODS_WITH_UPDATES:]:
            for workstream in self.workstreams:
                updates.append(self.status_update(workstream, period))
        bulk_with_history(StatusUpdate, updates, self.summary)
        self.count("status_updates", len(updates))

    def status_update(self, workstream: Workstream, period: ReportingPeriod) -> StatusUpdate:
        rng = self.rng
        submitted_on = period.cut_off - timedelta(days=rng.randint(0, 6))
        if rng.random() < 0.1:
            submitted_on = period.cut_off + timedelta(days=rng.randint(1, 5))
        moment = self.when(at(submitted_on, 14))
        suggested = self.suggested_rag(workstream, moment)
        rag = suggested.rag
        if rag in (Rag.NO_DATA, Rag.NOT_STARTED):
            rag = Rag.GREEN
        elif rag == Rag.AMBER and rng.random() < 0.15:
            rag = Rag.GREEN  # leads are sometimes more hopeful than the plan
        elif rag == Rag.RED and rng.random() < 0.2:
            rag = Rag.AMBER
        reason = ""
        if requires_reason(rag):
            reason = suggested.explanation("it", limit=3).split("because: ", 1)[-1]
            reason = (reason[:1].upper() + reason[1:] + ".") if reason else "Issues being managed."
        done = [
            plan.milestone
            for plan in self.plans[workstream.pk]
            if plan.milestone.actual_date
            and month_start(plan.milestone.actual_date) == period.month
        ]
        update = StatusUpdate(
            workstream=workstream,
            period=period,
            rag=rag,
            reason=reason[:2000],
            achievements="\n".join(f"Completed {m.reference} {m.title}." for m in done)
            or "Work continued on the workstream's open milestones.",
            planned_next="Continue delivery against the plan.",
            escalations=("Needs the board's help: " + reason)[:4000] if rag == Rag.RED else "",
            state=UpdateState.SUBMITTED,
            submitted_at=moment,
        )
        update._history_date = moment
        return update

    def suggested_rag(self, workstream: Workstream, moment: datetime) -> RagResult:
        """The system's suggested rating as it stood at `moment`, which the lead mostly
        follows (DOMAIN.md section 3, "Workstream RAG"): the one assessment, fed the plan as
        it stood then."""
        as_of = timezone.localdate(moment)
        milestones = []
        for plan in self.plans[workstream.pk]:
            then = copy.copy(plan.milestone)
            for name, value in plan.state_at(moment).items():
                setattr(then, name, value)
            milestones.append(then)
        measures, targets, readings = [], [], []
        for measure, _ in self.measures[workstream.pk]:
            measures.append(measure)
            targets += self.target_rows[measure.pk]
            # A month's reading is known once the month is over.
            readings += [r for r in self.readings[measure.pk] if month_end(r.period) < as_of]
        return assess_workstream_from(
            workstream,
            programme=self.programme,
            as_of=as_of,
            milestones=milestones,
            measures=measures,
            targets=targets,
            readings=readings,
        ).suggested

    # ----- money -----
    def build_budget(self):
        lines, changes = [], []
        totals: dict[int, Decimal] = defaultdict(Decimal)
        for workstream in self.workstreams:
            for year in financial_years(self.starts_on, self.ends_on):
                allocated = money(self.rng.randint(20, 400) * 1000)
                line = BudgetLine(
                    workstream=workstream,
                    financial_year=year,
                    description="Delivery costs",
                    funding_source="Transformation reserve",
                    allocated=allocated,
                    spent=Decimal(0),
                    forecast=allocated,
                )
                lines.append(line)
                totals[year] += allocated
        bulk_with_history(BudgetLine, lines, self.summary, self.approved_at)
        for line in lines:
            fy = FinancialYear(line.financial_year)
            if fy.starts > self.today:
                continue
            allocated = line.allocated
            if fy.ends < self.today:
                line.spent = money(float(allocated) * self.rng.uniform(0.9, 1.04))
                line.forecast = line.spent
            else:
                elapsed = (self.today - fy.starts).days / 365
                line.spent = money(float(allocated) * elapsed * self.rng.uniform(0.8, 1.1))
                line.forecast = money(
                    float(allocated) * self.rng.choice([0.96, 1.0, 1.0, 1.0, 1.04, 1.16])
                )
            if needs_variance_explanation(allocated=allocated, forecast=line.forecast):
                line.variance_explanation = (
                    "Forecast outturn differs from the allocation by more than 5%: the project "
                    "manager is reviewing commitments for the year."
                )
            updated = at(min(fy.ends, self.today - timedelta(days=3)))
            changes.append(snapshot(line, self.when(updated)))
        BudgetLine.objects.bulk_update(
            changes, ["spent", "forecast", "variance_explanation"], batch_size=BATCH_SIZE
        )
        bulk_changes(BudgetLine, changes, self.summary)
        self.count("budget_lines", len(lines))
        funding = [
            Funding(
                programme=self.programme,
                source="Transformation reserve",
                financial_year=year,
                amount=money(float(total) * 1.05),
            )
            for year, total in sorted(totals.items())
        ]
        bulk_with_history(Funding, funding, self.summary, self.approved_at)

    # ----- the RAID log -----
    def build_risks(self):
        """Risks at programme, area and workstream scope, scored mostly in the middle, with
        inherent scores at or above current ones; re-scored at reviews, some closed with a
        reason and a few realised as issues."""
        rng, today = self.rng, self.today
        owners = [*self.sponsors, *self.managers, *self.leads]
        risks, plans = [], []
        history_start = max(self.starts_on, today - timedelta(days=HISTORY_WINDOW_DAYS))
        for number in range(1, self.size.risks + 1):
            scope = rng.random()
            workstream = area = None
            if scope >= 0.45:
                workstream = rng.choice(self.workstreams)
            elif scope >= 0.2:
                area = rng.choice(self.areas)
            opportunity = rng.random() < 0.08
            title, cause, event, effect, category = rng.choice(
                OPPORTUNITY_TEXTS if opportunity else RISK_TEXTS
            )
            raised_on = (
                self.starts_on if rng.random() < 0.35 else self.day_between(self.starts_on, today)
            )
            likelihood, impact = self.score(), self.score()
            inherent = (min(5, likelihood + rng.randint(0, 2)), min(5, impact + rng.randint(0, 1)))
            target = (max(1, likelihood - rng.randint(1, 2)), max(1, impact - rng.randint(0, 1)))
            # When raised, the score was its inherent one or close to where it is now.
            initial = inherent if rng.random() < 0.5 else (likelihood, impact)
            reference = f"R{number}"
            risk = Risk(
                programme=self.programme,
                area=area,
                workstream=workstream,
                reference=reference,
                sort_key=reference_sort_key(reference),
                title=title,
                cause=cause,
                event=event,
                effect=effect,
                kind=RiskKind.OPPORTUNITY if opportunity else RiskKind.THREAT,
                category=category,
                owner=rng.choice(owners),
                raised_on=raised_on,
                inherent_likelihood=inherent[0],
                inherent_impact=inherent[1],
                current_likelihood=initial[0],
                current_impact=initial[1],
                target_likelihood=target[0],
                target_impact=target[1],
                proximity=add_months(raised_on, rng.randint(3, 18)),
                response=rng.choice(
                    [RiskResponse.EXPLOIT, RiskResponse.ENHANCE]
                    if opportunity
                    else [
                        RiskResponse.REDUCE,
                        RiskResponse.REDUCE,
                        RiskResponse.FALLBACK,
                        RiskResponse.TRANSFER,
                        RiskResponse.ACCEPT,
                    ]
                ),
                review_date=raised_on + timedelta(days=30),
            )
            risk.escalated = risk.goes_to_board
            risk._history_date = self.when(at(raised_on))
            risks.append(risk)
            plans.append(self.risk_story(risk, (likelihood, impact), history_start))
        # The rows hold today's state; the history, each state in turn from when it was raised.
        initial_states = [
            {name: getattr(risk, name) for name in RISK_CHANGING_FIELDS} for risk in risks
        ]
        for risk, events in zip(risks, plans, strict=True):
            for _, change in events:
                for name, value in change.items():
                    setattr(risk, name, value)
            if risk.status == RiskStatus.OPEN:
                risk.review_date = today + timedelta(days=rng.randint(-25, 60))
        Risk.objects.bulk_create(risks, batch_size=BATCH_SIZE)
        created, changes = [], []
        for risk, initial, events in zip(risks, initial_states, plans, strict=True):
            record = snapshot(risk, risk._history_date, **initial)
            created.append(record)
            for when, change in events:
                record = snapshot(record, when, **change)
                changes.append(record)
        Risk.history.bulk_history_create(created, batch_size=BATCH_SIZE)
        self.summary.history_records += len(created)
        bulk_changes(Risk, changes, self.summary)
        self.count("risks", len(risks))
        self.build_risk_actions_and_issues(risks)

    def risk_story(self, risk: Risk, final: tuple[int, int], history_start: date):
        """Reviews that moved the score towards where it is now (or up and back), and for
        some, closing or realisation, dated mostly in the last twelve months."""
        rng, today = self.rng, self.today
        first_change = max(risk.raised_on + timedelta(days=14), history_start)
        if first_change >= today:
            return []
        start = (risk.current_likelihood, risk.current_impact)
        steps: list[tuple[int, int]] = []
        if start != final:
            if rng.random() < 0.5 and abs(start[0] - final[0]) + abs(start[1] - final[1]) > 1:
                steps.append((max(final[0], start[0] - 1), start[1]))
            steps.append(final)
        elif rng.random() < 0.3:
            steps += [(min(5, final[0] + 1), final[1]), final]
        dates = sorted(self.day_between(first_change, today) for _ in steps)
        events = []
        for day, (likelihood, impact) in zip(dates, steps, strict=True):
            events.append(
                (
                    self.when(at(day, 11)),
                    {
                        "current_likelihood": likelihood,
                        "current_impact": impact,
                        "escalated": self.programme.tolerances_for(risk.held_in).goes_to_board(
                            risk_score(likelihood, impact)
                        ),
                        "review_date": day + timedelta(days=30),
                    },
                )
            )
        roll = rng.random()
        if roll < 0.17:
            last = max([*dates, first_change])
            closed_on = self.day_between(last, today)
            if roll < 0.02 and risk.kind == RiskKind.THREAT:
                events.append(
                    (
                        self.when(at(closed_on, 16)),
                        {"status": RiskStatus.REALISED, "escalated": True},
                    )
                )
            else:
                events.append(
                    (
                        self.when(at(closed_on, 16)),
                        {
                            "status": RiskStatus.CLOSED,
                            "closing_reason": rng.choice(CLOSING_REASONS),
                            "escalated": False,
                        },
                    )
                )
        return events

    def build_risk_actions_and_issues(self, risks: list[Risk]):
        actions, issues = [], []
        for risk in risks:
            owner = risk.owner or self.office
            for index in range(1, self.rng.randint(1, 2) + 1):
                due = risk.raised_on + timedelta(days=45 * index + self.rng.randint(0, 30))
                done = due < self.today and self.rng.random() < 0.7
                action = MitigationAction(
                    risk=risk,
                    description="Agree a recovery plan with the partner and track it monthly.",
                    owner=owner,
                    due_date=due,
                    done=done,
                    completed_on=due - timedelta(days=self.rng.randint(0, 10)) if done else None,
                )
                action._history_date = self.when(at(risk.raised_on))
                actions.append(action)
            if risk.status == RiskStatus.REALISED:
                reference = f"I{len(issues) + 1}"
                issue = Issue(
                    programme=self.programme,
                    area=risk.area,
                    workstream=risk.workstream,
                    reference=reference,
                    sort_key=reference_sort_key(reference),
                    title=risk.title,
                    description=f"Risk {risk.reference} has happened: {risk.event}.",
                    severity=self.rng.choice([IssueSeverity.MEDIUM, IssueSeverity.HIGH]),
                    owner=risk.owner,
                    raised_on=min(self.today, risk.raised_on + timedelta(days=60)),
                    status=IssueStatus.OPEN,
                    risk=risk,
                )
                issue._history_date = self.when(at(issue.raised_on, 16))
                issues.append(issue)
        bulk_with_history(MitigationAction, actions, self.summary)
        bulk_with_history(Issue, issues, self.summary)

    # ----- the board -----
    def build_meetings_and_decisions(self):
        """A board meeting each month; a decision for each key-decision milestone, made when
        the milestone was completed."""
        meetings: dict[date, BoardMeeting] = {}
        month = self.starts_on
        while month <= self.ends_on:
            held_on = second_tuesday(month)
            meetings[month] = BoardMeeting(
                programme=self.programme,
                held_on=held_on,
                title=self.programme.board_name,
                chair=self.chair,
                location="Committee Room 1, Civic Centre",
                minutes="Minutes are kept by the programme office." if held_on < self.today else "",
            )
            month = add_months(month, 1)
        bulk_with_history(BoardMeeting, list(meetings.values()), self.summary, self.approved_at)
        self.count("board_meetings", len(meetings))

        decisions, made = [], []
        for workstream_plans in self.plans.values():
            for plan in workstream_plans:
                milestone = plan.milestone
                if milestone.kind != MilestoneKind.KEY_DECISION:
                    continue
                due = milestone.forecast_date or milestone.baseline_date
                precision = (
                    milestone.forecast_precision
                    if milestone.forecast_date
                    else milestone.baseline_precision
                )
                at_board = milestone.forum == "Programme Board"
                reference = f"D-{milestone.reference}"
                decision = Decision(
                    programme=self.programme,
                    workstream=milestone.workstream,
                    reference=reference,
                    sort_key=reference_sort_key(reference),
                    title=milestone.title,
                    description=f"Key decision in the plan of workstream {milestone.workstream}.",
                    forum=milestone.forum,
                    needed_by=due,
                    needed_by_precision=precision,
                    milestone=milestone,
                    meeting=meetings.get(month_start(due)) if at_board else None,
                )
                decisions.append(decision)
                if milestone.actual_date is not None:
                    made.append((decision, milestone.actual_date))
        bulk_with_history(Decision, decisions, self.summary, self.approved_at)
        changes = []
        for decision, made_on in made:
            decision.status, decision.made_on, decision.outcome = (
                DecisionStatus.MADE,
                made_on,
                "Agreed.",
            )
            changes.append(snapshot(decision, self.when(at(made_on, 15))))
        Decision.objects.bulk_update(
            changes, ["status", "made_on", "outcome"], batch_size=BATCH_SIZE
        )
        bulk_changes(Decision, changes, self.summary)
        self.count("decisions", len(decisions))
