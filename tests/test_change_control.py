"""The change control log (issue 14, part 5; DOMAIN.md section 7; the East Sussex initiation
document, section 17): project managers raise changes for their area, the programme office
records the decision (the board's at a meeting, or its own within tolerance); an approved
change re-baselines the milestones it moves once, with itself as the reason in their history,
and sets the tolerance it names once; rejecting changes nothing; the log filters and
downloads; the board pack and the highlight report set changes out."""

from __future__ import annotations

import re
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from programmes.choices import DatePrecision, Role
from programmes.dates import PlanDate
from programmes.models import Programme, ProgrammeArea
from reporting.changes import (
    ChangeDecision,
    ChangeDetails,
    MilestoneMove,
    changes_for_pack,
    decide_change,
    next_reference,
    raise_change,
)
from reporting.models import ChangeRequest, ChangeStatus
from reporting.pdf import render_html
from reporting.reports import gather_highlight
from risks.models import BoardMeeting
from tests import forms
from tests.clock import TODAY
from tests.factories import (
    BudgetLineFactory,
    MilestoneFactory,
    PeriodFactory,
    ProgrammeFactory,
    UserFactory,
    grant,
)
from tests.html_forms import error_by, summary
from workstreams.models import BaselineChange, Milestone

# TODAY is Wednesday 18 November 2026.
MEETING_DAY = date(2026, 11, 10)
RAISED_ON = date(2026, 11, 2)


@pytest.fixture
def meeting(plan, people):
    return BoardMeeting.objects.create(
        programme=plan["programme"],
        held_on=MEETING_DAY,
        title="Programme Board",
        chair=people["board"].person,
    )


@pytest.fixture
def consultation(plan):
    return MilestoneFactory(
        workstream=plan["ws_1_1"],
        reference="1.1.1",
        title="Staff consultation meetings",
        baseline_date=date(2026, 12, 15),
    )


@pytest.fixture
def new_model(plan):
    return MilestoneFactory(
        workstream=plan["ws_1_2"],
        reference="1.2.1",
        title="New service model agreed",
        baseline_date=date(2027, 1, 31),
        baseline_precision=DatePrecision.MONTH,
    )


def details(plan, people, *moves, reference="CR-001", **fields) -> ChangeDetails:
    return ChangeDetails(
        reference=reference,
        title=fields.pop("title", "Extend the consultation"),
        description=fields.pop("description", "Consult staff for six more weeks"),
        reason="The unions asked for more time",
        raised_by=people["manager"].person,
        raised_on=fields.pop("raised_on", RAISED_ON),
        area=fields.pop("area", plan["area_one"]),
        moves=[MilestoneMove(milestone, baseline) for milestone, baseline in moves],
        **fields,
    )


def submitted(plan, people, *moves, by="manager", **fields) -> ChangeRequest:
    return raise_change(
        plan["programme"],
        by=people[by],
        details=details(plan, people, *moves, **fields),
        submit=True,
    )


def board_decision(meeting, status=ChangeStatus.APPROVED, outcome="") -> ChangeDecision:
    return ChangeDecision(status=status, decided_by="board", meeting=meeting, outcome=outcome)


def decide_form(change: ChangeRequest, **overrides) -> dict[str, str]:
    data = {
        "status": "approved",
        "decided_by": "board",
        "meeting": "",
        "outcome": "Approved as recommended",
        "version": str(change.version),
        **forms.date_parts("decided_on", TODAY),
    }
    data.update({key: str(value) for key, value in overrides.items()})
    return data


# ----- Approving re-baselines, once -----


