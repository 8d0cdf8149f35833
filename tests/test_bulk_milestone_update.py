"""Many milestones updated in one form (issue 11, "Bulk update"): a lead their workstream's,
a project manager their area's; status, forecast, completion date, at risk and a note per
row; all or nothing, each row checked as the single update checks it, each problem shown by
its row and in the error summary, and a row someone else changed meanwhile refused as a
conflict on that row, with nothing saved."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from tests.clock import TODAY
from tests.factories import MilestoneFactory, WorkstreamFactory
from tests.forms import date_parts
from tests.html_forms import forms_on, summary
from workstreams.models import Milestone, ProgressNote


def row_html(html: str, milestone) -> str:
    """The table row of a milestone on the page."""
    start = html.index(f'id="row-{milestone.pk}"')
    return html[start : html.index("</tr>", start)]


def bulk_form(html: str) -> dict[str, str]:
    """The page's form of milestones, as the browser would send it back unchanged."""
    (form,) = [
        form
        for form in forms_on(html)
        if form.method == "post" and any(name.endswith("-version") for name in form.names)
    ]
    return form.data()


def page_data(client, url) -> dict[str, str]:
    """The page's form as it opens, as the browser would send it back unchanged."""
    return bulk_form(client.get(url).content.decode())


def row(milestone, **changes) -> dict[str, str]:
    """Changes to one row, named as the page names its fields."""
    prefix = f"m{milestone.pk}-"
    data = {}
    for name, value in changes.items():
        if name in ("forecast", "actual_date"):
            data.update(date_parts(prefix + name, value))
        else:
            data[prefix + name] = value
    return data


def state(*milestones) -> list[tuple]:
    return [
        Milestone.objects.filter(pk=m.pk)
        .values_list("version", "status", "forecast_date", "actual_date", "at_risk")
        .get()
        for m in milestones
    ]


@pytest.fixture
def milestones(plan):
    workstream = plan["ws_1_1"]
    return [
        MilestoneFactory(
            workstream=workstream,
            reference=f"1.1.{number}",
            title=title,
            baseline_date=TODAY + timedelta(days=30 * number),
        )
        for number, title in ((1, "Consultation"), (2, "Business case"), (3, "Procurement"))
    ]


@pytest.fixture
def url(plan):
    return reverse("workstream_milestones_update", args=[plan["ws_1_1"].pk])


def test_the_lead_updates_several_milestones_in_one_save(client, people, milestones, url):
    first, second, third = milestones
    client.force_login(people["lead"])
    data = page_data(client, url)
    data.update(row(first, status="complete", actual_date=TODAY - timedelta(days=2)))
    data.update(row(second, status="in_progress", forecast=(3, 2027)))
    data.update(row(third, at_risk="on", note="Supplier market is thin"))

    response = client.post(url, data)

    assert response.status_code == 302
    assert response["Location"].endswith("#milestones")
    assert state(first, second, third) == [
        (2, "complete", None, TODAY - timedelta(days=2), False),
        (2, "in_progress", date(2027, 3, 31), None, False),
        (2, "not_started", None, None, True),
    ]
    assert Milestone.objects.get(pk=second.pk).forecast_precision == "month"
    (note,) = ProgressNote.objects.all()
    assert (note.milestone_id, note.text, note.author) == (
        third.pk,
        "Supplier market is thin",
        people["lead"],
    )
    for milestone in milestones:
        latest = Milestone.history.filter(id=milestone.pk).latest("history_date")
        assert latest.history_user == people["lead"]


def test_rows_left_as_they_are_are_not_saved(client, people, milestones, url):
    first, second, third = milestones
    client.force_login(people["lead"])
    data = page_data(client, url)
    data.update(row(second, status="in_progress"))

    assert client.post(url, data).status_code == 302

    assert [version for version, *_ in state(first, second, third)] == [1, 2, 1]
    assert Milestone.history.filter(id=first.pk).count() == 1


