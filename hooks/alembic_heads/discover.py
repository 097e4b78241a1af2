"""Which revision graphs to check, and which files make up each one."""

from __future__ import annotations

import os

from . import git
from .config import DEFAULT_INI, Environment, config_files, has_config, load_environments
from .findings import UsageError
from .paths import display
from .record import replace
from .revision_file import is_revision_file_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Container, Iterator, Sequence
    from pathlib import Path

_SKIPPED_DIRS = {".git", ".hg", ".tox", ".nox", "node_modules", "__pycache__", "site-packages"}


def find_environments(
    paths: Sequence[str], config: Sequence[str], section: str | None, cwd: str | Path
) -> list[Environment]:
    """The graphs to check.

    ``-c``/``-n``: the graph(s) that configuration describes, and nothing else.
    Otherwise every graph of the repository: those of the configuration in the
    working directory (``ALEMBIC_CONFIG``, ``alembic.ini`` with each of its
    sections that sets a ``script_location``, ``[tool.alembic]``) and every
    ``versions`` folder beside an ``env.py`` that they do not cover. ``paths``
    narrow that down to the graphs holding them.
    """
    given, cwd = cwd, os.path.abspath(cwd)
    files = config_files(config, section, cwd)
    if config or section:
        if not has_config(files):
            shown = ", ".join(config) or os.path.basename(files.ini)
            raise UsageError(f"config file not found: {shown}")
        return load_environments(files, cwd, every_section=False)
    configured = (
        _distinct(load_environments(files, cwd, every_section=True)) if has_config(files) else []
    )
    if paths:
        return _environments_of_paths(paths, configured, cwd)
    found = list(configured)
    for versions in _script_folders(cwd):
        if not any(_covers(env, versions) for env in found):
            found.extend(_folder_environments(versions, cwd))
    if not found:
        raise UsageError(
            f"no Alembic environment found in {os.fspath(given)}: no alembic.ini, "
            "no [tool.alembic] in pyproject.toml and no versions/ folder beside an env.py "
            "(run from the project root, or pass -c CONFIG or a versions folder)"
        )
    return found


def _distinct(envs: list[Environment]) -> list[Environment]:
    """One environment per set of files: two ini sections naming the same
    folders are one graph (checked, and merged, once)."""
    seen: set[tuple[tuple[str, ...], bool]] = set()
    result = []
    for env in envs:
        key = (tuple(os.path.realpath(loc) for loc in env.version_locations), env.recursive)
        if key not in seen:
            seen.add(key)
            result.append(env)
    return result


def _environments_of_paths(
    paths: Sequence[str], configured: list[Environment], cwd: str
) -> list[Environment]:
    chosen: list[Environment] = []
    for name in paths:
        path = os.path.abspath(os.path.join(cwd, name))
        if not os.path.exists(path):
            raise UsageError(f"{name}: no such file or directory")
        is_dir = os.path.isdir(path)
        folder = path if is_dir else os.path.dirname(path)
        env = next((env for env in [*configured, *chosen] if _covers(env, folder)), None)
        if env is None:
            env = _environment_of_folder(folder, is_dir, cwd)
            if env is None:
                raise UsageError(f"{name}: not inside a versions/ folder (pass -c CONFIG instead)")
        if env not in chosen:
            chosen.append(env)
    return chosen


def _environment_of_folder(folder: str, given_as_folder: bool, cwd: str) -> Environment | None:
    """A file's graph is its ``versions`` folder (subfolders included when the
    file sits in one); a folder given by name is a graph of its own."""
    if given_as_folder and os.path.basename(folder) != "versions":
        return _plain(folder, cwd)
    versions = next(
        (p for p in _self_and_parents(folder) if os.path.basename(p) == "versions"), None
    )
    if versions is None:
        return None
    env = _folder_environments(versions, cwd)[0]
    if folder != versions and not env.recursive and env.ini is None:
        env = replace(env, recursive=True)
    return env


def _self_and_parents(folder: str) -> Iterator[str]:
    while True:
        yield folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return
        folder = parent


def _covers(env: Environment, folder: str) -> bool:
    for location in env.version_locations:
        if os.path.exists(location) and os.path.samefile(location, folder):
            return True
        if env.recursive and _inside(folder, location):
            return True
    return False


