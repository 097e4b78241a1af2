"""``alembic-heads check``: block a second head, and anything Alembic could not load."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import git
from .config import Environment
from .discover import find_environments, revision_paths
from .findings import Finding, UsageError
from .graph import Graph, build_graph
from .heads import TooManyHeads, too_many_heads
from .paths import display
from .report import heads_report
from .revision_file import ReadError, RevisionFile, read_revision_file


@dataclass
class GraphCheck:
    """What checking one environment found."""

    env: Environment
    graph: Graph | None
    findings: list[Finding] = field(default_factory=list)
    too_many_heads: list[TooManyHeads] = field(default_factory=list)

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


def tracked_files(envs: Sequence[Environment], cwd: Path) -> set[str] | None:
    """The files git has in its index below the environments' version locations."""
    return git.tracked_files(cwd, [loc for env in envs for loc in env.version_locations])


def read_graph(env: Environment, tracked: set[str] | None) -> tuple[Graph | None, list[Finding]]:
    """Read and build one graph; ``None`` when a file could not be read."""
    scripts: list[RevisionFile] = []
    errors: list[Finding] = []
    for path in revision_paths(env, tracked):
        try:
            scripts.append(read_revision_file(path, display(path, Path.cwd())))
        except ReadError as error:
            errors.append(Finding(error.path, error.line, error.code, error.message, error.hint))
    if errors:
        return None, errors
    graph = build_graph(scripts)
    return graph, list(graph.findings)


def check_environments(
    envs: Sequence[Environment], cwd: Path, max_heads: int | None = None, git_index: bool = True
) -> list[GraphCheck]:
    """Check each graph; with ``git_index`` only the files a commit would hold."""
    tracked = tracked_files(envs, cwd) if git_index else None
    results = []
    for env in envs:
        graph, findings = read_graph(env, tracked)
        problems = too_many_heads(graph, max_heads) if graph is not None and not findings else []
        results.append(GraphCheck(env, graph, findings, problems))
    return results


def format_check(result: GraphCheck, cwd: Path) -> str:
    blocks = []
    for finding in sorted(result.findings, key=lambda f: (f.path, f.line, f.message)):
        blocks.append(replace(finding, path=display(Path(finding.path), cwd)).format())
    assert result.graph is not None or not result.too_many_heads
    for problem in result.too_many_heads:
        assert result.graph is not None
        blocks.append(heads_report(result.graph, result.env, problem, cwd))
    return "\n".join(blocks)


def _max_heads(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parser = parser or argparse.ArgumentParser(prog="alembic-heads check")
    parser.description = (
        "Fail when an Alembic revision graph has more than one head, or when a "
        "revision file is one Alembic could not load. Reads files without running them."
    )
    add_graph_options(parser)
    parser.add_argument(
        "--max-heads",
        type=_max_heads,
        metavar="N",
        help="allow up to N heads, ignoring branch labels (for labels that are not literals)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    cwd = Path.cwd()
    try:
        envs = find_environments(args.paths, args.config, args.name, cwd)
        results = check_environments(envs, cwd, args.max_heads)
    except UsageError as error:
        print(f"alembic-heads: {error}", file=sys.stderr)
        return 2
    failed = [result for result in results if not result.ok]
    if failed:
        print("\n\n".join(format_check(result, cwd) for result in failed))
        return 1
    return 0
