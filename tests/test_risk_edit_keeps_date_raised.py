"""Editing a risk with the date raised left blank keeps the date it was raised (it used to
fail with a server error: the date is required in the database)."""

from django.urls import reverse

from risks.models import Risk
from tests.factories import RiskFactory
from tests.forms import date_parts
from tests.test_raid_permissions import edit_data


def test_a_blank_date_raised_keeps_the_date_it_was_raised(client, people, plan):
    risk = RiskFactory(programme=plan["programme"])
    client.force_login(people["office"])
    response = client.post(
        reverse("risk_edit", args=[risk.pk]), edit_data(risk) | date_parts("raised_on", None)
    )
    assert response.status_code == 302
    saved = Risk.objects.get(pk=risk.pk)
    assert (saved.title, saved.raised_on) == ("Renamed", risk.raised_on)
