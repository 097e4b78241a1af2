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
from .config import Environment
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
    deleted_here: Collection[str] = (),
) -> Merged:
    """``env``'s files once merged; ``deleted_here`` (paths as shown) are
    files of REF the merge deletes (:func:`deleted_here`)."""
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


def deleted_here(
    envs: Sequence[Environment],
    ours: Sequence[Sequence[Loaded]],
    theirs: Sequence[Sequence[Loaded]],
    at: str | None,
    ref: str,
    cwd: StrPath,
) -> frozenset[str]:
    """The files (as shown) of REF that this branch (``at``, or ``HEAD``) has
    deleted and REF has not changed since the branch started: git's merge
    deletes them, so a branch that squashes old migrations into one does not
    get them back. Empty when REF has no file this branch lacks, or when git
    does not know where the two forked (a shallow clone): then REF's files
    all count."""
    our_paths = {item.path for items in ours for item in items}
    if all(item.path in our_paths for items in theirs for item in items):
        return frozenset()
    fork = git.merge_base(cwd, at or "HEAD", ref)
    if fork is None:
        return frozenset()
    folders = list(dict.fromkeys(loc for env in envs for loc in env.version_locations))
    try:
        at_fork = dict(git.blobs_at(cwd, fork, folders))
        at_ref = git.blobs_at(cwd, ref, folders)
    except git.GitError:  # pragma: no cover (git has just named the fork; REF was read)
        return frozenset()
    shown_as, prefix = displayer(cwd), os.path.join(os.path.normpath(cwd), "")
    return frozenset(
        shown_as(git.absolute(path, prefix)) for path, blob in at_ref if at_fork.get(path) == blob
    )


def _place(order: LoadOrder, item: Loaded, cwd: str) -> tuple[int, tuple[str, ...], str]:
    return order(os.path.normpath(os.path.join(cwd, item.path))) or (0, (), item.path)


def _renamed(item: Loaded, path: str) -> Loaded:
    if isinstance(item, RevisionFile):
        return replace(item, path=path)
    return ReadError(path, item.line, item.code, item.message, item.hint)
