"""The revision files there will be once this branch and REF meet.

Where git can (2.38 and newer), git says: ``git merge-tree --write-tree``
makes the very tree ``git merge`` would, merge bases, line merges and rename
detection included, and its revision files are read by blob id. A conflict in
a versions folder is reported as one: the merge stops there.

Older git, or two sides without a commit in common (a shallow clone), get an
estimate: the union of both sides, where a revision id (or a file) on both
sides is one revision and this branch's copy is the one read, and a file this
branch deleted that REF still has as it was where the branch started is
deleted by the merge too.

What is only here is *this branch's own* work: not on REF, so not deployed
from it, and free to move.
"""

from __future__ import annotations

import os

from . import git
from .commit_files import Listing, LoadOrder, listing, read_trees
from .config import Environment, version_folders
from .findings import Finding
from .record import Record, replace
from .revision_file import ReadError, RevisionFile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Sequence

    from .cache import RevisionCache
    from .commit_files import Loaded
    from .paths import StrPath


class Merged(Record):
    """The merged side's files, in load order, the ids only this branch has,
    and the conflicts git's merge leaves in the versions folders.

    A file not as this branch has it (only REF has it, or the merge changes
    it) carries REF as its ``ref`` (shown ``REF:path``, as ``git show`` names REF's files).
    """

    __slots__ = ("files", "own", "conflicts")
    __hash__ = None  # type: ignore[assignment]  # it holds a list

    def __init__(
        self, files: list[Loaded], own: frozenset[str], conflicts: list[Finding] | None = None
    ) -> None:
        self.files = files
        self.own = own
        self.conflicts = [] if conflicts is None else conflicts


def merge_with(
    envs: Sequence[Environment],
    ours: Sequence[Sequence[Loaded]],
    at: str | None,
    ref: str,
    cwd: StrPath,
    cache: RevisionCache | None = None,
    unstaged: Sequence[str] = (),
) -> list[Merged]:
    """Each environment's files once this branch (commit ``at``, or the files
    git tracks, as on disk) and ``ref`` are merged; ``unstaged``: the tracked
    files that may differ from what git has staged. Raises
    :class:`~alembic_heads.findings.UsageError` when git cannot read ``ref``.

    git processes: ``ls-tree`` of REF; ``write-tree`` and ``commit-tree``
    (this side as a commit, unless ``at``; with ``unstaged``, ``rev-parse``
    and ``add`` to a copy of the index first); ``merge-tree``; ``ls-tree`` of
    its tree; one ``cat-file`` for blobs the cache does not know. When REF
    moved a versions folder: ``rev-parse``, ``diff-tree`` and one more ``ls-tree``.
    """
    theirs_listing = listing(envs, ref, cwd)
    ours_commit = git.work_tree_commit(cwd, unstaged) if at is None else at
    made = None if ours_commit is None else git.merge_tree(cwd, ours_commit, ref)
    if ours_commit is None or made is None:
        [theirs] = read_trees([(envs, theirs_listing)], cwd, cache)
        deleted = merge_deletions(envs, ours, theirs, at, ref, cwd)
        return [
            merge_files(env, ours[index], theirs[index], ref, cwd, deleted)
            for index, env in enumerate(envs)
        ]
    merged_listing = listing(envs, made.tree, cwd, commit=False)
    merged_envs = _moved(envs, ours, merged_listing, ours_commit, made.tree, cwd)
    if merged_envs is not envs:
        merged_listing = listing(merged_envs, made.tree, cwd, commit=False)
    theirs, merged = read_trees([(envs, theirs_listing), (merged_envs, merged_listing)], cwd, cache)
    conflicts = _conflicts(merged_envs, made.conflicts, ref, cwd)
    return [
        _named(ours[index], theirs[index], merged[index], ref, conflicts[index])
        for index in range(len(envs))
    ]


def _moved(
    envs: Sequence[Environment],
    ours: Sequence[Sequence[Loaded]],
    merged: Listing,
    ours_commit: str,
    tree: str,
    cwd: StrPath,
) -> Sequence[Environment]:
    """``envs`` with each version location that the merge empties, though
    this side has revisions there, moved to where git's rename detection
    says its files went (REF moved the folder); ``envs`` itself when none moved."""
    cwd = os.path.normpath(os.path.abspath(cwd))
    vanished = [
        location
        for env, files in zip(envs, ours, strict=False)
        for location in env.version_locations
        if _holds(location, (os.path.join(cwd, item.path) for item in files))
        and not _holds(location, merged.entries)
    ]
    if not vanished:
        return envs
    top = git.top_level(cwd)
    if top is None:  # pragma: no cover (git has just merged here)
        return envs
    renames = [
        (os.path.join(top, old), os.path.join(top, new))
        for old, new in git.renames(cwd, ours_commit, tree)
    ]
    moved = {
        location: destination
        for location in vanished
        if (destination := _destination(location, renames)) is not None
    }
    if not moved:
        return envs
    return [
        replace(env, version_locations=tuple(moved.get(loc, loc) for loc in env.version_locations))
        for env in envs
    ]


def _holds(location: str, paths: Iterable[str]) -> bool:
    prefix = os.path.join(location, "")
    return any(path.startswith(prefix) for path in paths)


