"""Writes to a programme's benefits register (issue 16, part 1; DOMAIN.md section 7): the
programme office adds and changes benefits with their planned profile by financial year; the
benefit's owner (or the office) records what was realised in a year, with the evidence, and
the owner still may after the programme has closed.

Each write is one transaction, takes the acting user (keyword-only `by`), checks their role
(`programmes.permissions.may_keep_benefits`, `may_record_benefit_realisation`), validates
(refusing with a ValidationError by field) and saves through the model, so that the history
records who changed what. A save based on a stale copy raises `programmes.models.StaleEdit`.

Other code (the demo, imports) creates benefits with `add_benefit(programme, by=user,
details=BenefitDetails(...))` and records realisation with `record_realisation(...)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from programmes.dates import FinancialYear
from programmes.models import Person, Programme, StaleEdit
from programmes.permissions import (
    closed_refusal,
    is_closed_for,
    may_keep_benefits,
    may_record_benefit_realisation,
    may_see,
)
from workstreams.models import (
    Benefit,
    BenefitStatus,
    BenefitType,
    BenefitYear,
    Measure,
    MeasureUnit,
    Workstream,
)
from workstreams.services.measures import programme_years

# Benefits go on being realised after a programme ends: the profile runs this many financial
# years past the programme's last.
YEARS_AFTER_PROGRAMME = 3


@dataclass
class BenefitDetails:
    """A benefit as the programme office sets it. `planned` is the profile: amount by
    financial year (the year it starts in: 2026 for 2026/27); None or absent, nothing
    planned that year."""

    reference: str
    title: str
    benefit_type: str = BenefitType.CASHABLE
    description: str = ""
    is_disbenefit: bool = False
    unit: str = MeasureUnit.POUNDS
    owner_id: int | None = None
    beneficiary: str = ""
    workstream_ids: list[int] = field(default_factory=list)
    measure_ids: list[int] = field(default_factory=list)
    baseline_value: Decimal | None = None
    baseline_description: str = ""
    confidence: str = "medium"
    status: str = BenefitStatus.PLANNED
    planned: dict[int, Decimal | None] = field(default_factory=dict)


def profile_years(programme: Programme, stored: list[int] | tuple[int, ...] = ()) -> list[int]:
    """The financial years a benefit's profile offers: the programme's, the few after it (when
    benefits are still being realised), and any year already stored outside those."""
    first, last = programme_years(programme)
    years = set(range(first.start_year, last.start_year + YEARS_AFTER_PROGRAMME + 1))
    return sorted(years | set(stored))


def planned_field(year: int) -> str:
    """The form field of a year's planned amount: "planned_2026"."""
    return f"planned_{year}"


def benefit_problems(details: BenefitDetails, programme: Programme) -> dict[str, str]:
    """A cashable saving counts pounds; a qualitative benefit has no amounts; amounts are not
    negative (a dis-benefit's size is given as a positive amount); each planned year is one
    the profile offers."""
    problems = {}
    if details.benefit_type == BenefitType.CASHABLE and details.unit != MeasureUnit.POUNDS:
        problems["unit"] = "A cashable saving is counted in pounds: choose Pounds"
    offered = set(profile_years(programme))
    for year, amount in details.planned.items():
        if amount is None:
            continue
        name = planned_field(year)
        if details.benefit_type == BenefitType.QUALITATIVE:
            problems[name] = (
                f"A qualitative benefit has no planned amounts: clear {FinancialYear(year)}, "
                "or choose another type"
            )
        elif amount < 0:
            problems[name] = (
                f"The amount planned for {FinancialYear(year)} cannot be less than 0 "
                "(give a dis-benefit's size as a positive amount)"
            )
        elif year not in offered:
            problems[name] = f"{FinancialYear(year)} is not a year of the benefit's profile"
    return problems


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationError(problems)


def _links(programme: Programme, details: BenefitDetails):
    """The owner, workstreams and measures named, each of the programme's own (a form offers
    only those; anything else is refused as not found)."""
    owner = None
    if details.owner_id is not None:
        owner = Person.objects.filter(
            pk=details.owner_id, organisation_id=programme.organisation_id
        ).first()
        if owner is None:
            raise ValidationError({"owner": "Choose one of the organisation's people"})
    workstreams = list(
        Workstream.objects.filter(programme=programme, pk__in=details.workstream_ids)
    )
    measures = list(
        Measure.objects.filter(workstream__programme=programme, pk__in=details.measure_ids)
    )
    if len(workstreams) != len(set(details.workstream_ids)):
        raise ValidationError({"workstreams": "Choose workstreams of this programme"})
    if len(measures) != len(set(details.measure_ids)):
        raise ValidationError({"measures": "Choose measures of this programme"})
    return owner, workstreams, measures


def _apply(benefit: Benefit, details: BenefitDetails, owner) -> None:
    benefit.reference = details.reference.strip()
    benefit.title = details.title.strip()
    benefit.description = details.description.strip()
    benefit.benefit_type = details.benefit_type
    benefit.is_disbenefit = details.is_disbenefit
    benefit.unit = details.unit
    benefit.owner = owner
    benefit.beneficiary = details.beneficiary.strip()
    benefit.baseline_value = details.baseline_value
    benefit.baseline_description = details.baseline_description.strip()
    benefit.confidence = details.confidence
    benefit.status = details.status


def _check_reference(benefit: Benefit, programme: Programme) -> None:
    taken = Benefit.objects.filter(programme=programme, reference=benefit.reference)
    if benefit.pk is not None:
        taken = taken.exclude(pk=benefit.pk)
    if taken.exists():
        raise ValidationError(
            {
                "reference": f"This programme already has a benefit {benefit.reference}: "
                "choose another reference"
            }
        )


