"""Importing a plan workbook into a programme (issue 7): all or nothing.

`import_plan` reads the workbook (`plans.read`), checks every row against the
programme and against the rules the pages apply, and writes it in one transaction; a dry run
does the same and rolls back, so what it reports is exactly what the import would do.

Rows are matched on their references (areas, workstreams and risks in the programme;
milestones and measures in their workstream; targets on measure and year or date; budget
lines on workstream, year and description): a matching row is updated only where it
differs, so importing the same file twice changes nothing. Nothing is deleted: rows of the
programme that the file does not mention are left as they are, and counted in the summary.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from plans.format import (
    AREAS,
    BUDGET,
    MEASURES,
    MILESTONES,
    RISKS,
    TARGETS,
    WORKSTREAMS,
    Sheet,
)
from plans.read import Problem, ReadPlan, ReadRow, read_plan
from programmes.choices import DatePrecision
from programmes.dates import PlanDate
from programmes.models import Objective, OutcomeCategory, Person, Programme, ProgrammeArea
from programmes.permissions import Action, require
from programmes.services import key_document_titles, replace_key_documents
from risks.models import Risk, RiskKind, RiskStatus
from risks.services.risks import RiskDetails, risk_problems
from workstreams.models import (
    BaselineChange,
    BudgetLine,
    Direction,
    Measure,
    MeasureTarget,
    MeasureUnit,
    Milestone,
    MilestoneKind,
    MilestoneStatus,
    Workstream,
)
from workstreams.validation import milestone_plan_problems, milestone_progress_problems

CHANGE_REASON = "Plan import"
# How often (in rows) an import tells a background job how far it has gone.
PROGRESS_EVERY = 25
Progress = Callable[[int, int], None]  # (rows done, rows in all)


@dataclass
class SheetSummary:
    title: str
    created: list[str] = field(default_factory=list)
    changed: list[tuple[str, list[str]]] = field(default_factory=list)
    unchanged: int = 0
    not_in_file: int = 0


@dataclass
class ImportResult:
    """What an import did, or (dry run) would do."""

    dry_run: bool
    sheets: list[SheetSummary] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    new_people: list[str] = field(default_factory=list)
    rebaselined: list[str] = field(default_factory=list)

    @property
    def is_ok(self) -> bool:
        return not self.problems

    @property
    def created(self) -> int:
        return sum(len(sheet.created) for sheet in self.sheets)

    @property
    def changed(self) -> int:
        return sum(len(sheet.changed) for sheet in self.sheets)

    @property
    def changes_anything(self) -> bool:
        return bool(self.created or self.changed or self.new_people)

    def problems_by_sheet(self) -> list[tuple[str, list[Problem]]]:
        grouped: dict[str, list[Problem]] = defaultdict(list)
        for problem in self.problems:
            grouped[problem.sheet or "The file"].append(problem)
        return list(grouped.items())

    def as_data(self) -> dict:
        """The result as plain data (JSON), kept by a background job for its page."""
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict) -> ImportResult:
        return cls(
            dry_run=data["dry_run"],
            sheets=[
                SheetSummary(
                    title=sheet["title"],
                    created=sheet["created"],
                    changed=[(label, columns) for label, columns in sheet["changed"]],
                    unchanged=sheet["unchanged"],
                    not_in_file=sheet["not_in_file"],
                )
                for sheet in data["sheets"]
            ],
            problems=[Problem(**problem) for problem in data["problems"]],
            notes=data["notes"],
            new_people=data["new_people"],
            rebaselined=data["rebaselined"],
        )


class ImportRefused(Exception):
    """The plan has problems: nothing is written."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


def _key(text: str) -> str:
    return " ".join(str(text).split()).lower()


def _plan_date_fields(prefix: str, value: PlanDate | None) -> dict[str, object]:
    return {
        f"{prefix}_date": value.value if value else None,
        f"{prefix}_precision": value.precision if value else DatePrecision.DAY,
    }


