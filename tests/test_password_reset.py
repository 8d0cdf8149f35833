"""Resetting a forgotten password (issue 12): the sign-in page links to a page that asks for an
email address and always answers "Check your email". An active account with a password that
uses the address (its own email or its person's, ignoring case) is sent a link that works once,
within an hour, to the set-password page with its own words; a password the site's rules accept
signs the person in on My work and ends their other sessions. Links expired, used, altered or
of another kind change nothing. Too many requests for one address are dropped quietly. The
lock-out of repeated wrong passwords still holds on the sign-in page; a reset lifts it."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.test import Client
from django.urls import reverse

from programmes.accounts.reset import RESETS_PER_ADDRESS_PER_HOUR, forget_requests
from programmes.models import UserSession
from programmes.tokens import invitation_tokens, link_parts, reset_tokens
from tests.clock import NOW
from tests.factories import PersonFactory, UserFactory

OLD_PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "a lighthouse keeps its lamp lit"
EXPIRED = "This link has expired or has already been used"
CHECK_YOUR_EMAIL = "Check your email"


ADDRESSES = [
    "anne.shaw@harrow.example.org",
    "bola@harrow.example.org",
    "name@example.com",
    "nobody@harrow.example.org",
    "ravi.patel@harrow.example.org",
]


@pytest.fixture(autouse=True)
def _no_requests_counted_yet():
    """The requests counted per address live in the cache, which outlives a test. Only those
    keys are removed: on Redis the cache shares its database with Celery's broker, which
    cache.clear() would empty under the other tests' workers."""
    for address in ADDRESSES:
        forget_requests(address)
    yield
    for address in ADDRESSES:
        forget_requests(address)


@pytest.fixture
def anne(db):
    return UserFactory(username="anne", email="Anne.Shaw@Harrow.example.org")


def ask_for_reset(client, email, capture):
    with capture(execute=True):
        return client.post(reverse("password_reset"), {"email": email})


def link_in(email) -> str:
    found = re.search(r"https?://[^/\s]+(/account/password-reset/[^/\s]+/[^/\s]+/)", email.body)
    return found.group(1)


def set_password(client, link, password=NEW_PASSWORD, confirmation=None):
    return client.post(
        link,
        {"password": password, "confirmation": password if confirmation is None else confirmation},
    )


def signs_in_with(username, password) -> bool:
    return get_user_model().objects.get(username=username).check_password(password)


def reset_url(tokens, user) -> str:
    return reverse("password_reset_link", args=link_parts(user, tokens))


# ----- Asking -----


def test_the_sign_in_page_links_to_the_reset_page(client, db):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}">Forgotten your password?</a>' in page

    asking = client.get(reverse("password_reset"))
    assert asking.status_code == 200
    assert "Reset your password" in asking.content.decode()