def _destination(location: str, renames: Sequence[tuple[str, str]]) -> str | None:
    """Where most of the files renamed out of ``location`` went, as the
    folder that holds them as ``location`` did."""
    prefix = os.path.join(location, "")
    counted: dict[str, int] = {}
    for old, new in renames:
        if old.startswith(prefix):
            inside = old[len(prefix) :]
            if new.endswith(os.sep + inside):
                folder = new[: -len(inside) - 1]
                counted[folder] = counted.get(folder, 0) + 1
    return max(counted, key=lambda folder: counted[folder]) if counted else None


def _named(
    ours: Sequence[Loaded],
    theirs: Sequence[Loaded],
    merged: Sequence[Loaded],
    ref: str,
    conflicts: list[Finding],
) -> Merged:
    mine = {item.path: item for item in ours}
    files = [item if _same(mine.get(item.path), item) else _of_ref(item, ref) for item in merged]
    return Merged(files, _ids(ours) - _ids(theirs), conflicts)


def _same(mine: Loaded | None, merged: Loaded) -> bool:
    if isinstance(mine, ReadError) and isinstance(merged, ReadError):
        return (mine.line, mine.code, mine.message) == (merged.line, merged.code, merged.message)
    return mine == merged


def _ids(files: Sequence[Loaded]) -> frozenset[str]:
    return frozenset(item.revision for item in files if isinstance(item, RevisionFile))


def _conflicts(
    envs: Sequence[Environment], conflicted: dict[str, list[str]], ref: str, cwd: StrPath
) -> list[list[Finding]]:
    """Each environment's files git's merge leaves conflicted, as findings."""
    found: list[list[Finding]] = [[] for _ in envs]
    top = git.top_level(cwd) if conflicted else None
    if top is None:
        return found
    orders = [LoadOrder(env) for env in envs]
    for name, messages in sorted(conflicted.items()):
        path = os.path.normpath(os.path.join(top, name))
        for index, order in enumerate(orders):
            if order(path) is not None:
                why = "; ".join(messages) or "CONFLICT"
                found[index].append(
                    Finding(
                        path,
                        1,
                        "merge-conflict",
                        f"git's merge with {ref} stops here: {why}",
                        "resolve it (merge or rebase onto "
                        f"{ref} and fix the file), then check again",
                    )
                )
    return found


def merge_files(
    env: Environment,
    ours: Sequence[Loaded],
    theirs: Sequence[Loaded],
    ref: str,
    cwd: StrPath,
    deleted: tuple[Collection[str], Collection[str]] = ((), ()),
) -> Merged:
    """``env``'s files once merged; ``deleted`` (absolute paths) are the files
    of REF this branch deleted, then the files of this branch REF deleted,
    that the merge deletes (:func:`merge_deletions`)."""
    deleted_by_us, deleted_by_them = deleted
    ours = [item for item in ours if item.path not in deleted_by_them]
    our_paths = {item.path for item in ours}
    our_ids = {item.revision for item in ours if isinstance(item, RevisionFile)}
    their_ids = {item.revision for item in theirs if isinstance(item, RevisionFile)}
    only_theirs = [
        item
        for item in theirs
        if item.path not in our_paths
        and item.path not in deleted_by_us
        and not (isinstance(item, RevisionFile) and item.revision in our_ids)
    ]
    order, folder = LoadOrder(env), str(cwd)
    placed = [(_place(order, item, folder), item) for item in ours]
    placed += [(_place(order, item, folder), _of_ref(item, ref)) for item in only_theirs]
    placed.sort(key=lambda pair: pair[0])
    return Merged([item for _, item in placed], frozenset(our_ids - their_ids))


def merge_deletions(
    envs: Sequence[Environment],
    ours: Sequence[Sequence[Loaded]],
    theirs: Sequence[Sequence[Loaded]],
    at: str | None,
    ref: str,
    cwd: StrPath,
) -> tuple[frozenset[str], frozenset[str]]:
    """What git's merge deletes (absolute paths): the files of REF this branch
    (``at``, or the index) deleted, and the files of this branch REF deleted,
    each unchanged on the other side since the two forked. A branch that
    squashes old migrations into a new base does not get REF's copies back,
    and a branch started before REF squashed its own loses them too. Nothing
    when git does not know where the two forked (a shallow clone): then every
    file of both sides counts."""
    nothing: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
    our_paths = {item.path for items in ours for item in items}
    their_paths = {item.path for items in theirs for item in items}
    if our_paths == their_paths:
        return nothing
    fork = git.merge_base(cwd, at or "HEAD", ref)
    top = git.top_level(cwd)
    if fork is None or top is None:
        return nothing
    folders = version_folders(envs)
    here = git.changes_since(cwd, top, fork, at, folders)
    there = git.changes_since(cwd, top, fork, ref, folders)
    if here is None or there is None:  # pragma: no cover (git has just named the fork)
        return nothing
    return (
        frozenset(path for path, status in here.items() if status == "D" and path not in there),
        frozenset(path for path, status in there.items() if status == "D" and path not in here),
    )


def _place(
    order: LoadOrder, item: Loaded, cwd: str
) -> tuple[int, tuple[str, ...], tuple[bool, str]]:
    return order(os.path.normpath(os.path.join(cwd, item.path))) or (0, (), (False, item.path))


def _of_ref(item: Loaded, ref: str) -> Loaded:
    if isinstance(item, RevisionFile):
        return replace(item, ref=ref)
    return ReadError(item.path, item.line, item.code, item.message, item.hint, ref)