def test_a_change_approved_at_a_meeting_rebaselines_its_milestones_once_naming_the_change(
    client, plan, people, meeting, consultation, new_model
):
    change = submitted(
        plan,
        people,
        (consultation, PlanDate.of_day(date(2027, 2, 15))),
        (new_model, PlanDate.of_month(2027, 3)),
    )
    client.force_login(people["office"])
    url = reverse("change_decide", args=[change.pk])

    response = client.post(url, decide_form(change, meeting=meeting.pk))

    assert response.status_code == 302
    consultation.refresh_from_db()
    new_model.refresh_from_db()
    assert consultation.baseline == PlanDate.of_day(date(2027, 2, 15))
    assert new_model.baseline == PlanDate.of_month(2027, 3)
    for milestone in (consultation, new_model):
        made = BaselineChange.objects.get(milestone=milestone)
        assert made.reason == "Change request CR-001 Extend the consultation"
        latest = Milestone.history.filter(id=milestone.pk).order_by("-history_id").first()
        assert "CR-001 Extend the consultation" in latest.history_change_reason
    page = client.get(reverse("milestone_detail", args=[consultation.pk])).content.decode()
    assert "Re-baselined: Change request CR-001 Extend the consultation" in page
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED
    assert change.board_meeting == meeting and change.decided_on == MEETING_DAY
    assert change.recorded_by == people["office"]

    # Approving it again, from the page as it now stands: refused, and nothing moves twice.
    again = client.post(url, decide_form(change, meeting=meeting.pk))
    assert again.status_code == 400
    assert "CR-001 is approved already: it cannot be decided again" in again.content.decode()
    assert BaselineChange.objects.filter(milestone__in=[consultation, new_model]).count() == 2


def test_approving_twice_in_code_rebaselines_once(plan, people, meeting, consultation):
    change = submitted(plan, people, (consultation, PlanDate.of_day(date(2027, 2, 15))))
    decided = decide_change(
        change, by=people["office"], version=change.version, decision=board_decision(meeting)
    )

    with pytest.raises(ValidationError, match="approved already"):
        decide_change(
            decided, by=people["office"], version=decided.version, decision=board_decision(meeting)
        )

    assert BaselineChange.objects.filter(milestone=consultation).count() == 1
    assert Milestone.objects.get(pk=consultation.pk).baseline_date == date(2027, 2, 15)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two connections at once need PostgreSQL"
)
def test_two_people_approving_at_once_rebaseline_once():
    from tests.conftest import make_plan

    plan = make_plan()
    office_users = []
    for name in ("office_one", "office_two"):
        user = UserFactory(username=name)
        grant(user, Role.PROGRAMME_OFFICE, programme=plan["programme"])
        office_users.append(user)
    manager = UserFactory(username="manager")
    grant(manager, Role.PROJECT_MANAGER, area=plan["area_one"])
    milestone = MilestoneFactory(workstream=plan["ws_1_1"], baseline_date=date(2026, 12, 15))
    meeting = BoardMeeting.objects.create(programme=plan["programme"], held_on=MEETING_DAY)
    change = raise_change(
        plan["programme"],
        by=manager,
        details=ChangeDetails(
            reference="CR-001",
            title="Extend the consultation",
            description="Six more weeks",
            raised_on=RAISED_ON,
            area=plan["area_one"],
            moves=[MilestoneMove(milestone, PlanDate.of_day(date(2027, 2, 15)))],
        ),
        submit=True,
    )
    start = threading.Barrier(2)
    outcomes = []

    def approve(user):
        try:
            start.wait()
            decide_change(
                ChangeRequest.objects.get(pk=change.pk),
                by=type(user).objects.get(pk=user.pk),
                version=change.version,
                decision=board_decision(meeting),
            )
            outcomes.append("approved")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(user,)) for user in office_users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(outcomes) == 2 and "approved" in outcomes
    assert any("is approved already" in outcome for outcome in outcomes)
    assert BaselineChange.objects.filter(milestone=milestone).count() == 1


def test_a_long_title_is_cut_to_fit_the_history_of_each_milestone(
    plan, people, meeting, consultation
):
    change = submitted(
        plan, people, (consultation, PlanDate.of_day(date(2027, 2, 15))), title="Extend " * 40
    )

    decide_change(
        change, by=people["office"], version=change.version, decision=board_decision(meeting)
    )

    latest = Milestone.history.filter(id=consultation.pk).order_by("-history_id").first()
    assert len(latest.history_change_reason) <= 100
    assert latest.history_change_reason.startswith("Re-baselined: Change request CR-001 Extend")
    assert latest.history_change_reason.endswith("...")
    assert BaselineChange.objects.get().reason == latest.history_change_reason.removeprefix(
        "Re-baselined: "
    )


