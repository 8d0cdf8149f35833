"""A council officer signs in with their organisation's account, through the test identity
provider's own page (tests/oidc_provider), and lands on My work; once the site administrator
switches their user off, their next page asks them to sign in (issue 12)."""

import pytest
from playwright.sync_api import expect

from programmes.choices import Role
from tests.browser.conftest import describe, serious_accessibility_violations
from tests.factories import (
    AreaFactory,
    OrganisationFactory,
    PersonFactory,
    ProgrammeFactory,
    WorkstreamFactory,
)
from tests.oidc_provider.fixture import oidc_provider  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "anne.mosley@northshire.example.gov.uk"
PASSWORD = "provider-password-1"


@pytest.fixture
def _frozen_clock():
    # The provider's process keeps the real clock and ID tokens carry the time they were
    # issued: both sides must agree on it.
    yield


def test_a_person_signs_in_with_their_organisation_and_is_signed_out_when_switched_off(
    page,
    live_server,
    settings,
    oidc_provider,  # noqa: F811
):
    council = OrganisationFactory(name="Northshire County Council", slug="northshire")
    programme = ProgrammeFactory(
        organisation=council, name="Adult and Housing Transformation Programme"
    )
    workstream = WorkstreamFactory(
        area=AreaFactory(programme=programme, reference="1", name="Community Services"),
        reference="1.1",
        name="Day Opportunities",
    )
    person = PersonFactory(organisation=council, name="Anne Mosley", email=EMAIL)
    person.memberships.create(role=Role.WORKSTREAM_LEAD, programme=programme, workstream=workstream)
    settings.OIDC_PROVIDERS = [oidc_provider.configuration(organisation="northshire")]
    oidc_provider.allow_redirect_uri(f"{live_server.url}/sign-in/with/oidc/callback/")
    oidc_provider.add_user(EMAIL, PASSWORD, email_verified=True)

    page.goto("/sign-in/")
    accessibility = {"Sign in": serious_accessibility_violations(page)}
    page.get_by_role("button", name="Sign in with Northshire County Council").click()
    # The provider's own page, on its own address.
    page.wait_for_url(f"{oidc_provider.url}/**")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    accessibility["My work"] = serious_accessibility_violations(page)
    # What they see comes from their role, as for anyone.
    page.goto("/programmes/")
    expect(page.get_by_text("Adult and Housing Transformation Programme").first).to_be_visible()

    person.refresh_from_db()
    user = person.user
    user.is_active = False
    user.save()
    page.reload()

    page.wait_for_url(lambda url: "/sign-in/" in url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert accessibility == {"Sign in": [], "My work": []}, describe(accessibility)
