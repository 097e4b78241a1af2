"""Writing files so that no reader ever sees half of one, and nothing is
overwritten by surprise.

The new content goes to a temporary file in the same folder, is flushed to
disk, and only then takes the file's name: a new file by ``os.link`` (which
fails when the name exists, so a file someone else made is never replaced),
an existing one by ``os.replace``. A crash at any point leaves either no file
or the whole file under the final name, never an empty or partial one; the
temporary file (``.NAME.XXXX.tmp``, which Alembic does not load) is removed
on every way out but a kill.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


class LinkedFile(OSError):
    """A file reached through a symbolic link, or with other hard links: replacing
    it would cut the link and leave the file behind it unchanged."""


class ChangedFile(OSError):
    """The file is no longer what was read: writing would lose what changed."""


def create_file(path: Path, data: bytes) -> None:
    """Write a new file, durably; :class:`FileExistsError` if ``path`` exists."""
    with _temporary(path, data, durable=True) as temporary:
        try:
            os.link(temporary, path)  # fails when the name is taken: nothing is replaced
        except OSError as error:
            if error.errno in _NO_HARD_LINKS:  # pragma: no cover - FAT, some network mounts
                _rename_unless_taken(temporary, path)
            else:
                raise
    _sync_folder(path.parent)


def _rename_unless_taken(temporary: str, path: Path) -> None:  # pragma: no cover
    """Without hard links, the name is checked, then taken (a narrow race)."""
    if os.path.lexists(path):
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path))
    os.replace(temporary, path)


def replace_file(path: Path, data: bytes, original: bytes) -> None:
    """Replace an existing file's content, durably, keeping its permissions;
    :class:`ChangedFile` when it no longer holds ``original`` (what the caller
    read and edited): checked at the last moment, just before the replace."""
    if path.is_symlink() or path.stat().st_nlink > 1:
        raise LinkedFile(f"{path} is a link: not replacing it (edit the file it links to)")
    mode = path.stat().st_mode
    with _temporary(path, data, durable=True, mode=mode) as temporary:
        if path.read_bytes() != original:
            raise ChangedFile(f"{path} changed since it was read: not writing over it")
        os.replace(temporary, path)
    _sync_folder(path.parent)


@contextlib.contextmanager
def written_or_refused(shown: str, failure: str) -> Iterator[None]:
    """Writing a user's file in the block: one that changed since it was read
    is not written over, and that, or any failure to write (``failure``: what
    the message starts with), is a :class:`~.findings.UsageError`."""
    from .findings import UsageError

    try:
        yield
    except ChangedFile:
        raise UsageError(
            f"{shown} changed since it was read: not writing over it (run the command again)"
        ) from None
    except OSError as error:
        raise UsageError(f"{failure}: {error.strerror or error}") from None


def write_file(path: Path, data: bytes) -> None:
    """Create ``path`` or replace its content atomically, for files the tool
    owns (its cache): not flushed to disk, since a lost one is an empty one."""
    with _temporary(path, data, durable=False) as temporary:
        os.replace(temporary, path)


# link(2) says so on file systems without hard links (FAT, some network mounts).
_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EMLINK}


@contextlib.contextmanager
def _temporary(path: Path, data: bytes, durable: bool, mode: int | None = None) -> Iterator[str]:
    """A new file beside ``path`` holding ``data`` (with ``mode``'s permissions,
    else a new file's), removed when the block ends: by then a link or a
    rename has given the content its name, or something went wrong."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    temporary = None
    try:
        # Named before it is made, inside the ``try``: a Ctrl-C that lands just
        # after ``os.open`` returns still finds the name to remove.
        while True:
            temporary = os.path.join(path.parent, f".{path.name}.{os.urandom(4).hex()}.tmp")
            try:
                handle = os.open(temporary, flags, 0o666)  # less the umask, as any new file
                break
            except FileExistsError:  # pragma: no cover - 32 random bits taken: not ours
                temporary = None
        if mode is not None:
            os.chmod(temporary, stat.S_IMODE(mode))
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view) :]
            if durable:
                os.fsync(handle)
        finally:
            os.close(handle)
        yield temporary
    finally:
        if temporary is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)


def _sync_folder(folder: Path) -> None:
    """Flush the folder's entry for the new name (best effort: not every
    system can open a folder for it)."""
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
