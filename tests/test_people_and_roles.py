"""People and roles per programme (issue 11; DOMAIN.md section 2): everyone in the programme
sees who holds which role where; the programme office adds and corrects people, gives and
removes roles; the portfolio office appoints only the programme office. Removing a role
removes access at once, and every change is in the history on the page."""

from datetime import date

import pytest
from django.urls import reverse

from programmes.choices import MembershipSource, Role
from programmes.models import Membership, Person
from programmes.services import sync_workstream_memberships
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    ProgrammeFactory,
    UserFactory,
    grant,
    grant_portfolio_office,
)


@pytest.fixture
def portfolio(plan):
    user = UserFactory(username="portfolio")
    grant_portfolio_office(user, plan["programme"].organisation)
    return user


@pytest.fixture
def pat(plan):
    """Someone of the organisation with no role yet, with an email address."""
    return PersonFactory(
        organisation=plan["programme"].organisation,
        name="Pat Quinn",
        job_title="Commissioning Manager",
        email="Pat.Quinn@harrow.example.org",
    )


def people_page(plan) -> str:
    return reverse("programme_people", args=[plan["programme"].pk])


# ----- Who sees what -----


def test_everyone_in_the_programme_sees_who_holds_which_role_where(client, plan, people):
    client.force_login(people["board"])

    html = client.get(people_page(plan)).content.decode()

    lead = people["lead"].person
    assert lead.name in html
    assert "Workstream lead of workstream 1.1 Day Opportunities" in html
    assert "Programme office of the programme" in html


def test_emails_and_sign_in_are_shown_only_to_the_offices(client, plan, people, portfolio):
    people["lead"].person.email = "lead@harrow.example.org"
    people["lead"].person.save()

    client.force_login(people["board"])
    as_board = client.get(people_page(plan)).content.decode()
    client.force_login(people["office"])
    as_office = client.get(people_page(plan)).content.decode()
    client.force_login(portfolio)
    as_portfolio = client.get(people_page(plan)).content.decode()

    assert "lead@harrow.example.org" not in as_board
    assert "Signs in" not in as_board
    assert "lead@harrow.example.org" in as_office and "Signs in" in as_office
    assert "lead@harrow.example.org" in as_portfolio and "Signs in" in as_portfolio


def test_the_portfolio_office_of_another_organisation_sees_nothing(client, plan, pat):
    elsewhere = UserFactory(username="portfolio-elsewhere")
    grant_portfolio_office(elsewhere, OrganisationFactory())
    client.force_login(elsewhere)
    programme = plan["programme"]
    membership = grant(UserFactory(), Role.BOARD_MEMBER, programme=programme)

    for url in (
        people_page(plan),
        reverse("programme_person_add", args=[programme.pk]),
        reverse("programme_person_edit", args=[programme.pk, pat.pk]),
        reverse("programme_person_invite", args=[programme.pk, pat.pk]),
        reverse("programme_role_add", args=[programme.pk]),
        reverse("programme_role_remove", args=[programme.pk, membership.pk]),
    ):
        assert client.get(url).status_code == 404, url
        if url != people_page(plan):  # a page that only shows
            assert client.post(url, {}).status_code == 404, url
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_plan_roles_link_to_where_they_change_and_offer_no_removal(client, plan, people):
    client.force_login(people["office"])
    lead_membership = Membership.objects.get(person=people["lead"].person)
    sync_workstream_memberships(_with_lead(plan["ws_1_2"], people["board"].person))
    from_plan = Membership.objects.get(source=MembershipSource.PLAN)

    html = client.get(people_page(plan)).content.decode()

    assert reverse("workstream_detail", args=[plan["ws_1_2"].pk]) in html
    assert reverse("programme_role_remove", args=[plan["programme"].pk, from_plan.pk]) not in html
    assert reverse("programme_role_remove", args=[plan["programme"].pk, lead_membership.pk]) in html


def _with_lead(workstream, person):
    workstream.lead = person
    workstream.save()
    return workstream