def _inside(path: str, folder: str) -> bool:
    return os.path.realpath(path).startswith(os.path.realpath(folder) + os.sep)


def _folder_environments(versions: str, cwd: str) -> list[Environment]:
    """The graph(s) of a ``versions`` folder found beside an ``env.py``.

    The environment an ``alembic.ini`` beside the ``env.py`` (or one folder up)
    describes, when it points at this folder: the fix command then runs where
    that ini is. Otherwise the folder alone, or, when it holds no revision
    file but subfolders that do (one folder per dialect), each subfolder.
    """
    script_dir = os.path.dirname(versions)
    for ini in (
        os.path.join(script_dir, DEFAULT_INI),
        os.path.join(os.path.dirname(script_dir), DEFAULT_INI),
    ):
        if not os.path.isfile(ini):
            continue
        here = os.path.dirname(ini)
        try:
            envs = load_environments(config_files([ini], None, here), here, every_section=True)
        except UsageError:
            continue  # an ini that is not this folder's configuration
        for env in envs:
            if _covers(env, versions):
                return [replace(env, name=display(ini, cwd), run_from=env.run_from or here)]
    if not _has_revision_files(versions):
        folders = [entry.path for entry in _listing(versions) if _is_dir(entry)]
        dialects = sorted((f for f in folders if _has_revision_files(f)), key=os.path.normcase)
        if dialects:
            return [_plain(folder, cwd) for folder in dialects]
    return [_plain(versions, cwd)]


def _plain(folder: str, cwd: str) -> Environment:
    return Environment(name=display(folder, cwd), version_locations=(folder,))


def _has_revision_files(folder: str) -> bool:
    return any(
        is_revision_file_name(entry.name) and not _is_dir(entry) for entry in _listing(folder)
    )


def _listing(folder: str) -> list[os.DirEntry[str]]:
    """What ``folder`` holds. Raises :class:`UsageError` when it cannot be
    listed: Alembic's walk would pass over it and load nothing from there, a
    history that is not the project's."""
    try:
        with os.scandir(folder) as scan:
            return list(scan)
    except OSError as error:
        shown = display(folder, os.getcwd())
        raise UsageError(f"cannot list {shown}: {error.strerror or error}") from None


def _script_folders(cwd: str) -> list[str]:
    """``versions`` folders that sit beside an ``env.py``."""
    env_files = git.tracked_named(cwd, "env.py")
    if env_files is None:
        env_files = list(_walk_for(cwd, "env.py"))
    folders = {os.path.join(os.path.dirname(env), "versions") for env in env_files}
    return sorted((folder for folder in folders if os.path.isdir(folder)), key=_parts)


def _parts(path: str) -> list[str]:
    """Sorts paths as ``Path`` objects sort: by component (``a/b`` before
    ``a-b``), ignoring case where the system does."""
    return os.path.normcase(path).split(os.sep)


def _walk_for(root: str, file_name: str) -> Iterator[str]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in _SKIPPED_DIRS
            and not d.startswith(".")
            and not os.path.exists(os.path.join(folder, d, "pyvenv.cfg"))
        )
        if file_name in files:
            yield os.path.join(folder, file_name)


def revision_paths(env: Environment, tracked: Container[str] | None) -> list[Path]:
    """The files Alembic would load for ``env`` from the working tree, in its
    order (:func:`load_order`). Inside a git work tree only the files git
    tracks or has staged (``tracked``) count: an untracked file is not part
    of the commit.
    """
    from pathlib import Path

    return [Path(path) for path in revision_file_paths(env, tracked)]


def revision_file_paths(env: Environment, tracked: Container[str] | None) -> list[str]:
    """:func:`revision_paths` as strings: thousands of ``Path`` objects cost
    more than reading the files."""
    return [path for path, _ in load_order(env, WORKING_TREE, tracked)]


