"""Single sign-on with OpenID Connect against a real provider (issue 12, items 1 and 2).

The provider is tests/oidc_provider, a Django project of django-oauth-toolkit running in a
process of its own. Our side is driven with Django's test client; the person's side at the
provider (its sign-in page, the authorization redirect) with `requests`; our server fetches
the provider's discovery document, keys and tokens over HTTP, as it would from Entra ID.
"""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from programmes.accounts import SIGNED_IN_WITH
from programmes.models import Person, UserSession
from tests.factories import OrganisationFactory, PersonFactory, ProgrammeFactory, UserFactory
from tests.oidc_provider.fixture import oidc_provider  # noqa: F401 (a fixture)

PASSWORD = "provider-password-1"
EMAIL = "anne.mosley@council.example.gov.uk"


@pytest.fixture
def _frozen_clock():
    # The provider's process keeps the real clock, and ID tokens carry the time they were
    # issued: both sides must agree on it, so these tests keep the real clock too.
    yield


@pytest.fixture
def council(db):
    return OrganisationFactory(name="Northshire County Council", slug="northshire")


@pytest.fixture
def provider(oidc_provider, settings):  # noqa: F811
    """The test provider configured as the site's one provider, for no organisation."""
    settings.OIDC_PROVIDERS = [oidc_provider.configuration()]
    return oidc_provider


def start(client, provider_id="oidc", **query):
    return client.get(reverse("oidc_sign_in", args=[provider_id]), query)


def back_from_provider(client, provider, email, *, next_url=None, tamper=None):
    """Start at our sign-in, sign in at the provider as `email`, come back to our callback."""
    query = {} if next_url is None else {"next": next_url}
    started = start(client, **query)
    assert started.status_code == 302, started.content
    callback = provider.sign_in(started["Location"], email, PASSWORD)
    parts = urlsplit(callback)
    answer = parse_qs(parts.query)
    if tamper:
        answer.update(tamper)
    return client.get(parts.path, {key: values[0] for key, values in answer.items()})


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_a_known_person_with_a_verified_email_signs_in_and_lands_on_my_work(
    client, provider, council
):
    user = UserFactory(username="anne")
    PersonFactory(organisation=council, name="Anne Mosley", email=EMAIL, user=user)
    provider.add_user(EMAIL, PASSWORD, email_verified=True)

    response = back_from_provider(client, provider, EMAIL)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user_id(client) == str(user.pk)
    assert client.session[SIGNED_IN_WITH] == "oidc"
    # The session's record, for "Your sessions" and signing out everywhere, names the provider.
    assert list(UserSession.objects.filter(user=user).values_list("signed_in_with", flat=True)) == [
        "oidc"
    ]
    assert "My work" in client.get(response["Location"]).content.decode()


def test_the_first_sign_in_makes_a_user_for_the_person_and_links_it(client, provider, council):
    person = PersonFactory(
        organisation=council, name="Anne Mosley", email="Anne.Mosley@Council.example.gov.uk"
    )
    provider.add_user(EMAIL, PASSWORD, email_verified=True)

    response = back_from_provider(client, provider, EMAIL)

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.user is not None
    assert person.user.username == EMAIL
    assert not person.user.has_usable_password()
    assert signed_in_user_id(client) == str(person.user.pk)
    # The second time, the same user.
    client.logout()
    back_from_provider(client, provider, EMAIL)
    assert signed_in_user_id(client) == str(person.user.pk)
    assert get_user_model().objects.filter(username__iexact=EMAIL).count() == 1


def test_an_unknown_email_is_refused_with_a_page_and_nothing_is_made(client, provider, council):
    PersonFactory(organisation=council, name="Anne Mosley", email=EMAIL)
    provider.add_user("stranger@elsewhere.example.org", PASSWORD, email_verified=True)
    users_before = get_user_model().objects.count()

    response = back_from_provider(client, provider, "stranger@elsewhere.example.org")

    html = response.content.decode()
    assert response.status_code == 403
    assert "You cannot sign in yet" in html
    assert "Ask your programme office to add you" in html
    assert "stranger@elsewhere.example.org" in html
    assert get_user_model().objects.count() == users_before
    assert signed_in_user_id(client) is None


@pytest.mark.parametrize("email_verified", [False, None], ids=["not verified", "nothing said"])
def test_an_email_the_provider_does_not_vouch_for_is_refused(
    client, provider, council, email_verified
):
    person = PersonFactory(organisation=council, name="Anne Mosley", email=EMAIL)
    provider.add_user(EMAIL, PASSWORD, email_verified=email_verified)

    response = back_from_provider(client, provider, EMAIL)

    assert response.status_code == 403
    assert "You cannot sign in yet" in response.content.decode()
    assert signed_in_user_id(client) is None
    person.refresh_from_db()
    assert person.user is None


def test_a_trusted_provider_that_says_nothing_of_verification_is_believed(
    client, provider, council, settings
):
    # Entra ID sends no email_verified: a council's own tenant is trusted for its addresses.
    settings.OIDC_PROVIDERS = [provider.configuration(trust_email=True)]
    person = PersonFactory(organisation=council, name="Anne Mosley", email=EMAIL)
    provider.add_user(EMAIL, PASSWORD, email_verified=None)

    response = back_from_provider(client, provider, EMAIL)

    assert response.status_code == 302
    person.refresh_from_db()
    assert signed_in_user_id(client) == str(person.user_id)


