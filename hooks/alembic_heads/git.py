"""The few questions we ask git, each answered by one process."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from .paths import StrPath


# The variables that name a repository, its work tree or its index (from
# `git rev-parse --local-env-vars`): git sets some for its hooks (GIT_INDEX_FILE
# during `git commit -a`, GIT_DIR in a linked worktree), and they then describe
# the commit being made. Named for another repository they would decide which
# files count, so they are honoured only where they describe the repository
# git finds from the folder itself, and never inside a submodule (as git does).
_REPOSITORY_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_IMPLICIT_WORK_TREE",
    "GIT_PREFIX",
    "GIT_SHALLOW_FILE",
    "GIT_GRAFT_FILE",
    "GIT_NAMESPACE",
)

_environments: dict[tuple[str, str | None, str | None], Mapping[str, str]] = {}


def _own_environment() -> dict[str, str]:
    """The environment without variables that name a repository: git finds
    the repository from the folder it runs in."""
    return {key: value for key, value in os.environ.items() if key not in _REPOSITORY_VARIABLES}


def _environment(cwd: StrPath) -> Mapping[str, str]:
    """The environment git runs in, in ``cwd``: as it is, unless ``GIT_DIR`` or
    ``GIT_WORK_TREE`` names another repository than the one git finds from
    ``cwd``; then without the variables that name a repository."""
    git_dir, work_tree = os.environ.get("GIT_DIR"), os.environ.get("GIT_WORK_TREE")
    if git_dir is None and work_tree is None:
        return os.environ
    key = (os.path.abspath(cwd), git_dir, work_tree)
    if key not in _environments:
        own = _own_environment()
        found = _git_output(cwd, ["rev-parse", "--absolute-git-dir", "--show-toplevel"], own)
        answer = os.fsdecode(found or b"").splitlines()
        same = (
            len(answer) == 2
            and (git_dir is None or _same_file(os.path.join(cwd, git_dir), answer[0]))
            and (work_tree is None or _same_file(os.path.join(cwd, work_tree), answer[1]))
        )
        _environments[key] = os.environ if same else own
    return _environments[key]


def _same_file(one: str, other: str) -> bool:
    try:
        return os.path.samefile(one, other)
    except (OSError, ValueError):
        return False


def _repository_root(path: str) -> str | None:
    """The nearest folder at or above ``path`` that holds a ``.git`` (a
    repository's or a submodule's work tree), as git looks for one."""
    folder = os.path.abspath(path)
    while True:
        if os.path.lexists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


# (absolute path, git's tag, mode, blob id, stage) of one index entry
_Entry = tuple[str, str, str, str, str]


def _index_entries(cwd: StrPath, folders: Sequence[StrPath], *options: str) -> list[_Entry] | None:
    """``git ls-files --stage`` of ``folders``, each asked of the repository
    that holds it: a folder in a submodule (or a submodule inside a folder)
    is listed by the submodule's own index. ``None`` when a folder is not in
    a git work tree, or git cannot answer."""
    own_root = _repository_root(os.fspath(cwd))
    groups: dict[str, list[str]] = {}
    for folder in folders:
        path = os.path.abspath(os.path.join(cwd, folder))
        root = _repository_root(path)
        if root is None or own_root is None:
            return None
        groups.setdefault(root, []).append(path)
    entries: list[_Entry] = []
    for root, paths in groups.items():
        if root == own_root:
            listed = _listed(cwd, paths, _environment(cwd), options)
        else:
            listed = _listed(root, paths, _own_environment(), options)
        if listed is None:
            return None
        entries += listed
    return entries


def _listed(
    cwd: StrPath, paths: Sequence[str], env: Mapping[str, str], options: Sequence[str]
) -> list[_Entry] | None:
    """The one question asked of git's index: ``git ls-files --stage`` of
    ``paths`` (pathspecs) in ``cwd``'s repository, with ``options``; a
    submodule that git lists as such and is checked out is asked in turn."""
    output = _git_output(
        cwd, ["ls-files", "-z", "--cached", "--stage", "-v", *options, "--", *paths], env
    )
    if output is None:
        return None
    prefix = os.path.join(os.path.normpath(os.path.abspath(cwd)), "")
    entries: list[_Entry] = []
    for line in os.fsdecode(output).split("\0"):
        if not line:
            continue
        info, _, name = line.partition("\t")
        tag, mode, blob, stage = info.split(" ")
        path = absolute(name, prefix)
        if mode != "160000":
            entries.append((path, tag, mode, blob, stage))
        elif os.path.lexists(os.path.join(path, ".git")):  # a submodule, checked out
            inner = _listed(path, [path], _own_environment(), options)
            if inner is None:  # pragma: no cover (git just listed it)
                return None
            entries += inner
    return entries


def _git_output(
    cwd: StrPath, args: Sequence[str], env: Mapping[str, str] | None = None
) -> bytes | None:
    """What ``git ARGS`` prints in ``cwd``, or ``None`` when it fails."""
    status, output = _git_status(cwd, args, env)
    return output if status == 0 else None


def _git_status(
    cwd: StrPath, args: Sequence[str], env: Mapping[str, str] | None = None
) -> tuple[int, bytes]:
    """``git ARGS``'s exit status and what it printed (status -1: no git).

    Started with ``posix_spawn`` where there is one: the subprocess module
    alone takes longer to import than git takes to answer.
    """
    if env is None:
        env = _environment(cwd)
    if not hasattr(os, "posix_spawnp"):  # pragma: no cover (Windows)
        import subprocess

        try:
            process = subprocess.run(
                ["git", *args], cwd=cwd, env=env, capture_output=True, check=False
            )
        except OSError:
            return -1, b""
        return process.returncode, process.stdout
    read, write = os.pipe()
    try:
        pid = os.posix_spawnp(
            "git",
            ["git", "-C", os.fspath(cwd), *args],
            env,
            file_actions=[
                (os.POSIX_SPAWN_DUP2, write, 1),
                (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
            ],
        )
    except (OSError, ValueError):  # ValueError: a NUL byte in an argument
        os.close(read)
        return -1, b""
    finally:
        os.close(write)
    with open(read, "rb") as pipe:
        output = pipe.read()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output


def absolute(name: str, prefix: str) -> str:
    """``os.path.normpath(cwd / name)`` for a path git printed relative to
    ``cwd`` (``prefix`` is ``cwd`` with a trailing separator): git's paths are
    normal already, but for leading ``../``."""
    return os.path.normpath(prefix + name) if name.startswith("../") else prefix + name


def tracked_files(cwd: StrPath, folders: Sequence[StrPath]) -> set[str] | None:
    """Absolute, normalised paths of the files git has in its index below
    ``folders``: what a commit made now would contain (a submodule's files
    as its own index has them)."""
    entries = _index_entries(cwd, folders)
    return None if entries is None else {entry[0] for entry in entries}


def index_blobs(cwd: StrPath, folders: Sequence[StrPath]) -> dict[str, str | None] | None:
    """:func:`tracked_files`, each with the id of its blob in the index when
    the file in the work tree holds exactly that blob, else ``None``
    (changed since it was staged, deleted, a symlink, unmerged, or marked
    assume-unchanged or skip-worktree, which stop git from looking)."""
    if not folders:
        return {}
    entries = _index_entries(cwd, folders, "--modified")
    if entries is None:
        return None
    blobs: dict[str, str | None] = {}
    for path, tag, mode, blob, stage in entries:
        clean = tag == "H" and stage == "0" and mode in ("100644", "100755")
        blobs[path] = blob if clean and path not in blobs else None
    return blobs


def tracked_named(cwd: StrPath, file_name: str) -> list[str] | None:
    """Tracked files called ``file_name`` anywhere below ``cwd``, in
    submodules too (``--recurse-submodules`` with ``--stage``: git 2.29)."""
    entries = _listed(cwd, [f"*{file_name}"], _environment(cwd), ["--recurse-submodules"])
    if entries is None:
        return None
    return [entry[0] for entry in entries if os.path.basename(entry[0]) == file_name]


class GitError(Exception):
    """git could not answer; the message is git's own first line."""


