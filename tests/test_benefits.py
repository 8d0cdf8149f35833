"""The benefits register (issue 16, part 1): the benefit RAG at its boundaries, who may keep
the register and record realisation (also after the programme closes), the pages, the
dashboard and the highlight report, and a fixed number of queries at two sizes."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from programmes.choices import Role
from programmes.rules import RagResult
from programmes.snapshots import Snapshot
from reporting.pdf import render_html
from reporting.reports import gather_highlight
from tests.clock import TODAY
from tests.factories import (
    MeasureFactory,
    PeriodFactory,
    PersonFactory,
    ProgrammeFactory,
    UserFactory,
    WorkstreamFactory,
    grant,
)
from workstreams.benefits import benefits_of, benefits_summary, load_benefit_rows
from workstreams.models import Benefit, BenefitYear
from workstreams.rules import BenefitFigures, benefit_rag, benefit_years_to_date
from workstreams.services.benefits import (
    BenefitDetails,
    add_benefit,
    edit_benefit,
    record_realisation,
)

D = Decimal
# TODAY is in 2026/27: 2025/26 has ended, 2026/27 is under way.
AS_OF = date(2026, 11, 18)


def rate(*years, **kwargs) -> RagResult:
    return benefit_rag(years=[BenefitFigures(*year) for year in years], as_of=AS_OF, **kwargs)


# ----- The rule -----


def test_a_benefit_realised_as_planned_is_green_and_says_so():
    result = rate((2025, D(100000), D(100000)))
    assert result.rag == "green"
    assert result.explanation() == (
        "Green because: it realised £100,000 of £100,000 planned to 2025/26"
    )


@pytest.mark.parametrize(
    ("realised", "rag"),
    [
        (D("95000"), "amber"),  # exactly at the 5% tolerance: within it
        (D("94999.99"), "red"),  # a penny beyond
        (D("99999.99"), "amber"),  # a penny short
        (D("100000.01"), "green"),  # more than planned
    ],
)
def test_the_benefits_tolerance_is_the_boundary_between_amber_and_red(realised, rag):
    assert rate((2025, D(100000), realised), tolerance_percent=D(5)).rag == rag


def test_the_reason_gives_the_shortfall_and_the_tolerance():
    amber = rate((2025, D(100000), D(96000)), tolerance_percent=D(5))
    red = rate((2025, D(100000), D(80000)), tolerance_percent=D(10))
    assert amber.reasons[0].text() == (
        "it realised £96,000 of £100,000 planned to 2025/26: 4% short (within 5% tolerance)"
    )
    assert red.reasons[0].text() == (
        "it realised £80,000 of £100,000 planned to 2025/26: 20% short (tolerance 10%)"
    )


def test_a_programme_with_a_wider_tolerance_rates_the_same_shortfall_amber():
    assert rate((2025, D(100), D(92)), tolerance_percent=D(5)).rag == "red"
    assert rate((2025, D(100), D(92)), tolerance_percent=D(8)).rag == "amber"


def test_years_add_up_to_date_and_a_year_under_way_counts_once_recorded():
    years = [(2024, D(50), D(50)), (2025, D(50), D(40)), (2026, D(100), None)]
    # 2026/27 has not ended and nothing is recorded: judged on 100 planned, 90 realised.
    assert rate(*years).reasons[0].text().startswith("it realised £90 of £100 planned to 2025/26")
    recorded = [*years[:2], (2026, D(100), D(100))]
    assert (
        rate(*recorded).reasons[0].text().startswith("it realised £190 of £200 planned to 2026/27")
    )
    figures = [BenefitFigures(*year) for year in years]
    assert [y.financial_year for y in benefit_years_to_date(figures, AS_OF)] == [2024, 2025]
    # On the last day of 2025/26 that year is still under way: it counts only once recorded.
    unrecorded = [BenefitFigures(2024, D(50), D(50)), BenefitFigures(2025, D(50), None)]
    last_day = date(2026, 3, 31)
    assert [y.financial_year for y in benefit_years_to_date(unrecorded, last_day)] == [2024]
    assert [y.financial_year for y in benefit_years_to_date(figures, last_day)] == [2024, 2025]


def test_a_dis_benefit_is_worse_when_it_comes_to_more_than_expected():
    assert rate((2025, D(1000), D(900)), disbenefit=True).rag == "green"
    assert rate((2025, D(1000), D(1050)), disbenefit=True).rag == "amber"
    red = rate((2025, D(1000), D(1200)), disbenefit=True)
    assert red.rag == "red"
    assert "came to £1,200 against £1,000 expected to 2025/26: 20% more than expected" in (
        red.reasons[0].text()
    )


@pytest.mark.parametrize(
    ("years", "kwargs", "reason"),
    [
        ([(2025, D(100), D(0))], {"qualitative": True}, "is qualitative"),
        ([(2025, D(100), D(0))], {"abandoned": True}, "was abandoned"),
        ([], {}, "has no planned profile yet"),
        ([(2025, None, D(10))], {}, "has no planned profile yet"),
        ([(2027, D(100), None)], {}, "its profile starts in 2027/28"),
    ],
)
def test_no_rating_without_something_to_rate_against_and_it_says_why(years, kwargs, reason):
    result = rate(*years, **kwargs)
    assert result.rag == "no_data"
    assert reason in result.reasons[0].text()


def test_nothing_planned_to_date_but_something_realised_is_green():
    assert rate((2025, D(0), D(10))).rag == "green"


def test_amounts_in_other_units_are_said_in_them():
    result = rate((2025, D(100), D(50)), unit="days")
    assert "realised 50 days of 100 days" in result.reasons[0].text()


# ----- Services and permissions -----


@pytest.fixture
def benefit(plan, people):
    owner = people["lead"].person
    created = add_benefit(
        plan["programme"],
        by=people["office"],
        details=BenefitDetails(
            reference="B1",
            title="Fewer residential placements",
            owner_id=owner.pk,
            workstream_ids=[plan["ws_1_1"].pk],
            planned={2025: D(100000), 2026: D(150000)},
        ),
    )
    return created


def test_the_office_adds_a_benefit_with_its_profile_and_the_history_records_it(benefit, people):
    assert {y.financial_year: y.planned for y in benefit.years.all()} == {
        2025: D("100000.00"),
        2026: D("150000.00"),
    }
    assert benefit.history.first().history_user == people["office"]
    assert list(benefit.workstreams.values_list("reference", flat=True)) == ["1.1"]


@pytest.mark.parametrize("who", ["board", "manager", "lead", "sponsor"])
def test_only_the_office_keeps_the_register(plan, people, who):
    with pytest.raises(PermissionDenied):
        add_benefit(
            plan["programme"],
            by=people[who],
            details=BenefitDetails(reference="B9", title="Anything"),
        )


def test_someone_outside_the_programme_is_told_nothing(plan, people, benefit):
    with pytest.raises(Http404):
        add_benefit(
            plan["programme"], by=people["outsider"], details=BenefitDetails("B9", "Anything")
        )
    with pytest.raises(Http404):
        record_realisation(
            benefit, by=people["outsider"], financial_year=2025, realised=D(1), evidence="x"
        )


def test_the_owner_records_realisation_and_others_may_not(benefit, people):
    year = record_realisation(
        benefit,
        by=people["lead"],
        financial_year=2025,
        realised=D(97000),
        evidence="Placements report, March 2026",
        version=BenefitYear.objects.get(benefit=benefit, financial_year=2025).version,
    )
    assert (year.realised, year.recorded_by) == (D(97000), people["lead"])
    for who in ("board", "manager", "other_lead"):
        with pytest.raises(PermissionDenied):
            record_realisation(
                benefit, by=people[who], financial_year=2025, realised=D(1), evidence="x"
            )


def test_a_realisation_needs_evidence_and_a_year_that_has_begun(benefit, people):
    with pytest.raises(ValidationError) as refused:
        record_realisation(
            benefit, by=people["office"], financial_year=2027, realised=None, evidence=" "
        )
    assert set(refused.value.message_dict) == {"financial_year", "realised", "evidence"}


def test_a_cashable_saving_is_in_pounds_and_a_qualitative_benefit_has_no_amounts(plan, people):
    with pytest.raises(ValidationError) as refused:
        add_benefit(
            plan["programme"],
            by=people["office"],
            details=BenefitDetails("B2", "Saving", unit="number"),
        )
    assert "unit" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        add_benefit(
            plan["programme"],
            by=people["office"],
            details=BenefitDetails(
                "B2", "Choice", benefit_type="qualitative", planned={2026: D(5)}
            ),
        )
    assert "planned_2026" in refused.value.message_dict


def test_clearing_a_planned_year_removes_it_but_keeps_a_realised_one(benefit, people):
    record_realisation(
        benefit, by=people["office"], financial_year=2025, realised=D(90000), evidence="Audit"
    )
    benefit.refresh_from_db()
    edit_benefit(
        benefit,
        by=people["office"],
        version=benefit.version,
        details=BenefitDetails(
            "B1", "Fewer residential placements", planned={2025: None, 2026: None}
        ),
    )
    years = {y.financial_year: (y.planned, y.realised) for y in benefit.years.all()}
    assert years == {2025: (None, D("90000.00"))}


def close(programme):
    type(programme).objects.filter(pk=programme.pk).update(status="closed")


def test_after_the_programme_closes_only_the_owner_records_realisation(plan, people, benefit):
    close(plan["programme"])
    for user in people.values():
        user.__dict__.pop("_programme_access", None)
    benefit = Benefit.objects.select_related("programme").get(pk=benefit.pk)
    with pytest.raises(PermissionDenied):
        record_realisation(
            benefit, by=people["office"], financial_year=2025, realised=D(1), evidence="x"
        )
    with pytest.raises(PermissionDenied):
        edit_benefit(
            benefit, by=people["office"], version=benefit.version, details=BenefitDetails("B1", "x")
        )
    year = record_realisation(
        benefit, by=people["lead"], financial_year=2025, realised=D(100000), evidence="Audit"
    )
    assert year.realised == D(100000)


# ----- Pages -----


def login(client, user):
    client.force_login(user)
    return client


def test_the_register_lists_rates_and_filters_benefits(client, plan, people, benefit):
    record_realisation(
        benefit, by=people["office"], financial_year=2025, realised=D(80000), evidence="Audit"
    )
    url = reverse("benefit_list", args=[plan["programme"].pk])
    page = login(client, people["board"]).get(url).content.decode()
    assert "Fewer residential placements" in page
    assert "realised £80,000 of £100,000 planned to 2025/26: 20% short" in page
    assert "Add a benefit" not in page  # the board only reads
    assert "Fewer residential" not in client.get(url, {"rag": "green"}).content.decode()
    assert "Fewer residential" in client.get(url, {"rag": "red"}).content.decode()
    download = client.get(url, {"format": "csv"})
    assert b"B1,Fewer residential placements,Cashable saving" in download.content


def test_the_register_is_linked_from_the_dashboard_and_the_other_lists(client, plan, people):
    login(client, people["board"])
    url = reverse("benefit_list", args=[plan["programme"].pk])
    dashboard = client.get(reverse("programme_detail", args=[plan["programme"].pk]))
    assert f'href="{url}"' in dashboard.content.decode()
    risks = client.get(reverse("risk_list", args=[plan["programme"].pk]))
    assert f'href="{url}"' in risks.content.decode()


def test_a_benefit_page_shows_its_profile_and_what_each_role_may_do(client, people, benefit):
    url = reverse("benefit_detail", args=[benefit.pk])
    edit = reverse("benefit_edit", args=[benefit.pk])
    record = reverse("benefit_realisation", args=[benefit.pk, 2025])
    board = login(client, people["board"]).get(url).content.decode()
    assert "2025/26" in board and "£100,000" in board and "£150,000" in board
    assert edit not in board and record not in board
    owner = login(client, people["lead"]).get(url).content.decode()
    assert record in owner and edit not in owner
    office = login(client, people["office"]).get(url).content.decode()
    assert record in office and edit in office


def test_another_programmes_user_is_not_told_the_benefit_exists(client, benefit):
    elsewhere = ProgrammeFactory(name="Children's Services")
    user = UserFactory()
    grant(user, Role.PROGRAMME_OFFICE, programme=elsewhere)
    login(client, user)
    assert client.get(reverse("benefit_detail", args=[benefit.pk])).status_code == 404
    assert client.get(reverse("benefit_edit", args=[benefit.pk])).status_code == 404
    assert client.get(reverse("benefit_realisation", args=[benefit.pk, 2025])).status_code == 404


def test_the_board_is_refused_the_forms(client, people, plan, benefit):
    login(client, people["board"])
    assert client.get(reverse("benefit_add", args=[plan["programme"].pk])).status_code == 403
    assert client.post(reverse("benefit_edit", args=[benefit.pk]), {}).status_code == 403
    response = client.post(reverse("benefit_realisation", args=[benefit.pk, 2025]), {})
    assert response.status_code == 403


def test_adding_a_benefit_through_the_form(client, people, plan):
    login(client, people["office"])
    url = reverse("benefit_add", args=[plan["programme"].pk])
    measure = MeasureFactory(workstream=plan["ws_1_1"])
    response = client.post(
        url,
        {
            "reference": "CSB-03",
            "title": "Carers supported at home",
            "benefit_type": "non_cashable",
            "unit": "pounds",
            "owner": people["lead"].person.pk,
            "confidence": "high",
            "status": "realising",
            "workstreams": [plan["ws_1_1"].pk, plan["ws_1_2"].pk],
            "measures": [measure.pk],
            "planned_2026": "£12,500",
        },
    )
    benefit = Benefit.objects.get(reference="CSB-03")
    assert response.status_code == 302
    assert benefit.years.get().planned == D("12500")
    assert benefit.measures.get() == measure


def test_a_bad_form_shows_the_error_summary_and_the_message_by_the_field(client, people, plan):
    login(client, people["office"])
    url = reverse("benefit_add", args=[plan["programme"].pk])
    response = client.post(
        url,
        {
            "reference": "",
            "title": "Savings",
            "benefit_type": "cashable",
            "unit": "number",
            "confidence": "high",
            "status": "planned",
            "planned_2026": "lots",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in page
    assert "Enter a reference for the benefit" in page
    assert "The amount planned for 2026/27 must be an amount" in page


def test_the_owner_records_realisation_through_the_form(client, people, benefit):
    login(client, people["lead"])
    url = reverse("benefit_realisation", args=[benefit.pk, 2025])
    form = client.get(url)
    version = re.search(r'name="version" value="(\d+)"', form.content.decode()).group(1)
    response = client.post(url, {"version": version, "realised": "98,000", "evidence": "Audit"})
    assert response.status_code == 302
    assert BenefitYear.objects.get(benefit=benefit, financial_year=2025).realised == D(98000)
    refused = client.post(url, {"version": version, "realised": "1", "evidence": "Again"})
    assert refused.status_code == 409  # a stale version: someone (they) saved since


def test_the_owner_still_records_after_the_programme_closes(client, people, plan, benefit):
    close(plan["programme"])
    login(client, people["office"])
    url = reverse("benefit_realisation", args=[benefit.pk, 2025])
    assert client.get(url).status_code == 403
    login(client, people["lead"])
    response = client.post(url, {"realised": "100000", "evidence": "Audit", "version": ""})
    assert response.status_code in (200, 302)
    page = client.get(reverse("benefit_detail", args=[benefit.pk])).content.decode()
    assert "The programme is closed" in page


def test_benefits_on_the_dashboard(client, people, plan, benefit):
    record_realisation(
        benefit, by=people["office"], financial_year=2025, realised=D(50000), evidence="Audit"
    )
    login(client, people["board"])
    page = client.get(reverse("programme_detail", args=[plan["programme"].pk])).content.decode()
    assert 'id="benefits-heading"' in page
    assert "data:image/svg+xml;base64," in page
    assert "2025/26: planned £100,000, realised £50,000" in page  # the chart's words
    assert "Short of their profile" in page


# ----- For other code -----


def test_benefits_of_gives_rows_for_the_return(plan, people, benefit):
    record_realisation(
        benefit, by=people["office"], financial_year=2025, realised=D(100000), evidence="Audit"
    )
    (row,) = benefits_of(plan["programme"], as_of=TODAY)
    assert (row.reference, row.title, row.type_label) == (
        "B1",
        "Fewer residential placements",
        "Cashable saving",
    )
    assert row.planned_by_year == {2025: D("100000.00"), 2026: D("150000.00")}
    assert row.realised_by_year == {2025: D("100000.00")}
    assert row.result.rag == "green"


def test_the_summary_counts_only_benefits_in_pounds(plan, people, benefit):
    add_benefit(
        plan["programme"],
        by=people["office"],
        details=BenefitDetails("B2", "Noise", is_disbenefit=True, planned={2025: D(999)}),
    )
    summary = benefits_summary(plan["programme"], as_of=TODAY)
    assert [(y.label, y.planned) for y in summary.years] == [
        ("2025/26", D(100000)),
        ("2026/27", D(150000)),
    ]
    assert dict(summary.counts)["no_data"] == 0


def test_benefits_in_the_highlight_report(plan, people, benefit):
    record_realisation(
        benefit, by=people["office"], financial_year=2025, realised=D(80000), evidence="Audit"
    )
    period = PeriodFactory(programme=plan["programme"], month=TODAY.replace(day=1))
    report = gather_highlight(plan["programme"], period, author="Programme office")
    html = render_html(report)
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Annex F: Benefits" in text
    assert "1 Red, 0 Amber, 0 Green, 0 not rated" in text
    assert re.search(r"B1(&ensp;| )Fewer residential placements", text)
    assert "It realised £80,000 of £100,000 planned to 2025/26: 20% short (tolerance 5%)" in text
    assert "data:image/svg+xml;base64," in html


# ----- A fixed number of queries -----


def build(size: int):
    programme = ProgrammeFactory()
    workstream = WorkstreamFactory(programme=programme)
    office = UserFactory()
    grant(office, Role.PROGRAMME_OFFICE, programme=programme)
    for index in range(5 * size):
        owner = PersonFactory(organisation=programme.organisation)
        benefit = add_benefit(
            programme,
            by=office,
            details=BenefitDetails(
                f"B{index}",
                f"Benefit {index}",
                owner_id=owner.pk,
                workstream_ids=[workstream.pk],
                planned={2025: D(20), 2026: D(30)},
            ),
        )
        record_realisation(
            benefit, by=office, financial_year=2025, realised=D(index), evidence="Audit"
        )
    return programme, office, benefit


@pytest.mark.parametrize("size", [1, 4])
def test_the_register_and_a_benefit_take_the_same_queries_at_any_size(
    client, db, size, django_assert_max_num_queries
):
    programme, office, benefit = build(size)
    client.force_login(office)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("benefit_list", args=[programme.pk]), {"sort": "rag"})
    assert response.status_code == 200
    with django_assert_max_num_queries(10):
        response = client.get(reverse("benefit_list", args=[programme.pk]), {"format": "xlsx"})
    assert response.status_code == 200
    # Session, user, memberships, the benefit, its row and years, its workstreams and
    # measures, the history of both (and who made it), the messages.
    with django_assert_max_num_queries(16):
        response = client.get(reverse("benefit_detail", args=[benefit.pk]))
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        response = client.get(reverse("benefit_edit", args=[benefit.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 4])
def test_benefits_add_two_queries_to_the_dashboard_at_any_size(db, size, django_assert_num_queries):
    programme, _office, _benefit = build(size)
    with django_assert_num_queries(2):
        summary = benefits_summary(programme, as_of=TODAY)
        assert len(summary.rows) == 5 * size
        assert summary.chart


@pytest.mark.parametrize("size", [1, 4])
def test_benefits_as_at_a_past_moment_take_three_queries_at_any_size(
    db, size, django_assert_num_queries
):
    programme, office, benefit = build(size)
    before = timezone.now()
    stored = BenefitYear.objects.get(benefit=benefit, financial_year=2025)
    record_realisation(
        benefit,
        by=office,
        financial_year=2025,
        realised=D(999),
        evidence="Corrected",
        version=stored.version,
    )
    with django_assert_num_queries(3):  # the benefits, their years and their owners
        rows = load_benefit_rows(programme, as_of=TODAY, snapshot=Snapshot(before))
    assert len(rows) == 5 * size
    assert all(row.benefit.owner is not None for row in rows)
    # As they stood: the correction made afterwards is not there.
    assert rows[-1].realised_by_year[2025] != D(999)
    assert benefits_of(programme, as_of=TODAY)[-1].realised_by_year[2025] == D(999)
