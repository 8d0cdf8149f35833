"""The programme's lists (DOMAIN.md section 6: "Every list filters"): each filter returns
exactly the right rows, computed RAGs and due states included; columns sort both ways;
pages hold 50 rows and keep the filters; outsiders find nothing."""

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.dates import FinancialYear, month_end, month_start
from risks.models import Decision
from tests.clock import TODAY
from tests.factories import (
    MeasureFactory,
    MeasureReadingFactory,
    MeasureTargetFactory,
    MilestoneFactory,
    PeriodFactory,
    PersonFactory,
    ProgrammeFactory,
    RiskFactory,
    StatusUpdateFactory,
    WorkstreamFactory,
)

THIS_MONTH = month_start(TODAY)
LAST_MONTH = month_start(THIS_MONTH - timedelta(days=1))
LISTS = ["workstream_list", "milestone_list", "measure_list", "risk_list", "decision_list"]
REFERENCE_CELL = re.compile(r'<td class="govuk-table__cell app-table__reference">([^<]*)</td>')


def references(response) -> list[str]:
    """The references in the list's table, in the order shown."""
    assert response.status_code == 200, response.status_code
    return [unescape(ref) for ref in REFERENCE_CELL.findall(response.content.decode())]


def get_list(client, name, programme, query=""):
    return client.get(reverse(name, args=[programme.pk]) + query)


@pytest.fixture
def signed_in(client, people):
    client.force_login(people["board"])
    return client


@pytest.fixture
def elsewhere(db):
    """Another programme's rows, which no list of ours may show."""
    programme = ProgrammeFactory()
    workstream = WorkstreamFactory(area__programme=programme, reference="9.9")
    MilestoneFactory(workstream=workstream, reference="9.9.9", baseline_date=TODAY)
    RiskFactory(programme=programme, reference="X1", current_likelihood=4, current_impact=3)
    return programme


# ----- Milestones -----


@pytest.fixture
def milestones(plan, elsewhere):
    """Milestones chosen so that each due state and each computed RAG picks out known rows,
    whatever day of the month the tests run on. Area 2 allows 60 days of slip, not 30."""
    area_two = plan["area_two"]
    area_two.time_tolerance_days = 60
    area_two.save()
    one, two = plan["ws_1_1"], plan["ws_2_1"]
    made = {
        "1.1.1": {
            "workstream": one,
            "title": "Overdue",
            "baseline_date": TODAY - timedelta(days=40),
        },
        "1.1.2": {
            "workstream": one,
            "title": "Due today",
            "kind": "key_decision",
            "baseline_date": TODAY,
        },
        "1.1.3": {
            "workstream": one,
            "title": "Done this month",
            "status": "complete",
            "baseline_date": TODAY,
            "actual_date": TODAY,
        },
        "1.1.4": {
            "workstream": one,
            "title": "Slipped",
            "kind": "deliverable",
            "baseline_date": TODAY + timedelta(days=60),
            "forecast_date": TODAY + timedelta(days=105),
        },
        "1.1.5": {
            "workstream": one,
            "title": "Slipping a little",
            "baseline_date": TODAY + timedelta(days=60),
            "forecast_date": TODAY + timedelta(days=70),
        },
        "1.1.6": {
            "workstream": one,
            "title": "Due this month, as a month",
            "baseline_date": month_end(TODAY),
            "baseline_precision": "month",
        },
        "2.1.1": {
            "workstream": two,
            "title": "Slipping within the area's tolerance",
            "baseline_date": TODAY + timedelta(days=60),
            "forecast_date": TODAY + timedelta(days=105),
        },
        "2.1.2": {
            "workstream": two,
            "title": "Not started",
            "start_date": TODAY + timedelta(days=30),
            "baseline_date": TODAY + timedelta(days=90),
        },
        "2.1.3": {"workstream": two, "title": "No date", "baseline_date": None},
        "2.1.4": {
            "workstream": two,
            "title": "Done last month",
            "status": "complete",
            "baseline_date": LAST_MONTH,
            "actual_date": LAST_MONTH,
        },
        "2.1.5": {
            "workstream": two,
            "title": "Later, as a month",
            "baseline_date": month_end(TODAY + timedelta(days=200)),
            "baseline_precision": "month",
        },
    }
    return {ref: MilestoneFactory(reference=ref, **fields) for ref, fields in made.items()}


