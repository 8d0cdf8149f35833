"""The site administrator creates an organisation and names its first portfolio office in the
site administration (issue 11, "Who may do what"); from then on that person creates
programmes in the browser. Nobody else gets into the site administration."""

from django.urls import reverse

from programmes.choices import Role
from programmes.models import OrganisationRole
from tests.factories import PersonFactory, UserFactory


def _organisation_form(name: str, slug: str, person_id: int | str = "") -> dict:
    prefix = "organisation_roles"
    return {
        "name": name,
        "slug": slug,
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-person": str(person_id),
        f"{prefix}-0-role": Role.PORTFOLIO_OFFICE.value,
    }


def test_the_site_administrator_names_the_first_portfolio_office_of_an_organisation(
    client, people, plan
):
    organisation = plan["programme"].organisation
    priya = UserFactory(username="priya")
    person = PersonFactory(organisation=organisation, name="Priya Nair", user=priya)
    client.force_login(people["admin"])
    url = reverse("admin:programmes_organisation_change", args=[organisation.pk])

    response = client.post(url, _organisation_form(organisation.name, organisation.slug, person.pk))

    assert response.status_code == 302, response.content.decode()[:2000]
    role = OrganisationRole.objects.get(organisation=organisation)
    assert (role.person, role.role) == (person, Role.PORTFOLIO_OFFICE)
    client.force_login(priya)
    assert client.get(reverse("programme_add")).status_code == 200


def test_the_portfolio_office_is_a_person_of_the_organisation(client, people, plan):
    organisation = plan["programme"].organisation
    stranger = PersonFactory(name="Alex Chen")  # a person of another organisation
    client.force_login(people["admin"])
    url = reverse("admin:programmes_organisation_change", args=[organisation.pk])

    response = client.post(
        url, _organisation_form(organisation.name, organisation.slug, stranger.pk)
    )

    assert response.status_code == 200
    assert "Choose a person of this organisation" in response.content.decode()
    assert not OrganisationRole.objects.exists()


def test_only_site_administrators_get_into_the_site_administration(client, people, plan):
    organisation = plan["programme"].organisation
    url = reverse("admin:programmes_organisation_change", args=[organisation.pk])
    for name in ("office", "board"):
        client.force_login(people[name])
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
