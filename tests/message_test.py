"""``alembic-heads message``: revisions whose message says nothing are flagged."""

from __future__ import annotations

import py_compile
from pathlib import Path

import pytest

from alembic_heads.message import meaningless
from helpers import (
    CORPUS_NAMES,
    PreCommit,
    Rev,
    commit_all,
    committed_project,
    corpus,
    init_repo,
    revs_from_corpus,
    run_cli,
    write_project,
    write_revision,
)

HINT = "    write what it changes in the docstring's first line, e.g. 'add users.email' "
HINT += "(`alembic revision -m` sets it)"
NO_DOCSTRING = "revision = 'h8'\ndown_revision = 'g7'\n\n\ndef upgrade():\n    pass\n"


def planted(root: Path) -> Path:
    """A history with every kind of message, and the five that say nothing."""
    write_project(
        root,
        [
            Rev("a1", None, "create users table"),
            Rev("b2", "a1", ""),
            Rev("c3", "b2", "empty message"),
            Rev("d4", "a1", "WIP."),
            Rev("e5", ("c3", "d4"), "merge"),
            Rev("f6", "e5", "merge"),
            Rev("g7", "f6", "text"),
        ],
    )
    (root / "versions" / "h8_.py").write_text(NO_DOCSTRING)
    return root


PLANTED = "\n".join(
    [
        "versions/b2_change.py:1: revision b2 has no message",
        HINT,
        "versions/c3_empty_message.py:1: revision c3 has the message 'empty message', "
        "Alembic's default when -m is left out",
        HINT,
        "versions/d4_WIP..py:1: revision d4 has the message 'WIP.', which does not say "
        "what it changes",
        HINT,
        "versions/f6_merge.py:1: revision f6 has the message 'merge', which does not say "
        "what it changes",
        HINT,
        "versions/h8_.py:1: revision h8 has no message",
        HINT,
        "",
    ]
)


@pytest.mark.parametrize(
    "message",
    ["add users.email", "text", "init", "Initial migration", "merge heads of x", "fix typo"],
)
def test_messages_that_say_something_pass(message: str) -> None:
    assert meaningless(message) is None


@pytest.mark.parametrize(
    "message",
    ["", " ", "...", "wip", "WIP", "Update", "auto_migration ", "  New   Migration!", "none"],
)
def test_messages_that_say_nothing_are_flagged(message: str) -> None:
    assert meaningless(message) is not None


def test_merge_is_a_message_for_a_merge_revision_only() -> None:
    assert meaningless("Merge heads", is_merge=True) is None
    assert meaningless("merge", is_merge=False) is not None
    assert meaningless("empty message", is_merge=True) is not None


def test_flags_exactly_the_planted_revisions(tmp_path: Path) -> None:
    result = run_cli(["message"], planted(tmp_path))

    assert (result.code, result.err) == (1, "")
    assert result.out == PLANTED


def test_a_merge_without_message_is_told_the_merge_message(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        [Rev("a1", None, "one"), Rev("b2", "a1", "two"), Rev("c3", "a1", "three")],
    )
    write_revision(tmp_path / "versions", Rev("m4", ("b2", "c3"), "empty message"))

    result = run_cli(["message"], tmp_path)

    assert result.out == (
        "versions/m4_empty_message.py:1: revision m4 has the message 'empty message', "
        "Alembic's default when -m is left out\n"
        "    write what it changes in the docstring's first line, e.g. 'merge b2 and c3' "
        "(`alembic merge -m` sets it)\n"
    )


def test_the_message_line_is_where_the_message_is(tmp_path: Path) -> None:
    write_project(tmp_path, [])
    (tmp_path / "versions" / "a1.py").write_text(
        '# a comment\n"""\n\n   wip\n\nRevision ID: a1\n"""\n'
        'revision = "a1"\ndown_revision = None\n'
    )

    result = run_cli(["message"], tmp_path)

    assert result.out.splitlines()[0] == (
        "versions/a1.py:4: revision a1 has the message 'wip', which does not say what it changes"
    )


def test_given_files_only_those_that_are_revision_files_are_checked(tmp_path: Path) -> None:
    planted(tmp_path)
    (tmp_path / "app.py").write_text("x = 1\n")

    result = run_cli(["message", "versions/c3_empty_message.py", "env.py", "app.py"], tmp_path)
    folder = run_cli(["message", "versions"], tmp_path)

    assert result.code == 1
    assert result.out.splitlines()[0].startswith("versions/c3_empty_message.py:1: revision c3 ")
    assert len(result.out.splitlines()) == 2
    assert folder.out == PLANTED


def test_only_non_revision_files_given_passes(tmp_path: Path) -> None:
    planted(tmp_path)

    result = run_cli(["message", "env.py"], tmp_path)

    assert (result.code, result.out, result.err) == (0, "", "")


