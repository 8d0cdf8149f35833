"""What a programme's rating state reads now (`workstreams.assessment.load_states`): what a
rating and the dashboard use, each person once, and the whole history only where a page shows
it or as at a moment."""

from datetime import date
from decimal import Decimal

from programmes.dates import add_months
from tests.clock import NOW, TODAY
from tests.factories import (
    MeasureFactory,
    MeasureReadingFactory,
    MilestoneFactory,
    PeriodFactory,
    PersonFactory,
    StatusUpdateFactory,
)
from workstreams.assessment import RECENT_READINGS, assessed, load_state
from workstreams.models import UpdateState


def test_a_rating_reads_each_workstreams_latest_two_submitted_updates(plan):
    programme, workstream = plan["programme"], plan["ws_1_1"]
    for month, rag in ((7, "red"), (8, "amber"), (9, "green")):
        period = PeriodFactory(
            programme=programme, month=date(2026, month, 1), cut_off=date(2026, month, 23)
        )
        StatusUpdateFactory(
            workstream=workstream,
            period=period,
            rag=rag,
            reason=f"Rated {rag} in month {month}",
            state=UpdateState.SUBMITTED,
            submitted_at=NOW,
        )
    october = PeriodFactory(programme=programme, month=date(2026, 10, 1))
    StatusUpdateFactory(workstream=workstream, period=october, rag="red")  # a draft: not rated

    state, rating = assessed(programme, TODAY)

    read = [update.rag for update in state.updates if update.workstream_id == workstream.pk]
    assert read == ["green", "amber"]  # newest first
    rated = rating.workstream(workstream.pk)
    assert (rated.latest_update.rag, rated.previous_update.rag) == ("green", "amber")
    # As the programme stood at the end of August, August's and July's.
    august = load_state(programme, date(2026, 8, 31))
    assert [u.rag for u in august.updates if u.workstream_id == workstream.pk] == ["amber", "red"]


def test_the_dashboard_reads_a_measures_last_twelve_readings_a_measures_page_all(plan):
    programme, workstream = plan["programme"], plan["ws_1_1"]
    measure = MeasureFactory(workstream=workstream)
    months = [add_months(date(2025, 8, 1), index) for index in range(15)]  # to October 2026
    for index, month in enumerate(months):
        MeasureReadingFactory(measure=measure, period=month, value=Decimal(index))

    state, rating = assessed(programme, TODAY)

    assert RECENT_READINGS == 12
    assert [r.period for r in state.readings if r.measure_id == measure.pk] == months[-12:]
    (rated,) = rating.workstream(workstream.pk).measures
    assert rated.latest.value == 14
    # A workstream's own pages (the measure's page among them) read its whole history.
    whole = load_state(programme, TODAY, workstream=workstream)
    assert [r.period for r in whole.readings] == months


def test_each_person_is_read_once_however_many_rows_name_them(plan, django_assert_num_queries):
    programme, workstream = plan["programme"], plan["ws_1_1"]
    owner = PersonFactory(organisation=programme.organisation, name="Asha Patel")
    MilestoneFactory.create_batch(3, workstream=workstream, owner=owner)
    measure = MeasureFactory(workstream=workstream, owner=owner)
    MeasureReadingFactory(measure=measure)

    # Areas, workstreams, milestones, measures, targets, readings, updates and the people.
    with django_assert_num_queries(8):
        state = load_state(programme, TODAY)

    first, second, third = state.milestones
    assert first.owner is second.owner is third.owner is state.measures[0].owner
    assert first.owner.name == "Asha Patel"
