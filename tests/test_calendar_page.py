"""The calendar feeds page: a user's own link and one per programme they see, getting a link
and resetting it. Nobody gets a link to a programme they have no role in."""

import re

import pytest
from django.urls import reverse

from programmes.choices import Role
from programmes.models import CalendarFeed
from tests.factories import ProgrammeFactory, UserFactory, grant
from tests.test_calendar_feeds import build_programme

PAGE = reverse("calendar_feed_list")


def links_on(page: str) -> list[str]:
    return re.findall(r'value="(http://testserver/calendars/[^"]+\.ics)"', page)


def test_signing_in_is_needed_to_see_the_page(client, db):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_signing_in_is_needed_to_get_a_link(client, plan):
    response = client.post(reverse("calendar_feed_create"), {"programme": plan["programme"].pk})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not CalendarFeed.objects.exists()


def test_the_page_offers_the_users_own_calendar_and_each_programmes(client, plan, people):
    hidden = ProgrammeFactory(name="Children's Services Programme")
    client.force_login(people["lead"])

    page = client.get(PAGE).content.decode()

    assert "My programme milestones" in page
    assert plan["programme"].name.replace("&", "&amp;") in page
    assert hidden.name.replace("'", "&#x27;") not in page
    assert page.count(">Get a link<") == 2
    assert "Add calendar" in page and "Subscribe from web" in page
    assert "Other calendars" in page and "From URL" in page
    assert links_on(page) == []


def test_getting_a_link_shows_it_with_a_way_to_reset_it(client, plan, people):
    client.force_login(people["board"])

    response = client.post(reverse("calendar_feed_create"), {"programme": plan["programme"].pk})

    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}#programme-{plan['programme'].pk}"
    feed = CalendarFeed.objects.get(user=people["board"], programme=plan["programme"])
    page = client.get(PAGE).content.decode()
    assert links_on(page) == [f"http://testserver/calendars/{feed.token}.ics"]
    assert page.count(">Reset link<") == 1
    assert "the old link stops working straight away" in page
    assert client.get(links_on(page)[0]).status_code == 200


def test_getting_a_link_twice_keeps_the_first(client, plan, people):
    client.force_login(people["board"])
    client.post(reverse("calendar_feed_create"), {"programme": ""})
    first = CalendarFeed.objects.get(user=people["board"], programme=None)

    client.post(reverse("calendar_feed_create"), {"programme": ""})

    assert list(CalendarFeed.objects.filter(user=people["board"])) == [first]
    assert CalendarFeed.objects.get(pk=first.pk).token == first.token


def test_resetting_gives_a_new_link_and_the_old_one_stops(client, plan, people):
    client.force_login(people["lead"])
    client.post(reverse("calendar_feed_create"), {"programme": ""})
    old = CalendarFeed.objects.get(user=people["lead"], programme=None).token

    response = client.post(reverse("calendar_feed_reset"), {"programme": ""})

    assert response["Location"] == f"{PAGE}#my-milestones"
    new = CalendarFeed.objects.get(user=people["lead"], programme=None).token
    assert new != old
    page = client.get(PAGE).content.decode()
    assert links_on(page) == [f"http://testserver/calendars/{new}.ics"]
    assert "The old link no longer works" in page
    client.logout()
    assert client.get(reverse("calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("calendar_feed", args=[new])).status_code == 200


@pytest.mark.parametrize("action", ["calendar_feed_create", "calendar_feed_reset"])
def test_an_outsider_cannot_get_or_reset_a_programmes_link(client, plan, people, action):
    client.force_login(people["outsider"])

    response = client.post(reverse(action), {"programme": plan["programme"].pk})

    assert response.status_code == 404
    assert not CalendarFeed.objects.exists()


@pytest.mark.parametrize("value", ["999999", "abc"])
def test_a_programme_that_does_not_exist_is_not_found(client, people, value):
    client.force_login(people["office"])

    response = client.post(reverse("calendar_feed_create"), {"programme": value})

    assert response.status_code == 404


def test_links_are_made_by_posting_only(client, people):
    client.force_login(people["office"])

    assert client.get(reverse("calendar_feed_create")).status_code == 405
    assert client.get(reverse("calendar_feed_reset")).status_code == 405


def test_a_user_with_no_person_is_told_why_they_have_no_milestones(client, db):
    client.force_login(UserFactory())

    page = client.get(PAGE).content.decode()

    assert "not linked to a person" in page
    assert ">Get a link<" not in page


@pytest.mark.parametrize("size", [1, 4])
def test_the_page_runs_a_fixed_number_of_queries(client, db, size, django_assert_max_num_queries):
    programmes = [build_programme(size)[0] for _ in range(size)]
    user = UserFactory()
    for programme in programmes:
        grant(user, Role.BOARD_MEMBER, programme=programme)
    client.force_login(user)
    client.post(reverse("calendar_feed_create"), {"programme": programmes[0].pk})
    client.get(PAGE)  # the success message is shown once

    # The session, the user, their person and its organisation (for the header), their
    # links and the programmes they see.
    with django_assert_max_num_queries(6):
        response = client.get(PAGE)

    assert response.content.decode().count(">Get a link<") == size