class _Importer:
    """One import: the programme's existing plan read once, then the rows checked and written
    sheet by sheet. Problems are collected, not raised, so the user sees all at once."""

    def __init__(
        self,
        programme: Programme,
        plan: ReadPlan,
        *,
        by,
        create_people: bool,
        rebaseline_reason: str,
        dry_run: bool,
        progress: Progress | None = None,
    ):
        self.programme = programme
        self.plan = plan
        self.progress = progress
        self.rows_done = 0
        self.rows_total = sum(len(rows) for rows in plan.rows.values())
        self.by = by
        self.create_people = create_people or dry_run
        self.rebaseline_reason = rebaseline_reason.strip()
        self.dry_run = dry_run
        self.today = timezone.localdate()
        self.result = ImportResult(dry_run=dry_run, notes=list(plan.notes))
        self.problems = self.result.problems
        organisation = programme.organisation
        self.people = {_key(p.name): p for p in Person.objects.filter(organisation=organisation)}
        self.unknown_people: dict[str, list[str]] = {}
        self.categories = {}
        for category in OutcomeCategory.objects.all():
            self.categories[_key(category.name)] = category
            self.categories[_key(category.key)] = category
        self.objectives = {
            objective.reference: objective
            for objective in Objective.objects.filter(organisation=organisation)
        }
        self.areas = {
            area.reference: area
            for area in ProgrammeArea.objects.filter(programme=programme).prefetch_related(
                "documents"
            )
        }
        self.workstreams = {
            ws.reference: ws
            for ws in Workstream.objects.filter(programme=programme).prefetch_related(
                "supported_by", "outcome_categories", "depends_on"
            )
        }
        self.milestones = {
            (m.workstream.reference, m.reference): m
            for m in Milestone.objects.filter(workstream__programme=programme)
            .select_related("workstream")
            .prefetch_related("depends_on")
        }
        self.measures = {
            (m.workstream.reference, m.reference): m
            for m in Measure.objects.filter(workstream__programme=programme).select_related(
                "workstream"
            )
        }
        self.targets = {
            self._target_key(t.measure_id, t.financial_year, t.due_date): t
            for t in MeasureTarget.objects.filter(measure__workstream__programme=programme)
        }
        self.risks = {risk.reference: risk for risk in Risk.objects.filter(programme=programme)}
        self.budget = {
            (line.workstream.reference, line.financial_year, _key(line.description)): line
            for line in BudgetLine.objects.filter(workstream__programme=programme).select_related(
                "workstream"
            )
        }

    # -- helpers -----------------------------------------------------------------------

    @staticmethod
    def _target_key(measure_id, financial_year, due_date):
        return (measure_id, financial_year, due_date)

    def counted(self, rows: list[ReadRow]):
        """The sheet's rows, telling `progress` (if any) how far the import has gone."""
        for row in rows:
            yield row
            self.rows_done += 1
            if self.progress and (
                self.rows_done % PROGRESS_EVERY == 0 or self.rows_done == self.rows_total
            ):
                self.progress(self.rows_done, self.rows_total)

    def problem(self, sheet: Sheet, row: ReadRow, field_name: str | None, message: str) -> None:
        column = row.header(field_name) if field_name else ""
        self.problems.append(Problem(message, sheet=sheet.title, row=row.number, column=column))

    def person(self, sheet: Sheet, row: ReadRow, field_name: str, name: str) -> Person | None:
        if not name:
            return None
        person = self.people.get(_key(name))
        if person is not None:
            return person
        where = f"{sheet.title} row {row.number}, {row.header(field_name)}"
        places = self.unknown_people.setdefault(_key(name), [name])
        places.append(where)
        if not self.create_people:
            return None
        person = Person(organisation=self.programme.organisation, name=name)
        person.save()
        self.people[_key(name)] = person
        return person

    def summary(self, sheet: Sheet, existing: int) -> SheetSummary:
        summary = SheetSummary(sheet.title)
        summary.not_in_file = existing
        self.result.sheets.append(summary)
        return summary

    def duplicates(self, sheet: Sheet, rows: list[ReadRow], key, label) -> set[int]:
        """Rows whose identity another row already has: reported, and left out."""
        first_row: dict[object, int] = {}
        repeated = set()
        for row in rows:
            identity = key(row)
            if identity is None:
                continue
            if identity in first_row:
                self.problem(
                    sheet,
                    row,
                    "reference" if "reference" in row.values else None,
                    f"{label(row)} is used twice (rows {first_row[identity]} and {row.number}). "
                    "Each must be unique",
                )
                repeated.add(row.number)
            else:
                first_row[identity] = row.number
        return repeated

    def duplicates_in_workstream(self, sheet: Sheet, rows: list[ReadRow]) -> set[int]:
        """Rows whose reference another row of the same workstream already has."""
        return self.duplicates(
            sheet,
            rows,
            lambda r: (
                (r.values.get("workstream"), r.values.get("reference"))
                if r.values.get("reference")
                else None
            ),
            lambda r: f"Ref '{r.values['reference']}' in workstream {r.values.get('workstream')}",
        )

    def save(self, sheet: Sheet, row: ReadRow, instance, fields: dict[str, str]) -> bool:
        """Validate and save; problems go against the row's columns. True if saved."""
        try:
            instance.full_clean(exclude=["version", "sort_key", "programme", "position"])
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                column = fields.get(name)
                for message in messages:
                    self.problem(sheet, row, column, message.rstrip("."))
            return False
        instance._history_user = self.by
        instance._change_reason = getattr(instance, "_change_reason", None) or CHANGE_REASON
        instance.save()
        return True

    @staticmethod
    def assign(instance, values: dict[str, object]) -> list[str]:
        changed = []
        for name, value in values.items():
            model_field = instance._meta.get_field(name)
            if model_field.many_to_one:
                wanted_id = value.pk if value is not None else None
                if getattr(instance, model_field.attname) != wanted_id:
                    setattr(instance, name, value)
                    changed.append(name)
                continue
            if getattr(instance, name) != value:
                setattr(instance, name, value)
                changed.append(name)
        return changed

    def record(self, summary: SheetSummary, label: str, created: bool, changed: list[str]):
        if created:
            summary.created.append(label)
        elif changed:
            summary.changed.append((label, changed))
        else:
            summary.unchanged += 1

    def headers_of(self, sheet: Sheet, row: ReadRow, names: list[str], mapping: dict) -> list:
        return sorted({row.header(mapping.get(name, name)) for name in names})

    # -- sheets ------------------------------------------------------------------------

    def import_areas(self) -> None:
        sheet, rows = AREAS, self.plan.rows[AREAS.title]
        repeated = self.duplicates(
            sheet,
            rows,
            lambda r: r.values.get("reference") or None,
            lambda r: f"Ref '{r.values['reference']}'",
        )
        seen = set()
        summary = self.summary(sheet, 0)
        for row in self.counted(rows):
            if row.number in repeated:
                continue
            values = dict(row.values)
            reference = values.pop("reference", "")
            documents = values.pop("key_documents", None)
            seen.add(reference)
            for role in ("sponsor", "project_manager"):
                if role in values:
                    values[role] = self.person(sheet, row, role, values[role])
            area = self.areas.get(reference)
            created = area is None
            if created:
                area = ProgrammeArea(programme=self.programme, reference=reference)
            changed = self.assign(area, values)
            if (created or changed) and self.save(sheet, row, area, {n: n for n in values}):
                self.areas[reference] = area
            titles = key_document_titles(documents) if documents is not None else None
            if titles is not None and area.pk and replace_key_documents(area, titles, by=self.by):
                changed.append("key_documents")
            self.record(
                summary,
                f"{reference} {area.name}",
                created,
                self.headers_of(sheet, row, changed, {}),
            )
        summary.not_in_file = len(set(self.areas) - seen)

    def import_workstreams(self) -> None:
        sheet, rows = WORKSTREAMS, self.plan.rows[WORKSTREAMS.title]
        repeated = self.duplicates(
            sheet,
            rows,
            lambda r: r.values.get("reference") or None,
            lambda r: f"Ref '{r.values['reference']}'",
        )
        summary = self.summary(sheet, 0)
        seen = set()
        pending_dependencies: list[tuple[ReadRow, Workstream, list[str]]] = []
        for row in self.counted(rows):
            if row.number in repeated:
                continue
            values = dict(row.values)
            reference = values.pop("reference", "")
            seen.add(reference)
            workstream = self.workstreams.get(reference)
            created = workstream is None
            if created:
                workstream = Workstream(programme=self.programme, reference=reference)
            if "area" in values:
                area_reference = values.pop("area")
                area = self.areas.get(area_reference)
                if area is None:
                    self.problem(
                        sheet, row, "area", f"there is no programme area '{area_reference}'"
                    )
                    continue
                values["area"] = area
            elif created:
                self.problem(sheet, row, None, "a new workstream needs its programme area")
                continue
            if "lead" in values:
                values["lead"] = self.person(sheet, row, "lead", values["lead"])
            if "objective" in values:
                objective_reference = values.pop("objective")
                objective = (
                    self.objectives.get(objective_reference) if objective_reference else None
                )
                if objective_reference and objective is None:
                    self.problem(
                        sheet,
                        row,
                        "objective",
                        f"there is no objective '{objective_reference}' in "
                        f"{self.programme.organisation.name}",
                    )
                    continue
                values["objective"] = objective
            many = {}
            if "supported_by" in values:
                people = [
                    self.person(sheet, row, "supported_by", n) for n in values.pop("supported_by")
                ]
                many["supported_by"] = {p.pk for p in people if p is not None}
            if "outcome_categories" in values:
                categories = []
                for name in values.pop("outcome_categories"):
                    category = self.categories.get(_key(name))
                    if category is None:
                        self.problem(
                            sheet,
                            row,
                            "outcome_categories",
                            f"'{name}' is not an outcome category. The categories are: "
                            + "; ".join(sorted({c.name for c in self.categories.values()})),
                        )
                    else:
                        categories.append(category.pk)
                many["outcome_categories"] = set(categories)
            dependencies = values.pop("depends_on", None)
            changed = self.assign(workstream, values)
            for name, wanted in many.items():
                if created or set(getattr(workstream, name).values_list("pk", flat=True)) != wanted:
                    changed.append(name)
            if created or changed:
                if not self.save(sheet, row, workstream, {n: n for n in values}):
                    continue
                for name, wanted in many.items():
                    getattr(workstream, name).set(wanted)
                self.workstreams[reference] = workstream
            if dependencies is not None:
                pending_dependencies.append((row, workstream, dependencies))
            self.record(
                summary,
                f"{reference} {workstream.name}",
                created,
                self.headers_of(sheet, row, changed, {}),
            )
        summary.not_in_file = len(set(self.workstreams) - seen)
        for row, workstream, references in pending_dependencies:
            wanted = set()
            for reference in references:
                other = self.workstreams.get(reference)
                if other is None:
                    self.problem(sheet, row, "depends_on", f"there is no workstream '{reference}'")
                elif other.pk == workstream.pk:
                    self.problem(sheet, row, "depends_on", "a workstream cannot depend on itself")
                else:
                    wanted.add(other.pk)
            if workstream.pk is None:
                continue
            if set(workstream.depends_on.values_list("pk", flat=True)) != wanted:
                workstream.depends_on.set(wanted)
                self._mark_changed(
                    summary, f"{workstream.reference} {workstream.name}", row.header("depends_on")
                )

    def _mark_changed(self, summary: SheetSummary, label: str, header: str) -> None:
        if label in summary.created:
            return
        for existing_label, headers in summary.changed:
            if existing_label == label:
                if header not in headers:
                    headers.append(header)
                return
        summary.changed.append((label, [header]))
        summary.unchanged -= 1

    def _workstream(self, sheet: Sheet, row: ReadRow) -> Workstream | None:
        reference = row.values.get("workstream", "")
        workstream = self.workstreams.get(reference)
        if workstream is None or workstream.pk is None:
            self.problem(sheet, row, "workstream", f"there is no workstream '{reference}'")
            return None
        return workstream

    MILESTONE_FIELDS = {
        "start_date": "start",
        "start_precision": "start",
        "baseline_date": "baseline",
        "baseline_precision": "baseline",
        "forecast_date": "forecast",
        "forecast_precision": "forecast",
    }

    def import_milestones(self) -> None:
        sheet, rows = MILESTONES, self.plan.rows[MILESTONES.title]
        repeated = self.duplicates_in_workstream(sheet, rows)
        summary = self.summary(sheet, 0)
        seen = set()
        next_position: dict[int, int] = {}
        pending_dependencies = []
        for row in self.counted(rows):
            if row.number in repeated:
                continue
            workstream = self._workstream(sheet, row)
            if workstream is None:
                continue
            values = dict(row.values)
            values.pop("workstream")
            reference = values.pop("reference", "")
            seen.add((workstream.reference, reference))
            milestone = self.milestones.get((workstream.reference, reference))
            created = milestone is None
            if created:
                if workstream.pk not in next_position:
                    last = workstream.milestones.aggregate(last=Max("position"))["last"] or 0
                    next_position[workstream.pk] = last
                next_position[workstream.pk] += 1
                milestone = Milestone(
                    workstream=workstream,
                    reference=reference,
                    position=next_position[workstream.pk],
                )
            if "owner" in values:
                values["owner"] = self.person(sheet, row, "owner", values["owner"])
            if values.get("kind") is None and ("kind" in values or created):
                values["kind"] = MilestoneKind.MILESTONE
            if values.get("status") is None and ("status" in values or created):
                values["status"] = MilestoneStatus.NOT_STARTED
            dependencies = values.pop("depends_on", None)
            dates = {}
            for name in ("start", "forecast"):
                if name in values:
                    dates |= _plan_date_fields(name, values.pop(name))
            baseline_given = "baseline" in values
            new_baseline = values.pop("baseline", None)
            start = PlanDate.from_fields(
                dates.get("start_date", milestone.start_date),
                dates.get("start_precision", milestone.start_precision),
            )
            forecast = PlanDate.from_fields(
                dates.get("forecast_date", milestone.forecast_date),
                dates.get("forecast_precision", milestone.forecast_precision),
            )
            status = values.get("status", milestone.status)
            actual = values.get("actual_date", milestone.actual_date)
            baseline = new_baseline if baseline_given else milestone.baseline
            rule_problems = milestone_plan_problems(start=start, baseline=baseline)
            rule_problems |= milestone_progress_problems(
                status=status, actual_date=actual, forecast=forecast, start=start, today=self.today
            )
            if rule_problems:
                for name, message in rule_problems.items():
                    self.problem(sheet, row, name if name in row.values else None, message)
                continue
            if "at_risk" in values:
                values["at_risk"] = values["at_risk"] and status != MilestoneStatus.COMPLETE
            changed = self.assign(milestone, values | dates)
            rebaseline = None
            if baseline_given and baseline != milestone.baseline:
                if milestone.baseline is not None and not created:
                    rebaseline = BaselineChange(
                        previous_date=milestone.baseline_date,
                        previous_precision=milestone.baseline_precision,
                        new_date=new_baseline.value if new_baseline else None,
                        new_precision=new_baseline.precision if new_baseline else DatePrecision.DAY,
                        changed_at=timezone.now(),
                        changed_by=self.by,
                    )
                changed += self.assign(milestone, _plan_date_fields("baseline", new_baseline))
            label = f"{workstream.reference} / {reference} {milestone.title}"
            if rebaseline is not None:
                if new_baseline is None:
                    self.problem(
                        sheet,
                        row,
                        "baseline",
                        "a milestone's baseline cannot be removed; give its due date",
                    )
                    continue
                self.result.rebaselined.append(label)
                reason = self.rebaseline_reason or "(reason to be given)"
                milestone._change_reason = f"Re-baselined: {reason}"
                rebaseline.reason = reason
            if created or changed:
                if not self.save(
                    sheet, row, milestone, self.MILESTONE_FIELDS | {n: n for n in values}
                ):
                    continue
                if rebaseline is not None:
                    rebaseline.milestone = milestone
                    rebaseline._history_user = self.by
                    rebaseline.save()
                self.milestones[(workstream.reference, reference)] = milestone
            if dependencies is not None:
                pending_dependencies.append((row, milestone, dependencies))
            self.record(
                summary, label, created, self.headers_of(sheet, row, changed, self.MILESTONE_FIELDS)
            )
        summary.not_in_file = len(set(self.milestones) - seen)
        if self.result.rebaselined and not self.rebaseline_reason and not self.dry_run:
            self.problems.append(
                Problem(
                    f"The file moves the due date (baseline) of {len(self.result.rebaselined)} "
                    "milestones: give the reason for re-baselining",
                    sheet=sheet.title,
                )
            )
        self._milestone_dependencies(sheet, summary, pending_dependencies)

    def _milestone_dependencies(self, sheet, summary, pending) -> None:
        by_reference: dict[str, list[Milestone]] = defaultdict(list)
        for (workstream_reference, reference), milestone in self.milestones.items():
            by_reference[reference].append(milestone)
            by_reference[f"{workstream_reference}/{reference}"].append(milestone)
        for row, milestone, references in pending:
            wanted = set()
            for reference in references:
                matches = by_reference.get(reference.replace(" / ", "/"), [])
                if not matches:
                    self.problem(sheet, row, "depends_on", f"there is no milestone '{reference}'")
                elif len(matches) > 1:
                    self.problem(
                        sheet,
                        row,
                        "depends_on",
                        f"'{reference}' is a Ref in more than one workstream: write it as "
                        f"workstream/Ref, e.g. {matches[0].workstream.reference}/{reference}",
                    )
                elif matches[0].pk == milestone.pk:
                    self.problem(sheet, row, "depends_on", "a milestone cannot depend on itself")
                else:
                    wanted.add(matches[0].pk)
            if milestone.pk is None:
                continue
            if set(milestone.depends_on.values_list("pk", flat=True)) != wanted:
                milestone.depends_on.set(wanted)
                label = (
                    f"{milestone.workstream.reference} / {milestone.reference} {milestone.title}"
                )
                self._mark_changed(summary, label, row.header("depends_on"))

    def import_measures(self) -> None:
        sheet, rows = MEASURES, self.plan.rows[MEASURES.title]
        repeated = self.duplicates_in_workstream(sheet, rows)
        summary = self.summary(sheet, 0)
        seen = set()
        for row in self.counted(rows):
            if row.number in repeated:
                continue
            workstream = self._workstream(sheet, row)
            if workstream is None:
                continue
            values = dict(row.values)
            values.pop("workstream")
            reference = values.pop("reference", "")
            seen.add((workstream.reference, reference))
            measure = self.measures.get((workstream.reference, reference))
            created = measure is None
            if created:
                measure = Measure(workstream=workstream, reference=reference)
            if "owner" in values:
                values["owner"] = self.person(sheet, row, "owner", values["owner"])
            if values.get("unit") is None and ("unit" in values or created):
                values["unit"] = MeasureUnit.NUMBER
            if values.get("direction") is None and ("direction" in values or created):
                values["direction"] = Direction.HIGHER
            changed = self.assign(measure, values)
            if (created or changed) and self.save(sheet, row, measure, {n: n for n in values}):
                self.measures[(workstream.reference, reference)] = measure
            self.record(
                summary,
                f"{workstream.reference} / {reference} {measure.title}",
                created,
                self.headers_of(sheet, row, changed, {}),
            )
        summary.not_in_file = len(set(self.measures) - seen)

    def import_targets(self) -> None:
        sheet, rows = TARGETS, self.plan.rows[TARGETS.title]
        summary = self.summary(sheet, 0)
        seen = set()
        first_row: dict[tuple, int] = {}
        for row in self.counted(rows):
            values = row.values
            measure = self.measures.get((values.get("workstream"), values.get("measure")))
            if measure is None or measure.pk is None:
                self.problem(
                    sheet,
                    row,
                    "measure",
                    f"there is no measure '{values.get('measure')}' in workstream "
                    f"{values.get('workstream')}",
                )
                continue
            year = values.get("financial_year")
            due = values.get("due")
            if (year is None) == (due is None):
                self.problem(
                    sheet,
                    row,
                    None,
                    "give either a Financial year or a By date for the target, not both"
                    if year is not None
                    else "give a Financial year or a By date for the target",
                )
                continue
            year_number = year.start_year if year is not None else None
            key = self._target_key(measure.pk, year_number, due.value if due else None)
            when = str(year) if year is not None else f"by {due}"
            if key in first_row:
                self.problem(
                    sheet,
                    row,
                    None,
                    f"measure {measure.reference} has two targets for {when} (rows "
                    f"{first_row[key]} and {row.number})",
                )
                continue
            first_row[key] = row.number
            seen.add(key)
            target = self.targets.get(key)
            created = target is None
            if created:
                target = MeasureTarget(measure=measure)
            changed = self.assign(
                target,
                {
                    "financial_year": year_number,
                    "due_date": due.value if due else None,
                    "value": values.get("value", target.value),
                }
                | ({"due_precision": due.precision} if due else {}),
            )
            if (created or changed) and self.save(
                sheet,
                row,
                target,
                {"value": "value", "due_date": "due", "financial_year": "financial_year"},
            ):
                self.targets[key] = target
            self.record(
                summary,
                f"{measure.workstream.reference} / {measure.reference} target {when}",
                created,
                self.headers_of(sheet, row, changed, {"due_date": "due", "due_precision": "due"}),
            )
        summary.not_in_file = len(set(self.targets) - seen)

    def import_risks(self) -> None:
        sheet, rows = RISKS, self.plan.rows[RISKS.title]
        repeated = self.duplicates(
            sheet,
            rows,
            lambda r: r.values.get("reference") or None,
            lambda r: f"Risk ID '{r.values['reference']}'",
        )
        summary = self.summary(sheet, 0)
        seen = set()
        for row in self.counted(rows):
            if row.number in repeated:
                continue
            values = dict(row.values)
            reference = values.pop("reference", "")
            seen.add(reference)
            risk = self.risks.get(reference)
            created = risk is None
            if created:
                risk = Risk(programme=self.programme, reference=reference, raised_on=self.today)
            if not self._risk_scope(sheet, row, values, risk):
                continue
            if "owner" in values:
                values["owner"] = self.person(sheet, row, "owner", values["owner"])
            for name, default in (("kind", RiskKind.THREAT), ("status", RiskStatus.OPEN)):
                if values.get(name) is None and (name in values or created):
                    values[name] = default
            if "response" in values and values["response"] is None:
                values["response"] = ""
            if values.get("raised_on") is None and "raised_on" in values:
                values["raised_on"] = risk.raised_on or self.today
            score = values.pop("score", None)
            rag = values.pop("rag", None)
            merged = {
                name: values.get(name, getattr(risk, name, None))
                for name in RiskDetails.__dataclass_fields__
                if name not in ("area", "workstream")
            }
            details = RiskDetails(
                **merged,
                area=values.get("area", risk.area if risk.area_id else None),
                workstream=values.get(
                    "workstream", risk.workstream if risk.workstream_id else None
                ),
            )
            rule_problems = risk_problems(details)
            if values.get("status", risk.status) == RiskStatus.CLOSED and not values.get(
                "closing_reason", risk.closing_reason
            ):
                rule_problems["closing_reason"] = "a closed risk needs its closing reason"
            likelihood = values.get("current_likelihood", risk.current_likelihood)
            impact = values.get("current_impact", risk.current_impact)
            if not rule_problems and likelihood and impact:
                rule_problems |= self._score_problems(likelihood * impact, score, rag)
            if rule_problems:
                for name, message in rule_problems.items():
                    self.problem(sheet, row, name if name in row.values else None, message)
                continue
            changed = self.assign(risk, values)
            if (created or changed) and self.save(sheet, row, risk, {n: n for n in values}):
                self.risks[reference] = risk
            self.record(
                summary,
                f"{reference} {risk.title}",
                created,
                self.headers_of(sheet, row, changed, {}),
            )
        summary.not_in_file = len(set(self.risks) - seen)

    def _score_problems(self, actual: int, score, rag) -> dict[str, str]:
        problems = {}
        if score is not None and score != actual:
            problems["score"] = (
                f"{score} is not probability x impact ({actual}). Correct it, or leave it blank"
            )
        band = self.programme.risk_band(actual)
        if rag is not None and rag != band.value:
            problems["rag"] = (
                f"'{rag.capitalize()}' does not match the score {actual}, which is {band.label} "
                f"in this programme (Amber from {self.programme.risk_amber_from}, Red from "
                f"{self.programme.risk_red_from}). Correct it, or leave it blank"
            )
        return problems

    def _risk_scope(self, sheet, row, values: dict, risk: Risk) -> bool:
        area_reference = values.pop("area", None)
        workstream_reference = values.pop("workstream", None)
        if area_reference is None and workstream_reference is None:
            return True
        area = self.areas.get(area_reference) if area_reference else None
        if area_reference and area is None:
            self.problem(sheet, row, "area", f"there is no programme area '{area_reference}'")
            return False
        workstream = self.workstreams.get(workstream_reference) if workstream_reference else None
        if workstream_reference and (workstream is None or workstream.pk is None):
            self.problem(
                sheet, row, "workstream", f"there is no workstream '{workstream_reference}'"
            )
            return False
        if workstream is not None:
            if area is not None and workstream.area_id != area.pk:
                self.problem(
                    sheet,
                    row,
                    "workstream",
                    f"workstream {workstream.reference} is in programme area "
                    f"{workstream.area.reference}, not {area.reference}",
                )
                return False
            area = workstream.area
        if "area" in row.values:
            values["area"] = area
        if "workstream" in row.values:
            values["workstream"] = workstream
        elif (
            workstream is None
            and risk.workstream_id
            and area is not None
            and risk.workstream.area_id != area.pk
        ):
            values["workstream"] = None
        return True

    def import_budget(self) -> None:
        sheet, rows = BUDGET, self.plan.rows[BUDGET.title]
        summary = self.summary(sheet, 0)
        seen = set()
        first_row: dict[tuple, int] = {}
        for row in self.counted(rows):
            workstream = self._workstream(sheet, row)
            if workstream is None:
                continue
            values = dict(row.values)
            values.pop("workstream")
            year = values.pop("financial_year", None)
            key = (
                workstream.reference,
                year.start_year if year else None,
                _key(values.get("description", "")),
            )
            if key in first_row:
                self.problem(
                    sheet,
                    row,
                    "description",
                    f"workstream {workstream.reference} has two budget lines "
                    f"'{values.get('description')}' for {year} (rows {first_row[key]} and "
                    f"{row.number})",
                )
                continue
            first_row[key] = row.number
            seen.add(key)
            line = self.budget.get(key)
            created = line is None
            if created:
                line = BudgetLine(workstream=workstream, financial_year=year.start_year)
            for money in ("allocated", "spent", "forecast"):
                if money in values and values[money] is None:
                    values[money] = 0
            changed = self.assign(line, values)
            if (created or changed) and self.save(sheet, row, line, {n: n for n in values}):
                self.budget[key] = line
            self.record(
                summary,
                f"{workstream.reference} {year} {line.description}",
                created,
                self.headers_of(sheet, row, changed, {}),
            )
        summary.not_in_file = len(set(self.budget) - seen)

    def run(self) -> ImportResult:
        self.import_areas()
        self.import_workstreams()
        self.import_milestones()
        self.import_measures()
        self.import_targets()
        self.import_risks()
        self.import_budget()
        for places in self.unknown_people.values():
            self.result.new_people.append(places[0])
        if self.unknown_people and not self.create_people:
            for places in self.unknown_people.values():
                name, where = places[0], places[1:]
                self.problems.append(
                    Problem(
                        f"'{name}' is not a known person in {self.programme.organisation.name} "
                        f"({', '.join(where[:3])}{' ...' if len(where) > 3 else ''}). Check the "
                        "spelling, or choose to add them",
                    )
                )
        return self.result


