"""Search (issue 15, part 7): one box that finds each kind of thing by reference or words,
only in programmes the user can see, on SQLite and PostgreSQL, in a fixed number of queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from programmes.choices import Role
from programmes.models import Membership
from risks.models import BoardMeeting, Decision, Issue
from tests.factories import (
    AreaFactory,
    MeasureFactory,
    MilestoneFactory,
    PersonFactory,
    ProgrammeFactory,
    RiskFactory,
    UserFactory,
    WorkstreamFactory,
    grant,
)

pytestmark = pytest.mark.django_db


def _issue(programme, reference, title, description="What has happened"):
    return Issue.objects.create(
        programme=programme,
        reference=reference,
        title=title,
        description=description,
        severity="high",
        raised_on=date(2026, 9, 1),
    )


def _decision(programme, reference, title):
    return Decision.objects.create(programme=programme, reference=reference, title=title)


def _meeting(programme, title):
    return BoardMeeting.objects.create(programme=programme, held_on=date(2026, 9, 15), title=title)


def _everything(programme, word: str, prefix: str) -> dict:
    """One of each kind in the programme, each named with `word` and a reference of its own."""
    area = AreaFactory(programme=programme, reference=f"{prefix}9")
    workstream = WorkstreamFactory(area=area, reference=f"{prefix}9.1", name=f"{word} services")
    person = PersonFactory(organisation=programme.organisation, name=f"Alex {word} {prefix}")
    grant(UserFactory(username=f"holder-{prefix}"), Role.BOARD_MEMBER, programme=programme)
    Membership.objects.create(person=person, role=Role.BOARD_MEMBER, programme=programme)
    return {
        "workstreams": workstream,
        "milestones": MilestoneFactory(
            workstream=workstream, reference=f"{prefix}9.1.1", title=f"{word} contract signed"
        ),
        "risks": RiskFactory(programme=programme, reference=f"{prefix}R9", title=f"{word} delay"),
        "issues": _issue(programme, f"{prefix}I9", f"{word} supplier failed"),
        "decisions": _decision(programme, f"{prefix}D9", f"Approve the {word} business case"),
        "measures": MeasureFactory(
            workstream=workstream, reference=f"{prefix}NI 9", title=f"{word} hours delivered"
        ),
        "people": person,
        "meetings": _meeting(programme, f"{word} board"),
    }


def _found(client, text: str) -> str:
    response = client.get(reverse("search"), {"q": text})
    assert response.status_code == 200
    return response.content.decode()


def test_it_finds_each_kind_by_words(client, plan, people):
    things = _everything(plan["programme"], "Zephyrine", "A")
    client.force_login(people["board"])
    page = _found(client, "zephyrine")
    for kind in things:
        assert f'id="results-{kind}"' in page, kind
    assert "Zephyrine contract signed" in page
    assert "Alex Zephyrine" in page
    assert reverse("meeting_detail", args=[things["meetings"].pk]) in page
    assert reverse("decision_detail", args=[things["decisions"].pk]) in page


def test_it_finds_by_words_in_the_longer_text(client, plan, people):
    _issue(plan["programme"], "I77", "Staffing", description="The quarrymen walked out")
    client.force_login(people["board"])
    assert "Staffing" in _found(client, "quarrymen")


def test_it_finds_each_kind_with_a_reference_by_its_reference(client, plan, people):
    things = _everything(plan["programme"], "Zephyrine", "A")
    client.force_login(people["board"])
    for kind in ("workstreams", "milestones", "risks", "issues", "decisions", "measures"):
        reference = things[kind].reference
        page = _found(client, reference.lower())
        assert f'id="results-{kind}"' in page, kind
        if kind != "decisions":
            assert things[kind].get_absolute_url() in page, kind
        assert reference in page


def test_a_user_of_one_programme_never_finds_anothers(client, plan, people):
    other = ProgrammeFactory(name="Northshire Highways")
    other_things = _everything(other, "Quillfeather", "B")
    client.force_login(people["board"])
    for text in [
        "quillfeather",
        *(t.reference for t in other_things.values() if hasattr(t, "reference")),
    ]:
        page = _found(client, text)
        assert "No results for" in page, text
        assert "Quillfeather" not in page.replace("&lsquo;quillfeather&rsquo;", "")
        assert "Northshire" not in page


def test_an_outsider_finds_nothing_and_an_administrator_everything(client, plan, people):
    _everything(plan["programme"], "Zephyrine", "A")
    client.force_login(people["outsider"])
    assert "No results for" in _found(client, "zephyrine")
    client.force_login(people["admin"])
    assert "Zephyrine contract signed" in _found(client, "zephyrine")


def test_people_are_found_only_with_a_role_in_a_visible_programme(client, plan, people):
    # Someone of the same organisation with no role anywhere, and someone with a role only
    # in another programme of that organisation.
    organisation = plan["programme"].organisation
    PersonFactory(organisation=organisation, name="Hortensia Roleless")
    elsewhere = ProgrammeFactory(organisation=organisation, name="Another programme")
    Membership.objects.create(
        person=PersonFactory(organisation=organisation, name="Hortensia Elsewhere"),
        role=Role.BOARD_MEMBER,
        programme=elsewhere,
    )
    Membership.objects.create(
        person=PersonFactory(organisation=organisation, name="Hortensia Member"),
        role=Role.BOARD_MEMBER,
        programme=plan["programme"],
    )
    client.force_login(people["board"])
    page = _found(client, "hortensia")
    assert "Hortensia Member" in page
    assert "Roleless" not in page
    assert "Elsewhere" not in page


def test_a_workstream_lead_finds_everything_in_their_programme(client, plan, people):
    # DOMAIN.md section 2: any role in a programme sees all of it, so a lead of 1.1 finds
    # what belongs to another area's workstream too.
    milestone = MilestoneFactory(
        workstream=plan["ws_2_2"], reference="2.2.7", title="Sheltered flats handed over"
    )
    client.force_login(people["lead"])
    page = _found(client, "sheltered flats")
    assert milestone.get_absolute_url() in page
    assert "Extra Care" not in page


def test_no_results_says_so(client, plan, people):
    client.force_login(people["board"])
    page = _found(client, "nothing matches this")
    assert "No results for &lsquo;nothing matches this&rsquo;" in page


def test_an_empty_or_odd_query_is_not_an_error(client, plan, people):
    client.force_login(people["board"])
    assert "No results for" not in _found(client, "")
    assert _found(client, "a\x00b")
    assert _found(client, "x" * 5000)
    assert _found(client, "'\"():*&|!")


def test_the_search_needs_signing_in(client, plan):
    response = client.get(reverse("search"), {"q": "anything"})
    assert response.status_code == 302


def test_the_header_has_the_search_box(client, plan, people):
    client.force_login(people["board"])
    page = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("search")}"' in page
    assert 'role="search"' in page


@pytest.mark.parametrize("size", [1, 6])
def test_the_query_count_is_fixed(client, plan, people, size, django_assert_max_num_queries):
    for n in range(size):
        _everything(plan["programme"], "Zephyrine", f"S{n}x")
    client.force_login(people["board"])
    client.get(reverse("search"), {"q": "warm up"})
    # The session, the user and what the header shows (their person and organisation),
    # then one query for each of the eight kinds.
    with django_assert_max_num_queries(12):
        page = _found(client, "zephyrine")
    assert page.count("Zephyrine contract signed") == size


def test_a_reference_typed_exactly_comes_first(client, plan, people):
    MilestoneFactory(workstream=plan["ws_1_1"], reference="1.1.9", title="Review of 1.1.10")
    MilestoneFactory(workstream=plan["ws_1_1"], reference="1.1.10", title="Final report")
    client.force_login(people["board"])
    page = _found(client, "1.1.10")
    assert "Final report" in page
    if "Review of 1.1.10" in page:
        assert page.index("Final report") < page.index("Review of 1.1.10")
