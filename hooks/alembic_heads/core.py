"""The pipeline every command shares: which files git tracks, each
environment's revision files read (from the working tree, git's index or a
commit), and the graphs built from them, checked."""

from __future__ import annotations

import os

from . import git
from .cache import RevisionCache
from .config import Environment, version_folders
from .discover import find_environments, revision_file_paths
from .findings import Finding
from .graph import Graph, build_graph
from .heads import too_many_heads
from .results import GraphCheck
from .revision_file import ReadError, RevisionFile
from .revision_reader import read_revision_file

# What only some runs need is imported where it is used (see CONTRIBUTING.md, "Speed rules").
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Container, Mapping, Sequence
    from pathlib import Path
    from typing import Protocol

    from .commit_files import Loaded

    class GraphChoice(Protocol):
        """What a command line says of the graphs: ``-c``, ``-n``, and some
        commands' ``paths`` or ``--versions``."""

        config: list[str]
        name: str | None


def chosen_environments(args: GraphChoice, cwd: str | Path) -> list[Environment]:
    """The graphs the command line chose, however a command spells it: ``-c``
    and ``-n``, versions folders or revision files as ``paths``
    (:func:`.options.add_graph_options`), or one folder as ``--versions`` where
    the positional arguments are revisions; else every graph found."""
    paths = getattr(args, "paths", None) or []
    versions = getattr(args, "versions", None)
    return find_environments([*paths, versions] if versions else paths, args.config, args.name, cwd)


def tracked_files(envs: Sequence[Environment], cwd: str | Path) -> set[str] | None:
    """The files git has in its index below the environments' version locations."""
    return git.tracked_files(cwd, version_folders(envs))


def read_graph(
    env: Environment, tracked: Container[str] | None
) -> tuple[Graph | None, list[Finding]]:
    """Read and build one graph; ``None`` when a file could not be read."""
    return graph_of(_read_files(env, tracked))


def _read_files(
    env: Environment,
    tracked: Container[str] | None,
    cache: RevisionCache | None = None,
    blobs: Mapping[str, str | None] | None = None,
) -> list[Loaded]:
    """``env``'s files on disk; ``blobs`` says which blob git vouches each holds."""
    files: list[Loaded] = []
    for path in revision_file_paths(env, tracked):
        try:
            if cache is None:
                files.append(read_revision_file(path))
            else:
                files.append(cache.read(path, blobs.get(path) if blobs else None))
        except ReadError as error:
            files.append(error)
    return files


def graph_of(
    files: Sequence[Loaded], max_heads: int | None = None
) -> tuple[Graph | None, list[Finding]]:
    """Build one graph from the files read; ``None`` when one could not be
    read. With ``max_heads`` (which counts heads, labels aside), a file whose
    ``branch_labels`` could not be read counts, its labels unknown."""
    if max_heads is not None:
        files = [
            item.without_labels
            if isinstance(item, ReadError) and item.without_labels is not None
            else item
            for item in files
        ]
    errors = [item.finding() for item in files if isinstance(item, ReadError)]
    if errors:
        return None, errors
    graph = build_graph(item for item in files if isinstance(item, RevisionFile))
    return graph, list(graph.findings)


def check_environments(
    envs: Sequence[Environment],
    cwd: str | Path,
    max_heads: int | None = None,
    at: str | None = None,
    against: str | None = None,
    git_index: bool = True,
) -> list[GraphCheck]:
    """Check each graph: of the working tree (with ``git_index``, only what git
    has staged), or of commit ``at``; with ``against``, as it will be once
    merged with that ref."""
    cache = RevisionCache([loc for env in envs for loc in env.version_locations])
    unstaged: list[str] = []  # files git tracks that may differ from what it has staged
    if at is None:
        ours, unstaged = _read_working_tree(envs, cwd, cache, git_index)
    else:
        from .commit_files import scripts_at

        ours = scripts_at(envs, at, cwd, cache)
    merged = None
    if against is not None:
        from .against import merge_with

        merged = merge_with(envs, ours, at, against, cwd, cache, unstaged)
    results = []
    for index, env in enumerate(envs):
        files, own = ours[index], None
        if merged is not None:
            files, own = merged[index].files, merged[index].own
            if merged[index].conflicts:
                results.append(GraphCheck(env, None, merged[index].conflicts, [], against, own))
                continue
        graph, findings = graph_of(files, max_heads)
        problems = too_many_heads(graph, max_heads) if graph is not None and not findings else []
        results.append(GraphCheck(env, graph, findings, problems, against, own))
    cache.save()
    return results


def _read_working_tree(
    envs: Sequence[Environment], cwd: str | Path, cache: RevisionCache, git_index: bool
) -> tuple[list[list[Loaded]], list[str]]:
    """Each environment's files as they are on disk; with ``git_index`` (the
    check of a commit to be) only those git has staged, recalled by the blob
    git vouches they hold where it does. And the files git tracks that may
    differ from what it has staged."""
    if not git_index:
        folders = [folder for folder in version_folders(envs) if os.path.isdir(folder)]
        return [_read_files(env, None, cache, None) for env in envs], folders
    blobs = git.index_blobs(cwd, version_folders(envs))
    unstaged = [path for path, blob in (blobs or {}).items() if blob is None]
    return [_read_files(env, blobs, cache, blobs) for env in envs], unstaged


def commit_under_check(warn_only: bool) -> str | None:
    """The commit to check instead of the working tree: at pre-push (and
    ``pre-commit run --to-ref``) the commit being pushed."""
    if warn_only:
        return None
    return os.environ.get("PRE_COMMIT_TO_REF") or os.environ.get("PRE_COMMIT_LOCAL_BRANCH") or None
