"""Workstream suggested RAG and the roll-up to area and programme (DOMAIN.md section 3)."""

from programmes.choices import Rag
from programmes.rules import RagResult, Reason, roll_up, to_three_point
from workstreams.rules import workstream_suggested_rag

RED = RagResult(Rag.RED, (Reason("is 47 days late"),))
AMBER = RagResult(Rag.AMBER, (Reason("is flagged at risk by its owner"),))
GREEN = RagResult(Rag.GREEN)
COMPLETE = RagResult(Rag.COMPLETE)
NOT_STARTED = RagResult(Rag.NOT_STARTED)
NO_DATA = RagResult(Rag.NO_DATA)
MEASURE_RED = RagResult(Rag.RED, (Reason("missed its target of 100 by 12%"),))


def test_any_red_milestone_or_measure_makes_the_workstream_red_and_names_them():
    result = workstream_suggested_rag([("3.6.1", GREEN), ("3.6.2", RED)], [("NI 141", MEASURE_RED)])
    assert result.rag == Rag.RED
    assert result.explanation() == (
        "Red because: milestone 3.6.2 is 47 days late; "
        "measure NI 141 missed its target of 100 by 12%"
    )


def test_amber_without_red_is_amber():
    assert workstream_suggested_rag([("1", AMBER), ("2", GREEN)], []).rag == Rag.AMBER


def test_all_green_is_green():
    assert workstream_suggested_rag([("1", GREEN)], [("M", GREEN)]).rag == Rag.GREEN


def test_complete_and_not_started_do_not_worsen_a_rating():
    assert workstream_suggested_rag([("1", COMPLETE), ("2", NOT_STARTED)], []).rag == Rag.GREEN
    assert workstream_suggested_rag([("1", COMPLETE), ("2", AMBER)], []).rag == Rag.AMBER


def test_all_complete_is_complete_and_all_not_started_is_not_started():
    assert workstream_suggested_rag([("1", COMPLETE), ("2", COMPLETE)], []).rag == Rag.COMPLETE
    assert workstream_suggested_rag([("1", NOT_STARTED)], []).rag == Rag.NOT_STARTED


def test_nothing_to_assess_is_no_data():
    assert workstream_suggested_rag([], [("M", NO_DATA)]).rag == Rag.NO_DATA


def test_area_roll_up_names_the_workstreams_that_made_it():
    result = roll_up(
        [("workstream 1.1", RED), ("workstream 1.2", AMBER), ("workstream 1.3", RED)],
        detailed=False,
    )
    assert result.explanation() == "Red because: workstream 1.1 is Red; workstream 1.3 is Red"


def test_five_point_ratings_roll_up_worst_first():
    items = [
        ("workstream 1", RagResult(Rag.AMBER_GREEN)),
        ("workstream 2", RagResult(Rag.AMBER_RED)),
        ("workstream 3", RagResult(Rag.AMBER)),
    ]
    assert roll_up(items).rag == Rag.AMBER_RED
    assert roll_up(items[:1] + [("workstream 4", GREEN)]).rag == Rag.AMBER_GREEN


def test_five_point_ratings_count_as_three_point():
    assert to_three_point(Rag.AMBER_RED) == Rag.AMBER
    assert to_three_point(Rag.AMBER_GREEN) == Rag.AMBER
    assert to_three_point(Rag.RED) == Rag.RED
