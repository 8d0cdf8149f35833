"""The decision log's writes and a decision's page: the rules of a decision's record, each
refused with the GOV.UK error summary and nothing saved; concurrency; history in plain words;
links; and a fixed number of queries (DOMAIN.md sections 1, 2 and 5)."""

from datetime import date, timedelta
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from programmes.choices import DatePrecision, Role
from programmes.dates import PlanDate
from risks.filtersets import DecisionFilterSet
from risks.models import BoardMeeting, Decision, DecisionStatus
from risks.services.governance import (
    DecisionDetails,
    add_decision,
    decision_problems,
    may_add_decision,
)
from tests import forms
from tests.clock import TODAY
from tests.factories import (
    MilestoneFactory,
    PersonFactory,
    ProgrammeFactory,
    UserFactory,
    WorkstreamFactory,
    grant,
)


def decision_form(**overrides) -> dict[str, str]:
    """The decision form as the page sends it; dates as (day, month, year) or (month, year)."""
    data = {
        "reference": "D1",
        "title": "Close the Wealdstone day centre",
        "description": "Agree to consult on closing the centre",
        "forum": "Cabinet",
        "status": "pending",
        "outcome": "",
        "workstream": "",
        "milestone": "",
        "meeting": "",
        "version": "",
        **forms.date_parts("needed_by", None),
        **forms.date_parts("made_on", None),
    }
    for key in ("needed_by", "made_on"):
        if key in overrides:
            data.update(forms.date_parts(key, overrides.pop(key)))
    data.update({key: str(value) for key, value in overrides.items()})
    return data


def make_decision(programme, **fields) -> Decision:
    fields.setdefault("reference", "D1")
    fields.setdefault("title", "Close the Wealdstone day centre")
    return Decision.objects.create(programme=programme, **fields)


def error_summary(page: str) -> str:
    """The text of the GOV.UK error summary (empty when there is none)."""
    start = page.find('class="govuk-error-summary"')
    if start == -1:
        return ""
    return unescape(page[start : page.find("</ul>", start)])


def post(client, user, url, data):
    client.force_login(user)
    return client.post(url, data)


# ----- Adding and changing a decision -----


def test_the_office_adds_a_decision_needed_by_a_month(client, people, plan):
    programme = plan["programme"]
    response = post(
        client,
        people["office"],
        reverse("decision_add", args=[programme.pk]),
        decision_form(needed_by=(4, 2027)),
    )
    assert response.status_code == 302
    decision = Decision.objects.get(programme=programme, reference="D1")
    assert response.url == reverse("decision_detail", args=[decision.pk])
    assert decision.needed_by == date(2027, 4, 30)
    assert decision.needed_by_precision == DatePrecision.MONTH
    assert decision.forum == "Cabinet" and decision.workstream is None
    assert decision.history.get().history_user == people["office"]

    page = client.get(response.url).content.decode()
    assert "Apr 2027" in page
    assert "Agree to consult on closing the centre" in page
    assert "Added to the decision log" in page


def test_a_blank_forum_is_the_programmes_board(client, people, plan):
    programme = plan["programme"]
    programme.board_name = "Transformation Board"
    programme.save()
    post(
        client,
        people["office"],
        reverse("decision_add", args=[programme.pk]),
        decision_form(forum=""),
    )
    assert Decision.objects.get(programme=programme).forum == "Transformation Board"


def test_the_form_suggests_the_board_and_the_councils_committees(client, people, plan):
    client.force_login(people["office"])
    html = client.get(reverse("decision_add", args=[plan["programme"].pk])).content.decode()
    for forum in ("Programme Board", "Adult Committee", "Cabinet", "Scrutiny Committee"):
        assert f'<option value="{forum}">' in html
    assert 'list="id_forum-suggestions"' in html


