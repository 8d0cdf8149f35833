"""The dependency map of a programme (issue 15, part 3): its workstreams as boxes in one
column per programme area, with their RAG in words and colour, and an arrow from each
workstream to each one that depends on it (directly, or through a milestone that depends on
one of its milestones). An arrow is "at risk" when the assessment found a dependency warning
on it (`workstreams.assessment.DependencyThreat`). Laid out here as plain numbers, drawn by
the template as SVG, and listed as a table of the same arrows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from programmes.choices import Rag
from workstreams.assessment import DependencyThreat, ProgrammeRating, WorkstreamRating

COLUMN_WIDTH = 148
COLUMN_GAP = 34
NODE_WIDTH = COLUMN_WIDTH
NODE_HEIGHT = 66
ROW_GAP = 14
TOP = 56  # room for the area headings
MARGIN = 16
NAME_CHARACTERS = 20  # a line of a workstream's name in a box, cut at a word

# Colours of the GOV.UK palette, one per rating; the word is always shown beside it.
RAG_COLOURS = {
    Rag.RED: "#d4351c",
    Rag.AMBER_RED: "#d4351c",
    Rag.AMBER: "#f47738",
    Rag.AMBER_GREEN: "#f47738",
    Rag.GREEN: "#00703c",
    Rag.COMPLETE: "#1d70b8",
    Rag.NOT_STARTED: "#505a5f",
    Rag.NO_DATA: "#505a5f",
}


def name_lines(text: str, limit: int, lines: int = 2) -> list[str]:
    """The text in lines of whole words of at most `limit` characters, the last ending "..."
    when words are left out (never a word cut in the middle)."""
    words, result = text.split(), []
    while words and len(result) < lines:
        line = words.pop(0)
        while words and len(line) + 1 + len(words[0]) <= limit:
            line += " " + words.pop(0)
        result.append(line)
    if words and result:
        result[-1] = first_words(result[-1] + " " + " ".join(words), limit)
    return result


def first_words(text: str, limit: int) -> str:
    """As many whole words of the text as fit the limit, with "..." when some are left out
    (never a word cut in the middle)."""
    if len(text) <= limit:
        return text
    kept = ""
    for word in text.split():
        if len(kept) + len(word) + 1 > limit - 3:
            break
        kept = f"{kept} {word}".strip()
    return f"{kept}..." if kept else text.split()[0]


@dataclass
class Node:
    rating: WorkstreamRating
    x: int
    y: int
    column: int
    is_flagged: bool = False  # at either end of a dependency at risk

    @property
    def workstream(self):
        return self.rating.workstream

    @property
    def rag(self) -> Rag:
        return Rag(self.rating.rating.rag)

    @property
    def colour(self) -> str:
        return RAG_COLOURS[self.rag]

    @property
    def name_lines(self) -> list[tuple[int, str]]:
        """The workstream's name in up to two lines of whole words, each with its y."""
        return [
            (self.y + 38 + 15 * index, line)
            for index, line in enumerate(name_lines(self.workstream.name, NAME_CHARACTERS))
        ]

    @property
    def right(self) -> int:
        return self.x + NODE_WIDTH

    @property
    def middle(self) -> int:
        return self.y + NODE_HEIGHT // 2


@dataclass
class Edge:
    """An arrow from a workstream to one that depends on it, with what it goes through."""

    upstream: Node
    downstream: Node
    is_direct: bool = False  # the workstream itself depends on the other
    milestones: list[tuple[str, str]] = field(default_factory=list)  # (upstream, downstream)
    threats: list[DependencyThreat] = field(default_factory=list)

    @property
    def is_at_risk(self) -> bool:
        return bool(self.threats)

    @property
    def through(self) -> str:
        """ "the workstream; milestones 1.1.2 for 2.1.3" in words."""
        parts = ["the workstream itself"] if self.is_direct else []
        parts += [f"milestone {down} on {up}" for up, down in self.milestones]
        return "; ".join(parts)

    @property
    def path(self) -> str:
        """An SVG path from the upstream box to the downstream one: a curve between columns,
        or a loop out to the right within a column."""
        up, down = self.upstream, self.downstream
        if up.column == down.column:
            x = up.right
            bend = x + COLUMN_GAP // 2 + 6
            return (
                f"M {x} {up.middle} C {bend} {up.middle}, {bend} {down.middle}, {x} {down.middle}"
            )
        if up.column < down.column:
            start, end = up.right, down.x
        else:
            start, end = up.x, down.right
        bend = (end - start) // 2
        return (
            f"M {start} {up.middle} C {start + bend} {up.middle}, "
            f"{end - bend} {down.middle}, {end} {down.middle}"
        )


