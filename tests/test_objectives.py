"""The golden thread in the browser (issue 11, "Objectives"): the organisation's objectives as
a tree, corporate -> directorate -> service, with the programme's workstreams serving each
and a rating rolled up the tree that agrees with the one rating path; the programme office
adds objectives, changes them and re-parents them. An objective cannot sit under one of its
own, nor at the wrong level; bad input is refused by the field, in the GOV.UK error summary,
and nothing is half-saved."""

import re
from datetime import timedelta
from html import unescape
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.choices import ObjectiveLevel
from programmes.models import Objective
from tests.clock import TODAY
from tests.factories import (
    MilestoneFactory,
    OrganisationFactory,
    PeriodFactory,
    StatusUpdateFactory,
)
from tests.html_forms import form_with
from workstreams.assessment import assess_programme

# ----- Helpers -----


def error_summary(page: str) -> str:
    """The text of the GOV.UK error summary (empty when there is none)."""
    start = page.find('class="govuk-error-summary"')
    if start == -1:
        return ""
    return unescape(page[start : page.find("</ul>", start)])


class _Tree(HTMLParser):
    """Which objective each objective is shown under on the page (None: at the top)."""

    def __init__(self):
        super().__init__()
        self.stack: list[str | None] = []
        self.parents: dict[str, str | None] = {}

    def handle_starttag(self, tag, attrs):
        if tag != "li":
            return
        found = re.fullmatch(r"objective-(\d+)", dict(attrs).get("id") or "")
        if found:
            shown_under = next((i for i in reversed(self.stack) if i), None)
            self.parents[found[1]] = shown_under
        self.stack.append(found[1] if found else None)

    def handle_endtag(self, tag):
        if tag == "li":
            self.stack.pop()


def shown_under(page: str) -> dict[int, int | None]:
    parser = _Tree()
    parser.feed(page)
    return {int(child): int(parent) if parent else None for child, parent in parser.parents.items()}


def objective_rating(page: str, objective: Objective) -> str | None:
    """The rating tag by an objective's own line on the tree page (None: no tag)."""
    start = page.index(f'id="objective-{objective.pk}"')
    line = page[start : page.index("</p>", start)]
    found = re.search(r'class="govuk-tag app-rag[^"]*">([^<]+)<', line)
    return found[1] if found else None


def served_by(page: str, objective: Objective) -> list[tuple[str, str]]:
    """(workstream, its rating) listed as serving the objective itself."""
    start = page.index(f'id="objective-{objective.pk}"')
    end = page.find('class="app-objectives__item"', start + 1)
    own = page[start : end if end != -1 else len(page)]
    own = own.split("app-objectives--nested")[0]  # not its children's
    return re.findall(
        r"Served by <a [^>]*>([^<]+)</a> <strong class=\"govuk-tag app-rag[^\"]*\">([^<]+)<",
        own,
    )


def objectives_page(client, plan) -> str:
    return client.get(reverse("programme_objectives", args=[plan["programme"].pk])).content.decode()


def make(organisation, reference, level, parent=None, title=None) -> Objective:
    return Objective.objects.create(
        organisation=organisation,
        reference=reference,
        level=level,
        title=title or f"Objective {reference}",
        parent=parent,
    )


def report(workstream, period, rag: str) -> None:
    """The lead's submitted status update for the period."""
    StatusUpdateFactory(
        workstream=workstream,
        period=period,
        rag=rag,
        reason="" if rag == "green" else "Staffing",
        state="submitted",
        submitted_at=timezone.now(),
    )


