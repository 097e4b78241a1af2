"""The command-line options several commands share (argparse is imported by
the parser that uses them, never on the hook's no-argument run)."""

from __future__ import annotations

import argparse

from .database_url import DEFAULT_VERSION_TABLE

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


def _max_heads(value: str) -> int:
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


def add_environment_options(parser: argparse.ArgumentParser) -> None:
    """Which graph to work on, for commands that take revisions as arguments:
    ``-c``/``-n``, or ``--versions`` (the positional arguments are revisions)."""
    add_config_options(parser)
    parser.add_argument(
        "--versions", metavar="FOLDER", help="a versions folder (when there is no config)"
    )


def add_database_options(parser: argparse.ArgumentParser) -> None:
    """``--url``, ``--url-env``, ``--version-table``, ``--version-table-schema``."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--url",
        metavar="URL",
        help="the database's SQLAlchemy URL (default: sqlalchemy.url of the Alembic config)",
    )
    where.add_argument(
        "--url-env",
        metavar="NAME",
        help="read the URL from environment variable NAME (as your env.py does)",
    )
    parser.add_argument(
        "--version-table",
        default=DEFAULT_VERSION_TABLE,
        metavar="TABLE",
        help=f"the version table, as env.py configures it (default: {DEFAULT_VERSION_TABLE})",
    )
    parser.add_argument(
        "--version-table-schema",
        metavar="SCHEMA",
        help="the version table's schema, as env.py configures it (default: none)",
    )