ALL_MILESTONES = [
    "1.1.1",
    "1.1.2",
    "1.1.3",
    "1.1.4",
    "1.1.5",
    "1.1.6",
    "2.1.1",
    "2.1.2",
    "2.1.3",
    "2.1.4",
    "2.1.5",
]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", ALL_MILESTONES),
        ("?due=this_month", ["1.1.2", "1.1.6"]),
        ("?due=overdue", ["1.1.1"]),
        ("?due=completed_this_period", ["1.1.3"]),
        ("?due=slipped", ["1.1.4"]),
        ("?rag=red", ["1.1.1", "1.1.4"]),
        ("?rag=amber", ["1.1.5", "2.1.1"]),
        ("?rag=green", ["1.1.2", "1.1.6", "2.1.5"]),
        ("?rag=complete", ["1.1.3", "2.1.4"]),
        ("?rag=not_started", ["2.1.2"]),
        ("?rag=no_data", ["2.1.3"]),
        ("?kind=key_decision", ["1.1.2"]),
        ("?kind=deliverable&rag=red", ["1.1.4"]),
        ("?status=complete", ["1.1.3", "2.1.4"]),
        ("?q=slipp", ["1.1.4", "1.1.5", "2.1.1"]),
        ("?q=2.1.", ["2.1.1", "2.1.2", "2.1.3", "2.1.4", "2.1.5"]),
        ("?rag=amber&due=slipped", []),
    ],
)
def test_the_milestone_filters_pick_exactly_the_right_rows(
    signed_in, plan, milestones, query, expected
):
    response = get_list(signed_in, "milestone_list", plan["programme"], query)
    assert references(response) == expected


def test_milestones_filter_by_area_and_workstream_of_the_programme(signed_in, plan, milestones):
    area = plan["area_two"].pk
    by_area = get_list(signed_in, "milestone_list", plan["programme"], f"?area={area}")
    assert references(by_area) == ["2.1.1", "2.1.2", "2.1.3", "2.1.4", "2.1.5"]
    by_workstream = get_list(
        signed_in,
        "milestone_list",
        plan["programme"],
        f"?workstream={plan['ws_1_1'].pk}&due=overdue",
    )
    assert references(by_workstream) == ["1.1.1"]


def test_a_filter_naming_another_programmes_workstream_is_refused(
    signed_in, plan, milestones, elsewhere
):
    theirs = elsewhere.workstreams.get()
    response = get_list(signed_in, "milestone_list", plan["programme"], f"?workstream={theirs.pk}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert REFERENCE_CELL.findall(html) == []
    assert "Download CSV" not in html


def test_the_milestone_list_shows_months_as_months_and_ratings_with_reasons(
    signed_in, plan, milestones
):
    html = get_list(signed_in, "milestone_list", plan["programme"]).content.decode()
    assert f">{month_end(TODAY):%b %Y}</td>" in html
    assert f">{month_end(TODAY + timedelta(days=200)):%b %Y}</td>" in html
    assert ">Red</strong>" in html and "It is 40 days late" in html
    assert "It is forecast 45 days after its baseline (tolerance 30 days)" in html
    assert reverse("milestone_detail", args=[milestones["1.1.1"].pk]) in html
    assert "11 milestones" in html


# ----- Workstreams -----


@pytest.fixture
def updates(plan):
    this, last = (
        PeriodFactory(programme=plan["programme"], month=month)
        for month in (THIS_MONTH, LAST_MONTH)
    )

    def submitted(workstream, period, rag):
        return StatusUpdateFactory(
            workstream=workstream,
            period=period,
            rag=rag,
            reason="Because",
            state="submitted",
            submitted_at=timezone.now(),
        )

    submitted(plan["ws_1_1"], last, "amber")
    submitted(plan["ws_1_1"], this, "red")
    StatusUpdateFactory(workstream=plan["ws_1_2"], period=this, rag="green")  # a draft
    submitted(plan["ws_2_1"], last, "red")
    submitted(plan["ws_2_1"], this, "green")


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", ["1.1", "1.2", "2.1", "2.2"]),
        ("?rag=red", ["1.1"]),
        ("?rag=green", ["2.1"]),
        ("?rag=amber", []),
        ("?rag=not_reported", ["1.2", "2.2"]),
        ("?q=care", ["2.1"]),
        ("?q=1.", ["1.1", "1.2"]),
    ],
)
def test_the_workstream_filters_use_the_latest_submitted_update(
    signed_in, plan, updates, elsewhere, query, expected
):
    response = get_list(signed_in, "workstream_list", plan["programme"], query)
    assert references(response) == expected


