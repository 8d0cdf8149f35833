"""As at a past period everywhere (issue 15, part 6): the lists, the registers and the
workstream page take the dashboard's `?period=` choice, show what was recorded at that
period's end, say so in a banner with a link to today's view, and keep the choice in their
links to other pages that take it."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.models import Programme, ProgrammeArea
from risks.models import Decision, Issue
from tests.clock import TODAY
from tests.factories import MeasureFactory, MilestoneFactory, PeriodFactory, RiskFactory
from workstreams.models import Workstream

LAST_MONTH = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)
OLD_FORECAST = date(2026, 12, 15)
NEW_FORECAST = date(2027, 3, 31)


def saved_on(instance, day: date):
    instance._history_date = timezone.make_aware(
        datetime.combine(day, datetime.min.time()).replace(hour=10)
    )
    instance.save()
    return instance


@pytest.fixture
def period(plan):
    """At the end of last month, milestone 1.1.1 was forecast for 15 Dec 2026 and risk R1
    scored 4 x 4; since then the forecast moved to 31 Mar 2027 and R1 fell to 2 x 2."""
    period = PeriodFactory(programme=plan["programme"], month=LAST_MONTH)
    approved = timezone.make_aware(datetime.combine(LAST_MONTH, datetime.min.time()))
    for model in (Programme, ProgrammeArea, Workstream):
        model.history.update(history_date=approved)
    before = LAST_MONTH + timedelta(days=3)
    milestone = MilestoneFactory.build(
        workstream=plan["ws_1_1"],
        reference="1.1.1",
        title="Consultation",
        baseline_date=date(2026, 12, 1),
        forecast_date=OLD_FORECAST,
    )
    saved_on(milestone, before)
    milestone.forecast_date = NEW_FORECAST
    saved_on(milestone, TODAY)
    risk = RiskFactory.build(
        programme=plan["programme"], reference="R1", current_likelihood=4, current_impact=4
    )
    saved_on(risk, before)
    risk.current_likelihood = risk.current_impact = 2
    saved_on(risk, TODAY)
    return period


def _page(client, name, *args, **params) -> str:
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_milestone_list_shows_the_forecast_as_at_the_period(client, people, plan, period):
    client.force_login(people["board"])
    programme = plan["programme"]
    today = _page(client, "milestone_list", programme.pk)
    then = _page(client, "milestone_list", programme.pk, period=period.pk)
    assert "31 Mar 2027" in today and "15 Dec 2026" not in today.split("<tbody")[1]
    assert "15 Dec 2026" in then.split("<tbody")[1] and "31 Mar 2027" not in then


def _csv_rows(client, name, programme, **params) -> list[dict]:
    response = client.get(reverse(name, args=[programme.pk]), {"format": "csv", **params})
    assert response.status_code == 200
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))


def test_the_risk_register_shows_the_score_as_at_the_period(client, people, plan, period):
    client.force_login(people["board"])
    programme = plan["programme"]
    today = _csv_rows(client, "risk_list", programme)
    then = _csv_rows(client, "risk_list", programme, period=period.pk)
    assert [(r["Reference"], r["Current score"]) for r in today] == [("R1", "4")]
    assert [(r["Reference"], r["Current score"]) for r in then] == [("R1", "16")]


def test_the_registers_leave_out_what_was_raised_after_the_period(client, people, plan, period):
    programme = plan["programme"]
    RiskFactory(programme=programme, reference="R2")
    Issue.objects.create(
        programme=programme,
        reference="I1",
        title="Raised today",
        description="New",
        severity="high",
        raised_on=TODAY,
    )
    Decision.objects.create(programme=programme, reference="D1", title="Asked today")
    client.force_login(people["board"])
    for name, reference in (("risk_list", "R2"), ("issue_list", "I1"), ("decision_list", "D1")):
        now = [r["Reference"] for r in _csv_rows(client, name, programme)]
        then = [r["Reference"] for r in _csv_rows(client, name, programme, period=period.pk)]
        assert reference in now and reference not in then, name


@pytest.mark.parametrize(
    "name", ["workstream_list", "milestone_list", "measure_list", "risk_list", "issue_list"]
)
def test_an_as_at_list_says_which_month_with_a_link_to_today(client, people, plan, period, name):
    client.force_login(people["board"])
    url = reverse(name, args=[plan["programme"].pk])
    html = _page(client, name, plan["programme"].pk, period=period.pk)
    assert f"the end of {LAST_MONTH:%B %Y}" in html
    assert f'href="{url}">See today' in html
    assert "cannot be shown as at" not in html
    assert "the end of" not in _page(client, name, plan["programme"].pk)


def test_a_list_with_no_history_says_it_shows_today(client, people, plan, period):
    client.force_login(people["board"])
    html = _page(client, "action_list", plan["programme"].pk, period=period.pk)
    assert f"cannot be shown as at the end of {LAST_MONTH:%B %Y}" in html


def test_links_from_an_as_at_list_keep_the_choice(client, people, plan, period):
    client.force_login(people["board"])
    programme = plan["programme"]
    html = _page(client, "workstream_list", programme.pk, period=period.pk)
    kept = f"?period={period.pk}"
    # The other lists, each workstream's page, the filter form and sorting keep it.
    assert f'href="{reverse("milestone_list", args=[programme.pk])}{kept}"' in html
    assert f'href="{reverse("risk_list", args=[programme.pk])}{kept}"' in html
    assert f'href="{reverse("workstream_detail", args=[plan["ws_1_1"].pk])}{kept}"' in html
    assert f'<input type="hidden" name="period" value="{period.pk}">' in html
    assert f"period={period.pk}&amp;sort=" in html or f"sort=name&amp;period={period.pk}" in html
    # Today's list keeps nothing.
    today = _page(client, "workstream_list", programme.pk)
    assert "period=" not in today


def test_the_workstream_page_as_at_shows_the_old_forecast(client, people, plan, period):
    client.force_login(people["board"])
    workstream = plan["ws_1_1"]
    then = _page(client, "workstream_detail", workstream.pk, period=period.pk)
    today = _page(client, "workstream_detail", workstream.pk)
    assert f"the end of {LAST_MONTH:%B %Y}" in then

    def milestones(html):
        return html.split('id="milestones"')[1].split('id="measures"')[0]

    assert "15 Dec 2026" in milestones(then) and "31 Mar 2027" not in milestones(then)
    assert "31 Mar 2027" in milestones(today)
    # A past period's page changes nothing: the programme office gets no buttons to change it.
    client.force_login(people["office"])
    update = reverse("workstream_milestones_update", args=[workstream.pk])
    assert update in _page(client, "workstream_detail", workstream.pk)
    assert update not in _page(client, "workstream_detail", workstream.pk, period=period.pk)


def test_a_period_of_another_programme_shows_today_and_says_so(client, people, plan, period):
    other = PeriodFactory(month=LAST_MONTH)
    client.force_login(people["board"])
    html = _page(client, "milestone_list", plan["programme"].pk, period=other.pk)
    assert "this is the programme as it stands today" in html
    assert "31 Mar 2027" in html and "the end of" not in html


def test_an_outsider_gets_404_as_at_too(client, people, plan, period):
    client.force_login(people["outsider"])
    response = client.get(
        reverse("milestone_list", args=[plan["programme"].pk]), {"period": period.pk}
    )
    assert response.status_code == 404


AS_AT_PAGES = ["workstream_list", "milestone_list", "measure_list", "risk_list", "issue_list"]
AS_AT_PAGES += ["decision_list", "workstream_detail"]
# Pinned at what each takes as at a past period, the same at both sizes.
QUERY_BUDGET = {
    "workstream_list": 19,
    "milestone_list": 14,
    "measure_list": 15,
    "risk_list": 15,
    "issue_list": 14,
    "decision_list": 10,
    "workstream_detail": 41,
}


@pytest.mark.parametrize("size", [1, 6])
@pytest.mark.parametrize("name", AS_AT_PAGES)
def test_as_at_pages_run_a_fixed_number_of_queries(
    client, people, plan, period, size, name, django_assert_max_num_queries
):
    programme = plan["programme"]
    before = LAST_MONTH + timedelta(days=3)
    owner = people["lead"].person
    for n in range(size):
        saved_on(
            MilestoneFactory.build(workstream=plan["ws_1_1"], reference=f"1.1.{n + 2}"), before
        )
        saved_on(MeasureFactory.build(workstream=plan["ws_1_1"], reference=f"NI {n}"), before)
        saved_on(
            RiskFactory.build(
                programme=programme, workstream=plan["ws_1_1"], owner=owner, reference=f"R{n + 10}"
            ),
            before,
        )
        saved_on(
            Issue(
                programme=programme,
                workstream=plan["ws_1_1"],
                owner=owner,
                reference=f"I{n}",
                title="Issue",
                description="What happened",
                severity="high",
                raised_on=before,
            ),
            before,
        )
        saved_on(Decision(programme=programme, reference=f"D{n}", title="Decision"), before)
    client.force_login(people["board"])
    args = [plan["ws_1_1"].pk] if name == "workstream_detail" else [programme.pk]
    url = reverse(name, args=args)
    client.get(url, {"period": period.pk})
    with django_assert_max_num_queries(QUERY_BUDGET[name]):
        response = client.get(url, {"period": period.pk})
    assert response.status_code == 200


def test_links_from_the_dashboard_as_at_keep_the_choice(client, people, plan, period):
    client.force_login(people["board"])
    programme = plan["programme"]
    then = _page(client, "programme_detail", programme.pk, period=period.pk)
    kept = f"?period={period.pk}"
    assert f'{reverse("workstream_detail", args=[plan["ws_1_1"].pk])}{kept}"' in then
    assert f'{reverse("milestone_list", args=[programme.pk])}{kept}"' in then
    assert f'{reverse("issue_list", args=[programme.pk])}{kept}"' in then
    today = _page(client, "programme_detail", programme.pk)
    assert f'{reverse("workstream_detail", args=[plan["ws_1_1"].pk])}"' in today
    assert kept not in today


def test_the_breadcrumbs_of_an_as_at_list_keep_the_choice(client, people, plan, period):
    client.force_login(people["board"])
    programme = plan["programme"]
    then = _page(client, "risk_list", programme.pk, period=period.pk)
    assert f'href="{reverse("programme_detail", args=[programme.pk])}?period={period.pk}"' in then
