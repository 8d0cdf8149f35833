"""The programme office keeps a programme's areas in the browser (issue 11, "Programme areas"):
adds one (its reference unique within the programme, the areas sorted naturally), changes it,
keeps its key documents (title and link, add another), reorders the areas and closes one once
its workstreams are closed. Every change is in the history with who made it; bad input is
refused by the field, in the GOV.UK error summary, and nothing is half-saved."""

import re
from html import unescape

import pytest
from django.urls import reverse

from programmes.models import KeyDocument, ProgrammeArea
from programmes.services import replace_key_documents
from tests.clock import TODAY
from tests.factories import MilestoneFactory, OrganisationFactory, PersonFactory
from tests.html_forms import form_with

# ----- Helpers -----


def error_summary(page: str) -> str:
    """The text of the GOV.UK error summary (empty when there is none)."""
    start = page.find('class="govuk-error-summary"')
    if start == -1:
        return ""
    return unescape(page[start : page.find("</ul>", start)])


def field_errors(page: str) -> list[str]:
    """The messages shown by the fields (GOV.UK error messages)."""
    return [
        unescape(message).strip()
        for message in re.findall(
            r'class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span>'
            r"(.*?)</p>",
            page,
            re.S,
        )
    ]


def area_form(**overrides) -> dict[str, str]:
    data = {
        "reference": "3",
        "name": "Carers",
        "aim": "Carers have a break when they need one",
        "sponsor": "",
        "project_manager": "",
        "interdependencies": "",
        "time_tolerance_days": "",
        "cost_tolerance_percent": "",
        "benefit_tolerance_percent": "",
        "risk_tolerance_score": "",
    }
    data.update({key: str(value) for key, value in overrides.items()})
    return data


def add_area(client, plan, **overrides):
    return client.post(
        reverse("programme_area_add", args=[plan["programme"].pk]), area_form(**overrides)
    )


def edit_data(client, area, **changes) -> dict[str, str]:
    """The area's edit form as its page shows it, with these changes."""
    url = reverse("area_edit", args=[area.pk])
    data = form_with(client.get(url).content.decode(), "reference").data()
    data.update({key: str(value) for key, value in changes.items()})
    return data


def area_references_on(html: str) -> list[str]:
    """The area references in the order the area list shows them."""
    return re.findall(
        r'app-table__reference">([^<]+)</td>\s*<td class="govuk-table__cell"><a class="govuk-link" '
        r'href="/areas/',
        html,
    )


def area_list(client, plan) -> str:
    return client.get(reverse("area_list", args=[plan["programme"].pk])).content.decode()


# ----- Adding an area -----


def test_the_office_adds_an_area_with_its_sponsor_and_project_manager(client, people, plan):
    organisation = plan["programme"].organisation
    sponsor = PersonFactory(organisation=organisation, name="Bernie Flaherty")
    manager = PersonFactory(organisation=organisation, name="Doris Sheridan")
    client.force_login(people["office"])

    response = add_area(
        client, plan, sponsor=sponsor.pk, project_manager=manager.pk, time_tolerance_days=10
    )

    area = ProgrammeArea.objects.get(programme=plan["programme"], reference="3")
    assert response.status_code == 302
    assert response["Location"] == reverse("area_detail", args=[area.pk])
    assert (area.name, area.sponsor, area.project_manager) == ("Carers", sponsor, manager)
    assert area.time_tolerance_days == 10
    assert area.cost_tolerance_percent is None  # follows the programme's
    page = client.get(response["Location"]).content.decode()
    assert "Area 3 added" in page
    assert "Bernie Flaherty" in page and "Doris Sheridan" in page


def test_a_new_area_takes_its_natural_place_2_before_10(client, people, plan):
    client.force_login(people["office"])

    add_area(client, plan, reference="10", name="Prevention")
    add_area(client, plan, reference="3", name="Carers")

    assert area_references_on(area_list(client, plan)) == ["1", "2", "3", "10"]


def test_an_area_reference_is_unique_within_the_programme(client, people, plan):
    client.force_login(people["office"])

    response = add_area(client, plan, reference="2", name="Another")

    assert response.status_code == 400
    page = response.content.decode()
    message = "This programme already has an area 2: choose another reference"
    assert message in error_summary(page)
    assert message in field_errors(page)
    assert not ProgrammeArea.objects.filter(name="Another").exists()