# Modes of the tree entries a revision file can be: a file, an executable
# file, a symbolic link (its blob holds the target).
FILE_MODES = ("100644", "100755")
SYMLINK_MODE = "120000"


class MissingObject(GitError):
    """An object git's store does not have; the message is its id."""


def blobs_at(cwd: StrPath, ref: str, folders: Sequence[StrPath]) -> list[tuple[str, str]]:
    """``(path, blob id)`` of each regular file below ``folders`` in commit
    ``ref``. Paths are relative to ``cwd``. Raises :class:`GitError` when
    ``ref`` cannot be read."""
    return [
        (path, object_id)
        for path, mode, object_id in entries_at(cwd, ref, folders)
        if mode in FILE_MODES
    ]


def entries_at(
    cwd: StrPath, ref: str, folders: Sequence[StrPath], commit: bool = True
) -> list[tuple[str, str, str]]:
    """``(path, mode, blob id)`` of each file and symbolic link below
    ``folders`` in commit ``ref`` (or, without ``commit``, tree ``ref``), from
    one ``git ls-tree``. Paths are relative to ``cwd``. Raises
    :class:`GitError` when ``ref`` cannot be read.

    A folder in a submodule (or a submodule inside a folder) is listed from
    the submodule's own repository, at the commit ``ref`` records for it;
    :func:`read_blobs` then finds those blobs there."""
    if not folders:
        return []
    own_root = _repository_root(os.fspath(cwd))
    plain: list[str] = []
    inner: list[tuple[str, str]] = []  # (submodule's work tree, folder)
    for folder in folders:
        path = os.path.abspath(os.path.join(cwd, folder))
        root = _repository_root(path)
        if own_root is not None and root is not None and root.startswith(own_root + os.sep):
            inner.append((root, path))
        else:
            plain.append(os.path.relpath(path, cwd))
    # a tree or blob named as REF is an error, not an empty graph
    treeish = f"{ref}^{{commit}}" if commit else ref
    try:
        entries = _tree_entries(cwd, cwd, treeish, plain, _environment(cwd)) if plain else []
        for root, path in inner:
            recorded = _recorded_commit(cwd, treeish, root)
            if recorded is not None:  # else the commit has no submodule there: no files
                entries += _tree_entries(cwd, root, recorded, [os.path.relpath(path, root)])
    except GitError as error:
        raise GitError(str(error).replace(treeish, ref)) from None
    return entries


