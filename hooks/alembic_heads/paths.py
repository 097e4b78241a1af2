"""Paths as the user should see them."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    StrPath = str | os.PathLike[str]


def display(path: StrPath, cwd: StrPath) -> str:
    """``path`` relative to ``cwd`` when inside it, else as it is."""
    absolute = os.path.abspath(path)
    base = os.path.abspath(cwd)
    if absolute == base or absolute.startswith(base.rstrip(os.sep) + os.sep):
        return os.path.relpath(absolute, base)
    return os.fspath(path)


def displayer(cwd: StrPath) -> Callable[[str], str]:
    """:func:`display` for many normalised absolute paths, the part they
    share with ``cwd`` worked out once."""
    inside = os.path.join(os.path.abspath(cwd), "")

    def shown(path: str) -> str:
        return path[len(inside) :] if path.startswith(inside) else display(path, cwd)

    return shown
