"""The multiple-heads report with its drawing: every two-head moment, and colour."""

from __future__ import annotations

import os
import pty
import subprocess
from pathlib import Path

import pytest

from helpers import (
    MOMENTS,
    PYTHON,
    Rev,
    assert_snapshot,
    before_merge,
    corpus,
    run_cli,
    write_project,
)

SPLIT = [
    Rev("a1", None, "create users"),
    Rev("b2", "a1", "add email"),
    Rev("c3", "b2", "add orders"),
    Rev("d4", "b2", "add prices"),
    Rev("e5", "d4", "add discounts"),
]


@pytest.mark.parametrize(("name", "index"), MOMENTS)
def test_report_of_each_two_head_moment(tmp_path: Path, name: str, index: int) -> None:
    recursive = corpus(name)["recursive_version_locations"]
    write_project(tmp_path, before_merge(name, index), recursive=recursive)

    result = run_cli(["check"], tmp_path)

    assert result.code == 1
    assert_snapshot(f"check-{name}-{index}.txt", result.out)


def in_terminal(cwd: Path, argv: list[str], **env: str) -> str:
    """What ``alembic-heads ARGV`` writes to a real terminal (a pseudo-terminal)."""
    leader, follower = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    process = subprocess.Popen(
        [PYTHON, "-m", "alembic_heads", *argv],
        cwd=cwd,
        stdout=follower,
        stderr=subprocess.DEVNULL,
        env={**environ, **env},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the process exits
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait()
    os.close(leader)
    return b"".join(chunks).decode()


@pytest.mark.parametrize("command", [["check"], ["graph"]])
def test_colour_on_a_terminal_unless_no_color(tmp_path: Path, command: list[str]) -> None:
    write_project(tmp_path, SPLIT)

    assert "\033[" in in_terminal(tmp_path, command)
    assert "\033[" not in in_terminal(tmp_path, command, NO_COLOR="1")
    assert "\033[" not in in_terminal(tmp_path, [*command, "--color", "never"])
    piped = subprocess.run(
        [PYTHON, "-m", "alembic_heads", *command], cwd=tmp_path, capture_output=True, text=True
    )
    assert "* c3 (head) add orders" in piped.stdout
    assert "\033[" not in piped.stdout
    assert "\033[" in run_cli([*command, "--color", "always"], tmp_path).out
