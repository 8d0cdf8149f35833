"""Entering a measure's actual for a month: one reading per month, none for a closed period,
and the page shows the target, the RAG and the trend."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from programmes.choices import PeriodStatus
from programmes.dates import FinancialYear
from tests.clock import TODAY
from tests.factories import (
    MeasureFactory,
    MeasureReadingFactory,
    MeasureTargetFactory,
    PeriodFactory,
)
from workstreams.models import MeasureReading

THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = (THIS_MONTH - timedelta(days=1)).replace(day=1)


@pytest.fixture
def measure(plan):
    measure = MeasureFactory(
        workstream=plan["ws_1_1"], reference="NI 141", title="Independent living"
    )
    MeasureTargetFactory(
        measure=measure,
        financial_year=FinancialYear.containing(TODAY).start_year,
        value=Decimal(80),
    )
    return measure


def enter(client, user, measure, **data):
    client.force_login(user)
    return client.post(reverse("measure_detail", args=[measure.pk]), data)


def test_a_lead_enters_the_actual_for_a_month_and_sees_rag_and_trend(client, people, measure):
    MeasureReadingFactory(measure=measure, period=LAST_MONTH, value=Decimal(70))
    response = enter(
        client,
        people["lead"],
        measure,
        period=THIS_MONTH.isoformat(),
        value="76",
        note="Includes the new day centre",
    )
    assert response.status_code == 302
    reading = MeasureReading.objects.get(measure=measure, period=THIS_MONTH)
    assert reading.value == Decimal(76) and reading.entered_by == people["lead"]
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert ">Amber</strong>" in page and "missed its target of 80 by 5%" in page
    assert 'src="data:image/svg+xml;base64,' in page  # the trend, drawn as SVG
    assert f"Trend from {LAST_MONTH:%b %Y} (70) to {THIS_MONTH:%b %Y} (76)" in page  # its text


def test_a_reading_for_a_closed_period_is_refused(client, people, measure, plan):
    PeriodFactory(programme=plan["programme"], month=LAST_MONTH, status=PeriodStatus.CLOSED)
    response = enter(client, people["lead"], measure, period=LAST_MONTH.isoformat(), value="76")
    assert response.status_code == 400
    assert f"The reporting period for {LAST_MONTH:%b %Y} is closed" in response.content.decode()
    assert not MeasureReading.objects.exists()


def test_a_second_reading_for_the_same_month_is_refused(client, people, measure):
    MeasureReadingFactory(measure=measure, period=THIS_MONTH, value=Decimal(70))
    response = enter(client, people["lead"], measure, period=THIS_MONTH.isoformat(), value="76")
    assert response.status_code == 400
    assert "There is already a reading for" in response.content.decode()
    assert MeasureReading.objects.get().value == Decimal(70)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("seventy", "The actual must be a number"),
        ("", "Enter the actual for the month"),
        ("1.234", "at most 2 decimal places"),
    ],
)
def test_an_actual_that_is_not_a_number_is_explained(client, people, measure, value, message):
    response = enter(client, people["lead"], measure, period=THIS_MONTH.isoformat(), value=value)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not MeasureReading.objects.exists()


def test_a_month_in_the_future_is_not_offered_and_not_accepted(client, people, measure):
    next_month = (THIS_MONTH + timedelta(days=32)).replace(day=1)
    response = enter(client, people["lead"], measure, period=next_month.isoformat(), value="76")
    assert response.status_code == 400
    assert not MeasureReading.objects.exists()


def test_correcting_a_reading_keeps_both_values_in_the_history(client, people, measure):
    reading = MeasureReadingFactory(measure=measure, period=THIS_MONTH, value=Decimal(70))
    client.force_login(people["lead"])
    url = reverse("reading_edit", args=[measure.pk, THIS_MONTH.isoformat()])
    client.post(url, {"period": THIS_MONTH.isoformat(), "value": "72", "version": "1"})
    assert list(reading.history.order_by("history_id").values_list("value", flat=True)) == [
        Decimal(70),
        Decimal(72),
    ]
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert "Value changed from 70.00 to 72.00" in page or "Value changed from 70 to 72" in page