def test_workstreams_filter_by_area_and_lead(signed_in, plan):
    lead = PersonFactory(organisation=plan["programme"].organisation, name="Anne Mosley")
    for workstream in (plan["ws_1_2"], plan["ws_2_2"]):
        workstream.lead = lead
        workstream.save()
    programme = plan["programme"]
    assert references(get_list(signed_in, "workstream_list", programme, f"?lead={lead.pk}")) == [
        "1.2",
        "2.2",
    ]
    query = f"?lead={lead.pk}&area={plan['area_one'].pk}"
    assert references(get_list(signed_in, "workstream_list", programme, query)) == ["1.2"]


def test_the_workstream_list_shows_reported_and_suggested_ratings(
    signed_in, plan, updates, milestones
):
    html = get_list(signed_in, "workstream_list", plan["programme"], "?rag=red").content.decode()
    assert html.count(">Red</strong>") == 2  # reported by the lead, and suggested
    assert "Milestone 1.1.1 is 40 days late" in html
    assert f"For {THIS_MONTH:%b %Y}" in html


# ----- Measures -----


@pytest.fixture
def measures(plan):
    year = FinancialYear.containing(TODAY).start_year

    def measure(workstream, reference, reading):
        made = MeasureFactory(workstream=workstream, reference=reference)
        MeasureTargetFactory(measure=made, financial_year=year, value=Decimal(100))
        if reading is not None:
            MeasureReadingFactory(measure=made, period=THIS_MONTH, value=Decimal(reading))
        return made

    return {
        "met": measure(plan["ws_1_1"], "NI 1", 100),
        "close": measure(plan["ws_1_1"], "NI 2", 96),
        "missed": measure(plan["ws_1_2"], "NI 3", 50),
        "unread": measure(plan["ws_2_1"], "NI 4", None),
    }


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", ["NI 1", "NI 2", "NI 3", "NI 4"]),
        ("?rag=green", ["NI 1"]),
        ("?rag=amber", ["NI 2"]),
        ("?rag=red", ["NI 3"]),
        ("?rag=no_data", ["NI 4"]),
        ("?q=ni 3", ["NI 3"]),
    ],
)
def test_the_measure_filters_use_the_rating_of_the_workstream_page(
    signed_in, plan, measures, query, expected
):
    assert references(get_list(signed_in, "measure_list", plan["programme"], query)) == expected


def test_measures_filter_by_workstream_and_area(signed_in, plan, measures):
    programme = plan["programme"]
    query = f"?workstream={plan['ws_1_1'].pk}"
    assert references(get_list(signed_in, "measure_list", programme, query)) == ["NI 1", "NI 2"]
    query = f"?area={plan['area_one'].pk}&rag=red"
    assert references(get_list(signed_in, "measure_list", programme, query)) == ["NI 3"]


def test_the_measure_list_shows_target_now_and_the_latest_reading_with_its_month(
    signed_in, plan, measures
):
    html = get_list(signed_in, "measure_list", plan["programme"], "?rag=red").content.decode()
    assert ">100</td>" in html
    assert f'50<br><span class="govuk-body-s app-muted app-nowrap">{THIS_MONTH:%b %Y}' in html
    assert "It missed its target of 100 by 50%" in html
    assert reverse("measure_detail", args=[measures["missed"].pk]) in html


# ----- Risks -----


@pytest.fixture
def risks(plan, elsewhere):
    programme = plan["programme"]
    owner = PersonFactory(organisation=programme.organisation, name="Risk Owner")

    def risk(reference, current, inherent=None, **fields):
        return RiskFactory(
            programme=programme,
            reference=reference,
            current_likelihood=current[0],
            current_impact=current[1],
            inherent_likelihood=inherent[0] if inherent else None,
            inherent_impact=inherent[1] if inherent else None,
            **fields,
        )

    return {
        "owner": owner,
        "R1": risk(
            "R1",
            (4, 3),
            (5, 5),
            workstream=plan["ws_1_1"],
            category="financial",
            owner=owner,
        ),
        "R2": risk("R2", (4, 3), (4, 3), status="closed", closing_reason="Passed"),
        "R3": risk("R3", (2, 2), (4, 3), area=plan["area_one"]),
        "R4": risk("R4", (5, 4)),
        "R5": risk("R5", (4, 3), status="realised"),
        "R6": risk("R6", (1, 2), (2, 3), workstream=plan["ws_2_1"]),
    }


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", ["R4", "R1", "R3", "R6"]),  # open risks, highest current score first
        ("?likelihood=4&impact=3", ["R1"]),
        ("?likelihood=4&impact=3&scores=inherent", ["R3"]),
        ("?likelihood=4&impact=3&status=", ["R1", "R2", "R5"]),
        ("?likelihood=4&impact=3&scores=inherent&status=", ["R2", "R3"]),
        ("?likelihood=4", ["R1"]),
        ("?status=closed", ["R2"]),
        ("?status=realised", ["R5"]),
        ("?band=red", ["R4"]),
        ("?band=amber", ["R1"]),
        ("?band=green", ["R3", "R6"]),
        ("?band=red&scores=inherent", ["R1"]),
        ("?band=amber&scores=inherent", ["R3", "R6"]),
        ("?category=financial", ["R1"]),
        ("?q=r3", ["R3"]),
    ],
)
def test_the_risk_filters_follow_the_heat_map(signed_in, plan, risks, query, expected):
    assert references(get_list(signed_in, "risk_list", plan["programme"], query)) == expected


