"""The programme office sets its programme's tolerances and its own risk bands (DOMAIN.md
section 3: "so a council can set its own appetite"); nobody else may."""

import pytest
from django.urls import reverse

from programmes.models import Programme

ROLES = ["board", "sponsor", "manager", "lead", "office", "outsider", "admin"]


def settings_form(programme, **overrides) -> dict:
    data = {
        "board_name": "Transformation Board",
        "rag_scale": "three",
        "overall_rag": "",
        "overall_commentary": "",
        "time_tolerance_days": "30",
        "cost_tolerance_percent": "10",
        "benefit_tolerance_percent": "5",
        "risk_tolerance_score": "15",
        "risk_amber_from": "4",
        "risk_red_from": "10",
        "reminder_days": "5",
        "report_working_day": "3",
        "auto_close_periods": "on",
        "version": str(programme.version),
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", ROLES)
def test_only_the_programme_office_changes_the_settings(client, people, plan, role):
    programme = plan["programme"]
    client.force_login(people[role])
    response = client.post(
        reverse("programme_settings", args=[programme.pk]), settings_form(programme)
    )
    programme.refresh_from_db()
    if role in ("office", "admin"):
        assert response.status_code == 302
        assert (programme.risk_amber_from, programme.risk_red_from) == (4, 10)
    else:
        assert response.status_code == (404 if role == "outsider" else 403)
        assert (programme.risk_amber_from, programme.risk_red_from) == (5, 15)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"risk_amber_from": "15", "risk_red_from": "12"},
            "risk_red_from",
            "Red must start above where Amber starts",
        ),
        ({"risk_red_from": "26"}, "risk_red_from", "less than or equal to 25"),
        (
            {"overall_rag": "amber_green"},
            "overall_rag",
            "Choose a rating on the programme's own scale",
        ),
        ({"time_tolerance_days": "soon"}, "time_tolerance_days", "Enter a whole number"),
    ],
)
def test_settings_that_make_no_sense_are_refused(client, people, plan, overrides, field, message):
    programme = plan["programme"]
    client.force_login(people["office"])
    response = client.post(
        reverse("programme_settings", args=[programme.pk]), settings_form(programme, **overrides)
    )
    html = response.content.decode()
    assert response.status_code == 400 and message in html.replace("&#x27;", "'")
    assert f'href="#id_{field}' in html
    assert Programme.objects.get(pk=programme.pk).risk_red_from == 15
