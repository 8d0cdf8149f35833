"""A key decision recorded as made at a board meeting completes its milestone in the plan."""

from datetime import timedelta

from risks.models import BoardMeeting, Decision
from risks.services.governance import record_decision
from tests.clock import TODAY
from tests.factories import MilestoneFactory


def test_recording_the_decision_completes_the_key_decision_milestone(plan, people):
    milestone = MilestoneFactory(
        workstream=plan["ws_1_1"], kind="key_decision", baseline_date=TODAY + timedelta(days=5)
    )
    meeting = BoardMeeting.objects.create(
        programme=plan["programme"], held_on=TODAY - timedelta(days=1)
    )
    decision = Decision.objects.create(
        programme=plan["programme"],
        reference="D1",
        title="Approve",
        milestone=milestone,
        workstream=plan["ws_1_1"],
        meeting=meeting,
    )
    record_decision(
        decision,
        by=people["office"],
        meeting=meeting,
        outcome="Approved",
        made_on=meeting.held_on,
        version=decision.version,
    )
    milestone.refresh_from_db()
    assert (milestone.status, milestone.actual_date) == ("complete", meeting.held_on)
    assert milestone.history.first().history_change_reason.startswith("Decided at")