def test_rejecting_a_change_rebaselines_nothing(client, plan, people, meeting, consultation):
    change = submitted(plan, people, (consultation, PlanDate.of_day(date(2027, 2, 15))))
    client.force_login(people["office"])
    url = reverse("change_decide", args=[change.pk])

    without_reason = client.post(url, decide_form(change, status="rejected", outcome=""))
    assert without_reason.status_code == 400
    assert error_by(without_reason.content.decode(), "id_outcome") == (
        "Say why the change was rejected"
    )

    response = client.post(
        url,
        decide_form(change, status="rejected", meeting=meeting.pk, outcome="Not affordable"),
    )

    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.REJECTED and change.outcome == "Not affordable"
    assert not BaselineChange.objects.exists()
    assert Milestone.objects.get(pk=consultation.pk).baseline_date == date(2026, 12, 15)


def test_a_deferred_change_comes_back_and_is_approved_later(plan, people, meeting, consultation):
    change = submitted(plan, people, (consultation, PlanDate.of_day(date(2026, 12, 29))))
    deferred = decide_change(
        change,
        by=people["office"],
        version=change.version,
        decision=board_decision(meeting, ChangeStatus.DEFERRED, "Come back with costs"),
    )
    assert deferred.is_awaiting_decision and not BaselineChange.objects.exists()

    approved = decide_change(
        deferred,
        by=people["office"],
        version=deferred.version,
        decision=ChangeDecision(status="approved", decided_by="office", decided_on=TODAY),
    )

    assert approved.status == ChangeStatus.APPROVED and approved.decided_on == TODAY
    assert BaselineChange.objects.get().reason == "Change request CR-001 Extend the consultation"


# ----- Tolerances -----


def test_a_tolerance_change_is_applied_once_with_the_change_as_its_reason(plan, people, meeting):
    area = plan["area_one"]
    assert area.time_tolerance_days is None  # the programme's 30 days apply
    change = submitted(
        plan,
        people,
        tolerance_level="area",
        tolerance_variable="time",
        tolerance_value=Decimal(45),
        title="Widen the area's time tolerance",
    )

    decided = decide_change(
        change, by=people["office"], version=change.version, decision=board_decision(meeting)
    )

    area = ProgrammeArea.objects.get(pk=area.pk)
    assert area.time_tolerance_days == 45
    assert decided.previous_tolerance == Decimal(30)
    reasons = list(
        ProgrammeArea.history.filter(id=area.pk)
        .exclude(history_change_reason=None)
        .values_list("history_change_reason", flat=True)
    )
    assert reasons == ["Change request CR-001 Widen the area's time tolerance"]
    with pytest.raises(ValidationError):
        decide_change(
            decided, by=people["office"], version=decided.version, decision=board_decision(meeting)
        )
    assert ProgrammeArea.history.filter(id=area.pk).exclude(history_change_reason=None).count() == 1


def test_a_change_sets_the_programme_cost_tolerance(plan, people, meeting):
    change = submitted(
        plan,
        people,
        tolerance_level="programme",
        tolerance_variable="cost",
        tolerance_value=Decimal("12.5"),
    )

    decide_change(
        change, by=people["office"], version=change.version, decision=board_decision(meeting)
    )

    programme = Programme.objects.get(pk=plan["programme"].pk)
    assert programme.cost_tolerance_percent == Decimal("12.5")
    assert "CR-001" in programme.history.order_by("-history_id").first().history_change_reason


# ----- The programme office within tolerance; the board beyond it -----


def test_the_office_approves_a_change_within_tolerance_itself(client, plan, people, consultation):
    change = submitted(plan, people, (consultation, PlanDate.of_day(date(2026, 12, 29))))
    client.force_login(people["office"])

    response = client.post(
        reverse("change_decide", args=[change.pk]), decide_form(change, decided_by="office")
    )

    assert response.status_code == 302
    assert Milestone.objects.get(pk=consultation.pk).baseline_date == date(2026, 12, 29)
    change.refresh_from_db()
    assert change.decided_by == "office" and change.decided_on == TODAY


