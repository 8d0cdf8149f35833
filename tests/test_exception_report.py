"""The exception report (issue 13, part 2), read back from the PDF: the decisions the board is
asked for come first; each exception is set out once, with its narrative or one line saying it
has none yet; each carries its rating as a tag; nothing prints "None"."""

import re

import pytest
from django.utils import timezone

from reporting.models import ExceptionNarrative
from reporting.pdf import render_html
from reporting.reports import gather_exceptions
from tests.factories import UserFactory, grant
from tests.test_report_content import make_periods, make_programme_in_flight, pdf_pages
from workstreams.models import Milestone

TITLES = [
    "Workstream 1.1 Day Opportunities",
    "Milestone 1.1.1 Staff consultation meetings",
    "Milestone 1.1.2 New service model agreed",
    "Risk R1 Provider market fails",
]


@pytest.fixture
def periods(plan):
    return make_periods(plan)


@pytest.fixture
def programme_in_flight(plan, periods):
    return make_programme_in_flight(plan, periods)


@pytest.fixture
def sponsor(plan):
    user = UserFactory(username="sponsor")
    grant(user, "sponsor", area=plan["area_one"])
    return user


def narrate(period, milestone_reference, **parts):
    milestone = Milestone.objects.get(reference=milestone_reference)
    return ExceptionNarrative.objects.create(
        period=period, key=f"milestone:{milestone.pk}", kind="milestone", **parts
    )


def test_the_decisions_required_come_first_and_each_exception_appears_once(
    programme_in_flight, periods, sponsor
):
    period = periods["this"]
    narrate(
        period,
        "1.1.2",
        cause="The provider withdrew",
        recommendation="Re-tender in January",
        decision_required="Agree to re-tender the service model",
        approved_by=sponsor,
        approved_at=timezone.now(),
    )
    narrate(
        period,
        "1.1.1",
        cause="The venue was not booked in time",
        recommendation="Hold the meetings online",
    )
    report = gather_exceptions(programme_in_flight, period, author="Sam Okafor")
    assert [breach.title for breach in report.breaches] == TITLES
    text = " ".join(pdf_pages(report))
    body = text[text.rindex("Decisions required from the board") :]

    # The decision, with its exception in full, before the summary and every other exception.
    decisions = body[: body.index("Summary of exceptions")]
    assert "1 exception asks the Programme Board for a decision" in decisions
    assert "Decision required Agree to re-tender the service model" in decisions
    assert "Milestone 1.1.2 New service model agreed" in decisions
    assert f"Approved by {sponsor.person.name}" in decisions
    for title in TITLES[1:]:
        assert body.count(title) == 1, title
    html = render_html(report)
    for breach in report.breaches:
        assert (
            html.count(
                f'<article class="exception" aria-labelledby="{breach.key.replace(":", "")}"'
            )
            == 1
        )
    rest = body[body.index("Summary of exceptions") :]
    assert "Milestone 1.1.2" not in rest

    written = rest[rest.index("Milestone 1.1.1") : rest.index("Risk R1")]
    assert "Cause The venue was not booked in time" in written
    assert re.search(r"Decision required \W*Not written yet", written)
    assert "Not approved by the sponsor yet" in written


def test_an_exception_without_a_narrative_has_one_line_not_an_empty_table(
    programme_in_flight, periods
):
    report = gather_exceptions(programme_in_flight, periods["this"], author="Sam Okafor")
    text = " ".join(pdf_pages(report))
    assert "No exception asks the Programme Board for a decision yet: 4 of the 4 exceptions" in text
    assert text.count("No narrative yet") == 4
    assert "Not written yet" not in text
    assert "Cause" not in text[text.rindex("Summary of exceptions") :]
    assert "None" not in text


def test_each_exception_carries_its_rating_as_a_tag(programme_in_flight, periods):
    report = gather_exceptions(programme_in_flight, periods["this"], author="Sam Okafor")
    html = render_html(report)
    for breach in report.breaches:
        heading = re.search(rf'<h3 id="{breach.key.replace(":", "")}">(.*?)</h3>', html, re.S)
        assert heading, breach.key
        assert "app-rag govuk-tag" in heading.group(1)
        assert breach.result.label in heading.group(1)


def test_no_exceptions_says_so_and_prints_no_none(plan, periods):
    text = " ".join(pdf_pages(gather_exceptions(plan["programme"], periods["this"], author="O")))
    assert "There are no exceptions, so no decision is required." in text
    assert f"No tolerance was breached in {periods['this'].label}" in text
    assert "None" not in text
