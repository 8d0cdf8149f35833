"""Exceptions are found for every kind of breach of tolerance, and only for breaches
(DOMAIN.md sections 3 and 5); a period that has ended keeps the exceptions it had at its end,
whatever changes after it (section 4)."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from programmes.dates import FinancialYear
from programmes.models import ProgrammeArea
from reporting.narratives import exceptions_for_period
from reporting.services import close_period
from tests.clock import TODAY
from tests.factories import (
    BudgetLineFactory,
    MeasureFactory,
    MeasureReadingFactory,
    MeasureTargetFactory,
    MilestoneFactory,
    PeriodFactory,
    RiskFactory,
    StatusUpdateFactory,
)
from workstreams.models import Workstream

THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = (THIS_MONTH - timedelta(days=1)).replace(day=1)
YEAR = FinancialYear.containing(TODAY).start_year


def saved_on(instance, day):
    """Save with the history dated on a day in the past, as if it had been saved then."""
    instance._history_date = timezone.make_aware(
        datetime.combine(day, datetime.min.time()).replace(hour=10)
    )
    instance.save()
    del instance._history_date  # later saves are dated when they happen
    return instance


def keys(found) -> set[str]:
    return {breach.key for breach in found.breaches}


@pytest.fixture
def periods(plan):
    return {
        "last": PeriodFactory(programme=plan["programme"], month=LAST_MONTH),
        "this": PeriodFactory(programme=plan["programme"], month=THIS_MONTH),
    }


@pytest.fixture
def every_kind(plan, periods):
    """One breach of each kind, each in its own workstream where it can be:
    1.1 has an overdue milestone; 1.2 a milestone forecast 55 days beyond its baseline;
    2.2 is reported Red, with a Red measure and a budget 20% over; risk R1 has scored 20 since
    last period (at the board's threshold of 20); R2 was 3x3 (Amber) last period and is 4x4
    (Red, below the threshold) now."""
    programme = plan["programme"]
    programme.risk_tolerance_score = 20
    programme.save()
    found = {}
    found["overdue"] = MilestoneFactory(
        workstream=plan["ws_1_1"], reference="1.1.1", baseline_date=TODAY - timedelta(days=5)
    )
    found["slipped"] = MilestoneFactory(
        workstream=plan["ws_1_2"],
        reference="1.2.1",
        baseline_date=TODAY + timedelta(days=5),
        forecast_date=TODAY + timedelta(days=60),
    )
    StatusUpdateFactory(
        workstream=plan["ws_2_2"],
        period=periods["this"],
        rag="red",
        reason="Provider withdrew",
        state="submitted",
        submitted_at=timezone.now(),
    )
    found["measure"] = MeasureFactory(workstream=plan["ws_2_2"], reference="NI 141")
    MeasureTargetFactory(measure=found["measure"], financial_year=YEAR, value=Decimal(100))
    MeasureReadingFactory(measure=found["measure"], period=THIS_MONTH, value=Decimal(80))
    BudgetLineFactory(
        workstream=plan["ws_2_2"],
        financial_year=YEAR,
        allocated=Decimal(1000),
        forecast=Decimal(1200),
    )
    before = LAST_MONTH + timedelta(days=2)
    found["threshold"] = saved_on(
        RiskFactory.build(
            programme=programme, reference="R1", current_likelihood=5, current_impact=4
        ),
        before,
    )
    newly_red = saved_on(
        RiskFactory.build(
            programme=programme,
            area=plan["area_one"],
            reference="R2",
            current_likelihood=3,
            current_impact=3,
        ),
        before,
    )
    newly_red.current_likelihood = newly_red.current_impact = 4
    newly_red.save()
    found["newly_red"] = newly_red
    return found


def test_every_kind_of_breach_is_found(plan, periods, every_kind):
    found = exceptions_for_period(periods["this"])
    assert keys(found) == {
        f"milestone:{every_kind['overdue'].pk}",
        f"milestone:{every_kind['slipped'].pk}",
        # 1.1 and 1.2 have no update: their plans suggest Red, which is what the board sees.
        f"workstream:{plan['ws_1_1'].pk}",
        f"workstream:{plan['ws_1_2'].pk}",
        f"workstream:{plan['ws_2_2'].pk}",
        f"measure:{every_kind['measure'].pk}",
        f"budget:{YEAR}",
        # Issue 16: 2.2's budget (its one line) over its area's cost tolerance too.
        f"budget-workstream:{plan['ws_2_2'].pk}",
        f"risk:{every_kind['threshold'].pk}",
        f"risk:{every_kind['newly_red'].pk}",
    }


def test_each_breach_says_what_is_breached_and_where(plan, periods, every_kind):
    found = exceptions_for_period(periods["this"])
    by_key = {breach.key: breach for breach in found.breaches}

    overdue = by_key[f"milestone:{every_kind['overdue'].pk}"]
    assert overdue.breach == "Red because: it is 5 days late"
    assert (overdue.area, overdue.workstream) == (plan["area_one"], plan["ws_1_1"])
    assert "forecast 55 days after its baseline (tolerance 30 days)" in (
        by_key[f"milestone:{every_kind['slipped'].pk}"].breach
    )
    assert "reported Red by its lead" in by_key[f"workstream:{plan['ws_2_2'].pk}"].breach
    assert "missed its target of 100 by 20%" in by_key[f"measure:{every_kind['measure'].pk}"].breach
    budget = by_key[f"budget:{YEAR}"]
    assert budget.area is None and budget.workstream is None
    threshold = by_key[f"risk:{every_kind['threshold'].pk}"].breach
    assert "at or above the board's threshold of 20" in threshold and "newly" not in threshold
    newly_red = by_key[f"risk:{every_kind['newly_red'].pk}"]
    assert "newly Red (was 9)" in newly_red.breach and "threshold" not in newly_red.breach
    assert newly_red.area == plan["area_one"] and newly_red.workstream is None


def test_breaches_come_grouped_by_kind(periods, every_kind):
    kinds = [breach.kind for breach in exceptions_for_period(periods["this"]).breaches]
    assert kinds == sorted(
        kinds, key=["workstream", "milestone", "measure", "budget", "risk"].index
    )


def test_nothing_is_found_within_tolerance(plan, periods):
    """Amber is not an exception: a milestone slipping within tolerance, a budget over by
    less than the tolerance, a measure missing by less than its tolerance, an Amber risk, and
    a risk that was already Red last period but scores below the board's threshold."""
    programme = plan["programme"]
    MilestoneFactory(
        workstream=plan["ws_1_1"],
        reference="1.1.1",
        baseline_date=TODAY + timedelta(days=5),
        forecast_date=TODAY + timedelta(days=30),  # 25 days late: within 30
    )
    MilestoneFactory(
        workstream=plan["ws_1_2"],
        reference="1.2.1",
        status="complete",
        baseline_date=TODAY - timedelta(days=40),
        actual_date=TODAY - timedelta(days=40),
    )
    BudgetLineFactory(
        workstream=plan["ws_2_1"],
        financial_year=YEAR,
        allocated=Decimal(1000),
        forecast=Decimal(1090),  # 9% over: within 10%
    )
    measure = MeasureFactory(workstream=plan["ws_2_1"])
    MeasureTargetFactory(measure=measure, financial_year=YEAR, value=Decimal(100))
    MeasureReadingFactory(measure=measure, period=THIS_MONTH, value=Decimal(96))
    RiskFactory(programme=programme, reference="R1", current_likelihood=4, current_impact=3)
    programme.risk_tolerance_score = 20
    programme.save()
    saved_on(
        RiskFactory.build(
            programme=programme, reference="R2", current_likelihood=4, current_impact=4
        ),
        LAST_MONTH + timedelta(days=2),
    )
    StatusUpdateFactory(
        workstream=plan["ws_2_2"],
        period=periods["this"],
        rag="amber",
        reason="Recruiting",
        state="submitted",
        submitted_at=timezone.now(),
    )

    found = exceptions_for_period(periods["this"])

    assert found.breaches == []
    assert found.count == 0


def test_the_page_says_the_programme_is_within_tolerance(client, people, plan, periods):
    client.force_login(people["board"])
    response = client.get(f"/periods/{periods['this'].pk}/exceptions/")
    assert response.status_code == 200
    assert (
        f"The programme is within tolerance for {periods['this'].label}"
        in response.content.decode()
    )


@pytest.fixture
def as_it_stood(plan, periods):
    """At the end of last month: milestone 1.1.1 was overdue and risk R1 scored 16."""
    approved = timezone.make_aware(datetime.combine(LAST_MONTH, datetime.min.time()))
    for model in (ProgrammeArea, Workstream):
        model.history.update(history_date=approved)
    before = LAST_MONTH + timedelta(days=3)
    milestone = saved_on(
        MilestoneFactory.build(
            workstream=plan["ws_1_1"], reference="1.1.1", baseline_date=LAST_MONTH
        ),
        before,
    )
    risk = saved_on(
        RiskFactory.build(
            programme=plan["programme"], reference="R1", current_likelihood=4, current_impact=4
        ),
        before,
    )
    return {"milestone": milestone, "risk": risk}


def test_a_closed_period_keeps_its_exceptions_whatever_changes_after_it(
    plan, people, periods, as_it_stood
):
    period = periods["last"]
    before = exceptions_for_period(period)
    assert keys(before) == {
        f"milestone:{as_it_stood['milestone'].pk}",
        f"workstream:{plan['ws_1_1'].pk}",
        f"risk:{as_it_stood['risk'].pk}",
    }
    close_period(period, by=people["office"])

    # Since then: the milestone was completed, the risk fell, and new breaches appeared.
    milestone = as_it_stood["milestone"]
    milestone.status, milestone.actual_date = "complete", TODAY
    milestone.save()
    risk = as_it_stood["risk"]
    risk.current_likelihood = risk.current_impact = 1
    risk.save()
    MilestoneFactory(workstream=plan["ws_2_1"], reference="2.1.1", baseline_date=LAST_MONTH)
    RiskFactory(programme=plan["programme"], reference="R9", current_likelihood=5, current_impact=5)
    BudgetLineFactory(
        workstream=plan["ws_2_1"], financial_year=YEAR, allocated=Decimal(1), forecast=Decimal(9)
    )

    period.refresh_from_db()
    after = exceptions_for_period(period)
    assert [(b.key, b.breach) for b in after.breaches] == [
        (b.key, b.breach) for b in before.breaches
    ]
    assert after.data.as_of == period.ends_on
    now = exceptions_for_period(periods["this"])
    assert f"milestone:{milestone.pk}" not in keys(now) and len(now.breaches) > 0
