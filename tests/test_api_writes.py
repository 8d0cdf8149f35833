"""Writes through the API go through the services the pages use: what they accept, what
they refuse (400 with each problem by field; 409 for a change made since the client read
it), and that a refused write leaves nothing half-saved (DOMAIN.md sections 2 to 4)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from programmes.choices import PeriodStatus
from programmes.dates import month_start
from risks.models import Risk
from tests.api import api_url, client_for
from tests.clock import TODAY
from tests.factories import (
    MeasureFactory,
    MeasureReadingFactory,
    MilestoneFactory,
    PeriodFactory,
    PersonFactory,
    ProgrammeFactory,
    RiskFactory,
    StatusUpdateFactory,
)
from workstreams.models import MeasureReading, Milestone, ProgressNote, StatusUpdate

THIS_MONTH = month_start(TODAY)
LAST_MONTH = month_start(THIS_MONTH - timedelta(days=1))


NOT_A_DATE = "Give a date as 2026-09-15, or only the month as 2026-09"


def month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


@pytest.fixture
def lead(people):
    return client_for(people["lead"])


@pytest.fixture
def milestone(plan):
    return MilestoneFactory(workstream=plan["ws_1_1"], baseline_date=TODAY + timedelta(days=60))


# ----- Milestone progress -----


def test_a_lead_updates_progress_with_a_month_forecast_and_a_note(lead, milestone):
    forecast = TODAY + timedelta(days=75)
    response = lead.patch(
        api_url("milestone-detail", milestone.pk),
        {
            "status": "in_progress",
            "forecast": month(forecast),
            "note": "Consultation started",
            "version": 1,
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["forecast"], body["version"]) == (
        "in_progress",
        month(forecast),
        2,
    )
    milestone.refresh_from_db()
    assert milestone.forecast_precision == "month"
    assert milestone.history.first().history_user.username == "lead"
    assert ProgressNote.objects.get(milestone=milestone).text == "Consultation started"


def test_fields_left_out_keep_their_value(lead, milestone):
    Milestone.objects.filter(pk=milestone.pk).update(at_risk=True, status="in_progress")
    response = lead.patch(
        api_url("milestone-detail", milestone.pk), {"forecast": "15/03/2027", "version": 1}
    )
    assert response.status_code == 200, response.content
    assert response.json()["forecast"] == "2027-03-15"
    milestone.refresh_from_db()
    assert (milestone.status, milestone.at_risk) == ("in_progress", True)


def test_a_stale_version_is_a_conflict_and_changes_nothing(lead, milestone):
    Milestone.objects.filter(pk=milestone.pk).update(version=2, status="in_progress")
    response = lead.patch(
        api_url("milestone-detail", milestone.pk),
        {"status": "complete", "actual_date": TODAY.isoformat(), "note": "Done", "version": 1},
    )
    assert response.status_code == 409
    assert response.json()["version"] == 2
    assert "Someone else changed this milestone" in response.json()["detail"]
    milestone.refresh_from_db()
    assert milestone.status == "in_progress"
    assert not ProgressNote.objects.exists()


@pytest.mark.parametrize(
    ("sent", "field", "message"),
    [
        ({"forecast": "next spring"}, "forecast", NOT_A_DATE),
        ({"forecast": "2026-02-30"}, "forecast", NOT_A_DATE),
        ({"forecast": "3000-01"}, "forecast", "Give a year from 1900 to 2200"),
        ({"status": "complete"}, "actual_date", "Enter the date it was completed"),
        ({"status": "finished"}, "status", '"finished" is not a valid choice.'),
        (
            {"status": "complete", "actual_date": (TODAY + timedelta(days=1)).isoformat()},
            "actual_date",
            "The completion date must be today or in the past",
        ),
        ({"note": "x" * 2001}, "note", "Ensure this field has no more than 2000 characters."),
        ({"version": None}, "version", "This field may not be null."),
    ],
)
def test_bad_progress_is_refused_by_field_and_nothing_is_half_saved(
    lead, milestone, sent, field, message
):
    data = {"note": "Should not be kept", "version": 1} | sent
    response = lead.patch(api_url("milestone-detail", milestone.pk), data)
    assert response.status_code == 400
    assert response.json() == {field: [message]}
    milestone.refresh_from_db()
    assert (milestone.status, milestone.version) == ("not_started", 1)
    assert not ProgressNote.objects.exists()


def test_the_version_is_required(lead, milestone):
    response = lead.patch(api_url("milestone-detail", milestone.pk), {"status": "in_progress"})
    assert response.status_code == 400
    assert response.json() == {"version": ["This field is required."]}


def test_put_and_delete_are_not_allowed(lead, milestone):
    assert lead.put(api_url("milestone-detail", milestone.pk), {}).status_code == 405
    assert lead.delete(api_url("milestone-detail", milestone.pk)).status_code == 405
    assert Milestone.objects.filter(pk=milestone.pk).exists()


# ----- Readings -----


@pytest.fixture
def measure(plan):
    return MeasureFactory(workstream=plan["ws_1_1"])


def test_a_lead_enters_a_reading_and_corrects_it(lead, measure):
    created = lead.post(
        api_url("measurereading-list"),
        {"measure": measure.pk, "period": month(THIS_MONTH), "value": "12.5", "note": "Q3"},
    )
    assert created.status_code == 201, created.content
    assert created.json()["period"] == month(THIS_MONTH)
    reading = MeasureReading.objects.get(measure=measure)
    assert (reading.period, reading.value, reading.entered_by.username) == (
        THIS_MONTH,
        Decimal("12.5"),
        "lead",
    )
    corrected = lead.patch(
        api_url("measurereading-detail", reading.pk), {"value": "13", "version": 1}
    )
    assert corrected.status_code == 200, corrected.content
    assert (corrected.json()["value"], corrected.json()["note"]) == ("13.00", "Q3")


def test_a_second_reading_for_the_month_is_refused(lead, measure):
    MeasureReadingFactory(measure=measure, period=THIS_MONTH, value=Decimal(10))
    response = lead.post(
        api_url("measurereading-list"),
        {"measure": measure.pk, "period": month(THIS_MONTH), "value": "11"},
    )
    assert response.status_code == 400
    assert list(response.json()) == ["period"]
    assert MeasureReading.objects.get(measure=measure).value == Decimal(10)


def test_a_reading_for_a_closed_period_is_refused(lead, plan, measure):
    PeriodFactory(
        programme=plan["programme"],
        month=LAST_MONTH,
        cut_off=LAST_MONTH + timedelta(days=20),
        status=PeriodStatus.CLOSED,
    )
    response = lead.post(
        api_url("measurereading-list"),
        {"measure": measure.pk, "period": month(LAST_MONTH), "value": "11"},
    )
    assert response.status_code == 400
    assert "is closed" in response.json()["period"][0]
    assert not MeasureReading.objects.exists()


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"value": "lots"}, "value"),
        ({"value": "NaN"}, "value"),
        ({"value": "1e20"}, "value"),
        ({"value": "1.234"}, "value"),
        ({"period": "2026-10-15"}, "period"),
        ({"period": 202610}, "period"),
        ({"measure": "NI 141"}, "measure"),
    ],
)
def test_a_bad_reading_is_refused_by_field(lead, measure, sent, field):
    data = {"measure": measure.pk, "period": month(THIS_MONTH), "value": "10"} | sent
    response = lead.post(api_url("measurereading-list"), data)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not MeasureReading.objects.exists()


def test_a_correction_from_a_stale_copy_is_a_conflict(lead, measure):
    reading = MeasureReadingFactory(measure=measure, period=THIS_MONTH, value=Decimal(10))
    MeasureReading.objects.filter(pk=reading.pk).update(version=3)
    response = lead.patch(api_url("measurereading-detail", reading.pk), {"value": 9, "version": 2})
    assert response.status_code == 409
    assert MeasureReading.objects.get(pk=reading.pk).value == Decimal(10)


# ----- Status updates -----


@pytest.fixture
def period(plan):
    return PeriodFactory(
        programme=plan["programme"], month=THIS_MONTH, cut_off=THIS_MONTH + timedelta(days=24)
    )


def test_a_lead_drafts_then_submits_the_monthly_update(lead, plan, period):
    drafted = lead.post(
        api_url("statusupdate-list"),
        {
            "workstream": plan["ws_1_1"].pk,
            "period": period.pk,
            "rag": "amber",
            "achievements": "Consultation meetings held",
        },
    )
    assert drafted.status_code == 201, drafted.content
    assert drafted.json()["state"] == "draft"
    update_id = drafted.json()["id"]
    submitted = lead.patch(
        api_url("statusupdate-detail", update_id),
        {"reason": "Two meetings moved", "submit": True, "version": 1},
    )
    assert submitted.status_code == 200, submitted.content
    update = StatusUpdate.objects.get(pk=update_id)
    assert (update.state, update.rag, update.achievements, update.submitted_by.username) == (
        "submitted",
        "amber",
        "Consultation meetings held",
        "lead",
    )


def test_submitting_amber_without_a_reason_is_refused(lead, plan, period):
    response = lead.post(
        api_url("statusupdate-list"),
        {"workstream": plan["ws_1_1"].pk, "period": period.pk, "rag": "amber", "submit": True},
    )
    assert response.status_code == 400
    assert response.json() == {"reason": ["Give the reason for the Amber rating"]}
    assert not StatusUpdate.objects.exists()


def test_a_rating_outside_the_programmes_scale_is_refused(lead, plan, period):
    response = lead.post(
        api_url("statusupdate-list"),
        {"workstream": plan["ws_1_1"].pk, "period": period.pk, "rag": "amber_green"},
    )
    assert response.status_code == 400
    assert response.json() == {"rag": ["This programme rates Red, Amber, Green, or Complete"]}


def test_a_period_of_another_programme_is_refused(people, plan):
    elsewhere = PeriodFactory(programme=ProgrammeFactory(), month=THIS_MONTH)
    client = client_for(people["admin"])
    response = client.post(
        api_url("statusupdate-list"),
        {"workstream": plan["ws_1_1"].pk, "period": elsewhere.pk, "rag": "green"},
    )
    assert response.status_code == 400
    assert list(response.json()) == ["period"]


def test_starting_an_update_that_exists_is_a_conflict(lead, plan, period):
    StatusUpdateFactory(workstream=plan["ws_1_1"], period=period, rag="green")
    response = lead.post(
        api_url("statusupdate-list"),
        {"workstream": plan["ws_1_1"].pk, "period": period.pk, "rag": "red", "reason": "x"},
    )
    assert response.status_code == 409
    assert StatusUpdate.objects.get().rag == "green"


def test_a_locked_update_cannot_be_changed(lead, plan):
    closed = PeriodFactory(
        programme=plan["programme"],
        month=LAST_MONTH,
        cut_off=LAST_MONTH + timedelta(days=20),
        status=PeriodStatus.CLOSED,
    )
    update = StatusUpdateFactory(
        workstream=plan["ws_1_1"], period=closed, state="submitted", submitted_at=timezone.now()
    )
    response = lead.patch(
        api_url("statusupdate-detail", update.pk), {"rag": "red", "reason": "x", "version": 1}
    )
    assert response.status_code == 400
    assert "locked" in response.json()["non_field_errors"][0]
    assert StatusUpdate.objects.get(pk=update.pk).rag == "green"


# ----- Risks -----


def risk_data(plan, **changes) -> dict:
    return {
        "programme": plan["programme"].pk,
        "reference": "CF6 - 005",
        "title": "Providers withdraw",
        "event": "Providers may withdraw from the market",
        "category": "partnership",
        "current_likelihood": 4,
        "current_impact": 3,
        "workstream": plan["ws_1_1"].pk,
    } | changes


def test_a_lead_raises_a_risk_in_their_workstream_and_it_takes_the_area(lead, plan):
    response = lead.post(api_url("risk-list"), risk_data(plan))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["area"], body["current_score"], body["current_band"]) == (
        plan["area_one"].pk,
        12,
        "amber",
    )
    assert body["raised_on"] == TODAY.isoformat()


def test_a_risk_is_edited_and_closed(lead, plan):
    risk = RiskFactory(
        programme=plan["programme"], area=plan["area_one"], workstream=plan["ws_1_1"]
    )
    edited = lead.patch(
        api_url("risk-detail", risk.pk), {"current_impact": 5, "escalated": True, "version": 1}
    )
    assert edited.status_code == 200, edited.content
    assert (edited.json()["current_score"], edited.json()["escalated"]) == (15, True)
    closed = lead.post(
        api_url("risk-close", risk.pk), {"closing_reason": "Market settled", "version": 2}
    )
    assert closed.status_code == 200, closed.content
    risk.refresh_from_db()
    assert (risk.status, risk.closing_reason, risk.current_impact) == (
        "closed",
        "Market settled",
        5,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"current_likelihood": 6}, "current_likelihood"),
        ({"inherent_likelihood": 3}, "inherent_impact"),
        ({"kind": "opportunity", "response": "avoid"}, "response"),
        ({"category": "weather"}, "category"),
        ({"raised_on": (TODAY + timedelta(days=3)).isoformat()}, "raised_on"),
        ({"workstream": None, "area": "not a number"}, "area"),
        ({"title": ""}, "title"),
        ({"reference": "R" * 51}, "reference"),
    ],
)
def test_a_bad_risk_is_refused_by_field(lead, plan, changes, field):
    response = lead.post(api_url("risk-list"), risk_data(plan, **changes))
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Risk.objects.exists()


def test_a_duplicate_reference_is_refused(lead, plan):
    RiskFactory(programme=plan["programme"], reference="CF6 - 005")
    response = lead.post(api_url("risk-list"), risk_data(plan))
    assert response.status_code == 400
    assert response.json() == {
        "reference": ["This programme already has a risk with this reference"]
    }


def test_an_owner_area_or_workstream_from_elsewhere_is_refused(people, plan):
    other_programme = ProgrammeFactory()
    stranger = PersonFactory(organisation=other_programme.organisation)
    client = client_for(people["admin"])
    response = client.post(api_url("risk-list"), risk_data(plan, owner=stranger.pk))
    assert response.status_code == 400
    assert list(response.json()) == ["owner"]


def test_an_edit_that_clears_the_date_raised_is_refused(lead, plan):
    risk = RiskFactory(programme=plan["programme"], workstream=plan["ws_1_1"])
    response = lead.patch(api_url("risk-detail", risk.pk), {"raised_on": None, "version": 1})
    assert response.status_code == 400
    assert list(response.json()) == ["raised_on"]


def test_closing_a_closed_risk_is_refused(lead, plan):
    risk = RiskFactory(
        programme=plan["programme"],
        workstream=plan["ws_1_1"],
        status="closed",
        closing_reason="Gone",
    )
    response = lead.post(api_url("risk-close", risk.pk), {"closing_reason": "Again", "version": 1})
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Only an open risk can be closed"]}


# ----- Sessions -----


def test_a_signed_in_browser_must_send_the_csrf_token(people, milestone):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(people["lead"])
    assert client.get(api_url("milestone-detail", milestone.pk)).status_code == 200
    response = client.patch(
        api_url("milestone-detail", milestone.pk), {"status": "in_progress", "version": 1}
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert Milestone.objects.get(pk=milestone.pk).status == "not_started"
