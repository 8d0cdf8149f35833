"""A workstream whose lead last reported it Complete is finished: its lead is not reminded to
write a status update (DOMAIN.md section 4)."""

from datetime import date, timedelta

import pytest
from django.core import mail

from programmes.choices import PeriodStatus
from tests.factories import PeriodFactory, PersonFactory, StatusUpdateFactory
from workstreams.tasks import send_status_update_reminders

CUT_OFF = date(2026, 11, 25)


@pytest.fixture
def november(plan):
    """Two led workstreams; 1.1 was reported Complete in October, 1.2 Amber."""
    organisation = plan["programme"].organisation
    for workstream, name in ((plan["ws_1_1"], "anne"), (plan["ws_1_2"], "keith")):
        workstream.lead = PersonFactory(organisation=organisation, email=f"{name}@example.org")
        workstream.save()
    october = PeriodFactory(
        programme=plan["programme"], month=date(2026, 10, 1), status=PeriodStatus.CLOSED
    )
    for workstream, rag in ((plan["ws_1_1"], "complete"), (plan["ws_1_2"], "amber")):
        StatusUpdateFactory(
            workstream=workstream,
            period=october,
            rag=rag,
            reason="Consultation slipped",
            state="submitted",
            submitted_at="2026-10-20T10:00Z",
        )
    return PeriodFactory(programme=plan["programme"], month=date(2026, 11, 1), cut_off=CUT_OFF)


def test_the_lead_of_a_workstream_last_reported_complete_is_not_reminded(november):
    assert send_status_update_reminders((CUT_OFF - timedelta(days=5)).isoformat()) == 1
    [email] = mail.outbox
    assert email.to == ["keith@example.org"]


def test_a_complete_draft_does_not_count_as_the_last_update(november, plan):
    october = november.programme.reporting_periods.get(month=date(2026, 10, 1))
    october.status_updates.filter(workstream=plan["ws_1_1"]).update(state="draft")
    assert send_status_update_reminders((CUT_OFF - timedelta(days=5)).isoformat()) == 2