@dataclass
class Column:
    area: object
    x: int
    nodes: list[Node]

    @property
    def short_name(self) -> str:
        return first_words(self.area.name, NAME_CHARACTERS + 8)


@dataclass
class DependencyMap:
    columns: list[Column]
    edges: list[Edge]
    width: int
    height: int

    node_width: int = NODE_WIDTH
    node_height: int = NODE_HEIGHT

    @property
    def at_risk(self) -> list[Edge]:
        return [edge for edge in self.edges if edge.is_at_risk]


def build_dependency_map(
    rating: ProgrammeRating,
    workstream_edges: list[tuple[int, int]],
    milestone_edges: list[tuple[int, int]],
) -> DependencyMap:
    """The map of a rated programme, from the dependencies of its rating state as (upstream
    id, downstream id): between workstreams (`workstream_edges`) and between milestones of
    different workstreams (`milestone_edges`)."""
    columns, nodes = [], {}
    for index, area_rating in enumerate(rating.areas):
        x = MARGIN + index * (COLUMN_WIDTH + COLUMN_GAP)
        column = Column(area_rating.area, x, [])
        for row, workstream_rating in enumerate(area_rating.workstreams):
            node = Node(workstream_rating, x, TOP + row * (NODE_HEIGHT + ROW_GAP), index)
            column.nodes.append(node)
            nodes[workstream_rating.workstream.pk] = node
        columns.append(column)

    found: dict[tuple[int, int], Edge] = {}

    def edge(upstream_id: int, downstream_id: int) -> Edge | None:
        if upstream_id == downstream_id or upstream_id not in nodes or downstream_id not in nodes:
            return None
        key = (upstream_id, downstream_id)
        if key not in found:
            found[key] = Edge(nodes[upstream_id], nodes[downstream_id])
        return found[key]

    for upstream_id, downstream_id in sorted(set(workstream_edges)):
        if (item := edge(upstream_id, downstream_id)) is not None:
            item.is_direct = True
    milestones = {m.milestone.pk: m.milestone for m in rating.milestones}
    for upstream_id, downstream_id in sorted(set(milestone_edges)):
        upstream, downstream = milestones.get(upstream_id), milestones.get(downstream_id)
        if upstream is None or downstream is None:
            continue
        if (found_edge := edge(upstream.workstream_id, downstream.workstream_id)) is not None:
            found_edge.milestones.append((upstream.reference, downstream.reference))
    for threat in rating.dependency_threats:
        downstream_id = (
            threat.downstream.pk if threat.is_workstream else threat.downstream.workstream_id
        )
        if (found_edge := edge(threat.upstream.workstream_id, downstream_id)) is not None:
            found_edge.threats.append(threat)
        for workstream_id in (threat.upstream.workstream_id, downstream_id):
            if workstream_id in nodes:
                nodes[workstream_id].is_flagged = True

    tallest = max((len(column.nodes) for column in columns), default=0)
    width = MARGIN * 2 + len(columns) * COLUMN_WIDTH + max(len(columns) - 1, 0) * COLUMN_GAP
    width += COLUMN_GAP // 2  # room for the loops of the last column
    height = TOP + tallest * (NODE_HEIGHT + ROW_GAP) + MARGIN
    ordered = sorted(
        found.values(),
        key=lambda e: (e.upstream.workstream.sort_key, e.downstream.workstream.sort_key),
    )
    return DependencyMap(columns, ordered, width, height)
