"""The multiple-heads report as a person reads it: headline, heads, the drawing, the fix."""

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


def test_two_branches_each_add_a_migration_the_report_draws_them(tmp_path: Path) -> None:
    write_project(tmp_path, SPLIT)

    result = run_cli(["check"], tmp_path)

    assert result.code == 1
    assert result.out == (
        "alembic.ini: Multiple head revisions are present: 2 heads, "
        "`alembic upgrade head` will fail\n"
        "versions/c3_add_orders.py:13: head c3: add orders\n"
        "versions/e5_add_discounts.py:13: head e5: add discounts\n"
        "    the branches split after b2 (add email):\n"
        "      * c3 (head) add orders\n"
        "      | * e5 (head) add discounts\n"
        "      | * d4 add prices\n"
        "      |/\n"
        "      * b2 (branchpoint) add email\n"
        "      ~\n"
        "    merge them into one head:\n"
        '      alembic merge -m "merge c3 and e5" c3 e5\n'
        "    or, if c3 is not deployed anywhere yet, move it onto e5 instead:\n"
        "      set down_revision = 'e5' in versions/c3_add_orders.py:14\n"
    )


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
