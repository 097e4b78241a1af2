"""``alembic-heads graph``: the whole history or a part of it, in three formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import Rev, run_cli, write_project

HISTORY = [
    Rev("a1", None, "create users", branch_labels="core"),
    Rev("b2", "a1", "add email"),
    Rev("c3", "b2", "add orders"),
    Rev("c4", "b2", "add prices"),
    Rev("d5", "c4", "add discounts"),
    Rev("e6", "d5", "add taxes"),
    Rev("f7", "e6", "add refunds"),
    Rev("g8", "f7", "add coupons"),
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path, HISTORY)


def test_whole_history_folds_long_runs(project: Path) -> None:
    result = run_cli(["graph"], project)

    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "* c3 (head) add orders\n"
        "| * g8 (head) add coupons\n"
        "| * f7 add refunds\n"
        "| : ... 2 more revisions\n"
        "| * c4 add prices\n"
        "|/\n"
        "* b2 (branchpoint) add email\n"
        "* a1 (branch: core) create users\n"
    )
    assert run_cli(["graph", "--full"], project).out.count("\n") == 9


def test_since_a_revision_its_start_or_a_branch_label(project: Path) -> None:
    expected = "* g8 (head) add coupons\n* f7 add refunds\n* e6 add taxes\n~\n"

    assert run_cli(["graph", "--since", "e6"], project).out == expected
    assert run_cli(["graph", "--since", "core"], project).out == run_cli(["graph"], project).out
    # As Alembic resolves it: the start of the label core (an id of 3 characters or fewer
    # is never matched by its start)
    assert run_cli(["graph", "--since", "c"], project).out == run_cli(["graph"], project).out
    assert run_cli(["graph", "--since", "base"], project).out == run_cli(["graph"], project).out


SHORT = "give at least four characters of a revision id"


@pytest.mark.parametrize(
    ("since", "message"),
    [
        ("e", "--since e: no such revision or branch 'e'; " + SHORT),
        ("zz", "--since zz: no such revision or branch 'zz'; " + SHORT),
        ("", "--since : no such revision or branch ''; " + SHORT),
    ],
)
def test_since_an_unknown_revision(project: Path, since: str, message: str) -> None:
    result = run_cli(["graph", "--since", since], project)

    assert (result.code, result.out, result.err) == (2, "", f"alembic-heads: {message}\n")


def test_around_the_heads(project: Path) -> None:
    assert run_cli(["graph", "--heads"], project).out == (
        "* c3 (head) add orders\n"
        "| * g8 (head) add coupons\n"
        "| * f7 add refunds\n"
        "| : ... 2 more revisions\n"
        "| * c4 add prices\n"
        "|/\n"
        "* b2 (branchpoint) add email\n"
        "~\n"
    )
    (project / "versions" / "c3_add_orders.py").unlink()
    assert run_cli(["graph", "--heads"], project).out == "* g8 (head) add coupons\n~\n"


def test_mermaid(project: Path) -> None:
    result = run_cli(["graph", "--format", "mermaid", "--since", "d5"], project)

    assert result.out == (
        "flowchart TD\n"
        '    n0["g8 (head)<br/>add coupons"]\n'
        '    n1["f7<br/>add refunds"]\n'
        '    n2["e6<br/>add taxes"]\n'
        '    n3["d5<br/>add discounts"]\n'
        "    n0 --> n1\n"
        "    n1 --> n2\n"
        "    n2 --> n3\n"
        "    classDef head stroke-width:3px,stroke:#c00\n"
        "    class n0 head\n"
    )


def test_dot(project: Path) -> None:
    result = run_cli(["graph", "--format", "dot", "--since", "f7"], project)

    assert result.out == (
        "digraph alembic {\n"
        '    node [shape=box, fontname="monospace"];\n'
        '    "g8" [label="g8 (head)\\nadd coupons", penwidth=3];\n'
        '    "f7" [label="f7\\nadd refunds"];\n'
        '    "g8" -> "f7";\n'
        "}\n"
    )


def test_several_graphs(tmp_path: Path) -> None:
    for app in ("one", "two"):
        write_project(tmp_path / app, HISTORY[:2], ini=False)

    assert run_cli(["graph"], tmp_path).out == (
        "one/versions:\n* b2 (head) add email\n* a1 (branch: core) create users\n\n"
        "two/versions:\n* b2 (head) add email\n* a1 (branch: core) create users\n"
    )
    result = run_cli(["graph", "--format", "mermaid"], tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "alembic-heads: 2 revision graphs found (one/versions, two/versions): mermaid draws "
        "one, choose it with -c, -n or its versions folder\n"
    )
    assert run_cli(["graph", "--format", "dot", "two/versions"], tmp_path).code == 0


def test_a_graph_alembic_could_not_load_is_reported_not_drawn(project: Path) -> None:
    write_project(project, [Rev("h9", "nope", "orphan")])

    result = run_cli(["graph"], project)

    assert result.code == 1
    assert result.out.startswith(
        "versions/h9_orphan.py:14: down_revision 'nope' of revision h9 names a revision "
        "that does not exist\n"
    )


def test_listed_in_the_help() -> None:
    result = run_cli(["--help"], Path.cwd())

    assert "  graph      draw a revision graph (text, Mermaid or Graphviz DOT)" in result.out


def test_an_empty_history(tmp_path: Path) -> None:
    write_project(tmp_path, [])

    assert run_cli(["graph"], tmp_path).out == ""
    assert run_cli(["graph", "--format", "mermaid"], tmp_path).out == "flowchart TD\n"
    assert run_cli(["graph", "--format", "dot"], tmp_path).out == (
        'digraph alembic {\n    node [shape=box, fontname="monospace"];\n}\n'
    )
