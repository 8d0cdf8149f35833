"""Plain words on the pages (issue 15, part 8): a page whose form was refused says so first in
its title; the 403 page says what was refused and links back."""

import pytest
from django.urls import reverse

from programmes.permissions import ACTION_WORDS, Action
from tests.factories import MilestoneFactory

pytestmark = pytest.mark.django_db


def _title(html: str) -> str:
    return html.split("<title>", 1)[1].split("</title>", 1)[0]


# ----- "Error: " at the start of the title when a form on the page has errors -----


def test_a_refused_form_puts_error_first_in_the_page_title(client, plan, people):
    client.force_login(people["office"])
    url = reverse("risk_add", args=[plan["programme"].pk])

    response = client.post(url, {"title": ""})

    assert response.status_code in (200, 400)
    assert 'class="govuk-error-summary"' in response.content.decode()
    assert _title(response.content.decode()).startswith("Error: ")


def test_the_same_form_unsent_has_no_error_in_its_title(client, plan, people):
    client.force_login(people["office"])

    response = client.get(reverse("risk_add", args=[plan["programme"].pk]))

    assert response.status_code == 200
    assert "Error" not in _title(response.content.decode())


def test_a_page_that_named_its_own_error_says_it_once(client, plan, people):
    client.force_login(people["office"])
    url = reverse("workstream_edit", args=[plan["ws_1_1"].pk])

    response = client.post(url, {"name": ""})

    title = _title(response.content.decode())
    assert title.startswith("Error: ")
    assert title.count("Error") == 1


def test_a_page_without_a_form_has_no_error_in_its_title(client, plan, people):
    client.force_login(people["board"])

    response = client.get(reverse("programme_detail", args=[plan["programme"].pk]))

    assert "Error" not in _title(response.content.decode())


# ----- The 403 page -----


@pytest.fixture
def milestone(plan):
    return MilestoneFactory(
        workstream=plan["ws_1_1"], reference="1.1.4", title="Policy signed off by Cabinet"
    )


def test_the_refusal_says_what_was_refused_and_where(client, people, milestone):
    client.force_login(people["lead"])  # a lead updates milestones but does not change the plan

    response = client.get(reverse("milestone_edit", args=[milestone.pk]))

    html = response.content.decode()
    assert response.status_code == 403
    assert (
        "Your role does not allow you to change the plan (1.1.4 Policy signed off by Cabinet)."
        in html
    )
    assert "Nothing has been changed." in html


def test_a_refused_change_offers_the_page_it_came_from(client, people, milestone):
    client.force_login(people["lead"])
    came_from = "http://testserver" + reverse("milestone_detail", args=[milestone.pk])

    response = client.post(
        reverse("milestone_remove", args=[milestone.pk]), HTTP_REFERER=came_from
    )

    html = response.content.decode()
    assert response.status_code == 403
    assert f'href="{came_from}">Go back to the page you came from</a>' in html
    assert f'href="{reverse("home")}">go to My work</a>' in html


def test_the_refusal_never_links_to_another_site(client, people, milestone):
    client.force_login(people["lead"])

    response = client.get(
        reverse("milestone_edit", args=[milestone.pk]),
        HTTP_REFERER="https://elsewhere.example/phish",
    )

    html = response.content.decode()
    assert response.status_code == 403
    assert "elsewhere.example" not in html
    assert f'href="{reverse("home")}">Go to My work</a>' in html


def test_every_action_has_words_for_its_refusal():
    assert set(ACTION_WORDS) == set(Action)
