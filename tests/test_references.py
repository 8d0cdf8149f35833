"""References are the users' own and sort naturally: 1.2 before 1.10 (DOMAIN.md section 1)."""

from programmes.references import natural_sorted, reference_sort_key
from tests.factories import AreaFactory, MilestoneFactory, RiskFactory, WorkstreamFactory
from workstreams.models import Milestone, Workstream


def test_sort_keys_order_numbers_by_value():
    references = ["1.10", "1.2", "1.1", "SCAR001.10", "SCAR001.9", "CF6 - 004", "CF6 - 001"]
    assert sorted(references, key=reference_sort_key) == [
        "1.1",
        "1.2",
        "1.10",
        "CF6 - 001",
        "CF6 - 004",
        "SCAR001.9",
        "SCAR001.10",
    ]


def test_lists_merged_in_memory_sort_naturally_too():
    assert natural_sorted(["4.10", "4.9", "4.1"]) == ["4.1", "4.9", "4.10"]


def test_the_database_returns_workstreams_and_milestones_in_natural_order(plan):
    area = AreaFactory(programme=plan["programme"], reference="4")
    for reference in ["4.10", "4.2", "4.1"]:
        WorkstreamFactory(area=area, reference=reference)
    assert list(Workstream.objects.filter(area=area).values_list("reference", flat=True)) == [
        "4.1",
        "4.2",
        "4.10",
    ]
    for reference in ["1.1.11", "1.1.2", "1.1.1"]:
        MilestoneFactory(workstream=plan["ws_1_1"], reference=reference)
    assert list(
        Milestone.objects.filter(workstream=plan["ws_1_1"]).values_list("reference", flat=True)
    ) == ["1.1.1", "1.1.2", "1.1.11"]


def test_references_are_stored_exactly_as_given(plan):
    risk = RiskFactory(programme=plan["programme"], reference="CF6 - 001")
    risk.refresh_from_db()
    assert risk.reference == "CF6 - 001"


def test_renaming_a_reference_resorts_it(plan):
    workstream = plan["ws_1_1"]
    workstream.reference = "1.20"
    workstream.save(update_fields=["reference"])
    workstream.refresh_from_db()
    assert workstream.sort_key == reference_sort_key("1.20")
