"""Rows made once per test process are put back as made, for each test
(tests/made_once.py): what one test changes, no other sees."""

from django.db import transaction

from programmes.models import Programme
from tests.conftest import CLOCK, make_people, make_plan
from tests.factories import ProgrammeFactory
from tests.made_once import made_once
from workstreams.models import Workstream

BUILDS = [lambda made: make_plan(), lambda made: make_people(made[0])]


def put_back(request, key="this module's plan and people"):
    return made_once(key, BUILDS, clock=request.node.stash[CLOCK])


def test_each_test_gets_the_rows_as_made_and_instances_of_its_own(db, request):
    with transaction.atomic():
        first, _ = put_back(request)
        first["programme"].name = "Renamed by an earlier test"
        first["programme"].save()
        first["ws_2_2"].delete()
        transaction.set_rollback(True)

    plan, people = put_back(request)

    assert plan["programme"] is not first["programme"]
    assert plan["programme"].name == "Adult & Housing Transformation Programme"
    assert Programme.objects.get().name == "Adult & Housing Transformation Programme"
    assert sorted(Workstream.objects.values_list("reference", flat=True)) == [
        "1.1",
        "1.2",
        "2.1",
        "2.2",
    ]
    assert people["lead"].person.memberships.get().workstream == plan["ws_1_1"]


def test_what_a_test_makes_next_comes_after_the_rows_put_back(db, request):
    plan, _ = put_back(request)
    programme = plan["programme"]

    programme.name = "Renamed"
    programme.save()
    another = ProgrammeFactory()

    # Numbered after the kept rows, and its history in the order things happened.
    assert another.pk > programme.pk
    assert list(programme.history.order_by("history_date").values_list("name", flat=True)) == [
        "Adult & Housing Transformation Programme",
        "Renamed",
    ]


def test_nothing_is_put_back_beside_rows_of_another_kind(db, request):
    ProgrammeFactory(name="Made by the test itself")

    assert put_back(request) is None
    assert Programme.objects.count() == 1
