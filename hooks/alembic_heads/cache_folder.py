"""The one home of everything kept between runs: ``$ALEMBIC_HEADS_CACHE_DIR``,
else ``$XDG_CACHE_HOME/alembic-heads`` (``~/.cache/alembic-heads``). The
revision cache (:mod:`.cache`), the memo of configuration files
(:mod:`.memo`) and the round trip's kept databases all live there."""

from __future__ import annotations

import os


def cache_dir() -> str:
    configured = os.environ.get("ALEMBIC_HEADS_CACHE_DIR")
    if configured:
        return configured
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "alembic-heads")


def cache_path(*parts: str) -> str:
    """Where a file of the cache folder is: ``parts`` joined below :func:`cache_dir`."""
    return os.path.join(cache_dir(), *parts)


def keep(path: str, data: bytes) -> bool:
    """Write ``data`` to ``path`` (from :func:`cache_path`), atomically, its
    folder made first; ``False`` when it cannot be written (a read-only home):
    a cache that cannot be kept only costs a re-read."""
    from pathlib import Path

    from .files import write_file  # only a run whose cache changed writes

    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_file(Path(path), data)
    except OSError:
        return False
    return True


def file_key(text: str) -> str:
    """A short stable digest of ``text`` for a file name (32-bit FNV-1a).

    Not ``zlib.crc32``: loading zlib costs more than this. A collision only
    makes two histories share a file: entries are keyed by blob id, so it can
    cost a re-read, never a wrong answer.
    """
    value = 0x811C9DC5
    for byte in text.encode("utf-8", "surrogateescape"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{value:08x}"
