"""Paths as the user should see them."""

from __future__ import annotations

import os
from pathlib import Path


def display(path: Path | str, cwd: Path | str) -> str:
    """``path`` relative to ``cwd`` when inside it, else as it is."""
    absolute = os.path.abspath(path)
    base = os.path.abspath(cwd)
    if absolute == base or absolute.startswith(base.rstrip(os.sep) + os.sep):
        return os.path.relpath(absolute, base)
    return str(path)
