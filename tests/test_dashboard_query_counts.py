"""The portfolio, the programme dashboard and the timeline run a fixed number of queries,
whatever the size of the programmes (checked on a small and a four times larger data set)."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.choices import Role
from programmes.models import Programme, ProgrammeArea
from risks.models import Risk
from tests.clock import TODAY
from tests.factories import UserFactory, grant
from tests.test_pages import build_programme
from workstreams.models import Measure, MeasureReading, MeasureTarget, Milestone, Workstream


@pytest.mark.parametrize("size", [1, 4])
def test_the_portfolio(client, db, size, django_assert_max_num_queries):
    user = UserFactory()
    for _ in range(2 * size):
        programme, _first = build_programme(workstreams=2 * size, milestones=2 * size)
        grant(user, Role.BOARD_MEMBER, programme=programme)
    client.force_login(user)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("portfolio"))
    assert len(re.findall(r'href="/programmes/\d+/"', response.content.decode())) == 2 * size


@pytest.mark.parametrize("size", [1, 4])
def test_the_timeline(client, db, size, django_assert_max_num_queries):
    programme, _first = build_programme(workstreams=3 * size, milestones=3 * size)
    user = UserFactory()
    grant(user, Role.BOARD_MEMBER, programme=programme)
    client.force_login(user)
    with django_assert_max_num_queries(19):
        response = client.get(reverse("programme_timeline", args=[programme.pk]), {"months": 24})
    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 4])
def test_the_dashboard_as_at_a_past_period(client, db, size, django_assert_max_num_queries):
    programme, _first = build_programme(workstreams=3 * size, milestones=2 * size)
    from tests.factories import PeriodFactory

    past = PeriodFactory(programme=programme, month="2025-06-01")
    user = UserFactory()
    grant(user, Role.BOARD_MEMBER, programme=programme)
    client.force_login(user)
    # 19, and three for what the dashboard says above the fold (issue 15, part 5): the
    # period's exceptions (their narratives and those raised by hand) and the latest approved
    # highlight report; and up to three for the benefits as at the period (issue 16: their
    # rows, years and owners, from the history).
    with django_assert_max_num_queries(25):
        response = client.get(reverse("programme_detail", args=[programme.pk]), {"period": past.pk})
    assert b"As at 30 June 2025" in response.content


@pytest.mark.parametrize("size", [1, 4])
def test_the_portfolio_as_at_a_past_month(client, db, size, django_assert_max_num_queries):
    """Rated from the recorded history by the same loader as the dashboard as at a period."""
    user = UserFactory()
    for _ in range(2 * size):
        programme, _first = build_programme(workstreams=2 * size, milestones=2 * size)
        grant(user, Role.BOARD_MEMBER, programme=programme)
    last_month = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)
    recorded = timezone.make_aware(datetime.combine(last_month, time(9)))
    recorded_models = (Programme, ProgrammeArea, Workstream, Milestone, Risk)
    for model in (*recorded_models, Measure, MeasureTarget, MeasureReading):
        model.history.update(history_date=recorded)
    client.force_login(user)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("portfolio"), {"as_at": f"{last_month:%Y-%m}"})
    assert len(re.findall(r'href="/programmes/\d+/"', response.content.decode())) == 2 * size
