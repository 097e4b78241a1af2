"""Every hook id installs from a fresh ``PRE_COMMIT_HOME`` and runs, as on a new
CI runner; the check's own environment holds nothing it does not import."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from helpers import PYTHON, commit_all, git, init_repo, run, write_pre_commit_config

ROOT = Path(__file__).parent.parent
TWO_HEADS = "Multiple head revisions are present: 2 heads"
NO_DATABASE = "alembic-heads: database does not exist: "

# hook id: (stage, exit code, what its output says)
EXPECTED = {
    "alembic-single-head": ("pre-commit", 1, TWO_HEADS),
    "alembic-message": ("pre-commit", 0, "alembic revision messages"),
    "alembic-downgrade": ("pre-commit", 0, "alembic downgrades"),
    "alembic-head-file": ("pre-commit", 1, TWO_HEADS),
    "alembic-head-file-check": ("pre-commit", 1, TWO_HEADS),
    "alembic-heads-warn": ("post-checkout", 0, TWO_HEADS),
    "alembic-merge-heads": ("manual", 1, "Writing versions/"),
    "alembic-database-status": ("post-checkout", 0, NO_DATABASE),
}


def test_every_hook_id_is_tried_here() -> None:
    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert sorted(hook["id"] for hook in manifest) == sorted(EXPECTED)


def example_repository(path: Path) -> Path:
    shutil.copytree(ROOT / "example", path)
    init_repo(path)
    commit_all(path, "the bundled example")
    return path


def try_repo(hook_repo: Path, hook_id: str, project: Path, home: Path) -> tuple[int, str]:
    stage, _, _ = EXPECTED[hook_id]
    head = git(project, "rev-parse", "HEAD").stdout.strip()
    refs = ["--from-ref", head, "--to-ref", head, "--checkout-type", "1"]
    args = [*(refs if stage == "post-checkout" else ["--all-files"]), "--hook-stage", stage]
    done = run(
        [PYTHON, "-m", "pre_commit", "try-repo", str(hook_repo), hook_id, *args],
        project,
        PRE_COMMIT_HOME=str(home),
        NO_COLOR="1",
    )
    return done.returncode, done.stdout + done.stderr


def installed_packages(home: Path) -> list[set[str]]:
    """The top-level packages of each Python environment pre-commit made."""
    return [
        {entry.name for entry in site.iterdir()}
        for site in sorted(home.glob("*/py_env-*/lib/python*/site-packages"))
    ]


@pytest.mark.slow
def test_each_hook_id_installs_and_runs_from_a_fresh_pre_commit_home(
    hook_repo: tuple[Path, str], tmp_path: Path
) -> None:
    """``try-repo`` installs into a store of its own each time: a new runner."""
    project = example_repository(tmp_path / "project")

    results = {
        hook_id: try_repo(hook_repo[0], hook_id, project, tmp_path / "home") for hook_id in EXPECTED
    }

    for hook_id, (_, code, says) in EXPECTED.items():
        assert results[hook_id][0] == code, (hook_id, results[hook_id][1])
        assert says in results[hook_id][1], (hook_id, results[hook_id][1])


@pytest.mark.slow
def test_the_check_environment_holds_neither_alembic_nor_sqlalchemy(
    hook_repo: tuple[Path, str], tmp_path: Path
) -> None:
    project = example_repository(tmp_path / "project")
    write_pre_commit_config(project, hook_repo, list(EXPECTED))
    home = tmp_path / "home"

    installed = run(
        [PYTHON, "-m", "pre_commit", "install-hooks"], project, PRE_COMMIT_HOME=str(home)
    )

    assert installed.returncode == 0, installed.stdout + installed.stderr
    environments = installed_packages(home)
    # the check's; the merge hook's, with Alembic; the database hook's, with SQLAlchemy
    assert len(environments) == 3
    lean = [packages for packages in environments if not {"alembic", "sqlalchemy"} & packages]
    assert len(lean) == 1 and "alembic_heads" in lean[0] and "mako" not in lean[0]
    assert sum("alembic" in packages for packages in environments) == 1