def test_another_programme_may_use_the_same_area_reference(client, people, plan):
    from tests.factories import AreaFactory

    AreaFactory(reference="3")  # in another programme
    client.force_login(people["office"])

    response = add_area(client, plan, reference="3")

    assert response.status_code == 302
    assert ProgrammeArea.objects.filter(programme=plan["programme"], reference="3").exists()


# ----- Changing an area -----


def test_the_office_changes_an_area_and_the_history_names_them(client, people, plan):
    area = plan["area_one"]
    client.force_login(people["office"])

    response = client.post(
        reverse("area_edit", args=[area.pk]),
        edit_data(client, area, name="Community Support", aim="Day services for all"),
    )

    assert response.status_code == 302
    area.refresh_from_db()
    assert (area.name, area.aim) == ("Community Support", "Day services for all")
    assert area.history.latest().history_user == people["office"]
    page = client.get(reverse("area_detail", args=[area.pk])).content.decode()
    office = people["office"].person.name
    assert re.search(r"Aim set to Day services for all <span[^>]*>by " + re.escape(office), page)


def test_a_new_project_manager_takes_the_area_from_the_one_before_at_once(client, people, plan):
    from tests.factories import UserFactory

    area = plan["area_one"]
    organisation = plan["programme"].organisation
    before, newcomer = UserFactory(username="before"), UserFactory(username="newcomer")
    before_person = PersonFactory(organisation=organisation, user=before)
    newcomer_person = PersonFactory(organisation=organisation, user=newcomer)
    add_url = reverse("workstream_add", args=[area.pk])
    client.force_login(people["office"])
    data = edit_data(client, area, project_manager=before_person.pk)
    assert client.post(reverse("area_edit", args=[area.pk]), data).status_code == 302
    client.force_login(before)
    assert client.get(add_url).status_code == 200
    client.force_login(people["office"])
    data = edit_data(client, area, project_manager=newcomer_person.pk)

    response = client.post(reverse("area_edit", args=[area.pk]), data)

    assert response.status_code == 302
    client.force_login(newcomer)
    assert client.get(add_url).status_code == 200
    client.force_login(before)  # no other role: the programme is no longer theirs to see
    assert client.get(add_url).status_code == 404


def test_an_area_cannot_take_the_reference_of_another(client, people, plan):
    area = plan["area_one"]
    client.force_login(people["office"])

    response = client.post(
        reverse("area_edit", args=[area.pk]), edit_data(client, area, reference="2", name="X")
    )

    assert response.status_code == 400
    assert "This programme already has an area 2" in error_summary(response.content.decode())
    area.refresh_from_db()
    assert (area.reference, area.name) == ("1", "Community Services")


def test_the_sponsor_must_be_one_of_the_organisations_people(client, people, plan):
    stranger = PersonFactory(organisation=OrganisationFactory(), name="Elsewhere Person")
    client.force_login(people["office"])

    response = add_area(client, plan, sponsor=stranger.pk)

    assert response.status_code == 400
    assert "Choose one of the organisation's people" in error_summary(response.content.decode())
    assert not ProgrammeArea.objects.filter(programme=plan["programme"], reference="3").exists()


# ----- Bad input -----


def test_an_area_needs_a_reference_and_a_name(client, people, plan):
    client.force_login(people["office"])

    response = add_area(client, plan, reference="  ", name="")

    assert response.status_code == 400
    summary = error_summary(response.content.decode())
    assert "Enter the area's reference" in summary
    assert "Enter the area's name" in summary
    assert ProgrammeArea.objects.filter(programme=plan["programme"]).count() == 2


