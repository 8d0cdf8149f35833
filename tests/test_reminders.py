"""Reminders: leads before the cut-off if their update is not in, and a weekly digest of
overdue milestones to project managers; each sent once however often the job runs."""

from datetime import date, timedelta

import pytest
from django.core import mail

from tests.factories import MilestoneFactory, PeriodFactory, PersonFactory, StatusUpdateFactory
from workstreams.tasks import send_overdue_digests, send_status_update_reminders

CUT_OFF = date(2026, 11, 25)


@pytest.fixture
def leads(plan):
    organisation = plan["programme"].organisation
    anne = PersonFactory(organisation=organisation, name="Anne Mosley", email="anne@example.org")
    keith = PersonFactory(organisation=organisation, name="Keith Holmes", email="keith@example.org")
    plan["ws_1_1"].lead = anne
    plan["ws_1_1"].save()
    plan["ws_1_2"].lead = keith
    plan["ws_1_2"].save()
    period = PeriodFactory(programme=plan["programme"], month=date(2026, 11, 1), cut_off=CUT_OFF)
    StatusUpdateFactory(
        workstream=plan["ws_1_2"],
        period=period,
        state="submitted",
        submitted_at="2026-11-18T10:00Z",
    )
    return period


def run_on(day: date) -> int:
    return send_status_update_reminders(day.isoformat())


def test_leads_without_a_submitted_update_are_reminded_five_days_before(leads, settings):
    settings.SITE_URL = "https://programmes.example.gov.uk"
    assert run_on(CUT_OFF - timedelta(days=6)) == 0
    assert run_on(CUT_OFF - timedelta(days=5)) == 1
    [email] = mail.outbox
    assert email.to == ["anne@example.org"]
    assert "due by 25 November 2026" in email.body
    assert (
        f"https://programmes.example.gov.uk/workstreams/{leads.programme.workstreams.get(reference='1.1').pk}/updates/{leads.pk}/"
        in email.body
    )


def test_a_reminder_is_sent_once_however_often_the_job_runs(leads):
    run_on(CUT_OFF - timedelta(days=5))
    run_on(CUT_OFF - timedelta(days=5))
    run_on(CUT_OFF - timedelta(days=2))
    assert len(mail.outbox) == 1


def test_the_number_of_days_is_set_per_programme(leads):
    programme = leads.programme
    programme.reminder_days = 2
    programme.save()
    assert run_on(CUT_OFF - timedelta(days=3)) == 0
    assert run_on(CUT_OFF - timedelta(days=2)) == 1


def test_project_managers_get_a_weekly_digest_of_overdue_milestones(plan):
    manager = PersonFactory(organisation=plan["programme"].organisation, email="pm@example.org")
    area = plan["area_one"]
    area.project_manager = manager
    area.save()
    MilestoneFactory(
        workstream=plan["ws_1_1"],
        reference="1.1.3",
        title="Consultation",
        baseline_date=date(2026, 11, 1),
    )
    MilestoneFactory(workstream=plan["ws_2_1"], reference="2.1.1", baseline_date=date(2026, 11, 1))
    monday = date(2026, 11, 23)
    assert send_overdue_digests(monday.isoformat()) == 1
    assert send_overdue_digests((monday + timedelta(days=2)).isoformat()) == 0  # same week
    [email] = mail.outbox
    assert email.to == ["pm@example.org"]
    assert "1.1.3 Consultation (due 1 Nov 2026, 22 days late)" in email.body
    assert "2.1.1" not in email.body
    assert send_overdue_digests((monday + timedelta(days=7)).isoformat()) == 1