# Where blobs listed from a submodule are: read_blobs asks git to look there too.
_submodule_objects: dict[str, str] = {}


def _tree_entries(
    cwd: StrPath,
    repository: StrPath,
    treeish: str,
    pathspecs: Sequence[str],
    env: Mapping[str, str] | None = None,
) -> list[tuple[str, str, str]]:
    """:func:`entries_at` in one repository (``repository``: its work tree;
    without ``env``, a submodule's), paths relative to ``cwd``."""
    submodule = env is None
    listing = _git(
        repository,
        ["ls-tree", "-r", "-z", treeish, "--", *pathspecs],
        env=env or _own_environment(),
    )
    objects = _objects_folder(repository) if submodule else None
    entries = []
    for entry in os.fsdecode(listing).split("\0"):
        if not entry:
            continue
        meta, path = entry.split("\t", 1)
        mode, kind, object_id = meta.split(" ")
        if submodule:
            path = os.path.relpath(os.path.join(repository, path), cwd)
        if kind == "blob" and (mode in FILE_MODES or mode == SYMLINK_MODE):
            entries.append((path, mode, object_id))
            if objects is not None:
                _submodule_objects[object_id] = objects
        elif kind == "commit" and os.path.lexists(os.path.join(cwd, path, ".git")):
            entries += _tree_entries(cwd, os.path.join(cwd, path), object_id, ["."])
    return entries


def _recorded_commit(cwd: StrPath, commit: str, root: str) -> str | None:
    """The commit that ``commit`` records for the submodule checked out at ``root``."""
    listing = _git(cwd, ["ls-tree", "-z", commit, "--", os.path.relpath(root, cwd)])
    meta = os.fsdecode(listing).partition("\t")[0].split(" ")
    return meta[2] if len(meta) == 3 and meta[1] == "commit" else None