def test_a_trusted_provider_that_says_the_email_is_not_verified_is_believed_too(
    client, provider, council, settings
):
    settings.OIDC_PROVIDERS = [provider.configuration(trust_email=True)]
    PersonFactory(organisation=council, name="Anne Mosley", email=EMAIL)
    provider.add_user(EMAIL, PASSWORD, email_verified=False)

    response = back_from_provider(client, provider, EMAIL)

    assert response.status_code == 403
    assert signed_in_user_id(client) is None


def test_a_deactivated_user_is_refused(client, provider, council):
    user = UserFactory(username="anne", is_active=False)
    PersonFactory(organisation=council, name="Anne Mosley", email=EMAIL, user=user)
    provider.add_user(EMAIL, PASSWORD, email_verified=True)

    response = back_from_provider(client, provider, EMAIL)

    assert response.status_code == 403
    assert "switched off" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_a_provider_signs_in_only_the_people_of_its_organisation(
    client, provider, council, settings
):
    settings.OIDC_PROVIDERS = [provider.configuration(organisation="northshire")]
    partner = OrganisationFactory(name="Northshire NHS Trust", slug="nhs-trust")
    PersonFactory(organisation=partner, name="Anne Mosley", email=EMAIL)
    provider.add_user(EMAIL, PASSWORD, email_verified=True)

    response = back_from_provider(client, provider, EMAIL)

    assert response.status_code == 403
    assert "Northshire County Council" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_a_provider_of_no_organisation_refuses_an_email_two_people_share(client, provider, council):
    partner = OrganisationFactory(name="Northshire NHS Trust", slug="nhs-trust")
    PersonFactory(organisation=council, name="Anne Mosley", email=EMAIL)
    PersonFactory(organisation=partner, name="Anne Mosley", email=EMAIL.upper())
    provider.add_user(EMAIL, PASSWORD, email_verified=True)

    response = back_from_provider(client, provider, EMAIL)

    assert response.status_code == 403
    assert "More than one person has the email address" in response.content.decode()
    assert not Person.objects.filter(user__isnull=False).exists()


def test_the_sign_in_page_offers_each_organisation_that_has_single_sign_on_on(
    client, provider, council, settings
):
    settings.OIDC_PROVIDERS = [provider.configuration(organisation="northshire")]

    html = client.get(reverse("login"), {"next": "/programmes/"}).content.decode()

    assert "Sign in with Northshire County Council" in html
    assert reverse("oidc_sign_in", args=["oidc"]) + "?next=/programmes/" in html


def test_the_sign_in_page_offers_none_when_no_provider_is_configured(client, db, settings):
    settings.OIDC_PROVIDERS = []

    html = client.get(reverse("login")).content.decode()

    assert "Sign in with" not in html
    assert start(client).status_code == 404


def test_an_organisation_that_turned_single_sign_on_off_gets_no_button_and_no_route(
    client, provider, council, settings
):
    settings.OIDC_PROVIDERS = [provider.configuration(organisation="northshire")]
    council.single_sign_on = False
    council.save()

    html = client.get(reverse("login")).content.decode()

    assert "Sign in with" not in html
    assert start(client).status_code == 404
    assert client.get(reverse("oidc_callback", args=["oidc"])).status_code == 404


def test_an_unknown_provider_is_not_found(client, provider):
    assert start(client, "entra").status_code == 404


def test_a_tampered_state_is_refused(client, provider, council):
    PersonFactory(organisation=council, name="Anne Mosley", email=EMAIL)
    provider.add_user(EMAIL, PASSWORD, email_verified=True)

    response = back_from_provider(client, provider, EMAIL, tamper={"state": ["forged"]})

    assert response.status_code == 400
    assert "Single sign-on did not work" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_coming_back_with_an_error_from_the_provider_is_explained(client, provider, council):
    started = start(client)
    state = parse_qs(urlsplit(started["Location"]).query)["state"][0]

    response = client.get(
        reverse("oidc_callback", args=["oidc"])
        + "?"
        + urlencode({"error": "access_denied", "state": state})
    )

    assert response.status_code == 400
    assert "You did not finish signing in" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_where_the_person_was_going_is_kept_but_not_another_site(client, provider, council):
    PersonFactory(organisation=council, name="Anne Mosley", email=EMAIL)
    provider.add_user(EMAIL, PASSWORD, email_verified=True)

    kept = back_from_provider(client, provider, EMAIL, next_url="/programmes/")
    client.logout()
    elsewhere = back_from_provider(client, provider, EMAIL, next_url="https://evil.example/")

    assert kept["Location"] == "/programmes/"
    assert elsewhere["Location"] == reverse("home")


def test_a_provider_that_cannot_be_reached_gets_a_page_not_a_server_error(client, db, settings):
    settings.OIDC_PROVIDERS = [
        {
            "id": "oidc",
            "name": "a provider that is down",
            "organisation": None,
            "issuer": "http://127.0.0.1:9/o",
            "client_id": "x",
            "client_secret": "y",
            "trust_email": False,
        }
    ]

    response = start(client)

    assert response.status_code == 502
    assert "could not reach" in response.content.decode()


def test_a_person_signed_in_without_a_role_sees_nothing(client, provider, council):
    # Access comes only from roles: signing in is not a role.
    ProgrammeFactory(organisation=council, name="Adult and Housing Transformation Programme")
    PersonFactory(organisation=council, name="Anne Mosley", email=EMAIL)
    provider.add_user(EMAIL, PASSWORD, email_verified=True)
    back_from_provider(client, provider, EMAIL)

    programmes = client.get(reverse("programme_list"))

    assert signed_in_user_id(client) is not None
    assert programmes.status_code == 200
    assert "Adult and Housing Transformation Programme" not in programmes.content.decode()