def test_completed_milestones_are_not_offered(client, people, milestones, url):
    done = MilestoneFactory(
        workstream=milestones[0].workstream,
        reference="1.1.0",
        status="complete",
        actual_date=TODAY - timedelta(days=40),
    )
    client.force_login(people["lead"])

    html = client.get(url).content.decode()

    assert f'id="row-{done.pk}"' not in html
    assert all(f'id="row-{m.pk}"' in html for m in milestones)


def test_one_invalid_row_saves_nothing_and_is_shown_by_its_row(client, people, milestones, url):
    first, second, third = milestones
    before = state(*milestones)
    client.force_login(people["lead"])
    data = page_data(client, url)
    data.update(row(first, status="in_progress", note="Started"))
    data.update(row(second, status="complete"))  # no completion date
    data.update(row(third, actual_date=TODAY + timedelta(days=1), status="complete"))

    response = client.post(url, data)

    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter the date it was completed" in row_html(html, second)
    assert "The completion date must be today or in the past" in row_html(html, third)
    assert "govuk-error-message" not in row_html(html, first)
    assert summary(html) == [
        (f"#id_m{second.pk}-actual_date_0", "1.1.2: Enter the date it was completed"),
        (
            f"#id_m{third.pk}-actual_date_0",
            "1.1.3: The completion date must be today or in the past",
        ),
    ]
    assert state(*milestones) == before
    assert not ProgressNote.objects.exists()
    # What the user typed stays on the page, to correct.
    sent_back = bulk_form(html)
    assert sent_back[f"m{first.pk}-note"] == "Started"
    assert sent_back[f"m{first.pk}-status"] == "in_progress"


def test_a_row_changed_by_someone_else_meanwhile_is_a_conflict_and_nothing_is_saved(
    client, people, milestones, url
):
    first, second, third = milestones
    client.force_login(people["lead"])
    data = page_data(client, url)
    # The project manager flags the second at risk after the lead opened the page.
    meanwhile = Milestone.objects.get(pk=second.pk)
    meanwhile._history_user = people["manager"]
    meanwhile.at_risk = True
    meanwhile.save()
    data.update(row(first, status="in_progress", note="Started"))
    data.update(row(second, status="in_progress"))

    response = client.post(url, data)

    html = response.content.decode()
    assert response.status_code == 409
    conflict = row_html(html, second)
    assert "Someone else changed this milestone (1.1.2)" in conflict
    assert "Flagged at risk" in conflict
    assert "Someone else" not in row_html(html, first)
    assert [text.startswith("1.1.2: Someone else changed") for _, text in summary(html)] == [True]
    assert state(first, second) == [
        (1, "not_started", None, None, False),
        (2, "not_started", None, None, True),
    ]
    assert not ProgressNote.objects.exists()
    # Sent again, now that the lead has seen the other change, it goes through.
    again = bulk_form(html)
    assert again[f"m{second.pk}-version"] == "2"
    assert client.post(url, again).status_code == 302
    assert state(first, second)[0][1] == "in_progress"
    assert state(first, second)[1][1] == "in_progress"


def test_a_row_completed_by_someone_else_meanwhile_is_a_conflict_not_dropped(
    client, people, milestones, url
):
    first, second, _ = milestones
    client.force_login(people["lead"])
    data = page_data(client, url)
    meanwhile = Milestone.objects.get(pk=second.pk)
    meanwhile._history_user = people["manager"]
    meanwhile.status = "complete"
    meanwhile.actual_date = TODAY
    meanwhile.save()
    data.update(row(first, status="in_progress"))
    data.update(row(second, forecast=(6, 2027), at_risk="on"))

    response = client.post(url, data)

    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this milestone (1.1.2)" in row_html(html, second)
    assert "Completed on 18 Nov 2026" in row_html(html, second)
    assert state(first, second) == [
        (1, "not_started", None, None, False),
        (2, "complete", None, TODAY, False),
    ]


