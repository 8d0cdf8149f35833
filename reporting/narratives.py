"""Exception narratives: what the project manager tells the board about each breach of
tolerance in a period, and the sponsor's approval of it (DOMAIN.md sections 2 and 5).

The system finds the exceptions (`reporting.exceptions`); a person with WRITE_EXCEPTION for
the breach's scope writes the cause, consequences, options, recommendation and decision
required, and a person with APPROVE_EXCEPTION for that scope approves the words. The scope is
the breach's workstream, else its area, else the programme (a budget breach, or a risk raised
at programme level, which only the programme office answers for). Each write is one
transaction, records who made it, and refuses a save based on a copy someone else has changed
since (`programmes.models.StaleEdit`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from programmes.models import ProgrammeArea, ReportingPeriod, StaleEdit
from programmes.permissions import Action, may, require
from reporting.dashboard import build_dashboard
from reporting.exceptions import Breach, detect_exceptions
from reporting.models import ExceptionNarrative
from reporting.state import ProgrammeData, load_programme_data
from workstreams.models import Workstream

# The parts of a narrative, in the order the board reads them, with their names in messages.
NARRATIVE_FIELDS: dict[str, str] = {
    "cause": "The cause",
    "consequences": "The consequences",
    "options": "The options",
    "recommendation": "The recommendation",
    "decision_required": "The decision required",
}
TEXT_LIMIT = 4000


@dataclass
class PeriodExceptions:
    """Every breach found for a period, with its narrative, and the counts the board asks
    for first: how many, how many without a narrative, how many awaiting approval."""

    data: ProgrammeData
    breaches: list[Breach]

    @property
    def period(self) -> ReportingPeriod:
        return self.data.period

    @property
    def count(self) -> int:
        return len(self.breaches)

    @property
    def without_narrative(self) -> int:
        return sum(1 for breach in self.breaches if not breach.has_narrative)

    @property
    def awaiting_approval(self) -> int:
        """Written, not yet approved."""
        return sum(
            1
            for breach in self.breaches
            if breach.has_narrative and breach.narrative.approved_at is None
        )

    def find(self, key: str) -> Breach | None:
        return next((breach for breach in self.breaches if breach.key == key), None)


def _attach_authorship(narratives: list[ExceptionNarrative]) -> None:
    """Who wrote and who approved each narrative, and when it last changed: two queries."""
    ids = {n.written_by_id for n in narratives} | {n.approved_by_id for n in narratives}
    ids |= {n.sent_back_by_id for n in narratives}
    ids.discard(None)
    users = get_user_model().objects.select_related("person").in_bulk(ids) if ids else {}
    changed = (
        dict(
            ExceptionNarrative.history.filter(id__in=[n.pk for n in narratives])
            .order_by()
            .values("id")
            .annotate(last=Max("history_date"))
            .values_list("id", "last")
        )
        if narratives
        else {}
    )
    for narrative in narratives:
        narrative.written_by = users.get(narrative.written_by_id)
        narrative.approved_by = users.get(narrative.approved_by_id)
        narrative.sent_back_by = users.get(narrative.sent_back_by_id)
        narrative.last_changed_at = changed.get(narrative.pk)


def exceptions_for_period(period: ReportingPeriod) -> PeriodExceptions:
    """The exceptions of a period, as at its end when it has ended, else as at today, each
    with its narrative for that period. A fixed number of queries."""
    data = load_programme_data(period.programme, period=period)
    # A period not yet ended is read as at today; its narratives are still this period's.
    data.period = period
    breaches = detect_exceptions(data, build_dashboard(data))
    _attach_authorship([breach.narrative for breach in breaches if breach.narrative is not None])
    return PeriodExceptions(data, breaches)


def placed_at(period: ReportingPeriod, breach: Breach) -> ExceptionNarrative:
    """An unsaved narrative at the breach's scope: what `programmes.permissions` is asked
    about, so that the rule for who writes and approves stays there."""
    return ExceptionNarrative(
        period=period,
        key=breach.key,
        kind=breach.kind,
        area=breach.area,
        workstream=breach.workstream,
    )


def may_write(user, period: ReportingPeriod, breach: Breach) -> bool:
    return may(user, Action.WRITE_EXCEPTION, placed_at(period, breach))


def may_approve(user, period: ReportingPeriod, breach: Breach) -> bool:
    return may(user, Action.APPROVE_EXCEPTION, placed_at(period, breach))


def narrative_problems(text: Mapping[str, str]) -> dict[str, str]:
    """Each part of a narrative is at most 4,000 characters, so that the exception report
    stays readable and prints."""
    return {
        name: f"{label} must be {TEXT_LIMIT:,} characters or fewer"
        for name, label in NARRATIVE_FIELDS.items()
        if len(text.get(name, "")) > TEXT_LIMIT
    }


def _existing_ids(breach: Breach) -> tuple[int | None, int | None]:
    """The breach's area and workstream, if they still exist: a closed period is read from
    the history and may name a workstream removed since."""
    area_id = breach.area.pk if breach.area is not None else None
    workstream_id = breach.workstream.pk if breach.workstream is not None else None
    if area_id is not None and not ProgrammeArea.objects.filter(pk=area_id).exists():
        area_id = None
    if workstream_id is not None and not Workstream.objects.filter(pk=workstream_id).exists():
        workstream_id = None
    return area_id, workstream_id


@transaction.atomic
def write_narrative(
    period: ReportingPeriod,
    breach: Breach,
    *,
    by,
    version: int | None,
    fields: Mapping[str, str],
) -> ExceptionNarrative:
    """Write the narrative for a breach, or change it (`version` is the one the writer saw;
    None when they saw none). `fields` holds every part: a part left out is blank.

    Approval is of the words approved, so changing the words withdraws the sponsor's approval
    (DOMAIN.md section 5). Saving the same words again changes nothing.
    """
    require(by, Action.WRITE_EXCEPTION, placed_at(period, breach))
    text = {name: (fields.get(name) or "").strip() for name in NARRATIVE_FIELDS}
    problems = narrative_problems(text)
    if problems:
        raise ValidationError(problems)
    narrative = (
        ExceptionNarrative.objects.select_for_update().filter(period=period, key=breach.key).first()
    )
    if narrative is None:
        if not any(text.values()):
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: "Write the narrative before saving: the board needs at "
                    "least the cause and the recommendation"
                }
            )
        narrative = ExceptionNarrative(period=period, key=breach.key)
    else:
        if version != narrative.version:
            raise StaleEdit(narrative, narrative.version)
        if all(getattr(narrative, name) == value for name, value in text.items()):
            return narrative
    for name, value in text.items():
        setattr(narrative, name, value)
    narrative.kind = breach.kind
    narrative.area_id, narrative.workstream_id = _existing_ids(breach)
    narrative.written_by = by
    narrative.sent_back_at = None  # written again: back with the approver
    narrative.sent_back_by = None
    if narrative.approved_at is not None:
        narrative.approved_at = None
        narrative.approved_by = None
        narrative._change_reason = "Changed after approval, so the approval was withdrawn"
    narrative._history_user = by
    try:
        with transaction.atomic():
            narrative.save()
    except IntegrityError:
        # Someone else wrote the first narrative for this breach at the same moment: theirs
        # stands, and the writer sees it before saving again.
        theirs = ExceptionNarrative.objects.get(period=period, key=breach.key)
        raise StaleEdit(theirs, theirs.version) from None
    return narrative


@transaction.atomic
def approve_narrative(
    period: ReportingPeriod, breach: Breach, *, by, version: int | None
) -> ExceptionNarrative:
    """The area's sponsor (or the programme office) approves the narrative as they read it
    (`version`): a narrative changed since is refused with StaleEdit, and one without a
    cause and a recommendation cannot be approved (DOMAIN.md section 5)."""
    require(by, Action.APPROVE_EXCEPTION, placed_at(period, breach))
    narrative = (
        ExceptionNarrative.objects.select_for_update().filter(period=period, key=breach.key).first()
    )
    if narrative is None or not narrative.is_written:
        raise ValidationError(
            "This exception cannot be approved yet: its narrative needs at least a cause and a "
            "recommendation. The project manager writes them first."
        )
    if version != narrative.version:
        raise StaleEdit(narrative, narrative.version)
    if narrative.approved_at is not None:
        return narrative
    narrative.approved_at = timezone.now()
    narrative.approved_by = by
    narrative.sent_back_at = None
    narrative.sent_back_by = None
    narrative._history_user = by
    narrative.save()
    return narrative
