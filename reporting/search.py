"""One search box over every programme the user may see (issue 15, part 7): workstreams,
milestones, risks, issues, decisions, measures, people and meetings, found by reference or
by words.

Every kind is read from its model's `visible_to(user)` queryset (people: those with a role
in a programme the user sees), so a search can never show what the user's pages would not.
On PostgreSQL words are matched by full-text search (English stemming, ranked); on SQLite
each word must appear in one of the kind's fields (a plain `icontains`). A reference typed
exactly (any case) always matches. One query per kind, whatever the data size.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

from django.db import connection
from django.db.models import Case, Exists, F, Model, OuterRef, Q, QuerySet, Subquery, Value, When
from django.urls import reverse

from programmes.models import Membership, Person, Programme
from risks.models import BoardMeeting, Decision, Issue, Risk
from workstreams.models import Measure, Milestone, Workstream

# What is read of what was typed: enough for any reference or phrase.
MAX_QUERY_LENGTH = 200
# Results shown per kind: the best first; more than this asks for more words.
LIMIT = 20


@dataclass(frozen=True)
class Hit:
    """One thing found: what it is called, where it lives, and its page."""

    reference: str
    title: str
    url: str
    programme: str


@dataclass(frozen=True)
class Kind:
    """A kind of thing the box finds: the fields its words are in, how it is shown."""

    key: str
    heading: str
    fields: Sequence[str]
    queryset: Callable[[object], QuerySet]
    hit: Callable[[Model], Hit]
    has_reference: bool = True
    order: Sequence[str] = ("sort_key",)


@dataclass
class Group:
    kind: Kind
    hits: list[Hit] = field(default_factory=list)
    has_more: bool = False


@dataclass
class SearchResults:
    text: str
    groups: list[Group]

    @property
    def count(self) -> int:
        return sum(len(group.hits) for group in self.groups)

    @property
    def has_more(self) -> bool:
        return any(group.has_more for group in self.groups)

    @property
    def found(self) -> list[Group]:
        return [group for group in self.groups if group.hits]


def clean_query(value) -> str:
    """What was typed, as searched: spaces collapsed, NUL characters (which PostgreSQL
    refuses) dropped, cut to MAX_QUERY_LENGTH."""
    if not isinstance(value, str):
        return ""
    return " ".join(value.replace("\x00", " ").split())[:MAX_QUERY_LENGTH]


def _people(user) -> QuerySet:
    """People with a role in a programme the user sees, each with the first such programme
    (their row on its people page is where the link goes)."""
    roles = Membership.objects.filter(
        person=OuterRef("pk"), programme__in=Programme.objects.visible_to(user).values("pk")
    )
    return Person.objects.filter(Exists(roles)).annotate(
        programme_id=Subquery(roles.order_by("programme_id").values("programme_id")[:1]),
        programme_name=Subquery(roles.order_by("programme_id").values("programme__name")[:1]),
    )


KINDS: list[Kind] = [
    Kind(
        "workstreams",
        "Workstreams",
        ("name", "outcomes"),
        lambda user: Workstream.objects.visible_to(user).select_related("programme"),
        lambda w: Hit(w.reference, w.name, w.get_absolute_url(), w.programme.name),
    ),
    Kind(
        "milestones",
        "Milestones",
        ("title", "description"),
        lambda user: Milestone.objects.visible_to(user).select_related("workstream__programme"),
        lambda m: Hit(m.reference, m.title, m.get_absolute_url(), m.workstream.programme.name),
    ),
    Kind(
        "risks",
        "Risks",
        ("title", "cause", "event", "effect"),
        lambda user: Risk.objects.visible_to(user).select_related("programme"),
        lambda r: Hit(r.reference, r.title, r.get_absolute_url(), r.programme.name),
    ),
    Kind(
        "issues",
        "Issues",
        ("title", "description", "resolution"),
        lambda user: Issue.objects.visible_to(user).select_related("programme"),
        lambda i: Hit(i.reference, i.title, i.get_absolute_url(), i.programme.name),
    ),
    Kind(
        "decisions",
        "Key decisions",
        ("title", "description", "outcome"),
        lambda user: Decision.objects.visible_to(user).select_related("programme"),
        lambda d: Hit(
            d.reference, d.title, reverse("decision_detail", args=[d.pk]), d.programme.name
        ),
    ),
    Kind(
        "measures",
        "Measures",
        ("title",),
        lambda user: Measure.objects.visible_to(user).select_related("workstream__programme"),
        lambda m: Hit(m.reference, m.title, m.get_absolute_url(), m.workstream.programme.name),
    ),
    Kind(
        "people",
        "People",
        ("name", "job_title", "employer"),
        _people,
        lambda p: Hit(
            "",
            p.description,
            reverse("programme_people", args=[p.programme_id]) + f"#person-{p.pk}",
            p.programme_name,
        ),
        has_reference=False,
        order=("name",),
    ),
    Kind(
        "meetings",
        "Meetings",
        ("title", "location", "minutes"),
        lambda user: BoardMeeting.objects.visible_to(user).select_related("programme"),
        lambda b: Hit("", str(b), reverse("meeting_detail", args=[b.pk]), b.programme.name),
        has_reference=False,
        order=("-held_on",),
    ),
]


def uses_full_text() -> bool:
    """PostgreSQL's full-text search where the database has it; `icontains` elsewhere."""
    return connection.vendor == "postgresql"


def _matching(kind: Kind, queryset: QuerySet, text: str) -> QuerySet:
    by_reference = Q(reference__iexact=text) if kind.has_reference else Q(pk__in=[])
    # A reference typed exactly comes first.
    exact = Case(When(by_reference, then=Value(1)), default=Value(0))
    if uses_full_text():
        # Imported here: the module needs psycopg, which a SQLite install may not have.
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector(*kind.fields, config="english")
        query = SearchQuery(text, config="english", search_type="websearch")
        return (
            queryset.annotate(search=vector, rank=SearchRank(vector, query), exact=exact)
            .filter(by_reference | Q(search=query))
            .order_by(F("exact").desc(), F("rank").desc(), *kind.order)
        )
    words = [
        reduce(or_, (Q(**{f"{name}__icontains": word}) for name in kind.fields))
        for word in text.split()
    ]
    return (
        queryset.annotate(exact=exact)
        .filter(by_reference | reduce(and_, words))
        .order_by(F("exact").desc(), *kind.order)
    )


def search(user, text: str) -> SearchResults:
    """What the user may see that matches the text, grouped by kind: one query a kind."""
    text = clean_query(text)
    groups = [Group(kind) for kind in KINDS]
    if not text:
        return SearchResults(text, groups)
    for group in groups:
        found = list(_matching(group.kind, group.kind.queryset(user), text)[: LIMIT + 1])
        group.hits = [group.kind.hit(item) for item in found[:LIMIT]]
        group.has_more = len(found) > LIMIT
    return SearchResults(text, groups)
