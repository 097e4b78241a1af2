"""``alembic-heads check``: block a second head, and anything Alembic could not load."""

from __future__ import annotations

import gc
import os
import sys

from . import git
from .cache import RevisionCache
from .config import Environment, version_folders
from .discover import find_environments, revision_file_paths
from .findings import Finding, UsageError, error_line, in_order
from .graph import Graph, build_graph
from .heads import TooManyHeads, too_many_heads
from .paths import display, displayer
from .record import Record, replace
from .revision_file import ReadError, RevisionFile, read_revision_file

# What only some runs need is imported there: the hook runs on every commit,
# and on a thousand revisions imports cost more than the check itself.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Container, Mapping, Sequence
    from pathlib import Path

    from .snapshot import Loaded


# What the parser gives for no arguments (a test keeps them equal): the hook
# passes none, and then argparse need not be imported at all.
class _NoArguments:
    def __init__(self) -> None:
        self.paths: list[str] = []
        self.config: list[str] = []
        self.name: str | None = None
        self.max_heads: int | None = None
        self.against: str | None = None
        self.warn_only = False
        self.format = "text"
        self.color = "auto"
        self.summary: str | None = None
        self.linear = False
        self.single_base = False


NO_ARGUMENTS = _NoArguments()


class GraphCheck(Record):
    """What checking one environment found."""

    __slots__ = ("env", "graph", "findings", "too_many_heads", "against", "own")
    __hash__ = None  # type: ignore[assignment]  # it holds lists

    def __init__(
        self,
        env: Environment,
        graph: Graph | None,
        findings: list[Finding] | None = None,
        too_many_heads: list[TooManyHeads] | None = None,
        against: str | None = None,
        own: frozenset[str] | None = None,  # with ``against``: the ids only this branch has
    ) -> None:
        self.env = env
        self.graph = graph
        self.findings = [] if findings is None else findings
        self.too_many_heads = [] if too_many_heads is None else too_many_heads
        self.against = against
        self.own = own

    @property
    def ok(self) -> bool:
        return not self.findings and not self.too_many_heads


PATHS_HELP = (
    "versions folders or revision files (default: the configured graph, "
    "or every versions/ folder beside an env.py)"
)


def add_graph_options(parser: argparse.ArgumentParser, paths_help: str = PATHS_HELP) -> None:
    """The options every command that reads a graph shares."""
    parser.add_argument("paths", nargs="*", help=paths_help)
    add_config_options(parser)


def add_config_options(parser: argparse.ArgumentParser) -> None:
    """``-c`` and ``-n``: the configuration that names a graph, as for ``alembic``."""
    parser.add_argument(
        "-c",
        "--config",
        action="append",
        default=[],
        metavar="FILE",
        help="Alembic ini file or pyproject.toml, as for `alembic -c` (default: "
        "$ALEMBIC_CONFIG, alembic.ini, pyproject.toml)",
    )
    parser.add_argument(
        "-n",
        "--name",
        metavar="SECTION",
        help="ini section, as for `alembic -n` (default: alembic)",
    )


def chosen_environments(
    args: argparse.Namespace | _NoArguments, cwd: str | Path
) -> list[Environment]:
    """The graphs the command line chose, however a command spells it: ``-c``
    and ``-n``, versions folders or revision files as ``paths``
    (:func:`add_graph_options`), or one folder as ``--versions`` where the
    positional arguments are revisions; else every graph found."""
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
    return graph_of(_read_scripts(env, tracked))


def _read_scripts(
    env: Environment,
    tracked: Container[str] | None,
    cache: RevisionCache | None = None,
    blobs: Mapping[str, str | None] | None = None,
) -> list[Loaded]:
    """``env``'s files on disk; ``blobs`` says which blob git vouches each holds."""
    shown_as = displayer(os.getcwd())
    scripts: list[Loaded] = []
    for path in revision_file_paths(env, tracked):
        shown = shown_as(path)
        try:
            if cache is None:
                scripts.append(read_revision_file(path, shown))
            else:
                scripts.append(cache.read(path, shown, blobs.get(path) if blobs else None))
        except ReadError as error:
            scripts.append(error)
    return scripts


def graph_of(
    scripts: Sequence[Loaded], max_heads: int | None = None
) -> tuple[Graph | None, list[Finding]]:
    """Build one graph from the files read; ``None`` when one could not be
    read. With ``max_heads`` (which counts heads, labels aside), a file whose
    ``branch_labels`` could not be read counts, its labels unknown."""
    if max_heads is not None:
        scripts = [
            item.without_labels
            if isinstance(item, ReadError) and item.without_labels is not None
            else item
            for item in scripts
        ]
    errors = [item.finding() for item in scripts if isinstance(item, ReadError)]
    if errors:
        return None, errors
    graph = build_graph(item for item in scripts if isinstance(item, RevisionFile))
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
        from .snapshot import scripts_at

        ours = scripts_at(envs, at, cwd, cache)
    merged = None
    if against is not None:
        from .merged import merge_with

        merged = merge_with(envs, ours, at, against, cwd, cache, unstaged)
    results = []
    for index, env in enumerate(envs):
        scripts, own = ours[index], None
        if merged is not None:
            scripts, own = merged[index].scripts, merged[index].own
            if merged[index].conflicts:
                results.append(GraphCheck(env, None, merged[index].conflicts, [], against, own))
                continue
        graph, findings = graph_of(scripts, max_heads)
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
        return [_read_scripts(env, None, cache, None) for env in envs], folders
    blobs = git.index_blobs(cwd, version_folders(envs))
    unstaged = [path for path, blob in (blobs or {}).items() if blob is None]
    return [_read_scripts(env, blobs, cache, blobs) for env in envs], unstaged


