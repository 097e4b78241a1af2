"""The drawings: exact pictures of small shapes, snapshots of every corpus and
two-head moment, and Mermaid and DOT output checked by the real parsers."""

from __future__ import annotations

import io
import os
import pty
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from alembic_heads import drawing
from alembic_heads.graph import Graph, divergence
from helpers import (
    CORPUS_NAMES,
    MOMENTS,
    Rev,
    assert_snapshot,
    before_merge,
    graph_of,
    revs_from_corpus,
)

MERMAID = Path(__file__).parent / "mermaid"


def picture(graph: Graph, shown: drawing.View, width: int = 80) -> str:
    return "\n".join(drawing.draw(graph, shown, width=width))


def whole(graph: Graph, fold: bool = True) -> str:
    return picture(graph, drawing.view(graph, graph.revisions, graph.heads, fold))


def chain(prefix: str, count: int, down: str | None) -> list[Rev]:
    revs = []
    for number in range(1, count + 1):
        revs.append(Rev(f"{prefix}{number}", down, f"step {number}"))
        down = revs[-1].revision
    return revs


def test_two_branches_from_one_revision() -> None:
    graph = graph_of(
        [
            Rev("c", None, "create users"),
            Rev("d", "c", "add email"),
            Rev("e", "c", "add orders"),
            Rev("f", "e", "add prices"),
        ]
    )

    assert picture(graph, drawing.divergence_view(graph, divergence(graph, ["d", "f"]))) == (
        "* d (head) add email\n"
        "| * f (head) add prices\n"
        "| * e add orders\n"
        "|/\n"
        "* c (branchpoint) create users"
    )


def test_merge_and_labels() -> None:
    graph = graph_of(
        [
            Rev("a", None, "base", branch_labels="core"),
            Rev("b", "a", "one side"),
            Rev("c", "a", "other side"),
            Rev("m", ("b", "c"), "merge b and c"),
            Rev("n", "m", "after"),
        ]
    )

    assert whole(graph) == (
        "* n (head) after\n"
        "* m (mergepoint) merge b and c\n"
        "|\\\n"
        "| * c other side\n"
        "* | b one side\n"
        "|/\n"
        "* a (branchpoint, branch: core) base"
    )


def test_a_long_run_is_folded_and_counted() -> None:
    graph = graph_of(chain("r", 10, None))

    assert whole(graph) == (
        "* r10 (head) step 10\n* r9 step 9\n: ... 6 more revisions\n* r2 step 2\n* r1 step 1"
    )
    assert whole(graph, fold=False).count("\n") == 9
    folded = drawing.view(graph, graph.revisions, graph.heads)
    assert [node.revisions for node in folded.nodes][2] == tuple(f"r{n}" for n in range(8, 2, -1))


def test_three_heads_and_a_lane_that_moves_across_another() -> None:
    graph = graph_of(
        [
            Rev("a", None, "base"),
            Rev("b", "a"),
            Rev("c", "a"),
            Rev("x", "b"),
            Rev("y", "c"),
            Rev("z", "b"),
        ]
    )

    assert picture(graph, drawing.divergence_view(graph, divergence(graph, ["x", "y", "z"]))) == (
        "* x (head)\n"
        "| * y (head)\n"
        "| * c\n"
        "| | * z (head)\n"
        "| |/\n"
        "|/|\n"
        "* | b (branchpoint)\n"
        "|/\n"
        "* a (branchpoint) base"
    )


def test_branches_from_separate_bases() -> None:
    graph = graph_of([Rev("a", None, "first base"), Rev("b", None, "second base")])

    assert picture(graph, drawing.divergence_view(graph, divergence(graph, ["a", "b"]))) == (
        "* a (head) first base\n* b (head) second base"
    )


def test_a_branch_that_merged_an_older_revision_shows_where_it_starts() -> None:
    graph = graph_of(
        [
            Rev("a", None),
            Rev("b", "a"),
            Rev("x", "b"),
            Rev("c", "a"),
            Rev("m", ("b", "c")),
        ]
    )

    assert picture(graph, drawing.divergence_view(graph, divergence(graph, ["x", "m"]))) == (
        "* x (head)\n"
        "| * m (head, mergepoint)\n"
        "|/|\n"
        "| * c\n"
        "* | b (branchpoint)\n"
        "|/\n"
        "* a (branchpoint)"
    )


