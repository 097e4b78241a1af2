"""Writing files so that no reader ever sees half of one, and nothing is
overwritten by surprise: the new content goes to a temporary file in the same
folder, which then takes the file's place in one ``os.replace``."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path


def create_file(path: Path, data: bytes) -> None:
    """Write a new file; :class:`FileExistsError` if ``path`` exists."""
    with open(path, "xb"):  # claims the name, with the mode a new file gets
        pass
    try:
        _replace_with(path, data)
    except BaseException:
        path.unlink()
        raise


class LinkedFile(OSError):
    """A file reached through a symbolic link, or with other hard links: replacing
    it would cut the link and leave the file behind it unchanged."""


def replace_file(path: Path, data: bytes) -> None:
    """Replace an existing file's content, keeping its permissions."""
    if path.is_symlink() or path.stat().st_nlink > 1:
        raise LinkedFile(f"{path} is a link: not replacing it (edit the file it links to)")
    _replace_with(path, data)


def write_file(path: Path, data: bytes) -> None:
    """Create ``path`` or replace its content, atomically (for files the tool
    owns, such as its cache)."""
    _replace_with(path, data)


def _replace_with(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        if path.exists():
            shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
