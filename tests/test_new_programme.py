"""The portfolio office creates a programme in the browser (issue 11): with its programme
office appointed and this month's reporting period open, then its page offers the next steps.
Nobody else may, and bad input is told by the field with nothing saved."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from programmes.choices import MembershipSource, Role
from programmes.models import Membership, Person, Programme, ReportingPeriod
from reporting.services import roll_periods
from tests.clock import TODAY
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    grant,
    grant_portfolio_office,
)

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def portfolio(plan):
    """The portfolio office of the plan's organisation."""
    user = UserFactory(username="portfolio")
    grant_portfolio_office(user, plan["programme"].organisation)
    return user


def new_programme(organisation, **overrides) -> dict:
    data = {
        "name": "Children's Services Transformation",
        "reference": "CST",
        "organisation": str(organisation.pk),
        "description": "Early help and family support",
        "starts_on_0": "1",
        "starts_on_1": "4",
        "starts_on_2": "2026",
        "ends_on_0": "31",
        "ends_on_1": "3",
        "ends_on_2": "2029",
        "senior_responsible_owner": "",
        "programme_office": "",
        "office_name": "",
        "office_email": "",
        "board_name": "Children's Transformation Board",
        "rag_scale": "three",
        "time_tolerance_days": "30",
        "cost_tolerance_percent": "10",
        "benefit_tolerance_percent": "5",
        "risk_tolerance_score": "15",
        "risk_amber_from": "5",
        "risk_red_from": "15",
        "report_working_day": "3",
        "reminder_days": "5",
    }
    data.update(overrides)
    return data


def test_the_portfolio_office_creates_a_programme_with_its_office_and_this_months_period(
    client, plan, portfolio
):
    organisation = plan["programme"].organisation
    office = PersonFactory(organisation=organisation, name="Sam Okafor")
    sro = PersonFactory(organisation=organisation, name="Paul Najsarek")
    client.force_login(portfolio)

    response = client.post(
        reverse("programme_add"),
        new_programme(
            organisation, programme_office=str(office.pk), senior_responsible_owner=str(sro.pk)
        ),
    )

    programme = Programme.objects.get(reference="CST")
    assert response.status_code == 302
    assert response["Location"] == reverse("programme_detail", args=[programme.pk])
    assert programme.organisation == organisation
    assert programme.senior_responsible_owner == sro
    assert programme.board_name == "Children's Transformation Board"
    assert (programme.starts_on, programme.ends_on) == (date(2026, 4, 1), date(2029, 3, 31))
    membership = Membership.objects.get(programme=programme)
    assert (membership.person, membership.role, membership.source) == (
        office,
        Role.PROGRAMME_OFFICE,
        MembershipSource.GRANTED,
    )
    [period] = ReportingPeriod.objects.filter(programme=programme)
    assert period.month == TODAY.replace(day=1)
    assert period.status == "open"
    assert programme.history.first().history_user == portfolio


def test_a_new_person_may_be_named_as_the_programme_office(client, plan, portfolio):
    organisation = plan["programme"].organisation
    client.force_login(portfolio)

    client.post(
        reverse("programme_add"),
        new_programme(organisation, office_name="Jo Bloggs", office_email="jo@example.org"),
    )

    person = Person.objects.get(name="Jo Bloggs")
    assert (person.organisation, person.email, person.user) == (
        organisation,
        "jo@example.org",
        None,
    )
    assert Membership.objects.filter(person=person, role=Role.PROGRAMME_OFFICE).exists()


def test_a_programme_starting_later_gets_its_first_period_in_the_month_it_starts(
    client, plan, portfolio
):
    client.force_login(portfolio)
    client.post(
        reverse("programme_add"),
        new_programme(
            plan["programme"].organisation,
            starts_on_0="15",
            starts_on_1="2",
            starts_on_2="2027",
        ),
    )
    programme = Programme.objects.get(reference="CST")

    assert not ReportingPeriod.objects.filter(programme=programme).exists()
    with time_machine.travel(datetime(2027, 1, 31, 23, tzinfo=LONDON)):
        roll_periods()
    assert not ReportingPeriod.objects.filter(programme=programme).exists()
    with time_machine.travel(datetime(2027, 2, 15, 1, tzinfo=LONDON)):
        roll_periods()
    assert list(
        ReportingPeriod.objects.filter(programme=programme).values_list("month", flat=True)
    ) == [date(2027, 2, 1)]


