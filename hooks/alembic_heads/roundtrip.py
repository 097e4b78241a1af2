"""The round trip (``alembic-heads roundtrip``): prove every migration can be
undone, on a real database.

For each revision R, in the graph's own order (merges, branchpoints, labelled
branches and ``depends_on`` included): upgrade to R, downgrade R to exactly the
state before it, compare the schema with the one recorded before R ("the
downgrade leaves no trace"), upgrade R again and compare with the schema
recorded after R ("the upgrade is repeatable").

Each step is the one Alembic itself would run (a ``RevisionStep``: its
``upgrade``/``downgrade`` and the version table's heads moved as ``alembic
upgrade``/``downgrade`` move them), through the project's own env.py, which
gets the database as ``config.attributes["connection"]``, as ``sqlalchemy.url``
and, with ``--url-env NAME``, in that environment variable. Unlike every other
command this one runs the project's code: run it in the project's environment.

The database is one this command creates (see :mod:`scratch_database`), and
the only one it lets SQLAlchemy connect to.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import Environment
from .database_guard import only_this_database
from .findings import UsageError
from .progress_line import Progress, no_progress
from .revision_order import in_scope, topological
from .revision_walk import Walk
from .roundtrip_report import GraphRoundtrip
from .scratch_database import ScratchDatabase, one_line
from .start_modes import initial_start, load_metadata


@dataclass(frozen=True)
class Options:
    url: str | None = None  # a PostgreSQL or MySQL/MariaDB server; None: a SQLite file of our own
    url_env: str | None = None
    since: str | None = None
    against: str | None = None
    initial: str | None = None  # module:attr, a MetaData created before the first revision
    metadata: str | None = None  # module:attr (or ENV_METADATA): build at head, walk downwards


def roundtrip_environments(
    envs: Sequence[Environment],
    cwd: Path,
    options: Options,
    progress: Progress = no_progress,
) -> list[GraphRoundtrip]:
    """Round-trip every environment, each on a database of its own."""
    _require_sqlalchemy_2()
    own: list[frozenset[str] | None] = [None] * len(envs)
    if options.against is not None:
        from .core import check_environments

        results = check_environments(envs, cwd, against=options.against, git_index=False)
        own = [result.own for result in results]
    return [
        _roundtrip_environment(env, cwd, options, own[index], progress)
        for index, env in enumerate(envs)
    ]


def _require_sqlalchemy_2() -> None:
    """The round trip speaks SQLAlchemy 2.0 (``sqlalchemy.URL``, its
    connection events, psycopg 3's dialect): an older one is one line."""
    import sqlalchemy

    if int(sqlalchemy.__version__.split(".")[0]) < 2:
        raise UsageError(
            f"roundtrip needs SQLAlchemy 2.0 or later; installed: {sqlalchemy.__version__}"
        )


def _roundtrip_environment(
    env: Environment,
    cwd: Path,
    options: Options,
    own: frozenset[str] | None,
    progress: Progress,
) -> GraphRoundtrip:
    with _quiet_logging(), _in_folder(env.run_from or cwd):
        config = _alembic_config(env)
        script = _script_directory(config, env, cwd)
        order = topological(script)
        checked = in_scope(script, order, options.since, own)
        initial = load_metadata(options.initial, "--initial") if options.initial else None
        database = ScratchDatabase(options.url)
        try:
            with only_this_database(database), _url_variable(options.url_env, database):
                walk = Walk(env, cwd, config, script, database, initial)
                if options.metadata is not None:
                    try:
                        walk.run_down(order, checked, progress, options.metadata)
                    finally:
                        walk.close()
                    return walk.result
                if options.initial is not None:
                    walk.result.start = initial_start(env.name, options.initial)
                try:
                    walk.run(order, checked, progress)
                finally:
                    walk.close()
                return walk.result
        finally:
            database.remove_or_say()


def _alembic_config(env: Environment) -> Any:
    from alembic.config import Config

    if env.ini is None and env.toml is None:
        config = Config()  # a versions/ folder found beside its env.py
        script_dir = env.script_dir or os.path.dirname(env.version_locations[0])
        config.set_main_option("script_location", script_dir)
        config.set_main_option("path_separator", "os")
        config.set_main_option("version_locations", os.pathsep.join(env.version_locations))
        return config
    if env.toml is not None:
        return Config(file_=env.ini, toml_file=env.toml, ini_section=env.section)
    return Config(file_=env.ini, ini_section=env.section)


def _script_directory(config: Any, env: Environment, cwd: Path) -> Any:
    from alembic.script import ScriptDirectory

    try:
        script = ScriptDirectory.from_config(config)
        script.revision_map.heads  # noqa: B018  # loads every revision file now
    except Exception as error:
        raise UsageError(
            f"{env.name}: Alembic cannot load the revisions: {one_line(error)}"
        ) from None
    return script


@contextlib.contextmanager
def _quiet_logging() -> Iterator[None]:
    """env.py's ``fileConfig`` turns on Alembic's INFO lines, one per step:
    thousands of them. Warnings still show."""
    before = logging.root.manager.disable
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(before)


@contextlib.contextmanager
def _in_folder(folder: str | Path) -> Iterator[None]:
    """Where ``alembic`` runs: relative paths in the configuration are from there."""
    old = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(old)


@contextlib.contextmanager
def _url_variable(name: str | None, database: ScratchDatabase) -> Iterator[None]:
    if name is None:
        yield
        return
    old = os.environ.get(name)
    os.environ[name] = database.url_text
    try:
        yield
    finally:
        if old is None:
            del os.environ[name]
        else:
            os.environ[name] = old
