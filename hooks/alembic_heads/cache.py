"""What revision files said, kept between runs by git blob id.

A blob id names exact contents, so a file git reports unchanged since it was
staged need not be read again: its identifiers are whatever they were the
last time those contents were read. A file git cannot vouch for (outside a
work tree, changed since it was staged, read through the API) is read and its
blob id computed from what it holds (SHA-1, as git does), which still spares
the parse: an edit, however small and whatever its timestamps, is another id.
One small file per set of version locations, under ``$ALEMBIC_HEADS_CACHE_DIR``
or ``$XDG_CACHE_HOME/alembic-heads`` (``~/.cache/alembic-heads``). It is
rewritten only when it changed, and then holds only the entries of that run,
so it never grows past one history; files no run has rewritten for 30 days are
removed. Anything wrong with it (missing, unreadable, another version) is an
empty cache.
"""

from __future__ import annotations

import marshal
import os

from . import memo
from .cache_folder import cache_path, file_key, keep
from .revision_file import RevisionFile, read_revision_bytes
from .revision_reader import parse_revision_bytes, read_revision_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import TypeGuard

# Bump when what is stored, or how a file is read, changes.
FORMAT = 4

_Entry = tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...], str, dict[str, int], bool]
# A file's size, modification and change times and inode, and the blob it held then.
_Stat = tuple[int, int, int, int]
_Seen = tuple[_Stat, str]


def blob_id(data: bytes) -> str:
    """The id git gives a blob holding ``data``. ``_sha1`` is built in and loads
    in a fraction of the time ``hashlib`` (OpenSSL) takes."""
    try:
        from _sha1 import sha1  # type: ignore[import-not-found]
    except ImportError:  # pragma: no cover - an interpreter built without it
        from hashlib import sha1
    digest: str = sha1(b"blob %d\0%b" % (len(data), data)).hexdigest()
    return digest


class RevisionCache:
    """Revision files recalled by the git blob id of their contents."""

    def __init__(self, locations: Sequence[str]) -> None:
        self.path = cache_path(f"revisions-{file_key(chr(0).join(locations))}.marshal")
        self.used: dict[str, _Entry] = {}
        self.seen: dict[str, _Seen] = {}  # this run's files that git did not vouch for
        self._entries: dict[str, _Entry] | None = None
        self._seen_before: dict[str, object] = {}

    @property
    def entries(self) -> dict[str, _Entry]:
        """What the last run kept, read when first asked for."""
        if self._entries is None:
            self._load()
        assert self._entries is not None
        return self._entries

    def _load(self) -> None:
        self._entries = {}
        try:
            with open(self.path, "rb") as handle:
                stored = marshal.loads(handle.read())  # load(handle) reads in small pieces
            if (
                isinstance(stored, tuple)
                and len(stored) == 3
                and stored[0] == FORMAT
                and isinstance(stored[1], dict)
                and isinstance(stored[2], dict)
            ):
                self._entries, self._seen_before = stored[1], stored[2]
        except (OSError, EOFError, ValueError, TypeError):
            pass

    def _seen_last_time(self, path: str) -> object:
        """``(status, blob)`` of ``path`` as the last run saw it (or whatever a
        damaged file holds: the caller believes only what fits)."""
        if self._entries is None:
            self._load()
        return self._seen_before.get(path)

    def read(self, path: str, blob: str | None = None) -> RevisionFile:
        """:func:`~alembic_heads.revision_reader.read_revision_file`, recalled by
        ``blob`` (the id of the blob git says the file holds), or else by the
        id of what the file holds now."""
        if blob is not None:
            return self.recalled_or(blob, path, lambda: read_revision_file(path))
        status = _status(path)
        before = self._seen_last_time(path)
        if status is not None and type(before) is tuple and before[0] == status:
            # The same size, times and inode as when it held that blob: git's
            # own test of a clean file, so the file need not even be read.
            script = self.recall(before[1], path)
            if script is not None:
                self.seen[path] = (status, before[1])
                return script
        data, name = read_revision_bytes(path)
        blob = blob_id(data)
        if status is not None and _settled(status):
            self.seen[path] = (status, blob)
        return self.recalled_or(blob, path, lambda: parse_revision_bytes(data, path, name))

    def recalled_or(
        self, blob: str | None, path: str, read: Callable[[], RevisionFile]
    ) -> RevisionFile:
        """The revision file at ``path`` with contents ``blob``, recalled, or
        ``read()`` and remembered when the cache does not know it."""
        # (a name ending in a line break is refused whatever the file holds)
        script = None if blob is None or path.endswith("\n") else self.recall(blob, path)
        if script is None:
            script = read()
            if blob is not None:
                self.remember(blob, script)
        return script

    def knows(self, blob: str) -> bool:
        return _well_formed(self.entries.get(blob))

    def recall(self, blob: str, path: str) -> RevisionFile | None:
        """The revision file whose contents are ``blob``, read before, as ``path``."""
        entry = self.entries.get(blob)
        if not _well_formed(entry):
            return None
        self.used[blob] = entry
        revision, down, labels, depends, doc, lines, has_down = entry
        return RevisionFile(path, revision, down, labels, depends, doc, lines, has_down)

    def remember(self, blob: str, script: RevisionFile) -> None:
        # The file name matters only to a file that does not declare
        # ``revision`` (Alembic then takes it from the name), and another
        # file to one whose value was read there: neither is kept.
        if "revision" in script.lines and not script.read_from:
            self.used[blob] = (
                script.revision,
                script.down_revision,
                script.branch_labels,
                script.depends_on,
                script.doc,
                script.lines,
                script.has_down_revision,
            )

    def save(self) -> None:
        """Keep this run's entries for the next run, if it used any and they
        differ from the last."""
        if not self.used or (self.used == self.entries and self.seen == self._seen_before):
            return
        stored = (FORMAT, _shared_lines(self.used), self.seen)
        if keep(self.path, marshal.dumps(stored)):
            _forget_unused(os.path.dirname(self.path))


