"""Comments (issue 13, part 6; DOMAIN.md section 7): anyone who can see an item comments on it
(a workstream, a milestone, a risk, an issue, a report, an exception of a period); an
@mention emails the person a link, once, after the commit, if they may see the item; the
commenter is told whom it reached; comments show on the item's page, in its history, and an
exception's in the exception report."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programmes.choices import Role
from programmes.comments import (
    add_comment,
    comments_by_topic,
    comments_for,
    email_mentions,
    find_mentions,
)
from programmes.models import Comment, CommentKind
from reporting.models import ReportRun, RunStatus
from reporting.narratives import exceptions_for_period
from reporting.reports import gather_exceptions
from risks.models import Issue
from tests.factories import (
    AreaFactory,
    MilestoneFactory,
    PeriodFactory,
    PersonFactory,
    ProgrammeFactory,
    RiskFactory,
    UserFactory,
    WorkstreamFactory,
    grant,
)
from tests.html_forms import error_by, summary
from tests.test_report_content import make_periods, make_programme_in_flight, pdf_pages


def named(user, name: str, email: str = ""):
    """Give the user's person a name (and an address) to be mentioned by."""
    person = user.person
    person.name, person.email = name, email
    person.save()
    return user


@pytest.fixture
def milestone(plan):
    return MilestoneFactory(
        workstream=plan["ws_1_1"], reference="1.1.1", title="Staff consultation meetings"
    )


@pytest.fixture
def board(people):
    return named(people["board"], "Zoe Hart", "zoe.hart@example.org")


@pytest.fixture
def lead(people):
    return named(people["lead"], "Carole Yarde", "carole.yarde@example.org")


def post_comment(client, user, url: str, body: str, **headers):
    client.force_login(user)
    return client.post(url, {"body": body}, **headers)


# ----- Commenting, and where comments show -----


def test_a_board_member_comments_on_a_milestone_and_it_shows_on_the_page_and_in_its_history(
    client, board, milestone
):
    url = reverse("milestone_comment", args=[milestone.pk])

    response = post_comment(client, board, url, "When will the venue be confirmed?\nBy Friday?")

    page = reverse("milestone_detail", args=[milestone.pk])
    assert response.status_code == 302 and response["Location"] == f"{page}#comments"
    [comment] = Comment.objects.all()
    assert (comment.author, comment.body, comment.programme) == (
        board,
        "When will the venue be confirmed?\nBy Friday?",
        milestone.workstream.programme,
    )
    html = client.get(page).content.decode()
    thread = html[html.index('id="comments"') : html.index('id="history"')]
    assert "Zoe Hart" in thread
    assert "When will the venue be confirmed?<br>By Friday?" in thread
    history = html[html.index('id="history"') :]
    assert "<strong>Comment</strong>: When will the venue be confirmed? By Friday?" in history
    assert "by Zoe Hart" in history


def test_the_history_lists_comments_among_changes_in_date_order(client, board, milestone):
    add_comment(milestone, "First thought", by=board)
    milestone.refresh_from_db()
    milestone.title = "Staff consultation meetings held"
    milestone._history_user = board
    milestone.save()
    later = Comment.objects.create(
        programme=milestone.workstream.programme,
        content_type_id=Comment.objects.get().content_type_id,
        object_id=milestone.pk,
        author=board,
        body="Second thought",
        created_at=timezone.now() + timedelta(hours=1),
    )
    client.force_login(board)

    html = client.get(reverse("milestone_detail", args=[milestone.pk])).content.decode()

    history = html[html.index('id="history"') :]
    order = [history.index(text) for text in (later.body, "Title changed", "First thought")]
    assert order == sorted(order)  # newest first


