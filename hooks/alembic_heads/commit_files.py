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
from .discover import FileTree, load_order
from .findings import UsageError
from .paths import displayer
from .record import Record
from .revision_file import (
    ReadError,
    RevisionFile,
    is_compiled,
    is_revision_file_name,
    read_revision_bytes,
)
from .revision_reader import parse_revision_bytes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TypeAlias

    from .cache import RevisionCache
    from .paths import Displayer, StrPath

    # A revision file as read: its identifiers, or why it could not be read.
    Loaded: TypeAlias = RevisionFile | ReadError


def scripts_at(
    envs: Sequence[Environment], ref: str, cwd: StrPath, cache: RevisionCache | None = None
) -> list[list[Loaded]]:
    """Each environment's revision files as commit ``ref`` has them, in the
    order Alembic would load them, named as the user sees them; from the
    ``cache`` when it knows a blob. Raises :class:`UsageError` when ``ref``
    is not a commit git can read here."""
    [scripts] = read_trees([(envs, listing(envs, ref, cwd))], cwd, cache)
    return scripts


class Listing:
    """The files and symbolic links a commit or tree (``ref``) holds below
    the version folders: absolute path: (mode, blob id)."""

    __slots__ = ("ref", "entries", "commit")

    def __init__(self, ref: str, entries: dict[str, tuple[str, str]], commit: bool) -> None:
        self.ref = ref
        self.entries = entries
        self.commit = commit


def listing(envs: Sequence[Environment], ref: str, cwd: StrPath, commit: bool = True) -> Listing:
    """What commit (or, without ``commit``, tree) ``ref`` holds in the
    environments' folders, from one ``git ls-tree``. Raises
    :class:`UsageError` when git cannot read ``ref``."""
    try:
        found = git.entries_at(cwd, ref, version_folders(envs), commit)
    except git.GitError as error:
        raise UsageError(_unreadable(ref, str(error))) from None
    prefix = os.path.join(os.path.normpath(cwd), "")
    return Listing(
        ref, {git.absolute(path, prefix): (mode, oid) for path, mode, oid in found}, commit
    )


def read_trees(
    trees: Sequence[tuple[Sequence[Environment], Listing]],
    cwd: StrPath,
    cache: RevisionCache | None = None,
) -> list[list[list[Loaded]]]:
    """For each listing, each of its environments' revision files (as
    :func:`scripts_at`). What the cache does not know comes from one ``git
    cat-file --batch`` for all of them (and, when a listing holds symbolic
    links, one more to read where they point)."""
    listings = [tree for _, tree in trees]
    commit_trees = [CommitTree(_Links(tree, cwd)) for tree in listings]
    chosen = [
        [_chosen(env, commit_tree) for env in envs]
        for (envs, _), commit_tree in zip(trees, commit_trees, strict=False)
    ]
    wanted = {
        blob
        for per_env in chosen
        for paths in per_env
        for item in paths
        if (blob := item.blob) is not None and (cache is None or not cache.knows(blob))
    }
    contents = _contents(cwd, sorted(wanted), listings, chosen)
    return [[_read(paths, contents, cwd, cache) for paths in per_env] for per_env in chosen]


def _contents(
    cwd: StrPath,
    blobs: list[str],
    listings: Sequence[Listing],
    chosen: Sequence[Sequence[Sequence[_Chosen]]],
) -> dict[str, bytes]:
    try:
        return dict(zip(blobs, git.read_blobs(cwd, blobs), strict=False))
    except git.MissingObject as error:
        oid = str(error)
        ref, path = next(
            (tree.ref, item.path)
            for tree, per_env in zip(listings, chosen, strict=False)
            for paths in per_env
            for item in paths
            if item.blob == oid
        )
        raise UsageError(_missing(ref, displayer(cwd)(path), oid)) from None
    except git.GitError as error:  # pragma: no cover (git has just listed these blobs)
        raise UsageError(_unreadable(listings[0].ref, str(error))) from None