def test_the_page_shows_the_history_of_roles_and_people(client, plan, people, pat):
    client.force_login(people["office"])
    client.post(
        reverse("programme_role_add", args=[plan["programme"].pk]),
        {"person": pat.pk, "role": Role.BOARD_MEMBER},
    )
    client.post(
        reverse("programme_person_edit", args=[plan["programme"].pk, pat.pk]),
        _person_form(pat, job_title="Head of Commissioning"),
    )

    as_office = client.get(people_page(plan)).content.decode()
    client.force_login(people["board"])
    as_board = client.get(people_page(plan)).content.decode()

    assert "Pat Quinn: Board member of the programme</strong>: Role given" in as_office
    assert "Job title changed from Commissioning Manager to Head of Commissioning" in as_office
    assert "Pat Quinn: Board member of the programme</strong>: Role given" in as_board
    # What people's details were (their email among them) is for the offices only.
    assert "Job title changed" not in as_board


# ----- Adding and changing people -----


def _person_form(person=None, **overrides) -> dict:
    data = {
        "name": person.name if person else "Howard Tomlin",
        "job_title": person.job_title if person else "Account Manager",
        "employer": person.employer if person else "Capita",
        "email": person.email if person else "howard.tomlin@capita.example.org",
        "version": str(person.version) if person else "",
    }
    if person is not None and person.is_team:
        data["is_team"] = "on"
    data.update(overrides)
    return data


def test_the_programme_office_adds_a_person_of_the_organisation(client, plan, people):
    client.force_login(people["office"])

    response = client.post(
        reverse("programme_person_add", args=[plan["programme"].pk]), _person_form()
    )

    person = Person.objects.get(name="Howard Tomlin")
    assert response.status_code == 302
    assert response["Location"].endswith(f"?person={person.pk}")
    assert (person.organisation, person.employer, person.user) == (
        plan["programme"].organisation,
        "Capita",
        None,
    )
    assert person.history.first().history_user == people["office"]


def test_a_team_is_added_as_a_team(client, plan, people):
    client.force_login(people["office"])

    client.post(
        reverse("programme_person_add", args=[plan["programme"].pk]),
        _person_form(name="SMT", email="", is_team="on"),
    )

    assert Person.objects.get(name="SMT").is_team


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "Enter the person&#x27;s full name"),
        ({"name": "   "}, "Enter the person&#x27;s full name"),
        ({"email": "howard at capita"}, "Enter an email address like name@example.org"),
        ({"name": "x" * 201}, "at most 200 characters"),
    ],
)
def test_bad_details_of_a_new_person_are_refused(client, plan, people, overrides, message):
    client.force_login(people["office"])

    response = client.post(
        reverse("programme_person_add", args=[plan["programme"].pk]), _person_form(**overrides)
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Person.objects.filter(employer="Capita").exists()


def test_a_second_person_of_the_same_name_is_refused(client, plan, people, pat):
    client.force_login(people["office"])

    response = client.post(
        reverse("programme_person_add", args=[plan["programme"].pk]),
        _person_form(name="pat quinn"),
    )

    assert response.status_code == 400
    assert "already has a person called pat quinn" in response.content.decode()
    assert Person.objects.filter(name__iexact="pat quinn").count() == 1


def test_the_programme_office_corrects_a_persons_details(client, plan, people, pat):
    client.force_login(people["office"])

    response = client.post(
        reverse("programme_person_edit", args=[plan["programme"].pk, pat.pk]),
        _person_form(pat, job_title="Head of Commissioning"),
    )

    pat.refresh_from_db()
    assert response.status_code == 302
    assert pat.job_title == "Head of Commissioning"


def test_a_person_of_another_organisation_cannot_be_changed_here(client, plan, people):
    stranger = PersonFactory(name="Someone Elsewhere")
    client.force_login(people["office"])

    url = reverse("programme_person_edit", args=[plan["programme"].pk, stranger.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, _person_form(stranger, name="Renamed")).status_code == 404
    stranger.refresh_from_db()
    assert stranger.name == "Someone Elsewhere"


@pytest.mark.parametrize("role", ["board", "sponsor", "manager", "lead"])
def test_only_the_programme_office_adds_and_changes_people(client, plan, people, pat, role):
    client.force_login(people[role])
    programme = plan["programme"]

    added = client.post(reverse("programme_person_add", args=[programme.pk]), _person_form())
    changed = client.post(
        reverse("programme_person_edit", args=[programme.pk, pat.pk]),
        _person_form(pat, name="Renamed"),
    )

    assert (added.status_code, changed.status_code) == (403, 403)
    assert not Person.objects.filter(name__in=["Howard Tomlin", "Renamed"]).exists()


# ----- Giving roles -----


def give(client, plan, **data):
    return client.post(reverse("programme_role_add", args=[plan["programme"].pk]), data)


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.BOARD_MEMBER, {}),
        (Role.PROGRAMME_OFFICE, {}),
        (Role.SPONSOR, {"area": "area_two"}),
        (Role.PROJECT_MANAGER, {"area": "area_two"}),
        (Role.WORKSTREAM_LEAD, {"workstream": "ws_2_1"}),
    ],
)
def test_the_programme_office_gives_each_role_where_it_belongs(
    client, plan, people, pat, role, scope
):
    client.force_login(people["office"])

    response = give(
        client, plan, person=pat.pk, role=role, **{k: plan[v].pk for k, v in scope.items()}
    )

    assert response.status_code == 302
    membership = Membership.objects.get(person=pat)
    assert membership.role == role
    assert membership.source == MembershipSource.GRANTED
    assert membership.area_id == (plan[scope["area"]].pk if "area" in scope else None)
    assert membership.workstream_id == (
        plan[scope["workstream"]].pk if "workstream" in scope else None
    )


