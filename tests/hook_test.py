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
    write_pre_commit_config,
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
    init_repo(path)
    write_project(path, revs)
    write_pre_commit_config(path, hook_repo, ["alembic-single-head"])
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
        "alembic merge -m 'merge d4d4d4d4d4d4 and f6f6f6f6f6f6' d4d4d4d4d4d4 f6f6f6f6f6f6"
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


def configure_hooks(project: Path, hook_repo: tuple[Path, str], *hook_ids: str) -> None:
    write_pre_commit_config(project, hook_repo, hook_ids)
    commit_all(project, f"hooks: {', '.join(hook_ids)}")


def install_hooks(project: Path, home: Path, *hook_types: str) -> None:
    types = [arg for hook_type in hook_types for arg in ("-t", hook_type)]
    code, out = hook_run([*PRE_COMMIT, "install", *types], project, home)
    assert code == 0, out


@pytest.mark.slow
def test_head_file_makes_git_merge_conflict_and_says_what_resolves_it(
    tmp_path: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    from alembic_heads.head_file import HEADER

    project = project_with_hook(tmp_path / "project", hook_repo, ABC)
    (project / "head.txt").write_text(HEADER + "c3c3c3c3c3c3\n")
    configure_hooks(project, hook_repo, "alembic-single-head", "alembic-head-file")
    install_hooks(project, pre_commit_home, "pre-commit", "pre-merge-commit")

    git(project, "checkout", "-q", "-b", "dev1")
    code, out = add_and_commit(project, D, pre_commit_home)
    assert code == 1
    assert "Rewriting head.txt: c3c3c3c3c3c3 -> head d4d4d4d4d4d4\n" in out
    git(project, "add", "head.txt")
    assert hook_run(["git", "commit", "-m", "D"], project, pre_commit_home)[0] == 0
    git(project, "checkout", "-q", "-b", "dev2", "master")
    write_project(project, [E])
    assert add_and_commit(project, F, pre_commit_home)[0] == 1
    git(project, "add", "head.txt")
    assert hook_run(["git", "commit", "-m", "E, F"], project, pre_commit_home)[0] == 0
    assert (project / "head.txt").read_text() == HEADER + "f6f6f6f6f6f6\n"
    git(project, "checkout", "-q", "master")
    git(project, "merge", "-q", "dev1")

    code, out = hook_run(["git", "merge", "--no-edit", "dev2"], project, pre_commit_home)

    assert code == 1
    assert "CONFLICT (content): Merge conflict in head.txt" in out
    assert (project / "head.txt").read_text() == (
        HEADER + "<<<<<<< HEAD\nd4d4d4d4d4d4\n=======\nf6f6f6f6f6f6\n>>>>>>> dev2\n"
    )
    assert "# Resolve with:  alembic-heads head-file" in HEADER


@pytest.mark.slow
def test_a_pull_that_brings_a_second_head_warns_after_the_merge(
    tmp_path: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    upstream = project_with_hook(tmp_path / "upstream", hook_repo, ABC)
    configure_hooks(upstream, hook_repo, "alembic-single-head", "alembic-heads-warn")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(upstream), str(clone))
    install_hooks(clone, pre_commit_home, "pre-commit", "post-merge")
    write_project(upstream, [D, E])  # two pull requests merged without the hook
    commit_all(upstream, "D and E")

    code, out = hook_run(["git", "pull", "-q", "--no-rebase"], clone, pre_commit_home)

    assert code == 0
    assert "alembic second head warning" in out
    assert (
        "alembic.ini: Multiple head revisions are present: 2 heads, "
        "`alembic upgrade head` will fail\n"
        "versions/d4d4d4d4d4d4_add_invoices.py:13: head d4d4d4d4d4d4: add invoices\n"
        "versions/e5e5e5e5e5e5_add_shipping.py:13: head e5e5e5e5e5e5: add shipping\n"
    ) in out
    assert "alembic merge -m 'merge d4d4d4d4d4d4 and e5e5e5e5e5e5'" in out


@pytest.mark.slow
def test_pre_push_checks_the_pushed_commit_not_the_working_tree(
    tmp_path: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    project = project_with_hook(tmp_path / "project", hook_repo, ABC)
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(project, "remote", "add", "origin", str(remote))
    git(project, "push", "-q", "--no-verify", "origin", "master")
    install_hooks(project, pre_commit_home, "pre-push")
    write_project(project, [D, E])
    commit_all(project, "D and E: two heads, committed with --no-verify")
    git(project, "rm", "-q", "versions/e5e5e5e5e5e5_add_shipping.py")  # staged, not committed

    code, out = hook_run(["git", "push", "-q", "origin", "master"], project, pre_commit_home)

    assert code == 1
    assert "versions/e5e5e5e5e5e5_add_shipping.py:13: head e5e5e5e5e5e5: add shipping\n" in out
    git(project, "commit", "-q", "--no-verify", "-m", "drop E")
    assert hook_run(["git", "push", "-q", "origin", "master"], project, pre_commit_home)[0] == 0


@pytest.mark.slow
def test_head_file_check_at_pre_push_checks_the_pushed_commit(
    tmp_path: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    from alembic_heads.head_file import HEADER

    project = project_with_hook(tmp_path / "project", hook_repo, ABC)
    write_pre_commit_config(project, hook_repo, ["alembic-head-file-check"])
    (project / "head.txt").write_text(HEADER + "c3c3c3c3c3c3\n")
    commit_all(project, "head file")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(project, "remote", "add", "origin", str(remote))
    install_hooks(project, pre_commit_home, "pre-push")
    write_project(project, [D])
    commit_all(project, "D, the head file not updated (--no-verify)")
    (project / "head.txt").write_text(HEADER + "d4d4d4d4d4d4\n")  # fixed, not committed

    code, out = hook_run(["git", "push", "-q", "origin", "master"], project, pre_commit_home)

    assert code == 1
    assert "head.txt:6: head file is stale: it records c3c3c3c3c3c3, the graph's head" in out
    commit_all(project, "head file: D")
    (project / "head.txt").write_text(HEADER + "c3c3c3c3c3c3\n")  # stale, not committed
    assert hook_run(["git", "push", "-q", "origin", "master"], project, pre_commit_home)[0] == 0


@pytest.mark.slow
def test_opt_in_fixer_writes_the_merge_and_fails_until_it_is_staged(
    tmp_path: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    project = seed_branches(tmp_path / "project")
    git(project, "merge", "-q", "--no-edit", "dev2")
    configure_hooks(project, hook_repo, "alembic-single-head", "alembic-merge-heads")
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


def test_readme_shows_the_real_report_of_the_bundled_example() -> None:
    readme = (ROOT / "README.md").read_text()
    shown = readme.split("- exit code: 1\n\n", 1)[1].split("```", 1)[0]

    result = run([PYTHON, "-m", "alembic_heads", "check"], ROOT, NO_COLOR="1")

    assert result.returncode == 1
    assert result.stdout == shown