class _Links:
    """Where the symbolic links of a listing lead: a path of the same tree
    (its blob), or a file outside the repository (read from disk, as Alembic
    would after the merge), or nowhere."""

    def __init__(self, tree: Listing, cwd: StrPath) -> None:
        self.real: dict[str, str] = {}  # link: the path it leads to
        self.on_disk: set[str] = set()  # where links lead out of the repository
        self.entries = tree.entries  # and more of the tree, found through links
        if not any(mode == git.SYMLINK_MODE for mode, _ in tree.entries.values()):
            return
        self.entries = dict(tree.entries)
        targets: dict[str, str] = {}  # a link's blob: where it points
        asked: set[str] = set()
        top = None
        for _ in range(8):  # links into folders outside the listing, and on
            unread = sorted(
                {oid for mode, oid in self.entries.values() if mode == git.SYMLINK_MODE}
                - targets.keys()
            )
            try:
                targets.update(
                    zip(unread, map(os.fsdecode, git.read_blobs(cwd, unread)), strict=False)
                )
            except git.GitError as error:  # pragma: no cover (as a file's blob: _contents)
                raise UsageError(_unreadable(tree.ref, str(error))) from None
            self.real = {
                path: self._follow(path, targets)
                for path, (mode, _) in tree.entries.items()
                if mode == git.SYMLINK_MODE
            }
            elsewhere = {real for real in self.real.values() if real not in self.entries}
            if elsewhere and top is None:
                top = git.top_level(cwd) or os.sep
            self.on_disk = {real for real in elsewhere if top and not _within(real, top)}
            wanted = sorted(elsewhere - self.on_disk - asked)
            if not wanted:
                return
            asked.update(wanted)
            self.entries.update(_listing_of_paths(tree, wanted, cwd))

    def _follow(self, path: str, targets: dict[str, str]) -> str:
        for _ in range(40):  # as the system's limit on links followed
            entry = self.entries.get(path)
            if entry is None or entry[0] != git.SYMLINK_MODE or entry[1] not in targets:
                return path
            path = os.path.normpath(os.path.join(os.path.dirname(path), targets[entry[1]]))
        return path  # a loop: a link still, which leads to no file

    def blob(self, path: str) -> tuple[str, str | None]:
        """The path ``path`` leads to, and its blob (``None``: none there)."""
        real = self.real.get(path, path)
        entry = self.entries.get(real)
        return real, None if entry is None or entry[0] == git.SYMLINK_MODE else entry[1]


def _listing_of_paths(
    tree: Listing, paths: Sequence[str], cwd: StrPath
) -> dict[str, tuple[str, str]]:
    prefix = os.path.join(os.path.normpath(cwd), "")
    try:
        found = git.entries_at(cwd, tree.ref, paths, tree.commit)
    except git.GitError:  # pragma: no cover (the tree has just been listed)
        return {}
    return {git.absolute(path, prefix): (mode, oid) for path, mode, oid in found}


def _within(path: str, folder: str) -> bool:
    return path.startswith(os.path.join(os.path.normpath(folder), ""))


class _Chosen(Record):
    """A path an environment loads: where it leads (itself, unless a link),
    the blob there (``None``: not in the tree), and whether that is a file
    outside the repository, which Alembic would read from disk."""

    __slots__ = ("path", "real", "blob", "on_disk")

    def __init__(self, path: str, real: str, blob: str | None, on_disk: bool) -> None:
        self.path = path
        self.real = real
        self.blob = blob
        self.on_disk = on_disk


def _chosen(env: Environment, tree: CommitTree) -> list[_Chosen]:
    """The paths ``env`` loads, in Alembic's order (the working tree's
    :func:`~alembic_heads.discover.load_order`, on the commit's files)."""
    links = tree.links
    return [
        _Chosen(path, real, links.blob(path)[1], real in links.on_disk)
        for path, real in load_order(env, tree)
    ]


