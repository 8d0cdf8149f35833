"""Issue 16, part 4: the lessons log, and closing a programme (a closure report PDF, then a
read-only closed state that still shows its history). The refusal of changes to a closed
programme lives in the one permission path (programmes.permissions), so every edit page and
API write of it is refused with a message, never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from programmes.choices import ProgrammeStatus
from programmes.models import Programme
from programmes.permissions import Action, may, may_record_benefit_realisation
from reporting.closure import gather_closure
from risks.models import ActionItem, Closure, Issue, Lesson
from risks.services.lessons import (
    ClosureDetails,
    LessonDetails,
    add_lesson,
    close_programme,
)
from tests.api import api_url, client_for
from tests.clock import TODAY
from tests.factories import MilestoneFactory, RiskFactory


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _lesson(**changes) -> LessonDetails:
    values = {
        "what_happened": "The venue was lost a week before the consultation",
        "what_we_learned": "Book venues early",
        "do_differently": "Hold two venues for every event",
        "category": "planning",
        "raised_on": TODAY,
    }
    return LessonDetails(**{**values, **changes})


def _close(programme, user):
    programme = Programme.objects.get(pk=programme.pk)
    return close_programme(
        programme,
        by=user,
        version=programme.version,
        details=ClosureDetails(summary="Its work is done", handed_on_to="Adult services DMT"),
    )


# ----- The lessons log -----


def test_a_lead_records_a_lesson_of_their_workstream_numbered_in_order(plan, people):
    first = add_lesson(
        plan["programme"], by=people["lead"], details=_lesson(workstream_id=plan["ws_1_1"].pk)
    )
    second = add_lesson(
        plan["programme"], by=people["office"], details=_lesson(what_we_learned="Ask early")
    )
    assert (first.reference, second.reference) == ("L1", "L2")
    assert first.history.first().history_user == people["lead"]


def test_a_lead_may_not_record_a_lesson_for_another_workstream_or_the_whole_programme(plan, people):
    with pytest.raises(ValidationError) as refused:
        add_lesson(
            plan["programme"], by=people["lead"], details=_lesson(workstream_id=plan["ws_1_2"].pk)
        )
    assert "workstream 1.2" in str(refused.value)
    with pytest.raises(ValidationError):
        add_lesson(plan["programme"], by=people["lead"], details=_lesson())
    assert not Lesson.objects.exists()


def test_a_lesson_needs_what_happened_learned_and_to_do_differently(plan, people):
    with pytest.raises(ValidationError) as refused:
        add_lesson(
            plan["programme"],
            by=people["office"],
            details=_lesson(what_happened=" ", what_we_learned="", do_differently=""),
        )
    assert set(refused.value.message_dict) == {
        "what_happened",
        "what_we_learned",
        "do_differently",
    }


def test_the_lesson_page_shows_each_problem_by_its_field(plan, people):
    response = _client(people["office"]).post(
        reverse("lesson_add", args=[plan["programme"].pk]),
        {"what_happened": "", "category": "", "raised_on_0": "1", "raised_on_1": "2"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "Enter what happened" in page
    assert "Choose the lesson&#x27;s category" in page


def test_the_lessons_log_lists_filters_and_offers_changes_only_where_the_role_allows(plan, people):
    mine = add_lesson(
        plan["programme"], by=people["lead"], details=_lesson(workstream_id=plan["ws_1_1"].pk)
    )
    other = add_lesson(
        plan["programme"],
        by=people["office"],
        details=_lesson(what_we_learned="Engage providers sooner", category="suppliers"),
    )
    url = reverse("lesson_list", args=[plan["programme"].pk])
    page = _client(people["lead"]).get(url).content.decode()
    assert reverse("lesson_edit", args=[mine.pk]) in page
    assert reverse("lesson_edit", args=[other.pk]) not in page
    assert "Engage providers sooner" in page
    filtered = _client(people["board"]).get(url + "?category=suppliers").content.decode()
    assert "Engage providers sooner" in filtered and "Book venues early" not in filtered
    assert (
        _client(people["board"]).get(reverse("lesson_add", args=[plan["programme"].pk])).status_code
        == 403
    )
    assert _client(people["outsider"]).get(url).status_code == 404


# ----- Closing a programme -----


def test_the_office_is_asked_first_then_the_programme_closes_with_its_account(plan, people):
    RiskFactory(programme=plan["programme"], workstream=plan["ws_1_1"], title="Provider leaves")
    office = _client(people["office"])
    url = reverse("programme_close", args=[plan["programme"].pk])
    asked = office.get(url)
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "Still open: 1 risk and 0 issues" in page
    assert reverse("programme_closure_report", args=[plan["programme"].pk]) in page

    refused = office.post(url, {"version": plan["programme"].version, "summary": ""})
    assert refused.status_code == 400
    assert Programme.objects.get(pk=plan["programme"].pk).status == ProgrammeStatus.ACTIVE

    done = office.post(
        url,
        {"version": plan["programme"].version, "summary": "The new model runs", "handed_on_to": ""},
    )
    assert done.status_code == 302
    programme = Programme.objects.get(pk=plan["programme"].pk)
    assert programme.status == ProgrammeStatus.CLOSED
    closure = Closure.objects.get(programme=programme)
    assert (closure.closed_on, closure.closed_by, closure.summary) == (
        TODAY,
        people["office"],
        "The new model runs",
    )
    assert programme.history.first().history_user == people["office"]


def test_only_the_programme_office_closes_and_only_once(plan, people):
    with pytest.raises(PermissionDenied):
        _close(plan["programme"], people["manager"])
    _close(plan["programme"], people["office"])
    people["office"].__dict__.pop("_programme_access", None)
    with pytest.raises(PermissionDenied, match="closed"):
        _close(plan["programme"], people["office"])


@pytest.fixture
def closed(plan, people):
    """The plan with a milestone, a risk, an issue and an action, then closed."""
    things = {
        "milestone": MilestoneFactory(workstream=plan["ws_1_1"], reference="1.1.1"),
        "risk": RiskFactory(programme=plan["programme"], workstream=plan["ws_1_1"]),
        "issue": Issue.objects.create(
            programme=plan["programme"],
            workstream=plan["ws_1_1"],
            reference="I1",
            title="Venue lost",
            description="The venue closed",
            severity="high",
            raised_on=TODAY - timedelta(days=3),
        ),
        "action": ActionItem.objects.create(
            programme=plan["programme"],
            number=1,
            description="Visit the venue",
            owner=people["lead"].person,
            due_date=TODAY,
        ),
    }
    _close(plan["programme"], people["office"])
    for user in people.values():
        user.__dict__.pop("_programme_access", None)
    return things


# (page, what it changes, who could change it while the programme was open, the methods
# that change: a page that also shows answers GET as before).
CLOSED_EDITS = [
    ("milestone_edit", "milestone", "manager", ("GET", "POST")),
    ("milestone_detail", "milestone", "lead", ("POST",)),
    ("risk_edit", "risk", "lead", ("GET", "POST")),
    ("issue_edit", "issue", "manager", ("GET", "POST")),
    ("action_edit", "action", "office", ("GET", "POST")),
    ("action_update", "action", "lead", ("POST",)),
    ("programme_settings", "programme", "office", ("GET", "POST")),
    ("stakeholder_add", "programme", "office", ("GET", "POST")),
    ("programme_close", "programme", "office", ("GET", "POST")),
]


@pytest.mark.parametrize(("name", "thing", "who", "methods"), CLOSED_EDITS)
def test_every_change_to_a_closed_programme_is_refused_with_a_message(
    plan, people, closed, name, thing, who, methods
):
    target = plan["programme"] if thing == "programme" else closed[thing]
    client = Client(raise_request_exception=False)
    client.force_login(people[who])
    url = reverse(name, args=[target.pk])
    for method in methods:
        response = client.get(url) if method == "GET" else client.post(url, {"version": "1"})
        assert response.status_code == 403, (name, method, response.status_code)
        assert "The programme is closed" in response.content.decode()


def test_the_administrator_is_refused_too_and_the_api_refuses_writes_with_the_reason(
    plan, people, closed
):
    admin = Client(raise_request_exception=False)
    admin.force_login(people["admin"])
    assert admin.get(reverse("risk_edit", args=[closed["risk"].pk])).status_code == 403
    response = client_for(people["lead"]).patch(
        api_url("milestone-detail", closed["milestone"].pk), {"status": "in_progress"}
    )
    assert response.status_code == 403
    assert "The programme is closed" in response.json()["detail"]


def test_a_closed_programme_still_shows_with_its_history_and_takes_lessons(plan, people, closed):
    board = _client(people["board"])
    page = board.get(reverse("programme_detail", args=[plan["programme"].pk])).content.decode()
    assert "This programme is closed" in page
    assert reverse("programme_closure_report", args=[plan["programme"].pk]) in page
    assert reverse("programme_close", args=[plan["programme"].pk]) not in page
    for name, target in [
        ("workstream_detail", plan["ws_1_1"]),
        ("risk_detail", closed["risk"]),
        ("action_detail", closed["action"]),
        ("lesson_list", plan["programme"]),
    ]:
        assert board.get(reverse(name, args=[target.pk])).status_code == 200, name
    risk_page = board.get(reverse("risk_detail", args=[closed["risk"].pk])).content.decode()
    assert reverse("risk_edit", args=[closed["risk"].pk]) not in risk_page

    lesson = add_lesson(
        plan["programme"], by=people["lead"], details=_lesson(workstream_id=plan["ws_1_1"].pk)
    )
    assert lesson.reference == "L1"
    assert not may(people["office"], Action.MANAGE_PROGRAMME, plan["programme"])
    assert may(people["office"], Action.RECORD_LESSON, plan["programme"])


class _Benefit:
    """What the benefits register's hook reads of a benefit: its programme and its owner."""

    def __init__(self, programme, owner):
        self.programme_id, self.owner_id = programme.pk, owner.pk