def format_check(result: GraphCheck, cwd: str | Path, color: bool = False) -> str:
    from .report import heads_report  # only a failing check needs it

    blocks = []
    for finding in in_order(result.findings):
        blocks.append(replace(finding, path=display(finding.path, cwd)).format())
    assert result.graph is not None or not result.too_many_heads
    env = result.env
    if result.against is not None:
        env = replace(env, name=f"{env.name}, merged with {result.against}")
    for problem in result.too_many_heads:
        assert result.graph is not None
        blocks.append(heads_report(result.graph, env, problem, cwd, result.own, color))
    return "\n".join(blocks)


def _max_heads(value: str) -> int:
    import argparse

    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def add_max_heads_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-heads",
        type=_max_heads,
        metavar="N",
        help="allow up to N heads, ignoring branch labels (for labels that are not literals)",
    )


def add_color_option(parser: argparse.ArgumentParser) -> None:
    """``--color`` of :func:`~alembic_heads.drawing.wants_color` (here, not
    there: the parser of every run with arguments would import the drawing)."""
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the drawing: auto (default) when output is a terminal and NO_COLOR is unset",
    )


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    import argparse

    parser = parser or argparse.ArgumentParser(prog="alembic-heads check")
    parser.description = (
        "Fail when an Alembic revision graph has more than one head, or when a "
        "revision file is one Alembic could not load. Reads files without running them."
    )
    add_graph_options(parser)
    add_max_heads_option(parser)
    parser.add_argument(
        "--against",
        metavar="REF",
        help="check the graph as it will be once this branch and REF (e.g. origin/main) "
        "meet, reading REF from git without a checkout",
    )
    parser.add_argument(
        "--single-base",
        action="store_true",
        help="also fail when the history starts from more than one base (multiple-bases)",
    )
    parser.add_argument(
        "--linear",
        action="store_true",
        help="require a strictly linear history: one base and no merge revisions "
        "(multiple-bases, merge-revision)",
    )
    parser.add_argument(
        "--warn-only",
        action="store_true",
        help="print the report but exit 0 (for post-merge, post-checkout, post-rewrite)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text for people (default; with GitHub annotations when GITHUB_ACTIONS=true), "
        "or json (schema: alembic_heads/schema/check-v1.json)",
    )
    add_color_option(parser)
    parser.add_argument(
        "--summary",
        metavar="FILE",
        help="also append a Markdown report to FILE (in GitHub Actions, $GITHUB_STEP_SUMMARY): "
        "each graph's heads, or the divergence drawn in Mermaid and the fix commands",
    )
    return parser


def commit_under_check(warn_only: bool) -> str | None:
    """The commit to check instead of the working tree: at pre-push (and
    ``pre-commit run --to-ref``) the commit being pushed."""
    if warn_only:
        return None
    return os.environ.get("PRE_COMMIT_TO_REF") or os.environ.get("PRE_COMMIT_LOCAL_BRANCH") or None


def main(argv: Sequence[str] | None = None) -> int:
    # A short run that builds tens of thousands of small objects and frees
    # none: the cycle collector would only walk them, again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _check(argv)
    finally:
        if collecting:
            gc.enable()


def _check(argv: Sequence[str] | None) -> int:
    args = NO_ARGUMENTS if argv is not None and not argv else build_parser().parse_args(argv)
    cwd = os.getcwd()
    try:
        envs = chosen_environments(args, cwd)
        at = commit_under_check(args.warn_only)
        results = check_environments(envs, cwd, args.max_heads, at, args.against)
        if args.linear or args.single_base:
            _check_shapes(results, args.linear, args.single_base)
        if args.summary:
            from .summary import markdown

            _append(args.summary, markdown(results, cwd))
    except UsageError as error:
        error_line(error)
        if args.summary:
            import contextlib

            from .summary import usage_error

            # when the summary itself could not be written, the line above says so
            with contextlib.suppress(UsageError):
                _append(args.summary, usage_error(f"alembic-heads: {error}"))
        return 0 if args.warn_only else 2
    failed = [result for result in results if not result.ok]
    if args.format == "json":
        import json

        from .machine_output import check_document

        print(json.dumps(check_document(results, cwd), indent=2))
        return 1 if failed and not args.warn_only else 0
    if failed:
        from .drawing import wants_color
        from .machine_output import check_document, github_annotations

        color = wants_color(args.color, sys.stdout)
        print("\n\n".join(format_check(result, cwd, color) for result in failed))
        if os.environ.get("GITHUB_ACTIONS") == "true":
            workspace = os.environ.get("GITHUB_WORKSPACE") or cwd
            print("\n".join(github_annotations(check_document(failed, cwd), cwd, workspace)))
        return 0 if args.warn_only else 1
    return 0


def _append(path: str, text: str) -> None:
    """Add to a file someone else owns (a job summary), never replacing it."""
    try:
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(text)
    except OSError as error:
        raise UsageError(f"{path}: cannot write the summary: {error.strerror}") from None


def _check_shapes(results: Sequence[GraphCheck], linear: bool, single_base: bool) -> None:
    """Add what ``--linear`` and ``--single-base`` find to each graph that was read."""
    from .shapes import shape_findings

    for result in results:
        if result.graph is not None and not result.findings:
            result.findings.extend(shape_findings(result.graph, linear, single_base))