def test_a_milestone_removed_meanwhile_is_told_and_nothing_is_saved(
    client, people, milestones, url
):
    first, second, _ = milestones
    client.force_login(people["lead"])
    data = page_data(client, url)
    gone = Milestone.objects.get(pk=second.pk)
    gone._history_user = people["manager"]
    gone.delete()
    data.update(row(first, status="in_progress"))
    data.update(row(second, status="in_progress", note="Drafted"))

    response = client.post(url, data)

    html = response.content.decode()
    assert response.status_code == 409
    assert [text for _, text in summary(html)] == [
        "Someone else removed milestone 1.1.2 (Business case) after you opened this page. "
        "Nothing has been saved: check the milestones below and save again."
    ]
    assert state(first) == [(1, "not_started", None, None, False)]
    assert not ProgressNote.objects.exists()
    # The page no longer offers the removed milestone: sent again, it goes through.
    again = bulk_form(html)
    assert f"m{second.pk}-version" not in again
    assert again[f"m{first.pk}-status"] == "in_progress"
    assert client.post(url, again).status_code == 302
    assert state(first)[0][1] == "in_progress"


def test_a_milestone_added_meanwhile_does_not_stop_the_save(client, people, milestones, url):
    first = milestones[0]
    client.force_login(people["lead"])
    data = page_data(client, url)
    added = MilestoneFactory(workstream=first.workstream, reference="1.1.4")
    data.update(row(first, status="in_progress"))

    response = client.post(url, data)

    assert response.status_code == 302
    assert state(first, added) == [
        (2, "in_progress", None, None, False),
        (1, "not_started", None, None, False),
    ]


def test_an_unchanged_row_changed_by_someone_else_is_no_conflict(client, people, milestones, url):
    first, second, _ = milestones
    client.force_login(people["lead"])
    data = page_data(client, url)
    meanwhile = Milestone.objects.get(pk=second.pk)
    meanwhile._history_user = people["manager"]
    meanwhile.at_risk = True
    meanwhile.save()
    data.update(row(first, status="in_progress"))

    assert client.post(url, data).status_code == 302

    assert state(first, second) == [
        (2, "in_progress", None, None, False),
        (2, "not_started", None, None, True),
    ]


def test_the_project_manager_updates_the_areas_milestones_across_its_workstreams(
    client, people, plan, milestones
):
    other = MilestoneFactory(workstream=plan["ws_1_2"], reference="1.2.1")
    closed = WorkstreamFactory(area=plan["area_one"], reference="1.9", closed_on=TODAY)
    hidden = MilestoneFactory(workstream=closed, reference="1.9.1")
    elsewhere = MilestoneFactory(workstream=plan["ws_2_1"], reference="2.1.1")
    area_url = reverse("area_milestones_update", args=[plan["area_one"].pk])
    client.force_login(people["manager"])
    html = client.get(area_url).content.decode()
    assert "1.1 Day Opportunities" in html and "1.2 Involving users" in html
    assert f'id="row-{hidden.pk}"' not in html and f'id="row-{elsewhere.pk}"' not in html
    data = bulk_form(html)
    data.update(row(milestones[0], status="in_progress"))
    data.update(row(other, at_risk="on"))

    response = client.post(area_url, data)

    assert response.status_code == 302
    assert response["Location"] == reverse("area_detail", args=[plan["area_one"].pk])
    assert state(milestones[0], other) == [
        (2, "in_progress", None, None, False),
        (2, "not_started", None, None, True),
    ]


def test_on_the_area_page_a_milestone_removed_meanwhile_is_told(client, people, plan, milestones):
    other = MilestoneFactory(workstream=plan["ws_1_2"], reference="1.2.1", title="Launch")
    area_url = reverse("area_milestones_update", args=[plan["area_one"].pk])
    client.force_login(people["manager"])
    data = page_data(client, area_url)
    data.update(row(milestones[0], status="in_progress"))
    other.delete()

    response = client.post(area_url, data)

    assert response.status_code == 409
    assert "Someone else removed milestone 1.2.1 (Launch)" in response.content.decode()
    assert state(milestones[0]) == [(1, "not_started", None, None, False)]