def test_a_programme_that_started_in_the_past_gets_only_this_months_period(client, plan, portfolio):
    client.force_login(portfolio)
    client.post(
        reverse("programme_add"),
        new_programme(plan["programme"].organisation, starts_on_2="2024"),
    )

    months = ReportingPeriod.objects.filter(programme__reference="CST").values_list(
        "month", flat=True
    )
    assert list(months) == [TODAY.replace(day=1)]


def test_the_new_programmes_page_offers_its_office_the_next_steps(client, plan, portfolio):
    office = UserFactory(username="new-office")
    person = PersonFactory(organisation=plan["programme"].organisation, user=office)
    client.force_login(portfolio)
    client.post(
        reverse("programme_add"),
        new_programme(plan["programme"].organisation, programme_office=str(person.pk)),
    )
    programme = Programme.objects.get(reference="CST")
    page = reverse("programme_detail", args=[programme.pk])

    as_portfolio = client.get(page).content.decode()
    client.force_login(office)
    as_office = client.get(page).content.decode()

    assert "Set up the programme" in as_office
    assert reverse("import_plan", args=[programme.pk]) in as_office
    # The portfolio office may not import: it is told who can.
    assert "Set up the programme" in as_portfolio
    assert reverse("import_plan", args=[programme.pk]) not in as_portfolio
    assert f"Its programme office ({person.name})" in as_portfolio


def test_a_programme_with_no_office_asks_the_portfolio_office_to_appoint_one(
    client, plan, portfolio
):
    client.force_login(portfolio)
    client.post(reverse("programme_add"), new_programme(plan["programme"].organisation))
    programme = Programme.objects.get(reference="CST")

    html = client.get(reverse("programme_detail", args=[programme.pk])).content.decode()

    assert "It has no programme office yet" in html
    assert reverse("programme_role_add", args=[programme.pk]) in html


def test_a_programme_with_areas_shows_no_next_steps(client, plan, people):
    client.force_login(people["office"])

    html = client.get(reverse("programme_detail", args=[plan["programme"].pk])).content.decode()

    assert "Set up the programme" not in html


@pytest.mark.parametrize("role", ["board", "manager", "lead", "office", "outsider"])
def test_nobody_but_the_portfolio_office_creates_programmes(client, plan, people, role):
    client.force_login(people[role])

    assert client.get(reverse("programme_add")).status_code == 403
    response = client.post(reverse("programme_add"), new_programme(plan["programme"].organisation))

    assert response.status_code == 403
    assert not Programme.objects.filter(reference="CST").exists()
    assert "New programme" not in client.get(reverse("programme_list")).content.decode()


def test_the_programme_list_offers_a_new_programme_to_the_portfolio_office(client, portfolio):
    client.force_login(portfolio)

    html = client.get(reverse("programme_list")).content.decode()

    assert reverse("programme_add") in html


def test_a_site_administrator_creates_programmes_in_any_organisation(client, plan, people):
    other = OrganisationFactory(name="Brent Council")
    client.force_login(people["admin"])

    response = client.post(reverse("programme_add"), new_programme(other))

    assert response.status_code == 302
    assert Programme.objects.get(reference="CST").organisation == other


def test_the_portfolio_office_of_another_organisation_creates_only_in_its_own(client, plan):
    elsewhere = UserFactory(username="portfolio-elsewhere")
    brent = OrganisationFactory(name="Brent Council")
    grant_portfolio_office(elsewhere, brent)
    client.force_login(elsewhere)

    refused = client.post(reverse("programme_add"), new_programme(plan["programme"].organisation))
    created = client.post(reverse("programme_add"), new_programme(brent))

    assert refused.status_code == 400
    assert "Choose an organisation you create programmes for" in refused.content.decode()
    assert created.status_code == 302
    assert list(
        Programme.objects.filter(reference="CST").values_list("organisation", flat=True)
    ) == [brent.pk]