@pytest.fixture
def thread(plan):
    """CP-01 > DADU001 > SCAR001, CP-01 > DHOU001 > SHOU001, and CP-02 on its own."""
    organisation = plan["programme"].organisation
    cp1 = make(organisation, "CP-01", ObjectiveLevel.CORPORATE, title="Independence")
    dadu = make(organisation, "DADU001", ObjectiveLevel.DIRECTORATE, cp1)
    dhou = make(organisation, "DHOU001", ObjectiveLevel.DIRECTORATE, cp1)
    return {
        "cp1": cp1,
        "cp2": make(organisation, "CP-02", ObjectiveLevel.CORPORATE),
        "dadu": dadu,
        "dhou": dhou,
        "scar": make(organisation, "SCAR001", ObjectiveLevel.SERVICE, dadu),
        "shou": make(organisation, "SHOU001", ObjectiveLevel.SERVICE, dhou),
    }


def objective_form(**overrides) -> dict[str, str]:
    data = {"reference": "CP-03", "level": "corporate", "title": "Safer streets", "parent": ""}
    data.update({key: str(value) for key, value in overrides.items()})
    return data


def edit_url(plan, objective) -> str:
    return reverse("objective_edit", args=[plan["programme"].pk, objective.pk])


def edit(client, plan, objective, **changes):
    url = edit_url(plan, objective)
    data = form_with(client.get(url).content.decode(), "reference").data()
    data.update({key: str(value) for key, value in changes.items()})
    return client.post(url, data)


def add(client, plan, **overrides):
    return client.post(
        reverse("objective_add", args=[plan["programme"].pk]), objective_form(**overrides)
    )


# ----- The tree page -----


def test_the_tree_shows_each_objective_under_its_parent_with_the_workstreams(
    client, people, plan, thread
):
    plan["ws_1_1"].objective = thread["scar"]
    plan["ws_1_1"].save()
    plan["ws_2_1"].objective = thread["dhou"]
    plan["ws_2_1"].save()
    client.force_login(people["board"])

    page = unescape(objectives_page(client, plan))

    assert shown_under(page) == {
        thread["cp1"].pk: None,
        thread["dadu"].pk: thread["cp1"].pk,
        thread["scar"].pk: thread["dadu"].pk,
        thread["dhou"].pk: thread["cp1"].pk,
        thread["shou"].pk: thread["dhou"].pk,
        thread["cp2"].pk: None,
    }
    assert [name for name, _ in served_by(page, thread["scar"])] == ["1.1 Day Opportunities"]
    assert [name for name, _ in served_by(page, thread["dhou"])] == ["2.1 Extra Care Housing"]
    assert served_by(page, thread["cp1"]) == []
    unserving = page[page.index('id="unlinked"') :]
    assert "1.2 Involving users" in unserving and "2.2 Older People" in unserving
    assert "Day Opportunities" not in unserving
    assert objective_rating(page, thread["cp2"]) is None  # nothing serves it
    assert "Add an objective" not in page  # the board sees, and changes nothing


def test_the_rolled_up_rating_agrees_with_the_one_rating_path(client, people, plan, thread):
    # Area 1: 1.1 reported Amber, 1.2 Red by its plan (a milestone 40 days late).
    # Area 2: 2.1 reported Green, 2.2 reported Amber.
    period = PeriodFactory(programme=plan["programme"])
    report(plan["ws_1_1"], period, "amber")
    MilestoneFactory(workstream=plan["ws_1_2"], baseline_date=TODAY - timedelta(days=40))
    report(plan["ws_2_1"], period, "green")
    report(plan["ws_2_2"], period, "amber")
    # SCAR001 is served by 1.1, DADU001 by 1.2 (so it stands for area 1),
    # DHOU001 and SHOU001 by area 2's workstreams; CP-01 by all of them.
    serving = {"ws_1_1": "scar", "ws_1_2": "dadu", "ws_2_1": "dhou", "ws_2_2": "shou"}
    for workstream, objective in serving.items():
        plan[workstream].objective = thread[objective]
        plan[workstream].save()
    client.force_login(people["office"])

    page = unescape(objectives_page(client, plan))

    rating = assess_programme(plan["programme"], TODAY)
    by_area = {item.area.reference: item.result.rag.label for item in rating.areas}
    assert objective_rating(page, thread["scar"]) == "Amber"
    assert objective_rating(page, thread["dadu"]) == by_area["1"] == "Red"
    assert objective_rating(page, thread["dhou"]) == by_area["2"] == "Amber"
    assert objective_rating(page, thread["shou"]) == "Amber"
    assert objective_rating(page, thread["cp1"]) == rating.result.rag.label == "Red"
    for workstream, objective in serving.items():
        expected = rating.workstream(plan[workstream].pk).rating.rag.label
        [(_, shown)] = served_by(page, thread[objective])
        assert shown == expected
    dashboard = unescape(
        client.get(reverse("programme_detail", args=[plan["programme"].pk])).content.decode()
    )
    assert re.search(r"1 Community Services</span>.*?app-rag[^>]*>Red<", dashboard, re.S)


