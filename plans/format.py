"""The Excel workbook format of a programme plan (issue 7): which sheets, which columns, named
as the plans in the source documents name them ("Ref", "Responsible lead", "Action
milestone", "Risk ID", "Probability (1-5)" ...).

One declaration, read by the template, the export and the import, so the three cannot drift
apart. A sheet is a list of columns; a column says its header, the field it holds, the kind
of value (which decides how a cell is read and written and which drop-down it gets), whether
it is required and a hint for the instructions sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from risks.models import RiskCategory, RiskKind, RiskResponse, RiskStatus
from workstreams.models import Direction, MeasureUnit, MilestoneKind, MilestoneStatus


class Kind(StrEnum):
    TEXT = "text"
    REFERENCE = "reference"  # kept as text: "1.10" is not the number 1.1
    PLAN_DATE = "plan date"  # a day or a month ("Sep 2025")
    DAY = "day"  # a day only
    MONEY = "money"
    NUMBER = "number"
    WHOLE = "whole number"
    SCORE = "score"  # 1 to 5
    YES_NO = "yes or no"
    CHOICE = "choice"
    FINANCIAL_YEAR = "financial year"
    PERSON = "person"
    PEOPLE = "people"  # several, separated by semicolons
    REFERENCES = "references"  # several, separated by commas
    NAMES = "names"  # several, separated by semicolons


RAG_WORDS = (("red", "Red"), ("amber", "Amber"), ("green", "Green"))
YES_NO_WORDS = ("Yes", "No")
SCORES = ("1", "2", "3", "4", "5")


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: Kind = Kind.TEXT
    required: bool = False
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (stored value, label shown)
    width: int = 18
    example: object = ""
    # Other headers people use for the same column; matched without regard to case.
    aliases: tuple[str, ...] = ()

    @property
    def drop_down(self) -> tuple[str, ...]:
        if self.kind == Kind.YES_NO:
            return YES_NO_WORDS
        if self.kind == Kind.SCORE:
            return SCORES
        return tuple(label for _value, label in self.choices)

    def names(self) -> set[str]:
        return {normalise_header(name) for name in (self.header, *self.aliases)}


@dataclass(frozen=True)
class Sheet:
    title: str
    what: str  # one line for the instructions sheet
    columns: tuple[Column, ...] = field(default_factory=tuple)

    def column(self, field_name: str) -> Column:
        return next(column for column in self.columns if column.field == field_name)


def normalise_header(text: str) -> str:
    return " ".join(str(text).replace("*", " ").split()).lower()


def labels(choices) -> tuple[tuple[str, str], ...]:
    return tuple((str(value), str(label)) for value, label in choices)


PLAN_DATE_HINT = "A day (15/09/2025) or a month (Sep 2025); a month means its last day"
DAY_HINT = "A day, such as 15/09/2025"
PERSON_HINT = "A person or team known in the council; the dry run offers to add new ones"

AREAS = Sheet(
    "Areas",
    "The programme areas, each with its sponsor and project manager.",
    (
        Column(
            "Ref",
            "reference",
            Kind.REFERENCE,
            True,
            "The area's number, e.g. 1",
            width=8,
            example="1",
            aliases=("Reference", "Area ref", "Ref no"),
        ),
        Column(
            "Programme area",
            "name",
            required=True,
            width=40,
            example="Continuous Improvement in Community Services",
            aliases=("Name", "Area"),
        ),
        Column("Aim", "aim", width=50, example="An ethos of continuous targeted improvement"),
        Column(
            "Sponsor", "sponsor", Kind.PERSON, hint=PERSON_HINT, width=24, example="Bernie Flaherty"
        ),
        Column(
            "Project manager",
            "project_manager",
            Kind.PERSON,
            hint=PERSON_HINT,
            width=24,
            example="Doris Sheridan",
        ),
        Column(
            "Interdependencies",
            "interdependencies",
            width=40,
            example="1.2 cross ref programme area 3",
        ),
        Column("Key documents", "key_documents", width=40, example="CSCI Action Plan"),
        Column(
            "Time tolerance (days)",
            "time_tolerance_days",
            Kind.WHOLE,
            hint="Leave blank to use the programme's",
            width=14,
        ),
        Column(
            "Cost tolerance (%)",
            "cost_tolerance_percent",
            Kind.NUMBER,
            hint="Leave blank to use the programme's",
            width=14,
        ),
        Column(
            "Benefit tolerance (%)",
            "benefit_tolerance_percent",
            Kind.NUMBER,
            hint="Leave blank to use the programme's",
            width=14,
        ),
        Column(
            "Risk tolerance (score)",
            "risk_tolerance_score",
            Kind.WHOLE,
            hint="1 to 25; leave blank to use the programme's",
            width=14,
        ),
    ),
)

WORKSTREAMS = Sheet(
    "Workstreams",
    "The workstreams of each area, with their responsible lead and outcomes.",
    (
        Column(
            "Ref",
            "reference",
            Kind.REFERENCE,
            True,
            "Unique in the programme, e.g. 1.1",
            width=8,
            example="1.1",
            aliases=("Reference", "Workstream ref", "Ref no"),
        ),
        Column(
            "Programme area",
            "area",
            Kind.REFERENCE,
            True,
            "The area's Ref",
            width=10,
            example="1",
            aliases=("Area",),
        ),
        Column(
            "Workstream",
            "name",
            required=True,
            width=40,
            example="Modernising Day Opportunities",
            aliases=("Name",),
        ),
        Column(
            "Responsible lead",
            "lead",
            Kind.PERSON,
            hint=PERSON_HINT,
            width=24,
            example="Keith Holmes",
            aliases=("Lead",),
        ),
        Column(
            "Supported by",
            "supported_by",
            Kind.PEOPLE,
            hint="People or teams, separated by semicolons",
            width=24,
        ),
        Column(
            "Outcomes for service users",
            "outcomes",
            width=50,
            example="More choice of day activities",
            aliases=("Outcomes",),
        ),
        Column(
            "Outcome categories",
            "outcome_categories",
            Kind.NAMES,
            hint="From the programme's list, separated by semicolons",
            width=30,
            example="Increased choice and control",
        ),
        Column(
            "Objective",
            "objective",
            Kind.REFERENCE,
            hint="The reference of the council objective it serves, e.g. SCAR001",
            width=12,
        ),
        Column("Funding", "funding_notes", width=30, aliases=("Funding notes",)),
        Column(
            "Depends on",
            "depends_on",
            Kind.REFERENCES,
            hint="Refs of other workstreams, separated by commas",
            width=14,
            example="6.1",
        ),
    ),
)

MILESTONES = Sheet(
    "Milestones",
    "Each workstream's action milestones, key decisions and deliverables, in order.",
    (
        Column(
            "Workstream",
            "workstream",
            Kind.REFERENCE,
            True,
            "The workstream's Ref",
            width=10,
            example="1.1",
        ),
        Column(
            "Ref",
            "reference",
            Kind.REFERENCE,
            True,
            "Unique in its workstream, e.g. 1.1.1",
            width=10,
            example="1.1.1",
            aliases=("Reference", "Milestone ref"),
        ),
        Column(
            "Action milestone",
            "title",
            required=True,
            width=50,
            example="Staff consultation meetings",
            aliases=("Milestone", "Title"),
        ),
        Column("Description", "description", width=30),
        Column(
            "Kind",
            "kind",
            Kind.CHOICE,
            hint="Milestone, Key decision or Deliverable",
            choices=labels(MilestoneKind.choices),
            width=14,
            example="Milestone",
        ),
        Column("Forum", "forum", hint="For a key decision: Cabinet, Programme Board ...", width=16),
        Column("Owner", "owner", Kind.PERSON, hint=PERSON_HINT, width=24),
        Column("Start", "start", Kind.PLAN_DATE, hint=PLAN_DATE_HINT, width=12),
        Column(
            "Due",
            "baseline",
            Kind.PLAN_DATE,
            hint=PLAN_DATE_HINT + ". The baseline: changing it re-baselines, with a reason",
            width=12,
            example="Sep 2026",
            aliases=("Due date", "Baseline", "Timescale"),
        ),
        Column(
            "Forecast",
            "forecast",
            Kind.PLAN_DATE,
            hint=PLAN_DATE_HINT,
            width=12,
            aliases=("Forecast date",),
        ),
        Column(
            "Completed on",
            "actual_date",
            Kind.DAY,
            hint=DAY_HINT,
            width=14,
            aliases=("Actual", "Completed", "Actual date"),
        ),
        Column(
            "Status",
            "status",
            Kind.CHOICE,
            hint="Blank means Not started",
            choices=labels(MilestoneStatus.choices),
            width=14,
            example="Not started",
        ),
        Column(
            "At risk",
            "at_risk",
            Kind.YES_NO,
            hint="Yes if the owner expects it to slip",
            width=10,
            example="No",
        ),
        Column(
            "Depends on",
            "depends_on",
            Kind.REFERENCES,
            hint="Refs of milestones, separated by commas; write 2.1/2.1.3 if a Ref is "
            "used in two workstreams",
            width=14,
        ),
    ),
)

MEASURES = Sheet(
    "Measures",
    "Each workstream's outcome measures; their targets are on the Targets sheet.",
    (
        Column(
            "Workstream",
            "workstream",
            Kind.REFERENCE,
            True,
            "The workstream's Ref",
            width=10,
            example="1.1",
        ),
        Column(
            "Ref",
            "reference",
            Kind.REFERENCE,
            True,
            "Unique in its workstream, e.g. 1.1a",
            width=10,
            example="1.1a",
            aliases=("Reference", "Measure ref"),
        ),
        Column(
            "Outcome measure",
            "title",
            required=True,
            width=50,
            example="People using direct payments",
            aliases=("Measure", "Title"),
        ),
        Column(
            "Unit",
            "unit",
            Kind.CHOICE,
            hint="Blank means Number",
            choices=labels(MeasureUnit.choices),
            width=12,
            example="Number",
        ),
        Column(
            "Direction",
            "direction",
            Kind.CHOICE,
            hint="Blank means Higher is better",
            choices=labels(Direction.choices),
            width=16,
            example="Higher is better",
        ),
        Column("Baseline", "baseline_value", Kind.NUMBER, width=12, example=120),
        Column(
            "Tolerance (%)",
            "tolerance_percent",
            Kind.NUMBER,
            hint="Leave blank to use the programme's benefits tolerance",
            width=12,
        ),
        Column("Owner", "owner", Kind.PERSON, hint=PERSON_HINT, width=24),
    ),
)

TARGETS = Sheet(
    "Targets",
    "Targets of the measures: one row per target, for a financial year or by a date.",
    (
        Column(
            "Workstream",
            "workstream",
            Kind.REFERENCE,
            True,
            "The workstream's Ref",
            width=10,
            example="1.1",
        ),
        Column(
            "Measure",
            "measure",
            Kind.REFERENCE,
            True,
            "The measure's Ref",
            width=10,
            example="1.1a",
        ),
        Column(
            "Financial year",
            "financial_year",
            Kind.FINANCIAL_YEAR,
            hint="2025/26; or leave blank and give By",
            width=14,
            example="2026/27",
        ),
        Column(
            "By", "due", Kind.PLAN_DATE, hint="A day or a month; or give a Financial year", width=12
        ),
        Column("Target", "value", Kind.NUMBER, True, width=12, example=150),
    ),
)

RISKS = Sheet(
    "Risks",
    "The risk log: each risk scored by likelihood and impact from 1 to 5.",
    (
        Column(
            "Risk ID",
            "reference",
            Kind.REFERENCE,
            True,
            "Unique in the programme",
            width=10,
            example="R01",
            aliases=("Ref", "Reference", "ID"),
        ),
        Column(
            "Title",
            "title",
            required=True,
            width=36,
            example="Providers cannot recruit enough care staff",
        ),
        Column(
            "Programme area",
            "area",
            Kind.REFERENCE,
            hint="The area's Ref; blank for a programme risk",
            width=10,
        ),
        Column(
            "Workstream",
            "workstream",
            Kind.REFERENCE,
            hint="The workstream's Ref; blank for a programme or area risk",
            width=10,
        ),
        Column("Cause", "cause", width=30),
        Column(
            "Description",
            "event",
            required=True,
            hint="What may happen",
            width=40,
            example="Packages of care start late",
            aliases=("Event", "Risk"),
        ),
        Column("Effect", "effect", width=30),
        Column(
            "Threat or opportunity",
            "kind",
            Kind.CHOICE,
            hint="Blank means Threat",
            choices=labels(RiskKind.choices),
            width=14,
            example="Threat",
        ),
        Column(
            "Category",
            "category",
            Kind.CHOICE,
            True,
            choices=labels(RiskCategory.choices),
            width=16,
            example="Workforce",
        ),
        Column("Owner", "owner", Kind.PERSON, hint=PERSON_HINT, width=24),
        Column(
            "Date raised",
            "raised_on",
            Kind.DAY,
            hint=DAY_HINT,
            width=12,
            example="01/04/2026",
            aliases=("Raised", "Raised on"),
        ),
        Column(
            "Inherent likelihood",
            "inherent_likelihood",
            Kind.SCORE,
            hint="Before mitigation, 1 to 5",
            width=12,
        ),
        Column(
            "Inherent impact",
            "inherent_impact",
            Kind.SCORE,
            hint="Before mitigation, 1 to 5",
            width=12,
        ),
        Column(
            "Probability (1-5)",
            "current_likelihood",
            Kind.SCORE,
            True,
            "Now, 1 to 5",
            width=12,
            example="3",
            aliases=("Likelihood", "Likelihood (1-5)", "Probability"),
        ),
        Column(
            "Impact (1-5)",
            "current_impact",
            Kind.SCORE,
            True,
            "Now, 1 to 5",
            width=12,
            example="4",
            aliases=("Impact",),
        ),
        Column(
            "Score",
            "score",
            Kind.WHOLE,
            hint="Probability x impact; checked if given, never stored",
            width=8,
        ),
        Column(
            "RAG",
            "rag",
            Kind.CHOICE,
            hint="The score's band; checked against the programme's bands if given",
            choices=RAG_WORDS,
            width=8,
            example="Amber",
        ),
        Column("Target likelihood", "target_likelihood", Kind.SCORE, width=12),
        Column("Target impact", "target_impact", Kind.SCORE, width=12),
        Column("Proximity", "proximity", Kind.DAY, hint="By when it may happen: a day", width=12),
        Column(
            "Response",
            "response",
            Kind.CHOICE,
            hint="Threats: avoid, reduce, fallback, transfer, share, accept. "
            "Opportunities: exploit, enhance, share, reject",
            choices=labels(RiskResponse.choices),
            width=12,
            example="Reduce",
        ),
        Column(
            "Next review",
            "review_date",
            Kind.DAY,
            hint=DAY_HINT,
            width=12,
            aliases=("Review date",),
        ),
        Column(
            "Status",
            "status",
            Kind.CHOICE,
            hint="Blank means Open",
            choices=labels(RiskStatus.choices),
            width=10,
            example="Open",
        ),
        Column("Closing reason", "closing_reason", hint="Required for a closed risk", width=30),
        Column(
            "Escalated to the board",
            "escalated",
            Kind.YES_NO,
            width=12,
            example="No",
            aliases=("Escalated to board", "Escalated"),
        ),
    ),
)

BUDGET = Sheet(
    "Budget",
    "Budget lines: money for a workstream in a financial year.",
    (
        Column(
            "Workstream",
            "workstream",
            Kind.REFERENCE,
            True,
            "The workstream's Ref",
            width=10,
            example="1.1",
        ),
        Column(
            "Financial year",
            "financial_year",
            Kind.FINANCIAL_YEAR,
            True,
            "2025/26",
            width=12,
            example="2026/27",
        ),
        Column(
            "Description",
            "description",
            required=True,
            hint="Unique for the workstream and year",
            width=36,
            example="Day centre modernisation",
        ),
        Column("Funding source", "funding_source", width=24, example="Social Care Reform Grant"),
        Column(
            "Allocated (£)",
            "allocated",
            Kind.MONEY,
            width=14,
            example=50000,
            aliases=("Allocated", "Budget"),
        ),
        Column("Spent (£)", "spent", Kind.MONEY, width=14, example=12500, aliases=("Spent",)),
        Column(
            "Forecast outturn (£)",
            "forecast",
            Kind.MONEY,
            width=14,
            example=48000,
            aliases=("Forecast", "Forecast outturn"),
        ),
        Column("Variance explanation", "variance_explanation", width=40),
    ),
)

PLAN_SHEETS: tuple[Sheet, ...] = (AREAS, WORKSTREAMS, MILESTONES, MEASURES, TARGETS, RISKS, BUDGET)
INSTRUCTIONS_TITLE = "Instructions"