def _save_profile(benefit: Benefit, planned: dict[int, Decimal | None], *, by) -> None:
    """Set each year's planned amount: a year with nothing planned and nothing realised or
    evidenced is removed; a year with a realisation keeps it."""
    stored = {year.financial_year: year for year in BenefitYear.objects.filter(benefit=benefit)}
    for financial_year, amount in planned.items():
        year = stored.get(financial_year)
        if year is None:
            if amount is None:
                continue
            year = BenefitYear(benefit=benefit, financial_year=financial_year)
        elif year.planned == amount:
            continue
        if amount is None and year.realised is None and not year.evidence:
            year._history_user = by
            year.delete()
            continue
        year.planned = amount
        year._history_user = by
        year.save()


def _require_keeper(by, programme: Programme) -> None:
    if not may_see(by, programme):
        raise Http404("Not found")
    if is_closed_for(by, programme):
        raise closed_refusal(programme)
    if not may_keep_benefits(by, programme):
        raise PermissionDenied(
            f"Your role does not allow you to change the benefits register ({programme})"
        )


@transaction.atomic
def add_benefit(programme: Programme, *, by, details: BenefitDetails) -> Benefit:
    """A new benefit in the programme's register, with its planned profile."""
    _require_keeper(by, programme)
    _refuse(benefit_problems(details, programme))
    owner, workstreams, measures = _links(programme, details)
    benefit = Benefit(programme=programme)
    _apply(benefit, details, owner)
    _check_reference(benefit, programme)
    benefit._history_user = by
    benefit.save()
    benefit.workstreams.set(workstreams)
    benefit.measures.set(measures)
    _save_profile(benefit, details.planned, by=by)
    return benefit


@transaction.atomic
def edit_benefit(benefit: Benefit, *, by, version: int, details: BenefitDetails) -> Benefit:
    """Change a benefit and its planned profile (realised amounts are kept)."""
    programme = benefit.programme
    _require_keeper(by, programme)
    _refuse(benefit_problems(details, programme))
    owner, workstreams, measures = _links(programme, details)
    benefit.version = version
    _apply(benefit, details, owner)
    _check_reference(benefit, programme)
    benefit._history_user = by
    benefit.save()
    benefit.workstreams.set(workstreams)
    benefit.measures.set(measures)
    _save_profile(benefit, details.planned, by=by)
    return benefit


def realisation_problems(
    benefit: Benefit, *, financial_year: int, realised: Decimal | None, evidence: str, today
) -> dict[str, str]:
    """A realisation is for a year that has begun, counts an amount (but for a qualitative
    benefit, which is evidence alone) that is not negative, and says what shows it."""
    problems = {}
    current = FinancialYear.containing(today).start_year
    if financial_year > current:
        problems["financial_year"] = (
            f"{FinancialYear(financial_year)} has not begun: record what was realised once it has"
        )
    if realised is None and not benefit.is_qualitative:
        problems["realised"] = "Enter the amount realised in the year"
    elif realised is not None and realised < 0:
        problems["realised"] = "The amount realised cannot be less than 0"
    if not evidence.strip():
        problems["evidence"] = "Say what shows the benefit was realised: the evidence"
    return problems


@transaction.atomic
def record_realisation(
    benefit: Benefit,
    *,
    by,
    financial_year: int,
    realised: Decimal | None,
    evidence: str,
    version: int | None = None,
    today=None,
) -> BenefitYear:
    """Record (version None: the year has no figures yet, or only a planned amount read at
    that version) or correct what a benefit realised in a financial year, with the evidence.
    Its owner may, also after the programme has closed; the programme office may while the
    programme is open (`may_record_benefit_realisation`)."""
    if not may_see(by, benefit):
        raise Http404("Not found")
    if not may_record_benefit_realisation(by, benefit):
        if is_closed_for(by, benefit):
            raise closed_refusal(benefit)
        raise PermissionDenied(
            f"Only the benefit's owner or the programme office records what it realised ({benefit})"
        )
    today = today or timezone.localdate()
    _refuse(
        realisation_problems(
            benefit,
            financial_year=financial_year,
            realised=realised,
            evidence=evidence,
            today=today,
        )
    )
    year = BenefitYear.objects.filter(benefit=benefit, financial_year=financial_year).first()
    if year is None:
        year = BenefitYear(benefit=benefit, financial_year=financial_year)
    elif version is not None:
        year.version = version
    elif year.realised is not None or year.evidence:
        raise ValidationError(
            {
                "financial_year": f"Someone has just recorded {FinancialYear(financial_year)}: "
                "reload the page to see it, then change it if you still mean to"
            }
        )
    unchanged = year.pk is not None and (year.realised, year.evidence) == (
        realised,
        evidence.strip(),
    )
    if unchanged:
        if version is not None and version != BenefitYear.objects.get(pk=year.pk).version:
            raise StaleEdit(year, BenefitYear.objects.get(pk=year.pk).version)
        return year  # sent back as it was: nothing to record
    year.realised = realised
    year.evidence = evidence.strip()
    year.recorded_at = timezone.now()
    year.recorded_by = by
    year._history_user = by
    try:
        with transaction.atomic():
            year.save()
    except IntegrityError:
        raise ValidationError(
            {
                "financial_year": f"Someone has just recorded {FinancialYear(financial_year)}: "
                "reload the page to see it"
            }
        ) from None
    return year
