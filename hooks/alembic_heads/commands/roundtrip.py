"""``alembic-heads roundtrip``: upgrade, downgrade and upgrade again every
revision on a database of its own (the work is :mod:`alembic_heads.roundtrip`'s)."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..cli import command
from ..core import chosen_environments
from ..findings import UsageError
from ..progress_line import ProgressLine, no_progress
from ..roundtrip import Options, roundtrip_environments
from ..roundtrip_report import GraphRoundtrip, format_text
from ..start_modes import ENV_METADATA


def build_parser() -> argparse.ArgumentParser:
    from ..options import add_config_options

    parser = argparse.ArgumentParser(
        prog="alembic-heads roundtrip",
        description="Upgrade, downgrade and upgrade again every revision, in the graph's own "
        "order, on a database this command creates (a SQLite file, or a new database on the "
        "PostgreSQL or MySQL/MariaDB server --url names), comparing the schema after each "
        "step. Runs the project's env.py and revisions: run it in the project's environment.",
    )
    add_config_options(parser)
    parser.add_argument(
        "--url",
        metavar="URL",
        help="a PostgreSQL server (postgresql://user@host/postgres) or a MySQL/MariaDB "
        "server (mysql+pymysql://user@host/): a database with a random name is created "
        "there and dropped at the end (default: a SQLite file in a temporary folder)",
    )
    parser.add_argument(
        "--url-env",
        metavar="NAME",
        help="also set environment variable NAME to the database's URL, for an env.py "
        "that reads it",
    )
    parser.add_argument("--since", metavar="REV", help="round-trip only REV and what is above it")
    parser.add_argument(
        "--against",
        metavar="REF",
        help="round-trip only the revisions this branch adds to REF (e.g. origin/main)",
    )
    parser.add_argument(
        "--initial",
        metavar="MODULE:ATTR",
        help="for a history whose first revision assumes tables the application creates: "
        "create the tables of this MetaData (or declarative base) before the first revision",
    )
    parser.add_argument(
        "--metadata",
        metavar="MODULE:ATTR",
        nargs="?",
        const=ENV_METADATA,
        help="for a history that cannot run from an empty database: build the database at "
        "head from this MetaData (default: the target_metadata env.py gives autogenerate), "
        "stamp it, and round-trip the revisions newest first, downwards",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def json_document(results: Sequence[GraphRoundtrip]) -> dict[str, Any]:
    from .. import __version__

    return {
        "version": 1,
        "tool": {"name": "alembic-heads", "version": __version__},
        "ok": all(result.ok for result in results),
        "graphs": [
            {
                "name": result.env.name,
                "database": result.dialect,
                "start": result.start or None,
                "ok": result.ok,
                "revisions": result.revisions,
                "round_tripped": result.round_tripped,
                "irreversible": [
                    {"path": note.path, "line": note.line, "message": note.message}
                    for note in result.irreversible
                ],
                "not_reached": result.not_reached,
                "findings": [
                    {
                        "id": finding.code,
                        "revision": revision,
                        "path": finding.path,
                        "line": finding.line,
                        "message": finding.message,
                        "hint": finding.hint,
                    }
                    for finding, revision in zip(
                        result.findings, result.finding_revisions, strict=False
                    )
                ],
            }
            for result in results
        ],
    }


@command(build_parser)
def main(args: argparse.Namespace) -> int:
    if args.initial and args.metadata:
        raise UsageError("--initial and --metadata are two start modes: choose one")
    options = Options(args.url, args.url_env, args.since, args.against, args.initial, args.metadata)
    cwd = Path.cwd()
    progress = ProgressLine(sys.stderr) if sys.stderr.isatty() else None
    try:
        with _stopped_by_signals():
            envs = chosen_environments(args, cwd)
            results = roundtrip_environments(envs, cwd, options, progress or no_progress)
    except UsageError:
        if progress is not None:
            progress.clear()
        raise
    except KeyboardInterrupt:
        if progress is not None:
            progress.clear()
        print("alembic-heads: interrupted; the round trip's database is removed", file=sys.stderr)
        return 130
    if progress is not None:
        progress.clear()
    if args.format == "json":
        import json

        print(json.dumps(json_document(results), indent=2))
    else:
        text = format_text(results)
        if text:
            print(text)
    return 0 if all(result.ok for result in results) else 1


@contextlib.contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """SIGTERM (and SIGHUP) end the run like Ctrl-C: through every ``finally``,
    so the database is dropped."""

    def interrupt(number: int, frame: Any) -> None:
        raise KeyboardInterrupt

    names = ("SIGTERM", "SIGHUP")
    previous: dict[int, Any] = {}
    try:
        for name in names:
            number = getattr(signal, name, None)
            if number is not None:
                previous[number] = signal.signal(number, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        pass
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
