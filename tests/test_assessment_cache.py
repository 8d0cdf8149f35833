"""A programme's assessment is computed once per change (issue 17), kept in the cache under
the programme's change counter, which every write that can change a rating raises: the
dashboard never shows a rating from before a change."""

import re
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes.caching import changes_of, forget_kept, programme_changed, share, with_changes
from programmes.choices import Rag
from programmes.models import Programme
from reporting.dashboard import build_dashboard
from reporting.portfolio import build_portfolio
from reporting.raised import RaisedDetails, raise_exception
from reporting.state import load_programme_data
from tests.clock import TODAY
from tests.factories import (
    BudgetLineFactory,
    MeasureFactory,
    MeasureReadingFactory,
    MeasureTargetFactory,
    MilestoneFactory,
    PeriodFactory,
    RiskFactory,
)
from workstreams.assessment import assessed
from workstreams.services.benefits import BenefitDetails, add_benefit


def rating_of(programme, workstream) -> Rag:
    return (
        build_dashboard(load_programme_data(programme))
        .rating.workstream(workstream.pk)
        .suggested.rag
    )


@pytest.fixture
def on_track(plan):
    milestone = MilestoneFactory(
        workstream=plan["ws_1_1"], reference="1.1.1", baseline_date=TODAY + timedelta(days=60)
    )
    return plan, milestone


def test_the_assessment_is_kept_until_something_changes(on_track, django_assert_num_queries):
    plan, _ = on_track
    programme = plan["programme"]
    first = assessed(programme, TODAY)
    # Kept: the second time costs the counter's query only.
    with django_assert_num_queries(1):
        again = assessed(programme, TODAY)
    assert again[1].result.rag == first[1].result.rag
    assert again[0].programme is programme


def test_a_milestone_edit_changes_the_dashboard_at_once(on_track, client, people):
    plan, milestone = on_track
    programme = plan["programme"]
    client.force_login(people["board"])
    url = reverse("programme_detail", args=[programme.pk])
    html = client.get(url).content.decode()  # the assessment and the grid are now kept
    assert "milestone 1.1.1 is" not in html
    assert rating_of(programme, plan["ws_1_1"]) == Rag.GREEN
    before = changes_of(programme.pk)

    milestone.refresh_from_db()
    milestone.baseline_date = TODAY - timedelta(days=10)  # now overdue
    milestone.save()

    assert changes_of(programme.pk) == before + 1
    assert rating_of(programme, plan["ws_1_1"]) == Rag.RED
    html = client.get(url).content.decode()
    assert "Red because: milestone 1.1.1 is 10 days late" in html  # the grid, drawn again


def test_a_measure_reading_changes_the_rating_at_once(plan):
    programme, workstream = plan["programme"], plan["ws_1_2"]
    measure = MeasureFactory(workstream=workstream, reference="M1")
    MeasureTargetFactory(measure=measure, value=Decimal(100), financial_year=2026)
    MeasureReadingFactory(measure=measure, period=TODAY.replace(day=1), value=Decimal(100))
    assert rating_of(programme, workstream) == Rag.GREEN

    reading = measure.readings.get()
    reading.value = Decimal(10)
    reading.save()

    assert rating_of(programme, workstream) == Rag.RED


def test_every_write_that_can_change_a_rating_raises_the_counter(on_track):
    plan, milestone = on_track
    programme = plan["programme"]
    counts = [changes_of(programme.pk)]
    risk = RiskFactory(programme=programme)
    counts.append(changes_of(programme.pk))
    BudgetLineFactory(workstream=plan["ws_2_1"])
    counts.append(changes_of(programme.pk))
    milestone.refresh_from_db()
    milestone.delete()
    counts.append(changes_of(programme.pk))
    risk.refresh_from_db()
    risk.current_likelihood = 5
    risk.save()
    counts.append(changes_of(programme.pk))
    programme.refresh_from_db()
    programme.time_tolerance_days = 5
    programme.save()
    counts.append(changes_of(programme.pk))
    assert counts == sorted(set(counts)) and len(counts) == 6


