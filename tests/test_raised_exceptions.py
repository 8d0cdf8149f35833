"""Scope and quality exceptions raised by hand (issue 14, part 6; DOMAIN.md section 3: "Scope
and quality exceptions are raised by hand"): a project manager raises one for their area, or
the programme office anywhere; while open it is one of the period's exceptions, found with
the detected ones, so it is on the exceptions page, in the exception report, on the project
manager's My work and in `has_exceptions`, and gets a narrative and the sponsor's approval
like any other; once closed it is no longer an exception."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from programmes.choices import Role
from reporting.models import ExceptionNarrative, RaisedException
from reporting.raised import RaisedDetails, close_raised_exception, raise_exception
from reporting.reports import gather_exceptions, has_exceptions
from tests import forms
from tests.clock import TODAY
from tests.factories import MilestoneFactory, PeriodFactory, ProgrammeFactory, UserFactory, grant
from tests.html_forms import error_by
from tests.test_report_content import pdf_pages

THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = (THIS_MONTH - timedelta(days=1)).replace(day=1)
TITLE = "Scope exception: Day centre places cut"


@pytest.fixture
def period(plan):
    return PeriodFactory(programme=plan["programme"], month=THIS_MONTH)


@pytest.fixture
def raised(plan, people):
    return raise_exception(
        plan["programme"],
        by=people["manager"],
        details=RaisedDetails(
            kind="scope",
            title="Day centre places cut",
            description="Two of the five day centres will not reopen after the refurbishment",
            workstream=plan["ws_1_1"],
        ),
    )


def raise_form(plan, **overrides) -> dict[str, str]:
    data = {
        "kind": "scope",
        "title": "Day centre places cut",
        "description": "Two of the five day centres will not reopen after the refurbishment",
        "area": str(plan["area_one"].pk),
        "workstream": str(plan["ws_1_1"].pk),
        "version": "",
        **forms.date_parts("raised_on", None),
    }
    data.update({key: str(value) for key, value in overrides.items()})
    return data


def exceptions_page(client, user, period) -> str:
    client.force_login(user)
    response = client.get(reverse("period_exceptions", args=[period.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_project_manager_raises_one_and_it_is_with_the_detected_exceptions(
    client, plan, people, period
):
    MilestoneFactory(
        workstream=plan["ws_1_2"], reference="1.2.9", baseline_date=TODAY - timedelta(days=3)
    )
    client.force_login(people["manager"])

    response = client.post(
        reverse("raised_exception_add", args=[plan["programme"].pk]), raise_form(plan)
    )

    assert response.status_code == 302
    raised = RaisedException.objects.get()
    assert raised.raised_by == people["manager"] and raised.raised_on == TODAY
    assert raised.area == plan["area_one"] and raised.workstream == plan["ws_1_1"]
    html = exceptions_page(client, people["board"], period)
    assert "Scope exceptions, raised by hand (1)" in html
    assert TITLE in html
    assert "Two of the five day centres will not reopen" in html
    assert "Milestone 1.2.9" in html  # the detected one is still there
    assert reverse("raised_exception_detail", args=[raised.pk]) in html


def test_it_is_in_the_exception_report(plan, people, period, raised):
    report = gather_exceptions(plan["programme"], period, author="Programme office")

    text = " ".join(pdf_pages(report))

    assert TITLE in text
    assert "Raised by" in text and "Two of the five day centres will not reopen" in text
    assert "Workstream 1.1 Day Opportunities" in text


def test_it_gets_a_narrative_and_the_sponsors_approval_like_a_detected_one(
    client, plan, people, period, raised
):
    kind, object_id = raised.key.split(":")
    narrative_url = reverse("exception_narrative", args=[period.pk, kind, object_id])
    approve_url = reverse("exception_approve", args=[period.pk, kind, object_id])
    client.force_login(people["lead"])
    assert client.get(narrative_url).status_code == 403  # a lead writes no narrative

    client.force_login(people["manager"])
    written = client.post(
        narrative_url,
        {
            "cause": "The refurbishment found asbestos in two centres",
            "consequences": "Forty fewer places from April",
            "options": "Rent space, or buy places from providers",
            "recommendation": "Buy places from providers for a year",
            "decision_required": "Agree to buy places",
            "version": "",
        },
    )
    assert written.status_code == 302
    narrative = ExceptionNarrative.objects.get(period=period, key=f"raised:{raised.pk}")
    assert narrative.kind == "scope" and narrative.area == plan["area_one"]

    other_sponsor = UserFactory(username="sponsor_two")
    grant(other_sponsor, Role.SPONSOR, area=plan["area_two"])
    client.force_login(other_sponsor)
    assert client.get(approve_url).status_code == 403

    client.force_login(people["sponsor"])
    assert client.get(approve_url).status_code == 200
    approved = client.post(approve_url, {"version": str(narrative.version)})

    assert approved.status_code == 302
    narrative.refresh_from_db()
    assert narrative.approved_by == people["sponsor"]
    report = gather_exceptions(plan["programme"], period, author="Programme office")
    text = " ".join(pdf_pages(report))
    assert "Buy places from providers for a year" in text
    assert "Agree to buy places" in text


def test_it_counts_on_the_project_managers_my_work(client, plan, people, period, raised):
    client.force_login(people["manager"])

    html = client.get(reverse("home")).content.decode()

    assert "Exceptions without a narrative (1)" in html
    assert TITLE in html


def test_has_exceptions_counts_a_raised_exception(plan, people, period):
    assert not has_exceptions(plan["programme"], period)

    raise_exception(
        plan["programme"],
        by=people["office"],
        details=RaisedDetails(
            kind="quality", title="Assessments short of the standard", description="Half"
        ),
    )

    assert has_exceptions(plan["programme"], period)


def test_it_disappears_once_closed(client, plan, people, period, raised):
    close_url = reverse("raised_exception_close", args=[raised.pk])
    client.force_login(people["manager"])
    assert client.get(close_url).status_code == 200

    blank = client.post(close_url, {"resolution": "", "version": str(raised.version)})
    assert blank.status_code == 400
    assert error_by(blank.content.decode(), "id_resolution") == (
        "Say how the exception was resolved"
    )

    closed = client.post(
        close_url, {"resolution": "Places bought from providers", "version": str(raised.version)}
    )

    assert closed.status_code == 302
    assert TITLE not in exceptions_page(client, people["board"], period)
    assert not has_exceptions(plan["programme"], period)
    detail = client.get(reverse("raised_exception_detail", args=[raised.pk])).content.decode()
    assert "Closed on 18 November 2026" in detail and "Places bought from providers" in detail


def test_a_period_that_has_ended_keeps_it_as_it_stood_then(plan, people, period, raised):
    october = PeriodFactory(programme=plan["programme"], month=LAST_MONTH)
    # Raised on 5 October (its record dated then), closed on 10 November.
    RaisedException.objects.filter(pk=raised.pk).update(raised_on=date(2026, 10, 5))
    raised.history.update(
        raised_on=date(2026, 10, 5),
        history_date=datetime(2026, 10, 5, 10, tzinfo=ZoneInfo("Europe/London")),
    )
    raised.refresh_from_db()
    close_raised_exception(
        raised,
        by=people["manager"],
        version=raised.version,
        resolution="Places bought",
        closed_on=date(2026, 11, 10),
    )

    assert has_exceptions(plan["programme"], october)
    assert not has_exceptions(plan["programme"], period)


def test_leads_may_not_raise_one_and_managers_only_in_their_area(client, plan, people):
    url = reverse("raised_exception_add", args=[plan["programme"].pk])
    client.force_login(people["lead"])
    assert client.get(url).status_code == 403

    manager_two = UserFactory(username="manager_two")
    grant(manager_two, Role.PROJECT_MANAGER, area=plan["area_two"])
    client.force_login(manager_two)
    response = client.post(url, raise_form(plan))

    assert response.status_code == 400
    assert error_by(response.content.decode(), "id_area")
    assert not RaisedException.objects.exists()


def test_the_board_reads_it_and_another_programme_does_not_see_it(client, plan, people, raised):
    client.force_login(people["board"])
    page = client.get(reverse("raised_exception_detail", args=[raised.pk])).content.decode()
    assert "Day centre places cut" in page and "Change the exception" not in page
    assert client.get(reverse("raised_exception_edit", args=[raised.pk])).status_code == 403

    elsewhere = UserFactory(username="office_elsewhere")
    grant(elsewhere, Role.PROGRAMME_OFFICE, programme=ProgrammeFactory())
    client.force_login(elsewhere)
    for name in ("raised_exception_detail", "raised_exception_edit", "raised_exception_close"):
        assert client.get(reverse(name, args=[raised.pk])).status_code == 404
