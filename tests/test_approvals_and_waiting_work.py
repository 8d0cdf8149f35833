"""Approvals and waiting work (issue 13, part 5): each approver finds what waits for them on My
work; approving asks first; beside every Approve, "Send back" with a comment, which reaches
the author (an email after the commit, the comment kept with the item's comments) and puts
the item on the author's My work; nobody else may send back."""

from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from programmes.choices import PeriodStatus, Role
from programmes.models import Comment, CommentKind
from reporting.models import ExceptionNarrative, ReportKind, ReportRun, RunStatus
from reporting.narratives import approve_narrative, exceptions_for_period, write_narrative
from tests.clock import TODAY
from tests.factories import (
    MilestoneFactory,
    PeriodFactory,
    ProgrammeFactory,
    UserFactory,
    WorkstreamFactory,
    grant,
)
from tests.html_forms import error_by, summary


def aware(day):
    return timezone.make_aware(datetime.combine(day, time(17)))


THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = (THIS_MONTH - timedelta(days=1)).replace(day=1)
WRITTEN = {
    "cause": "The provider withdrew from the consultation.",
    "consequences": "Day centres stay open three months longer.",
    "options": "1. Wait. 2. Re-procure.",
    "recommendation": "Re-procure through the framework.",
    "decision_required": "Agree to re-procure by the next board.",
}


@pytest.fixture
def period(plan):
    return PeriodFactory(programme=plan["programme"], month=THIS_MONTH)


@pytest.fixture
def breaches(plan, period):
    """An overdue milestone in area one and one in area two."""
    one = MilestoneFactory(
        workstream=plan["ws_1_1"],
        reference="1.1.9",
        title="Cabinet approval",
        baseline_date=TODAY - timedelta(days=3),
    )
    two = MilestoneFactory(
        workstream=plan["ws_2_1"],
        reference="2.1.9",
        title="Provider chosen",
        baseline_date=TODAY - timedelta(days=3),
    )
    found = exceptions_for_period(period)
    return {"one": found.find(f"milestone:{one.pk}"), "two": found.find(f"milestone:{two.pk}")}


@pytest.fixture
def author(people):
    person = people["manager"].person
    person.email = "manager@example.org"
    person.save()
    return people["manager"]


@pytest.fixture
def written(period, breaches, author):
    return write_narrative(period, breaches["one"], by=author, version=None, fields=WRITTEN)


def urls(period, breach) -> tuple[str, str]:
    kind, object_id = breach.key.split(":")
    return (
        reverse("exception_approve", args=[period.pk, kind, object_id]),
        reverse("exception_send_back", args=[period.pk, kind, object_id]),
    )


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


# ----- A narrative: the sponsor's My work, approving, sending back -----


def test_the_sponsor_finds_the_narrative_awaiting_approval_on_my_work(
    client, people, period, breaches, written
):
    approve_url, _ = urls(period, breaches["one"])

    html = home(client, people["sponsor"])

    assert "Exception narratives awaiting your approval (1)" in html
    assert approve_url in html and "Milestone 1.1.9 Cabinet approval" in html


def test_a_sponsor_of_another_area_and_the_writer_do_not_see_it_as_theirs_to_approve(
    client, people, period, breaches, written, plan
):
    other_sponsor = UserFactory()
    grant(other_sponsor, Role.SPONSOR, area=plan["area_two"])

    assert "awaiting your approval" not in home(client, other_sponsor)
    assert "awaiting your approval" not in home(client, people["manager"])
    assert "awaiting your approval" not in home(client, people["board"])


def test_an_approved_narrative_leaves_my_work(client, people, period, breaches, written):
    approve_narrative(period, breaches["one"], by=people["sponsor"], version=written.version)

    assert "awaiting your approval" not in home(client, people["sponsor"])


