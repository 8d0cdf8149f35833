"""A lead updates a milestone; bad input is explained next to its field and changes nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests import forms
from tests.clock import TODAY
from tests.factories import MilestoneFactory
from workstreams.models import Milestone


@pytest.fixture
def milestone(plan):
    return MilestoneFactory(
        workstream=plan["ws_1_1"],
        reference="1.1.6",
        title="Staff consultation meetings",
        baseline_date=TODAY - timedelta(days=10),
        start_date=TODAY - timedelta(days=90),
    )


def post(client, user, milestone, **changes):
    client.force_login(user)
    return client.post(
        reverse("milestone_detail", args=[milestone.pk]), forms.progress(milestone, **changes)
    )


def test_a_lead_completes_their_milestone_with_a_note(client, people, milestone):
    response = post(
        client,
        people["lead"],
        milestone,
        status="complete",
        actual_date=TODAY,
        note="All six meetings held",
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.status == "complete" and milestone.actual_date == TODAY
    note = milestone.progress_notes.get()
    assert note.text == "All six meetings held" and note.noted_on == TODAY
    page = client.get(reverse("milestone_detail", args=[milestone.pk])).content.decode()
    assert ">Complete</strong>" in page
    assert f"Completed on {TODAY.day} {TODAY:%b %Y}" in page


def test_a_forecast_entered_as_a_month_is_kept_and_shown_as_a_month(client, people, milestone):
    later = TODAY + timedelta(days=70)
    post(client, people["lead"], milestone, forecast=(later.month, later.year))
    milestone.refresh_from_db()
    assert milestone.forecast_precision == "month"
    assert str(milestone.forecast) == later.strftime("%b %Y")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"status": "complete", "actual_date": TODAY + timedelta(days=1)},
            "actual_date",
            "The completion date must be today or in the past",
        ),
        (
            {"forecast": TODAY - timedelta(days=120)},
            "forecast",
            "The forecast must be on or after the start",
        ),
        ({"forecast": (31, 2, 2027)}, "forecast", "Forecast date must be a real date"),
        ({"forecast": ("soon", 2, 2027)}, "forecast", "Forecast date must be a real date"),
        ({"forecast": (3, "", 2027)}, "forecast", "Forecast date must include a month"),
        ({"status": "complete"}, "actual_date", "Enter the date it was completed"),
        ({"actual_date": TODAY}, "status", "Choose Complete, or remove the completion date"),
        ({"note": "x" * 2001}, "note", "The progress note must be 2,000 characters or fewer"),
    ],
)
def test_bad_input_is_explained_by_the_field_and_nothing_is_saved(
    client, people, milestone, changes, field, message
):
    response = post(client, people["lead"], milestone, **changes)
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html  # the error summary
    assert f'href="#id_{field}' in html  # linking to the field
    assert message in html
    assert f'id="id_{field}-error"' in html  # and the message next to the field
    unchanged = Milestone.objects.get(pk=milestone.pk)
    assert (unchanged.version, unchanged.status, unchanged.forecast_date) == (
        1,
        "not_started",
        None,
    )
    assert unchanged.progress_notes.count() == 0


def test_the_rating_preview_follows_what_the_lead_types(client, people, milestone):
    client.force_login(people["lead"])
    url = reverse("milestone_preview", args=[milestone.pk])
    overdue = client.post(url, forms.progress(milestone)).content.decode()
    assert ">Red</strong>" in overdue and "10 days late" in overdue
    done = client.post(
        url, forms.progress(milestone, status="complete", actual_date=TODAY)
    ).content.decode()
    assert ">Complete</strong>" in done and "not saved yet" in done
    assert Milestone.objects.get(pk=milestone.pk).status == "not_started"
