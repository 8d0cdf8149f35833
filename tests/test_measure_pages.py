"""Measures and their targets kept in the browser (issue 11, "Measures and targets"): the
project manager adds and changes a measure (reference unique within its workstream and sorted
naturally, unit, direction, baseline, its own tolerance), saved with its history; and sets its
targets, per financial year or to reach by a date ("75% by June 2027"), together on one page
with "Add another target" and "Remove", all or nothing. Bad input is refused by the field,
under the GOV.UK error summary, and nothing is half-saved."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from programmes.choices import DatePrecision
from tests.factories import MeasureFactory, MeasureTargetFactory, PersonFactory
from tests.html_forms import error_by, form_with, summary
from workstreams.models import Measure, MeasureTarget

# The plan's programme runs from 1 Jan 2026 to 31 Mar 2028: 2025/26 to 2027/28.


def measure_data(**overrides) -> dict[str, str]:
    data = {
        "reference": "NI 141",
        "title": "Vulnerable people achieving independent living increases by 10% each year",
        "unit": "percent",
        "direction": "higher",
        "baseline_value": "62.5",
        "tolerance_percent": "7.5",
        "owner": "",
    }
    data.update(overrides)
    return data


def add(client, user, workstream, **overrides):
    client.force_login(user)
    return client.post(reverse("measure_add", args=[workstream.pk]), measure_data(**overrides))


def edit_form(client, user, measure) -> dict[str, str]:
    """The change form as it opens, as the browser would send it back."""
    client.force_login(user)
    html = client.get(reverse("measure_edit", args=[measure.pk])).content.decode()
    return form_with(html, "reference").data()


def stored(measure: Measure) -> tuple:
    measure = Measure.objects.get(pk=measure.pk)
    return (
        measure.version,
        measure.reference,
        measure.title,
        measure.unit,
        measure.direction,
        measure.baseline_value,
        measure.tolerance_percent,
    )


# ----- Adding and changing a measure -----


def test_the_project_manager_adds_a_measure_and_it_is_saved_with_its_history(client, people, plan):
    workstream = plan["ws_1_1"]

    response = add(client, people["manager"], workstream)

    measure = Measure.objects.get(workstream=workstream)
    assert response.status_code == 302
    assert response["Location"] == reverse("measure_targets", args=[measure.pk])
    assert (measure.reference, measure.unit, measure.direction) == ("NI 141", "percent", "higher")
    assert measure.title.startswith("Vulnerable people")
    assert (measure.baseline_value, measure.tolerance_percent) == (Decimal("62.5"), Decimal("7.5"))
    added = measure.history.get()
    assert added.history_type == "+" and added.history_user == people["manager"]
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert "Percentage" in page and "Higher is better" in page
    assert "62.5" in page and "7.5%" in page
    assert re.search(r"<strong>Measure</strong>: Added <span class=\"app-muted\">by ", page)


def test_a_measure_without_its_own_tolerance_uses_the_programmes(client, people, plan):
    add(client, people["office"], plan["ws_1_1"], tolerance_percent="", baseline_value="")

    measure = Measure.objects.get(workstream=plan["ws_1_1"])
    assert measure.tolerance_percent is None and measure.baseline_value is None


def test_a_reference_is_unique_within_its_workstream_only(client, people, plan):
    MeasureFactory(workstream=plan["ws_1_1"], reference="NI 141")

    refused = add(client, people["manager"], plan["ws_1_1"], reference=" NI 141 ")
    elsewhere = add(client, people["manager"], plan["ws_1_2"], reference="NI 141")

    html = refused.content.decode()
    assert refused.status_code == 400
    message = "This workstream already has a measure NI 141: choose another reference"
    assert error_by(html, "id_reference") == message
    assert summary(html) == [("#id_reference", message)]
    assert Measure.objects.filter(workstream=plan["ws_1_1"]).count() == 1
    assert elsewhere.status_code == 302
    assert Measure.objects.filter(workstream=plan["ws_1_2"], reference="NI 141").exists()


def test_changing_a_reference_to_one_taken_in_the_workstream_is_refused(client, people, plan):
    MeasureFactory(workstream=plan["ws_1_1"], reference="NI 1")
    measure = MeasureFactory(workstream=plan["ws_1_1"], reference="NI 2")
    data = edit_form(client, people["manager"], measure)
    data["reference"] = "NI 1"

    response = client.post(reverse("measure_edit", args=[measure.pk]), data)

    assert response.status_code == 400
    assert "already has a measure NI 1" in error_by(response.content.decode(), "id_reference")
    assert Measure.objects.get(pk=measure.pk).reference == "NI 2"


def test_measures_are_listed_in_the_natural_order_of_their_references(client, people, plan):
    for reference in ("M10", "M2", "M1"):
        response = add(client, people["manager"], plan["ws_1_1"], reference=reference)
        assert response.status_code == 302

    page = client.get(reverse("workstream_detail", args=[plan["ws_1_1"].pk])).content.decode()

    references = list(Measure.objects.filter(workstream=plan["ws_1_1"]).values_list("reference"))
    assert references == [("M1",), ("M2",), ("M10",)]
    shown = re.findall(r'app-table__reference">(M[0-9]+)<', page)
    assert shown == ["M1", "M2", "M10"]


def test_the_project_manager_changes_a_measure_and_the_history_tells_what_changed(
    client, people, plan
):
    measure = MeasureFactory(
        workstream=plan["ws_1_1"], reference="NI 8", title="Carers assessed", unit="number"
    )
    data = edit_form(client, people["manager"], measure)
    assert (data["reference"], data["title"], data["unit"]) == ("NI 8", "Carers assessed", "number")
    data.update(
        title="Carers assessed within 28 days",
        unit="percent",
        direction="lower",
        baseline_value="40",
        tolerance_percent="2.5",
    )

    response = client.post(reverse("measure_edit", args=[measure.pk]), data)

    assert response.status_code == 302
    assert response["Location"] == reverse("measure_detail", args=[measure.pk])
    assert stored(measure) == (
        2,
        "NI 8",
        "Carers assessed within 28 days",
        "percent",
        "lower",
        Decimal(40),
        Decimal("2.5"),
    )
    latest = Measure.history.filter(id=measure.pk).latest("history_date")
    assert latest.history_user == people["manager"]
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert "Title changed from Carers assessed to Carers assessed within 28 days" in page


def test_a_change_saved_over_someone_elses_is_refused_naming_it(client, people, plan):
    measure = MeasureFactory(workstream=plan["ws_1_1"], reference="NI 8", title="Carers")
    data = edit_form(client, people["manager"], measure)
    other = Measure.objects.get(pk=measure.pk)
    other._history_user = people["office"]
    other.title = "Carers supported"
    other.save()
    data["title"] = "Carers assessed"

    response = client.post(reverse("measure_edit", args=[measure.pk]), data)

    html = response.content.decode()
    assert response.status_code == 400 or response.status_code == 409
    assert "Someone else changed this measure" in html
    assert "Carers supported" in html
    assert Measure.objects.get(pk=measure.pk).title == "Carers supported"


# ----- Bad input on the measure form, each its own test -----


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reference", "", "Enter a reference for the measure"),
        ("title", "   ", "Enter what the measure is"),
        ("reference", "R" * 51, "The reference must be 50 characters or fewer"),
        ("title", "T" * 401, "The measure must be 400 characters or fewer"),
        ("unit", "furlongs", "Select a valid choice"),
        ("direction", "sideways", "Select a valid choice"),
        ("baseline_value", "lots", "The baseline must be a number, like 75 or 12.5"),
        ("baseline_value", "Infinity", "The baseline must be a number, like 75 or 12.5"),
        ("baseline_value", "12.345", "The baseline can have at most 2 decimal places"),
        ("baseline_value", "1" * 13, "The baseline must be a number of at most 12 digits"),
        ("tolerance_percent", "five", "The tolerance must be a number, like 5 or 7.5"),
        ("tolerance_percent", "150", "The tolerance must be between 0 and 100%"),
        ("tolerance_percent", "-1", "The tolerance must be between 0 and 100%"),
        ("tolerance_percent", "1000", "The tolerance must be between 0 and 100%"),
        ("tolerance_percent", "2.555", "The tolerance can have at most 2 decimal places"),
        ("owner", "999999", "Choose one of the organisation&#x27;s people"),
    ],
)
def test_bad_input_when_adding_a_measure_is_refused_by_the_field(
    client, people, plan, field, value, message
):
    response = add(client, people["manager"], plan["ws_1_1"], **{field: value})

    html = response.content.decode()
    assert response.status_code == 400
    assert message in error_by(html, f"id_{field}")
    assert [link.startswith(f"#id_{field}") for link, _ in summary(html)] == [True]
    assert not Measure.objects.exists()


def test_a_closed_workstream_gets_no_new_measure(client, people, plan):
    workstream = plan["ws_1_1"]
    workstream.closed_on = date(2026, 11, 1)
    workstream.save()

    response = add(client, people["office"], workstream)

    assert response.status_code == 400
    assert [text for _, text in summary(response.content.decode())] == [
        "This workstream is closed: its plan only shows"
    ]
    assert not Measure.objects.exists()


def test_an_owner_from_another_organisation_is_refused(client, people, plan):
    stranger = PersonFactory(name="Someone Elsewhere")

    response = add(client, people["manager"], plan["ws_1_1"], owner=str(stranger.pk))

    assert response.status_code == 400
    assert "organisation&#x27;s people" in error_by(response.content.decode(), "id_owner")
    assert not Measure.objects.exists()


def test_the_owner_is_one_of_the_organisations_people(client, people, plan):
    owner = PersonFactory(organisation=plan["programme"].organisation, name="Doris Sheridan")

    add(client, people["manager"], plan["ws_1_1"], owner=str(owner.pk))

    measure = Measure.objects.get()
    assert measure.owner == owner
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert "Doris Sheridan" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Enter what the measure is"),
        ("baseline_value", "12,5%", "The baseline must be a number"),
        ("baseline_value", "0.001", "at most 2 decimal places"),
        ("tolerance_percent", "100.01", "between 0 and 100%"),
    ],
)
def test_bad_input_when_changing_a_measure_saves_nothing(
    client, people, plan, field, value, message
):
    measure = MeasureFactory(workstream=plan["ws_1_1"], reference="NI 8", title="Carers")
    before = stored(measure)
    data = edit_form(client, people["manager"], measure)
    data["title"] = "Carers assessed"
    data[field] = value

    response = client.post(reverse("measure_edit", args=[measure.pk]), data)

    assert response.status_code == 400
    assert message in error_by(response.content.decode(), f"id_{field}")
    assert stored(measure) == before


@pytest.mark.parametrize("version", ["", "banana", "-3", "1.5"])
def test_a_measure_change_with_a_nonsense_version_is_refused_asking_to_reload(
    client, people, plan, version
):
    measure = MeasureFactory(workstream=plan["ws_1_1"], reference="NI 8", title="Carers")
    before = stored(measure)
    data = edit_form(client, people["manager"], measure)
    data.update(title="Carers assessed", version=version)

    response = client.post(reverse("measure_edit", args=[measure.pk]), data)

    html = response.content.decode()
    assert response.status_code == 400
    assert "Please reload the page" in summary(html)[0][1]
    assert stored(measure) == before


def test_a_measure_change_with_a_version_never_stored_saves_nothing(client, people, plan):
    measure = MeasureFactory(workstream=plan["ws_1_1"], reference="NI 8", title="Carers")
    before = stored(measure)
    data = edit_form(client, people["manager"], measure)
    data.update(title="Carers assessed", version="99999999999999999999")

    response = client.post(reverse("measure_edit", args=[measure.pk]), data)

    assert response.status_code == 400
    assert summary(response.content.decode())
    assert stored(measure) == before


# ----- Targets -----


def targets_data(rows: list[dict], *, version) -> dict[str, str]:
    """The targets page as sent: each row {kind, year | due (day, month, year), value}."""
    data = {"version": str(version), "rows": str(len(rows))}
    for index, row in enumerate(rows):
        prefix = f"target-{index}-"
        data[prefix + "kind"] = row.get("kind", "year" if "year" in row else "date")
        data[prefix + "financial_year"] = row.get("year", "")
        due = row.get("due", ("", "", ""))
        for part, value in enumerate(due):
            data[f"{prefix}due_{part}"] = str(value)
        data[prefix + "value"] = row.get("value", "")
    return data


def post_targets(client, user, measure, targets, *, version=None, **extra):
    client.force_login(user)
    version = Measure.objects.get(pk=measure.pk).version if version is None else version
    data = {**targets_data(targets, version=version), **extra}
    return client.post(reverse("measure_targets", args=[measure.pk]), data)


def targets_of(measure) -> list[tuple]:
    """The measure's targets as stored: the yearly ones by year, then the dated by date."""
    stored = MeasureTarget.objects.filter(measure=measure).values_list(
        "financial_year", "due_date", "due_precision", "value"
    )
    return sorted(stored, key=lambda t: (t[0] is None, t[0] or 0, t[1] or date.min))


