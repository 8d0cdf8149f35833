"""Every list, and its downloads, runs a fixed number of queries whatever the programme's
size (STYLE.md: "a page is a few queries whatever the data size")."""

import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from programmes.choices import Role
from programmes.dates import FinancialYear
from risks.models import Decision
from tests.clock import TODAY, frozen_clock
from tests.factories import (
    AreaFactory,
    MeasureFactory,
    MeasureReadingFactory,
    MeasureTargetFactory,
    MilestoneFactory,
    PeriodFactory,
    PersonFactory,
    ProgrammeFactory,
    RiskFactory,
    StatusUpdateFactory,
    UserFactory,
    WorkstreamFactory,
    grant,
)
from workstreams.models import ProgressNote

# (list, filters, most queries): session, user, memberships, programme, the filters' choices
# and the rows; the same whether the programme has a few rows or many.
# The filters pick rows in every workstream: rows per workstream follow the query count.
# The milestone list rates through the one loader (workstreams.assessment.load_state), which
# reads the areas and workstreams for their tolerances apart from the milestones: one more
# query than when the list joined them itself. It rates the whole plan, kept once per change
# of the programme (issue 17), and reads the filtered milestones' ids apart: one query more
# the first time, three fewer once the plan's rating is kept.
LISTS = [
    ("workstream_list", "?rag=amber&sort=-suggested", 1, 16),
    ("milestone_list", "?due=overdue&sort=rag", 1, 12),
    ("measure_list", "?rag=green&sort=latest", 1, 13),
    ("risk_list", "?likelihood=3&impact=3&sort=owner", 2, 12),
    ("decision_list", "?status=pending&sort=milestone", 1, 9),
]


def build_programme(size: int):
    """A programme with every kind of row the lists read, `size` times over."""
    programme = ProgrammeFactory()
    period = PeriodFactory(programme=programme, month=TODAY.replace(day=1))
    areas = [AreaFactory(programme=programme) for _ in range(2)]
    for index in range(3 * size):
        lead = PersonFactory(organisation=programme.organisation)
        workstream = WorkstreamFactory(area=areas[index % 2], lead=lead)
        for number in range(3):
            milestone = MilestoneFactory(
                workstream=workstream,
                baseline_date=TODAY + timedelta(days=30 * number - 40),
                forecast_date=TODAY + timedelta(days=30 * number - 10),
            )
            ProgressNote.objects.create(milestone=milestone, noted_on=TODAY, text="Going well")
        measure = MeasureFactory(workstream=workstream)
        MeasureTargetFactory(
            measure=measure, financial_year=FinancialYear.containing(TODAY).start_year
        )
        MeasureReadingFactory(measure=measure, period=date(TODAY.year, TODAY.month, 1))
        StatusUpdateFactory(
            workstream=workstream,
            period=period,
            state="submitted",
            rag="amber",
            reason="Slipping",
            submitted_at=timezone.now(),
        )
        RiskFactory(programme=programme, workstream=workstream, owner=lead)
        RiskFactory(
            programme=programme, area=areas[index % 2], inherent_likelihood=4, inherent_impact=4
        )
        Decision.objects.create(
            programme=programme,
            reference=f"D{index}",
            title="Decide",
            forum=f"Forum {index % 2}",
            milestone=milestone,
        )
    return programme


@pytest.fixture(scope="module")
def _programmes(django_db_setup, django_db_blocker) -> dict:
    """The programme of each size, built once for the module inside a transaction rolled back
    after its last test (each test's own writes are rolled back after it, as usual)."""
    with django_db_blocker.unblock(), frozen_clock(), transaction.atomic():
        yield {size: build_programme(size) for size in (1, 4)}
        transaction.set_rollback(True)


@pytest.mark.parametrize("size", [1, 4])
@pytest.mark.parametrize("name, query, per_workstream, most", LISTS)
@pytest.mark.parametrize("file_format", ["", "csv", "xlsx"])
def test_each_list_runs_a_fixed_number_of_queries(
    client,
    _programmes,
    db,
    size,
    name,
    query,
    per_workstream,
    most,
    file_format,
    django_assert_max_num_queries,
):
    programme = _programmes[size]
    user = UserFactory()
    grant(user, Role.BOARD_MEMBER, programme=programme)
    client.force_login(user)
    url = reverse(name, args=[programme.pk]) + query
    if file_format:
        url += f"&format={file_format}"
    with django_assert_max_num_queries(most):
        response = client.get(url)
    assert response.status_code == 200
    rows = 3 * size * per_workstream
    if file_format == "csv":
        assert len(response.content.decode("utf-8-sig").splitlines()) == rows + 1
    elif file_format == "xlsx":
        assert openpyxl.load_workbook(io.BytesIO(response.content)).active.max_row == rows + 1
    else:
        assert f'id="list-count">{rows} ' in response.content.decode()