def test_risks_filter_by_owner_area_and_workstream(signed_in, plan, risks):
    programme = plan["programme"]
    owner = f"?owner={risks['owner'].pk}"
    assert references(get_list(signed_in, "risk_list", programme, owner)) == ["R1"]
    area = f"?area={plan['area_one'].pk}"  # the area's own risks and its workstreams'
    assert references(get_list(signed_in, "risk_list", programme, area)) == ["R1", "R3"]
    workstream = f"?workstream={plan['ws_2_1'].pk}"
    assert references(get_list(signed_in, "risk_list", programme, workstream)) == ["R6"]


def test_the_register_shows_scores_bands_and_inherent_scores_when_filtered_on(
    signed_in, plan, risks
):
    programme = plan["programme"]
    html = get_list(signed_in, "risk_list", programme, "?likelihood=4&impact=3").content.decode()
    assert "4 x 3 = 12" in html and ">Amber</strong>" in html and "Workstream 1.1" in html
    assert ">Inherent score<" not in html  # no column for it (the heat map offers the switch)
    query = "?likelihood=4&impact=3&scores=inherent"
    html = get_list(signed_in, "risk_list", programme, query).content.decode()
    assert "Inherent score" in html and "Area 1" in html


def test_the_programmes_bands_decide_the_band_filter(signed_in, plan, risks):
    programme = plan["programme"]
    programme.risk_amber_from, programme.risk_red_from = 4, 12
    programme.save()
    assert references(get_list(signed_in, "risk_list", programme, "?band=red")) == ["R4", "R1"]
    assert references(get_list(signed_in, "risk_list", programme, "?band=amber")) == ["R3"]


# ----- Decisions -----


@pytest.fixture
def decisions(plan, milestones):
    programme = plan["programme"]
    return [
        Decision.objects.create(
            programme=programme,
            reference="D1",
            title="Approve the consultation",
            forum="Cabinet",
            needed_by=month_end(TODAY),
            needed_by_precision="month",
            milestone=milestones["1.1.2"],
        ),
        Decision.objects.create(
            programme=programme,
            reference="D2",
            title="Agree the budget",
            forum="Programme Board",
            status="made",
            made_on=TODAY,
            outcome="Agreed",
        ),
        Decision.objects.create(
            programme=programme,
            reference="D3",
            title="Choose a provider",
            forum="Cabinet",
            status="deferred",
        ),
    ]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", ["D1", "D2", "D3"]),
        ("?status=pending", ["D1"]),
        ("?status=made", ["D2"]),
        ("?forum=Cabinet", ["D1", "D3"]),
        ("?forum=Cabinet&status=deferred", ["D3"]),
        ("?q=budget", ["D2"]),
    ],
)
def test_the_decision_filters(signed_in, plan, decisions, query, expected):
    assert references(get_list(signed_in, "decision_list", plan["programme"], query)) == expected


def test_the_decision_log_shows_months_and_the_linked_milestone(signed_in, plan, decisions):
    html = get_list(signed_in, "decision_list", plan["programme"]).content.decode()
    assert f">{TODAY:%b %Y}</td>" in html
    assert "1.1.2 Due today" in html
    assert reverse("milestone_detail", args=[decisions[0].milestone_id]) in html


# ----- Sorting -----