def _objects_folder(repository: StrPath) -> str | None:
    answer = _git_output(repository, ["rev-parse", "--git-path", "objects"], _own_environment())
    if answer is None:  # pragma: no cover (git just listed a commit there)
        return None
    return os.path.join(repository, os.fsdecode(answer).strip())


def read_blobs(cwd: StrPath, blob_ids: Sequence[str]) -> list[bytes]:
    """The contents of ``blob_ids``, in order, from one ``git cat-file --batch``."""
    if not blob_ids:
        return []
    env = _environment(cwd)
    elsewhere = sorted({_submodule_objects[b] for b in blob_ids if b in _submodule_objects})
    if elsewhere:
        alternates = [env.get("GIT_ALTERNATE_OBJECT_DIRECTORIES", ""), *elsewhere]
        joined = os.pathsep.join(folder for folder in alternates if folder)
        env = {**env, "GIT_ALTERNATE_OBJECT_DIRECTORIES": joined}
    stdin = "".join(f"{oid}\n" for oid in blob_ids).encode()
    return _batch_contents(_git(cwd, ["cat-file", "--batch"], stdin, env))


def _batch_contents(output: bytes) -> list[bytes]:
    """The contents ``git cat-file --batch`` printed, in order: each is
    ``<oid> <type> <size>\\n<content>\\n``."""
    contents = []
    position = 0
    while position < len(output):
        header_end = output.index(b"\n", position)
        header = output[position:header_end]
        if header.endswith(b" missing"):  # a partial clone, or a damaged repository
            raise MissingObject(os.fsdecode(header.split()[0]))
        size = int(header.rsplit(b" ", 1)[1])
        start = header_end + 1
        contents.append(output[start : start + size])
        position = start + size + 1
    return contents


def _git(
    cwd: StrPath,
    args: Sequence[str],
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
) -> bytes:
    """``git ARGS`` fed ``stdin``; :class:`GitError` with git's own reason.

    :func:`_git_output` when there is nothing to feed and git answers. Else
    ``subprocess``: feeding ``cat-file --batch`` while it answers needs its
    two-way pipe handling (one pipe each way would deadlock), and it keeps
    what git said on failure.
    """
    env = _environment(cwd) if env is None else env
    if stdin is None:
        output = _git_output(cwd, args, env)
        if output is not None:
            return output
    import subprocess

    try:
        process = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=env,
            input=stdin,
            capture_output=True,
            check=False,
        )
    except OSError as error:
        raise GitError(f"cannot run git: {error}") from None
    if process.returncode != 0:
        lines = os.fsdecode(process.stderr).strip().splitlines()
        first = lines[0] if lines else f"git {args[0]} failed"
        raise GitError(first.removeprefix("fatal: "))
    return process.stdout


def _answer(cwd: StrPath, args: Sequence[str]) -> str | None:
    """git's one-line answer, or ``None`` when it has none."""
    output = _git_output(cwd, args)
    return None if output is None else os.fsdecode(output).strip()


def git_dir(cwd: StrPath) -> Path | None:
    """The repository's (or worktree's) git folder, where merge and rebase state live."""
    from pathlib import Path

    answer = _answer(cwd, ["rev-parse", "--absolute-git-dir"])
    return None if answer is None else Path(answer)


def top_level(cwd: StrPath) -> str | None:
    """The work tree's root folder."""
    return _answer(cwd, ["rev-parse", "--show-toplevel"])


def changes_since(
    cwd: StrPath, top: str, fork: str, commit: str | None, folders: Sequence[StrPath]
) -> dict[str, str] | None:
    """Absolute path: git's status letter (``A``, ``D``, ``M``...) of each file
    below ``folders`` that ``commit`` (``None``: the index) changed since
    ``fork``, renames as a deletion and an addition; ``None`` when git cannot
    tell. ``top`` is :func:`top_level` (git prints paths from there)."""
    args = ["diff", "--name-status", "-z", "--no-renames"]
    args += ["--cached", fork] if commit is None else [fork, commit]
    output = _git_output(cwd, [*args, "--", *(os.fspath(folder) for folder in folders)])
    if output is None:  # pragma: no cover (the fork and both sides were just read)
        return None
    fields = os.fsdecode(output).split("\0")
    return {
        os.path.normpath(os.path.join(top, path)): status
        for status, path in zip(fields[0::2], fields[1::2], strict=False)
    }


