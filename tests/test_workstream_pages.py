"""The project manager and the programme office keep the workstreams in the browser (issue 11,
"Workstreams"): add one with a lead chosen from the organisation's people, change it (its
outcomes, outcome categories, the objective it serves, funding and dependencies, shown both
ways on the workstream's page), move it to another area, close it once its milestones are
done. Bad input is refused by the field, in the GOV.UK error summary, and nothing is
half-saved."""

import re
from html import unescape

import pytest
from django.urls import reverse

from programmes.choices import ObjectiveLevel, Role
from programmes.models import Membership, Objective, OutcomeCategory
from tests.clock import TODAY
from tests.factories import (
    AreaFactory,
    MilestoneFactory,
    OrganisationFactory,
    PersonFactory,
    RiskFactory,
    WorkstreamFactory,
)
from tests.html_forms import form_with
from workstreams.models import MilestoneStatus, Workstream

# ----- Helpers -----


def error_summary(page: str) -> str:
    """The text of the GOV.UK error summary (empty when there is none)."""
    start = page.find('class="govuk-error-summary"')
    if start == -1:
        return ""
    return unescape(page[start : page.find("</ul>", start)])


def workstream_form(**overrides) -> dict:
    data = {
        "reference": "1.3",
        "name": "Carers' breaks",
        "lead": "",
        "outcomes": "",
        "objective": "",
        "funding_notes": "",
    }
    data.update(overrides)
    return data


def add(client, area, **overrides):
    return client.post(reverse("workstream_add", args=[area.pk]), workstream_form(**overrides))


def edit_url(workstream) -> str:
    return reverse("workstream_edit", args=[workstream.pk])


def edit_data(client, workstream, **changes) -> dict:
    """The workstream's edit form as its page shows it, with these changes."""
    data = form_with(client.get(edit_url(workstream)).content.decode(), "reference").data()
    # A browser sends every ticked checkbox of a list; the parser keeps the last one only.
    data.pop("outcome_categories", None)
    data.pop("depends_on", None)
    data["outcome_categories"] = [c.pk for c in workstream.outcome_categories.all()]
    data["depends_on"] = [w.pk for w in workstream.depends_on.all()]
    data.update(changes)
    return data


def edit(client, workstream, **changes):
    return client.post(edit_url(workstream), edit_data(client, workstream, **changes))


def detail(client, workstream) -> str:
    return unescape(client.get(reverse("workstream_detail", args=[workstream.pk])).content.decode())


def summary_row(page: str, key: str) -> str:
    """The text of a row of the workstream's summary list."""
    found = re.search(
        r'<dt class="govuk-summary-list__key">' + re.escape(key) + r"</dt>\s*"
        r'<dd class="govuk-summary-list__value">(.*?)</dd>',
        page,
        re.S,
    )
    assert found, f"no row {key!r}"
    return re.sub(r"<[^>]+>", " ", found[1])


@pytest.fixture
def pat(plan):
    return PersonFactory(
        organisation=plan["programme"].organisation, name="Pat Quinn", job_title="Carers Lead"
    )


# ----- Adding a workstream -----


def test_the_project_manager_adds_a_workstream_with_a_lead(client, people, plan, pat):
    categories = list(OutcomeCategory.objects.order_by("position")[:2])
    client.force_login(people["manager"])

    response = add(
        client,
        plan["area_one"],
        lead=pat.pk,
        outcomes="Carers have a break when they need one",
        outcome_categories=[c.pk for c in categories],
        funding_notes="Carers grant 2026/27",
    )

    workstream = Workstream.objects.get(programme=plan["programme"], reference="1.3")
    assert response.status_code == 302
    assert response["Location"] == reverse("workstream_detail", args=[workstream.pk])
    assert (workstream.area, workstream.lead) == (plan["area_one"], pat)
    assert set(workstream.outcome_categories.all()) == set(categories)
    assert workstream.history.latest().history_user == people["manager"]
    # The lead holds the lead's role in it at once
    assert Membership.objects.filter(
        person=pat, role=Role.WORKSTREAM_LEAD, workstream=workstream
    ).exists()
    page = detail(client, workstream)
    assert "Workstream 1.3 added" in page
    assert "Pat Quinn" in summary_row(page, "Lead")
    for category in categories:
        assert category.name in summary_row(page, "Outcomes for service users")
    assert "Carers grant 2026/27" in page
    area_page = client.get(reverse("area_detail", args=[plan["area_one"].pk])).content.decode()
    assert "1.3" in area_page and "Carers&#x27; breaks" in area_page


