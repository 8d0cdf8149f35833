"""Nothing lost, nothing overwritten: when two people edit the same thing, the second to save
is told, sees the other change, and loses nothing they typed."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from programmes.models import StaleEdit
from tests import forms
from tests.clock import TODAY
from tests.factories import MeasureFactory, MeasureReadingFactory, MilestoneFactory, PeriodFactory
from workstreams.models import MeasureReading, Milestone, StatusUpdate


def test_the_second_save_of_a_milestone_is_refused_with_the_other_change_shown(
    client, people, plan
):
    milestone = MilestoneFactory(
        workstream=plan["ws_1_1"], baseline_date=TODAY + timedelta(days=60)
    )
    url = reverse("milestone_detail", args=[milestone.pk])
    # Both open the page at version 1.
    lead_form = forms.progress(milestone, forecast=(2, 2027), note="Venue booked late")
    manager_form = forms.progress(milestone, at_risk="on", note="Watching the venue")

    client.force_login(people["lead"])
    assert client.post(url, lead_form).status_code == 302

    client.force_login(people["manager"])
    response = client.post(url, manager_form)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Someone else changed this milestone while you were editing it" in html
    assert "Forecast set to Feb 2027" in html  # the other change, in plain words
    assert "Watching the venue" in html  # what the manager typed is still there
    assert 'type="checkbox" value="on" checked' in html

    milestone.refresh_from_db()
    assert milestone.forecast_date == date(2027, 2, 28)  # the first save stands
    assert not milestone.at_risk
    assert milestone.progress_notes.count() == 1

    # Having seen it, the manager saves again from the re-shown form, and both changes stand.
    resubmitted = {**manager_form, "version": str(milestone.version)}
    resubmitted.update(forms.date_parts("forecast", (2, 2027)))
    assert client.post(url, resubmitted).status_code == 302
    milestone.refresh_from_db()
    assert milestone.at_risk and milestone.forecast_date == date(2027, 2, 28)
    assert milestone.history.count() == 3  # created, lead's change, manager's change


def test_saving_a_stale_copy_in_code_raises_rather_than_overwrites(plan):
    milestone = MilestoneFactory(workstream=plan["ws_1_1"])
    first, second = Milestone.objects.get(pk=milestone.pk), Milestone.objects.get(pk=milestone.pk)
    first.title = "First title"
    first.save()
    second.title = "Second title"
    with pytest.raises(StaleEdit):
        second.save()
    assert Milestone.objects.get(pk=milestone.pk).title == "First title"


def test_a_stale_correction_of_a_reading_is_refused(client, people, plan):
    measure = MeasureFactory(workstream=plan["ws_1_1"])
    month = TODAY.replace(day=1)
    reading = MeasureReadingFactory(measure=measure, period=month, value=Decimal(50))
    url = reverse("reading_edit", args=[measure.pk, month.isoformat()])
    client.force_login(people["lead"])
    assert (
        client.post(url, {"period": month.isoformat(), "value": "55", "version": "1"}).status_code
        == 302
    )
    client.force_login(people["manager"])
    response = client.post(url, {"period": month.isoformat(), "value": "60", "version": "1"})
    assert response.status_code == 400
    assert "Someone else changed this reading" in response.content.decode()
    assert MeasureReading.objects.get(pk=reading.pk).value == Decimal(55)


def test_a_stale_status_update_is_refused(client, people, plan):
    period = PeriodFactory(
        programme=plan["programme"], month=TODAY.replace(day=1), cut_off=TODAY + timedelta(days=10)
    )
    url = reverse("status_update", args=[plan["ws_1_1"].pk, period.pk])
    client.force_login(people["lead"])
    assert (
        client.post(
            url, forms.status_update(action="draft", achievements="Lead's words")
        ).status_code
        == 302
    )
    client.force_login(people["manager"])
    response = client.post(url, forms.status_update(achievements="Manager's words", version=""))
    assert response.status_code == 400
    assert "Manager&#x27;s words" in response.content.decode()
    update = StatusUpdate.objects.get(period=period)
    assert update.achievements == "Lead's words" and update.state == "draft"