# ----- Bad input: each told by its field, nothing saved -----


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "Enter the name of the programme"),
        ({"reference": ""}, "Enter a reference for the programme"),
        ({"starts_on_0": "", "starts_on_1": "", "starts_on_2": ""}, "Enter the start date"),
        ({"ends_on_1": "13"}, "End date must be a real date"),
        (
            {"ends_on_0": "31", "ends_on_1": "3", "ends_on_2": "2026"},
            "The end date must be the same as or after the start date",
        ),
        ({"risk_amber_from": "15", "risk_red_from": "10"}, "Red must start above where Amber"),
        ({"risk_tolerance_score": "26"}, "less than or equal to 25"),
        ({"report_working_day": "0"}, "greater than or equal to 1"),
        ({"rag_scale": "seven"}, "Select a valid choice"),
        ({"office_email": "not-an-address", "office_name": "Jo"}, "Enter an email address"),
        ({"office_email": "jo@example.org"}, "Enter the full name of the programme office"),
    ],
)
def test_bad_input_is_refused_by_the_field(client, plan, portfolio, overrides, message):
    client.force_login(portfolio)

    response = client.post(
        reverse("programme_add"), new_programme(plan["programme"].organisation, **overrides)
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "<title>Error: " in html
    assert not Programme.objects.filter(reference="CST").exists()


def test_a_reference_already_used_in_the_organisation_is_refused(client, plan, portfolio):
    existing = plan["programme"]
    client.force_login(portfolio)

    response = client.post(
        reverse("programme_add"),
        new_programme(existing.organisation, reference=existing.reference.lower()),
    )

    assert response.status_code == 400
    assert "already has a programme with the reference" in response.content.decode()
    assert Programme.objects.count() == 1


def test_people_of_another_organisation_are_refused(client, plan, portfolio):
    stranger = PersonFactory(name="Someone Elsewhere")
    organisation = plan["programme"].organisation
    client.force_login(portfolio)

    for field in ("senior_responsible_owner", "programme_office"):
        response = client.post(
            reverse("programme_add"), new_programme(organisation, **{field: str(stranger.pk)})
        )
        assert response.status_code == 400
        assert "Choose a person of the organisation" in response.content.decode()
    assert not Programme.objects.filter(reference="CST").exists()


def test_naming_someone_new_and_choosing_someone_is_refused(client, plan, portfolio):
    person = PersonFactory(organisation=plan["programme"].organisation)
    client.force_login(portfolio)

    response = client.post(
        reverse("programme_add"),
        new_programme(
            plan["programme"].organisation, programme_office=str(person.pk), office_name="Jo"
        ),
    )

    assert response.status_code == 400
    assert "not both" in response.content.decode()
    assert not Person.objects.filter(name="Jo").exists()


def test_a_new_office_with_the_name_of_someone_there_is_refused_and_nothing_saved(
    client, plan, portfolio
):
    PersonFactory(organisation=plan["programme"].organisation, name="Jo Bloggs")
    client.force_login(portfolio)

    response = client.post(
        reverse("programme_add"),
        new_programme(plan["programme"].organisation, office_name="jo bloggs"),
    )

    assert response.status_code == 400
    assert "already has a person called jo bloggs" in response.content.decode()
    assert not Programme.objects.filter(reference="CST").exists()


def test_the_form_opens_at_the_usual_defaults_with_the_one_organisation_chosen(
    client, plan, portfolio
):
    client.force_login(portfolio)

    html = client.get(reverse("programme_add")).content.decode()

    organisation = plan["programme"].organisation
    assert f'name="organisation" value="{organisation.pk}"' in html
    assert 'name="board_name" type="text" value="Programme Board"' in html
    assert 'name="time_tolerance_days" type="number" value="30"' in html


def test_every_field_given_is_kept(client, plan, portfolio):
    client.force_login(portfolio)

    client.post(
        reverse("programme_add"),
        new_programme(
            plan["programme"].organisation,
            name="  Children's Services Transformation  ",
            reference=" CST ",
            description="Early help and family support",
            board_name="Children's Transformation Board",
            rag_scale="five",
            time_tolerance_days="45",
            cost_tolerance_percent="7.5",
            benefit_tolerance_percent="12.25",
            risk_tolerance_score="12",
            risk_amber_from="6",
            risk_red_from="16",
            report_working_day="5",
            reminder_days="7",
        ),
    )

    programme = Programme.objects.get(reference="CST")
    assert {
        "name": programme.name,
        "description": programme.description,
        "board_name": programme.board_name,
        "rag_scale": programme.rag_scale,
        "time_tolerance_days": programme.time_tolerance_days,
        "cost_tolerance_percent": programme.cost_tolerance_percent,
        "benefit_tolerance_percent": programme.benefit_tolerance_percent,
        "risk_tolerance_score": programme.risk_tolerance_score,
        "risk_amber_from": programme.risk_amber_from,
        "risk_red_from": programme.risk_red_from,
        "report_working_day": programme.report_working_day,
        "reminder_days": programme.reminder_days,
    } == {
        "name": "Children's Services Transformation",
        "description": "Early help and family support",
        "board_name": "Children's Transformation Board",
        "rag_scale": "five",
        "time_tolerance_days": 45,
        "cost_tolerance_percent": Decimal("7.5"),
        "benefit_tolerance_percent": Decimal("12.25"),
        "risk_tolerance_score": 12,
        "risk_amber_from": 6,
        "risk_red_from": 16,
        "report_working_day": 5,
        "reminder_days": 7,
    }


def test_the_form_asks_for_every_field_of_a_programme(client, plan, portfolio):
    elsewhere = OrganisationFactory(name="Brent Council")
    grant_portfolio_office(portfolio, elsewhere)  # two organisations: the choice is shown
    client.force_login(portfolio)

    html = client.get(reverse("programme_add")).content.decode()

    for name in (
        "name",
        "reference",
        "organisation",
        "description",
        "starts_on_0",
        "starts_on_1",
        "starts_on_2",
        "ends_on_0",
        "ends_on_1",
        "ends_on_2",
        "rag_scale",
        "board_name",
        "senior_responsible_owner",
        "programme_office",
        "time_tolerance_days",
        "cost_tolerance_percent",
        "benefit_tolerance_percent",
        "risk_tolerance_score",
        "risk_amber_from",
        "risk_red_from",
        "report_working_day",
        "reminder_days",
    ):
        assert f'name="{name}"' in html, name
    assert "Brent Council" in html and plan["programme"].organisation.name in html


def test_the_page_says_the_plan_import_comes_next(client, portfolio):
    client.force_login(portfolio)

    html = client.get(reverse("programme_add")).content.decode()

    assert "import its plan from the Excel plan template" in html


def test_a_new_programme_then_offers_its_office_to_import_the_plan(client, plan, portfolio):
    """The whole path: created, the portfolio office lands on its page, and the programme
    office it appointed finds the plan import there as the next step."""
    office = UserFactory(username="new-office")
    person = PersonFactory(organisation=plan["programme"].organisation, user=office)
    client.force_login(portfolio)

    response = client.post(
        reverse("programme_add"),
        new_programme(plan["programme"].organisation, programme_office=str(person.pk)),
        follow=True,
    )
    programme = Programme.objects.get(reference="CST")
    client.force_login(office)
    import_page = client.get(reverse("import_plan", args=[programme.pk]))

    assert "Children&#x27;s Services Transformation created" in response.content.decode()
    assert import_page.status_code == 200


@pytest.mark.parametrize("forged", ["999999", "not-a-number", ""])
def test_a_forged_or_missing_organisation_is_refused(client, plan, portfolio, forged):
    client.force_login(portfolio)

    response = client.post(
        reverse("programme_add"),
        {**new_programme(plan["programme"].organisation), "organisation": forged},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert (
        "Choose the organisation the programme is for"
        if forged == ""
        else "Choose an organisation you create programmes for"
    ) in html
    assert not Programme.objects.filter(reference="CST").exists()


def test_the_service_refuses_a_programme_in_another_organisation(plan, portfolio):
    from django.core.exceptions import PermissionDenied

    from programmes.services import create_programme

    brent = OrganisationFactory(name="Brent Council")
    details = {
        "name": "Forged",
        "reference": "F",
        "starts_on": date(2026, 4, 1),
        "ends_on": date(2027, 3, 31),
        "rag_scale": "three",
        "board_name": "Board",
        "time_tolerance_days": 30,
        "cost_tolerance_percent": Decimal(10),
        "benefit_tolerance_percent": Decimal(5),
        "risk_tolerance_score": 15,
        "risk_amber_from": 5,
        "risk_red_from": 15,
        "report_working_day": 3,
        "reminder_days": 5,
    }

    with pytest.raises(PermissionDenied):
        create_programme(brent, by=portfolio, details=details)
    assert not brent.programmes.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "x" * 201}, "name", "at most 200 characters"),
        ({"name": "   "}, "name", "Enter the name of the programme"),
        ({"reference": "x" * 51}, "reference", "at most 50 characters"),
        ({"description": "x" * 4001}, "description", "at most 4000 characters"),
        ({"starts_on_0": "31", "starts_on_1": "2"}, "starts_on", "Start date must be a real date"),
        ({"starts_on_2": "26"}, "starts_on", "with a four-digit year"),
        ({"starts_on_0": ""}, "starts_on", "Start date must include a day"),
        ({"ends_on_0": "", "ends_on_1": "", "ends_on_2": ""}, "ends_on", "Enter the end date"),
        ({"ends_on_2": ""}, "ends_on", "End date must include a year"),
        ({"board_name": ""}, "board_name", "This field is required"),
        ({"board_name": "x" * 201}, "board_name", "at most 200 characters"),
        ({"rag_scale": ""}, "rag_scale", "This field is required"),
        ({"time_tolerance_days": "-1"}, "time_tolerance_days", "greater than or equal to 0"),
        ({"time_tolerance_days": "a month"}, "time_tolerance_days", "Enter a whole number"),
        ({"time_tolerance_days": "366"}, "time_tolerance_days", "less than or equal to 365"),
        ({"cost_tolerance_percent": "101"}, "cost_tolerance_percent", "less than or equal"),
        ({"cost_tolerance_percent": "ten"}, "cost_tolerance_percent", "Enter a number"),
        ({"benefit_tolerance_percent": "-5"}, "benefit_tolerance_percent", "greater than or"),
        ({"benefit_tolerance_percent": "5.555"}, "benefit_tolerance_percent", "2 decimal"),
        ({"risk_tolerance_score": "0"}, "risk_tolerance_score", "greater than or equal to 1"),
        ({"risk_amber_from": "1"}, "risk_amber_from", "greater than or equal to 2"),
        ({"risk_red_from": ""}, "risk_red_from", "This field is required"),
        ({"report_working_day": "16"}, "report_working_day", "less than or equal to 15"),
        ({"reminder_days": "29"}, "reminder_days", "less than or equal to 28"),
        ({"reminder_days": ""}, "reminder_days", "This field is required"),
    ],
)
def test_each_bad_field_is_told_by_that_field(client, plan, portfolio, overrides, field, message):
    client.force_login(portfolio)

    response = client.post(
        reverse("programme_add"), new_programme(plan["programme"].organisation, **overrides)
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    # In the summary, linked to the field, and by the field itself.
    assert f'href="#id_{field}' in html
    assert f'id="id_{field}-error"' in html
    assert not Programme.objects.filter(reference="CST").exists()


def test_what_was_typed_is_kept_when_something_is_refused(client, plan, portfolio):
    client.force_login(portfolio)

    response = client.post(
        reverse("programme_add"),
        new_programme(plan["programme"].organisation, reminder_days="29", board_name="My Board"),
    )

    html = response.content.decode()
    assert 'value="My Board"' in html
    assert 'value="Children&#x27;s Services Transformation"' in html


# ----- The programme's own change history, on its settings page -----


def test_the_settings_page_shows_the_programmes_own_history(client, plan, people, portfolio):
    office = people["office"]
    client.force_login(portfolio)
    client.post(reverse("programme_add"), new_programme(plan["programme"].organisation))
    programme = Programme.objects.get(reference="CST")
    grant(office, Role.PROGRAMME_OFFICE, programme=programme)
    client.force_login(office)
    settings_page = reverse("programme_settings", args=[programme.pk])
    client.post(
        settings_page,
        {
            "version": str(programme.version),
            "board_name": "Children's Improvement Board",
            "rag_scale": "three",
            "overall_rag": "",
            "overall_commentary": "",
            "time_tolerance_days": "30",
            "cost_tolerance_percent": "10",
            "benefit_tolerance_percent": "5",
            "risk_tolerance_score": "15",
            "risk_amber_from": "5",
            "risk_red_from": "15",
            "reminder_days": "7",
            "report_working_day": "3",
            "auto_close_periods": "on",
        },
    )
    # Another programme's changes are not this one's history.
    other = plan["programme"]
    other.board_name = "Somewhere Else Board"
    other._history_user = office
    other.save()

    html = client.get(settings_page).content.decode()

    history = html[html.index('id="history"') :]
    assert (
        "Board name changed from Children&#x27;s Transformation Board to "
        f"Children&#x27;s Improvement Board; Reminder days changed from 5 to 7 "
        f'<span class="app-muted">by {office.person.name}, '
    ) in history
    assert f'Programme created <span class="app-muted">by {portfolio.person.name}, ' in history
    assert "Somewhere Else Board" not in history
    assert history.index("Board name changed") < history.index("Programme created")
