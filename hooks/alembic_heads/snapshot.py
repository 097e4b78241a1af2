"""The revision files a commit holds, read from git objects (no checkout).

Used for a commit other than the working tree: the target branch of
``check --against REF``, and the commit ``pre-push`` is about to send. Every
graph's files come from one ``git ls-tree`` and one ``git cat-file --batch``,
however many revisions there are.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Union

from . import git
from .config import Environment
from .findings import UsageError
from .paths import display
from .revision_file import ReadError, RevisionFile, is_revision_file_name, parse_revision_source

Loaded = Union[RevisionFile, ReadError]
"""A revision file as read: its identifiers, or why it could not be read."""


def scripts_at(envs: Sequence[Environment], ref: str, cwd: Path) -> list[list[Loaded]]:
    """Each environment's revision files as commit ``ref`` has them, in the
    order Alembic would load them, named as the user sees them. Raises
    :class:`UsageError` when ``ref`` is not a commit git can read here."""
    folders = list(dict.fromkeys(loc for env in envs for loc in env.version_locations))
    try:
        files = git.files_at(cwd, ref, folders)
    except git.GitError as error:
        raise UsageError(_unreadable(ref, str(error))) from None
    contents = {os.path.normpath(cwd / path): data for path, data in files}
    return [_environment_scripts(env, contents, cwd) for env in envs]


def _environment_scripts(env: Environment, contents: dict[str, bytes], cwd: Path) -> list[Loaded]:
    chosen = sorted((key, path) for path in contents if (key := load_order(env, path)) is not None)
    scripts: list[Loaded] = []
    for _, path in chosen:
        shown = display(path, cwd)
        try:
            scripts.append(parse_revision_source(contents[path], shown, os.path.basename(path)))
        except ReadError as error:
            scripts.append(error)
    return scripts


def load_order(env: Environment, path: str) -> tuple[int, tuple[str, ...], str] | None:
    """Where Alembic loads ``path`` (absolute) in ``env`` (``None``: it does not).

    Mirrors ``discover.revision_paths``: version locations in turn, each
    folder's files (sorted) before its subfolders (sorted), subfolders only
    when ``recursive_version_locations`` is on, ``__pycache__`` skipped.
    """
    for index, location in enumerate(env.version_locations):
        relative = os.path.relpath(path, os.path.normpath(os.path.abspath(location)))
        parts = tuple(relative.split(os.sep))
        if parts[0] == os.pardir or relative == os.curdir:
            continue
        folders, name = parts[:-1], parts[-1]
        if folders and not env.recursive:
            continue
        if "__pycache__" in folders or not is_revision_file_name(name):
            continue
        return (index, folders, name)
    return None


def _unreadable(ref: str, reason: str) -> str:
    if ref.startswith("origin/"):
        branch = ref.split("/", 1)[1]
        fetch = f"git fetch --depth=1 origin {branch}:refs/remotes/origin/{branch}"
    else:
        fetch = (
            f"git fetch --depth=1 origin {ref}:refs/remotes/origin/{ref}, then pass origin/{ref}"
        )
    return (
        f"cannot read {ref} from git ({reason}): name a branch, tag or commit this "
        f"clone has (a shallow CI clone must fetch it first: {fetch})"
    )