def test_approving_asks_first_then_approves_as_read(client, people, period, breaches, written):
    approve_url, send_back_url = urls(period, breaches["one"])
    client.force_login(people["sponsor"])

    page = client.get(approve_url)

    html = page.content.decode()
    assert page.status_code == 200 and "Approve this narrative for the board?" in html
    assert WRITTEN["recommendation"] in html and send_back_url in html
    assert ExceptionNarrative.objects.get().approved_at is None

    response = client.post(approve_url, {"version": written.version})

    assert response.status_code == 302
    assert ExceptionNarrative.objects.get().approved_by == people["sponsor"]


def test_sending_back_tells_the_author_once_after_the_commit_and_keeps_the_comment(
    client, people, period, breaches, written, django_capture_on_commit_callbacks
):
    _, send_back_url = urls(period, breaches["one"])
    client.force_login(people["sponsor"])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(send_back_url, {"comment": "Say what re-procuring costs."})
        assert mail.outbox == []  # nothing sent before the commit
    for callback in callbacks:
        callback()

    assert response.status_code == 302
    narrative = ExceptionNarrative.objects.get()
    assert narrative.sent_back_by == people["sponsor"] and narrative.approved_at is None
    assert [email.to for email in mail.outbox] == [["manager@example.org"]]
    email = mail.outbox[0]
    assert "Say what re-procuring costs." in email.body
    assert reverse("period_exceptions", args=[period.pk]) in email.body
    comment = Comment.objects.get()
    assert comment.kind == CommentKind.SENT_BACK and comment.topic == breaches["one"].key
    assert comment.body == "Say what re-procuring costs." and comment.author == people["sponsor"]


def test_the_author_finds_it_sent_back_on_my_work_until_they_write_again(
    client, people, period, breaches, written
):
    _, send_back_url = urls(period, breaches["one"])
    client.force_login(people["sponsor"])
    client.post(send_back_url, {"comment": "Say what re-procuring costs."})

    html = home(client, people["manager"])
    assert "Sent back to you (1)" in html and "Milestone 1.1.9 Cabinet approval" in html
    exceptions = client.get(reverse("period_exceptions", args=[period.pk])).content.decode()
    assert "Sent back" in exceptions
    assert "awaiting your approval" not in home(client, people["sponsor"])  # with the author

    narrative = ExceptionNarrative.objects.get()
    write_narrative(
        period,
        breaches["one"],
        by=people["manager"],
        version=narrative.version,
        fields=WRITTEN | {"options": "1. Wait. 2. Re-procure (£40k)."},
    )

    assert "Sent back to you" not in home(client, people["manager"])
    assert "awaiting your approval (1)" in home(client, people["sponsor"])


@pytest.mark.parametrize("comment", ["", "   ", "x" * 4001])
def test_sending_back_needs_a_comment_said_by_the_field(
    client, people, period, breaches, written, comment
):
    _, send_back_url = urls(period, breaches["one"])
    client.force_login(people["sponsor"])

    response = client.post(send_back_url, {"comment": comment})

    assert response.status_code == 400
    html = response.content.decode()
    message = error_by(html, "id_comment")
    assert message in (
        "Say what needs to change before sending it back",
        "The comment must be 4,000 characters or fewer",
    )
    assert ("#id_comment", message) in summary(html)
    assert ExceptionNarrative.objects.get().sent_back_at is None
    assert not Comment.objects.exists() and mail.outbox == []


@pytest.mark.parametrize(
    ("role", "status"),
    [("board", 403), ("lead", 403), ("manager", 403), ("outsider", 404), ("other_sponsor", 403)],
)
def test_only_the_areas_approvers_may_send_back(
    client, people, period, breaches, written, plan, role, status
):
    if role == "other_sponsor":
        user = UserFactory()
        grant(user, Role.SPONSOR, area=plan["area_two"])
    else:
        user = people[role]
    approve_url, send_back_url = urls(period, breaches["one"])
    client.force_login(user)

    assert client.get(approve_url).status_code == status
    assert client.post(send_back_url, {"comment": "No."}).status_code == status

    assert ExceptionNarrative.objects.get().sent_back_at is None
    assert not Comment.objects.exists() and mail.outbox == []