@pytest.mark.parametrize("kind", ["workstream", "milestone", "risk", "issue", "report"])
def test_anyone_in_the_programme_comments_on_each_kind_of_item(client, plan, people, kind):
    programme, workstream = plan["programme"], plan["ws_1_1"]
    items = {
        "workstream": lambda: workstream,
        "milestone": lambda: MilestoneFactory(workstream=workstream),
        "risk": lambda: RiskFactory(programme=programme, workstream=workstream),
        "issue": lambda: Issue.objects.create(
            programme=programme,
            workstream=workstream,
            reference="I1",
            title="Venue lost",
            description="The venue closed",
            severity="high",
            raised_on=timezone.localdate(),
        ),
        "report": lambda: ReportRun.objects.create(
            programme=programme,
            period=PeriodFactory(programme=programme),
            kind="highlight",
            version=1,
            status=RunStatus.DONE,
            file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="highlight.pdf"),
        ),
    }
    item = items[kind]()
    # The lead of another workstream: a comment needs only to see the programme.
    commenter = people["other_lead"]

    response = post_comment(
        client, commenter, reverse(f"{kind}_comment", args=[item.pk]), "Noted for the board"
    )

    assert response.status_code == 302
    assert response["Location"] == f"{item.get_absolute_url()}#comments"
    assert [c.body for c in comments_for(item)] == ["Noted for the board"]
    html = client.get(item.get_absolute_url()).content.decode()
    assert "Noted for the board" in html[html.index('id="comments"') :]
    assert "Comment added." in html


@pytest.fixture
def exception_period(plan, people):
    """This month's period, with milestone 1.1.1 overdue: an exception."""
    today = timezone.localdate()
    period = PeriodFactory(programme=plan["programme"], month=today.replace(day=1))
    milestone = MilestoneFactory(
        workstream=plan["ws_1_1"], reference="1.1.1", baseline_date=today - timedelta(days=40)
    )
    return period, f"milestone:{milestone.pk}"


def test_a_comment_on_an_exception_shows_under_that_exception(
    client, people, board, exception_period
):
    period, key = exception_period
    url = reverse("exception_comment", args=[period.pk, *key.split(":")])

    response = post_comment(client, people["sponsor"], url, "Can we move the venue?")

    anchor = f"comments-{key.replace(':', '-')}"
    page = reverse("period_exceptions", args=[period.pk])
    assert response["Location"] == f"{page}#{anchor}"
    [comment] = Comment.objects.all()
    assert (comment.target, comment.topic) == (period, key)
    html = client.get(page).content.decode()
    assert "Can we move the venue?" in html[html.index(f'id="{anchor}"') :]


def test_a_comment_on_an_exception_the_period_does_not_have_is_refused(
    client, people, exception_period
):
    period, _ = exception_period
    other = MilestoneFactory(workstream=WorkstreamFactory(area=AreaFactory()))  # elsewhere
    url = reverse("exception_comment", args=[period.pk, "milestone", other.pk])

    response = post_comment(client, people["board"], url, "Hello")

    assert response.status_code == 404 and not Comment.objects.exists()