def test_crossing_lanes_are_marked() -> None:
    graph = graph_of(
        [Rev("r0", None), Rev("r1", "r0"), Rev("r2", ("r1", "r0")), Rev("r3", ("r2", "r1"))]
    )

    assert whole(graph) == (
        "* r3 (head, mergepoint)\n"
        "|\\\n"
        "* | r2 (mergepoint)\n"
        "|X\n"
        "* | r1 (branchpoint)\n"
        "|/\n"
        "* r0 (branchpoint)"
    )


def test_long_messages_are_cut_to_the_width() -> None:
    graph = graph_of([Rev("a1b2c3", None, "word " * 30)])

    line = picture(graph, drawing.view(graph, ["a1b2c3"]), width=40)

    assert line == "* a1b2c3 (head) word word word word w..."
    assert len(line) == 40
    assert picture(graph, drawing.view(graph, ["a1b2c3"]), width=18) == "* a1b2c3 (head)"


def test_colour_only_when_asked() -> None:
    graph = graph_of([Rev("a", None, "base", branch_labels="core"), Rev("b", "a", "next")])
    shown = drawing.view(graph, graph.revisions)

    assert "\033[" not in "".join(drawing.draw(graph, shown))
    assert drawing.draw(graph, shown, color=True) == [
        "* \033[33mb\033[0m (\033[1;31mhead\033[0m) next",
        "* \033[33ma\033[0m (\033[1;32mbranch: core\033[0m) base",
    ]
    long = graph_of(chain("r", 6, None))
    folded = drawing.draw(long, drawing.view(long, long.revisions), color=True)
    assert folded[2] == ": \033[2m... 2 more revisions\033[0m"


@pytest.fixture
def terminal() -> Iterator[io.TextIOWrapper]:
    leader, follower = pty.openpty()
    with open(follower, "w") as stream:
        yield stream
    os.close(leader)


@pytest.mark.parametrize(
    ("choice", "environ", "expected"),
    [
        ("auto", {}, True),
        ("auto", {"NO_COLOR": "1"}, False),
        ("auto", {"NO_COLOR": ""}, True),
        ("auto", {"TERM": "dumb"}, False),
        ("never", {}, False),
        ("always", {"NO_COLOR": "1"}, True),
    ],
)
def test_wants_color_on_a_terminal(
    terminal: io.TextIOWrapper, choice: str, environ: dict[str, str], expected: bool
) -> None:
    assert drawing.wants_color(choice, terminal, environ) is expected


def test_no_colour_when_not_a_terminal() -> None:
    assert drawing.wants_color("auto", io.StringIO(), {}) is False
    assert drawing.wants_color("always", io.StringIO(), {}) is True


# -- every corpus and every two-head moment ---------------------------------


def moment_graph(name: str, index: int) -> Graph:
    return graph_of(before_merge(name, index))


def counted(lines: list[str]) -> list[str]:
    """The revisions a drawing names, one entry per revision (folded ones as "...")."""
    names = []
    for line in lines:
        width = 0
        while line[width : width + 2] in ("| ", "* ", ": "):
            width += 2
        glyphs, text = line[:width], line[width:]
        folded = re.fullmatch(r"\.\.\. (\d+) more revisions", text)
        if ":" in glyphs and folded:
            names += ["..."] * int(folded[1])
        elif "*" in glyphs:
            names.append(text.split()[0])
    return names


@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_corpus_drawing(name: str) -> None:
    graph = graph_of(revs_from_corpus(name))
    shown = drawing.view(graph, graph.revisions, graph.heads)
    lines = drawing.draw(graph, shown)

    assert sorted(shown.revisions) == sorted(graph.revisions)
    assert len(counted(lines)) == len(graph.revisions)
    assert max(len(line) for line in lines) <= 80
    assert_snapshot(f"graph-{name}.txt", "\n".join(lines) + "\n")
    assert_snapshot(f"graph-{name}.mmd", drawing.mermaid(graph, shown))
    assert_snapshot(f"graph-{name}.dot", drawing.dot(graph, shown))