def test_the_area_and_workstream_pages_offer_the_update_to_those_who_may_make_it(
    client, people, plan
):
    area_page = reverse("area_detail", args=[plan["area_one"].pk])
    area_update = reverse("area_milestones_update", args=[plan["area_one"].pk])
    workstream_page = reverse("workstream_detail", args=[plan["ws_1_1"].pk])
    workstream_update = reverse("workstream_milestones_update", args=[plan["ws_1_1"].pk])

    def offered(user, page, link):
        client.force_login(people[user])
        return link in client.get(page).content.decode()

    assert offered("manager", area_page, area_update)
    assert offered("office", area_page, area_update)
    assert not offered("lead", area_page, area_update)
    assert not offered("board", area_page, area_update)
    assert offered("lead", workstream_page, workstream_update)
    assert not offered("other_lead", workstream_page, workstream_update)


def test_rows_sent_for_milestones_not_on_the_page_change_nothing(
    client, people, plan, milestones, url
):
    other = MilestoneFactory(workstream=plan["ws_1_2"], reference="1.2.1")
    client.force_login(people["lead"])
    data = page_data(client, url)
    data.update(row(other, status="in_progress", version="1", at_risk="on"))

    assert client.post(url, data).status_code == 302

    assert state(other) == [(1, "not_started", None, None, False)]


# ----- Bad input on a row, each its own test -----


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        # Each message names the milestone (1.1.2): the error summary lists every row's.
        ({"status": "finished"}, "status", "Choose the status of 1.1.2 from the list"),
        ({"status": ""}, "status", "Choose the status of 1.1.2"),
        ({"forecast": (31, 2, 2027)}, "forecast", "The forecast of 1.1.2 must be a real date"),
        ({"forecast": ("", "soon", 2027)}, "forecast", "must be a real date"),
        ({"forecast": ("", 3, "")}, "forecast", "must include a year"),
        ({"forecast": (1, 3, 27)}, "forecast", "with a four-digit year"),
        (
            {"actual_date": ("", 3, 2026), "status": "complete"},
            "actual_date",
            "The completion date of 1.1.2 must include a day",
        ),
        ({"actual_date": ("x", "y", "z"), "status": "complete"}, "actual_date", "real date"),
        (
            {"actual_date": TODAY + timedelta(days=1), "status": "complete"},
            "actual_date",
            "The completion date must be today or in the past",
        ),
        ({"actual_date": TODAY}, "status", "Choose Complete, or remove the completion date"),
        ({"note": "x" * 2001}, "note", "The progress note must be 2,000 characters or fewer"),
    ],
)
def test_a_bad_row_is_refused_by_its_field_and_nothing_is_saved(
    client, people, milestones, url, changes, field, message
):
    first, second, third = milestones
    before = state(*milestones)
    client.force_login(people["lead"])
    data = page_data(client, url)
    data.update(row(first, status="in_progress", note="Started"))
    data.update(row(second, **changes))

    response = client.post(url, data)

    html = response.content.decode()
    assert response.status_code == 400
    field_id = f"id_m{second.pk}-{field}"
    assert re.search(
        rf'<p id="{field_id}-error" class="govuk-error-message">'
        r'<span class="govuk-visually-hidden">Error:</span>[^<]*' + re.escape(message),
        row_html(html, second),
    )
    entries = summary(html)
    assert len(entries) == 1
    link, text = entries[0]
    assert link.startswith(f"#{field_id}") and text.startswith("1.1.2: ")
    assert message in text
    assert state(*milestones) == before
    assert not ProgressNote.objects.exists()


@pytest.mark.parametrize("version", ["", "banana", "-2", "1.5"])
def test_a_row_with_a_nonsense_version_is_refused_asking_to_reload(
    client, people, milestones, url, version
):
    first, second, _ = milestones
    before = state(*milestones)
    client.force_login(people["lead"])
    data = page_data(client, url)
    data.update(row(first, status="in_progress"))
    data.update(row(second, status="in_progress", version=version))

    response = client.post(url, data)

    html = response.content.decode()
    assert response.status_code == 400
    assert "Please reload the page" in row_html(html, second)
    assert [text.startswith("1.1.2: Nothing was saved") for _, text in summary(html)] == [True]
    assert state(*milestones) == before
