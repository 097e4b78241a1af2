"""Inputs found by review that once gave a traceback, a wrong answer or an unsafe
write: each now matches Alembic, or ends in one clear line."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from helpers import (
    PYTHON,
    Rev,
    alembic_answer,
    commit_all,
    committed_project,
    git,
    our_answer,
    run,
    run_cli,
    write_project,
    write_revision,
)

TWO_HEADS = [Rev("aaaa", None, "a"), Rev("bbbb", "aaaa", "b"), Rev("cccc", "aaaa", "c")]


def test_sections_sharing_a_script_location_are_one_graph(tmp_path: Path) -> None:
    write_project(tmp_path, TWO_HEADS, ini_extra="\n[test]\nscript_location = %(here)s\n")

    check = run_cli(["check"], tmp_path)
    merge = run_cli(["merge", "--rev-id", "m1"], tmp_path)

    assert check.out.count("Multiple head revisions are present") == 1
    assert merge.out == "Writing versions/m1_merge_bbbb_and_cccc.py\n"
    assert alembic_answer(tmp_path)["heads"] == ["m1"]


def test_script_location_in_default_is_not_a_section_of_its_own(tmp_path: Path) -> None:
    write_project(tmp_path, TWO_HEADS)
    ini = tmp_path / "alembic.ini"
    ini.write_text("[DEFAULT]\nscript_location = %(here)s\n\n[alembic]\n\n[loggers]\nkeys = root\n")

    result = run_cli(["check"], tmp_path)

    assert result.out.count("Multiple head revisions are present") == 1
    assert result.out.startswith("alembic.ini: ")


def test_head_file_shared_by_two_graphs_is_refused(tmp_path: Path) -> None:
    write_project(tmp_path, [])
    write_revision(tmp_path / "one", Rev("a1", None))
    write_revision(tmp_path / "two", Rev("b1", None))
    (tmp_path / "alembic.ini").write_text(
        "[db1]\nscript_location = %(here)s\nversion_locations = %(here)s/one\n"
        "path_separator = os\n\n"
        "[db2]\nscript_location = %(here)s\nversion_locations = %(here)s/two\n"
        "path_separator = os\n"
    )

    result = run_cli(["head-file"], tmp_path)

    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "alembic-heads: head.txt would record the heads of several graphs: "
        "choose one with -n SECTION\n"
    )
    assert run_cli(["head-file", "-n", "db1"], tmp_path).code == 1
    assert (tmp_path / "head.txt").read_text().endswith("\na1\n")


def test_symbolic_links_are_judged_by_their_target_as_alembic_does(tmp_path: Path) -> None:
    write_project(tmp_path, TWO_HEADS[:2])
    versions = tmp_path / "versions"
    (versions / "dangling.py").symlink_to(tmp_path / "nowhere")
    (tmp_path / "notes.txt").write_text("revision = 'zzzz'\ndown_revision = None\n")
    (versions / "notes.py").symlink_to(tmp_path / "notes.txt")
    real = write_revision(tmp_path, Rev("cccc", "bbbb", "linked"))
    (versions / "linked.txt").symlink_to(real)

    ours = our_answer(tmp_path)

    assert ours == alembic_answer(tmp_path)
    assert ours["heads"] == ["cccc"]
    assert run_cli(["check"], tmp_path).code == 0
    (versions / "loop.py").symlink_to(versions / "loop.py")
    (versions / "gone.py").symlink_to(tmp_path / "gone.py")
    broken = run_cli(["check"], tmp_path)
    assert (broken.code, broken.err) == (1, "")
    assert broken.out == (
        "versions/gone.py:1: cannot read: No such file or directory\n"
        "versions/loop.py:1: cannot read: Too many levels of symbolic links\n"
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("alembic.ini", b"[alembic]\nscript_location = .\n# caf\xe9\n", "alembic.ini: 'utf-8'"),
        ("pyproject.toml", b"tool = 1\n", "pyproject.toml: [tool.alembic] must be a table"),
        ("pyproject.toml", b"# caf\xe9\n", "pyproject.toml: cannot read: 'utf-8' codec"),
    ],
)
def test_undecodable_or_odd_configuration_is_one_line(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    write_project(tmp_path / "db", TWO_HEADS)
    (tmp_path / name).write_bytes(content)

    result = run_cli(["check"], tmp_path)

    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(f"alembic-heads: {message}")
    assert len(result.err.splitlines()) == 1


def test_an_undecodable_ini_beside_another_env_is_passed_over(tmp_path: Path) -> None:
    write_project(tmp_path / "a", TWO_HEADS)
    write_project(tmp_path / "b", TWO_HEADS[:2])
    (tmp_path / "b" / "alembic.ini").write_bytes(b"[alembic]\n# caf\xe9\n")

    result = run_cli(["check"], tmp_path)

    assert result.code == 1
    assert result.out.startswith("a/alembic.ini: Multiple head revisions are present")


def test_merge_that_cannot_write_or_read_its_template_options(tmp_path: Path) -> None:
    write_project(tmp_path / "blocked", TWO_HEADS, ini_extra="file_template = sub/%%(rev)s\n")
    (tmp_path / "blocked" / "versions" / "sub").write_text("a file where a folder should be\n")
    write_project(tmp_path / "bad", TWO_HEADS, ini_extra="file_template = %(rev)s_%(nope)s\n")

    blocked = run_cli(["merge", "--rev-id", "m1"], tmp_path / "blocked")
    bad = run_cli(["merge", "--rev-id", "m1"], tmp_path / "bad")

    assert (blocked.code, blocked.out) == (2, "")
    assert blocked.err.startswith("alembic-heads: cannot write ")
    assert (bad.code, bad.out) == (2, "")
    assert bad.err.startswith("alembic-heads: alembic.ini: Bad value substitution")
    assert "Traceback" not in blocked.err + bad.err


def test_rebase_refuses_to_replace_a_linked_file(tmp_path: Path) -> None:
    root = committed_project(tmp_path, TWO_HEADS[:2], "a, b")
    git(root, "checkout", "-q", "-b", "feature")
    store = root / "store"
    real = write_revision(store, Rev("dddd", "aaaa", "mine"))
    (root / "versions" / "dddd_mine.py").symlink_to(real)
    commit_all(root, "d, linked")
    before = real.read_bytes()

    result = run_cli(["rebase", "--base", "master"], root)

    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("alembic-heads: cannot rewrite versions/dddd_mine.py: ")
    assert "is a link" in result.err
    assert real.read_bytes() == before
    assert (root / "versions" / "dddd_mine.py").is_symlink()


@pytest.mark.parametrize("source", ["x = " + "-" * 300_000 + "1\n", "x = a" + ".b" * 100_000])
def test_too_deep_for_the_parser_is_a_finding(tmp_path: Path, source: str) -> None:
    write_project(tmp_path, TWO_HEADS[:2])
    (tmp_path / "versions" / "deep.py").write_text(
        f"revision = 'dddd'\ndown_revision = 'bbbb'\n{source}"
    )

    result = run_cli(["check"], tmp_path)

    assert result.code == 1
    assert result.out == (
        "versions/deep.py:1: syntax error: too deeply nested for Python's parser\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        'revision = "dddd"\ndown_revision = "bbbb"\n\fdepends_on = "bbbb"\n',
        '# c\rrevision = "dddd"\rdown_revision = "bbbb"\r',
        'revision = "dddd"\ndown_revision = "bbbb"\n\uff44epends_on = "bbbb"\n',
        "revision = 'dddd'\ndown_revision = ('bbbb')\nbranch_labels = ('x,y')\n",
    ],
)
def test_lines_python_reads_differently_match_alembic(tmp_path: Path, text: str) -> None:
    write_project(tmp_path, TWO_HEADS[:2])
    (tmp_path / "versions" / "dddd_odd.py").write_bytes(text.encode())

    assert our_answer(tmp_path) == alembic_answer(tmp_path)


def test_against_a_tree_is_refused(tmp_path: Path) -> None:
    root = committed_project(tmp_path, TWO_HEADS[:2], "a, b")

    result = run_cli(["check", "--against", "HEAD:versions"], root)

    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("alembic-heads: cannot read HEAD:versions from git")


def test_a_closed_pipe_is_not_a_traceback(tmp_path: Path) -> None:
    revs = [Rev(f"r{i:03d}", None, f"base {i}") for i in range(300)]
    write_project(tmp_path, revs)

    shell = subprocess.run(
        f"{PYTHON} -m alembic_heads check | head -1",
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )

    assert shell.stdout.startswith("alembic.ini: Multiple head revisions are present: 300 heads")
    assert "Traceback" not in shell.stderr
    assert run([PYTHON, "-m", "alembic_heads", "check"], tmp_path).returncode == 1
