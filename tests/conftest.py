from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

# The tests import their helpers as `helpers`; the package comes from `hooks/`
# (installed, or straight from the source tree).
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "hooks"))

from helpers import PYTHON, PreCommit, commit_all, git, init_repo, run, write_pre_commit_config
from mysql_server import MYSQL_INSTALL_HINT, MysqlServer, pymysql_missing, running_mysql_server
from postgres_server import INSTALL_HINT, PostgresServer, psycopg_dialect_missing, running_server

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """This working tree, committed to a scratch repository pre-commit can clone."""
    repo = tmp_path_factory.mktemp("hook-repo")
    for name in (
        "hooks",
        "pyproject.toml",
        ".pre-commit-hooks.yaml",
        "README.md",
        "LICENSE",
        "action.yml",
    ):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
            )
        else:
            shutil.copy(source, repo / name)
    init_repo(repo)
    commit_all(repo, "hook under test")
    yield repo, git(repo, "rev-parse", "HEAD").stdout.strip()


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="session")
def pre_commit(hook_repo: tuple[Path, str], pre_commit_home: Path) -> PreCommit:
    """``pre-commit run --all-files`` of some of our hooks in a project (a git
    repository)."""

    def run_hooks(project: Path, hooks: Sequence[str]) -> subprocess.CompletedProcess[str]:
        write_pre_commit_config(project, hook_repo, hooks)
        git(project, "add", ".pre-commit-config.yaml")
        return run(
            [PYTHON, "-m", "pre_commit", "run", "--all-files"],
            project,
            PRE_COMMIT_HOME=str(pre_commit_home),
        )

    return run_hooks


@pytest.fixture(autouse=True)
def _not_in_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests assert exact output; in GitHub Actions, check would add annotations to it."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)


@pytest.fixture(autouse=True, scope="session")
def _revision_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The check's cache of parsed revisions goes to a temporary folder, not ~/.cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ALEMBIC_HEADS_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the session (skips where no server binaries
    exist, or where SQLAlchemy has no psycopg 3 dialect to reach it)."""
    reason = psycopg_dialect_missing()
    if reason is not None:
        pytest.skip(reason)
    with running_server() as server:
        if server is None:
            pytest.skip(INSTALL_HINT)
        yield server


@pytest.fixture(scope="session")
def mysql_server() -> Iterator[MysqlServer]:
    """A real MariaDB server for the session (skips where no server binaries
    exist, or no PyMySQL to reach it)."""
    reason = pymysql_missing()
    if reason is not None:
        pytest.skip(reason)
    with running_mysql_server() as server:
        if server is None:
            pytest.skip(MYSQL_INSTALL_HINT)
        yield server
