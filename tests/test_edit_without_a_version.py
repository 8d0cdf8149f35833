"""A save that does not say which version the user started from is refused with a message,
never a server error and never a silent overwrite (issue 10, defect 5).

Without the version the user loaded, nobody can tell whether they saw the change someone else
has just saved: the page asks them to reload rather than saving over it.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from programmes.history import conflict_message
from tests import forms
from tests.factories import MilestoneFactory, PeriodFactory, StatusUpdateFactory
from workstreams.models import Milestone, StatusUpdate


@pytest.fixture
def milestone(plan):
    return MilestoneFactory(
        workstream=plan["ws_1_1"], baseline_date=timezone.localdate() + timedelta(days=60)
    )


@pytest.fixture
def someone_saves_first(milestone):
    """Someone else saves the milestone at the very moment this request saves it: just before
    the save reads the stored version, the row's version moves on (a real write, at the moment
    a concurrent save would land)."""
    table = Milestone._meta.db_table
    bumped = []

    def other_save_lands(execute, sql, params, many, context):
        if not bumped and sql.startswith(f'SELECT "{table}"."version"'):
            bumped.append(True)
            execute(
                f'UPDATE "{table}" SET "version" = "version" + 1 WHERE "id" = %s',
                [milestone.pk],
                False,
                context,
            )
        return execute(sql, params, many, context)

    with connection.execute_wrapper(other_save_lands):
        yield


@pytest.mark.parametrize("version", [None, "", "abc", "0"])
def test_a_progress_update_without_a_usable_version_meeting_a_conflict_is_refused(
    client, people, milestone, someone_saves_first, version
):
    sent = forms.progress(milestone, note="Venue booked", status="in_progress")
    if version is None:
        del sent["version"]
    else:
        sent["version"] = version
    client.force_login(people["lead"])

    response = client.post(reverse("milestone_detail", args=[milestone.pk]), sent)

    assert response.status_code == 400
    html = response.content.decode()
    assert "reload the page" in html
    assert "Venue booked" in html  # what they typed is still in front of them
    milestone.refresh_from_db()
    assert milestone.status == "not_started"
    assert not milestone.progress_notes.exists()


def test_a_progress_update_meeting_a_save_at_the_same_moment_gets_the_conflict_message(
    client, people, milestone, someone_saves_first
):
    client.force_login(people["lead"])

    response = client.post(
        reverse("milestone_detail", args=[milestone.pk]),
        forms.progress(milestone, note="Venue booked", status="in_progress"),
    )

    assert response.status_code == 400
    assert "Someone else changed this milestone while you were editing it" in (
        response.content.decode()
    )
    assert not Milestone.objects.get(pk=milestone.pk).progress_notes.exists()


def test_the_conflict_message_for_someone_who_started_from_nothing_names_the_first_writing(
    plan, people
):
    period = PeriodFactory(programme=plan["programme"], month=timezone.localdate().replace(day=1))
    update = StatusUpdateFactory(workstream=plan["ws_1_1"], period=period)

    message = conflict_message(StatusUpdate, update.pk, None, "update")

    assert message.startswith("Someone else changed this update while you were editing it (")
    assert "Added" in message
