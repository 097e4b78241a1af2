"""What a configuration file said, kept between runs while it is unchanged.

Reading ``alembic.ini`` takes :mod:`configparser`, and ``pyproject.toml``
:mod:`tomllib`; both import :mod:`re`. Together they cost a hook that runs on
every commit more than the rest of its start-up, to learn the same few
settings as last time. So what a file said is kept beside the revision cache
(:mod:`~alembic_heads.cache_folder`), one small file per configuration
file, and recalled while the file has the same size, modification time,
change time and inode. A file changed in the last few seconds is not kept: a
second change within the file system's clock tick would not show in its times.
Only what was read without error is kept; anything wrong with a kept file is
a file not kept.
"""

from __future__ import annotations

import marshal
import os
import time

from .cache_folder import cache_path, file_key, keep

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeVar

    T = TypeVar("T")

# Bump when what a kind of file keeps changes.
FORMAT = 2
# Younger files are read every time (git's "racily clean" rule, with a margin).
SETTLED_SECONDS = 2.0


def settled(mtime_ns: int, ctime_ns: int) -> bool:
    """Changed long enough ago that a later change would show in its times
    (:data:`SETTLED_SECONDS`): only then is what a file said recalled by its
    size and times, here and in :mod:`.cache`."""
    return time.time_ns() - max(mtime_ns, ctime_ns) > SETTLED_SECONDS * 1e9


def memo_path(kind: str, path: str) -> str:
    return cache_path(f"{kind}-{file_key(path)}.marshal")


def remembered(kind: str, path: str, read: Callable[[], T]) -> T:
    """``read()`` (what the file at ``path`` says, a value :mod:`marshal`
    can store), recalled from an earlier run while the file is unchanged."""
    try:
        status = os.stat(path)
    except OSError:
        return read()
    signature = (
        FORMAT,
        kind,
        path,
        status.st_size,
        status.st_mtime_ns,
        status.st_ctime_ns,
        status.st_ino,
    )
    kept = memo_path(kind, path)
    try:
        with open(kept, "rb") as handle:
            stored = marshal.loads(handle.read())
        if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == signature:
            value: T = stored[1]
            return value
    except (OSError, EOFError, ValueError, TypeError):
        pass
    value = read()
    if settled(status.st_mtime_ns, status.st_ctime_ns):
        _keep(kept, (signature, value))
    return value


def _keep(kept: str, entry: tuple[object, object]) -> None:
    try:
        data = marshal.dumps(entry)  # type: ignore[arg-type]  # checked here, at run time
    except ValueError:  # not storable (a TOML date, say): read every time
        return
    keep(kept, data)