def test_workstreams_are_listed_in_natural_order_1_2_before_1_10(client, people, plan):
    client.force_login(people["office"])
    for reference in ("1.10", "1.3"):
        assert (
            add(client, plan["area_one"], reference=reference, name=f"WS {reference}").status_code
            == 302
        )

    page = client.get(reverse("area_detail", args=[plan["area_one"].pk])).content.decode()

    positions = [page.index(f"WS {reference}") for reference in ("1.3", "1.10")]
    assert page.index("Involving users") < positions[0] < positions[1]


def test_a_workstream_reference_is_unique_within_the_programme(client, people, plan):
    client.force_login(people["office"])

    response = add(client, plan["area_one"], reference="2.1")

    assert response.status_code == 400
    assert "This programme already has a workstream 2.1: choose another reference" in (
        error_summary(response.content.decode())
    )
    assert not Workstream.objects.filter(name="Carers' breaks").exists()


def test_the_lead_is_chosen_from_the_organisations_people(client, people, plan):
    stranger = PersonFactory(organisation=OrganisationFactory(), name="Elsewhere")
    client.force_login(people["office"])

    response = add(client, plan["area_one"], lead=stranger.pk)

    assert response.status_code == 400
    assert "Choose one of the organisation's people" in error_summary(response.content.decode())
    assert not Workstream.objects.filter(reference="1.3").exists()


def test_no_workstream_is_added_to_a_closed_area(client, people, plan):
    closed = AreaFactory(programme=plan["programme"], reference="3", closed_on=TODAY)
    client.force_login(people["office"])

    response = add(client, closed, reference="3.1")

    assert response.status_code == 400
    assert "Area 3 closed on 18 November 2026" in error_summary(response.content.decode())
    assert not Workstream.objects.filter(reference="3.1").exists()


# ----- The project manager's reach -----


def test_a_project_manager_cannot_add_a_workstream_to_another_area(client, people, plan):
    client.force_login(people["manager"])  # project manager of area 1

    response = add(client, plan["area_two"], reference="2.3")

    assert response.status_code == 403
    assert not Workstream.objects.filter(reference="2.3").exists()


def test_a_project_manager_cannot_move_a_workstream_into_another_area(client, people, plan):
    workstream = plan["ws_1_1"]
    client.force_login(people["manager"])
    form = form_with(client.get(edit_url(workstream)).content.decode(), "reference")
    assert [value for value, _ in form.selects["area"].options] == [str(plan["area_one"].pk)]

    response = edit(client, workstream, area=plan["area_two"].pk, name="Moved away")

    assert response.status_code == 400
    assert (
        "Choose one of the areas listed: an open area of the programme whose plan you may change"
    ) in error_summary(response.content.decode())
    workstream.refresh_from_db()
    assert (workstream.area, workstream.name) == (plan["area_one"], "Day Opportunities")


def test_a_project_manager_moves_a_workstream_between_areas_they_manage(client, people, plan):
    from programmes.models import ProgrammeArea
    from tests.factories import grant

    third = ProgrammeArea.objects.create(programme=plan["programme"], reference="3", name="Prev")
    grant(people["manager"], Role.PROJECT_MANAGER, area=third)
    workstream = plan["ws_1_2"]
    client.force_login(people["manager"])

    response = edit(client, workstream, area=third.pk)

    assert response.status_code == 302
    workstream.refresh_from_db()
    assert workstream.area == third


# ----- Changing and moving -----


def test_the_office_changes_a_workstream(client, people, plan):
    organisation = plan["programme"].organisation
    corporate = Objective.objects.create(
        organisation=organisation, reference="CP-01", level=ObjectiveLevel.CORPORATE,
        title="Independence for older people",
    )  # fmt: skip
    service = Objective.objects.create(
        organisation=organisation, reference="SCAR001", level=ObjectiveLevel.SERVICE,
        title="More day services in the community", parent=Objective.objects.create(
            organisation=organisation, reference="DADU001", level=ObjectiveLevel.DIRECTORATE,
            title="Personalised care", parent=corporate,
        ),
    )  # fmt: skip
    workstream = plan["ws_1_1"]
    client.force_login(people["office"])

    response = edit(
        client,
        workstream,
        name="Day Opportunities for all",
        objective=service.pk,
        outcomes="People choose their day services",
        funding_notes="Base budget",
    )

    assert response.status_code == 302
    page = detail(client, workstream)
    assert "Workstream 1.1 changed" in page
    assert "Day Opportunities for all" in page
    thread = summary_row(page, "Serves objective")
    assert thread.index("CP-01") < thread.index("DADU001") < thread.index("SCAR001")
    assert "People choose their day services" in page and "Base budget" in page
    assert workstream.history.latest().history_user == people["office"]