def test_in_a_git_repository_only_files_a_commit_holds_are_checked(tmp_path: Path) -> None:
    committed_project(tmp_path, [Rev("a1", None, "create users")], "first")
    write_revision(tmp_path / "versions", Rev("b2", "a1", "wip"))

    assert run_cli(["message"], tmp_path).code == 0


def test_a_file_that_cannot_be_read_is_reported(tmp_path: Path) -> None:
    write_project(tmp_path, [Rev("a1", None, "create users")])
    broken = tmp_path / "versions" / "a1_create_users.py"
    source = broken.read_text() + "\ndef downgrade(:\n"
    broken.write_text(source)
    (tmp_path / "versions" / "b2_x.py").write_text("revision = 'b2'\n<<<<<<< HEAD\n")
    # Decodable as UTF-8, but Python (so Alembic's import) refuses the declared encoding.
    (tmp_path / "versions" / "c3_y.py").write_text(
        "# -*- coding: klingon -*-\nrevision = 'c3'\ndown_revision = 'a1'\n"
    )

    result = run_cli(["message"], tmp_path)

    assert result.code == 1
    assert result.out == (
        f"versions/a1_create_users.py:{source.count(chr(10))}: syntax error: invalid syntax\n"
        "versions/b2_x.py:2: unresolved merge conflict marker '<<<<<<<'\n"
        "    resolve the conflict in this file, then stage it\n"
        "versions/c3_y.py:1: syntax error: unknown encoding: klingon\n"
    )


def test_compiled_revisions_have_no_source_to_judge(tmp_path: Path) -> None:
    write_project(tmp_path, [Rev("a1", None, "wip")], ini_extra="sourceless = true\n")
    source = tmp_path / "versions" / "a1_wip.py"
    py_compile.compile(str(source), cfile=str(source) + "c", doraise=True)
    source.unlink()

    assert run_cli(["check"], tmp_path).code == 0  # the compiled file is the graph
    assert run_cli(["message"], tmp_path) == run_cli(["message", "versions"], tmp_path)
    assert run_cli(["message"], tmp_path).code == 0


def test_bad_usage_is_one_line_and_exit_2(tmp_path: Path) -> None:
    planted(tmp_path)
    missing = run_cli(["message", "nope.py"], tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = run_cli(["message"], empty)

    assert (missing.code, missing.out, missing.err) == (
        2,
        "",
        "alembic-heads: nope.py: no such file or directory\n",
    )
    assert nothing.code == 2
    assert nothing.err.startswith("alembic-heads: no Alembic environment found in ")
    assert len(nothing.err.splitlines()) == 1


@pytest.mark.parametrize("style", ["classic", "annotated"])
@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_on_real_histories_only_empty_message_is_flagged(
    tmp_path: Path, name: str, style: str
) -> None:
    revs = revs_from_corpus(name)
    write_project(tmp_path, revs, style, recursive=corpus(name)["recursive_version_locations"])

    result = run_cli(["message"], tmp_path)

    flagged = {line.split(": revision ")[1].split()[0] for line in result.out.splitlines()[::2]}
    assert flagged == {rev.revision for rev in revs if rev.doc == "empty message"}
    assert result.code == (1 if flagged else 0)


@pytest.mark.slow
def test_real_pre_commit_flags_exactly_the_planted_revisions(
    tmp_path: Path, pre_commit: PreCommit
) -> None:
    project = planted(init_repo(tmp_path))
    (project / "app.py").write_text('"""wip"""\n')
    commit_all(project, "history")

    result = pre_commit(project, ["alembic-message"])

    assert result.returncode == 1, result.stdout + result.stderr
    assert "alembic revision messages" in result.stdout
    assert "- hook id: alembic-message\n- exit code: 1\n\n" + PLANTED in result.stdout


def test_thousands_of_given_files_are_matched_by_lookup(tmp_path: Path) -> None:
    """pre-commit passes every staged Python file: 1,000 revisions and 3,000 other
    files once took 33 s (a scan per pair); each file is now a set lookup."""
    revs = [Rev(f"r{i:04d}", f"r{i - 1:04d}" if i else None, f"change {i}") for i in range(1000)]
    revs[500] = Rev("r0500", "r0499", "wip")
    write_project(tmp_path, revs)
    for i in range(3000):
        package = tmp_path / "app" / f"pkg{i % 30}"
        package.mkdir(parents=True, exist_ok=True)
        (package / f"m{i}.py").write_text("x = 1\n")
    names = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.py"))

    result = run_cli(["message", *names], tmp_path)

    assert (result.code, result.out.splitlines()[0]) == (
        1,
        "versions/r0500_wip.py:1: revision r0500 has the message 'wip', "
        "which does not say what it changes",
    )
    assert len(result.out.splitlines()) == 2
