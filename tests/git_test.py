"""The git questions the fixers ask, on real repositories."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from alembic_heads import git as ours
from helpers import commit_all, git, init_repo


def test_files_at_reads_a_commits_files_below_folders(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    (repo / "versions" / "sub").mkdir(parents=True)
    (repo / "versions" / "a.py").write_bytes(b"a\r\n")
    (repo / "versions" / "sub" / "b.py").write_bytes(b"")
    (repo / "other.py").write_text("x")
    commit_all(repo, "one")
    commit = git(repo, "rev-parse", "HEAD").stdout.strip()
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{commit},versions/module")
    git(repo, "commit", "-q", "--no-verify", "-m", "a submodule")
    (repo / "versions" / "a.py").write_text("changed")

    files = ours.files_at(repo / "versions", "HEAD", [repo / "versions", tmp_path / "outside"])

    assert files == {
        str(repo / "versions" / "a.py"): b"a\r\n",
        str(repo / "versions" / "sub" / "b.py"): b"",
    }


def test_files_at_answers_nothing_when_git_cannot(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    (repo / "f").write_text("x")
    commit_all(repo, "one")

    assert ours.files_at(tmp_path, "HEAD", [tmp_path]) == {}  # not a repository
    assert ours.files_at(repo, "HEAD", [tmp_path / "elsewhere"]) == {}
    assert ours.files_at(repo, "no-such-ref", [repo]) == {}
    assert ours.files_at(repo, "HEAD", [repo / "missing"]) == {}


def test_without_git_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))

    assert ours.git_dir(tmp_path) is None
    assert ours.commit_of(tmp_path, "HEAD") is None
    assert ours.upstream(tmp_path) is None
    assert os.environ["PATH"] == str(tmp_path)