def merge_base(cwd: StrPath, one: str, other: str) -> str | None:
    """Where ``one`` and ``other`` forked, or ``None`` when git cannot tell
    (a shallow clone without that commit, no commit yet)."""
    return _answer(cwd, ["merge-base", one, other])


def commit_of(cwd: StrPath, ref: str) -> str | None:
    return _answer(cwd, ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"])


def upstream(cwd: StrPath) -> str | None:
    """The name of the current branch's upstream (``origin/main``), if it has one."""
    return _answer(cwd, ["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"])


class MergeTree:
    """What ``git merge-tree --write-tree`` made: the merged tree, and the
    paths it left conflicted (from the repository's top) with git's messages
    about each."""

    __slots__ = ("tree", "conflicts")

    def __init__(self, tree: str, conflicts: dict[str, list[str]]) -> None:
        self.tree = tree
        self.conflicts = conflicts


def merge_tree(cwd: StrPath, ours: str, theirs: str) -> MergeTree | None:
    """The tree ``git merge`` of commits ``ours`` and ``theirs`` would make,
    by git's own merge (one ``git merge-tree``, git 2.38 and newer); ``None``
    when git cannot make it that way (an older git, no common history)."""
    args = ["merge-tree", "--write-tree", "--name-only", "--messages", "-z", ours, theirs]
    status, output = _git_status(cwd, args)
    if status not in (0, 1):
        return None
    fields = os.fsdecode(output).split("\0")
    tree, position = fields[0], 1
    conflicts: dict[str, list[str]] = {}
    while position < len(fields) and fields[position]:  # the conflicted paths
        conflicts[fields[position]] = []
        position += 1
    _add_messages(conflicts, fields[position + 1 :])
    return MergeTree(tree, conflicts)


def _add_messages(conflicts: dict[str, list[str]], fields: Sequence[str]) -> None:
    """git's CONFLICT messages about each conflicted path. Each message is:
    how many paths, the paths, its kind, its text (git 2.39 and newer; an
    older layout leaves the paths without messages)."""
    position = 0
    try:
        while position < len(fields) and fields[position]:
            count = int(fields[position])
            message = fields[position + 2 + count].strip()
            for path in fields[position + 1 : position + 1 + count]:
                if path in conflicts and message.startswith("CONFLICT"):
                    conflicts[path].append(message)
            position += 3 + count
    except (ValueError, IndexError):  # pragma: no cover (git 2.38's layout)
        return


def work_tree_commit(cwd: StrPath, unstaged: Sequence[StrPath] = ()) -> str | None:
    """A commit, on top of ``HEAD``, of what git has staged, with the
    tracked files ``unstaged`` as they are on disk: what this branch would
    commit. Objects only (``git write-tree``, ``git commit-tree``): no
    branch, ref or index changes, and ``git gc`` removes them. ``None``
    without a ``HEAD``, or while the index holds a conflict."""
    tree = _tree_with_work(cwd, unstaged) if unstaged else _answer(cwd, ["write-tree"])
    if tree is None:
        return None
    # a commit needs a name, which a CI machine may not have configured
    name, email = "alembic-heads", "alembic-heads@localhost"
    identity = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email}
    identity.update(GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email)
    args = ["commit-tree", "--no-gpg-sign", tree, "-p", "HEAD", "-m", "staged"]
    status, output = _git_status(cwd, args, {**_environment(cwd), **identity})
    return os.fsdecode(output).strip() if status == 0 else None


