"""Two-factor authentication (issue 12, part 5): the programme office, portfolio offices and
site administrators who sign in with a password must set up an authenticator app and enter
its code; anyone else may; single sign-on and the API with a token are not asked.

People sign in on the real sign-in page, and the codes are worked out from the key, as an
authenticator app does."""

import re
import time
from base64 import b32decode
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from programmes.accounts import SIGNED_IN_WITH
from programmes.accounts.reset import forget_requests
from programmes.api.tokens import issue_token
from programmes.models import UserSession
from tests.factories import UserFactory, grant_portfolio_office

PASSWORD = "correct-horse-battery"
ENTER_THE_CODE = "Enter the 6-digit code from your authenticator app"
WRONG_CODE = "The code is not right: check the time on your phone and try again"


@pytest.fixture(autouse=True)
def _two_factor_required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def sign_in(client, user, next_url=""):
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post(reverse("login"), data)
    assert response.status_code == 302, "the password was refused"
    return response


def code_for(key: bytes, *, steps_later: int = 0) -> str:
    """The code an authenticator app with this key shows now (or some steps of 30s later)."""
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_later
    return f"{totp.token():06d}"


def device_code(device, **kwargs) -> str:
    return code_for(device.bin_key, **kwargs)


def later(minutes=1):
    """The clock moved on, so that a new code is shown (a code is taken once only)."""
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=True)


