"""Pictures of a revision graph: text like ``git log --graph``, Mermaid, Graphviz DOT.

A :class:`View` picks what to draw: the revisions newest first (each branch in
one piece), and long runs of plain revisions folded into one "N more" node so
a big history stays short. The three renderers draw the same view. In text,
``*`` is a revision, ``:`` a folded run, and ``~`` under a revision says its
history goes on below, out of the picture.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TextIO

from .graph import Divergence, Graph

WIDTH = 80
# A run of plain revisions longer than this keeps its newest and oldest and
# folds the rest into one row.
LONGEST_RUN_SHOWN = 3

_RESET = "\033[0m"
_ID = "\033[33m"
_HEAD = "\033[1;31m"
_TAG = "\033[36m"
_LABEL = "\033[1;32m"
_ELIDED = "\033[2m"


@dataclass(frozen=True)
class Node:
    """One row of a drawing: a revision, or a folded run of two or more (newest first)."""

    key: str
    revisions: tuple[str, ...]
    parents: tuple[str, ...]

    @property
    def folded(self) -> bool:
        return len(self.revisions) > 1


@dataclass(frozen=True)
class View:
    nodes: tuple[Node, ...]

    @property
    def revisions(self) -> list[str]:
        return [rev for node in self.nodes for rev in node.revisions]


def view(graph: Graph, shown: Iterable[str], first: Sequence[str] = (), fold: bool = True) -> View:
    """``shown`` newest first, the branches of ``first`` leftmost, runs folded."""
    wanted = set(shown)
    order = _display_order(graph, wanted, first)
    kids = {rev: [c for c in graph.children[rev] if c in wanted] for rev in wanted}
    parents = {rev: [p for p in graph.parents(rev) if p in wanted] for rev in wanted}

    def plain(rev: str) -> bool:
        file = graph.revisions[rev]
        return (
            len(parents[rev]) == 1
            and len(kids[rev]) == 1
            and len(graph.children[rev]) == 1
            and len(file.down_revision) == 1
            and not file.branch_labels
        )

    runs: list[list[str]] = []
    for rev in order:
        if runs and plain(rev) and plain(runs[-1][-1]) and parents[runs[-1][-1]] == [rev]:
            runs[-1].append(rev)
        else:
            runs.append([rev])
    key_of: dict[str, str] = {}
    groups: list[tuple[str, list[str]]] = []
    for run in runs:
        if fold and len(run) > LONGEST_RUN_SHOWN:
            middle = run[1:-1]
            # A space cannot be in a revision id Alembic can use: no clash.
            groups += [(run[0], [run[0]]), (f"... {middle[0]}", middle), (run[-1], [run[-1]])]
        else:
            groups += [(rev, [rev]) for rev in run]
    for key, revs in groups:
        for rev in revs:
            key_of[rev] = key
    nodes = tuple(
        Node(key, tuple(revs), tuple(dict.fromkeys(key_of[p] for p in parents[revs[-1]])))
        for key, revs in groups
    )
    return View(nodes)


def divergence_view(graph: Graph, split: Divergence, fold: bool = True) -> View:
    """Each head's branch since the last common revision, and where it starts.

    A branch usually starts at the fork; one that merged in an older common
    revision starts there too, and that revision is drawn as well.
    """
    return view(graph, divergence_revisions(graph, split), split.heads, fold)


def divergence_revisions(graph: Graph, split: Divergence) -> set[str]:
    """What :func:`divergence_view` draws: each branch, and where it starts."""
    branches: set[str] = set().union(*split.branches)
    return branches | {parent for rev in branches for parent in graph.parents(rev)}


def _display_order(graph: Graph, wanted: set[str], first: Sequence[str]) -> list[str]:
    """Children before parents, each branch in one piece, ``first`` first.

    Reversed depth-first post-order from the tips: a revision is finished only
    after all its parents, and a chain is walked in one go.
    """
    tips = [rev for rev in wanted if not any(c in wanted for c in graph.children[rev])]
    load = {rev: index for index, rev in enumerate(graph.revisions)}
    tips.sort(key=lambda rev: (first.index(rev) if rev in first else len(first), load[rev]))
    finished: list[str] = []
    seen: set[str] = set()
    for tip in reversed(tips):
        stack = [(tip, iter(graph.parents(tip)))]
        seen.add(tip)
        while stack:
            rev, parents = stack[-1]
            parent = next(parents, None)
            if parent is None:
                finished.append(rev)
                stack.pop()
            elif parent in wanted and parent not in seen:
                seen.add(parent)
                stack.append((parent, iter(graph.parents(parent))))
    return finished[::-1]


# -- text -------------------------------------------------------------------


def draw(
    graph: Graph,
    shown: View,
    color: bool = False,
    width: int = WIDTH,
    marks: Mapping[str, str] | None = None,
) -> list[str]:
    """The view as ``git log --graph`` style lines, each at most ``width`` wide;
    ``marks`` adds a tag to some revisions (``database``: what a database has)."""
    lines = []
    lanes: list[str] = []
    for node in shown.nodes:
        if node.key not in lanes:
            lanes.append(node.key)
        col = lanes.index(node.key)
        glyphs = [
            ":" if node.folded and i == col else "*" if i == col else "|" for i in range(len(lanes))
        ]
        lines.append(_row(graph, node, " ".join(glyphs) + " ", color, width, marks or {}))
        if not node.parents and not node.folded and graph.parents(node.key):
            # History goes on below, out of the picture.
            lines.append(" ".join("~" if i == col else "|" for i in range(len(lanes))))
        new_lanes = list(dict.fromkeys([*lanes[:col], *node.parents, *lanes[col + 1 :]]))
        edges = [(i, new_lanes.index(key)) for i, key in enumerate(lanes) if i != col]
        edges += [(col, new_lanes.index(parent)) for parent in node.parents]
        lines.extend(_transition(edges))
        lanes = new_lanes
    return lines


def _transition(edges: list[tuple[int, int]]) -> list[str]:
    """Rows that move each lane one column per row toward its new column."""
    rows = []
    while any(here != there for here, there in edges):
        cells: dict[int, str] = {}
        moved = []
        for here, there in edges:
            if here == there:
                spot, glyph, nxt = 2 * here, "|", here
            elif there < here:
                spot, glyph, nxt = 2 * here - 1, "/", here - 1
            else:
                spot, glyph, nxt = 2 * here + 1, "\\", here + 1
            cells[spot] = glyph if cells.get(spot, glyph) == glyph else "X"
            moved.append((nxt, there))
        edges = moved
        rows.append("".join(cells.get(i, " ") for i in range(max(cells) + 1)))
    return rows


def tags(graph: Graph, rev: str) -> list[str]:
    file = graph.revisions[rev]
    found = []
    if not graph.children[rev]:
        found.append("head")
    if len(graph.children[rev]) > 1:
        found.append("branchpoint")
    if len(file.down_revision) > 1:
        found.append("mergepoint")
    if file.branch_labels:
        found.append("branch: " + ", ".join(file.branch_labels))
    return found


def _row(
    graph: Graph, node: Node, prefix: str, color: bool, width: int, marks: Mapping[str, str]
) -> str:
    if node.folded:
        text = f"... {len(node.revisions)} more revisions"
        return prefix + _paint(text, _ELIDED, color)
    rev = node.key
    found = [marks[rev]] if rev in marks else []
    found += tags(graph, rev)
    plain = prefix + rev + (f" ({', '.join(found)})" if found else "")
    message = graph.revisions[rev].message
    room = width - len(plain) - 1
    if message and room < len(message):
        message = message[: room - 3].rstrip() + "..." if room > 3 else ""
    painted = [
        _paint(
            tag, _HEAD if tag == "head" else _LABEL if tag.startswith("branch:") else _TAG, color
        )
        for tag in found
    ]
    line = prefix + _paint(rev, _ID, color) + (f" ({', '.join(painted)})" if found else "")
    return line + (f" {message}" if message else "")


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color else text


# -- Mermaid and DOT -------------------------------------------------------


def mermaid(graph: Graph, shown: View) -> str:
    """A Mermaid flowchart, heads on top, each revision pointing at its parents."""
    ids = {node.key: f"n{index}" for index, node in enumerate(shown.nodes)}
    lines = ["flowchart TD"]
    for node in shown.nodes:
        if node.folded:
            lines.append(f'    {ids[node.key]}(["{len(node.revisions)} more revisions"])')
        else:
            label = _mermaid_text(_title(graph, node.key))
            message = graph.revisions[node.key].message
            if message:
                label += "<br/>" + _mermaid_text(message)
            lines.append(f'    {ids[node.key]}["{label}"]')
    for node in shown.nodes:
        lines.extend(f"    {ids[node.key]} --> {ids[parent]}" for parent in node.parents)
    heads = [
        ids[node.key] for node in shown.nodes if not node.folded and not graph.children[node.key]
    ]
    if heads:
        lines.append("    classDef head stroke-width:3px,stroke:#c00")
        lines.append(f"    class {','.join(heads)} head")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label: markup and quotes as entity codes."""
    return re.sub(r"[^\w .,:;()/+=@-]", lambda m: f"#{ord(m.group())};", text)