def test_a_directorate_objective_with_nothing_above_says_the_thread_is_broken(client, people, plan):
    make(plan["programme"].organisation, "DLOOSE", ObjectiveLevel.DIRECTORATE)
    client.force_login(people["board"])

    page = unescape(objectives_page(client, plan))

    assert "Directorate objective, not linked to an objective above" in page


# ----- Adding, changing and re-parenting -----


def test_the_office_adds_objectives_down_the_thread(client, people, plan):
    client.force_login(people["office"])

    first = add(client, plan, reference="CP-03", level="corporate")
    corporate = Objective.objects.get(reference="CP-03")
    second = add(
        client, plan, reference="DCS-01", level="directorate", parent=corporate.pk,
        title="Fewer people in crisis",
    )  # fmt: skip

    assert first.status_code == second.status_code == 302
    directorate = Objective.objects.get(reference="DCS-01")
    assert directorate.parent == corporate
    assert directorate.organisation == plan["programme"].organisation
    assert directorate.history.latest().history_user == people["office"]
    page = unescape(objectives_page(client, plan))
    assert shown_under(page)[directorate.pk] == corporate.pk
    assert "Objective DCS-01 added" in page
    office = people["office"].person.name
    assert re.search(r"Objective DCS-01</strong>: .*?by " + re.escape(office), page)


def test_re_parenting_moves_the_objective_and_its_rating(client, people, plan, thread):
    MilestoneFactory(workstream=plan["ws_1_1"], baseline_date=TODAY - timedelta(days=40))
    plan["ws_1_1"].objective = thread["scar"]
    plan["ws_1_1"].save()
    client.force_login(people["office"])
    before = unescape(objectives_page(client, plan))
    assert objective_rating(before, thread["dadu"]) == "Red"
    assert objective_rating(before, thread["dhou"]) is None

    response = edit(client, plan, thread["scar"], parent=thread["dhou"].pk)

    assert response.status_code == 302
    after = unescape(objectives_page(client, plan))
    assert shown_under(after)[thread["scar"].pk] == thread["dhou"].pk
    assert objective_rating(after, thread["dadu"]) is None
    assert objective_rating(after, thread["dhou"]) == "Red"
    assert "Objective SCAR001 changed" in after


def test_an_objective_cannot_sit_under_one_of_its_own(client, people, plan, thread):
    client.force_login(people["office"])

    response = edit(client, plan, thread["cp1"], parent=thread["dadu"].pk, title="Changed")

    assert response.status_code == 400
    assert (
        "DADU001 sits under this objective: an objective cannot sit under one of its own"
        in error_summary(response.content.decode())
    )
    thread["cp1"].refresh_from_db()
    assert (thread["cp1"].parent, thread["cp1"].title) == (None, "Independence")


def test_an_objective_cannot_sit_under_itself(client, people, plan, thread):
    client.force_login(people["office"])

    response = edit(client, plan, thread["dadu"], parent=thread["dadu"].pk)  # not offered

    assert response.status_code == 400
    assert "Choose one of the objectives listed" in error_summary(response.content.decode())
    thread["dadu"].refresh_from_db()
    assert thread["dadu"].parent == thread["cp1"]


