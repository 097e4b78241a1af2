"""The Python API: the hook's check as data, or as an exception carrying its report."""

from __future__ import annotations

from pathlib import Path

import pytest

import alembic_heads
from alembic_heads import (
    GraphResult,
    HeadsCheckFailed,
    HeadsResult,
    UsageError,
    assert_single_head,
    check_heads,
)
from helpers import (
    PYTHON,
    Rev,
    alembic_answer,
    committed_project,
    run,
    run_cli,
    write_project,
    write_revision,
)

ONE_HEAD = [Rev("a1", None, "create users"), Rev("b2", "a1", "add email")]
TWO_HEADS = [*ONE_HEAD, Rev("c3", "a1", "add phone")]


def test_one_head_is_ok_and_says_which(tmp_path: Path) -> None:
    write_project(tmp_path, ONE_HEAD)

    result = check_heads(tmp_path)

    assert result == HeadsResult((GraphResult("alembic.ini", ("b2",), (), ""),))
    assert result.ok
    assert result.report == ""
    assert assert_single_head(tmp_path) == result


def test_two_heads_fail_with_the_hooks_report(tmp_path: Path) -> None:
    write_project(tmp_path, TWO_HEADS)
    hook = run_cli(["check"], tmp_path)

    result = check_heads(tmp_path)
    with pytest.raises(HeadsCheckFailed) as raised:
        assert_single_head(tmp_path)

    assert hook.code == 1
    assert not result.ok
    assert result.graphs[0].heads == ("b2", "c3")
    assert result.report + "\n" == hook.out
    assert str(raised.value) == result.report
    assert raised.value.result == result
    assert isinstance(raised.value, AssertionError)


def test_a_config_file_is_read_as_alembic_c_in_its_folder(tmp_path: Path) -> None:
    write_project(tmp_path / "backend", TWO_HEADS)
    (tmp_path / "backend" / "alembic.ini").rename(tmp_path / "backend" / "db.ini")

    result = check_heads(tmp_path / "backend" / "db.ini")

    assert result.graphs[0].name == "db.ini"
    assert "alembic -c db.ini merge -m 'merge b2 and c3' b2 c3" in result.report
    assert check_heads(str(tmp_path / "backend" / "db.ini"), max_heads=2).ok


def test_without_configuration_every_versions_folder_beside_an_env_py(tmp_path: Path) -> None:
    write_project(tmp_path / "one", ONE_HEAD, ini=False)
    write_project(tmp_path / "two", TWO_HEADS, ini=False)

    result = check_heads(tmp_path)

    assert [(graph.name, graph.heads, graph.ok) for graph in result.graphs] == [
        ("one/versions", ("b2",), True),
        ("two/versions", ("b2", "c3"), False),
    ]
    assert result.report == result.graphs[1].report
    assert result.report.startswith("two/versions: Multiple head revisions are present: 2 heads")


def test_files_are_read_from_disk_as_alembic_reads_them(tmp_path: Path) -> None:
    committed_project(tmp_path, ONE_HEAD, "one head")
    write_revision(tmp_path / "versions", Rev("c3", "a1", "add phone"))  # not staged

    result = check_heads(tmp_path)

    assert run_cli(["check"], tmp_path).code == 0  # the commit holds one head
    assert sorted(result.graphs[0].heads) == alembic_answer(tmp_path)["heads"] == ["b2", "c3"]
    assert not result.ok


def test_a_file_alembic_could_not_load_fails_the_check(tmp_path: Path) -> None:
    write_project(tmp_path, [*ONE_HEAD, Rev("c3", "zz", "lost parent")])

    result = check_heads(tmp_path)

    (graph,) = result.graphs
    assert graph.heads == ("b2", "c3")
    assert [finding.code for finding in graph.findings] == ["missing-down-revision"]
    assert graph.report == run_cli(["check"], tmp_path).out.rstrip("\n")
    with pytest.raises(HeadsCheckFailed):
        assert_single_head(tmp_path)


def test_findings_come_in_the_order_of_the_report(tmp_path: Path) -> None:
    """The graph finds the duplicate label (z9) before the missing parent
    (a1): the findings, as the report, go by file and line."""
    revs = [Rev("b2", None, branch_labels="x"), Rev("z9", "b2", branch_labels="x")]
    write_project(tmp_path, [*revs, Rev("a1", "gone")])

    [graph] = check_heads(tmp_path).graphs

    assert [(f.path, f.code) for f in graph.findings] == [
        (str(tmp_path / "versions" / "a1_change.py"), "missing-down-revision"),
        (str(tmp_path / "versions" / "z9_change.py"), "duplicate-branch-label"),
    ]
    assert graph.report.index("a1_change.py") < graph.report.index("z9_change.py")


def test_nothing_to_check_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"nope: no such file or directory"):
        check_heads(tmp_path / "nope")
    with pytest.raises(UsageError, match=r"^no Alembic environment found in "):
        check_heads(tmp_path)


def test_importing_the_package_imports_neither_alembic_nor_sqlalchemy(tmp_path: Path) -> None:
    code = (
        "import sys, alembic_heads\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'sqlalchemy')))"
    )

    process = run([PYTHON, "-c", code], tmp_path)

    assert (process.stdout, process.stderr) == ("[]\n", "")
    assert set(alembic_heads.__all__) <= set(dir(alembic_heads))