@pytest.mark.parametrize(
    ("role", "scope", "message"),
    [
        (Role.BOARD_MEMBER, {"area": "area_one"}, "leave the area blank"),
        (Role.PROGRAMME_OFFICE, {"workstream": "ws_1_1"}, "leave the workstream blank"),
        (Role.SPONSOR, {}, "Choose the area of this sponsor"),
        (
            Role.PROJECT_MANAGER,
            {"area": "area_one", "workstream": "ws_1_1"},
            "leave the workstream",
        ),
        (Role.WORKSTREAM_LEAD, {}, "Choose the workstream they lead"),
        (Role.WORKSTREAM_LEAD, {"area": "area_one", "workstream": "ws_1_1"}, "leave the area"),
    ],
)
def test_a_role_where_it_does_not_belong_is_refused(
    client, plan, people, pat, role, scope, message
):
    client.force_login(people["office"])

    response = give(
        client, plan, person=pat.pk, role=role, **{k: plan[v].pk for k, v in scope.items()}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Membership.objects.filter(person=pat).exists()


def test_a_role_for_a_person_of_another_organisation_is_refused(client, plan, people):
    stranger = PersonFactory(name="Someone Elsewhere")
    client.force_login(people["office"])

    response = give(client, plan, person=stranger.pk, role=Role.BOARD_MEMBER)

    assert response.status_code == 400
    assert "Choose a person of the programme" in response.content.decode()
    assert not Membership.objects.filter(person=stranger).exists()


def test_an_area_or_workstream_of_another_programme_is_refused(client, plan, people, pat):
    other = ProgrammeFactory(organisation=plan["programme"].organisation)
    from tests.factories import AreaFactory, WorkstreamFactory

    other_area = AreaFactory(programme=other)
    other_workstream = WorkstreamFactory(area=other_area)
    client.force_login(people["office"])

    by_area = give(client, plan, person=pat.pk, role=Role.SPONSOR, area=other_area.pk)
    by_workstream = give(
        client, plan, person=pat.pk, role=Role.WORKSTREAM_LEAD, workstream=other_workstream.pk
    )

    assert "Choose an area of this programme" in by_area.content.decode()
    assert "Choose a workstream of this programme" in by_workstream.content.decode()
    assert not Membership.objects.filter(person=pat).exists()


def test_a_role_already_held_there_is_refused(client, plan, people):
    client.force_login(people["office"])
    lead = people["lead"].person

    response = give(
        client, plan, person=lead.pk, role=Role.WORKSTREAM_LEAD, workstream=plan["ws_1_1"].pk
    )

    assert response.status_code == 400
    assert "already holds this role there" in response.content.decode()
    assert Membership.objects.filter(person=lead).count() == 1


def test_missing_person_and_role_are_refused(client, plan, people):
    client.force_login(people["office"])

    response = give(client, plan)

    html = response.content.decode()
    assert response.status_code == 400
    assert "Choose the person" in html and "Choose a role" in html


def test_the_portfolio_office_appoints_only_the_programme_office(client, plan, portfolio, pat):
    client.force_login(portfolio)

    board = give(client, plan, person=pat.pk, role=Role.BOARD_MEMBER)
    office = give(client, plan, person=pat.pk, role=Role.PROGRAMME_OFFICE)

    assert board.status_code == 400
    assert "Select a valid choice" in board.content.decode()
    assert office.status_code == 302
    assert list(Membership.objects.filter(person=pat).values_list("role", flat=True)) == [
        Role.PROGRAMME_OFFICE
    ]


@pytest.mark.parametrize("role", ["board", "sponsor", "manager", "lead"])
def test_nobody_else_gives_roles(client, plan, people, pat, role):
    client.force_login(people[role])

    response = give(client, plan, person=pat.pk, role=Role.PROGRAMME_OFFICE)

    assert response.status_code == 403
    assert not Membership.objects.filter(person=pat).exists()


def test_a_role_given_gives_access_at_once(client, plan, people, pat):
    user = UserFactory(username="pat")
    pat.user = user
    pat.save()
    client.force_login(user)
    programme_page = reverse("programme_detail", args=[plan["programme"].pk])
    assert client.get(programme_page).status_code == 404

    office = type(client)()
    office.force_login(people["office"])
    give(office, plan, person=pat.pk, role=Role.BOARD_MEMBER)

    assert client.get(programme_page).status_code == 200


# ----- Removing roles -----


def remove_url(plan, membership) -> str:
    return reverse("programme_role_remove", args=[plan["programme"].pk, membership.pk])


def test_removing_a_role_removes_access_at_once(client, plan, people):
    lead = people["lead"]
    membership = Membership.objects.get(person=lead.person)
    lead_client = type(client)()
    lead_client.force_login(lead)
    programme_page = reverse("programme_detail", args=[plan["programme"].pk])
    assert lead_client.get(programme_page).status_code == 200

    client.force_login(people["office"])
    assert client.get(remove_url(plan, membership)).status_code == 200
    response = client.post(remove_url(plan, membership))

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    # The lead's very next request, in the session they already had.
    assert lead_client.get(programme_page).status_code == 404
    history = Membership.history.filter(id=membership.pk, history_type="-").get()
    assert history.history_user == people["office"]


def test_a_role_from_the_plan_is_not_removed_here(client, plan, people):
    sync_workstream_memberships(_with_lead(plan["ws_1_2"], people["board"].person))
    from_plan = Membership.objects.get(source=MembershipSource.PLAN)
    client.force_login(people["office"])

    response = client.post(remove_url(plan, from_plan))

    assert response.status_code == 400
    assert "comes from the plan" in response.content.decode()
    assert Membership.objects.filter(pk=from_plan.pk).exists()


def test_the_last_programme_office_is_not_removed(client, plan, people):
    office = Membership.objects.get(role=Role.PROGRAMME_OFFICE)
    client.force_login(people["office"])

    response = client.post(remove_url(plan, office))

    assert response.status_code == 400
    assert "only programme office" in response.content.decode()
    assert Membership.objects.filter(pk=office.pk).exists()


def test_the_portfolio_office_removes_a_programme_office_but_no_other_role(
    client, plan, people, portfolio
):
    second_office = grant(UserFactory(), Role.PROGRAMME_OFFICE, programme=plan["programme"])
    board = Membership.objects.get(person=people["board"].person)
    client.force_login(portfolio)

    assert client.post(remove_url(plan, board)).status_code == 403
    assert client.post(remove_url(plan, second_office)).status_code == 302
    assert Membership.objects.filter(pk=board.pk).exists()
    assert not Membership.objects.filter(pk=second_office.pk).exists()


@pytest.mark.parametrize("role", ["board", "sponsor", "manager", "lead"])
def test_nobody_else_removes_roles(client, plan, people, role):
    board = Membership.objects.get(person=people["board"].person)
    client.force_login(people[role])

    assert client.post(remove_url(plan, board)).status_code == 403
    assert Membership.objects.filter(pk=board.pk).exists()


def test_a_role_of_another_programme_is_not_found_here(client, plan, people):
    other = ProgrammeFactory(organisation=plan["programme"].organisation)
    elsewhere = grant(UserFactory(), Role.BOARD_MEMBER, programme=other)
    client.force_login(people["office"])

    assert client.post(remove_url(plan, elsewhere)).status_code == 404
    assert Membership.objects.filter(pk=elsewhere.pk).exists()


# ----- Removing a lead who owns open milestones -----


def _owned_milestones(plan, person):
    from tests.factories import MilestoneFactory

    workstream = plan["ws_1_1"]
    return [
        MilestoneFactory(workstream=workstream, reference="1.1.1", owner=person),
        MilestoneFactory(workstream=workstream, reference="1.1.2", owner=person),
        MilestoneFactory(
            workstream=workstream,
            reference="1.1.3",
            owner=person,
            status="complete",
            actual_date=date(2026, 10, 1),
        ),
    ]


def test_removing_a_lead_who_owns_open_milestones_says_so_before_removing(client, plan, people):
    lead = people["lead"]
    _owned_milestones(plan, lead.person)
    membership = Membership.objects.get(person=lead.person)
    client.force_login(people["office"])

    page = client.get(remove_url(plan, membership)).content.decode()

    assert "owns 2 open milestones of workstream 1.1 Day Opportunities (1.1.1, 1.1.2)" in page
    assert "no longer update them" in page
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_removing_such_a_lead_without_seeing_the_warning_is_refused_and_says_why(
    client, plan, people
):
    lead = people["lead"]
    _owned_milestones(plan, lead.person)
    membership = Membership.objects.get(person=lead.person)
    client.force_login(people["office"])

    response = client.post(remove_url(plan, membership))

    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: " in html
    assert "owns 2 open milestones of workstream 1.1 Day Opportunities (1.1.1, 1.1.2)" in html
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_removing_such_a_lead_once_warned_goes_through_and_the_milestones_stay_theirs(
    client, plan, people
):
    lead = people["lead"]
    milestones = _owned_milestones(plan, lead.person)
    membership = Membership.objects.get(person=lead.person)
    client.force_login(people["office"])

    response = client.post(remove_url(plan, membership), {"milestones_seen": "yes"})

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    milestones[0].refresh_from_db()
    assert milestones[0].owner == lead.person


def test_no_warning_when_the_person_still_updates_those_milestones_by_another_role(
    client, plan, people
):
    lead = people["lead"]
    _owned_milestones(plan, lead.person)
    membership = Membership.objects.get(person=lead.person)
    grant(lead, Role.PROJECT_MANAGER, area=plan["area_one"])
    client.force_login(people["office"])

    page = client.get(remove_url(plan, membership)).content.decode()
    response = client.post(remove_url(plan, membership))

    assert "open milestones" not in page
    assert response.status_code == 302


def test_no_warning_for_a_lead_whose_milestones_are_all_complete(client, plan, people):
    from tests.factories import MilestoneFactory

    lead = people["lead"]
    MilestoneFactory(
        workstream=plan["ws_1_1"],
        owner=lead.person,
        status="complete",
        actual_date=date(2026, 10, 1),
    )
    membership = Membership.objects.get(person=lead.person)
    client.force_login(people["office"])

    assert "open milestones" not in client.get(remove_url(plan, membership)).content.decode()
    assert client.post(remove_url(plan, membership)).status_code == 302


# ----- The portfolio office and the history -----


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.BOARD_MEMBER, {}),
        (Role.SPONSOR, {"area": "area_one"}),
        (Role.PROJECT_MANAGER, {"area": "area_one"}),
        (Role.WORKSTREAM_LEAD, {"workstream": "ws_1_1"}),
    ],
)
def test_the_portfolio_office_gives_no_role_but_the_programme_office(
    client, plan, portfolio, pat, role, scope
):
    client.force_login(portfolio)

    response = give(
        client, plan, person=pat.pk, role=role, **{k: plan[v].pk for k, v in scope.items()}
    )

    assert response.status_code == 400
    assert not Membership.objects.filter(person=pat).exists()


