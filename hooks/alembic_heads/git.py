"""The few questions we ask git, each answered by one process."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path


def _ls_files(cwd: Path, pathspecs: Sequence[str]) -> list[str] | None:
    """``git ls-files`` (the index: tracked and staged files), or ``None``
    when ``cwd`` is not in a git work tree or a path lies outside it."""
    try:
        process = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--", *pathspecs],
            cwd=cwd,
            capture_output=True,
            check=False,
        )
    except OSError:
        return None
    if process.returncode != 0:
        return None
    return [name for name in os.fsdecode(process.stdout).split("\0") if name]


def tracked_files(cwd: Path, folders: Sequence[Path]) -> set[str] | None:
    """Absolute, normalised paths of the files git has in its index below
    ``folders``: what a commit made now would contain."""
    names = _ls_files(cwd, [str(folder) for folder in folders])
    if names is None:
        return None
    return {os.path.normpath(cwd / name) for name in names}


def tracked_named(cwd: Path, file_name: str) -> list[Path] | None:
    """Tracked files called ``file_name`` anywhere below ``cwd``."""
    names = _ls_files(cwd, [f"*{file_name}"])
    if names is None:
        return None
    return [cwd / name for name in names if os.path.basename(name) == file_name]