@pytest.mark.parametrize(
    ("objective", "changes", "message"),
    [
        (
            "scar",
            {"parent": "cp1"},
            "A service objective sits under a directorate objective: CP-01 is a corporate "
            "objective",
        ),
        (
            "dadu",
            {"parent": "dhou"},
            "A directorate objective sits under a corporate objective: DHOU001 is a "
            "directorate objective",
        ),
        (
            "cp2",
            {"parent": "cp1"},
            "A corporate objective is at the top: it sits under nothing",
        ),
        (
            "dadu",
            {"level": "corporate", "parent": ""},
            "SCAR001 sits under it, and could not sit under a corporate objective: move it to "
            "another objective first",
        ),
    ],
)
def test_the_wrong_order_of_levels_is_refused(
    client, people, plan, thread, objective, changes, message
):
    client.force_login(people["office"])
    changes = {
        key: (thread[value].pk if key == "parent" and value else value)
        for key, value in changes.items()
    }
    before = {o.pk: (o.level, o.parent_id) for o in Objective.objects.all()}

    response = edit(client, plan, thread[objective], **changes)

    assert response.status_code == 400
    assert message in error_summary(response.content.decode())
    assert {o.pk: (o.level, o.parent_id) for o in Objective.objects.all()} == before


# ----- Bad input -----


def test_an_objective_needs_a_reference_a_level_and_its_wording(client, people, plan):
    client.force_login(people["office"])

    response = client.post(
        reverse("objective_add", args=[plan["programme"].pk]),
        {"reference": " ", "title": "  ", "parent": ""},
    )

    assert response.status_code == 400
    summary = error_summary(response.content.decode())
    assert "Enter the objective's reference" in summary
    assert "Choose the objective's level" in summary
    assert "Enter the objective" in summary
    assert not Objective.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reference", "R" * 51, "50 characters"),
        ("title", "T" * 2001, "2000 characters"),
        ("level", "board", "Choose the level: corporate, directorate or service"),
        ("parent", "abc", "Choose one of the objectives listed"),
        ("parent", "999999", "Choose one of the objectives listed"),
    ],
)
def test_bad_input_is_refused_by_its_field(client, people, plan, field, value, message):
    client.force_login(people["office"])

    response = add(client, plan, **{field: value})

    assert response.status_code == 400
    page = response.content.decode()
    assert message in error_summary(page)
    assert f'id="id_{field}-error"' in page
    assert "Select a valid choice" not in error_summary(page)
    assert not Objective.objects.exists()


def test_an_objective_of_another_organisation_is_not_a_parent(client, people, plan):
    foreign = make(OrganisationFactory(), "CP-99", ObjectiveLevel.CORPORATE)
    client.force_login(people["office"])

    response = add(client, plan, reference="D-1", level="directorate", parent=foreign.pk)

    assert response.status_code == 400
    assert "Choose one of the objectives listed" in error_summary(response.content.decode())
    assert not Objective.objects.filter(reference="D-1").exists()


def test_a_reference_is_unique_within_the_organisation(client, people, plan, thread):
    client.force_login(people["office"])

    response = add(client, plan, reference="CP-01")

    assert response.status_code == 400
    assert (
        "The organisation already has an objective CP-01: choose another reference"
        in error_summary(response.content.decode())
    )
    assert Objective.objects.filter(reference="CP-01").count() == 1


@pytest.mark.parametrize("version", ["", "abc", "0", "2.5"])
def test_a_nonsense_version_is_refused_asking_to_reload(client, people, plan, thread, version):
    client.force_login(people["office"])

    response = edit(client, plan, thread["cp1"], title="Changed", version=version)

    assert response.status_code == 400
    assert "Please reload the page" in error_summary(response.content.decode())
    thread["cp1"].refresh_from_db()
    assert thread["cp1"].title == "Independence"