def test_the_office_moves_a_workstream_to_another_area(client, people, plan):
    workstream = plan["ws_1_2"]
    milestone = MilestoneFactory(workstream=workstream, reference="1.2.1")
    client.force_login(people["office"])

    response = edit(client, workstream, area=plan["area_two"].pk)

    assert response.status_code == 302
    workstream.refresh_from_db()
    assert workstream.area == plan["area_two"]
    milestone.refresh_from_db()
    assert milestone.workstream == workstream
    area_two = client.get(reverse("area_detail", args=[plan["area_two"].pk])).content.decode()
    area_one = client.get(reverse("area_detail", args=[plan["area_one"].pk])).content.decode()
    assert "Involving users" in area_two and "Involving users" not in area_one
    assert "2 Accommodation" in summary_row(detail(client, workstream), "Programme area")


def test_the_risks_of_a_moved_workstream_move_with_it(client, people, plan):
    workstream = plan["ws_1_2"]
    risk = RiskFactory(programme=plan["programme"], area=plan["area_one"], workstream=workstream)
    other = RiskFactory(programme=plan["programme"], area=plan["area_one"])
    client.force_login(people["office"])

    response = edit(client, workstream, area=plan["area_two"].pk)

    assert response.status_code == 302
    risk.refresh_from_db()
    other.refresh_from_db()
    assert (risk.area, other.area) == (plan["area_two"], plan["area_one"])
    assert risk.history.latest().history_user == people["office"]


def test_a_move_keeps_the_reference_unique_and_refuses_a_clash(client, people, plan):
    workstream = plan["ws_1_2"]
    client.force_login(people["office"])

    response = edit(client, workstream, area=plan["area_two"].pk, reference="2.1")

    assert response.status_code == 400
    assert "This programme already has a workstream 2.1" in error_summary(response.content.decode())
    workstream.refresh_from_db()
    assert (workstream.area, workstream.reference) == (plan["area_one"], "1.2")


def test_a_workstream_is_not_moved_into_a_closed_area(client, people, plan):
    closed = AreaFactory(programme=plan["programme"], reference="3", closed_on=TODAY)
    workstream = plan["ws_1_2"]
    client.force_login(people["office"])

    response = edit(client, workstream, area=closed.pk)

    assert response.status_code == 400
    assert "Choose one of the areas listed: an open area" in error_summary(
        response.content.decode()
    )
    workstream.refresh_from_db()
    assert workstream.area == plan["area_one"]


def test_a_new_lead_takes_over_the_open_milestones_once_confirmed(client, people, plan, pat):
    workstream = plan["ws_1_1"]
    old_lead = people["lead"].person
    workstream.lead = old_lead
    workstream.save()
    open_one = MilestoneFactory(workstream=workstream, reference="1.1.1", owner=old_lead)
    done = MilestoneFactory(
        workstream=workstream, reference="1.1.2", owner=old_lead,
        status=MilestoneStatus.COMPLETE, actual_date=TODAY,
    )  # fmt: skip
    client.force_login(people["office"])

    asked = edit(client, workstream, lead=pat.pk)

    assert asked.status_code == 400
    page = asked.content.decode()
    assert f"{old_lead.name} owns 1 open milestone of this workstream (1.1.1)" in error_summary(
        page
    )
    assert "Yes, make Pat Quinn the lead, with those milestones" in unescape(page)
    workstream.refresh_from_db()
    assert workstream.lead == old_lead

    confirmed = edit(client, workstream, lead=pat.pk, confirm_lead_change="on")

    assert confirmed.status_code == 302
    workstream.refresh_from_db()
    open_one.refresh_from_db()
    done.refresh_from_db()
    assert (workstream.lead, open_one.owner, done.owner) == (pat, pat, old_lead)


# ----- Dependencies -----


def test_dependencies_show_both_ways_on_the_workstream_pages(client, people, plan):
    client.force_login(people["office"])

    response = edit(client, plan["ws_1_1"], depends_on=[plan["ws_2_1"].pk, plan["ws_1_2"].pk])

    assert response.status_code == 302
    depends_on = summary_row(detail(client, plan["ws_1_1"]), "Depends on")
    assert "1.2 Involving users" in depends_on and "2.1 Extra Care Housing" in depends_on
    assert "Day Opportunities" not in depends_on
    for other in (plan["ws_2_1"], plan["ws_1_2"]):
        page = detail(client, other)
        assert "1.1 Day Opportunities" in summary_row(page, "Needed by")
        assert "Nothing recorded" in summary_row(page, "Depends on")
    assert "Nothing recorded" in summary_row(detail(client, plan["ws_1_1"]), "Needed by")


