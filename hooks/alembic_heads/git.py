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


class GitError(Exception):
    """git could not answer; the message is git's own first line."""


def files_at(cwd: Path, ref: str, folders: Sequence[Path]) -> list[tuple[str, bytes]]:
    """``(path, content)`` of each regular file below ``folders`` in commit
    ``ref``, without a checkout: one ``git ls-tree`` lists them and one
    ``git cat-file --batch`` reads them all. Paths are relative to ``cwd``.
    Raises :class:`GitError` when ``ref`` cannot be read."""
    if not folders:
        return []
    pathspecs = [os.path.relpath(folder, cwd) for folder in folders]
    commit = f"{ref}^{{commit}}"  # a tree or blob named as REF is an error, not an empty graph
    try:
        listing = _git(cwd, ["ls-tree", "-r", "-z", commit, "--", *pathspecs])
    except GitError as error:
        raise GitError(str(error).replace(commit, ref)) from None
    entries = []
    for entry in os.fsdecode(listing).split("\0"):
        if not entry:
            continue
        meta, path = entry.split("\t", 1)
        mode, kind, object_id = meta.split(" ")
        if kind == "blob" and mode in ("100644", "100755"):  # not symlinks or submodules
            entries.append((path, object_id))
    if not entries:
        return []
    batch = _git(cwd, ["cat-file", "--batch"], "".join(f"{oid}\n" for _, oid in entries).encode())
    return list(zip([path for path, _ in entries], _batch_contents(batch)))


def _batch_contents(output: bytes) -> list[bytes]:
    """The contents ``git cat-file --batch`` printed, in order: each is
    ``<oid> <type> <size>\\n<content>\\n``."""
    contents = []
    position = 0
    while position < len(output):
        header_end = output.index(b"\n", position)
        size = int(output[position:header_end].rsplit(b" ", 1)[1])
        start = header_end + 1
        contents.append(output[start : start + size])
        position = start + size + 1
    return contents


def _git(cwd: Path, args: Sequence[str], stdin: bytes | None = None) -> bytes:
    try:
        process = subprocess.run(
            ["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False
        )
    except OSError as error:
        raise GitError(f"cannot run git: {error}") from None
    if process.returncode != 0:
        lines = os.fsdecode(process.stderr).strip().splitlines()
        first = lines[0] if lines else f"git {args[0]} failed"
        raise GitError(first.removeprefix("fatal: "))
    return process.stdout


def _answer(cwd: Path, args: Sequence[str]) -> str | None:
    """git's one-line answer, or ``None`` when it has none."""
    try:
        return os.fsdecode(_git(cwd, args)).strip()
    except GitError:
        return None


def git_dir(cwd: Path) -> Path | None:
    """The repository's (or worktree's) git folder, where merge and rebase state live."""
    answer = _answer(cwd, ["rev-parse", "--absolute-git-dir"])
    return None if answer is None else Path(answer)


def commit_of(cwd: Path, ref: str) -> str | None:
    return _answer(cwd, ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"])


def upstream(cwd: Path) -> str | None:
    """The name of the current branch's upstream (``origin/main``), if it has one."""
    return _answer(cwd, ["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"])