def dot(graph: Graph, shown: View) -> str:
    """A Graphviz digraph, heads on top, each revision pointing at its parents."""
    lines = ["digraph alembic {", '    node [shape=box, fontname="monospace"];']
    for node in shown.nodes:
        name = _dot_text(node.key)
        if node.folded:
            label = f"{len(node.revisions)} more revisions"
            lines.append(f'    "{name}" [label="{label}", shape=plaintext];')
            continue
        label = _dot_text(_title(graph, node.key))
        message = graph.revisions[node.key].message
        if message:
            label += "\\n" + _dot_text(message)
        extra = ", penwidth=3" if not graph.children[node.key] else ""
        lines.append(f'    "{name}" [label="{label}"{extra}];')
    for node in shown.nodes:
        lines.extend(
            f'    "{_dot_text(node.key)}" -> "{_dot_text(parent)}";' for parent in node.parents
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _title(graph: Graph, rev: str) -> str:
    found = tags(graph, rev)
    return rev + (f" ({', '.join(found)})" if found else "")


# -- colour -----------------------------------------------------------------


def wants_color(choice: str, stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """``--color``: ``always``/``never`` as said; ``auto`` on a terminal without NO_COLOR."""
    if choice != "auto":
        return choice == "always"
    if environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    return stream.isatty()