def test_each_change_is_one_entry_in_the_history_with_who_made_it(client, people, plan):
    workstream = plan["ws_1_1"]
    category = OutcomeCategory.objects.order_by("position").first()
    client.force_login(people["office"])

    edit(client, workstream, depends_on=[plan["ws_2_1"].pk], outcome_categories=[category.pk])
    edit(client, workstream, depends_on=[], area=plan["area_two"].pk)

    history = re.findall(r'app-history__change">(.*?)</li>', detail(client, workstream), re.S)
    office = people["office"].person.name
    assert len(history) == 3  # added, then the two changes
    assert "Area changed from 1 Community Services to 2 Accommodation" in history[0]
    assert "Depends on: removed 2.1 Extra Care Housing" in history[0]
    assert f"Outcome categories: added {category.name}" in history[1]
    assert "Depends on: added 2.1 Extra Care Housing" in history[1]
    assert f"by {office}," in history[0] and f"by {office}," in history[1]


def test_a_workstream_cannot_depend_on_itself(client, people, plan):
    workstream = plan["ws_1_1"]
    client.force_login(people["office"])
    form = form_with(client.get(edit_url(workstream)).content.decode(), "reference")
    offered = {value for name, kind, value, _ in form.inputs if name == "depends_on"}
    assert str(workstream.pk) not in offered  # not offered

    response = edit(client, workstream, depends_on=[workstream.pk], name="Renamed")  # forged

    assert response.status_code == 400
    assert "a workstream cannot depend on itself" in error_summary(response.content.decode())
    workstream.refresh_from_db()
    assert workstream.name == "Day Opportunities"
    assert not workstream.depends_on.exists()


def test_a_loop_of_dependencies_is_refused_and_nothing_is_saved(client, people, plan):
    plan["ws_2_1"].depends_on.set([plan["ws_1_2"]])
    plan["ws_1_2"].depends_on.set([plan["ws_1_1"]])
    workstream = plan["ws_1_1"]
    client.force_login(people["office"])

    response = edit(client, workstream, depends_on=[plan["ws_2_1"].pk], name="Renamed")

    assert response.status_code == 400
    assert (
        "That would make a loop: 1.1, which depends on 2.1, which depends on 1.2, which "
        "depends on 1.1. A workstream cannot depend on one that needs it."
    ) in error_summary(response.content.decode())
    workstream.refresh_from_db()
    assert workstream.name == "Day Opportunities"
    assert not workstream.depends_on.exists()


def test_a_dependency_on_another_programmes_workstream_is_refused(client, people, plan):
    elsewhere = WorkstreamFactory(reference="X1")
    client.force_login(people["office"])

    response = edit(client, plan["ws_1_1"], depends_on=[elsewhere.pk])

    assert response.status_code == 400
    assert "Choose from the programme's other workstreams" in error_summary(
        response.content.decode()
    )
    assert not plan["ws_1_1"].depends_on.exists()


# ----- Closing -----


def close(client, workstream, version=None):
    return client.post(
        reverse("workstream_close", args=[workstream.pk]),
        {"version": str(workstream.version if version is None else version)},
    )


def test_a_workstream_with_open_milestones_cannot_close_and_says_why(client, people, plan):
    workstream = plan["ws_1_1"]
    MilestoneFactory(workstream=workstream, reference="1.1.1", title="Consult users")
    MilestoneFactory(
        workstream=workstream, reference="1.1.2", title="Done already",
        status=MilestoneStatus.COMPLETE, actual_date=TODAY,
    )  # fmt: skip
    client.force_login(people["manager"])

    shown = client.get(reverse("workstream_close", args=[workstream.pk])).content.decode()
    response = close(client, workstream)

    assert "cannot close while it has open milestones" in shown
    assert "1.1.1 Consult users" in shown and "Done already" not in shown
    assert ">Close workstream</button>" not in shown
    assert response.status_code == 400
    assert (
        "Workstream 1.1 still has open milestones: 1.1.1 Consult users. "
        "Complete or remove them first."
    ) in error_summary(response.content.decode())
    workstream.refresh_from_db()
    assert workstream.closed_on is None


