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


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    """A git command's output, or ``None`` when it fails or git is missing."""
    try:
        process = subprocess.run(
            ["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False
        )
    except OSError:
        return None
    return process.stdout if process.returncode == 0 else None


def git_dir(cwd: Path) -> Path | None:
    """The repository's (or worktree's) git folder, where merge and rebase state live."""
    out = _git(cwd, "rev-parse", "--absolute-git-dir")
    return None if out is None else Path(os.fsdecode(out.strip()))


def commit_of(cwd: Path, ref: str) -> str | None:
    out = _git(cwd, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    return None if out is None else out.decode().strip()


def upstream(cwd: Path) -> str | None:
    """The name of the current branch's upstream (``origin/main``), if it has one."""
    out = _git(cwd, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}")
    return None if out is None else os.fsdecode(out.strip())


def files_at(cwd: Path, commit: str, folders: Sequence[Path]) -> dict[str, bytes]:
    """The content of every file below ``folders`` in ``commit``, by absolute
    path: one ``ls-tree`` and one ``cat-file --batch`` process."""
    top = _git(cwd, "rev-parse", "--show-toplevel")
    if top is None:
        return {}
    root = Path(os.fsdecode(top.strip()))
    specs = []
    for folder in folders:
        relative = os.path.relpath(os.path.abspath(cwd / folder), root)
        if relative != os.pardir and not relative.startswith(os.pardir + os.sep):
            specs.append(relative)
    if not specs:
        return {}
    listing = _git(root, "ls-tree", "-r", "-z", commit, "--", *specs)
    if listing is None:
        return {}
    blobs = []
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        info, name = entry.split(b"\t", 1)
        _, kind, oid = info.split()
        if kind == b"blob":
            blobs.append((os.path.normpath(root / os.fsdecode(name)), oid))
    out = _git(root, "cat-file", "--batch", stdin=b"".join(oid + b"\n" for _, oid in blobs))
    if out is None:  # pragma: no cover - git listed the objects but cannot read them
        return {}
    files = {}
    position = 0
    for path, _ in blobs:
        header_end = out.index(b"\n", position)
        size = int(out[position:header_end].split()[2])
        start = header_end + 1
        files[path] = out[start : start + size]
        position = start + size + 1
    return files
