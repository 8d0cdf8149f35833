"""Writing and approving the narratives of exceptions (DOMAIN.md sections 2 and 5): who may
write and approve for each breach, approval withdrawn by a later change, the limits, and two
people editing the same narrative."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from programmes.choices import Role
from programmes.dates import FinancialYear
from programmes.models import StaleEdit
from reporting.models import ExceptionNarrative
from reporting.narratives import approve_narrative, exceptions_for_period, write_narrative
from tests.clock import TODAY
from tests.factories import (
    BudgetLineFactory,
    MilestoneFactory,
    PeriodFactory,
    UserFactory,
    grant,
)
from tests.test_pages import build_programme

YEAR = FinancialYear.containing(TODAY).start_year
WRITTEN = {
    "cause": "The provider withdrew from the consultation.",
    "consequences": "Day centres stay open three months longer.",
    "options": "1. Wait. 2. Re-procure.",
    "recommendation": "Re-procure through the framework.",
    "decision_required": "Agree to re-procure by the next board.",
}


@pytest.fixture
def period(plan):
    return PeriodFactory(programme=plan["programme"], month=TODAY.replace(day=1))


@pytest.fixture
def breaches(plan, period):
    """An overdue milestone in area one (1.1), one in area two (2.1), and a budget breach
    (which belongs to no area)."""
    one = MilestoneFactory(
        workstream=plan["ws_1_1"], reference="1.1.1", baseline_date=TODAY - timedelta(days=3)
    )
    two = MilestoneFactory(
        workstream=plan["ws_2_1"], reference="2.1.1", baseline_date=TODAY - timedelta(days=3)
    )
    BudgetLineFactory(
        workstream=plan["ws_2_2"],
        financial_year=YEAR,
        allocated=Decimal(1000),
        forecast=Decimal(1500),
    )
    found = exceptions_for_period(period)
    return {
        "area_one": found.find(f"milestone:{one.pk}"),
        "area_two": found.find(f"milestone:{two.pk}"),
        "budget": found.find(f"budget:{YEAR}"),
    }


def narrative_url(period, breach, action=""):
    kind, object_id = breach.key.split(":")
    name = "exception_approve" if action == "approve" else "exception_narrative"
    return reverse(name, args=[period.pk, kind, object_id])


def posted(version=None, **fields):
    data = dict(WRITTEN) | fields
    if version is not None:
        data["version"] = str(version)
    return data


# Who may write: the project manager within their area, the programme office anywhere, the
# administrator; nobody else. Budget breaches have no area: only the programme office.
WRITERS = {
    "board": {"area_one": 403, "area_two": 403, "budget": 403},
    "sponsor": {"area_one": 403, "area_two": 403, "budget": 403},
    "manager": {"area_one": 302, "area_two": 403, "budget": 403},
    "lead": {"area_one": 403, "area_two": 403, "budget": 403},
    "other_lead": {"area_one": 403, "area_two": 403, "budget": 403},
    "office": {"area_one": 302, "area_two": 302, "budget": 302},
    "outsider": {"area_one": 404, "area_two": 404, "budget": 404},
    "admin": {"area_one": 302, "area_two": 302, "budget": 302},
}


@pytest.mark.parametrize("role", sorted(WRITERS))
def test_who_may_write_a_narrative(client, people, period, breaches, role):
    client.force_login(people[role])
    for which, expected in WRITERS[role].items():
        breach = breaches[which]
        form = client.get(narrative_url(period, breach))
        assert form.status_code == (200 if expected == 302 else expected), which

        response = client.post(narrative_url(period, breach), posted())

        assert response.status_code == expected, which
        saved = ExceptionNarrative.objects.filter(period=period, key=breach.key).first()
        if expected == 302:
            assert saved.cause == WRITTEN["cause"] and saved.written_by == people[role]
            assert saved.history.first().history_user == people[role]
        else:
            assert saved is None, which


def test_the_exceptions_page_offers_writing_only_where_allowed(client, people, period, breaches):
    client.force_login(people["manager"])
    html = client.get(reverse("period_exceptions", args=[period.pk])).content.decode()
    assert narrative_url(period, breaches["area_one"]) in html
    assert narrative_url(period, breaches["area_two"]) not in html
    assert narrative_url(period, breaches["budget"]) not in html
    client.force_login(people["lead"])
    html = client.get(reverse("period_exceptions", args=[period.pk])).content.decode()
    assert "Write the narrative" not in html


@pytest.fixture
def written(people, period, breaches):
    """Every breach has a written narrative, by the programme office."""
    return {
        which: write_narrative(period, breach, by=people["office"], version=None, fields=WRITTEN)
        for which, breach in breaches.items()
    }


# Who may approve: the sponsor of the area, the programme office, the administrator.
APPROVERS = {
    "board": {"area_one": 403, "area_two": 403, "budget": 403},
    "sponsor": {"area_one": 302, "area_two": 403, "budget": 403},
    "manager": {"area_one": 403, "area_two": 403, "budget": 403},
    "lead": {"area_one": 403, "area_two": 403, "budget": 403},
    "other_lead": {"area_one": 403, "area_two": 403, "budget": 403},
    "office": {"area_one": 302, "area_two": 302, "budget": 302},
    "outsider": {"area_one": 404, "area_two": 404, "budget": 404},
    "admin": {"area_one": 302, "area_two": 302, "budget": 302},
}


@pytest.mark.parametrize("role", sorted(APPROVERS))
def test_who_may_approve_a_narrative(client, people, period, breaches, written, role):
    client.force_login(people[role])
    for which, expected in APPROVERS[role].items():
        response = client.post(
            narrative_url(period, breaches[which], "approve"),
            {"version": written[which].version},
        )
        assert response.status_code == expected, which
        narrative = ExceptionNarrative.objects.get(pk=written[which].pk)
        if expected == 302:
            assert narrative.approved_by == people[role] and narrative.approved_at is not None
        else:
            assert narrative.approved_at is None and narrative.version == written[which].version


def test_the_sponsor_sees_approve_only_for_their_area(client, people, period, breaches, written):
    client.force_login(people["sponsor"])
    html = client.get(reverse("period_exceptions", args=[period.pk])).content.decode()
    assert narrative_url(period, breaches["area_one"], "approve") in html
    assert narrative_url(period, breaches["area_two"], "approve") not in html
    assert narrative_url(period, breaches["budget"], "approve") not in html


def test_changing_the_words_withdraws_the_approval(client, people, period, breaches, written):
    narrative = approve_narrative(
        period, breaches["area_one"], by=people["sponsor"], version=written["area_one"].version
    )
    client.force_login(people["manager"])

    # Saving the same words again changes nothing: the approval stands.
    client.post(narrative_url(period, breaches["area_one"]), posted(narrative.version))
    narrative.refresh_from_db()
    assert narrative.approved_by == people["sponsor"]

    response = client.post(
        narrative_url(period, breaches["area_one"]),
        posted(narrative.version, recommendation="Wait for the new provider."),
    )

    assert response.status_code == 302
    narrative.refresh_from_db()
    assert narrative.recommendation == "Wait for the new provider."
    assert narrative.approved_at is None and narrative.approved_by is None
    assert narrative.written_by == people["manager"]
    assert "approval was withdrawn" in narrative.history.first().history_change_reason
    html = client.get(reverse("period_exceptions", args=[period.pk])).content.decode()
    assert "3</span>awaiting the sponsor" in html and "Approved by" not in html


def test_the_form_starts_from_the_narrative_as_saved(client, people, period, breaches, written):
    client.force_login(people["manager"])
    html = client.get(narrative_url(period, breaches["area_one"])).content.decode()
    assert f">{WRITTEN['cause']}</textarea>" in html
    assert f'name="version" value="{written["area_one"].version}"' in html
    assert "Change the narrative for" in html


def test_a_narrative_changed_after_approval_shows_a_warning_on_its_form(
    client, people, period, breaches, written
):
    approve_narrative(
        period, breaches["area_one"], by=people["sponsor"], version=written["area_one"].version
    )
    client.force_login(people["manager"])
    html = client.get(narrative_url(period, breaches["area_one"])).content.decode()
    assert "Changing its words withdraws the approval" in html


def test_each_part_is_limited_to_4000_characters(client, people, period, breaches):
    client.force_login(people["manager"])
    response = client.post(
        narrative_url(period, breaches["area_one"]),
        posted(cause="x" * 4001, options="y" * 4001),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "The cause must be 4,000 characters or fewer" in html
    assert "The options must be 4,000 characters or fewer" in html
    assert "Up to 4,000 characters." in html  # the hint says so before anyone trips on it
    assert not ExceptionNarrative.objects.exists()


def test_the_service_refuses_too_long_text_and_saves_nothing(people, period, breaches):
    with pytest.raises(ValidationError) as refused:
        write_narrative(
            period,
            breaches["area_one"],
            by=people["manager"],
            version=None,
            fields=WRITTEN | {"decision_required": "z" * 4001},
        )
    assert refused.value.message_dict == {
        "decision_required": ["The decision required must be 4,000 characters or fewer"]
    }
    assert not ExceptionNarrative.objects.exists()


def test_an_empty_narrative_is_not_saved(client, people, period, breaches):
    client.force_login(people["manager"])
    blank = dict.fromkeys(WRITTEN, "  ")
    response = client.post(narrative_url(period, breaches["area_one"]), blank)
    assert response.status_code == 400
    assert "the board needs at least the cause and the recommendation" in response.content.decode()
    assert not ExceptionNarrative.objects.exists()


@pytest.mark.parametrize("draft", [None, {"cause": "", "consequences": "Three months late."}])
def test_an_unwritten_narrative_cannot_be_approved(client, people, period, breaches, draft):
    breach = breaches["area_one"]
    version = 0
    if draft is not None:
        version = write_narrative(
            period, breach, by=people["manager"], version=None, fields=draft
        ).version
    client.force_login(people["sponsor"])

    response = client.post(narrative_url(period, breach, "approve"), {"version": version})

    assert response.status_code == 400
    html = response.content.decode()
    assert "cannot be approved yet: its narrative needs at least a cause and a recommendation" in (
        html
    )
    assert not ExceptionNarrative.objects.filter(approved_at__isnull=False).exists()


def test_the_second_of_two_editors_is_shown_the_other_change_and_keeps_their_words(
    client, people, period, breaches, written
):
    breach = breaches["area_one"]
    seen = written["area_one"].version
    # The programme office changes the cause while the manager has the form open.
    write_narrative(
        period,
        breach,
        by=people["office"],
        version=seen,
        fields=WRITTEN | {"cause": "Budget cut in year."},
    )
    client.force_login(people["manager"])

    response = client.post(
        narrative_url(period, breach), posted(seen, cause="Staff shortages in the team.")
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this narrative while you were editing it" in html
    assert "Budget cut in year." in html  # what the other person wrote
    assert "Staff shortages in the team." in html  # what this person typed, kept
    narrative = ExceptionNarrative.objects.get(pk=written["area_one"].pk)
    assert narrative.cause == "Budget cut in year."

    # Having seen it, they save again and it goes through.
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    response = client.post(
        narrative_url(period, breach), posted(version, cause="Staff shortages in the team.")
    )
    assert response.status_code == 302
    narrative.refresh_from_db()
    assert narrative.cause == "Staff shortages in the team."


def test_two_people_writing_the_first_narrative_at_once(people, period, breaches):
    breach = breaches["area_one"]
    write_narrative(period, breach, by=people["office"], version=None, fields=WRITTEN)
    with pytest.raises(StaleEdit):
        write_narrative(
            period, breach, by=people["manager"], version=None, fields={"cause": "Mine"}
        )
    assert ExceptionNarrative.objects.get().cause == WRITTEN["cause"]


def test_approval_is_of_the_words_the_sponsor_read(client, people, period, breaches, written):
    breach = breaches["area_one"]
    read = written["area_one"].version
    write_narrative(
        period,
        breach,
        by=people["manager"],
        version=read,
        fields=WRITTEN | {"recommendation": "Something else entirely."},
    )
    client.force_login(people["sponsor"])

    response = client.post(narrative_url(period, breach, "approve"), {"version": read})

    assert response.status_code == 409
    assert "Someone else changed this narrative while you were reading it" in (
        response.content.decode()
    )
    assert ExceptionNarrative.objects.get(pk=written["area_one"].pk).approved_at is None


def test_the_page_shows_the_narrative_who_wrote_it_and_the_approval(
    client, people, period, breaches, written
):
    approve_narrative(
        period, breaches["area_one"], by=people["sponsor"], version=written["area_one"].version
    )
    client.force_login(people["board"])
    html = client.get(reverse("period_exceptions", args=[period.pk])).content.decode()
    for text in WRITTEN.values():
        assert text in html
    office, sponsor = people["office"].person.name, people["sponsor"].person.name
    assert f"{office}, last changed {TODAY:%-d %b %Y}" in html  # who wrote it
    assert f"Approved by {sponsor} on {TODAY:%-d %b %Y}" in html
    # Six exceptions: the three written for, Red workstreams 1.1 and 2.1, and 2.2's budget
    # 50% over (issue 16: a workstream over its area's cost tolerance).
    assert "6</span>exceptions" in html and "3</span>without a narrative" in html
    assert "2</span>awaiting the sponsor" in html


@pytest.mark.parametrize("size", [1, 4])
def test_the_exceptions_page_runs_a_fixed_number_of_queries(
    client, db, size, django_assert_max_num_queries
):
    programme, _first = build_programme(workstreams=3 * size, milestones=2 * size)
    period = programme.reporting_periods.get()
    office = UserFactory()
    grant(office, Role.PROGRAMME_OFFICE, programme=programme)
    found = exceptions_for_period(period)
    assert len(found.breaches) >= 6 * size
    for breach in found.breaches[::2]:
        write_narrative(period, breach, by=office, version=None, fields=WRITTEN)
    client.force_login(office)
    # 25 since issue 13: every exception's comments, read at once, and a name to show how to
    # mention someone (and the comments' content type, the first time it is asked for).
    with django_assert_max_num_queries(25):
        response = client.get(reverse("period_exceptions", args=[period.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("Change the narrative") == len(found.breaches[::2])
