"""``alembic-heads check``: block a second head, and anything Alembic could not load."""

from __future__ import annotations

import gc
import os
import sys

from ..cli import command
from ..core import check_environments, chosen_environments, commit_under_check
from ..findings import UsageError

# What only some runs need is imported where it is used (see CONTRIBUTING.md, "Speed rules").
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from ..results import GraphCheck


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


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    import argparse

    from ..options import add_color_option, add_graph_options, add_max_heads_option

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


@command(build_parser, no_arguments=NO_ARGUMENTS)
def _check(args: _NoArguments | argparse.Namespace) -> int:
    cwd = os.getcwd()
    try:
        envs = chosen_environments(args, cwd)
        at = commit_under_check(args.warn_only)
        results = check_environments(envs, cwd, args.max_heads, at, args.against)
        if args.linear or args.single_base:
            _check_shapes(results, args.linear, args.single_base)
        if args.summary:
            from ..summary import markdown

            _append(args.summary, markdown(results, cwd))
    except UsageError as error:
        if args.summary:  # the summary says it too
            import contextlib

            from ..summary import usage_error

            # when the summary itself could not be written, the error line says so
            with contextlib.suppress(UsageError):
                _append(args.summary, usage_error(f"alembic-heads: {error}"))
        raise
    failed = [result for result in results if not result.ok]
    if args.format == "json":
        import json

        from ..machine_output import check_document

        print(json.dumps(check_document(results, cwd), indent=2))
        return 1 if failed and not args.warn_only else 0
    if failed:
        from ..drawing import wants_color
        from ..machine_output import check_document, github_annotations
        from ..report import format_check

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
    from ..shapes import shape_findings

    for result in results:
        if result.graph is not None and not result.findings:
            result.findings.extend(shape_findings(result.graph, linear, single_base))