def test_columns_sort_both_ways_with_empty_values_last(signed_in, plan, milestones):
    programme = plan["programme"]
    ascending = references(get_list(signed_in, "milestone_list", programme, "?sort=forecast"))
    assert ascending[:3] == ["1.1.5", "1.1.4", "2.1.1"]
    descending = references(get_list(signed_in, "milestone_list", programme, "?sort=-forecast"))
    assert descending[:3] == ["1.1.4", "2.1.1", "1.1.5"]
    assert set(ascending[3:]) == set(descending[3:])  # no forecast: last either way
    worst_first = references(get_list(signed_in, "milestone_list", programme, "?sort=rag"))
    assert worst_first[:4] == ["1.1.1", "1.1.4", "1.1.5", "2.1.1"]


def test_the_sorted_header_says_so_and_its_link_reverses_it_keeping_the_filters(
    signed_in, plan, milestones
):
    html = get_list(
        signed_in, "milestone_list", plan["programme"], "?rag=red&sort=baseline&page=1"
    ).content.decode()
    header = re.search(r'<th [^>]*aria-sort="([a-z]+)"[^>]*>\s*<a [^>]*href="([^"]+)"', html)
    assert header.group(1) == "ascending"
    assert (
        unescape(header.group(2))
        == f"{reverse('milestone_list', args=[plan['programme'].pk])}?rag=red&sort=-baseline"
    )
    assert html.count("aria-sort=") == 1
    assert 'name="sort" value="baseline"' in html  # applying filters keeps the sort


def test_an_unknown_sort_falls_back_to_the_default(signed_in, plan, risks):
    query = "?sort=password"
    assert references(get_list(signed_in, "risk_list", plan["programme"], query)) == [
        "R4",
        "R1",
        "R3",
        "R6",
    ]


# ----- Paging -----


@pytest.fixture
def many_risks(plan):
    for number in range(1, 121):
        RiskFactory(
            programme=plan["programme"],
            reference=f"R{number}",
            category="financial" if number % 2 else "legal",
        )


def test_pages_hold_fifty_rows_and_their_links_keep_the_filters(signed_in, plan, many_risks):
    programme = plan["programme"]
    query = "?category=financial&sort=reference"
    first = get_list(signed_in, "risk_list", programme, query)
    assert references(first) == [f"R{n}" for n in range(1, 100, 2)]
    html = first.content.decode()
    assert "60 risks" in html
    assert 'class="govuk-pagination"' in html
    assert (
        f'href="/programmes/{programme.pk}/risks/?category=financial&amp;sort=reference&amp;page=2" rel="next"'
        in html
    )
    second = get_list(signed_in, "risk_list", programme, query + "&page=2")
    assert references(second) == [f"R{n}" for n in range(101, 121, 2)]
    assert 'aria-current="page">2<' in second.content.decode()


def test_a_page_beyond_the_last_shows_the_last(signed_in, plan, many_risks):
    response = get_list(signed_in, "risk_list", plan["programme"], "?sort=reference&page=99")
    assert references(response) == [f"R{n}" for n in range(101, 121)]


# ----- Who may see -----


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("file_format", ["", "csv", "xlsx"])
def test_an_outsider_gets_page_not_found_for_every_list_and_download(
    client, plan, people, name, file_format
):
    client.force_login(people["outsider"])
    query = f"?format={file_format}" if file_format else ""
    response = get_list(client, name, plan["programme"], query)
    assert response.status_code == 404
    assert "Content-Disposition" not in response


@pytest.mark.parametrize("name", LISTS)
def test_every_role_may_open_every_list(client, plan, people, name):
    for role in ["board", "sponsor", "manager", "lead", "office", "admin"]:
        client.force_login(people[role])
        assert get_list(client, name, plan["programme"]).status_code == 200, role


@pytest.mark.parametrize("name", LISTS)
def test_signed_out_visitors_are_sent_to_sign_in(client, plan, name):
    response = get_list(client, name, plan["programme"], "?format=csv")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", LISTS)
def test_each_list_page_has_filters_a_count_and_download_links(signed_in, plan, name):
    html = get_list(signed_in, name, plan["programme"], "?q=zzz&sort=reference").content.decode()
    assert '<form method="get"' in html and "Apply filters" in html and "Clear filters" in html
    assert "?q=zzz&amp;sort=reference&amp;format=csv" in html
    assert "?q=zzz&amp;sort=reference&amp;format=xlsx" in html
    assert re.search(r'id="list-count">0 [a-z]+s<', html)
    assert 'class="govuk-breadcrumbs"' in html
    assert "[invalid name]" not in html  # every filter has a label of its own
