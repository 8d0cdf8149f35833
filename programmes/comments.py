"""Comments on items, and @mentions (DOMAIN.md section 7, "Comments"; issue 13, part 6).

Anyone who can see an item comments on it: a workstream, a milestone, a risk, an issue, a
report, or one exception of a period (the period, with the exception's key as the topic).
Typing "@" and the name of a person of the programme mentions them: they are emailed a link
to the item once the comment is saved, if they may see the item and have an email address;
the commenter is told whom that reached and whom it did not, and why. Comments show on the
item's page, in its history, and (an exception's) in the exception report.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse

from programmes.forms import CommentForm
from programmes.history import Change
from programmes.jobs import queue_after_commit
from programmes.models import (
    COMMENT_LIMIT,
    Comment,
    CommentKind,
    Notice,
    Person,
    ReportingPeriod,
)
from programmes.permissions import Action, may, require, scope_of

MENTION_TASK = "programmes.email_mentions"
NOTICE_KIND = "mention"
# How much of a comment the history shows.
HISTORY_WORDS = 12


# ----- Adding a comment -----


@dataclass(frozen=True)
class Mention:
    """A person named in a comment, and whether they are emailed (if not, `reason` says why,
    for the commenter)."""

    person: Person
    reason: str = ""

    @property
    def is_emailed(self) -> bool:
        return not self.reason


def clean_body(body: str) -> str:
    """A comment has words, and at most 4,000 characters (so that it prints in a report)."""
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise ValidationError({"body": "Enter a comment"})
    if len(body) > COMMENT_LIMIT:
        raise ValidationError({"body": f"A comment must be {COMMENT_LIMIT:,} characters or fewer"})
    return body


def people_who_may_be_mentioned(programme_id: int) -> list[Person]:
    """Those an @ can name: anyone with a role in the programme, and anyone of its
    organisation (so that naming a colleague without a role is told, not silently ignored).
    One query."""
    return list(
        Person.objects.filter(
            Q(memberships__programme_id=programme_id) | Q(organisation__programmes=programme_id)
        )
        .select_related("user")
        .distinct()
    )


def find_mentions(body: str, people: Iterable[Person]) -> list[Person]:
    """The people a text names with "@" and their name, in the order named: any case, the
    longest name first (so "@Ann Lee-Smith" is not taken for "@Ann Lee"), and a name must end
    where a word ends. Two people of the same name are both named."""
    by_name: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        if person.name.strip():
            by_name[person.name.strip().casefold()].append(person)
    if not by_name or "@" not in body:
        return []
    names = sorted(by_name, key=len, reverse=True)
    pattern = re.compile(
        "@(" + "|".join(re.escape(name) for name in names) + r")(?!\w)", re.IGNORECASE
    )
    found: dict[int, Person] = {}
    for match in pattern.finditer(body):
        for person in by_name[match.group(1).casefold()]:
            found.setdefault(person.pk, person)
    return list(found.values())


def email_address(person: Person) -> str:
    return person.email or (person.user.email if person.user_id else "")


def why_not_emailed(person: Person, target, *, author) -> str:
    """Why a mentioned person is not emailed, or "" if they are: only those who may see the
    item (DOMAIN.md section 2), who have an address, and not the commenter themselves."""
    user = person.user
    if user is not None and author is not None and user.pk == author.pk:
        return "you wrote the comment"
    if user is None or not user.is_active:
        return "they do not sign in to this site"
    if not may(user, Action.VIEW, target):
        return "they cannot see this programme"
    if not email_address(person):
        return "they have no email address"
    return ""


def describe_item(target, topic: str = "") -> str:
    """How an email names the item: "milestone 3.2.1 Staff consultation"."""
    if isinstance(target, ReportingPeriod):
        return f"an exception in {target.label}"
    return f"{target._meta.verbose_name} {target}"


def thread_anchor(topic: str = "") -> str:
    """The id of a comments section on its page: "comments", or for an exception
    "comments-milestone-123"."""
    return f"comments-{topic.replace(':', '-')}" if topic else "comments"


def item_path(target, topic: str = "") -> str:
    """Where an item's comments are: its page (an exception's: its period's exceptions page)."""
    if isinstance(target, ReportingPeriod):
        page = reverse("period_exceptions", args=[target.pk])
    else:
        page = target.get_absolute_url()
    return f"{page}#{thread_anchor(topic)}"


@transaction.atomic
def add_comment(
    target,
    body: str,
    *,
    by,
    topic: str = "",
    kind: CommentKind = CommentKind.COMMENT,
    about: str = "",
) -> Comment:
    """Add a comment to an item, for anyone who may see it (Action.COMMENT), and email the
    people it mentions once the transaction commits. `about` is how the email names the item
    (`describe_item` otherwise). The comment's `mentions` says whom the email reaches and
    whom not, for the commenter."""
    require(by, Action.COMMENT, target)
    body = clean_body(body)
    if len(topic) > Comment._meta.get_field("topic").max_length:
        raise ValidationError({"topic": "No such item to comment on"})
    programme_id = scope_of(target).programme_id
    comment = Comment.objects.create(
        programme_id=programme_id,
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        topic=topic,
        kind=CommentKind(kind),
        author=by,
        body=body,
    )
    named = find_mentions(body, people_who_may_be_mentioned(programme_id))
    comment.mentioned.set(named)
    comment.mentions = [
        Mention(person, why_not_emailed(person, target, author=by)) for person in named
    ]
    if any(mention.is_emailed for mention in comment.mentions):
        queue_after_commit(MENTION_TASK, comment.pk, about or describe_item(target, topic))
    return comment


