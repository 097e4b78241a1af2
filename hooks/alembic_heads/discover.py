"""Which revision graphs to check, and which files make up each one."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from . import git
from .config import DEFAULT_INI, Environment, config_files, has_config, load_environment
from .findings import UsageError
from .paths import display
from .revision_file import is_revision_file_name

_SKIPPED_DIRS = {".git", ".hg", ".tox", ".nox", "node_modules", "__pycache__", "site-packages"}


def find_environments(
    paths: Sequence[str], config: Sequence[str], section: str | None, cwd: Path
) -> list[Environment]:
    """The graphs to check.

    With a configuration (``-c``, ``ALEMBIC_CONFIG``, ``alembic.ini`` or
    ``[tool.alembic]`` in the working directory) its graph. Otherwise each
    ``versions`` folder that holds (or is) a given path, and with no paths
    every ``versions`` folder beside an ``env.py`` in the repository.
    """
    files = config_files(config, section, cwd)
    if config or section or has_config(files):
        if config and not has_config(files):
            raise UsageError(f"config file not found: {', '.join(config)}")
        return [load_environment(files, cwd)]
    if paths:
        return _environments_of_paths(paths, cwd)
    found = [_folder_environment(folder, cwd) for folder in _script_folders(cwd)]
    if not found:
        raise UsageError(
            f"no Alembic environment found in {cwd}: no alembic.ini, no [tool.alembic] "
            "in pyproject.toml and no versions/ folder beside an env.py "
            "(run from the project root, or pass -c CONFIG or a versions folder)"
        )
    return found


def _environments_of_paths(paths: Sequence[str], cwd: Path) -> list[Environment]:
    folders: dict[Path, bool] = {}
    for name in paths:
        path = cwd / name
        if not path.exists():
            raise UsageError(f"{name}: no such file or directory")
        versions = _versions_folder(path)
        if versions is None:
            raise UsageError(f"{name}: not inside a versions/ folder (pass -c CONFIG instead)")
        nested = path.is_file() and path.parent != versions
        folders[versions] = folders.get(versions, False) or nested
    return [_folder_environment(folder, cwd, recursive) for folder, recursive in folders.items()]


def _versions_folder(path: Path) -> Path | None:
    for candidate in (path, *path.parents):
        if candidate.name == "versions" and candidate.is_dir():
            return candidate
    return None


def _folder_environment(versions: Path, cwd: Path, recursive: bool = False) -> Environment:
    """The environment of a versions folder: the one an ``alembic.ini`` beside
    its ``env.py`` (or one folder up) describes, run from the ini's folder,
    when that ini points at this folder; else the folder alone."""
    script_dir = versions.parent
    for ini in (script_dir / DEFAULT_INI, script_dir.parent / DEFAULT_INI):
        if not ini.is_file():
            continue
        try:
            env = load_environment(config_files([str(ini)], None, ini.parent), ini.parent)
        except UsageError:
            continue  # e.g. Flask-Migrate's alembic.ini, which has no script_location
        if any(os.path.samefile(loc, versions) for loc in env.version_locations if loc.exists()):
            return replace(env, name=display(ini, cwd), run_from=ini.parent)
    return Environment(
        name=display(versions, cwd), version_locations=(versions,), recursive=recursive
    )


def _script_folders(cwd: Path) -> list[Path]:
    """``versions`` folders that sit beside an ``env.py``."""
    env_files = git.tracked_named(cwd, "env.py")
    if env_files is None:
        env_files = list(_walk_for(cwd, "env.py"))
    folders = {env.parent / "versions" for env in env_files}
    return sorted(folder for folder in folders if folder.is_dir())


def _walk_for(root: Path, file_name: str) -> Iterator[Path]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in _SKIPPED_DIRS
            and not d.startswith(".")
            and not os.path.exists(os.path.join(folder, d, "pyvenv.cfg"))
        )
        if file_name in files:
            yield Path(folder, file_name)


def revision_paths(env: Environment, tracked: set[str] | None) -> list[Path]:
    """The files Alembic would load for ``env``, in its order.

    Mirrors ``ScriptDirectory._load_revisions``: each existing version
    location in turn, files sorted, subfolders (sorted) only when
    ``recursive_version_locations`` is on, ``__pycache__`` skipped, a file
    reached twice read once. Inside a git work tree only the files git tracks
    or has staged count: an untracked file is not part of the commit.
    """
    seen: set[str] = set()
    result = []
    for location in env.version_locations:
        if not location.is_dir():
            continue
        for folder, dirs, files in os.walk(location):
            if folder.endswith("__pycache__"):
                dirs[:] = []
                continue
            for name in sorted(files):
                if not is_revision_file_name(name):
                    continue
                path = os.path.normpath(os.path.join(os.path.abspath(folder), name))
                if tracked is not None and path not in tracked:
                    continue
                real = os.path.realpath(path)
                if real in seen:
                    continue
                seen.add(real)
                result.append(Path(path))
            if not env.recursive:
                break
            dirs.sort()
    return result
