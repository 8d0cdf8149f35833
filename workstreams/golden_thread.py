"""The golden thread (DOMAIN.md section 1): the organisation's objectives as a tree,
corporate -> directorate -> service, with the programme's workstreams serving each and their
rating rolled up the tree."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from programmes.choices import ObjectiveLevel
from programmes.models import Objective
from programmes.rules import RagResult, roll_up
from workstreams.assessment import WorkstreamRating


@dataclass
class ObjectiveNode:
    objective: Objective
    workstreams: list[WorkstreamRating]
    children: list[ObjectiveNode] = field(default_factory=list)
    result: RagResult | None = None  # None: no workstream serves it or anything under it
    # A directorate or service objective with nothing above it: the thread is broken here.
    unlinked: bool = False

    @property
    def served(self) -> list[WorkstreamRating]:
        """The workstreams serving this objective or any objective under it."""
        return [*self.workstreams, *(w for child in self.children for w in child.served)]


@dataclass
class GoldenThread:
    roots: list[ObjectiveNode]
    unserving: list[WorkstreamRating]  # workstreams that serve no objective

    @property
    def is_empty(self) -> bool:
        return not self.roots


def golden_thread(
    objectives: Sequence[Objective], workstreams: Sequence[WorkstreamRating]
) -> GoldenThread:
    """Arrange the objectives (in reference order) as their tree, each with the workstreams
    that serve it and a rating rolled up (`programmes.rules.roll_up`, as areas and the
    programme are) from the workstreams serving it and every objective under it: a corporate
    objective is as well served as the worst workstream beneath it (DOMAIN.md section 3)."""
    serving = defaultdict(list)
    unserving = []
    for rating in workstreams:
        objective_id = rating.workstream.objective_id
        (serving[objective_id] if objective_id else unserving).append(rating)
    nodes = {o.pk: ObjectiveNode(o, serving[o.pk]) for o in objectives}
    roots = []
    for objective in objectives:
        node = nodes[objective.pk]
        parent = nodes.get(objective.parent_id)
        if parent is None:
            node.unlinked = objective.level != ObjectiveLevel.CORPORATE
            roots.append(node)
        else:
            parent.children.append(node)
    seen: set[int] = set()

    def rate(node: ObjectiveNode) -> None:
        seen.add(node.objective.pk)
        for child in node.children:
            if child.objective.pk not in seen:
                rate(child)
        served = node.served
        if served:
            node.result = roll_up(
                [(f"workstream {w.workstream.reference}", w.rating) for w in served],
                detailed=False,
            )

    for root in roots:
        rate(root)
    return GoldenThread(roots, unserving)