def test_another_programme_is_not_touched(on_track):
    plan, _ = on_track
    from tests.factories import ProgrammeFactory

    other = ProgrammeFactory(name="Another")
    before = changes_of(other.pk)
    MilestoneFactory(workstream=plan["ws_1_2"], reference="1.2.9")
    assert changes_of(other.pk) == before


def test_a_delete_raises_the_counter_once_and_a_programme_goes_quietly(
    on_track, django_assert_max_num_queries
):
    plan, _ = on_track
    programme = plan["programme"]
    MilestoneFactory(workstream=plan["ws_1_1"], reference="1.1.2")
    before = changes_of(programme.pk)
    plan["ws_1_1"].refresh_from_db()
    plan["ws_1_1"].delete()  # with its two milestones
    assert changes_of(programme.pk) == before + 1
    assert rating_of(programme, plan["ws_1_2"]) is not None

    programme.refresh_from_db()
    programme.delete()  # its counter goes with it, and nothing tries to raise it
    from programmes.models import ProgrammeChanges

    assert not ProgrammeChanges.objects.filter(programme_id=programme.pk).exists()


def test_the_kept_budget_and_key_decisions_on_the_dashboard_are_drawn_again_after_a_change(
    on_track, client, people
):
    plan, _ = on_track
    programme = plan["programme"]
    line = BudgetLineFactory(
        workstream=plan["ws_1_1"], allocated=Decimal(1000), forecast=Decimal(1000)
    )
    decision = MilestoneFactory(
        workstream=plan["ws_1_2"],
        reference="1.2.9",
        title="Approve the new charging policy",
        kind="key_decision",
        baseline_date=TODAY + timedelta(days=40),
    )
    client.force_login(people["board"])
    url = reverse("programme_detail", args=[programme.pk])
    html = client.get(url).content.decode()  # the budget and the key decisions are now kept
    assert "£1,000" in html and "£1,850" not in html
    assert "Approve the new charging policy" in html

    line.forecast = Decimal(1850)
    line.variance_explanation = "Agency cover for the new team"
    line.save()
    decision.title = "Approve the revised charging policy"
    decision.save()

    html = client.get(url).content.decode()
    assert "£1,850" in html
    assert "Agency cover for the new team" in html
    assert "Approve the revised charging policy" in html
    assert "Approve the new charging policy" not in html


def test_the_dashboard_is_built_once_a_change_and_shows_each_change_at_once(
    on_track, client, people
):
    plan, _ = on_track
    programme = plan["programme"]
    risk = RiskFactory(programme=programme, reference="R1", title="Care market fails")
    client.force_login(people["board"])
    url = reverse("programme_detail", args=[programme.pk])

    def shown() -> tuple[str, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url).content.decode()
        return html, [query["sql"] for query in queries]

    html, first = shown()
    assert "Care market fails" in html
    assert any('"risks_risk"' in sql for sql in first)
    # Built once: the next request reads neither the risks nor the budget again.
    html, again = shown()
    assert "Care market fails" in html
    assert not any('"risks_risk"' in sql or '"workstreams_budgetline"' in sql for sql in again)
    assert len(again) < len(first)

    risk.title = "Care market fails this winter"
    risk.save()
    html, _ = shown()
    assert "Care market fails this winter" in html

    # The benefits are read for each request, as their changes raise no counter.
    assert "No benefits recorded yet" in html
    before = changes_of(programme.pk)
    add_benefit(
        programme,
        by=people["office"],
        details=BenefitDetails(reference="B1", title="Fewer residential placements"),
    )
    assert changes_of(programme.pk) == before
    html, _ = shown()
    assert "No benefits recorded yet" not in html
    assert 'aria-label="Benefits by rating"' in html


def test_an_exception_raised_by_hand_is_counted_on_the_dashboard_at_once(on_track, client, people):
    """The dashboard counts the period's exceptions once per change: raising one by hand is a
    change (`reporting.RaisedException` raises the counter), so the count moves at once."""
    plan, _ = on_track
    programme = plan["programme"]
    PeriodFactory(programme=programme, month=TODAY.replace(day=1))
    client.force_login(people["board"])
    url = reverse("programme_detail", args=[programme.pk])

    def exceptions_counted() -> int:
        html = client.get(url).content.decode()
        figure = re.search(
            r'app-summary-card__figure">(\d+)</span><a class="govuk-link" href="[^"]+">'
            r"exceptions?\b",
            html,
        )
        return int(figure.group(1))

    before = exceptions_counted()
    raise_exception(
        programme,
        by=people["manager"],
        details=RaisedDetails(
            kind="scope",
            title="Day centre places cut",
            description="Two of the five day centres will not reopen",
            workstream=plan["ws_1_1"],
        ),
    )
    assert exceptions_counted() == before + 1