def set_up(client, user) -> TOTPDevice:
    """The user, signed in, sets up an authenticator on the set-up page."""
    client.get(reverse("two_factor"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("two_factor"), {"code": device_code(device)})
    assert response.status_code == 302
    return TOTPDevice.objects.get(user=user, confirmed=True)


def with_an_authenticator(client, user) -> TOTPDevice:
    """The user has signed in, set up an authenticator and signed out again."""
    sign_in(client, user)
    device = set_up(client, user)
    client.post(reverse("logout"))
    return device


def field_error(response) -> str:
    html = response.content.decode()
    assert "govuk-error-summary" in html
    match = re.search(r'class="govuk-error-message"><span[^>]*>Error:</span> ([^<]*)<', html)
    assert match, "no message by the field"
    return match.group(1)


# ----- Who must set it up -----


@pytest.fixture
def portfolio(plan):
    user = UserFactory(username="portfolio")
    grant_portfolio_office(user, plan["programme"].organisation)
    return user


@pytest.mark.parametrize("who", ["office", "admin", "portfolio"])
def test_the_offices_and_the_site_administrator_must_set_up_before_any_page(
    who, client, people, portfolio
):
    user = portfolio if who == "portfolio" else people[who]
    sign_in(client, user)
    setup = reverse("two_factor")

    for url in [reverse("home"), reverse("programme_list"), reverse("admin:index")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(setup)
        assert f"next={url.replace('/', '%2F')}" in response["Location"]
    assert client.get(setup).status_code == 200


def test_setting_up_with_the_app_goes_on_to_the_page_asked_for(client, people):
    sign_in(client, people["office"], next_url=reverse("programme_list"))
    to_set_up = client.get(reverse("home"))
    page = client.get(to_set_up["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "Set up two-factor authentication" in html
    device = TOTPDevice.objects.get(user=people["office"], confirmed=False)

    response = client.post(
        to_set_up["Location"], {"code": device_code(device), "next": reverse("home")}
    )

    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("programme_list")).status_code == 200
    assert TOTPDevice.objects.get(user=people["office"]).confirmed


def test_the_key_shown_for_typing_gives_the_codes_the_page_accepts(client, people):
    sign_in(client, people["office"])
    html = client.get(reverse("two_factor")).content.decode()
    shown = re.search(r'id="two-factor-key">([A-Z2-7 ]+)<', html).group(1)
    assert all(len(group) == 4 for group in shown.split())
    key = b32decode(shown.replace(" ", ""))

    response = client.post(reverse("two_factor"), {"code": code_for(key)})

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_reloading_the_set_up_page_keeps_the_key_the_app_scanned(client, people):
    sign_in(client, people["office"])
    first = client.get(reverse("two_factor")).content.decode()
    again = client.get(reverse("two_factor")).content.decode()
    key = re.compile(r'id="two-factor-key">([^<]+)<')
    assert key.search(first).group(1) == key.search(again).group(1)
    assert TOTPDevice.objects.filter(user=people["office"]).count() == 1


def test_the_set_up_page_has_no_inline_script_or_style_for_the_content_security_policy(
    client, people
):
    sign_in(client, people["office"])
    response = client.get(reverse("two_factor"))
    html = response.content.decode()
    assert "script-src" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert " style=" not in html
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    for script in re.findall(r"<script[^>]*>", html):
        assert "src=" in script or f'nonce="{nonce}"' in script


@pytest.mark.parametrize(
    ("code", "message"),
    [("", ENTER_THE_CODE), ("12345", ENTER_THE_CODE), ("abcdef", ENTER_THE_CODE)],
)
def test_a_code_that_is_not_six_digits_is_refused_by_its_field(code, message, client, people):
    sign_in(client, people["office"])
    client.get(reverse("two_factor"))
    response = client.post(reverse("two_factor"), {"code": code})
    assert response.status_code == 200
    assert field_error(response) == message
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    assert client.get(reverse("home")).status_code == 302


def test_a_wrong_code_does_not_turn_it_on(client, people):
    sign_in(client, people["office"])
    client.get(reverse("two_factor"))
    device = TOTPDevice.objects.get(user=people["office"])
    wrong = device_code(device, steps_later=10)

    response = client.post(reverse("two_factor"), {"code": wrong})

    assert field_error(response) == WRONG_CODE
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get(reverse("home")).status_code == 302


# ----- Signing in again: the code -----


def test_after_setting_up_the_next_sign_in_asks_for_the_code(client, people):
    office = people["office"]
    device = with_an_authenticator(client, office)

    with later():
        sign_in(client, office)
        response = client.get(reverse("programme_list"))
        assert response["Location"].startswith(reverse("two_factor_code"))
        # The set-up page is closed to someone who has an authenticator and no code yet.
        assert client.get(reverse("two_factor"))["Location"].startswith(reverse("two_factor_code"))
        page = client.get(response["Location"])
        assert "Lost your phone?" in page.content.decode()

        done = client.post(
            response["Location"], {"code": device_code(device), "next": reverse("programme_list")}
        )

        assert done["Location"] == reverse("programme_list")
        assert client.get(reverse("programme_list")).status_code == 200


def test_a_wrong_code_is_refused_by_the_field_and_the_pages_stay_closed(client, people):
    office = people["office"]
    device = with_an_authenticator(client, office)
    with later():
        sign_in(client, office)

        response = client.post(
            reverse("two_factor_code"), {"code": device_code(device, steps_later=10)}
        )

        assert response.status_code == 200
        assert field_error(response) == WRONG_CODE
        assert client.get(reverse("home")).status_code == 302


def test_a_code_is_taken_once_only(client, people):
    office = people["office"]
    sign_in(client, office)
    device = set_up(client, office)
    used = device_code(device)
    client.post(reverse("logout"))
    sign_in(client, office)

    response = client.post(reverse("two_factor_code"), {"code": used})

    assert field_error(response) == WRONG_CODE


def test_too_many_wrong_codes_make_the_user_wait(client, people, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 10
    office = people["office"]
    device = with_an_authenticator(client, office)
    with later():
        sign_in(client, office)
        client.post(reverse("two_factor_code"), {"code": device_code(device, steps_later=10)})

        # Even the right code waits until the time is up.
        response = client.post(reverse("two_factor_code"), {"code": device_code(device)})

        assert re.fullmatch(
            r"You have entered too many wrong codes: wait \d+ seconds and try again",
            field_error(response),
        )
        assert client.get(reverse("home")).status_code == 302
    with later(minutes=2):
        response = client.post(reverse("two_factor_code"), {"code": device_code(device)})
        assert response.status_code == 302
        assert client.get(reverse("home")).status_code == 200


def test_the_code_page_goes_only_to_pages_of_this_site(client, people):
    office = people["office"]
    device = with_an_authenticator(client, office)
    with later():
        sign_in(client, office)
        response = client.post(
            reverse("two_factor_code"),
            {"code": device_code(device), "next": "https://elsewhere.example/"},
        )
        assert response["Location"] == reverse("home")


def test_signing_out_is_open_before_the_code(client, people):
    sign_in(client, people["office"])
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_lost_phone_removed_by_the_site_administrator_means_setting_up_again(client, people):
    office = people["office"]
    with_an_authenticator(client, office)
    admin = Client()
    sign_in(admin, people["admin"])
    set_up(admin, people["admin"])
    device = TOTPDevice.objects.get(user=office)
    listed = admin.get(reverse("admin:otp_totp_totpdevice_changelist"))
    assert listed.status_code == 200 and "office" in listed.content.decode()

    admin.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})

    assert not TOTPDevice.objects.filter(user=office).exists()
    sign_in(client, office)
    assert client.get(reverse("home"))["Location"].startswith(reverse("two_factor"))


def test_the_authenticators_in_the_site_administration_are_for_site_administrators_only(
    client, people
):
    staff = UserFactory(username="staff", is_staff=True)
    sign_in(client, staff)
    response = client.get(reverse("admin:otp_totp_totpdevice_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# ----- Everyone else: offered, not forced -----


def test_a_board_member_is_not_asked_but_may_turn_it_on_and_is_then_asked(client, people):
    board = people["board"]
    sign_in(client, board)
    assert client.get(reverse("home")).status_code == 200
    page = client.get(reverse("two_factor"))
    assert "You must set this up" not in page.content.decode()

    device = set_up(client, board)
    client.post(reverse("logout"))

    with later():
        sign_in(client, board)
        assert client.get(reverse("home"))["Location"].startswith(reverse("two_factor_code"))
        client.post(reverse("two_factor_code"), {"code": device_code(device)})
        assert client.get(reverse("home")).status_code == 200


def test_a_board_member_turns_it_off_with_a_current_code(client, people):
    board = people["board"]
    sign_in(client, board)
    device = set_up(client, board)
    assert (
        "Turn off two-factor authentication" in client.get(reverse("two_factor")).content.decode()
    )

    with later():
        wrong = client.post(
            reverse("two_factor_turn_off"), {"code": device_code(device, steps_later=10)}
        )
        assert field_error(wrong) == WRONG_CODE
        assert TOTPDevice.objects.filter(user=board).exists()
    with later(minutes=2):
        response = client.post(reverse("two_factor_turn_off"), {"code": device_code(device)})
        assert response.status_code == 302
        assert not TOTPDevice.objects.filter(user=board).exists()
        client.post(reverse("logout"))
        sign_in(client, board)
        assert client.get(reverse("home")).status_code == 200


def test_the_programme_office_cannot_turn_it_off(client, people):
    office = people["office"]
    sign_in(client, office)
    device = set_up(client, office)
    assert "Turn off" not in client.get(reverse("two_factor")).content.decode()

    with later():
        response = client.post(reverse("two_factor_turn_off"), {"code": device_code(device)})

    assert "You cannot turn off two-factor authentication" in response.content.decode()
    assert TOTPDevice.objects.filter(user=office, confirmed=True).exists()


# ----- Not asked -----


def test_a_single_sign_on_session_is_not_asked_even_with_an_authenticator(client, people):
    office = people["office"]
    TOTPDevice.objects.create(user=office, name="Phone", confirmed=True)
    client.force_login(office)
    session = client.session
    session[SIGNED_IN_WITH] = "council-entra-id"
    session.save()

    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("programme_list")).status_code == 200


def test_a_session_with_no_record_of_how_it_signed_in_counts_as_a_password(client, people):
    # A set-password link signs in without saying how: that is our own password.
    client.force_login(people["office"])
    assert client.get(reverse("home"))["Location"].startswith(reverse("two_factor"))


def test_the_api_with_a_token_is_not_asked(client, people):
    office = people["office"]
    TOTPDevice.objects.create(user=office, name="Phone", confirmed=True)
    token = issue_token(user=office)

    response = Client().get("/api/v1/programmes/", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 200
    # The same API through a session still waiting for its code is closed.
    sign_in(client, office)
    assert client.get("/api/v1/programmes/").status_code == 403


def test_nobody_is_asked_when_the_requirement_is_switched_off(client, people, settings):
    settings.TWO_FACTOR_REQUIRED = False
    TOTPDevice.objects.create(user=people["office"], name="Phone", confirmed=True)
    sign_in(client, people["office"])
    assert client.get(reverse("home")).status_code == 200


def test_a_password_reset_does_not_get_round_the_code(
    client, people, django_capture_on_commit_callbacks
):
    """A new password set from an emailed reset link signs the person in, as a password
    sign-in: someone who has an authenticator still enters its code before any page."""
    office = people["office"]
    with_an_authenticator(client, office)
    office.email = "office@harrow.example.org"
    office.save()
    forget_requests(office.email)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": office.email})
    link = re.search(r"https?://[^/\s]+(/account/password-reset/\S+/\S+/)", mail.outbox[-1].body)
    password = "a lighthouse keeps its lamp lit"
    signed_in = client.post(link.group(1), {"password": password, "confirmation": password})

    assert signed_in.status_code == 302
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_code"))
    forget_requests(office.email)


def test_the_session_gets_a_new_key_once_the_code_is_entered(client, people):
    office = people["office"]
    device = with_an_authenticator(client, office)

    with later():
        sign_in(client, office)
        before = client.cookies[settings.SESSION_COOKIE_NAME].value
        done = client.post(reverse("two_factor_code"), {"code": device_code(device)})
        assert done.status_code == 302
        after = client.cookies[settings.SESSION_COOKIE_NAME].value

        assert after != before
        assert client.get(reverse("programme_list")).status_code == 200
        # The key someone may have learnt before the code now opens nothing.
        stale = Client()
        stale.cookies[settings.SESSION_COOKIE_NAME] = before
        assert stale.get(reverse("programme_list"))["Location"].startswith(reverse("login"))
        # The sign-in's record follows the new key: signing out everywhere still ends it.
        assert list(
            UserSession.objects.filter(user=office).values_list("session_key", flat=True)
        ) == [after]
        client.post(reverse("user_sessions"))
        assert not UserSession.objects.filter(user=office).exists()
