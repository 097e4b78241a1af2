"""The opt-in fixer hook, run by real pre-commit from this repository's manifest."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from helpers import PYTHON, commit_all, git, init_repo, run, seed_branches

PROJECT = Path(__file__).parent.parent


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This checkout (with its uncommitted changes) as a repository pre-commit can install."""
    copy = tmp_path_factory.mktemp("hook-repo")
    listed = git(PROJECT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.stdout.split("\0")):
        if (PROJECT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT / name, copy / name)
    init_repo(copy)
    commit_all(copy, "hooks")
    return copy, git(copy, "rev-parse", "HEAD").stdout.strip()


def test_fixer_hook_writes_the_merge_and_fails_until_it_is_staged(
    tmp_path: Path, hook_repo: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    home = str(tmp_path_factory.getbasetemp() / "pre-commit-home")
    repo = seed_branches(tmp_path / "repo")
    git(repo, "merge", "-q", "--no-edit", "dev2")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n-   repo: {hook_repo[0]}\n    rev: {hook_repo[1]}\n    hooks:\n"
        "    -   id: alembic-single-head\n    -   id: alembic-merge-heads\n"
    )
    git(repo, "add", ".pre-commit-config.yaml")
    pre_commit = [PYTHON, "-m", "pre_commit", "run", "--all-files"]

    at_commit = run(pre_commit, repo, PRE_COMMIT_HOME=home)
    fixed = run([*pre_commit, "--hook-stage", "manual"], repo, PRE_COMMIT_HOME=home)
    git(repo, "add", "-A")
    again = run([*pre_commit, "--hook-stage", "manual"], repo, PRE_COMMIT_HOME=home)

    assert at_commit.returncode == 1
    assert "alembic merge heads" not in at_commit.stdout  # opt-in: manual stage only
    assert fixed.returncode == 1
    written = re.findall(r"^Writing (versions/[0-9a-f]{12}_merge_d_and_f\.py)$", fixed.stdout, re.M)
    assert len(written) == 1 and (repo / written[0]).is_file()
    assert again.returncode == 0, again.stdout
    assert run([PYTHON, "-m", "alembic", "heads"], repo).stdout.endswith(" (head)\n")
