"""Every change is recorded and told in plain words (DOMAIN.md section 2)."""

from datetime import date

from programmes.choices import DatePrecision
from programmes.history import HistorySource, describe_history
from tests.factories import MilestoneFactory, PersonFactory, UserFactory
from workstreams.models import Milestone


def test_a_moved_forecast_is_told_in_plain_words_with_who_and_when(plan):
    anne = UserFactory(username="anne")
    PersonFactory(name="Anne Mosley", user=anne, organisation=plan["programme"].organisation)
    milestone = MilestoneFactory(workstream=plan["ws_1_1"], reference="1.1.3")
    milestone.forecast_date, milestone.forecast_precision = date(2025, 9, 30), DatePrecision.MONTH
    milestone.save()
    milestone.forecast_date = date(2025, 11, 30)
    milestone._history_user = anne
    milestone.save()

    changes = describe_history(
        [
            HistorySource(
                Milestone.history.filter(id=milestone.pk), lambda r: f"Milestone {r.reference}"
            )
        ]
    )
    latest = changes[0]
    assert latest.subject == "Milestone 1.1.3"
    assert latest.sentence == "Forecast moved from Sep 2025 to Nov 2025"
    assert latest.who == "Anne Mosley"
    assert [change.sentence for change in changes][-1] == "Added"


def test_completion_and_at_risk_are_said_simply(plan):
    milestone = MilestoneFactory(workstream=plan["ws_1_1"])
    milestone.at_risk = True
    milestone.save()
    milestone.at_risk = False
    milestone.status, milestone.actual_date = "complete", date(2025, 10, 3)
    milestone.save()
    sentences = [
        change.sentence
        for change in describe_history(
            [HistorySource(Milestone.history.filter(id=milestone.pk), lambda r: "M")]
        )
    ]
    assert sentences[:2] == [
        "Completed on 3 Oct 2025; No longer flagged at risk",
        "Flagged at risk",
    ]


def test_reading_a_models_history_makes_its_manager_class_once_and_keeps_to_the_instance(plan):
    """`Model.history` is read for every record saved; django-simple-history made a new
    manager class each time (programmes/history_descriptors.py)."""
    first = MilestoneFactory(workstream=plan["ws_1_1"], reference="1.1.1")
    second = MilestoneFactory(workstream=plan["ws_1_1"], reference="1.1.2")
    second.title = "Renamed"
    second.save()

    assert type(Milestone.history) is type(Milestone.history)
    assert type(first.history) is type(Milestone.history)
    assert Milestone.history.count() == 3
    assert [record.reference for record in first.history.all()] == ["1.1.1"]
    titles = [record.title for record in second.history.all()]
    assert len(titles) == 2 and titles[0] == "Renamed" and titles[1] != "Renamed"
