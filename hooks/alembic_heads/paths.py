"""Paths as the user should see them.

Files are read, and their findings made, with absolute paths; what is
written out (reports, JSON, messages) shows them through :func:`display`
(or :func:`displayer`), relative to the working directory.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    StrPath = str | os.PathLike[str]

    class Displayer(Protocol):
        def __call__(self, path: str, ref: str | None = None) -> str: ...


def display(path: StrPath, cwd: StrPath, ref: str | None = None) -> str:
    """``path`` relative to ``cwd`` when inside it, else as it is; a file
    that only ``ref`` has (``--against``) as ``git show`` names it, ``REF:path``."""
    absolute = os.path.abspath(path)
    base = os.path.abspath(cwd)
    if absolute == base or absolute.startswith(base.rstrip(os.sep) + os.sep):
        return named(os.path.relpath(absolute, base), ref)
    return named(os.fspath(path), ref)


def named(path: str, ref: str | None) -> str:
    """``path`` as shown already, or ``REF:path`` for a file only ``ref`` has."""
    return path if ref is None else f"{ref}:{path}"


def displayer(cwd: StrPath) -> Displayer:
    """:func:`display` for many normalised absolute paths, the part they
    share with ``cwd`` worked out once."""
    inside = os.path.join(os.path.abspath(cwd), "")

    def shown(path: str, ref: str | None = None) -> str:
        if path.startswith(inside):
            return named(path[len(inside) :], ref)
        return display(path, cwd, ref)

    return shown