def test_nothing_written_cannot_be_sent_back(client, people, period, breaches):
    _, send_back_url = urls(period, breaches["one"])
    client.force_login(people["sponsor"])

    response = client.post(send_back_url, {"comment": "Write something."})

    assert response.status_code == 400
    assert "nothing to send back" in error_by(response.content.decode(), "id_comment")
    assert not Comment.objects.exists()


# ----- A project manager's exceptions without a narrative -----


def test_the_project_manager_sees_the_exceptions_of_their_area_without_a_narrative(
    client, people, period, breaches
):
    html = home(client, people["manager"])

    # The overdue milestone, and its workstream, Red because of it
    assert "Exceptions without a narrative (2)" in html
    assert "Milestone 1.1.9 Cabinet approval" in html and "Workstream 1.1 " in html
    assert "Milestone 2.1.9 Provider chosen" not in html  # another area's
    kind, object_id = breaches["one"].key.split(":")
    assert reverse("exception_narrative", args=[period.pk, kind, object_id]) in html


def test_a_written_narrative_leaves_the_project_managers_list(
    client, people, period, breaches, written
):
    html = home(client, people["manager"])
    assert "Exceptions without a narrative (1)" in html
    assert (
        "Milestone 1.1.9 Cabinet approval"
        not in html.split("Exceptions without")[1].split("</ul>")[0]
    )


# ----- Reports: the programme office's My work, approving, sending back -----


def finished(programme, period, *, kind=ReportKind.HIGHLIGHT, version=1, by=None):
    return ReportRun.objects.create(
        programme=programme,
        period=period,
        kind=kind,
        version=version,
        status=RunStatus.DONE,
        file=f"reports/test-{kind}-{version}.pdf",
        requested_by=by,
    )


@pytest.fixture
def closed(plan):
    return PeriodFactory(programme=plan["programme"], month=LAST_MONTH, status=PeriodStatus.CLOSED)


def test_the_office_sees_the_latest_reports_to_approve_and_the_periods_to_close(
    client, people, plan, closed
):
    finished(plan["programme"], closed, version=1)
    latest = finished(plan["programme"], closed, version=2)
    ended_open = PeriodFactory(
        programme=plan["programme"], month=(LAST_MONTH - timedelta(days=1)).replace(day=1)
    )

    html = home(client, people["office"])

    assert "Reports awaiting approval (1)" in html
    assert reverse("report_approve", args=[latest.pk]) in html
    assert "Periods ready to close (1)" in html
    assert reverse("period_close", args=[ended_open.pk]) in html
    for role in ("board", "sponsor", "manager", "lead"):
        other = home(client, people[role])
        assert "Reports awaiting approval" not in other and "Periods ready to close" not in other


def test_the_office_does_not_see_another_programmes_reports(client, people, closed):
    elsewhere = ProgrammeFactory()
    finished(elsewhere, PeriodFactory(programme=elsewhere, status=PeriodStatus.CLOSED))

    assert "Reports awaiting approval" not in home(client, people["office"])


