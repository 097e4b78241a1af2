from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

# The tests import their helpers as `helpers`; the package comes from `hooks/`
# (installed, or straight from the source tree).
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "hooks"))

from helpers import (
    PYTHON,
    PreCommit,
    git,
    hook_repository,
    pre_commit_config,
    run,
)


@pytest.fixture(scope="session")
def pre_commit(tmp_path_factory: pytest.TempPathFactory) -> PreCommit:
    """``pre-commit run --all-files`` of some of our hooks in a project (a git
    repository), installing the hooks once per test session."""
    repo = tmp_path_factory.mktemp("hook-repo")
    rev = hook_repository(repo)
    home = tmp_path_factory.mktemp("pre-commit-home")

    def run_hooks(project: Path, hooks: Sequence[str]) -> subprocess.CompletedProcess[str]:
        (project / ".pre-commit-config.yaml").write_text(pre_commit_config(repo, rev, hooks))
        git(project, "add", ".pre-commit-config.yaml")
        return run(
            [PYTHON, "-m", "pre_commit", "run", "--all-files"], project, PRE_COMMIT_HOME=str(home)
        )

    return run_hooks