def test_too_long_text_is_refused_by_its_field(client, people, plan):
    client.force_login(people["office"])

    response = add_area(client, plan, name="N" * 201, reference="R" * 51, aim="A" * 4001)

    assert response.status_code == 400
    page = response.content.decode()
    assert len(field_errors(page)) == 3
    assert "200 characters" in error_summary(page) and "50 characters" in error_summary(page)
    assert ProgrammeArea.objects.filter(programme=plan["programme"]).count() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("time_tolerance_days", "ten"),
        ("time_tolerance_days", "-1"),
        ("time_tolerance_days", "366"),
        ("time_tolerance_days", "2.5"),
        ("cost_tolerance_percent", "5%"),
        ("cost_tolerance_percent", "101"),
        ("cost_tolerance_percent", "-0.5"),
        ("benefit_tolerance_percent", "1.234"),
        ("benefit_tolerance_percent", "NaN"),
        ("risk_tolerance_score", "0"),
        ("risk_tolerance_score", "26"),
        ("risk_tolerance_score", "1e3"),
    ],
)
def test_a_bad_tolerance_is_refused_and_nothing_is_saved(client, people, plan, field, value):
    area = plan["area_one"]
    client.force_login(people["office"])

    response = client.post(
        reverse("area_edit", args=[area.pk]),
        edit_data(client, area, name="Changed name", **{field: value}),
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert error_summary(page)
    assert f'id="id_{field}-error"' in page
    area.refresh_from_db()
    assert area.name == "Community Services"
    assert getattr(area, field) is None


@pytest.mark.parametrize("version", ["", "abc", "0", "-3", "1.5"])
def test_a_nonsense_version_is_refused_asking_to_reload(client, people, plan, version):
    area = plan["area_one"]
    client.force_login(people["office"])

    response = client.post(
        reverse("area_edit", args=[area.pk]),
        edit_data(client, area, name="Changed name", version=version),
    )

    assert response.status_code == 400
    assert "Please reload the page" in error_summary(response.content.decode())
    area.refresh_from_db()
    assert area.name == "Community Services"


def test_a_stale_version_is_a_conflict_not_an_overwrite(client, people, plan):
    area = plan["area_one"]
    client.force_login(people["office"])
    stale = edit_data(client, area, name="Mine")
    area.aim = "Someone else's aim"
    area.save()

    response = client.post(reverse("area_edit", args=[area.pk]), stale)

    assert response.status_code == 400
    assert "Someone else changed this area" in error_summary(response.content.decode())
    area.refresh_from_db()
    assert (area.name, area.aim) == ("Community Services", "Someone else's aim")


# ----- Key documents -----


def documents_url(area) -> str:
    return reverse("area_documents", args=[area.pk])


def documents_form(area, rows, **extra) -> dict[str, str]:
    data = {"version": str(area.version), **extra}
    for index, (title, url) in enumerate(rows):
        data[f"document-{index}-title"] = title
        data[f"document-{index}-url"] = url
    return data


def stored_documents(area) -> list[tuple[str, str]]:
    return [(d.title, d.url) for d in KeyDocument.objects.filter(area=area).order_by("position")]


def test_the_office_adds_another_document_row_and_saves_them_all(client, people, plan):
    area = plan["area_one"]
    replace_key_documents(area, [("Carers Strategy 2008", "")])
    area.refresh_from_db()
    client.force_login(people["office"])
    page = client.get(documents_url(area)).content.decode()
    form = form_with(page, "document-0-title")
    data = form.data()
    assert data["document-0-title"] == "Carers Strategy 2008"
    assert data["document-1-title"] == ""  # a blank row for one more

    # "Add another document" keeps what was typed and adds a row
    data["document-1-title"] = "Valuing People"
    data["document-1-url"] = "https://www.gov.uk/valuing-people"
    again = client.post(documents_url(area), {**data, "add_another": "1"})
    assert again.status_code == 200
    data = form_with(again.content.decode(), "document-2-title").data()
    assert data["document-1-title"] == "Valuing People"
    data["document-2-title"] = "Our Health, Our Care, Our Say"
    data["document-2-url"] = "http://www.example.gov.uk/white-paper"
    assert stored_documents(area) == [("Carers Strategy 2008", "")]  # nothing saved yet

    saved = client.post(documents_url(area), data)

    assert saved.status_code == 302
    assert stored_documents(area) == [
        ("Carers Strategy 2008", ""),
        ("Valuing People", "https://www.gov.uk/valuing-people"),
        ("Our Health, Our Care, Our Say", "http://www.example.gov.uk/white-paper"),
    ]
    assert (
        KeyDocument.history.filter(title="Valuing People").latest().history_user
        == (people["office"])
    )
    shown = client.get(reverse("area_detail", args=[area.pk])).content.decode()
    assert 'href="https://www.gov.uk/valuing-people"' in shown


def test_removing_a_row_and_saving_removes_the_document(client, people, plan):
    area = plan["area_one"]
    replace_key_documents(area, [("Old plan", ""), ("Current plan", "")])
    area.refresh_from_db()
    client.force_login(people["office"])
    data = form_with(client.get(documents_url(area)).content.decode(), "document-0-title").data()

    shown = client.post(documents_url(area), {**data, "remove": "0"})
    data = form_with(shown.content.decode(), "document-0-title").data()
    assert data["document-0-title"] == "Current plan"
    response = client.post(documents_url(area), data)

    assert response.status_code == 302
    assert stored_documents(area) == [("Current plan", "")]
    history = unescape(client.get(reverse("area_detail", args=[area.pk])).content.decode())
    assert "Key document “Old plan”</strong>: Removed" in history
    assert "Key document “Current plan”</strong>: Moved in the area's list" in history


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "ftp://files.example.gov.uk/plan.pdf",
        "not a link",
        "https://" + "a" * 500 + ".gov.uk",
    ],
)
def test_a_link_must_be_a_web_address_and_nothing_is_saved(client, people, plan, link):
    area = plan["area_one"]
    replace_key_documents(area, [("Carers Strategy", "")])
    area.refresh_from_db()
    client.force_login(people["office"])

    response = client.post(
        documents_url(area),
        documents_form(area, [("Carers Strategy", "https://ok.example.org"), ("Plan", link)]),
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert error_summary(page)
    assert 'id="id_document-1-url-error"' in page
    assert stored_documents(area) == [("Carers Strategy", "")]


def test_a_link_typed_without_its_scheme_is_kept_as_https(client, people, plan):
    area = plan["area_one"]
    client.force_login(people["office"])

    response = client.post(
        documents_url(area), documents_form(area, [("Plan", "www.example.gov.uk/plan")])
    )

    assert response.status_code == 302
    assert stored_documents(area) == [("Plan", "https://www.example.gov.uk/plan")]


def test_a_document_needs_a_title_and_is_listed_once(client, people, plan):
    area = plan["area_one"]
    client.force_login(people["office"])

    response = client.post(
        documents_url(area),
        documents_form(
            area,
            [("Plan", ""), ("", "https://example.org/x"), ("Plan", ""), ("T" * 301, "")],
        ),
    )

    assert response.status_code == 400
    summary = error_summary(response.content.decode())
    assert "Enter the document's title, or clear its link" in summary
    assert "Plan is listed twice: list it once" in summary
    assert "300 characters" in summary
    assert stored_documents(area) == []


def test_an_area_keeps_at_most_fifty_key_documents(client, people, plan):
    area = plan["area_one"]
    client.force_login(people["office"])
    rows = [(f"Document {n}", "") for n in range(51)]

    refused = client.post(documents_url(area), documents_form(area, rows))
    saved = client.post(documents_url(area), documents_form(area, rows[:50]))

    assert refused.status_code == 400
    assert "An area can keep up to 50 key documents" in error_summary(refused.content.decode())
    assert saved.status_code == 302
    assert len(stored_documents(area)) == 50


def test_key_documents_with_a_nonsense_version_are_not_saved(client, people, plan):
    area = plan["area_one"]
    client.force_login(people["office"])

    response = client.post(
        documents_url(area), documents_form(area, [("Plan", "")], version="latest")
    )

    assert response.status_code == 400
    assert "Please reload the page" in error_summary(response.content.decode())
    assert stored_documents(area) == []


# ----- Reordering -----


def test_moving_an_area_down_and_up_changes_the_order_everywhere(client, people, plan):
    client.force_login(people["office"])
    area_one = plan["area_one"]
    dashboard_url = reverse("programme_detail", args=[plan["programme"].pk])
    assert area_references_on(area_list(client, plan)) == ["1", "2"]

    response = client.post(reverse("area_move", args=[area_one.pk]), {"direction": "down"})

    assert response.status_code == 302
    assert area_references_on(area_list(client, plan)) == ["2", "1"]
    dashboard = client.get(dashboard_url).content.decode()
    assert dashboard.index('data-area="1"') > dashboard.index('data-area="2"')
    assert area_one.history.latest().history_user == people["office"]
    history = unescape(client.get(reverse("area_detail", args=[area_one.pk])).content.decode())
    assert "Moved in the programme's order of areas" in history
    assert "workstream's order" not in history

    client.post(reverse("area_move", args=[area_one.pk]), {"direction": "up"})

    assert area_references_on(area_list(client, plan)) == ["1", "2"]
    dashboard = client.get(dashboard_url).content.decode()
    assert dashboard.index("1 Community Services") < dashboard.index("2 Accommodation")


def test_moving_the_first_area_up_changes_nothing(client, people, plan):
    client.force_login(people["office"])

    client.post(reverse("area_move", args=[plan["area_one"].pk]), {"direction": "up"})

    assert area_references_on(area_list(client, plan)) == ["1", "2"]


def test_an_added_area_can_be_moved_above_the_others(client, people, plan):
    client.force_login(people["office"])
    add_area(client, plan, reference="3")
    added = ProgrammeArea.objects.get(programme=plan["programme"], reference="3")

    for _ in range(2):
        client.post(reverse("area_move", args=[added.pk]), {"direction": "up"})

    assert area_references_on(area_list(client, plan)) == ["3", "1", "2"]


# ----- Closing -----


def close(client, area, version=None):
    return client.post(
        reverse("area_close", args=[area.pk]),
        {"version": str(area.version if version is None else version)},
    )


def test_an_area_with_open_workstreams_cannot_close_and_says_why(client, people, plan):
    area = plan["area_one"]
    client.force_login(people["office"])

    shown = client.get(reverse("area_close", args=[area.pk])).content.decode()
    response = close(client, area)

    assert "cannot close while it has open workstreams" in shown
    assert "1.1 Day Opportunities" in shown and "1.2 Involving users" in shown
    assert 'value="Close area"' not in shown and ">Close area</button>" not in shown
    assert response.status_code == 400
    summary = error_summary(response.content.decode())
    assert "Area 1 still has open workstreams: 1.1 Day Opportunities; 1.2 Involving users" in (
        summary
    )
    assert "Close them, or move them to another area, first" in summary
    area.refresh_from_db()
    assert area.closed_on is None


def test_an_area_closes_once_its_workstreams_are_closed(client, people, plan):
    area = plan["area_one"]
    client.force_login(people["office"])
    for workstream in (plan["ws_1_1"], plan["ws_1_2"]):
        response = client.post(
            reverse("workstream_close", args=[workstream.pk]), {"version": workstream.version}
        )
        assert response.status_code == 302

    shown = client.get(reverse("area_close", args=[area.pk])).content.decode()
    response = close(client, area)

    assert ">Close area</button>" in shown
    assert response.status_code == 302
    area.refresh_from_db()
    assert area.closed_on == TODAY
    assert area.history.latest().history_user == people["office"]
    page = client.get(reverse("area_detail", args=[area.pk])).content.decode()
    assert "Area 1 closed" in page and "This area closed on 18 November 2026" in page


def test_an_area_closes_once_its_workstreams_moved_away(client, people, plan):
    area = plan["area_one"]
    MilestoneFactory(workstream=plan["ws_1_1"])  # moving keeps the workstream open
    client.force_login(people["office"])
    for workstream in (plan["ws_1_1"], plan["ws_1_2"]):
        url = reverse("workstream_edit", args=[workstream.pk])
        data = form_with(client.get(url).content.decode(), "reference").data()
        data["area"] = str(plan["area_two"].pk)
        assert client.post(url, data).status_code == 302

    assert close(client, area).status_code == 302


def test_a_closed_area_cannot_be_changed(client, people, plan):
    area = plan["area_two"]
    for workstream in (plan["ws_2_1"], plan["ws_2_2"]):
        workstream.closed_on = TODAY
        workstream.save()
    client.force_login(people["office"])
    data = edit_data(client, area, name="Renamed")
    assert close(client, area).status_code == 302

    response = client.post(reverse("area_edit", args=[area.pk]), data)

    assert response.status_code == 400
    assert "closed on 18 November 2026: it only shows, and cannot be changed" in error_summary(
        response.content.decode()
    )
    area.refresh_from_db()
    assert area.name == "Accommodation"


def test_closing_with_a_nonsense_version_asks_to_reload(client, people, plan):
    area = plan["area_two"]
    for workstream in (plan["ws_2_1"], plan["ws_2_2"]):
        workstream.closed_on = TODAY
        workstream.save()
    client.force_login(people["office"])

    response = close(client, area, version="x")

    assert response.status_code == 400
    assert "Please reload the page" in error_summary(response.content.decode())
    area.refresh_from_db()
    assert area.closed_on is None