@pytest.mark.parametrize("beyond", ["time", "cost", "tolerance"])
def test_only_the_board_approves_a_change_beyond_tolerance(
    client, plan, people, consultation, beyond
):
    BudgetLineFactory(workstream=plan["ws_1_1"], allocated=Decimal(10000))
    fields = {
        "time": {"moves": [(consultation, PlanDate.of_day(date(2027, 2, 15)))]},  # 62 days
        "cost": {"cost_change": Decimal(1500)},  # over 10% of the area's £10,000
        "tolerance": {
            "tolerance_level": "area",
            "tolerance_variable": "cost",
            "tolerance_value": Decimal(15),
        },
    }[beyond]
    moves = fields.pop("moves", [])
    change = submitted(plan, people, *moves, **fields)
    client.force_login(people["office"])
    url = reverse("change_decide", args=[change.pk])
    assert "Only the board can approve this change" in client.get(url).content.decode()

    response = client.post(url, decide_form(change, decided_by="office"))

    assert response.status_code == 400
    message = error_by(response.content.decode(), "id_decided_by")
    assert message.startswith("Only the board can approve this change: it ")
    change.refresh_from_db()
    assert change.status == ChangeStatus.SUBMITTED
    assert not BaselineChange.objects.exists()
    assert ProgrammeArea.objects.get(pk=plan["area_one"].pk).cost_tolerance_percent is None


def test_a_board_decision_names_a_meeting_that_has_been_held(client, plan, people, meeting):
    change = submitted(plan, people)
    later = BoardMeeting.objects.create(programme=plan["programme"], held_on=TODAY + timedelta(7))
    elsewhere = BoardMeeting.objects.create(programme=ProgrammeFactory(), held_on=MEETING_DAY)
    client.force_login(people["office"])
    url = reverse("change_decide", args=[change.pk])

    for meeting_id in ("", later.pk, elsewhere.pk):
        response = client.post(url, decide_form(change, meeting=meeting_id))
        assert response.status_code == 400
        assert error_by(response.content.decode(), "id_meeting")

    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeStatus.SUBMITTED


# ----- Raising and changing changes -----


def change_form(plan, **overrides) -> dict[str, str]:
    data = {
        "reference": "CR-001",
        "title": "Extend the consultation",
        "description": "Consult staff for six more weeks",
        "reason": "",
        "area": str(plan["area_one"].pk),
        "workstream": "",
        "raised_by": "",
        "time_impact": "",
        "cost_impact": "",
        "cost_change": "",
        "benefits_impact": "",
        "scope_impact": "",
        "options": "",
        "recommendation": "",
        "tolerance_level": "",
        "tolerance_variable": "",
        "tolerance_value": "",
        "version": "",
        **forms.date_parts("raised_on", None),
        "move-0-milestone": "",
        **forms.date_parts("move-0-baseline", None),
    }
    data.update({key: str(value) for key, value in overrides.items()})
    return data


def test_a_project_manager_raises_a_change_for_their_area_and_submits_it(
    client, plan, people, consultation
):
    client.force_login(people["manager"])
    url = reverse("change_add", args=[plan["programme"].pk])
    page = client.get(url).content.decode()
    assert 'value="CR-001"' in page  # the reference suggested

    response = client.post(
        url,
        change_form(
            plan,
            raised_by=people["manager"].person.pk,
            submit="1",
            **{"move-0-milestone": consultation.pk},
            **forms.date_parts("move-0-baseline", (2, 2027)),
        ),
    )

    assert response.status_code == 302
    change = ChangeRequest.objects.get()
    assert change.status == ChangeStatus.SUBMITTED and change.raised_on == TODAY
    move = change.milestone_moves.get()
    assert move.milestone == consultation
    assert (move.new_date, move.new_precision) == (date(2027, 2, 28), DatePrecision.MONTH)
    assert next_reference(plan["programme"]) == "CR-002"
    assert not BaselineChange.objects.exists()  # nothing moves until it is approved