def _tree_with_work(cwd: StrPath, paths: Sequence[StrPath]) -> str | None:
    """The staged tree with the tracked ``paths`` as they are on disk: ``git
    add -u`` into a copy of the index (the index stays as it is)."""
    import contextlib
    import shutil
    import tempfile

    index = _answer(cwd, ["rev-parse", "--path-format=absolute", "--git-path", "index"])
    if index is None:  # pragma: no cover (git has just listed the index)
        return None
    with tempfile.TemporaryDirectory() as folder:
        copy = os.path.join(folder, "index")
        with contextlib.suppress(OSError):  # no index yet: nothing staged
            shutil.copyfile(index, copy)
        environment = {**_environment(cwd), "GIT_INDEX_FILE": copy, "GIT_LITERAL_PATHSPECS": "1"}
        pathspecs = [os.fspath(path) for path in paths]
        if _git_status(cwd, ["add", "-u", "--", *pathspecs], environment)[0] != 0:
            return None  # pragma: no cover (each path is one git has just listed)
        status, output = _git_status(cwd, ["write-tree"], environment)
    return os.fsdecode(output).strip() if status == 0 else None


def renames(cwd: StrPath, old: str, new: str) -> list[tuple[str, str]]:
    """The files git's rename detection finds moved from tree-ish ``old`` to
    ``new``, as (old path, new path) from the repository's top."""
    args = ["diff-tree", "-r", "-z", "--find-renames", "--diff-filter=R", "--name-status"]
    output = _git_output(cwd, [*args, old, new])
    fields = [] if output is None else os.fsdecode(output).split("\0")
    return [(fields[index + 1], fields[index + 2]) for index in range(0, len(fields) - 2, 3)]


def current_branch(cwd: StrPath) -> str | None:
    """The checked-out branch's short name; ``None`` on a detached ``HEAD``."""
    name = _answer(cwd, ["symbolic-ref", "--quiet", "--short", "HEAD"])
    return name or None


def head_commit(cwd: StrPath) -> str | None:
    return commit_of(cwd, "HEAD")


def branches(cwd: StrPath) -> list[tuple[str, str]]:
    """``(short name, commit)`` of every branch: the one checked out before
    this one (``@{-1}``) first, then local branches, then remote-tracking
    ones, each most recently committed first."""
    previous = _answer(cwd, ["rev-parse", "--symbolic-full-name", "@{-1}"]) or ""
    output = _answer(
        cwd,
        [
            "for-each-ref",
            "--sort=-committerdate",
            "--format=%(objectname) %(refname) %(refname:short) %(symref)",
            "refs/heads",
            "refs/remotes",
        ],
    )
    found: list[tuple[int, str, str]] = []
    for line in (output or "").splitlines():
        commit, full, short, *symref = line.split(" ")
        if any(symref):  # origin/HEAD: a name for another branch
            continue
        rank = 0 if full == previous else 1 if full.startswith("refs/heads/") else 2
        found.append((rank, short, commit))
    return [(short, commit) for _, short, commit in sorted(found, key=lambda item: item[0])]


def commits_mentioning(
    cwd: StrPath, text: str, commits: Sequence[str], folders: Sequence[StrPath]
) -> set[str]:
    """Which of ``commits`` have a file below ``folders`` containing ``text``
    (one ``git grep`` over their trees)."""
    if not commits or not folders:
        return set()
    pathspecs = [os.path.relpath(folder, cwd) for folder in folders]
    args = ["grep", "-l", "-F", "-e", text, *commits, "--", *pathspecs]
    output = _git_output(cwd, args)  # None: no match (or nothing git could search)
    return {line.split(":", 1)[0] for line in os.fsdecode(output or b"").splitlines()}


def commits_changing(cwd: StrPath, text: str, folders: Sequence[StrPath], limit: int) -> list[str]:
    """The newest ``limit`` commits, of any branch or reflog entry, that
    added or removed ``text`` below ``folders`` (``git log -S``)."""
    if not folders:
        return []
    pathspecs = [os.path.relpath(folder, cwd) for folder in folders]
    args = ["log", "--all", "--reflog", f"-n{limit}", "--format=%H", f"-S{text}"]
    output = _git_output(cwd, [*args, "--", *pathspecs])
    return list(dict.fromkeys(os.fsdecode(output or b"").split()))