def test_a_workstream_closes_once_its_milestones_are_complete(client, people, plan):
    workstream = plan["ws_1_1"]
    MilestoneFactory(workstream=workstream, status=MilestoneStatus.COMPLETE, actual_date=TODAY)
    client.force_login(people["manager"])

    response = close(client, workstream)

    assert response.status_code == 302
    workstream.refresh_from_db()
    assert workstream.closed_on == TODAY
    assert workstream.history.latest().history_user == people["manager"]
    assert "Workstream 1.1 closed" in detail(client, workstream)


def test_a_closed_workstream_cannot_be_changed(client, people, plan):
    workstream = plan["ws_1_1"]
    client.force_login(people["office"])
    data = edit_data(client, workstream, name="Renamed")
    assert close(client, workstream).status_code == 302

    response = client.post(edit_url(workstream), data)

    assert response.status_code == 400
    assert "it only shows, and cannot be changed" in error_summary(response.content.decode())
    workstream.refresh_from_db()
    assert workstream.name == "Day Opportunities"


def test_closing_with_a_nonsense_version_asks_to_reload(client, people, plan):
    workstream = plan["ws_1_1"]
    client.force_login(people["office"])

    response = close(client, workstream, version="v2")

    assert response.status_code == 400
    assert "Please reload the page" in error_summary(response.content.decode())
    workstream.refresh_from_db()
    assert workstream.closed_on is None


# ----- Bad input -----


def test_a_workstream_needs_a_reference_and_a_name(client, people, plan):
    client.force_login(people["office"])

    response = add(client, plan["area_one"], reference=" ", name="")

    assert response.status_code == 400
    summary = error_summary(response.content.decode())
    assert "Enter the workstream's reference" in summary
    assert "Enter the workstream's name" in summary
    assert Workstream.objects.filter(programme=plan["programme"]).count() == 4


def test_too_long_text_is_refused_by_its_field(client, people, plan):
    client.force_login(people["office"])

    response = edit(
        client, plan["ws_1_1"], reference="R" * 51, name="N" * 301, funding_notes="F" * 4001
    )

    assert response.status_code == 400
    page = response.content.decode()
    for field in ("reference", "name", "funding_notes"):
        assert f'id="id_{field}-error"' in page
    summary = error_summary(page)
    assert "50 characters" in summary and "300 characters" in summary
    plan["ws_1_1"].refresh_from_db()
    assert plan["ws_1_1"].name == "Day Opportunities"


@pytest.mark.parametrize("version", ["", "abc", "0", "1.5"])
def test_a_nonsense_version_is_refused_asking_to_reload(client, people, plan, version):
    workstream = plan["ws_1_1"]
    client.force_login(people["office"])

    response = edit(client, workstream, version=version, name="Renamed")

    assert response.status_code == 400
    assert "Please reload the page" in error_summary(response.content.decode())
    workstream.refresh_from_db()
    assert workstream.name == "Day Opportunities"


def test_an_objective_of_another_organisation_is_refused(client, people, plan):
    foreign = Objective.objects.create(
        organisation=OrganisationFactory(), reference="CP-99", level=ObjectiveLevel.CORPORATE,
        title="Not ours",
    )  # fmt: skip
    client.force_login(people["office"])

    response = edit(client, plan["ws_1_1"], objective=foreign.pk)

    assert response.status_code == 400
    assert "Choose one of the organisation's objectives" in error_summary(response.content.decode())
    plan["ws_1_1"].refresh_from_db()
    assert plan["ws_1_1"].objective is None


@pytest.mark.parametrize("category", ["999999", "abc"])
def test_an_unknown_outcome_category_is_refused(client, people, plan, category):
    client.force_login(people["office"])

    response = edit(client, plan["ws_1_1"], outcome_categories=[category], name="Renamed")

    assert response.status_code == 400
    assert "Choose from the outcome categories listed" in error_summary(response.content.decode())
    plan["ws_1_1"].refresh_from_db()
    assert plan["ws_1_1"].name == "Day Opportunities"


def test_the_workstreams_to_depend_on_are_listed_under_their_areas(client, people, plan):
    client.force_login(people["office"])
    area_one, area_two = plan["area_one"], plan["area_two"]

    html = client.get(reverse("workstream_edit", args=[plan["ws_1_1"].pk])).content.decode()

    start = html.index("Depends on")
    headings = [
        html.index(f"Area {area.reference} {area.name}", start) for area in (area_one, area_two)
    ]
    choices = {ws: html.index(f'value="{plan[ws].pk}"', start) for ws in ("ws_1_2", "ws_2_1")}
    assert headings[0] < choices["ws_1_2"] < headings[1] < choices["ws_2_1"]
    assert f'value="{plan["ws_1_1"].pk}"' not in html[start:]  # not itself