class FileTree:
    """What Alembic's load order needs to know of a tree of files. This one
    is the working tree, on disk; ``snapshot.CommitTree`` is a commit's, as
    git stores it, so that a commit and its checkout load the same files."""

    def scan(self, folder: str) -> tuple[dict[str, bool], list[str]] | None:
        """``folder``'s files (name: whether it is a symbolic link) and its
        subfolders that are no links (``os.walk`` puts a link to a folder
        among the folders, and does not enter it); ``None`` when ``folder``
        is none. Raises :class:`UsageError` when it cannot be listed."""
        if not os.path.isdir(folder):
            return None
        files: dict[str, bool] = {}
        folders: list[str] = []
        for entry in _listing(folder):
            if not _is_dir(entry):
                files[entry.name] = entry.is_symlink()
            elif not entry.is_symlink():
                folders.append(entry.name)
        return files, folders

    def realpath(self, path: str) -> str:
        return os.path.realpath(path)

    def exists(self, path: str) -> bool:
        """Whether ``path`` leads to a file (a link: to an existing one)."""
        return os.path.exists(path)


WORKING_TREE = FileTree()


def load_order(
    env: Environment, tree: FileTree, tracked: Container[str] | None = None
) -> list[tuple[str, str]]:
    """The files Alembic would load for ``env`` from ``tree``, in its order,
    each with the path it leads to (itself, unless a link).

    Mirrors ``ScriptDirectory._load_revisions``: each existing version
    location in turn, files sorted, then (``sourceless``) the compiled files
    in ``__pycache__`` of modules with no file beside them, then subfolders
    (sorted, no links) only when ``recursive_version_locations`` is on,
    ``__pycache__`` itself never walked; a file judged by the name its link
    leads to, ``x.py`` preferred to ``x.pyc`` and ``x.pyc`` to ``x.pyo``, a
    file reached twice loaded once. With ``tracked``, only those paths count.
    """
    seen: set[str] = set()
    result: list[tuple[str, str]] = []
    for location in env.version_locations:
        _add_revision_files(location, env, tree, tracked, seen, result)
    return result


def _add_revision_files(
    folder: str,
    env: Environment,
    tree: FileTree,
    tracked: Container[str] | None,
    seen: set[str],
    result: list[tuple[str, str]],
) -> None:
    """One folder of :func:`load_order`, walked as ``os.walk`` would."""
    if folder.endswith("__pycache__"):
        return
    listed = tree.scan(folder)
    if listed is None:
        return
    files, folders = listed
    names = sorted(files)
    if env.sourceless:
        names += _compiled_only(folder, names, tree)
    # Paths are built once per folder, not per file: ``realpath`` walks every
    # component, and only a file that is itself a symlink needs it.
    base = os.path.join(os.path.normpath(os.path.abspath(folder)), "")
    real_base = os.path.join(tree.realpath(base), "")
    for name in names:
        path = base + name
        if files.get(name) is False:  # a file of this folder, no link
            real, judged = real_base + name, name
        else:  # a link, or a compiled file from __pycache__
            real = judged = tree.realpath(path)
        # Alembic judges a file by the name its link resolves to
        if not is_revision_file_name(judged, env.sourceless):
            continue
        if tracked is not None and path not in tracked:
            continue
        if env.sourceless and _compiled_beside_source(path, tree):
            continue
        if real not in seen:
            seen.add(real)
            result.append((path, real))
    if env.recursive:
        for name in sorted(folders):
            _add_revision_files(os.path.join(folder, name), env, tree, tracked, seen, result)


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a link that loops: as os.walk, not a folder
        return False


def _compiled_only(folder: str, files: list[str], tree: FileTree) -> list[str]:
    """``__pycache__`` entries of modules that have no file beside them, as
    ``Script._list_py_dir`` adds them in ``sourceless`` mode."""
    listed = tree.scan(os.path.join(folder, "__pycache__"))
    if listed is None:
        return []
    stems = {name.split(".")[0] for name in files}
    return sorted(
        os.path.join("__pycache__", name)
        for name in [*listed[0], *listed[1]]
        if name.split(".")[0] not in stems
    )


def _compiled_beside_source(path: str, tree: FileTree) -> bool:
    """Alembic prefers ``x.py`` to ``x.pyc``, and ``x.pyc`` to ``x.pyo``."""
    stem, suffix = os.path.splitext(path)
    if suffix not in (".pyc", ".pyo"):
        return False
    return tree.exists(stem + ".py") or (suffix == ".pyo" and tree.exists(stem + ".pyc"))