def test_a_decision_linked_to_a_milestone_is_in_the_milestones_workstream(client, people, plan):
    milestone = MilestoneFactory(workstream=plan["ws_1_2"], kind="key_decision")
    response = post(
        client,
        people["manager"],
        reverse("decision_add", args=[plan["programme"].pk]),
        decision_form(milestone=milestone.pk, workstream=plan["ws_1_2"].pk),
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.milestone == milestone and decision.workstream == plan["ws_1_2"]


def test_without_a_workstream_the_office_links_a_milestone_and_the_decision_follows_it(
    people, plan
):
    milestone = MilestoneFactory(workstream=plan["ws_2_1"])
    decision = add_decision(
        plan["programme"],
        by=people["office"],
        details=DecisionDetails(reference="D9", title="Agree", milestone_id=milestone.pk),
    )
    assert decision.workstream == plan["ws_2_1"]


def test_a_key_decision_milestone_fills_in_a_new_decision(client, people, plan):
    milestone = MilestoneFactory(
        workstream=plan["ws_1_1"],
        kind="key_decision",
        title="Cabinet approves the new charging policy",
        forum="Cabinet",
        baseline_date=date(2027, 3, 31),
        baseline_precision=DatePrecision.MONTH,
    )
    client.force_login(people["office"])
    html = client.get(
        reverse("decision_add", args=[plan["programme"].pk]), {"milestone": milestone.pk}
    ).content.decode()
    assert 'value="Cabinet approves the new charging policy"' in html
    assert f'<option value="{milestone.pk}" selected>' in html
    assert 'name="needed_by_1" type="text" inputmode="numeric" value="3"' in html


def test_the_office_marks_a_decision_made(client, people, plan):
    decision = make_decision(plan["programme"], workstream=plan["ws_1_1"])
    response = post(
        client,
        people["office"],
        reverse("decision_edit", args=[decision.pk]),
        decision_form(
            workstream=plan["ws_1_1"].pk,
            status="made",
            outcome="Agreed, with a review in a year",
            made_on=TODAY,
            version=decision.version,
        ),
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.MADE and decision.made_on == TODAY
    page = client.get(reverse("decision_detail", args=[decision.pk])).content.decode()
    assert "Status changed from Pending to Made" in page
    assert "Agreed, with a review in a year" in page


# ----- The rules: each refused with the error summary, nothing saved -----

RULES = [
    (
        "made without the date it was made",
        {"status": "made", "outcome": "Agreed"},
        "Enter the date the decision was made",
    ),
    (
        "made without an outcome",
        {"status": "made", "made_on": TODAY},
        "Enter the outcome: what was decided",
    ),
    (
        "made in the future",
        {"status": "made", "outcome": "Agreed", "made_on": TODAY + timedelta(days=1)},
        "The date the decision was made must be today or in the past",
    ),
    (
        "a date made on a decision not made",
        {"status": "pending", "made_on": TODAY},
        "Choose Made, or remove the date the decision was made",
    ),
    (
        "deferred with neither a new date nor a reason",
        {"status": "deferred", "needed_by": (4, 2027)},
        "Give the new date the decision is needed by, or say in the outcome why it was deferred",
    ),
    (
        "deferred to an earlier date without a reason",
        {"status": "deferred", "needed_by": (3, 2027)},
        "Give the new date the decision is needed by, or say in the outcome why it was deferred",
    ),
]


@pytest.mark.parametrize("case, changes, message", RULES, ids=[rule[0] for rule in RULES])
def test_each_rule_is_refused_with_the_error_summary_and_nothing_saved(
    client, people, plan, case, changes, message
):
    decision = make_decision(
        plan["programme"], needed_by=date(2027, 4, 30), needed_by_precision="month"
    )
    data = decision_form(needed_by=(4, 2027), version=decision.version)
    data.update(decision_form(**changes, version=decision.version))
    if "needed_by" not in changes:
        data.update(forms.date_parts("needed_by", (4, 2027)))
    response = post(client, people["office"], reverse("decision_edit", args=[decision.pk]), data)
    assert response.status_code == 400
    assert message in error_summary(response.content.decode())
    stored = Decision.objects.get(pk=decision.pk)
    assert stored.status == DecisionStatus.PENDING and stored.made_on is None
    assert stored.version == decision.version
    assert stored.history.count() == 1


def test_a_new_decision_breaking_a_rule_is_not_added(client, people, plan):
    response = post(
        client,
        people["office"],
        reverse("decision_add", args=[plan["programme"].pk]),
        decision_form(status="made", outcome=""),
    )
    assert response.status_code == 400
    summary = error_summary(response.content.decode())
    assert "Enter the date the decision was made" in summary
    assert "Enter the outcome: what was decided" in summary
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"needed_by": (6, 2027)},  # a new, later date
        {"outcome": "The report was not ready: back in June"},  # a reason
    ],
    ids=["with a new date", "with a reason"],
)
def test_a_deferred_decision_with_a_new_date_or_a_reason_is_accepted(client, people, plan, changes):
    decision = make_decision(
        plan["programme"], needed_by=date(2027, 4, 30), needed_by_precision="month"
    )
    data = decision_form(needed_by=(4, 2027), status="deferred", version=decision.version)
    data.update(decision_form(status="deferred", version=decision.version, **changes))
    if "needed_by" not in changes:
        data.update(forms.date_parts("needed_by", (4, 2027)))
    response = post(client, people["office"], reverse("decision_edit", args=[decision.pk]), data)
    assert response.status_code == 302, error_summary(response.content.decode())
    assert Decision.objects.get(pk=decision.pk).status == DecisionStatus.DEFERRED


