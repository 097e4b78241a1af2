"""The revision files a commit holds, read from git objects (no checkout).

Used for a commit other than the working tree: the target branch of
``check --against REF``, and the commit ``pre-push`` is about to send. Every
graph's files come from one ``git ls-tree`` and one ``git cat-file --batch``,
however many revisions there are.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from . import git
from .config import Environment, version_folders
from .findings import UsageError
from .paths import displayer
from .revision_file import ReadError, RevisionFile, is_revision_file_name, parse_revision_source

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TypeAlias

    from .cache import RevisionCache
    from .paths import StrPath

    # A revision file as read: its identifiers, or why it could not be read.
    Loaded: TypeAlias = RevisionFile | ReadError


def scripts_at(
    envs: Sequence[Environment], ref: str, cwd: StrPath, cache: RevisionCache | None = None
) -> list[list[Loaded]]:
    """Each environment's revision files as commit ``ref`` has them, in the
    order Alembic would load them, named as the user sees them; from the
    ``cache`` when it knows a blob. Raises :class:`UsageError` when ``ref``
    is not a commit git can read here."""
    folders = version_folders(envs)
    try:
        listing = git.blobs_at(cwd, ref, folders)
        prefix = os.path.join(os.path.normpath(cwd), "")
        blobs = {git.absolute(path, prefix): oid for path, oid in listing}
        chosen = [_chosen(env, blobs) for env in envs]
        wanted = {
            blobs[path]
            for paths in chosen
            for path in paths
            if cache is None or not cache.knows(blobs[path])
        }
        contents = dict(zip(wanted, git.read_blobs(cwd, list(wanted)), strict=False))
    except git.GitError as error:
        raise UsageError(_unreadable(ref, str(error))) from None
    return [_read(paths, blobs, contents, cwd, cache) for paths in chosen]


def _chosen(env: Environment, blobs: dict[str, str]) -> list[str]:
    """The paths ``env`` loads, in Alembic's order."""
    order = LoadOrder(env)
    keyed = [(key, path) for path in blobs if (key := order(path)) is not None]
    return [path for _, path in sorted(keyed)]


def _read(
    paths: Sequence[str],
    blobs: dict[str, str],
    contents: dict[str, bytes],
    cwd: StrPath,
    cache: RevisionCache | None,
) -> list[Loaded]:
    shown_as = displayer(cwd)
    scripts: list[Loaded] = []
    for path in paths:
        shown, blob = shown_as(path), blobs[path]

        def parse(blob: str = blob, shown: str = shown, path: str = path) -> RevisionFile:
            return parse_revision_source(contents[blob], shown, os.path.basename(path))

        try:
            scripts.append(parse() if cache is None else cache.recalled_or(blob, shown, parse))
        except ReadError as error:
            scripts.append(error)
    return scripts


class LoadOrder:
    """Where Alembic loads a path (absolute) in ``env``; ``None``: it does not.

    Mirrors ``discover.revision_paths``: version locations in turn, each
    folder's files (sorted) before its subfolders (sorted), subfolders only
    when ``recursive_version_locations`` is on, ``__pycache__`` skipped.
    """

    def __init__(self, env: Environment) -> None:
        self.recursive = env.recursive
        self.prefixes = [
            os.path.join(os.path.normpath(os.path.abspath(location)), "")
            for location in env.version_locations
        ]

    def __call__(self, path: str) -> tuple[int, tuple[str, ...], str] | None:
        for index, prefix in enumerate(self.prefixes):
            if not path.startswith(prefix) or len(path) == len(prefix):
                continue
            parts = tuple(path[len(prefix) :].split(os.sep))
            folders, name = parts[:-1], parts[-1]
            if folders and not self.recursive:
                continue
            if "__pycache__" in folders or not is_revision_file_name(name):
                continue
            return (index, folders, name)
        return None


def _unreadable(ref: str, reason: str) -> str:
    from shlex import quote  # only this message needs it (it imports re)

    if ref.startswith("origin/"):
        branch = ref.split("/", 1)[1]
        fetch = f"git fetch --depth=1 origin {quote(f'{branch}:refs/remotes/origin/{branch}')}"
    else:
        fetch = (
            f"git fetch --depth=1 origin {quote(f'{ref}:refs/remotes/origin/{ref}')}, "
            f"then pass {quote(f'origin/{ref}')}"
        )
    return (
        f"cannot read {ref} from git ({reason}): name a branch, tag or commit this "
        f"clone has (a shallow CI clone must fetch it first: {fetch})"
    )
