"""A signed-in user sees, creates, resets and revokes their own API token; resetting or
revoking stops the old token working at once."""

from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api import api_url

PAGE = "/account/api-token/"


def works(key: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(api_url("programme-list")).status_code == 200


def test_the_page_has_its_address_and_asks_signed_out_visitors_to_sign_in(client, db):
    assert reverse("api_token") == PAGE
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_user_creates_a_token_sees_it_and_it_works(client, people):
    client.force_login(people["lead"])
    assert "You do not have an API token" in client.get(PAGE).content.decode()
    response = client.post(PAGE, {"action": "create"}, follow=True)
    token = Token.objects.get(user=people["lead"])
    html = response.content.decode()
    assert "Your API token has been created" in html
    assert token.key in html
    assert works(token.key)


def test_resetting_gives_a_new_token_and_the_old_one_stops_working(client, people):
    old = Token.objects.create(user=people["lead"])
    client.force_login(people["lead"])
    response = client.post(PAGE, {"action": "reset"}, follow=True)
    new = Token.objects.get(user=people["lead"])
    assert new.key != old.key
    assert "the old one no longer works" in response.content.decode()
    assert works(new.key)
    assert not works(old.key)


def test_revoking_leaves_no_token(client, people):
    old = Token.objects.create(user=people["lead"])
    client.force_login(people["lead"])
    client.post(PAGE, {"action": "revoke"})
    assert not Token.objects.filter(user=people["lead"]).exists()
    assert not works(old.key)


def test_a_user_sees_only_their_own_token(client, people):
    theirs = Token.objects.create(user=people["office"])
    client.force_login(people["lead"])
    html = client.get(PAGE).content.decode()
    assert theirs.key not in html
    client.post(PAGE, {"action": "reset"})
    assert Token.objects.get(user=people["office"]).key == theirs.key


def test_changes_need_the_csrf_token(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["lead"])
    assert client.post(PAGE, {"action": "create"}).status_code == 403
    assert not Token.objects.filter(user=people["lead"]).exists()
