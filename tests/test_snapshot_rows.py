"""Reading as at a moment (programmes.snapshots.Snapshot.rows) gives instances of the model
itself, each as its latest history record before the moment says, with the query's
annotations; made straight from the history rows, not through a historical instance."""

from datetime import datetime, timedelta

from django.db.models import F, Value
from django.utils import timezone

from programmes.snapshots import Snapshot
from tests.clock import TODAY
from tests.factories import MilestoneFactory
from workstreams.models import Milestone


def at(day, hour):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))


def saved_at(instance, moment):
    instance._history_date = moment
    instance.save()
    return instance


def test_each_row_is_the_model_as_it_stood_with_every_field(plan):
    before, after = TODAY - timedelta(days=20), TODAY - timedelta(days=5)
    milestone = MilestoneFactory.build(
        workstream=plan["ws_1_1"],
        reference="1.1.1",
        title="Consultation",
        baseline_date=TODAY + timedelta(days=30),
    )
    saved_at(milestone, at(before, 10))
    milestone.title, milestone.baseline_date = "Consultation closes", TODAY + timedelta(days=60)
    saved_at(milestone, at(after, 10))
    gone = saved_at(
        MilestoneFactory.build(workstream=plan["ws_1_2"], reference="1.2.1"), at(before, 10)
    )
    gone._history_date = at(after, 11)
    gone.delete()

    then = list(Snapshot(at(before + timedelta(days=1), 0)).rows(Milestone))
    now = Snapshot(at(TODAY, 0)).rows(Milestone)

    assert {type(row) for row in then} == {Milestone}
    by_reference = {row.reference: row for row in then}
    assert set(by_reference) == {"1.1.1", "1.2.1"}
    old = by_reference["1.1.1"]
    assert old.pk == milestone.pk
    assert (old.title, old.baseline_date) == ("Consultation", TODAY + timedelta(days=30))
    assert old.workstream_id == plan["ws_1_1"].pk
    assert not old._state.adding
    # Every field the model has, as the history recorded it.
    stored = Milestone.objects.get(pk=milestone.pk)
    current = now.get(pk=milestone.pk)
    for field in Milestone._meta.concrete_fields:
        assert getattr(current, field.attname) == getattr(stored, field.attname), field.name
    assert [row.reference for row in now] == ["1.1.1"]  # the deleted one is gone


def test_annotations_and_narrowed_fields_come_through(plan):
    milestone = saved_at(
        MilestoneFactory.build(workstream=plan["ws_1_1"], reference="1.1.1", title="Consultation"),
        at(TODAY - timedelta(days=3), 9),
    )
    rows = Snapshot(at(TODAY, 0)).rows(Milestone, workstream__programme_id=plan["programme"].pk)

    annotated = rows.annotate(label=Value("kept"), doubled=F("position") * 2).get()
    assert (annotated.pk, annotated.label, annotated.doubled) == (
        milestone.pk,
        "kept",
        milestone.position * 2,
    )
    narrowed = rows.only("id", "reference").get()
    assert narrowed.reference == "1.1.1"
    assert narrowed.get_deferred_fields() >= {"title"}
    assert narrowed.title == "Consultation"  # read from the table when asked for, as Django does
    assert rows.values_list("reference", flat=True).get() == "1.1.1"
