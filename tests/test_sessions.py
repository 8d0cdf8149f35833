"""Sessions (issue 12): a session ends after a working day without use, and lasts while it is
used; "Your sessions" lists where and when the user signed in, and "Sign out everywhere" ends
every one of them; switching a user off ends their sessions, whether in the site administration
or anywhere else. Real sessions, signed in through the sign-in page, with one test client per
browser."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes.accounts import SIGNED_IN_WITH
from programmes.models import UserSession
from tests.clock import NOW
from tests.factories import UserFactory
from tests.html_forms import form_with

PASSWORD = "correct-horse-battery"
FIREFOX_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
)
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def browser(username, *, user_agent=FIREFOX_ON_WINDOWS, address="203.0.113.9") -> Client:
    """A browser signed in as `username` through the sign-in page."""
    client = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response
    return client


def is_signed_in(client) -> bool:
    response = client.get(reverse("home"))
    return response.status_code == 200


def session_exists(session_key) -> bool:
    return Session.objects.filter(session_key=session_key).exists()


@pytest.fixture
def anne(db):
    return UserFactory(username="anne")


# ----- A working day without use -----


def test_a_session_unused_for_a_working_day_ends(anne):
    office = browser("anne")

    with time_machine.travel(NOW + timedelta(hours=9, minutes=55), tick=False):
        still = is_signed_in(office)
    with time_machine.travel(NOW + timedelta(hours=9, minutes=55, seconds=1) + timedelta(hours=10)):
        ended = office.get(reverse("home"))

    assert still
    assert ended.status_code == 302 and ended["Location"].startswith(reverse("login"))


def test_a_session_in_use_lasts_past_a_working_day(anne):
    office = browser("anne")

    for hour in range(1, 13):
        with time_machine.travel(NOW + timedelta(hours=hour), tick=False):
            assert is_signed_in(office), f"signed out after {hour} hours of use"


def test_the_session_is_renewed_at_most_every_few_minutes(anne):
    office = browser("anne")
    key = office.session.session_key
    expires = Session.objects.get(session_key=key).expire_date

    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        assert is_signed_in(office)
    unchanged = Session.objects.get(session_key=key).expire_date
    with time_machine.travel(NOW + timedelta(minutes=6), tick=False):
        assert is_signed_in(office)
    renewed = Session.objects.get(session_key=key).expire_date

    assert unchanged == expires
    assert renewed >= expires + timedelta(minutes=5)


# ----- Your sessions, and signing out everywhere -----


def test_the_sessions_page_lists_the_users_own_sessions_and_marks_this_one(anne):
    office = browser("anne")
    phone = browser("anne", user_agent=SAFARI_ON_IPHONE, address="198.51.100.20")
    UserFactory(username="bola")
    browser("bola", user_agent="Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/133.0")

    page = office.get(reverse("user_sessions"))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Firefox on Windows, 203.0.113.9" in html
    assert "Safari on iPhone, 198.51.100.20" in html
    assert "Firefox on Linux" not in html
    assert html.count("This browser") == 1
    assert phone.get(reverse("user_sessions")).content.decode().count("<tr") == 3


def test_the_sessions_page_reads_every_session_at_once_however_many(
    anne, django_assert_num_queries
):
    """The same queries for two sessions as for six, an ended one among them let go."""
    office = browser("anne")
    ended = browser("anne", user_agent=SAFARI_ON_IPHONE)
    Session.objects.filter(session_key=ended.session.session_key).delete()
    with CaptureQueriesContext(connection) as two:
        html = office.get(reverse("user_sessions")).content.decode()
    queries = len(two)  # now: the next request empties the log
    assert html.count("<tr") == 2  # the heading and this browser: the ended one is gone
    assert UserSession.objects.filter(user=anne).count() == 1
    for _ in range(4):
        browser("anne", user_agent=SAFARI_ON_IPHONE)
    # (The ended session's record went on the first visit, so one query fewer: none to delete.)
    with django_assert_num_queries(queries - 1):
        html = office.get(reverse("user_sessions")).content.decode()
    assert html.count("Safari on iPhone") == 4


def test_signing_out_everywhere_ends_every_session_of_the_user_only(anne):
    office, phone = browser("anne"), browser("anne", user_agent=SAFARI_ON_IPHONE)
    keys = [office.session.session_key, phone.session.session_key]
    UserFactory(username="bola")
    bola = browser("bola")

    response = office.post(reverse("user_sessions"))

    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert "You are signed out everywhere" in office.get(response["Location"]).content.decode()
    assert not is_signed_in(office) and not is_signed_in(phone)
    assert not any(session_exists(key) for key in keys)
    assert not UserSession.objects.filter(user=anne).exists()
    assert is_signed_in(bola)


def test_signing_out_forgets_the_session(anne):
    office, phone = browser("anne"), browser("anne")

    office.post(reverse("logout"))

    assert list(UserSession.objects.values_list("session_key", flat=True)) == [
        phone.session.session_key
    ]


def test_a_sign_in_records_how_it_was_made(anne):
    office = Client()
    session = office.session
    session[SIGNED_IN_WITH] = "harrow-entra"
    session.save()
    office.post(reverse("login"), {"username": "anne", "password": PASSWORD})

    record = UserSession.objects.get(user=anne)
    assert record.session_key == office.session.session_key  # the key after sign-in
    assert record.signed_in_with == "harrow-entra"
    assert browser("anne") and UserSession.objects.filter(signed_in_with="password").count() == 1


# ----- Switching a user off -----


def test_switching_a_user_off_in_the_site_administration_ends_their_sessions(people):
    anne = UserFactory(username="anne")
    office, phone = browser("anne"), browser("anne")
    keys = [office.session.session_key, phone.session.session_key]
    administrator = Client()
    administrator.force_login(people["admin"])
    change = reverse("admin:auth_user_change", args=[anne.pk])
    form = form_with(administrator.get(change).content.decode(), "username")
    data = {
        name: value
        for name, value in form.data().items()
        if name not in ("is_active", "groups", "user_permissions")
    }

    response = administrator.post(change, {**data, "_save": "Save"})

    assert response.status_code == 302, response.content.decode()[:2000]
    anne.refresh_from_db()
    assert not anne.is_active
    assert not any(session_exists(key) for key in keys)
    assert not UserSession.objects.filter(user=anne).exists()
    # Switched on again, the old sessions stay ended: they were not just refused.
    anne.is_active = True
    anne.save()
    assert not is_signed_in(office) and not is_signed_in(phone)


def test_switching_a_user_off_anywhere_ends_their_sessions(anne):
    office = browser("anne")
    UserFactory(username="bola")
    bola = browser("bola")

    anne.is_active = False
    anne.save()
    get_user_model().objects.filter(pk=anne.pk).update(is_active=True)

    assert not is_signed_in(office)
    assert is_signed_in(bola)


def test_saving_a_user_who_stays_active_keeps_their_sessions(anne):
    office = browser("anne")

    anne.first_name = "Anne"
    anne.save()

    assert is_signed_in(office)


def test_each_request_reads_the_user_with_their_person_and_organisation(people):
    """The header names the user's organisation and the sign-out button the person: both read
    with the user, in one query, not two more on every page; a user without a person is
    named by their user name."""
    board = people["board"]
    client = Client()
    client.force_login(board)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("user_sessions")).content.decode()
    tables = [re.findall(r'FROM "(\w+)"', query["sql"]) for query in queries]
    user_reads = [query for query in tables if query and query[0] == "auth_user"]
    assert len(user_reads) == 1
    assert not any(
        query and query[0] in ("programmes_person", "programmes_organisation") for query in tables
    )
    user_read = next(q["sql"] for q in queries if re.search(r'FROM "auth_user"', q["sql"]))
    assert '"programmes_person"' in user_read and '"programmes_organisation"' in user_read
    assert f"Sign out {board.person.name}" in html
    assert board.person.organisation.name in html

    nobody = UserFactory(username="no-person")
    client.force_login(nobody)
    html = client.get(reverse("user_sessions")).content.decode()
    assert "Sign out no-person" in html