@contextmanager
def a_request():
    """Inside a request as a WSGI server runs one: `request_started`, then `request_finished`
    when the server closes the response (the database connection is left alone, as the test
    client leaves it)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        request_started.send(sender=None)
        yield
        request_finished.send(sender=None)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_during_a_request_the_shared_cache_is_written_once_the_response_is_sent():
    with a_request():
        share("test:deferred", "kept", 60)
        assert cache.get("test:deferred") is None  # the person waits for no pickling
    assert cache.get("test:deferred") == "kept"
    # Outside a request (a worker's task, a command), at once.
    share("test:at-once", "kept", 60)
    assert cache.get("test:at-once") == "kept"


def test_a_value_that_cannot_be_kept_is_logged_after_the_response_not_raised(caplog):
    with a_request():
        share("test:unpicklable", lambda: "a function cannot be pickled", 60)
        share("test:after-it", "kept", 60)
    assert cache.get("test:unpicklable") is None
    assert cache.get("test:after-it") == "kept"
    assert "Could not keep test:unpicklable in the shared cache" in caplog.text


def test_a_page_shares_the_assessment_it_computed_with_other_processes(
    on_track, client, people, django_assert_num_queries
):
    plan, _ = on_track
    programme = plan["programme"]
    client.force_login(people["board"])
    response = client.get(reverse("workstream_list", args=[programme.pk]))
    assert response.status_code == 200
    forget_kept()  # another process: nothing of its own
    with django_assert_num_queries(1):  # the counter; the assessment from the shared cache
        state, rating = assessed(programme, TODAY)
    assert rating.workstream(plan["ws_1_1"].pk).suggested.rag == Rag.GREEN


def test_the_plans_assessment_is_the_whole_one_where_that_is_kept(
    on_track, django_assert_num_queries
):
    plan, _ = on_track
    programme = plan["programme"]
    measure = MeasureFactory(workstream=plan["ws_1_1"])
    whole = assessed(programme, TODAY)
    with django_assert_num_queries(1):  # the counter; nothing loaded or rated again
        plan_only = assessed(programme, TODAY, plan_only=True)
    assert plan_only[1] is whole[1]
    forget_kept()  # another process: from the shared cache
    with django_assert_num_queries(1):
        plan_only = assessed(programme, TODAY, plan_only=True)
    assert [m.pk for m in plan_only[0].measures] == [measure.pk]

    # Not the other way round: where only the plan's is kept, the whole one is worked out.
    programme_changed([programme.pk])
    programme.refresh_from_db()
    plan_only = assessed(programme, TODAY, plan_only=True)
    assert plan_only[0].measures == []
    whole = assessed(programme, TODAY)
    assert [m.pk for m in whole[0].measures] == [measure.pk]


def test_the_portfolio_line_of_a_programme_just_looked_at_is_its_kept_assessment(
    on_track, django_assert_num_queries
):
    plan, _ = on_track
    programme = plan["programme"]
    _, whole = assessed(programme, TODAY)  # the dashboard looked at it
    programme = with_changes(Programme.objects.filter(pk=programme.pk)).get()  # as the page

    # Its open risks and its next board: nothing loaded or rated again.
    with django_assert_num_queries(2):
        (row,) = build_portfolio([programme], TODAY)
    assert row.overall.rag == whole.result.rag == Rag.GREEN
    assert row.workstreams == {"green": 1, "no_data": 3}

    forget_kept()  # a process that keeps nothing loads and rates it
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        (again,) = build_portfolio([programme], TODAY)
    assert len(queries.captured_queries) > 2
    assert (again.overall.rag, again.workstreams) == (row.overall.rag, row.workstreams)
