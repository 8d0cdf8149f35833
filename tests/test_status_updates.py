"""The lead's monthly status update: drafts, submission, the reason rule, late marking, the
lock at period close and the programme office's reopening."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.choices import PeriodStatus
from tests import forms
from tests.clock import TODAY
from tests.factories import PeriodFactory, StatusUpdateFactory
from workstreams.models import StatusUpdate


@pytest.fixture
def period(plan):
    return PeriodFactory(
        programme=plan["programme"], month=TODAY.replace(day=1), cut_off=TODAY + timedelta(days=3)
    )


def url(plan, period):
    return reverse("status_update", args=[plan["ws_1_1"].pk, period.pk])


def test_a_draft_can_be_saved_incomplete_then_submitted(client, people, plan, period):
    client.force_login(people["lead"])
    client.post(url(plan, period), forms.status_update(rag="amber", action="draft"))
    draft = StatusUpdate.objects.get()
    assert draft.state == "draft" and draft.submitted_at is None
    client.post(
        url(plan, period),
        forms.status_update(
            rag="amber", reason="Consultation started late", version=str(draft.version)
        ),
    )
    update = StatusUpdate.objects.get()
    assert update.state == "submitted" and update.submitted_by == people["lead"]
    assert not update.is_late


@pytest.mark.parametrize("rag", ["amber", "red"])
def test_amber_or_red_needs_a_reason(client, people, plan, period, rag):
    client.force_login(people["lead"])
    response = client.post(url(plan, period), forms.status_update(rag=rag))
    assert response.status_code == 400
    assert f"Give the reason for the {rag.capitalize()} rating" in response.content.decode()
    assert not StatusUpdate.objects.exists()


def test_text_over_its_limit_is_refused(client, people, plan, period):
    client.force_login(people["lead"])
    response = client.post(url(plan, period), forms.status_update(achievements="x" * 4001))
    assert response.status_code == 400
    assert "Achievements must be 4,000 characters or fewer" in response.content.decode()
    assert not StatusUpdate.objects.exists()


def test_an_update_submitted_after_the_cut_off_is_marked_late(client, people, plan):
    period = PeriodFactory(
        programme=plan["programme"], month=TODAY.replace(day=1), cut_off=TODAY - timedelta(days=1)
    )
    client.force_login(people["lead"])
    client.post(url(plan, period), forms.status_update())
    assert StatusUpdate.objects.get().is_late
    assert ">Late</strong>" in client.get(url(plan, period)).content.decode()


def test_a_submitted_update_is_locked_once_the_period_closes_until_reopened(client, people, plan):
    last = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)
    period = PeriodFactory(
        programme=plan["programme"],
        month=last,
        status=PeriodStatus.CLOSED,
        cut_off=last + timedelta(days=20),
    )
    update = StatusUpdateFactory(
        workstream=plan["ws_1_1"],
        period=period,
        rag="green",
        state="submitted",
        submitted_at=timezone.now(),
        achievements="Old",
    )
    client.force_login(people["lead"])
    response = client.post(url(plan, period), forms.status_update(achievements="New", version="1"))
    assert response.status_code == 400
    assert "locked because the period has closed" in response.content.decode()
    assert StatusUpdate.objects.get().achievements == "Old"

    client.force_login(people["office"])
    client.post(reverse("status_update_reopen", args=[update.pk]))
    client.force_login(people["lead"])
    response = client.post(url(plan, period), forms.status_update(achievements="New", version="2"))
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.achievements == "New" and update.is_locked  # resubmitted, so locked again
