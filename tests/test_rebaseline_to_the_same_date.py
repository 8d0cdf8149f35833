"""Re-baselining moves the baseline: a "re-baseline" to the date it already has is refused
with a message by the field, and nothing is logged (DOMAIN.md section 3)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from programmes.dates import PlanDate
from tests import forms
from tests.factories import MilestoneFactory
from workstreams.models import BaselineChange, Milestone
from workstreams.services.progress import rebaseline_milestone

SAME = "The new baseline is the same as the current one"


@pytest.fixture
def milestone(plan):
    return MilestoneFactory(
        workstream=plan["ws_1_1"], baseline_date=date(2026, 9, 30), baseline_precision="month"
    )


def test_the_page_refuses_the_same_baseline_by_the_field(client, people, milestone):
    client.force_login(people["manager"])
    response = client.post(
        reverse("milestone_rebaseline", args=[milestone.pk]),
        {"reason": "No change really", "version": "1", **forms.date_parts("baseline", (9, 2026))},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert SAME in html and 'href="#id_baseline' in html
    assert not BaselineChange.objects.exists()
    assert Milestone.objects.get(pk=milestone.pk).version == milestone.version


def test_the_service_refuses_the_same_baseline(people, milestone):
    with pytest.raises(ValidationError) as refused:
        rebaseline_milestone(
            milestone,
            by=people["manager"],
            version=milestone.version,
            baseline=PlanDate.of_month(2026, 9),
            reason="No change really",
        )
    assert refused.value.message_dict == {"baseline": [SAME]}
    assert not BaselineChange.objects.exists()


def test_a_month_made_precise_to_a_day_is_a_real_change(people, milestone):
    rebaseline_milestone(
        milestone,
        by=people["manager"],
        version=milestone.version,
        baseline=PlanDate.of_day(date(2026, 9, 30)),
        reason="The cabinet date is now fixed",
    )
    assert BaselineChange.objects.get().new_label == "30 Sep 2026"


def test_a_long_reason_is_kept_whole_and_the_history_gets_what_fits(people, milestone):
    """The history keeps a change's reason in 100 characters (PostgreSQL refused a longer one
    with a server error); the re-baselining keeps the whole reason."""
    reason = "The cabinet meeting moved to December because the consultation closes late " * 3

    rebaseline_milestone(
        milestone,
        by=people["manager"],
        version=milestone.version,
        baseline=PlanDate.of_month(2026, 12),
        reason=reason,
    )

    assert BaselineChange.objects.get().reason == reason.strip()
    recorded = Milestone.history.filter(id=milestone.pk).first().history_change_reason
    assert len(recorded) <= 100 and recorded.startswith("Re-baselined: The cabinet meeting")


def test_any_long_reason_fits_the_history(people, plan):
    """One rule for every history (programmes/signals.py): closing a risk with a long reason
    is kept in full on the risk, and what fits in the history."""
    from risks.services.risks import close_risk
    from tests.factories import RiskFactory

    risk = RiskFactory(programme=plan["programme"], area=plan["area_one"])
    reason = "The provider signed the contract and the service is running as planned. " * 4

    close_risk(risk, by=people["office"], version=risk.version, reason=reason)

    risk.refresh_from_db()
    assert risk.closing_reason == reason.strip()
    recorded = risk.history.first().history_change_reason
    assert len(recorded) <= 100 and recorded.startswith("Closed: The provider signed")