def test_a_benefit_owner_still_records_realisation_after_closing_the_office_no_longer(plan, people):
    benefit = _Benefit(plan["programme"], people["lead"].person)
    assert may_record_benefit_realisation(people["lead"], benefit)
    assert may_record_benefit_realisation(people["office"], benefit)
    assert not may_record_benefit_realisation(people["manager"], benefit)
    _close(plan["programme"], people["office"])
    for user in people.values():
        user.__dict__.pop("_programme_access", None)
    assert may_record_benefit_realisation(people["lead"], benefit)
    assert not may_record_benefit_realisation(people["office"], benefit)
    assert not may_record_benefit_realisation(people["outsider"], benefit)


# ----- The closure report -----


def test_the_closure_report_gathers_outcomes_handed_on_items_and_lessons(plan, people):
    MilestoneFactory(workstream=plan["ws_1_1"], status="complete", actual_date=TODAY)
    MilestoneFactory(workstream=plan["ws_1_1"])
    RiskFactory(programme=plan["programme"], workstream=plan["ws_1_1"], title="Open one")
    RiskFactory(
        programme=plan["programme"], title="Closed one", status="closed", closing_reason="Gone"
    )
    add_lesson(plan["programme"], by=people["office"], details=_lesson())
    draft = gather_closure(plan["programme"])
    assert not draft.is_closed
    ws = next(row for row in draft.workstreams if row.workstream == plan["ws_1_1"])
    assert (ws.milestones_done, ws.milestones_total) == (1, 2)
    assert [risk.title for risk in draft.open_risks] == ["Open one"]
    assert [lesson.reference for lesson in draft.lessons] == ["L1"]

    _close(plan["programme"], people["office"])
    report = gather_closure(Programme.objects.get(pk=plan["programme"].pk))
    assert report.is_closed and report.closure.summary == "Its work is done"
    one = gather_closure(plan["programme"], plan["ws_2_1"])
    assert one.open_risks == [] and [row.workstream for row in one.workstreams] == [plan["ws_2_1"]]


def test_the_closure_report_is_a_pdf_for_those_who_download_reports(plan, people):
    _close(plan["programme"], people["office"])
    url = reverse("programme_closure_report", args=[plan["programme"].pk])
    response = _client(people["board"]).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert _client(people["lead"]).get(url).status_code == 403
    assert _client(people["outsider"]).get(url).status_code == 404
    workstream = _client(people["sponsor"]).get(
        reverse("workstream_closure_report", args=[plan["ws_1_1"].pk])
    )
    assert workstream.status_code == 200 and workstream.content.startswith(b"%PDF")


def test_a_closed_programme_takes_no_more_comments(plan, people, closed):
    board = _client(people["board"])
    url = reverse("workstream_detail", args=[plan["ws_1_1"].pk])
    page = board.get(url).content.decode()
    assert "The programme is closed: no more comments can be added" in page
    assert "Add the comment" not in page
    refused = Client(raise_request_exception=False)
    refused.force_login(people["board"])
    response = refused.post(
        reverse("workstream_comment", args=[plan["ws_1_1"].pk]), {"body": "Late thought"}
    )
    assert response.status_code == 403
    assert "The programme is closed" in response.content.decode()