def test_the_reference_is_unique_in_the_programme(client, people, plan):
    make_decision(plan["programme"], reference="KD12")
    make_decision(ProgrammeFactory(), reference="KD13")
    url = reverse("decision_add", args=[plan["programme"].pk])
    response = post(client, people["office"], url, decision_form(reference="KD12"))
    assert response.status_code == 400
    assert "This programme already has a decision KD12" in error_summary(response.content.decode())
    assert Decision.objects.filter(programme=plan["programme"]).count() == 1
    # Another programme's reference is no clash.
    assert post(client, people["office"], url, decision_form(reference="KD13")).status_code == 302


def test_a_milestone_of_another_workstream_is_refused(client, people, plan):
    milestone = MilestoneFactory(workstream=plan["ws_1_2"])
    response = post(
        client,
        people["office"],
        reverse("decision_add", args=[plan["programme"].pk]),
        decision_form(milestone=milestone.pk, workstream=plan["ws_1_1"].pk),
    )
    assert response.status_code == 400
    assert "The milestone is in another workstream" in error_summary(response.content.decode())
    assert not Decision.objects.exists()


def test_the_service_applies_the_same_rules_as_the_form(people, plan):
    with pytest.raises(ValidationError) as refused:
        add_decision(
            plan["programme"],
            by=people["office"],
            details=DecisionDetails(reference="D1", title="Agree", status="made"),
        )
    assert set(refused.value.message_dict) == {"made_on", "outcome"}
    assert not Decision.objects.exists()


def test_deferring_a_decision_already_deferred_needs_nothing_new():
    assert (
        decision_problems(
            status="deferred",
            outcome="",
            made_on=None,
            needed_by=PlanDate.of_month(2027, 4),
            today=TODAY,
            previous_status="deferred",
            previous_needed_by=PlanDate.of_month(2027, 4),
        )
        == {}
    )


# ----- Concurrency -----


def test_the_second_of_two_edits_is_refused_with_the_other_change_shown(client, people, plan):
    decision = make_decision(plan["programme"], workstream=plan["ws_1_1"])
    url = reverse("decision_edit", args=[decision.pk])
    # Both open the form at version 1.
    office_form = decision_form(
        workstream=plan["ws_1_1"].pk, title="Close the day centre by March", version=1
    )
    manager_form = decision_form(
        workstream=plan["ws_1_1"].pk,
        status="deferred",
        outcome="Waiting for the consultation report",
        version=1,
    )
    assert post(client, people["office"], url, office_form).status_code == 302

    response = post(client, people["manager"], url, manager_form)
    html = response.content.decode()
    assert response.status_code == 400
    summary = error_summary(html)
    assert "Someone else changed this decision while you were editing it" in summary
    assert (
        "Title changed from Close the Wealdstone day centre to Close the day centre by March"
        in summary
    )
    assert "Waiting for the consultation report" in html  # nothing the manager typed is lost
    assert 'value="deferred" checked' in html

    decision.refresh_from_db()
    assert decision.title == "Close the day centre by March"
    assert decision.status == DecisionStatus.PENDING and decision.outcome == ""

    # Having seen it, the manager saves again from the re-shown form: both changes stand.
    again = {**manager_form, "title": decision.title, "version": str(decision.version)}
    assert client.post(url, again).status_code == 302
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DEFERRED
    assert decision.title == "Close the day centre by March"


# ----- The decision's page and the log -----