def mentions_told(mentions: list[Mention]) -> str:
    """For the commenter: "Emailed Carole Yarde. Not emailed: Sam Ode (they cannot see this
    programme)." Empty when nobody was mentioned."""
    emailed = [m.person.name for m in mentions if m.is_emailed]
    missed = [f"{m.person.name} ({m.reason})" for m in mentions if not m.is_emailed]
    parts = []
    if emailed:
        parts.append(f"Emailed {', '.join(emailed)} a link to it.")
    if missed:
        parts.append(f"Not emailed: {'; '.join(missed)}.")
    return " ".join(parts)


# ----- The email -----


def email_mentions(comment_id: int, about: str) -> int:
    """Email each person a comment mentions a link to the item, once (claimed in `Notice`
    before sending, so a job delivered twice sends nothing more), if they may see it now and
    have an address. Returns how many were emailed."""
    comment = (
        Comment.objects.select_related("author__person", "programme", "content_type")
        .filter(pk=comment_id)
        .first()
    )
    target = comment.target if comment is not None else None
    if target is None:  # the comment or its item has gone since
        return 0
    writer = comment.author_name
    link = settings.SITE_URL.rstrip("/") + item_path(target, comment.topic)
    quoted = "\n".join(f"  {line}" for line in comment.body.splitlines())
    sent = 0
    for person in comment.mentioned.select_related("user").order_by("name"):
        if why_not_emailed(person, target, author=comment.author):
            continue
        address = email_address(person)
        try:
            with transaction.atomic():
                Notice.objects.create(
                    kind=NOTICE_KIND, key=f"{comment.pk}:{person.pk}", recipients=address
                )
                send_mail(
                    f"{writer} mentioned you on {about}",
                    f"Dear {person.name},\n\n"
                    f"{writer} mentioned you in a comment on {about} "
                    f"({comment.programme.name}):\n\n{quoted}\n\n"
                    f"See it, and reply, here:\n{link}\n",
                    settings.DEFAULT_FROM_EMAIL,
                    [address],
                )
        except IntegrityError:  # told already
            continue
        sent += 1
    return sent


# ----- Reading comments -----


def _comments(**filters) -> list[Comment]:
    return list(
        Comment.objects.filter(**filters)
        .select_related("author__person")
        .prefetch_related("mentioned")
        .order_by("created_at", "pk")
    )


def comments_for(target, topic: str = "") -> list[Comment]:
    """An item's comments, oldest first, with their authors and the people they mention: two
    queries, whatever their number."""
    return _comments(
        content_type=ContentType.objects.get_for_model(target), object_id=target.pk, topic=topic
    )


def comments_by_topic(period: ReportingPeriod) -> dict[str, list[Comment]]:
    """Every comment on a period's exceptions, by the exception's key, oldest first: two
    queries for the whole period."""
    grouped: dict[str, list[Comment]] = defaultdict(list)
    for comment in _comments(
        content_type=ContentType.objects.get_for_model(ReportingPeriod), object_id=period.pk
    ):
        if comment.topic:
            grouped[comment.topic].append(comment)
    return dict(grouped)


def first_words(text: str, count: int = HISTORY_WORDS) -> str:
    words = text.split()
    return " ".join(words[:count]) + ("..." if len(words) > count else "")


def comment_changes(comments: Iterable[Comment]) -> list[Change]:
    """Comments as lines of an item's history: "Comment: first words... by Zoe Hart"."""
    return [
        Change(
            comment.created_at,
            comment.author_name,
            comment.get_kind_display(),
            (first_words(comment.body),),
        )
        for comment in comments
    ]


def with_comments(history: list[Change], comments: Iterable[Comment]) -> list[Change]:
    """An item's history with its comments in it, newest first."""
    return sorted(
        [*history, *comment_changes(comments)], key=lambda change: change.when, reverse=True
    )


# ----- A comments section on a page -----


@dataclass
class CommentThread:
    """What a page's comments section shows (templates/includes/comments.html): the
    comments, where the form posts, a real name to show how to mention someone, and after a
    post the form with its errors, or what the mentions reached."""

    comments: list[Comment]
    post_url: str
    form: CommentForm
    topic: str = ""
    example_name: str = ""
    told: str = ""
    heading_level: int = 2

    @property
    def anchor(self) -> str:
        return thread_anchor(self.topic)


def example_name(programme_id: int, user) -> str:
    """A real name to show how to mention someone: a person of the programme who signs in,
    not the reader. One query."""
    people = Person.objects.filter(
        memberships__programme_id=programme_id, user__isnull=False, is_team=False
    )
    if user.is_authenticated:
        people = people.exclude(user=user)
    return people.order_by("name").values_list("name", flat=True).first() or ""


def comment_form(topic: str = "", data=None) -> CommentForm:
    """The form, its field ids unique on a page of several threads (the exceptions page)."""
    return CommentForm(data, auto_id=f"{thread_anchor(topic)}-%s")


def comment_thread(
    target,
    *,
    user,
    post_url: str,
    topic: str = "",
    comments: list[Comment] | None = None,
    example: str | None = None,
    form: CommentForm | None = None,
    told: str = "",
    heading_level: int = 2,
) -> CommentThread:
    """An item's comments section: its comments (unless given) and a name to show how to
    mention someone (unless given): three queries."""
    if example is None:
        example = example_name(scope_of(target).programme_id, user)
    form = form if form is not None else comment_form(topic)
    form.fields["body"].help_text = "To tell someone, type @ and their name" + (
        f", for example @{example}." if example else "."
    )
    return CommentThread(
        comments=comments_for(target, topic) if comments is None else comments,
        post_url=post_url,
        form=form,
        topic=topic,
        example_name=example,
        told=told,
        heading_level=heading_level,
    )