@pytest.mark.parametrize(("name", "index"), MOMENTS)
def test_two_head_moment_drawing_shows_or_counts_every_revision(name: str, index: int) -> None:
    graph = moment_graph(name, index)
    shown = drawing.divergence_view(graph, divergence(graph, graph.heads))
    lines = drawing.draw(graph, shown, width=74)

    branches = set().union(*divergence(graph, graph.heads).branches)
    starts = {parent for rev in branches for parent in graph.parents(rev)}
    assert sorted(shown.revisions) == sorted(branches | starts)
    assert sorted(name for name in counted(lines) if name != "...") == sorted(
        node.key for node in shown.nodes if not node.folded
    )
    assert len(counted(lines)) == len(branches | starts)
    assert max(len(line) for line in lines) <= 74
    assert_snapshot(f"heads-{name}-{index}.txt", "\n".join(lines) + "\n")


# -- the real parsers -------------------------------------------------------


def sample_graphs() -> dict[str, tuple[Graph, drawing.View]]:
    samples = {}
    for name in CORPUS_NAMES:
        graph = graph_of(revs_from_corpus(name))
        samples[name] = (graph, drawing.view(graph, graph.revisions, graph.heads))
    for name, index in MOMENTS:
        graph = moment_graph(name, index)
        samples[f"{name}-{index}"] = (
            graph,
            drawing.divergence_view(graph, divergence(graph, graph.heads)),
        )
    awkward = graph_of(
        [
            Rev("end", None, 'say "hi" <b>bold</b> & #35; `code` \\ ; {x} [y] é'),
            Rev("graph", "end", "subgraph click style --> -- x"),
            Rev("a-b.c", "end", "%% not a comment", branch_labels=("x y", 'q"t')),
            Rev("m", ("graph", "a-b.c"), ""),
        ]
    )
    samples["awkward"] = (awkward, drawing.view(awkward, awkward.revisions))
    empty = graph_of([])
    samples["empty"] = (empty, drawing.view(empty, []))
    return samples


@pytest.fixture(scope="session")
def mermaid_parser() -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed to run Mermaid's parser (install Node.js)")
    if not (MERMAID / "node_modules" / "mermaid").is_dir():
        installed = subprocess.run(
            ["npm", "ci", "--prefix", str(MERMAID), "--no-audit", "--no-fund"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert installed.returncode == 0, installed.stderr
    return MERMAID / "parse.mjs"


def test_mermaid_parser_accepts_every_drawing(mermaid_parser: Path, tmp_path: Path) -> None:
    files = []
    for name, (graph, shown) in sample_graphs().items():
        files.append(tmp_path / f"{name}.mmd")
        files[-1].write_text(drawing.mermaid(graph, shown))
    (tmp_path / "broken.mmd").write_text('flowchart TD\n    n0["say "hi"] --> n1\n')

    result = subprocess.run(
        ["node", str(mermaid_parser), *map(str, files), str(tmp_path / "broken.mmd")],
        capture_output=True,
        text=True,
        check=False,
    )

    lines = result.stdout.splitlines()
    assert lines[: len(files)] == [f"ok flowchart-v2 {file}" for file in files]
    assert lines[len(files)] == f"error {tmp_path / 'broken.mmd'}: Parse error on line 2:"
    assert result.returncode == 1


def test_graphviz_accepts_every_drawing(tmp_path: Path) -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is needed (apt-get install -y graphviz)")
    for name, (graph, shown) in sample_graphs().items():
        source = drawing.dot(graph, shown)
        result = subprocess.run(
            ["dot", "-Tcanon"], input=source, capture_output=True, text=True, check=False
        )
        assert (name, result.returncode, result.stderr) == (name, 0, "")
        nodes = [node for node in shown.nodes]
        assert result.stdout.count("label=") >= len(nodes)