def test_the_page_shows_the_linked_milestone_meeting_history_and_actions(client, people, plan):
    programme = plan["programme"]
    milestone = MilestoneFactory(
        workstream=plan["ws_1_1"], reference="1.1.4", title="Cabinet report", kind="key_decision"
    )
    meeting = BoardMeeting.objects.create(programme=programme, held_on=date(2026, 4, 14))
    decision = make_decision(programme, workstream=plan["ws_1_1"], milestone=milestone)
    decision.meeting = meeting
    decision._history_user = people["office"]
    decision.save()

    client.force_login(people["manager"])
    html = client.get(reverse("decision_detail", args=[decision.pk])).content.decode()
    assert reverse("milestone_detail", args=[milestone.pk]) in html
    assert reverse("meeting_detail", args=[meeting.pk]) in html
    assert "Put on the agenda of Programme Board, 14 Apr 2026" in html
    assert "Meeting set to" not in html
    assert reverse("decision_edit", args=[decision.pk]) in html

    client.force_login(people["board"])
    html = client.get(reverse("decision_detail", args=[decision.pk])).content.decode()
    assert reverse("decision_edit", args=[decision.pk]) not in html
    assert "What you can do" not in html


def test_the_decision_log_links_to_each_decisions_page(client, people, plan):
    first = make_decision(plan["programme"], reference="D1")
    second = make_decision(plan["programme"], reference="D2", title="Agree the budget")
    client.force_login(people["board"])
    html = client.get(reverse("decision_list", args=[plan["programme"].pk])).content.decode()
    for decision in (first, second):
        assert f'href="{reverse("decision_detail", args=[decision.pk])}"' in html
    assert reverse("decision_add", args=[plan["programme"].pk]) not in html


@pytest.mark.parametrize(
    "role, may", [("office", True), ("manager", True), ("lead", False), ("board", False)]
)
def test_the_add_button_is_for_those_who_may_add_a_decision(people, plan, role, may):
    programme = plan["programme"]
    assert may_add_decision(people[role], programme) is may
    request = RequestFactory().get("/")
    request.user = people[role]
    html = render_to_string(
        "lists/decisions.html",
        {
            "programme": programme,
            "can_add_decision": may_add_decision(people[role], programme),
            "listing": {"plural": "decisions"},
            "filterset": DecisionFilterSet(
                {}, programme=programme, queryset=Decision.objects.none()
            ),
        },
        request=request,
    )
    assert ("Add a decision" in html) is may


def test_a_project_manager_of_an_area_with_no_workstreams_may_not_add(plan):
    user = UserFactory()
    from tests.factories import AreaFactory

    grant(user, Role.PROJECT_MANAGER, area=AreaFactory(programme=plan["programme"]))
    assert not may_add_decision(user, plan["programme"])


# ----- Queries -----


def build_log(size: int):
    programme = ProgrammeFactory()
    for index in range(3 * size):
        workstream = WorkstreamFactory(area__programme=programme)
        milestone = MilestoneFactory(workstream=workstream, kind="key_decision")
        meeting = BoardMeeting.objects.create(
            programme=programme,
            held_on=TODAY + timedelta(days=30 * index),
            chair=PersonFactory(organisation=programme.organisation),
        )
        make_decision(
            programme,
            reference=f"D{index}",
            workstream=workstream,
            milestone=milestone,
            meeting=meeting,
            forum=f"Forum {index}",
        )
    decision = Decision.objects.filter(programme=programme).first()
    for index in range(3 * size):  # a long history, linking and unlinking things
        decision.meeting = BoardMeeting.objects.filter(programme=programme)[index]
        decision.milestone = None if index % 2 else decision.milestone
        decision.status = "deferred" if index % 2 else "pending"
        decision.outcome = f"Deferred {index}"
        decision.save()
    user = UserFactory()
    grant(user, Role.PROGRAMME_OFFICE, programme=programme)
    return programme, decision, user


@pytest.mark.parametrize("size", [1, 4])
@pytest.mark.parametrize(
    "page, most",
    [("decision_detail", 9), ("decision_edit", 11), ("decision_add", 11)],
)
def test_each_decision_page_runs_a_fixed_number_of_queries(
    client, db, size, page, most, django_assert_max_num_queries
):
    programme, decision, user = build_log(size)
    client.force_login(user)
    url = reverse(page, args=[programme.pk if page == "decision_add" else decision.pk])
    with django_assert_max_num_queries(most):
        response = client.get(url)
    assert response.status_code == 200