class CommitTree(FileTree):
    """A commit's (or tree's) files as :func:`~alembic_heads.discover.load_order`
    sees them: as git stores them, links as blobs that name their target."""

    def __init__(self, links: _Links) -> None:
        self.links = links
        # folder: (its files, name: whether a link; its subfolders)
        self.folders: dict[str, tuple[dict[str, bool], set[str]]] = {}
        for path, (mode, _) in links.entries.items():
            folder, name = os.path.split(path)
            self._folder(folder)[0][name] = mode == git.SYMLINK_MODE
        for path, real in links.real.items():  # a link to a folder: a folder, not entered
            if real in self.folders or (real in links.on_disk and os.path.isdir(real)):
                folder, name = os.path.split(path)
                del self.folders[folder][0][name]

    def _folder(self, folder: str) -> tuple[dict[str, bool], set[str]]:
        known = self.folders.get(folder)
        if known is None:
            known = self.folders[folder] = ({}, set())
            parent, name = os.path.split(folder)
            if name:
                self._folder(parent)[1].add(name)
        return known

    def scan(self, folder: str) -> tuple[dict[str, bool], list[str]] | None:
        known = self.folders.get(os.path.normpath(os.path.abspath(folder)))
        return None if known is None else (known[0], list(known[1]))

    def realpath(self, path: str) -> str:
        return self.links.real.get(os.path.normpath(path), os.path.normpath(path))

    def exists(self, path: str) -> bool:
        real, blob = self.links.blob(path)
        return blob is not None or (real in self.links.on_disk and os.path.isfile(real))


def _read(
    chosen: Sequence[_Chosen],
    contents: dict[str, bytes],
    cwd: StrPath,
    cache: RevisionCache | None,
) -> list[Loaded]:
    shown_as = displayer(cwd)
    scripts: list[Loaded] = []
    for item in chosen:
        try:
            scripts.append(_read_one(item, contents, cache, shown_as))
        except ReadError as error:
            scripts.append(error)
    return scripts


def _read_one(
    item: _Chosen,
    contents: dict[str, bytes],
    cache: RevisionCache | None,
    shown_as: Displayer,
) -> RevisionFile:
    if item.on_disk:  # a link out of the repository: the file there
        try:
            data, name = read_revision_bytes(item.real)
        except ReadError as error:  # pragma: no cover (a file root cannot read; shown as the link)
            raise ReadError(item.path, error.line, error.code, error.message, error.hint) from None
        return parse_revision_bytes(data, item.path, name)
    blob = item.blob
    if blob is None:
        raise ReadError(
            item.path,
            1,
            "unreadable",
            f"cannot read: No such file or directory (a link to {shown_as(item.real)})",
        )

    def parse() -> RevisionFile:
        return parse_revision_bytes(contents[blob], item.path, os.path.basename(item.real))

    return parse() if cache is None else cache.recalled_or(blob, item.path, parse)


class LoadOrder:
    """Where Alembic loads a path (absolute) in ``env``, as a sort key;
    ``None``: it does not. The key of :func:`~alembic_heads.discover.load_order`'s
    order, for files that come from two trees (``--against``'s merge):
    version locations in turn, each folder's files (sorted), then its
    compiled files from ``__pycache__`` (``sourceless``), then its subfolders
    (sorted) when ``recursive_version_locations`` is on.
    """

    def __init__(self, env: Environment) -> None:
        self.recursive = env.recursive
        self.sourceless = env.sourceless
        self.prefixes = [
            os.path.join(os.path.normpath(os.path.abspath(location)), "")
            for location in env.version_locations
        ]

    def __call__(
        self, path: str, real: str | None = None
    ) -> tuple[int, tuple[str, ...], tuple[bool, str]] | None:
        """``real``: where ``path``, a link, leads; Alembic judges a file by that name."""
        for index, prefix in enumerate(self.prefixes):
            if not path.startswith(prefix) or len(path) == len(prefix):
                continue
            parts = tuple(path[len(prefix) :].split(os.sep))
            folders, name = parts[:-1], parts[-1]
            cached = self.sourceless and folders[-1:] == ("__pycache__",) and is_compiled(name)
            if cached:  # loaded with the folder above, after its own files
                folders = folders[:-1]
            if (folders and not self.recursive) or "__pycache__" in folders:
                continue
            judged = name if real is None or real == path else os.path.basename(real)
            if not is_revision_file_name(judged, self.sourceless):
                continue
            return (index, folders, (cached, name))
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


def _missing(ref: str, path: str, oid: str) -> str:
    return (
        f"cannot read {ref}:{path} from git (its blob {oid} is missing from the object "
        "store): fetch what is missing (git fetch origin), or repair the clone (git fsck)"
    )
