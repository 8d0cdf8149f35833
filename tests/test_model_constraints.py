"""The database refuses states the plan must never be in, whatever writes to it."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from programmes.choices import Role
from programmes.models import Membership
from tests.factories import (
    MeasureFactory,
    MeasureReadingFactory,
    MeasureTargetFactory,
    MilestoneFactory,
    PersonFactory,
    ProgrammeFactory,
    RiskFactory,
    StatusUpdateFactory,
)


def refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_a_complete_milestone_needs_its_completion_date(plan):
    refused(lambda: MilestoneFactory(workstream=plan["ws_1_1"], status="complete"))
    refused(lambda: MilestoneFactory(workstream=plan["ws_1_1"], actual_date=date(2026, 1, 1)))


def test_references_are_unique_within_their_parent(plan):
    MilestoneFactory(workstream=plan["ws_1_1"], reference="1.1.1")
    refused(lambda: MilestoneFactory(workstream=plan["ws_1_1"], reference="1.1.1"))
    MilestoneFactory(workstream=plan["ws_1_2"], reference="1.1.1")  # another workstream: fine


@pytest.mark.parametrize(
    "scores",
    [
        {"current_likelihood": 0},
        {"current_impact": 6},
        {"inherent_likelihood": 3, "inherent_impact": None},
        {"target_likelihood": 6, "target_impact": 1},
    ],
)
def test_risk_scores_are_one_to_five(plan, scores):
    refused(lambda: RiskFactory(programme=plan["programme"], **scores))


def test_a_closed_risk_says_why(plan):
    refused(lambda: RiskFactory(programme=plan["programme"], status="closed"))
    RiskFactory(programme=plan["programme"], status="closed", closing_reason="Mitigated fully")


def test_a_target_is_for_a_year_or_a_date_not_both(plan):
    measure = MeasureFactory(workstream=plan["ws_1_1"])
    refused(lambda: MeasureTargetFactory(measure=measure, due_date=date(2026, 6, 30)))
    refused(lambda: MeasureTargetFactory(measure=measure, financial_year=None))


def test_one_reading_per_measure_per_month(plan):
    measure = MeasureFactory(workstream=plan["ws_1_1"])
    MeasureReadingFactory(measure=measure, period=date(2026, 10, 1))
    refused(lambda: MeasureReadingFactory(measure=measure, period=date(2026, 10, 1)))
    refused(lambda: MeasureReadingFactory(measure=measure, period=date(2026, 11, 15)))


def test_a_submitted_amber_or_red_update_has_a_reason(plan):
    refused(
        lambda: StatusUpdateFactory(
            workstream=plan["ws_1_1"],
            rag="red",
            state="submitted",
            submitted_at="2026-10-20T10:00Z",
        )
    )
    StatusUpdateFactory(workstream=plan["ws_1_2"], rag="red", state="draft")


def test_a_role_sits_at_the_scope_it_belongs_to(plan):
    person = PersonFactory(organisation=plan["programme"].organisation)
    refused(
        lambda: Membership.objects.create(
            person=person, role=Role.SPONSOR, programme=plan["programme"]
        )
    )
    refused(
        lambda: Membership.objects.create(
            person=person,
            role=Role.BOARD_MEMBER,
            programme=plan["programme"],
            area=plan["area_one"],
        )
    )


def test_risk_bands_must_be_in_order(db):
    refused(lambda: ProgrammeFactory(risk_amber_from=15, risk_red_from=10))
