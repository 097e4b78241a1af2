"""The revision files there will be once this branch and REF meet.

Git merges revision files like any others, and two branches almost never touch
the same one, so the merged graph is the union of both sides: a revision id
(or a file) on both sides is one revision, and this branch's copy is the one
read; a file this branch deleted that REF still has as it was where the
branch started is deleted by the merge too. What is only here is *this
branch's own* work: not on REF, so not deployed from it, and free to move.
"""

from __future__ import annotations

import os

from . import git
from .config import Environment, version_folders
from .paths import displayer
from .record import Record, replace
from .revision_file import ReadError, RevisionFile
from .snapshot import LoadOrder

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from .paths import StrPath
    from .snapshot import Loaded


class Merged(Record):
    """The merged side's files, in load order, and the ids only this branch has.

    Files only REF has keep a ``REF:path`` name, the way ``git show`` names them.
    """

    __slots__ = ("scripts", "own")
    __hash__ = None  # type: ignore[assignment]  # it holds a list

    def __init__(self, scripts: list[Loaded], own: frozenset[str]) -> None:
        self.scripts = scripts
        self.own = own


def merge_scripts(
    env: Environment,
    ours: Sequence[Loaded],
    theirs: Sequence[Loaded],
    ref: str,
    cwd: StrPath,
    deleted: tuple[Collection[str], Collection[str]] = ((), ()),
) -> Merged:
    """``env``'s files once merged; ``deleted`` (paths as shown) are the files
    of REF, then of this branch, that the merge deletes (:func:`merge_deletions`)."""
    deleted_here, deleted_there = deleted
    ours = [item for item in ours if item.path not in deleted_there]
    our_paths = {item.path for item in ours}
    our_ids = {item.revision for item in ours if isinstance(item, RevisionFile)}
    their_ids = {item.revision for item in theirs if isinstance(item, RevisionFile)}
    only_theirs = [
        item
        for item in theirs
        if item.path not in our_paths
        and item.path not in deleted_here
        and not (isinstance(item, RevisionFile) and item.revision in our_ids)
    ]
    order, folder = LoadOrder(env), str(cwd)
    placed = [(_place(order, item, folder), item) for item in ours]
    placed += [
        (_place(order, item, folder), _renamed(item, f"{ref}:{item.path}")) for item in only_theirs
    ]
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
    """What git's merge deletes, as shown: the files of REF this branch
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
    shown_as = displayer(cwd)
    return (
        frozenset(
            shown_as(path) for path, status in here.items() if status == "D" and path not in there
        ),
        frozenset(
            shown_as(path) for path, status in there.items() if status == "D" and path not in here
        ),
    )


def _place(order: LoadOrder, item: Loaded, cwd: str) -> tuple[int, tuple[str, ...], str]:
    return order(os.path.normpath(os.path.join(cwd, item.path))) or (0, (), item.path)


def _renamed(item: Loaded, path: str) -> Loaded:
    if isinstance(item, RevisionFile):
        return replace(item, path=path)
    return ReadError(path, item.line, item.code, item.message, item.hint)
