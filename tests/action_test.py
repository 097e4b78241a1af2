"""``action.yml``: its steps, run with bash as GitHub runs them, in a real clone
of a local bare "origin", with the environment GitHub sets on a pull request."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from helpers import (
    GIT_ENV,
    Rev,
    commit_all,
    git,
    init_repo,
    seed_branches,
    write_project,
    write_revision,
)

ROOT = Path(__file__).parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
INSTALL = "Install alembic-heads"

pytestmark = pytest.mark.slow  # the install step builds the package and installs Alembic


@dataclass
class Job:
    code: int
    out: str
    summary: str


def test_the_action_is_composite_and_its_scripts_take_no_expressions() -> None:
    steps = ACTION["runs"]["steps"]

    assert ACTION["runs"]["using"] == "composite"
    assert sorted(ACTION["inputs"]) == ["args", "config", "name", "paths", "working-directory"]
    assert [step["shell"] for step in steps] == ["bash"] * len(steps)
    # Inputs reach the scripts through env only: an input is never pasted into code.
    assert [step["name"] for step in steps if "${{" in step["run"]] == []


@pytest.fixture(scope="module")
def runner_temp(
    hook_repo: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """``RUNNER_TEMP`` once the install step has run (once: it builds the package)."""
    environ = {
        "RUNNER_TEMP": str(tmp_path_factory.mktemp("runner-temp")),
        "GITHUB_ACTION_PATH": str(hook_repo[0]),
    }
    step = next(step for step in ACTION["runs"]["steps"] if step["name"] == INSTALL)
    done = _run_step(step, {}, Path(environ["RUNNER_TEMP"]), environ)
    assert done.returncode == 0, done.stdout + done.stderr
    return environ


def run_action(
    workspace: Path,
    summary: Path,
    environ: Mapping[str, str],
    base_ref: str = "master",
    **inputs: str,
) -> Job:
    """The steps after the install, as GitHub runs them; stops at the first that fails."""
    environ = {
        **environ,
        "GITHUB_ACTIONS": "true",
        "GITHUB_BASE_REF": base_ref,
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_WORKSPACE": str(workspace),
    }
    given = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    given.update({name.replace("_", "-"): value for name, value in inputs.items()})
    out = []
    code = 0
    for step in ACTION["runs"]["steps"]:
        if step["name"] == INSTALL:
            continue
        done = _run_step(step, given, workspace, environ)
        out.append(done.stdout + done.stderr)
        code = done.returncode
        if code:
            break
    return Job(code, "".join(out), summary.read_text() if summary.exists() else "")


def _run_step(
    step: dict[str, Any], inputs: Mapping[str, str], workspace: Path, environ: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    def expand(value: str) -> str:
        return re.sub(r"\$\{\{ inputs\.([\w-]+) \}\}", lambda m: inputs[m.group(1)], value)

    env = {name: expand(value) for name, value in step.get("env", {}).items()}
    cwd = workspace / expand(step.get("working-directory", "."))
    script = Path(environ["RUNNER_TEMP"]) / "step.sh"
    script.write_text(step["run"])
    # As GitHub runs `shell: bash`.
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=cwd,
        env={**os.environ, **GIT_ENV, **environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def origin_and_checkout(tmp_path: Path, ref: str, source: Path) -> Path:
    """``source`` pushed to a bare origin, and ``ref`` (a branch, or GitHub's
    trial merge ``refs/pull/1/merge``) fetched from it at depth 1, as
    ``actions/checkout`` fetches a pull request."""
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--mirror", str(source), str(origin))
    if not ref.startswith("refs/"):
        ref = f"refs/heads/{ref}"
    workspace = tmp_path / "workspace"
    git(tmp_path, "init", "-q", str(workspace))
    git(workspace, "remote", "add", "origin", origin.as_uri())
    git(workspace, "fetch", "-q", "--no-tags", "--depth=1", "origin", f"+{ref}:refs/checkout")
    git(workspace, "checkout", "-q", "--detach", "refs/checkout")
    return workspace


def test_a_second_head_fails_with_annotations_and_a_summary(
    tmp_path: Path, runner_temp: dict[str, str]
) -> None:
    source = seed_branches(tmp_path / "source")
    workspace = origin_and_checkout(tmp_path, "dev2", source)
    summary = tmp_path / "summary.md"

    job = run_action(workspace, summary, runner_temp)

    assert job.code == 1
    annotations = [line for line in job.out.splitlines() if line.startswith("::")]
    assert [line.split("::")[1] for line in annotations] == [
        "error file=origin/master%3Aversions/d_D.py,line=13,title=alembic-heads%3A multiple-heads",
        "error file=versions/f_F.py,line=13,title=alembic-heads%3A multiple-heads",
    ]
    assert "```mermaid\nflowchart TD\n" in job.summary
    assert '    n1["f (head)<br/>F"]\n' in job.summary
    assert "Fix it with:\n\n```sh\nalembic merge -m 'merge d and f' d f\n```\n" in job.summary
    assert job.summary.startswith(
        "## alembic-heads\n\n### `alembic.ini`, merged with `origin/master`\n"
    )


@pytest.mark.parametrize("checkout", ["squash", "refs/pull/1/merge"])
def test_a_branch_that_squashes_passes_once_the_fork_is_fetched(
    tmp_path: Path, runner_temp: dict[str, str], checkout: str
) -> None:
    """The squash is healthy only once git knows where the branch forked (the
    old files are then deleted by the merge): that commit is deeper than the
    tips the checkout and the first fetch bring. The same with the branch
    checked out, or GitHub's trial merge of it (actions/checkout's default)."""
    source = seed_branches(tmp_path / "source")
    git(source, "checkout", "-q", "-b", "squash")
    for old in (source / "versions").iterdir():
        old.unlink()
    write_revision(source / "versions", Rev("d", None, "D"))
    commit_all(source, "squash a..d into d")
    for number in range(3):
        parent = f"g{number - 1}" if number else "d"
        write_revision(source / "versions", Rev(f"g{number}", parent, f"G{number}"))
        commit_all(source, f"g{number}")
    git(source, "checkout", "-q", "master")
    for number in range(3):
        (source / "models.py").write_text(f"tables = [{number}]\n")
        commit_all(source, f"models {number}")
    git(source, "checkout", "-q", "-b", "trial")
    git(source, "merge", "-q", "--no-edit", "squash")
    git(source, "update-ref", "refs/pull/1/merge", "trial")
    git(source, "checkout", "-q", "master")
    workspace = origin_and_checkout(tmp_path, checkout, source)
    summary = tmp_path / "summary.md"

    job = run_action(workspace, summary, runner_temp)

    assert (job.code, job.out) == (0, "")
    assert job.summary == (
        "## alembic-heads\n\nEvery revision graph is healthy:\n\n"
        "- `alembic.ini`, merged with `origin/master`: head `g2` G2, in "
        "`versions/g2_G2.py`\n"
    )
    assert git(workspace, "merge-base", "HEAD", "origin/master").returncode == 0


def test_inputs_reach_the_check(tmp_path: Path, runner_temp: dict[str, str]) -> None:
    """Outside a pull request, in a subfolder, with another ini file and more options."""
    source = init_repo(tmp_path / "source")
    joined = [Rev("a1", None, "users"), Rev("x9", None, "billing"), Rev("m3", ("a1", "x9"), "join")]
    write_project(source / "backend", joined)
    (source / "backend" / "alembic.ini").rename(source / "backend" / "db.ini")
    commit_all(source, "two bases, joined")
    workspace = origin_and_checkout(tmp_path, "master", source)
    summary = tmp_path / "summary.md"
    inputs = {"config": "db.ini", "paths": "versions", "working_directory": "backend"}

    plain = run_action(workspace, summary, runner_temp, base_ref="", **inputs)
    linear = run_action(workspace, summary, runner_temp, base_ref="", args="--linear", **inputs)

    assert (plain.code, plain.out) == (0, "Not a pull request: checking the working tree alone.\n")
    assert plain.summary == (
        "## alembic-heads\n\nEvery revision graph is healthy:\n\n"
        "- `db.ini`: head `m3` join, in `versions/m3_join.py`\n"
    )
    assert linear.code == 1
    assert linear.summary.startswith(
        f"{plain.summary}## alembic-heads\n\n### `db.ini`\n\n```text\n"
    )
    assert [line.split("::")[1] for line in linear.out.splitlines() if "::" in line] == [
        f"error file=backend/versions/{name},line=14,title=alembic-heads%3A {finding}"
        for name, finding in [
            ("a1_users.py", "multiple-bases"),
            ("m3_join.py", "merge-revision"),
            ("x9_billing.py", "multiple-bases"),
        ]
    ]
