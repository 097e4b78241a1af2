"""Every printed command is safe to paste: pasted into bash, it runs the tool
named with exactly the arguments meant, whatever the revision ids, branch
labels and paths hold (Alembic refuses only ``@``, ``-``, ``+`` and ``:`` in
an id, and nothing in a label)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import Rev, alembic_answer, committed_project, run_cli, write_project

NASTY = [
    "$(touch pwned)",
    "`touch pwned`",
    "x; touch pwned",
    'it\'s "quoted"',
    "two\nlines $(touch pwned)",
    "$HOME * ~",
    "back\\slash",
]

RECORDER = """\
import json, os, sys
with open(os.path.join(os.environ["ARGV_LOG"], os.path.basename(sys.argv[0])), "w") as log:
    json.dump(sys.argv[1:], log)
"""


def pasted(command: str, tmp_path: Path) -> dict[str, list[str]]:
    """Run ``command`` as a person pasting it into bash does, in an empty
    folder, with ``alembic`` and ``git`` that only record their arguments:
    what each was given. Nothing else may happen."""
    tools, log, there = tmp_path / "bin", tmp_path / "argv", tmp_path / "pasted-here"
    for folder in (tools, log, there):
        folder.mkdir()
    for name in ("alembic", "git"):
        (tools / name).write_text(f"#!{sys.executable}\n{RECORDER}")
        (tools / name).chmod(0o755)
    path = f"{tools}{os.pathsep}{os.environ['PATH']}"
    subprocess.run(
        ["bash", "-c", command],
        cwd=there,
        env={**os.environ, "PATH": path, "ARGV_LOG": str(log)},
        check=True,
    )
    assert sorted(str(found.relative_to(tmp_path)) for found in tmp_path.rglob("pwned")) == []
    return {record.name: json.loads(record.read_text()) for record in log.iterdir()}


def two_heads(root: Path, nasty: str) -> Path:
    project = write_project(
        root,
        [
            Rev("base", None, "base", file="base.py"),
            Rev(nasty, "base", "nasty", file="nasty.py"),
            Rev("plain", "base", "plain", file="plain.py"),
        ],
    )
    assert alembic_answer(project)["heads"] == sorted([nasty, "plain"])  # Alembic takes the id
    return project


@pytest.mark.parametrize("nasty", NASTY)
def test_the_json_merge_command_passes_exactly_the_ids(tmp_path: Path, nasty: str) -> None:
    project = two_heads(tmp_path / "project", nasty)

    result = run_cli(["check", "--format", "json"], project)

    [finding] = json.loads(result.out)["graphs"][0]["findings"]
    first, second = finding["heads"]
    assert {first, second} == {nasty, "plain"}
    [command] = finding["commands"]
    assert pasted(command, tmp_path) == {
        "alembic": ["merge", "-m", f"merge {first} and {second}", first, second]
    }


@pytest.mark.parametrize("nasty", NASTY)
def test_the_printed_fixes_say_exactly_the_ids(tmp_path: Path, nasty: str) -> None:
    project = two_heads(tmp_path / "project", nasty)

    result = run_cli(["check"], project)

    assert result.code == 1
    after = result.out.split("    merge them into one head:\n", 1)[1]
    command, advice = after.split("\n    or, if ", 1)
    recorded = pasted(command.strip(), tmp_path)
    first, second = recorded["alembic"][3:]
    assert {first, second} == {nasty, "plain"}
    assert recorded == {"alembic": ["merge", "-m", f"merge {first} and {second}", first, second]}
    # the re-point advice names the id as a Python literal
    target = advice.split("set down_revision = ", 1)[1].rsplit(" in ", 1)[0]
    assert ast.literal_eval(target) in {nasty, "plain"}


def test_the_upgrade_command_of_a_branch_headline(tmp_path: Path) -> None:
    label = "$(touch pwned) it's"
    project = write_project(
        tmp_path / "project",
        [Rev("base", None, branch_labels=label), Rev("x", "base"), Rev("y", "base")],
    )
    assert alembic_answer(project)["label_heads"] == {label: ["x", "y"]}

    result = run_cli(["check"], project)

    headline = result.out.splitlines()[0]
    assert headline.endswith(
        "2 heads, `alembic upgrade '$(touch pwned) it'\"'\"'s@head'` will fail"
    )
    assert pasted(headline.split("`")[1], tmp_path) == {"alembic": ["upgrade", f"{label}@head"]}


def test_the_git_add_of_a_missing_head_file(tmp_path: Path) -> None:
    folder = "db $(touch pwned)"
    write_project(tmp_path / "project" / folder, [Rev("a", None)])

    result = run_cli(["head-file", "--check", "-c", f"{folder}/alembic.ini"], tmp_path / "project")

    assert result.out.endswith(", then `git add 'db $(touch pwned)/head.txt'`\n")
    git_add = result.out.rsplit("`", 2)[1]
    assert pasted(git_add, tmp_path) == {"git": ["add", f"{folder}/head.txt"]}


@pytest.mark.parametrize(
    ("ref", "refspec"),
    [
        ("origin/$(touch pwned)", "$(touch pwned):refs/remotes/origin/$(touch pwned)"),
        ("x;touch pwned", "x;touch pwned:refs/remotes/origin/x;touch pwned"),
    ],
)
def test_the_fetch_of_a_missing_ref(tmp_path: Path, ref: str, refspec: str) -> None:
    project = committed_project(tmp_path / "project", [Rev("a", None)])

    result = run_cli(["check", "--against", ref], project)

    assert result.code == 2
    fetch = result.err.split("must fetch it first: ", 1)[1].removesuffix(")\n")
    fetch, *then = fetch.split(", then pass ")
    assert then == ([] if ref.startswith("origin/") else [f"'origin/{ref}'"])
    assert pasted(fetch, tmp_path) == {"git": ["fetch", "--depth=1", "origin", refspec]}


def test_a_folder_named_like_an_option_is_a_path_in_the_command(tmp_path: Path) -> None:
    """``cd -svc`` would be an option to ``cd``: ``./-svc`` is the folder."""
    write_project(
        tmp_path / "-svc",
        [Rev("a1", None, "a"), Rev("b2", "a1", "b"), Rev("c3", "a1", "c")],
    )

    lines = run_cli(["check"], tmp_path).out.splitlines()

    assert "      cd ./-svc && alembic merge -m 'merge b2 and c3' b2 c3" in lines