def test_a_reset_email_links_to_a_page_that_sets_a_new_password_and_signs_in(
    client, anne, django_capture_on_commit_callbacks
):
    response = ask_for_reset(
        client, "  anne.shaw@HARROW.example.org ", django_capture_on_commit_callbacks
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_sent")
    assert CHECK_YOUR_EMAIL in client.get(response["Location"]).content.decode()
    [email] = mail.outbox
    assert email.to == ["anne.shaw@harrow.example.org"]
    assert email.subject == "Reset your password"
    assert "Your user name is anne." in email.body
    assert "60 minutes" in email.body

    page = client.get(link_in(email))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Choose a new password" in html and "Set new password and sign in" in html

    done = set_password(client, link_in(email))

    assert done.status_code == 302 and done["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(anne.pk)
    assert signs_in_with("anne", NEW_PASSWORD) and not signs_in_with("anne", OLD_PASSWORD)
    my_work = client.get(done["Location"]).content.decode()
    assert "Your new password is set and you are signed in" in my_work


def test_an_address_known_only_as_the_persons_email_gets_the_link(
    client, db, django_capture_on_commit_callbacks
):
    user = UserFactory(username="ravi", email="")
    PersonFactory(name="Ravi Patel", email="Ravi.Patel@Harrow.example.org", user=user)

    ask_for_reset(client, "ravi.patel@harrow.example.org", django_capture_on_commit_callbacks)

    [email] = mail.outbox
    assert email.to == ["ravi.patel@harrow.example.org"]
    assert email.body.startswith("Hello Ravi Patel,")
    assert "Your user name is ravi." in email.body


def test_an_unknown_address_gets_the_same_answer_and_no_email(
    client, anne, django_capture_on_commit_callbacks
):
    known = ask_for_reset(client, anne.email, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    unknown = ask_for_reset(client, "nobody@harrow.example.org", django_capture_on_commit_callbacks)

    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert mail.outbox == []


@pytest.mark.parametrize("state", ["switched off", "never set a password"])
def test_an_account_switched_off_or_without_a_password_gets_no_email(
    client, anne, state, django_capture_on_commit_callbacks
):
    if state == "switched off":
        anne.is_active = False
    else:
        anne.set_unusable_password()
    anne.save()

    response = ask_for_reset(client, anne.email, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert mail.outbox == []


def test_the_email_goes_only_once_the_request_has_committed(
    client, anne, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("password_reset"), {"email": anne.email})

    assert mail.outbox == []
    assert len(callbacks) == 1


def test_the_job_sends_nothing_to_an_account_switched_off_after_the_request(
    client, anne, django_capture_on_commit_callbacks
):
    # The email is sent by a background job, which looks at the account when it runs.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("password_reset"), {"email": anne.email})
    anne.is_active = False
    anne.save()

    for callback in callbacks:
        callback()

    assert mail.outbox == []
    anne.is_active = True
    anne.save()
    for callback in callbacks:
        callback()
    [email] = mail.outbox
    assert client.get(link_in(email), follow=True).status_code == 200


@pytest.mark.parametrize(
    ("email", "error"),
    [
        ("", "Enter your email address"),
        ("anne at harrow", "Enter an email address in the correct format, like name@example.com"),
    ],
)
def test_a_missing_or_malformed_address_is_explained_by_the_field(
    client, anne, email, error, django_capture_on_commit_callbacks
):
    response = ask_for_reset(client, email, django_capture_on_commit_callbacks)

    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert '<p id="id_email-error" class="govuk-error-message">' in html and error in html
    assert mail.outbox == []


def test_requests_for_one_address_beyond_a_few_an_hour_are_dropped_quietly(
    client, anne, django_capture_on_commit_callbacks
):
    answers = [
        ask_for_reset(client, anne.email, django_capture_on_commit_callbacks)
        for _ in range(RESETS_PER_ADDRESS_PER_HOUR + 2)
    ]

    assert {(answer.status_code, answer["Location"]) for answer in answers} == {
        (302, reverse("password_reset_sent"))
    }
    assert len(mail.outbox) == RESETS_PER_ADDRESS_PER_HOUR
    # Another person's requests are not held up by it, and an hour later Anne may ask again.
    other = UserFactory(username="bola", email="bola@harrow.example.org")
    ask_for_reset(client, other.email, django_capture_on_commit_callbacks)
    assert mail.outbox[-1].to == ["bola@harrow.example.org"]
    with time_machine.travel(NOW + timedelta(hours=1, minutes=1)):
        ask_for_reset(client, anne.email, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == RESETS_PER_ADDRESS_PER_HOUR + 2


# ----- The link -----


def test_a_link_works_for_an_hour(client, anne):
    link = reset_url(reset_tokens, anne)

    with time_machine.travel(NOW + timedelta(minutes=59)):
        assert client.get(link).status_code == 200
    with time_machine.travel(NOW + timedelta(minutes=61)):
        expired = client.get(link)
        refused = set_password(client, link)

    assert expired.status_code == 400 and EXPIRED in expired.content.decode()
    assert "Forgotten your password?" in expired.content.decode()
    assert refused.status_code == 400
    assert signs_in_with("anne", OLD_PASSWORD)
    assert "_auth_user_id" not in client.session


def test_a_link_works_once(client, anne):
    link = reset_url(reset_tokens, anne)
    assert set_password(client, link).status_code == 302
    client.logout()

    again = set_password(client, link, password="another harbour light at dusk")

    assert again.status_code == 400 and EXPIRED in again.content.decode()
    assert signs_in_with("anne", NEW_PASSWORD)


def test_an_altered_link_is_refused_and_changes_nothing(client, anne):
    uidb64, token = link_parts(anne, reset_tokens)
    bola = UserFactory(username="bola")
    altered = [
        reverse(
            "password_reset_link", args=[uidb64, token[:-1] + ("a" if token[-1] != "a" else "b")]
        ),
        reverse("password_reset_link", args=[link_parts(bola, reset_tokens)[0], token]),
        reverse("password_reset_link", args=["not-an-id", token]),
    ]

    for link in altered:
        response = set_password(client, link)
        assert response.status_code == 400, link
        assert EXPIRED in response.content.decode()

    assert signs_in_with("anne", OLD_PASSWORD) and signs_in_with("bola", OLD_PASSWORD)
    assert "_auth_user_id" not in client.session


def test_an_invitation_link_is_no_reset_link_and_a_reset_link_no_invitation(client, anne):
    uidb64, invitation_token = link_parts(anne, invitation_tokens)
    _, reset_token = link_parts(anne, reset_tokens)

    as_reset = set_password(client, reverse("password_reset_link", args=[uidb64, invitation_token]))
    as_invitation = set_password(client, reverse("invitation_accept", args=[uidb64, reset_token]))

    assert as_reset.status_code == 400 and as_invitation.status_code == 400
    assert signs_in_with("anne", OLD_PASSWORD)


@pytest.mark.parametrize(
    ("password", "confirmation", "field", "error"),
    [
        ("short one", None, "password", "This password is too short"),
        ("password1234", None, "password", "This password is too common"),
        ("anne.shaw.harrow", None, "password", "too similar to the"),
        ("483920175364", None, "password", "This password is entirely numeric"),
        (NEW_PASSWORD, "a lighthouse keeps its lamp lot", "confirmation", "do not match"),
    ],
)
def test_a_password_the_rules_refuse_is_explained_by_its_field(
    client, anne, password, confirmation, field, error
):
    link = reset_url(reset_tokens, anne)

    response = set_password(client, link, password=password, confirmation=confirmation)

    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(rf'<p id="id_{field}-error" class="govuk-error-message">[^<]*<span', html)
    assert error in html
    assert signs_in_with("anne", OLD_PASSWORD)
    # The link still works: nothing was spent.
    assert set_password(client, link).status_code == 302


def test_setting_the_new_password_ends_the_other_sessions(client, anne):
    elsewhere = Client()
    elsewhere.post(reverse("login"), {"username": "anne", "password": OLD_PASSWORD})
    assert elsewhere.get(reverse("home")).status_code == 200
    other_session = elsewhere.session.session_key
    anne.refresh_from_db()

    set_password(client, reset_url(reset_tokens, anne))

    # Ended in the session store, not only refused for the changed password.
    assert not SessionStore().exists(other_session)
    assert list(UserSession.objects.filter(user=anne)) == [
        UserSession.objects.get(session_key=client.session.session_key)
    ]
    assert elsewhere.get(reverse("home")).status_code == 302
    assert client.get(reverse("home")).status_code == 200


# ----- The lock-out of repeated wrong passwords -----


def sign_in(client, password, address="203.0.113.9"):
    return client.post(
        reverse("login"), {"username": "anne", "password": password}, REMOTE_ADDR=address
    )


def lock_out(client, settings, address="203.0.113.9"):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "wrong", address)


def test_wrong_passwords_still_lock_the_sign_in_page(client, anne, settings):
    lock_out(client, settings)

    refused = sign_in(client, OLD_PASSWORD)

    assert refused.status_code == 429
    assert "Too many attempts to sign in" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert f'href="{reverse("password_reset")}"' in refused.content.decode()


def test_asking_for_a_reset_does_not_lift_the_lock(
    client, anne, settings, django_capture_on_commit_callbacks
):
    lock_out(client, settings)

    ask_for_reset(client, anne.email, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1  # the locked-out person can still reset their password
    assert sign_in(client, OLD_PASSWORD).status_code == 429


def test_a_link_of_another_kind_or_a_spent_one_does_not_lift_the_lock(client, anne, settings):
    lock_out(client, settings)

    set_password(client, reset_url(invitation_tokens, anne))
    set_password(client, reset_url(reset_tokens, anne), confirmation="something else entirely")

    assert sign_in(client, OLD_PASSWORD).status_code == 429


def test_a_new_password_from_a_reset_link_lifts_the_lock_on_the_user_name(
    client, anne, settings, django_capture_on_commit_callbacks
):
    # Wrong passwords from one address lock it; the reset is done from another device.
    lock_out(client, settings, address="203.0.113.9")
    link = reset_url(reset_tokens, anne)
    phone = Client(REMOTE_ADDR="198.51.100.20")
    assert set_password(phone, link).status_code == 302

    # The old password is gone; the new one signs in where the lock was.
    assert sign_in(client, OLD_PASSWORD, "203.0.113.9").status_code == 200
    assert sign_in(client, NEW_PASSWORD, "203.0.113.9").status_code == 302
    assert client.session["_auth_user_id"] == str(anne.pk)


def test_after_a_reset_wrong_passwords_lock_again(client, anne, settings):
    set_password(Client(), reset_url(reset_tokens, anne))

    lock_out(client, settings)

    assert sign_in(client, NEW_PASSWORD).status_code == 429
