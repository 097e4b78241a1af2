"""Random graphs, written as real files: our graph equals Alembic's."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alembic_heads.graph import build_graph
from alembic_heads.revision_file import RevisionFile
from helpers import STYLES, Rev, alembic_answer, our_answer, run_cli, write_project


@st.composite
def histories(draw: st.DrawFn) -> list[Rev]:
    """Acyclic histories with several bases, branches, merges, labels and depends_on."""
    count = draw(st.integers(1, 14))
    revs: list[Rev] = []
    labels = iter(["expand", "contract", "data", "audit"])
    for index in range(count):
        rev_id = f"r{index:02d}x"
        earlier = [r.revision for r in revs]
        parents = (
            draw(st.lists(st.sampled_from(earlier), max_size=3, unique=True)) if earlier else []
        )
        linear = draw(st.booleans())
        if earlier and linear:
            parents = parents[:1] or [earlier[-1]]
        down: str | tuple[str, ...] | None = (
            None if not parents else parents[0] if len(parents) == 1 else tuple(parents)
        )
        depends = (
            draw(st.lists(st.sampled_from(earlier), max_size=2, unique=True))
            if earlier and draw(st.integers(0, 4)) == 0
            else []
        )
        label = next(labels, None) if draw(st.integers(0, 5)) == 0 else None
        revs.append(
            Rev(
                rev_id,
                down,
                f"change {index}",
                branch_labels=label,
                depends_on=tuple(depends) or None,
            )
        )
    return revs


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(histories(), st.sampled_from(STYLES), st.sampled_from(["'", '"']))
def test_random_graphs_match_alembic(revs: list[Rev], style: str, quote: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_project(root, revs, style, quote)

        assert our_answer(root) == alembic_answer(root)


def test_topological_order_puts_parents_first() -> None:
    graph = build_graph(
        [
            RevisionFile("c.py", "c", ("a", "b")),
            RevisionFile("b.py", "b", ("a",)),
            RevisionFile("a.py", "a", ()),
        ]
    )

    assert graph.topological(["c", "b", "a"]) == ["a", "b", "c"]
    assert graph.branchpoints == ["a"]
    assert graph.mergepoints == ["c"]


def test_depends_on_a_descendant_loads_as_in_alembic(tmp_path: Path) -> None:
    """a depends on its own descendant b: a cycle through depends_on that
    Alembic's ``_detect_cycles`` lets pass (every revision is reached from the
    heads and from the bases); ``alembic upgrade`` runs c, a, b, d."""
    revs = [Rev("c", None), Rev("a", "c", depends_on="b"), Rev("b", "a"), Rev("d", "b")]
    write_project(tmp_path, revs)

    assert alembic_answer(tmp_path)["heads"] == ["d"]
    assert our_answer(tmp_path)["heads"] == ["d"]
    assert run_cli(["check"], tmp_path).code == 0


@st.composite
def cyclic_graphs(draw: st.DrawFn) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """Small graphs whose edges point anywhere: cycles of every shape."""
    ids = ["a", "b", "c", "d"][: draw(st.integers(1, 4))]
    return [
        (
            rev,
            tuple(draw(st.lists(st.sampled_from(ids), max_size=2, unique=True))),
            tuple(draw(st.lists(st.sampled_from(ids), max_size=1))),
        )
        for rev in ids
    ]


@settings(max_examples=400, deadline=None, derandomize=True)
@given(cyclic_graphs())
def test_cycles_are_refused_exactly_when_alembic_refuses_them(
    revs: list[tuple[str, tuple[str, ...], tuple[str, ...]]],
) -> None:
    from alembic.script.revision import Revision, RevisionMap

    try:
        alembic = sorted(
            RevisionMap(
                lambda: [Revision(r, d or None, dependencies=p or None) for r, d, p in revs]
            ).heads
        )
    except Exception as error:  # CycleDetected, DependencyCycleDetected, LoopDetected...
        alembic = [type(error).__name__]
    graph = build_graph(RevisionFile(f"{r}.py", r, d, (), p) for r, d, p in revs)

    refused = any(finding.code == "cycle" for finding in graph.findings)
    assert refused == ("Cycle" in alembic[0] or "Loop" in alembic[0] if alembic else False)
    if not refused:
        assert sorted(graph.heads) == alembic