def test_a_change_is_refused_with_the_problem_by_its_field(client, plan, people, consultation):
    client.force_login(people["manager"])
    url = reverse("change_add", args=[plan["programme"].pk])
    other = MilestoneFactory(workstream=plan["ws_2_1"], reference="2.1.1")

    response = client.post(
        url,
        change_form(
            plan,
            title="",
            raised_by=people["manager"].person.pk,
            **{"move-0-milestone": other.pk},
            **forms.date_parts("move-0-baseline", (2, 2027)),
        ),
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert error_by(html, "id_title") == "Enter a short title for the change"
    assert error_by(html, "id_move-0-milestone") == "Choose one of the milestones listed"
    assert ("#id_title", "Enter a short title for the change") in summary(html)
    assert not ChangeRequest.objects.exists()


def test_leads_may_not_raise_changes_and_managers_only_in_their_own_area(client, plan, people):
    client.force_login(people["lead"])
    assert client.get(reverse("change_add", args=[plan["programme"].pk])).status_code == 403

    other_manager = UserFactory(username="manager_two")
    grant(other_manager, Role.PROJECT_MANAGER, area=plan["area_two"])
    client.force_login(other_manager)
    response = client.post(
        reverse("change_add", args=[plan["programme"].pk]),
        change_form(plan, raised_by=people["manager"].person.pk),
    )
    assert response.status_code == 400
    assert error_by(response.content.decode(), "id_area")
    assert not ChangeRequest.objects.exists()


def test_a_stale_edit_is_refused_with_the_other_change_shown(client, plan, people):
    change = submitted(plan, people)
    url = reverse("change_edit", args=[change.pk])
    seen = change.version
    stored = ChangeRequest.objects.get(pk=change.pk)
    stored.options = "Wait for the new framework"
    stored.save()
    client.force_login(people["manager"])

    response = client.post(
        url,
        change_form(
            plan,
            title="Extend the consultation again",
            version=seen,
            raised_by=people["manager"].person.pk,
        ),
    )

    assert response.status_code == 409
    assert "Someone else changed this change request" in response.content.decode()
    assert ChangeRequest.objects.get(pk=change.pk).title == "Extend the consultation"


def test_a_withdrawn_change_stays_in_the_log_and_cannot_be_decided(client, plan, people):
    change = submitted(plan, people)
    client.force_login(people["manager"])
    response = client.post(
        reverse("change_withdraw", args=[change.pk]),
        {"outcome": "Overtaken by the new model", "version": str(change.version)},
    )
    assert response.status_code == 302
    client.force_login(people["office"])
    assert client.get(reverse("change_decide", args=[change.pk])).status_code == 302
    page = client.get(reverse("change_list", args=[plan["programme"].pk])).content.decode()
    assert "CR-001" in page and "Withdrawn" in page


# ----- Pages: who sees what -----


def test_board_members_read_the_log_and_changes_but_do_not_decide(
    client, plan, people, consultation
):
    change = submitted(plan, people, (consultation, PlanDate.of_day(date(2027, 2, 15))))
    client.force_login(people["board"])

    log = client.get(reverse("change_list", args=[plan["programme"].pk])).content.decode()
    page = client.get(reverse("change_detail", args=[change.pk])).content.decode()

    assert "Extend the consultation" in log and "Raise a change request" not in log
    assert "1.1.1 Staff consultation meetings" in page
    assert "15 Dec 2026" in page and "15 Feb 2027" in page  # old and new baselines
    assert "Record the decision" not in page
    assert client.get(reverse("change_decide", args=[change.pk])).status_code == 403
    assert client.get(reverse("change_edit", args=[change.pk])).status_code == 403


def test_another_programme_does_not_see_a_change(client, plan, people):
    change = submitted(plan, people)
    elsewhere = UserFactory(username="office_elsewhere")
    grant(elsewhere, Role.PROGRAMME_OFFICE, programme=ProgrammeFactory())
    client.force_login(elsewhere)

    for name in ("change_detail", "change_edit", "change_decide", "change_withdraw"):
        assert client.get(reverse(name, args=[change.pk])).status_code == 404
    assert client.get(reverse("change_list", args=[plan["programme"].pk])).status_code == 404


def test_the_log_filters_and_downloads_every_change(client, plan, people, meeting, consultation):
    first = submitted(plan, people, (consultation, PlanDate.of_day(date(2027, 2, 15))))
    submitted(plan, people, reference="CR-002", title="Drop the second venue")
    decide_change(
        first, by=people["office"], version=first.version, decision=board_decision(meeting)
    )
    client.force_login(people["board"])
    url = reverse("change_list", args=[plan["programme"].pk])

    awaiting = client.get(url, {"status": "awaiting"}).content.decode()
    csv = client.get(url, {"format": "csv"}).content.decode("utf-8-sig")

    assert "Drop the second venue" in awaiting and "Extend the consultation" not in awaiting
    assert "Milestones it moves" in csv
    assert "1.1.1 to 15 Feb 2027" in csv
    assert "Programme Board" in csv


def test_a_comment_on_a_change_shows_on_its_page(client, plan, people):
    change = submitted(plan, people)
    client.force_login(people["board"])

    response = client.post(
        reverse("change_comment", args=[change.pk]), {"body": "Which staff does this affect?"}
    )

    assert response.status_code == 302
    page = client.get(reverse("change_detail", args=[change.pk])).content.decode()
    assert "Which staff does this affect?" in page


# ----- The board pack and the highlight report -----


def test_changes_for_pack_are_those_awaiting_and_those_decided_since_the_last_meeting(
    plan, people, django_assert_max_num_queries
):
    programme, office = plan["programme"], people["office"]
    meetings = [
        BoardMeeting.objects.create(programme=programme, held_on=day)
        for day in (date(2026, 9, 10), date(2026, 10, 8), MEETING_DAY)
    ]
    earlier, previous, this = meetings

    def decided(reference, meeting, status=ChangeStatus.APPROVED):
        change = submitted(
            plan, people, reference=reference, title=reference, raised_on=date(2026, 9, 1)
        )
        return decide_change(
            change,
            by=office,
            version=change.version,
            decision=board_decision(meeting, status, "Minuted"),
        )

    decided("CR-001", earlier)  # before the previous meeting: not in this pack
    at_previous = decided("CR-002", previous)
    at_this = decided("CR-003", this, ChangeStatus.REJECTED)
    deferred = decided("CR-004", this, ChangeStatus.DEFERRED)
    waiting = submitted(plan, people, reference="CR-005", title="CR-005")
    raise_change(programme, by=people["manager"], details=details(plan, people, reference="CR-6"))

    with django_assert_max_num_queries(3):
        pack = changes_for_pack(this)
        for change in [*pack.decided, *pack.awaiting]:
            list(change.milestone_moves.all())

    assert pack.since == previous.held_on
    assert [change.pk for change in pack.decided] == [at_previous.pk, at_this.pk, deferred.pk]
    assert [change.pk for change in pack.awaiting] == [deferred.pk, waiting.pk]


def test_the_highlight_report_counts_changes_awaiting_and_decided_this_month(
    plan, people, meeting, consultation
):
    period = PeriodFactory(programme=plan["programme"], month=TODAY.replace(day=1))
    approved = submitted(plan, people, (consultation, PlanDate.of_day(date(2026, 12, 29))))
    decide_change(
        approved,
        by=people["office"],
        version=approved.version,
        decision=ChangeDecision(status="approved", decided_by="office", decided_on=TODAY),
    )
    submitted(plan, people, reference="CR-002", title="Drop the second venue")

    report = gather_highlight(plan["programme"], period, author="Programme office")
    text = " ".join(re.sub(r"<[^>]+>", " ", render_html(report)).split())

    assert report.changes_headline == "1 awaiting a decision; in November 2026, 1 approved"
    assert "Change requests: 1 awaiting a decision; in November 2026, 1 approved" in text
    assert "CR-002 Drop the second venue (Awaiting a decision; raised 2 Nov 2026)" in text
    assert (
        "CR-001 Extend the consultation (Approved by the programme office on 18 Nov 2026)" in text
    )


# ----- A fixed number of queries -----


def _many_changes(plan, people, count: int, meeting) -> ChangeRequest:
    milestones = [
        MilestoneFactory(workstream=plan["ws_1_1"], reference=f"1.1.{n}", baseline_date=TODAY)
        for n in range(1, count + 1)
    ]
    last = None
    for n in range(1, count + 1):
        last = submitted(
            plan,
            people,
            *[(m, PlanDate.of_day(TODAY + timedelta(days=10))) for m in milestones[:n]],
            reference=f"CR-{n:03d}",
            title=f"Change {n}",
        )
    decide_change(last, by=people["office"], version=last.version, decision=board_decision(meeting))
    return ChangeRequest.objects.get(pk=last.pk)


@pytest.mark.parametrize("size", [2, 12])
def test_the_change_log_runs_a_fixed_number_of_queries(
    client, plan, people, meeting, size, django_assert_max_num_queries
):
    _many_changes(plan, people, size, meeting)
    client.force_login(people["board"])
    url = reverse("change_list", args=[plan["programme"].pk])

    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(7):  # the download: no filters' choices, no page
        assert client.get(url, {"format": "csv"}).status_code == 200


@pytest.mark.parametrize("size", [1, 10])
def test_a_change_page_runs_a_fixed_number_of_queries(
    client, plan, people, meeting, size, django_assert_max_num_queries
):
    change = _many_changes(plan, people, size, meeting)
    client.force_login(people["office"])

    with django_assert_max_num_queries(15):
        assert client.get(reverse("change_detail", args=[change.pk])).status_code == 200