@pytest.fixture
def measure(plan):
    return MeasureFactory(workstream=plan["ws_1_1"], reference="NI 141", title="Independent")


def test_yearly_and_dated_targets_are_saved_together_with_their_history(client, people, measure):
    response = post_targets(
        client,
        people["manager"],
        measure,
        [
            {"year": "2026/27", "value": "70"},
            {"due": ("", "6", "2027"), "value": "75"},
            {"due": ("31", "3", "2028"), "value": "80.5"},
        ],
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("measure_detail", args=[measure.pk])
    assert targets_of(measure) == [
        (2026, None, DatePrecision.MONTH, Decimal(70)),
        (None, date(2027, 6, 30), DatePrecision.MONTH, Decimal(75)),
        (None, date(2028, 3, 31), DatePrecision.DAY, Decimal("80.5")),
    ]
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    for text in ("70 2026/27", "75 by Jun 2027", "80.5 by 31 Mar 2028"):
        assert text in page
    assert "Target 2026/27</strong>: Set to 70" in page
    assert MeasureTarget.history.filter(history_user=people["manager"]).count() == 3


def test_the_targets_page_opens_with_the_targets_as_stored(client, people, measure):
    MeasureTargetFactory(measure=measure, financial_year=2026, value=Decimal(70))
    MeasureTargetFactory(
        measure=measure,
        financial_year=None,
        due_date=date(2027, 6, 30),
        due_precision=DatePrecision.MONTH,
        value=Decimal(75),
    )
    client.force_login(people["manager"])

    html = client.get(reverse("measure_targets", args=[measure.pk])).content.decode()

    data = form_with(html, "rows").data()
    assert data["rows"] == "2"
    rows = {
        data[f"target-{index}-kind"]: (
            data[f"target-{index}-financial_year"],
            tuple(data[f"target-{index}-due_{part}"] for part in range(3)),
            data[f"target-{index}-value"],
        )
        for index in range(2)
    }
    assert rows == {"year": ("2026/27", ("", "", ""), "70"), "date": ("", ("", "6", "2027"), "75")}


def test_changing_removing_and_adding_targets_in_one_save(client, people, measure):
    MeasureTargetFactory(measure=measure, financial_year=2026, value=Decimal(70))
    MeasureTargetFactory(measure=measure, financial_year=2027, value=Decimal(80))

    response = post_targets(
        client,
        people["office"],
        measure,
        [{"year": "2026/27", "value": "72"}, {"due": ("", "9", "2027"), "value": "76"}],
    )

    assert response.status_code == 302
    assert targets_of(measure) == [
        (2026, None, DatePrecision.MONTH, Decimal(72)),
        (None, date(2027, 9, 30), DatePrecision.MONTH, Decimal(76)),
    ]
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert "Value changed from 70" in page and "72" in page
    assert "<strong>Target 2027/28</strong>: Removed" in page


def test_add_another_target_shows_a_blank_row_and_saves_nothing(client, people, measure):
    response = post_targets(
        client, people["manager"], measure, [{"year": "2026/27", "value": "70"}], add="1"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" not in html
    data = form_with(html, "rows").data()
    assert data["rows"] == "2"
    assert (data["target-0-financial_year"], data["target-0-value"]) == ("2026/27", "70")
    assert data["target-1-kind"] == "year" and data["target-1-value"] == ""
    assert targets_of(measure) == []
    # The blank row left as it is is not a target: saving keeps the one filled in.
    saved = client.post(reverse("measure_targets", args=[measure.pk]), data)
    assert saved.status_code == 302
    assert targets_of(measure) == [(2026, None, DatePrecision.MONTH, Decimal(70))]


def test_remove_takes_out_its_row_without_saving(client, people, measure):
    MeasureTargetFactory(measure=measure, financial_year=2026, value=Decimal(70))
    rows = [
        {"year": "2026/27", "value": "70"},
        {"year": "2027/28", "value": "80"},
        {"due": ("", "3", "2028"), "value": "85"},
    ]

    response = post_targets(client, people["manager"], measure, rows, remove="0")

    html = response.content.decode()
    assert response.status_code == 200
    data = form_with(html, "rows").data()
    assert data["rows"] == "2"
    assert (data["target-0-financial_year"], data["target-0-value"]) == ("2027/28", "80")
    assert (data["target-1-kind"], data["target-1-due_1"], data["target-1-value"]) == (
        "date",
        "3",
        "85",
    )
    assert "target-2-value" not in data
    assert targets_of(measure) == [(2026, None, DatePrecision.MONTH, Decimal(70))]
    saved = client.post(reverse("measure_targets", args=[measure.pk]), data)
    assert saved.status_code == 302
    assert [row[3] for row in targets_of(measure)] == [Decimal(80), Decimal(85)]


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (
            {"year": "2030/31", "value": "90"},
            "financial_year",
            "2030/31 is outside the programme, which runs from 2025/26 to 2027/28: choose a "
            "financial year in between",
        ),
        (
            {"year": "2024/25", "value": "90"},
            "financial_year",
            "2024/25 is outside the programme",
        ),
        (
            {"due": ("", "6", "2029"), "value": "90"},
            "due",
            "is outside the programme, which runs from 1 Jan 2026 to 31 Mar 2028",
        ),
    ],
)
def test_a_target_outside_the_programme_is_refused_by_its_field_and_nothing_saved(
    client, people, measure, row, field, message
):
    MeasureTargetFactory(measure=measure, financial_year=2026, value=Decimal(70))
    before = (Measure.objects.get(pk=measure.pk).version, targets_of(measure))

    response = post_targets(
        client, people["manager"], measure, [{"year": "2026/27", "value": "71"}, row]
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert message in error_by(html, f"id_target-1-{field}")
    assert [link.startswith(f"#id_target-1-{field}") for link, _ in summary(html)] == [True]
    assert message in summary(html)[0][1]
    assert (Measure.objects.get(pk=measure.pk).version, targets_of(measure)) == before


@pytest.mark.parametrize(
    "row",
    [
        {"year": "2025/26", "value": "1"},
        {"year": "2027/28", "value": "1"},
        {"due": ("", "1", "2026"), "value": "1"},
        {"due": ("1", "1", "2026"), "value": "1"},
        {"due": ("", "3", "2028"), "value": "1"},
        {"due": ("31", "3", "2028"), "value": "1"},
    ],
)
def test_a_target_at_the_edge_of_the_programme_is_accepted(client, people, measure, row):
    response = post_targets(client, people["manager"], measure, [row])

    assert response.status_code == 302
    assert len(targets_of(measure)) == 1


@pytest.mark.parametrize(
    "row",
    [
        {"year": "2028/29", "value": "1"},
        {"due": ("", "12", "2025"), "value": "1"},
        {"due": ("31", "12", "2025"), "value": "1"},
        {"due": ("", "4", "2028"), "value": "1"},
        {"due": ("1", "4", "2028"), "value": "1"},
    ],
)
def test_a_target_just_outside_the_programme_is_refused(client, people, measure, row):
    response = post_targets(client, people["manager"], measure, [row])

    assert response.status_code == 400
    assert "is outside the programme" in response.content.decode()
    assert targets_of(measure) == []


def test_two_targets_for_the_same_year_are_refused(client, people, measure):
    response = post_targets(
        client,
        people["manager"],
        measure,
        [{"year": "2026/27", "value": "70"}, {"year": "2026/27", "value": "75"}],
    )

    assert response.status_code == 400
    assert "There is already a target for 2026/27 (target 1)" in error_by(
        response.content.decode(), "id_target-1-financial_year"
    )
    assert targets_of(measure) == []


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"year": "2026/27", "value": ""}, "value", "Enter the value of target 2"),
        ({"year": "2026/27", "value": "lots"}, "value", "The target must be a number"),
        ({"year": "2026/27", "value": "NaN"}, "value", "The target must be a number"),
        ({"year": "2026/27", "value": "75.125"}, "value", "at most 2 decimal places"),
        ({"year": "2026/27", "value": "9" * 13}, "value", "at most 12 digits"),
        ({"year": "", "value": "75"}, "financial_year", "Enter the financial year of target 2"),
        ({"year": "next year", "value": "75"}, "financial_year", "like 2026/27"),
        ({"year": "2026/2027/28", "value": "75"}, "financial_year", "like 2026/27"),
        ({"kind": "date", "value": "75"}, "due", "Enter the date of target 2"),
        ({"due": ("", "June", "2027"), "value": "75"}, "due", "Date must be a real date"),
        ({"due": ("31", "6", "2027"), "value": "75"}, "due", "Date must be a real date"),
        ({"due": ("", "", "2027"), "value": "75"}, "due", "Date must include a month"),
        ({"kind": "someday", "value": "75"}, "kind", "Select a valid choice"),
    ],
)
def test_one_bad_target_saves_none_of_them(client, people, measure, row, field, message):
    MeasureTargetFactory(measure=measure, financial_year=2025, value=Decimal(60))
    before = (Measure.objects.get(pk=measure.pk).version, targets_of(measure))

    response = post_targets(
        client,
        people["manager"],
        measure,
        [{"year": "2025/26", "value": "65"}, row, {"due": ("", "3", "2028"), "value": "90"}],
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert message in error_by(html, f"id_target-1-{field}")
    assert len(summary(html)) == 1
    assert message in summary(html)[0][1]
    assert (Measure.objects.get(pk=measure.pk).version, targets_of(measure)) == before
    # What the user typed stays on the page, to correct.
    data = form_with(html, "rows").data()
    assert data["target-0-value"] == "65" and data["target-2-value"] == "90"


@pytest.mark.parametrize("rows", ["", "banana", "-1", "0"])
def test_a_garbled_row_count_loses_no_target(client, people, measure, rows):
    MeasureTargetFactory(measure=measure, financial_year=2026, value=Decimal(70))

    response = post_targets(
        client,
        people["manager"],
        measure,
        [{"year": "2026/27", "value": "70"}, {"year": "2027/28", "value": "80"}],
        rows=rows,
    )

    assert response.status_code == 302
    assert targets_of(measure) == [
        (2026, None, DatePrecision.MONTH, Decimal(70)),
        (2027, None, DatePrecision.MONTH, Decimal(80)),
    ]


@pytest.mark.parametrize("version", ["", "banana", "0"])
def test_targets_with_a_nonsense_version_are_refused_asking_to_reload(
    client, people, measure, version
):
    response = post_targets(
        client, people["manager"], measure, [{"year": "2026/27", "value": "70"}], version=version
    )

    assert response.status_code == 400
    assert "Please reload the page" in summary(response.content.decode())[0][1]
    assert targets_of(measure) == []


def test_targets_saved_from_a_stale_page_are_refused_showing_the_others_change(
    client, people, measure
):
    seen = Measure.objects.get(pk=measure.pk).version
    post_targets(client, people["office"], measure, [{"year": "2026/27", "value": "70"}])

    response = post_targets(
        client, people["manager"], measure, [{"year": "2026/27", "value": "90"}], version=seen
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this measure" in html
    assert "Target 2026/27: Set to 70" in html
    assert targets_of(measure) == [(2026, None, DatePrecision.MONTH, Decimal(70))]


def test_yearly_targets_come_before_dated_ones_on_every_database(client, people, measure):
    """Each database sorts a missing year or date at its own end: the order is stated."""
    MeasureTargetFactory(
        measure=measure,
        financial_year=None,
        due_date=date(2027, 6, 30),
        due_precision=DatePrecision.MONTH,
        value=Decimal(75),
    )
    MeasureTargetFactory(measure=measure, financial_year=2027, value=Decimal(80))
    MeasureTargetFactory(measure=measure, financial_year=2026, value=Decimal(70))
    client.force_login(people["manager"])

    html = client.get(reverse("measure_targets", args=[measure.pk])).content.decode()

    data = form_with(html, "rows").data()
    assert [data[f"target-{index}-kind"] for index in range(3)] == ["year", "year", "date"]
    assert [data[f"target-{index}-value"] for index in range(3)] == ["70", "80", "75"]
