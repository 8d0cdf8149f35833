"""The programme and workstream pages show the plan with RAG tags and words, explain their
ratings, and run a fixed number of queries whatever the programme's size."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.choices import Rag, Role
from tests.factories import (
    AreaFactory,
    BudgetLineFactory,
    MeasureFactory,
    MeasureReadingFactory,
    MeasureTargetFactory,
    MilestoneFactory,
    PeriodFactory,
    ProgrammeFactory,
    RiskFactory,
    StatusUpdateFactory,
    UserFactory,
    WorkstreamFactory,
    grant,
)


def test_the_programme_page_shows_each_workstream_with_its_rating_in_words(client, plan, people):
    today = timezone.localdate()
    MilestoneFactory(
        workstream=plan["ws_1_1"], reference="1.1.3", baseline_date=today - timedelta(days=47)
    )
    client.force_login(people["board"])
    response = client.get(reverse("programme_detail", args=[plan["programme"].pk]))
    html = response.content.decode()
    assert 'id="rag-grid"' in html
    assert "1.1" in html and "Day Opportunities" in html and "Extra Care Housing" in html
    assert "govuk-tag--red" in html and ">Red</strong>" in html
    assert "milestone 1.1.3 is 47 days late" in html


def test_the_workstream_page_shows_milestones_measures_risks_updates_budget_and_history(
    client, plan, people
):
    workstream = plan["ws_1_1"]
    today = timezone.localdate()
    MilestoneFactory(workstream=workstream, reference="1.1.1", title="Staff consultation meetings")
    measure = MeasureFactory(workstream=workstream, reference="NI 141", title="Independent living")
    MeasureTargetFactory(
        measure=measure,
        financial_year=today.year if today.month >= 4 else today.year - 1,
        value=Decimal(100),
    )
    MeasureReadingFactory(measure=measure, period=today.replace(day=1), value=Decimal(88))
    RiskFactory(
        programme=plan["programme"],
        workstream=workstream,
        reference="CF6 - 001",
        title="Dependency on the ACM programme",
        current_likelihood=4,
        current_impact=3,
    )
    StatusUpdateFactory(
        workstream=workstream,
        rag=Rag.AMBER,
        reason="Consultation slipped",
        state="submitted",
        submitted_at=timezone.now(),
    )
    BudgetLineFactory(workstream=workstream, description="Project officer")
    client.force_login(people["lead"])
    html = client.get(reverse("workstream_detail", args=[workstream.pk])).content.decode()
    for text in [
        "Staff consultation meetings",
        "NI 141",
        "missed its target of 100 by 12%",
        "CF6 - 001",
        "4 x 3 = 12",
        "Consultation slipped",
        "Project officer",
        "Milestone 1.1.1</strong>: Added",
    ]:
        assert text in html, text


def build_programme(workstreams: int, milestones: int):
    """A programme of a given size with every kind of row the pages read."""
    programme = ProgrammeFactory()
    period = PeriodFactory(programme=programme, month=timezone.localdate().replace(day=1))
    areas = [AreaFactory(programme=programme) for _ in range(3)]
    first = None
    for index in range(workstreams):
        workstream = WorkstreamFactory(area=areas[index % 3])
        first = first or workstream
        for number in range(milestones):
            MilestoneFactory(workstream=workstream, baseline_date=date(2026, 1 + number % 12, 28))
        measure = MeasureFactory(workstream=workstream)
        MeasureTargetFactory(measure=measure)
        MeasureReadingFactory(measure=measure)
        StatusUpdateFactory(
            workstream=workstream,
            period=period,
            state="submitted",
            rag="amber",
            reason="Slipping",
            submitted_at=timezone.now(),
        )
        RiskFactory(programme=programme, workstream=workstream)
        BudgetLineFactory(workstream=workstream)
    return programme, first


@pytest.mark.parametrize("size", [1, 4])
def test_the_programme_page_runs_a_fixed_number_of_queries(
    client, db, size, django_assert_max_num_queries
):
    programme, _ = build_programme(workstreams=3 * size, milestones=2 * size)
    user = UserFactory()
    grant(user, Role.BOARD_MEMBER, programme=programme)
    client.force_login(user)
    # 22 since issue 15: the exceptions raised by hand and the latest approved report, shown
    # above the fold (no period this month, so no narratives to read); 23 with the benefits
    # (issue 16).
    with django_assert_max_num_queries(23):
        response = client.get(reverse("programme_detail", args=[programme.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 4])
def test_the_workstream_page_runs_a_fixed_number_of_queries(
    client, db, size, django_assert_max_num_queries
):
    programme, workstream = build_programme(workstreams=2, milestones=3 * size)
    for _ in range(size * 2):
        StatusUpdateFactory(
            workstream=workstream,
            period=PeriodFactory(programme=programme, month=date(2024 - _, 1, 1)),
        )
    user = UserFactory()
    grant(user, Role.WORKSTREAM_LEAD, workstream=workstream)
    client.force_login(user)
    # 34 since issue 11: the workstreams it depends on and that depend on it, and its budget;
    # 38 since issue 15 (as at, dependencies, the trend), 37 since issue 13: its comments, the people they mention, a name to show how to mention
    # someone (and the comments' content type, the first time it is asked for).
    with django_assert_max_num_queries(38):
        response = client.get(reverse("workstream_detail", args=[workstream.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 4])
def test_the_programme_list_runs_a_fixed_number_of_queries(
    client, db, size, django_assert_max_num_queries
):
    user = UserFactory()
    for _ in range(2 * size):
        programme, _first = build_programme(workstreams=2, milestones=1)
        grant(user, Role.BOARD_MEMBER, programme=programme)
    client.force_login(user)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("programme_list"))
    assert response.content.decode().count("/programmes/") >= 2 * size
