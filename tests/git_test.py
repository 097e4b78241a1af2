"""The git questions the commands ask, on real repositories: submodules,
linked worktrees and the variables git sets for its hooks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from alembic_heads import git as ours
from helpers import (
    PYTHON,
    Rev,
    alembic_answer,
    commit_all,
    committed_project,
    git,
    init_repo,
    run,
    run_cli,
    write_revision,
)


def test_without_git_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))

    assert ours.git_dir(tmp_path) is None
    assert ours.commit_of(tmp_path, "HEAD") is None
    assert ours.upstream(tmp_path) is None
    assert os.environ["PATH"] == str(tmp_path)


TWO_HEADS = [Rev("aaaa", None, "a"), Rev("bbbb", "aaaa", "b"), Rev("cccc", "aaaa", "c")]


def add_submodule(root: Path, inner: Path, where: str) -> None:
    """``git submodule add`` of a local repository (git allows the file protocol
    there only when asked)."""
    git(root, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner), where)


def superproject_with_migrations_in_a_submodule(tmp_path: Path) -> Path:
    """``alembic.ini`` in a superproject, its script folder a submodule that
    has two heads committed and one untracked revision file."""
    inner = committed_project(tmp_path / "inner", TWO_HEADS, ini=False)
    root = init_repo(tmp_path / "super")
    add_submodule(root, inner, "migrations")
    (root / "alembic.ini").write_text(
        "[alembic]\nscript_location = %(here)s/migrations\npath_separator = os\n"
    )
    commit_all(root, "superproject")
    write_revision(root / "migrations" / "versions", Rev("dddd", "aaaa", "untracked"))
    return root


def test_a_submodule_counts_its_own_tracked_files(tmp_path: Path) -> None:
    root = superproject_with_migrations_in_a_submodule(tmp_path)
    (root / "migrations" / "versions" / "dddd_untracked.py").unlink()
    assert alembic_answer(root)["heads"] == ["bbbb", "cccc"]

    write_revision(root / "migrations" / "versions", Rev("dddd", "aaaa", "untracked"))
    result = run_cli(["check"], root)

    assert result.code == 1
    assert result.out.startswith(
        "alembic.ini: Multiple head revisions are present: 2 heads, "
        "`alembic upgrade head` will fail\n"
        "migrations/versions/bbbb_b.py:13: head bbbb: b\n"
        "migrations/versions/cccc_c.py:13: head cccc: c\n"
    )


def test_a_versions_folder_found_in_a_submodule(tmp_path: Path) -> None:
    root = superproject_with_migrations_in_a_submodule(tmp_path)
    (root / "alembic.ini").unlink()

    result = run_cli(["check"], root)

    assert result.code == 1
    assert "migrations/versions: Multiple head revisions are present: 2 heads" in result.out
    assert "dddd" not in result.out


def test_a_submodule_inside_a_versions_folder(tmp_path: Path) -> None:
    inner = init_repo(tmp_path / "inner")
    write_revision(inner, Rev("bbbb", "aaaa", "b"))
    commit_all(inner, "b")
    root = committed_project(tmp_path / "super", TWO_HEADS[:1], recursive=True)
    add_submodule(root, inner, "versions/sub")
    commit_all(root, "submodule")
    write_revision(root / "versions", Rev("cccc", "aaaa", "untracked"))

    result = run_cli(["check"], root)

    assert (result.code, result.err) == (0, "")
    write_revision(root / "versions" / "sub", Rev("cccc", "aaaa", "c"))
    git(root / "versions" / "sub", "add", "-A")
    assert run_cli(["check"], root).code == 1
    git(root, "submodule", "deinit", "-q", "-f", "versions/sub")  # not checked out: no files
    assert run_cli(["check"], root) == result


def test_git_dir_naming_another_repository_does_not_decide(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = committed_project(tmp_path / "repo", TWO_HEADS)
    other = init_repo(tmp_path / "other")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git" / "index"))

    result = run_cli(["check"], repo)

    assert result.code == 1
    assert "Multiple head revisions are present: 2 heads" in result.out
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    assert run_cli(["check"], repo).code == 1
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "nowhere"))
    assert run_cli(["check"], repo).code == 1


def test_git_dir_of_the_same_repository_keeps_its_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = committed_project(tmp_path / "repo", TWO_HEADS[:2])
    write_revision(repo / "versions", Rev("cccc", "aaaa", "c"))
    git(repo, "add", "-A")  # staged in the index; not in the index of the commit being made
    index = tmp_path / "commit-index"
    run(["git", "read-tree", "HEAD"], repo, GIT_INDEX_FILE=str(index))
    monkeypatch.setenv("GIT_DIR", str(repo / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(repo))
    monkeypatch.setenv("GIT_INDEX_FILE", str(index))

    assert run_cli(["check"], repo).code == 0
    monkeypatch.delenv("GIT_INDEX_FILE")
    assert run_cli(["check"], repo).code == 1


def test_a_partial_commit_in_a_linked_worktree_checks_what_it_commits(tmp_path: Path) -> None:
    repo = committed_project(tmp_path / "repo", TWO_HEADS[:1])
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text(f"#!/bin/sh\nexec {PYTHON} -m alembic_heads check\n")
    hook.chmod(0o755)
    worktree = tmp_path / "worktree"
    git(repo, "worktree", "add", "-q", str(worktree))
    write_revision(worktree / "versions", Rev("bbbb", "aaaa", "b"))
    write_revision(worktree / "versions", Rev("cccc", "aaaa", "c"))
    git(worktree, "add", "-A")

    blocked = run(["git", "commit", "-q", "-m", "both"], worktree)
    partial = run(["git", "commit", "-q", "-m", "b", "versions/bbbb_b.py"], worktree)

    assert blocked.returncode == 1
    assert "Multiple head revisions are present: 2 heads" in blocked.stderr
    assert (partial.returncode, partial.stderr) == (0, "")


def test_a_pushed_commit_reads_the_submodule_commit_it_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = superproject_with_migrations_in_a_submodule(tmp_path)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", "HEAD")  # as at pre-push
    inner = root / "migrations"

    two_heads = run_cli(["check"], root)
    (inner / "versions" / "dddd_untracked.py").unlink()
    write_revision(inner / "versions", Rev("mmmm", ("bbbb", "cccc"), "merge"))
    commit_all(inner, "merge, not yet recorded in the superproject")
    recorded_before = run_cli(["check"], root)
    commit_all(root, "the submodule's merge")
    merged = run_cli(["check"], root)

    assert two_heads.code == 1
    assert "migrations/versions/bbbb_b.py:13: head bbbb: b\n" in two_heads.out
    assert "dddd" not in two_heads.out
    assert recorded_before.out == two_heads.out
    assert (merged.code, merged.out, merged.err) == (0, "", "")


def test_a_pushed_commit_reads_a_submodule_inside_a_versions_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inner = init_repo(tmp_path / "inner")
    write_revision(inner, Rev("bbbb", "aaaa", "b"))
    write_revision(inner, Rev("cccc", "aaaa", "c"))
    commit_all(inner, "b and c")
    root = committed_project(tmp_path / "super", TWO_HEADS[:1], recursive=True)
    add_submodule(root, inner, "versions/sub")
    commit_all(root, "submodule")
    monkeypatch.setenv("PRE_COMMIT_TO_REF", "HEAD")

    result = run_cli(["check"], root)

    assert result.code == 1
    assert "versions/sub/cccc_c.py:13: head cccc: c\n" in result.out