def test_the_portfolio_offices_role_form_offers_only_the_programme_office(client, plan, portfolio):
    client.force_login(portfolio)

    html = client.get(reverse("programme_role_add", args=[plan["programme"].pk])).content.decode()

    assert f'value="{Role.PROGRAMME_OFFICE.value}"' in html
    for role in (Role.BOARD_MEMBER, Role.SPONSOR, Role.PROJECT_MANAGER, Role.WORKSTREAM_LEAD):
        assert f'value="{role.value}"' not in html


@pytest.mark.parametrize("role", ["office", "portfolio"])
def test_roles_given_and_removed_are_in_the_history_with_who_did_it(
    client, plan, people, portfolio, pat, role
):
    acting = {"office": people["office"], "portfolio": portfolio}[role]
    client.force_login(acting)
    give(client, plan, person=pat.pk, role=Role.PROGRAMME_OFFICE)
    membership = Membership.objects.get(person=pat)
    client.post(remove_url(plan, membership))

    records = Membership.history.filter(id=membership.pk).order_by("history_date")
    html = client.get(people_page(plan)).content.decode()

    assert [(r.history_type, r.history_user) for r in records] == [("+", acting), ("-", acting)]
    subject = "Pat Quinn: Programme office of the programme</strong>"
    assert f'{subject}: Role given <span class="app-muted">by {acting.person.name},' in html
    assert f'{subject}: Removed <span class="app-muted">by {acting.person.name},' in html