def test_approving_a_report_asks_first(client, people, plan, closed):
    run = finished(plan["programme"], closed)
    client.force_login(people["office"])

    page = client.get(reverse("report_approve", args=[run.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert "for the board?" in html and reverse("report_send_back", args=[run.pk]) in html
    run.refresh_from_db()
    assert run.approved_at is None


def test_a_report_sent_back_reaches_whoever_asked_for_it(
    client, people, plan, closed, author, django_capture_on_commit_callbacks
):
    run = finished(plan["programme"], closed, by=author)
    client.force_login(people["office"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("report_send_back", args=[run.pk]), {"comment": "The budget is last year's."}
        )

    assert response.status_code == 302
    run.refresh_from_db()
    assert run.sent_back_by == people["office"] and run.approved_at is None
    assert [email.to for email in mail.outbox] == [["manager@example.org"]]
    assert "The budget is last year's." in mail.outbox[0].body
    assert reverse("report_run", args=[run.pk]) in mail.outbox[0].body
    assert Comment.objects.get().kind == CommentKind.SENT_BACK
    assert "Sent back to you (1)" in home(client, author)
    assert "sent back" in client.get(reverse("report_run", args=[run.pk])).content.decode()


def test_a_monthly_report_sent_back_reaches_the_project_managers(
    client, people, plan, closed, author, django_capture_on_commit_callbacks
):
    run = finished(plan["programme"], closed)  # made by the schedule: nobody asked
    other_manager = UserFactory(email="")
    grant(other_manager, Role.PROJECT_MANAGER, area=plan["area_two"])
    other_manager.person.email = "second.manager@example.org"
    other_manager.person.save()
    client.force_login(people["office"])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("report_send_back", args=[run.pk]), {"comment": "Wait for 3.2."})

    assert sorted(email.to[0] for email in mail.outbox) == [
        "manager@example.org",
        "second.manager@example.org",
    ]


@pytest.mark.parametrize(
    ("role", "status"),
    [("board", 403), ("sponsor", 403), ("manager", 403), ("lead", 403), ("outsider", 404)],
)
def test_only_the_programme_office_may_send_a_report_back(
    client, people, plan, closed, role, status
):
    run = finished(plan["programme"], closed)
    client.force_login(people[role])

    assert client.get(reverse("report_approve", args=[run.pk])).status_code == status
    response = client.post(reverse("report_send_back", args=[run.pk]), {"comment": "No."})

    assert response.status_code == status
    run.refresh_from_db()
    assert run.sent_back_at is None and not Comment.objects.exists()


def test_an_approved_report_cannot_be_sent_back(client, people, plan, closed):
    run = finished(plan["programme"], closed)
    ReportRun.objects.filter(pk=run.pk).update(approved_at=aware(closed.ends_on))
    client.force_login(people["office"])

    response = client.post(reverse("report_send_back", args=[run.pk]), {"comment": "Too late."})

    assert response.status_code == 400
    assert "make a new version instead" in error_by(response.content.decode(), "id_comment")
    assert not Comment.objects.exists()


# ----- A fixed number of queries -----


@pytest.mark.parametrize("size", [1, 5])
def test_approvers_my_work_runs_a_fixed_number_of_queries(
    client, db, size, django_assert_max_num_queries
):
    """The sponsor's and the office's lists grow with the data, not their queries."""
    programme = ProgrammeFactory()
    period = PeriodFactory(programme=programme, month=THIS_MONTH)
    closed = PeriodFactory(programme=programme, month=LAST_MONTH, status=PeriodStatus.CLOSED)
    sponsor, office, manager = UserFactory(), UserFactory(), UserFactory()
    grant(office, Role.PROGRAMME_OFFICE, programme=programme)
    for _ in range(size):
        workstream = WorkstreamFactory(area__programme=programme)
        grant(sponsor, Role.SPONSOR, area=workstream.area)
        grant(manager, Role.PROJECT_MANAGER, area=workstream.area)
        MilestoneFactory(workstream=workstream, baseline_date=TODAY - timedelta(days=3))
    for breach in exceptions_for_period(period).breaches:
        write_narrative(period, breach, by=office, version=None, fields=WRITTEN)
    for kind in ReportKind.values:
        finished(programme, closed, kind=kind)

    client.force_login(sponsor)
    # Issue 17: no query for a list the person owns nothing of (tests/test_my_work_speed.py)
    with django_assert_max_num_queries(7):
        html = client.get(reverse("home")).content.decode()
    assert f"awaiting your approval ({2 * size})" in html  # each milestone, and its workstream
    client.force_login(office)
    with django_assert_max_num_queries(10):
        html = client.get(reverse("home")).content.decode()
    assert f"awaiting your approval ({2 * size})" in html
    assert "Reports awaiting approval (2)" in html
    client.force_login(manager)
    # One for overdue actions, one for the exceptions raised by hand (issue 14, parts 2 and 6),
    # two for the dependencies at risk (issue 15)
    with django_assert_max_num_queries(21):
        html = client.get(reverse("home")).content.decode()
    assert "Exceptions without a narrative" not in html  # all written
