"""The hook as users run it: real git, real pre-commit, this repository's manifest."""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

import pytest
import yaml

from helpers import (
    PYTHON,
    Rev,
    alembic_answer,
    commit_all,
    git,
    init_repo,
    run,
    seed_branches,
    write_project,
)

ROOT = Path(__file__).parent.parent
PRE_COMMIT = [PYTHON, "-m", "pre_commit"]


def hook_ids() -> list[str]:
    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    return [hook["id"] for hook in manifest]


def test_manifest_passes_pre_commits_own_validation() -> None:
    result = run([*PRE_COMMIT, "validate-manifest", ".pre-commit-hooks.yaml"], ROOT)

    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_main_hook_runs_at_every_stage_where_a_second_head_is_born() -> None:
    manifest = {
        hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    }
    hook = manifest["alembic-single-head"]

    # A clean `git merge` gives pre-commit no changed files, so a hook filtered by
    # files would be skipped exactly when the second head appears.
    assert hook["always_run"] is True
    assert hook["pass_filenames"] is False
    assert {"pre-commit", "pre-merge-commit"} <= set(hook["stages"])


def test_every_hook_id_is_documented_in_readme() -> None:
    readme = (ROOT / "README.md").read_text()

    for hook_id in hook_ids():
        assert f"id: {hook_id}" in readme, hook_id
        assert f"`{hook_id}`" in readme, hook_id


def project_with_hook(path: Path, hook_repo: tuple[Path, str], revs: list[Rev]) -> Path:
    repo, sha = hook_repo
    init_repo(path)
    write_project(path, revs)
    (path / ".pre-commit-config.yaml").write_text(
        f"repos:\n-   repo: {repo}\n    rev: {sha}\n    hooks:\n    -   id: alembic-single-head\n"
    )
    commit_all(path, "A, B, C")
    return path


def hook_run(cmd: list[str], cwd: Path, home: Path) -> tuple[int, str]:
    result = run(cmd, cwd, PRE_COMMIT_HOME=str(home), NO_COLOR="1")
    return result.returncode, result.stdout + result.stderr


ABC = [
    Rev("a1a1a1a1a1a1", None, "create users"),
    Rev("b2b2b2b2b2b2", "a1a1a1a1a1a1", "add email"),
    Rev("c3c3c3c3c3c3", "b2b2b2b2b2b2", "add orders"),
]
D = Rev("d4d4d4d4d4d4", "c3c3c3c3c3c3", "add invoices")
E = Rev("e5e5e5e5e5e5", "c3c3c3c3c3c3", "add shipping")
F = Rev("f6f6f6f6f6f6", "e5e5e5e5e5e5", "add tracking")


def add_and_commit(path: Path, rev: Rev, home: Path) -> tuple[int, str]:
    write_project(path, [rev])
    git(path, "add", "-A")
    return hook_run(["git", "commit", "-m", rev.doc], path, home)


@pytest.mark.slow
def test_two_branches_meet_blocked_then_fixed_with_the_printed_command(
    tmp_path: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    project = project_with_hook(tmp_path / "project", hook_repo, ABC)
    code, out = hook_run(
        [*PRE_COMMIT, "install", "-t", "pre-commit", "-t", "pre-merge-commit"],
        project,
        pre_commit_home,
    )
    assert code == 0, out

    git(project, "checkout", "-q", "-b", "dev1")
    assert add_and_commit(project, D, pre_commit_home)[0] == 0
    git(project, "checkout", "-q", "-b", "dev2", "master")
    assert add_and_commit(project, E, pre_commit_home)[0] == 0
    assert add_and_commit(project, F, pre_commit_home)[0] == 0
    git(project, "checkout", "-q", "master")
    git(project, "merge", "-q", "dev1")

    code, merge_out = hook_run(["git", "merge", "--no-edit", "dev2"], project, pre_commit_home)
    assert code != 0
    code, commit_out = hook_run(["git", "commit", "--no-edit"], project, pre_commit_home)
    assert code != 0

    for out in (merge_out, commit_out):
        assert "alembic single head" in out and "Failed" in out
        assert (
            "alembic.ini: Multiple head revisions are present: 2 heads, "
            "`alembic upgrade head` will fail\n"
            "versions/d4d4d4d4d4d4_add_invoices.py:13: head d4d4d4d4d4d4: add invoices\n"
            "versions/f6f6f6f6f6f6_add_tracking.py:13: head f6f6f6f6f6f6: add tracking\n"
        ) in out
    fix = re.search(r"^ +(alembic merge .*)$", commit_out, re.MULTILINE)
    assert fix is not None
    assert fix.group(1) == (
        'alembic merge -m "merge d4d4d4d4d4d4 and f6f6f6f6f6f6" d4d4d4d4d4d4 f6f6f6f6f6f6'
    )

    alembic = run([sys.executable, "-m", *shlex.split(fix.group(1))], project)
    assert alembic.returncode == 0, alembic.stderr
    git(project, "add", "-A")
    code, out = hook_run(["git", "commit", "--no-edit"], project, pre_commit_home)
    assert code == 0, out
    assert "alembic single head" in out and "Passed" in out
    code, out = hook_run([*PRE_COMMIT, "run", "--all-files"], project, pre_commit_home)
    assert code == 0, out
    assert len(alembic_answer(project)["heads"]) == 1
    assert git(project, "status", "--porcelain").stdout == ""


@pytest.mark.slow
def test_opt_in_fixer_writes_the_merge_and_fails_until_it_is_staged(
    tmp_path: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    repo, sha = hook_repo
    project = seed_branches(tmp_path / "project")
    git(project, "merge", "-q", "--no-edit", "dev2")
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n-   repo: {repo}\n    rev: {sha}\n    hooks:\n"
        "    -   id: alembic-single-head\n    -   id: alembic-merge-heads\n"
    )
    git(project, "add", ".pre-commit-config.yaml")
    run_all = [*PRE_COMMIT, "run", "--all-files"]

    at_commit = hook_run(run_all, project, pre_commit_home)
    fixed = hook_run([*run_all, "--hook-stage", "manual"], project, pre_commit_home)
    git(project, "add", "-A")
    again = hook_run([*run_all, "--hook-stage", "manual"], project, pre_commit_home)

    assert at_commit[0] == 1
    assert "alembic merge heads" not in at_commit[1]  # opt-in: manual stage only
    assert fixed[0] == 1
    written = re.findall(r"^Writing (versions/[0-9a-f]{12}_merge_d_and_f\.py)$", fixed[1], re.M)
    assert len(written) == 1 and (project / written[0]).is_file()
    assert again[0] == 0, again[1]
    assert alembic_answer(project)["heads"] == [written[0][9:21]]