def _status(path: str) -> _Stat | None:
    """What says a regular file changed (``None`` for anything else: reading
    it says what it is)."""
    try:
        status = os.stat(path)
    except (OSError, ValueError):
        return None
    if status.st_mode & 0o170000 != 0o100000:
        return None
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)


def _settled(status: _Stat) -> bool:
    return memo.settled(status[1], status[2])


def _well_formed(entry: object) -> TypeGuard[_Entry]:
    """Whether ``entry`` is what :meth:`RevisionCache.remember` stores: a
    cache file written by hand, or by another program, is not believed."""
    if type(entry) is not tuple or len(entry) != 7:
        return False
    revision, down, labels, depends, doc, lines, has_down = entry
    return (
        type(revision) is str
        and all(
            type(ids) is tuple and all(type(i) is str for i in ids)
            for ids in (down, labels, depends)
        )
        and type(doc) is str
        and type(lines) is dict
        and all(type(k) is str and type(v) is int for k, v in lines.items())
        and type(has_down) is bool
    )


def _forget_unused(folder: str, days: int = 30) -> None:
    """Remove the files of histories (and :mod:`~alembic_heads.memo` files of
    configurations) no run has saved for ``days`` (a project deleted, a
    temporary folder of a test suite): the folder does not grow."""
    import time

    cutoff = time.time() - days * 86400
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                kept = entry.name.startswith(("revisions-", "ini-", "toml-"))
                if kept and entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
    except OSError:  # pragma: no cover (another run removed a file first: it forgets the rest)
        return


def _shared_lines(entries: dict[str, _Entry]) -> dict[str, _Entry]:
    """``entries`` with equal ``lines`` made one object, which marshal then
    stores once: most files of a history put their identifiers on the same lines."""
    shared: dict[tuple[tuple[str, int], ...], dict[str, int]] = {}
    result = {}
    for blob, entry in entries.items():
        lines = shared.setdefault(tuple(entry[5].items()), entry[5])
        result[blob] = (*entry[:5], lines, entry[6])
    return result