def test_with_htmx_the_comments_section_comes_back_to_swap_in_place(client, board, milestone):
    response = post_comment(
        client,
        board,
        reverse("milestone_comment", args=[milestone.pk]),
        "Thank you",
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="comments"' in html and "Thank you" in html and "Comment added." in html
    assert "</textarea>" in html and "Thank you</textarea>" not in html  # an empty form again


def test_a_sent_back_comment_is_marked_and_mentions_are_in_bold(client, board, lead, milestone):
    add_comment(milestone, "Please redo this, @carole yarde", by=board, kind=CommentKind.SENT_BACK)
    client.force_login(board)

    html = client.get(reverse("milestone_detail", args=[milestone.pk])).content.decode()

    thread = html[html.index('id="comments"') : html.index('id="history"')]
    assert "Sent back</strong>" in thread
    assert "Please redo this, <strong>@carole yarde</strong>" in thread


def test_a_comment_is_shown_as_text_not_as_html(client, board, milestone):
    add_comment(milestone, "<script>alert(1)</script> & more", by=board)
    client.force_login(board)

    html = client.get(reverse("milestone_detail", args=[milestone.pk])).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html


# ----- Mentions -----


def test_a_mention_emails_the_person_once_with_a_link_only_after_the_commit(
    client, settings, board, lead, milestone, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://programmes.example.org/"
    url = reverse("milestone_comment", args=[milestone.pk])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_comment(
            client, board, url, "@Carole Yarde can you confirm? Thanks @carole yarde"
        )
        assert mail.outbox == []  # nothing is sent inside the transaction
    for callback in callbacks:
        callback()

    [email] = mail.outbox
    assert email.to == ["carole.yarde@example.org"]
    assert email.subject == "Zoe Hart mentioned you on milestone 1.1.1 Staff consultation meetings"
    assert f"https://programmes.example.org/milestones/{milestone.pk}/#comments" in email.body
    assert "@Carole Yarde can you confirm?" in email.body
    followed = client.get(response["Location"])
    assert "Emailed Carole Yarde a link to it." in followed.content.decode()

    # The job delivered again sends nothing more.
    assert email_mentions(Comment.objects.get().pk, "milestone 1.1.1") == 0
    assert len(mail.outbox) == 1


def test_a_mention_of_someone_who_cannot_see_the_programme_sends_nothing_and_says_so(
    client, plan, board, milestone, django_capture_on_commit_callbacks
):
    outsider = UserFactory(username="stranger", email="sam.ode@example.org")
    PersonFactory(organisation=plan["programme"].organisation, user=outsider, name="Sam Ode")
    # A person of another programme of the same organisation: no role in this one.
    elsewhere = ProgrammeFactory(organisation=plan["programme"].organisation)
    grant(outsider, Role.BOARD_MEMBER, programme=elsewhere)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_comment(
            client, board, reverse("milestone_comment", args=[milestone.pk]), "Over to @Sam Ode"
        )

    assert mail.outbox == []
    told = client.get(response["Location"]).content.decode()
    assert "Not emailed: Sam Ode (they cannot see this programme)." in told
    assert [p.name for p in Comment.objects.get().mentioned.all()] == ["Sam Ode"]


def test_a_mention_of_someone_without_an_address_or_who_does_not_sign_in_is_told(
    client, plan, board, milestone, django_capture_on_commit_callbacks
):
    no_address = UserFactory(username="no_address")
    grant(no_address, Role.BOARD_MEMBER, programme=plan["programme"])
    named(no_address, "Ann Lee")
    PersonFactory(organisation=plan["programme"].organisation, name="Ann Leeson")  # no sign-in

    with django_capture_on_commit_callbacks(execute=True):
        response = post_comment(
            client,
            board,
            reverse("milestone_comment", args=[milestone.pk]),
            "@Ann Leeson and @ann lee, and @Zoe Hart",
        )

    assert mail.outbox == []
    told = client.get(response["Location"]).content.decode()
    assert (
        "Not emailed: Ann Leeson (they do not sign in to this site); Ann Lee (they have no "
        "email address); Zoe Hart (you wrote the comment)." in told
    )


def test_mentions_take_the_longest_name_and_need_the_name_to_end(plan):
    organisation = plan["programme"].organisation
    ann = PersonFactory(organisation=organisation, name="Ann Lee")
    annie = PersonFactory(organisation=organisation, name="Ann Lee-Smith")
    bob = PersonFactory(organisation=organisation, name="Bob")
    people = [ann, annie, bob]

    assert find_mentions("@ann lee-smith, and @Bobby", people) == [annie]
    assert find_mentions("@Bob and @ANN LEE.", people) == [bob, ann]
    assert find_mentions("Ann Lee, no at sign", people) == []


# ----- Who may comment, and what is refused -----


def test_a_person_of_another_programme_cannot_comment(client, milestone):
    elsewhere = ProgrammeFactory()
    stranger = UserFactory(username="elsewhere")
    grant(stranger, Role.BOARD_MEMBER, programme=elsewhere)

    response = post_comment(
        client, stranger, reverse("milestone_comment", args=[milestone.pk]), "Hello"
    )

    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_a_signed_out_user_is_sent_to_sign_in(client, milestone):
    response = client.post(reverse("milestone_comment", args=[milestone.pk]), {"body": "Hello"})

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not Comment.objects.exists()


def test_the_service_refuses_someone_who_cannot_see_the_item(milestone):
    stranger = UserFactory(username="stranger")

    with pytest.raises(Http404):
        add_comment(milestone, "Hello", by=stranger)

    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "body, message",
    [
        ("   \n  ", "Enter a comment"),
        ("x" * 4001, "A comment must be 4,000 characters or fewer"),
    ],
)
def test_an_empty_or_over_long_comment_is_refused_with_a_message_by_the_field(
    client, board, milestone, body, message
):
    response = post_comment(client, board, reverse("milestone_comment", args=[milestone.pk]), body)

    html = response.content.decode()
    assert response.status_code == 400
    assert error_by(html, "comments-body") == message
    assert summary(html) == [("#comments-body", message)]
    assert not Comment.objects.exists()


def test_with_htmx_a_refused_comment_shows_its_message_in_place(client, board, milestone):
    response = post_comment(
        client,
        board,
        reverse("milestone_comment", args=[milestone.pk]),
        "",
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps only a success
    assert "<html" not in html and error_by(html, "comments-body") == "Enter a comment"
    assert not Comment.objects.exists()


# ----- The exception report -----


def test_exception_comments_appear_in_the_exception_report(plan, people, board):
    periods = make_periods(plan)
    programme = make_programme_in_flight(plan, periods)
    period = periods["this"]
    breach = next(b for b in exceptions_for_period(period).breaches if b.kind == "milestone")
    add_comment(
        period, "The board asks for a new date\nby the next meeting", by=board, topic=breach.key
    )
    add_comment(period, "Not this one", by=board, topic="milestone:999999")

    report = gather_exceptions(programme, period, author="Sam Okafor")
    text = " ".join(pdf_pages(report))

    shown = text[text.index(breach.title, text.index("Summary of exceptions")) :]
    assert "Comments Zoe Hart" in shown
    assert "The board asks for a new date by the next meeting" in shown
    assert "Not this one" not in text


def test_comments_by_topic_groups_a_period_s_comments_by_exception(board, exception_period):
    period, key = exception_period
    first = add_comment(period, "One", by=board, topic=key)
    second = add_comment(period, "Two", by=board, topic=key)
    other = add_comment(period, "Three", by=board, topic="budget:2026")

    assert comments_by_topic(period) == {key: [first, second], "budget:2026": [other]}


# ----- A fixed number of queries -----


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _add_comments(item, count: int, *, by, topic: str = "") -> None:
    for number in range(count):
        add_comment(item, f"Comment {number} for @Carole Yarde", by=by, topic=topic)


def test_the_milestone_page_runs_the_same_queries_with_2_or_20_comments(
    client, board, lead, milestone, django_assert_max_num_queries
):
    client.force_login(board)
    url = reverse("milestone_detail", args=[milestone.pk])
    _add_comments(milestone, 2, by=board)
    with_two = _queries(client, url)
    _add_comments(milestone, 18, by=board)

    with django_assert_max_num_queries(with_two):
        assert client.get(url).content.decode().count("Comment 17 for") == 2  # page, history


def test_the_exceptions_page_reads_comments_once_however_many(
    client, plan, board, lead, exception_period, django_assert_max_num_queries
):
    period, key = exception_period
    client.force_login(board)
    url = reverse("period_exceptions", args=[period.pk])
    _add_comments(period, 2, by=board, topic=key)
    with_two = _queries(client, url)
    today = timezone.localdate()
    for number in range(2, 6):  # more exceptions, each commented on
        more = MilestoneFactory(
            workstream=plan["ws_1_1"],
            reference=f"1.1.{number}",
            baseline_date=today - timedelta(days=40),
        )
        _add_comments(period, 5, by=board, topic=f"milestone:{more.pk}")

    with django_assert_max_num_queries(with_two):
        assert "Comment 4 for" in client.get(url).content.decode()