def import_plan(
    programme: Programme,
    data: bytes,
    *,
    by=None,
    check_permission: bool = True,
    dry_run: bool = False,
    create_people: bool = False,
    rebaseline_reason: str = "",
    progress: Progress | None = None,
) -> ImportResult:
    """Import the workbook into the programme, all or nothing, as `by` (the programme office;
    at the command line an operator, who may name a user for the history, or none). A dry run
    writes nothing and reports what the import would do, treating unknown people as people
    to add. `progress`, if given, is told (rows done, rows in all) as the rows are worked
    through: from inside the import's transaction, so it must not write to the database."""
    if check_permission:
        require(by, Action.MANAGE_PROGRAMME, programme)
    plan = read_plan(data)
    if plan.problems:
        return ImportResult(dry_run=dry_run, problems=plan.problems, notes=plan.notes)
    try:
        with transaction.atomic():
            Programme.objects.select_for_update().filter(pk=programme.pk).first()
            result = _Importer(
                programme,
                plan,
                by=by,
                create_people=create_people,
                rebaseline_reason=rebaseline_reason,
                dry_run=dry_run,
                progress=progress,
            ).run()
            if result.problems:
                raise ImportRefused(result.problems)
            if dry_run:
                transaction.set_rollback(True)
    except ImportRefused as refused:
        result.problems = refused.problems
        result.sheets = []
    return result