def test_a_persons_changes_are_recorded_with_who_made_them(client, plan, people, pat):
    Membership.objects.create(person=pat, role=Role.BOARD_MEMBER, programme=plan["programme"])
    client.force_login(people["office"])

    client.post(
        reverse("programme_person_edit", args=[plan["programme"].pk, pat.pk]),
        _person_form(pat, email="pat@harrow.example.org"),
    )

    record = pat.history.order_by("-history_date").first()
    assert (record.email, record.history_user) == ("pat@harrow.example.org", people["office"])
    html = client.get(people_page(plan)).content.decode()
    assert "Email changed from Pat.Quinn@harrow.example.org to pat@harrow.example.org" in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "Enter the person&#x27;s full name"),
        ({"email": "pat at harrow"}, "Enter an email address like name@example.org"),
        ({"job_title": "x" * 201}, "at most 200 characters"),
        ({"employer": "x" * 201}, "at most 200 characters"),
        ({"version": ""}, "Please reload the page"),
    ],
)
def test_bad_changes_to_a_person_are_refused_by_the_field(
    client, plan, people, pat, overrides, message
):
    client.force_login(people["office"])

    response = client.post(
        reverse("programme_person_edit", args=[plan["programme"].pk, pat.pk]),
        _person_form(pat, **{"job_title": "Changed", **overrides}),
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    pat.refresh_from_db()
    assert pat.job_title == "Commissioning Manager"


def test_renaming_a_person_to_the_name_of_another_is_refused(client, plan, people, pat):
    client.force_login(people["office"])

    response = client.post(
        reverse("programme_person_edit", args=[plan["programme"].pk, pat.pk]),
        _person_form(pat, name=people["lead"].person.name.upper()),
    )

    assert response.status_code == 400
    assert "already has a person called" in response.content.decode()
    pat.refresh_from_db()
    assert pat.name == "Pat Quinn"


def test_a_person_changed_by_someone_else_meanwhile_is_a_conflict(client, plan, people, pat):
    client.force_login(people["office"])
    opened_at = pat.version
    pat.job_title = "Director"
    pat.save()

    response = client.post(
        reverse("programme_person_edit", args=[plan["programme"].pk, pat.pk]),
        _person_form(pat, job_title="Head of Commissioning", version=str(opened_at)),
    )

    assert response.status_code == 409
    assert "Someone else changed this person" in response.content.decode()
    pat.refresh_from_db()
    assert pat.job_title == "Director"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"role": "portfolio_office"}, "Select a valid choice"),
        ({"role": "overlord"}, "Select a valid choice"),
        ({"role": Role.SPONSOR, "area": "999999"}, "Choose an area of this programme"),
        ({"role": Role.WORKSTREAM_LEAD, "workstream": "x"}, "Choose a workstream of this"),
        ({"role": Role.BOARD_MEMBER, "person": "999999"}, "Choose a person of the programme"),
    ],
)
def test_forged_choices_on_the_role_form_are_refused_by_their_field(
    client, plan, people, pat, data, message
):
    client.force_login(people["office"])

    response = give(client, plan, **{"person": pat.pk, **data})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Membership.objects.filter(person=pat).exists()
    assert Membership.objects.count() == 6  # the plan's own, untouched
