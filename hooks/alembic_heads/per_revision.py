"""What the commands that judge revision files one at a time share.

They check the files they are given (pre-commit passes the staged Python
files; those that are not revision files of a graph are ignored), or, given
none, every revision file of the graphs ``alembic-heads check`` would read.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from .core import tracked_files
from .discover import find_environments, revision_paths
from .findings import Finding, UsageError, in_order
from .options import add_graph_options
from .paths import display
from .record import replace
from .revision_code import RevisionCode, read_revision_code
from .revision_file import ReadError

Rule = Callable[[RevisionCode], list[Finding]]

PATHS_HELP = (
    "revision files or folders to check; other files are ignored (default: every "
    "revision file of the configured graph, or of each versions/ folder beside an env.py)"
)


def build_parser(prog: str, description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=description)
    add_graph_options(parser, PATHS_HELP)
    return parser


def selected_files(
    paths: Sequence[str], config: Sequence[str], section: str | None, cwd: Path
) -> list[Path]:
    """The revision files among ``paths`` (all of them when ``paths`` is empty)."""
    envs = find_environments([], config, section, cwd)
    tracked = tracked_files(envs, cwd)
    # Compiled revisions (``sourceless``) have no source to judge.
    files = [path for env in envs for path in revision_paths(env, tracked) if path.suffix == ".py"]
    if not paths:
        return files
    wanted = set()
    for name in paths:
        path = Path(os.path.normpath(cwd / name))
        if not path.exists():
            raise UsageError(f"{name}: no such file or directory")
        wanted.add(path)
    # A set lookup per file and folder above it: pre-commit may pass thousands
    # of files, and a scan of them for each revision file grew as their product.
    return [file for file in files if file in wanted or not wanted.isdisjoint(file.parents)]


def check_files(files: Sequence[Path], rule: Rule) -> list[Finding]:
    findings: list[Finding] = []
    for path in files:
        try:
            code = read_revision_code(path)
        except ReadError as error:
            findings.append(error.finding())
            continue
        findings.extend(rule(code))
    return findings


def run(args: argparse.Namespace, rule: Rule) -> int:
    """Check the files ``args`` select with ``rule``; print the findings."""
    cwd = Path.cwd()
    files = selected_files(args.paths, args.config, args.name, cwd)
    findings = check_files(files, rule)
    for finding in in_order(findings):
        print(replace(finding, path=display(Path(finding.path), cwd)).format())
    return 1 if findings else 0
