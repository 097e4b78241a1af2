"""The revisions a database has applied: its version table, read and never written.

Through SQLAlchemy (imported here, only by the commands that read a database),
in a transaction that is read-only where the database can say so (PostgreSQL,
MySQL, MariaDB, Oracle: ``SET TRANSACTION READ ONLY``) and always rolled
back. A SQLite file is opened read-only (``file:...?mode=ro``): its bytes and
its modification time stay as they were, and a missing file is never created.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .database_url import DatabaseUrl
from .findings import UsageError

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Connection

# Dialects whose default driver is not the one our extra installs: tried next.
_FALLBACK_DRIVER = {
    "postgresql": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
}
# The hook's environment has only what the check needs; the database hook adds this.
SQLALCHEMY = "sqlalchemy>=1.4"
# The extra that installs a dialect's driver, and what the hook needs for it
# (psycopg 3's dialect, postgresql+psycopg, came with SQLAlchemy 2.0).
_EXTRA = {
    "postgresql": ("postgresql", "sqlalchemy>=2.0", "psycopg[binary]"),
    "mysql": ("mysql", SQLALCHEMY, "pymysql"),
    "mariadb": ("mysql", SQLALCHEMY, "pymysql"),
}
_READ_ONLY_STATEMENT = {"postgresql", "mysql", "mariadb", "oracle"}
CONNECT_TIMEOUT_SECONDS = 10


class DatabaseProblem(UsageError):
    """Why the version table could not be read; ``kind`` is one of ``url``,
    ``driver``, ``missing`` (no such database file), ``unreachable``,
    ``no-table`` (nothing was ever migrated) and ``unreadable``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def read_versions(database: DatabaseUrl, table: str, schema: str | None, base: str) -> list[str]:
    """The ``version_num`` rows of the version table, in the order the database
    gives them. ``base``: the folder a relative SQLite path is relative to
    (where ``alembic`` runs). Raises :class:`DatabaseProblem`."""
    try:
        from sqlalchemy import column, inspect, select
        from sqlalchemy import table as table_of
        from sqlalchemy.exc import DBAPIError, SQLAlchemyError
    except ImportError:
        raise DatabaseProblem(
            "driver",
            "reading a database needs SQLAlchemy: pip install 'alembic-heads[database]' "
            f"(for the pre-commit hook: additional_dependencies: ['{SQLALCHEMY}'])",
        ) from None

    where = f"{table}" if schema is None else f"{schema}.{table}"
    with read_only_connection(database, base) as connection:
        try:
            if not inspect(connection).has_table(table, schema=schema):
                raise DatabaseProblem(
                    "no-table",
                    f"{database.shown} ({database.source}) has no version table {where}: "
                    "no migration was ever applied to it",
                )
            version_table = table_of(table, column("version_num"), schema=schema)
            rows = connection.execute(select(version_table.c.version_num)).scalars().all()
        except DBAPIError as error:
            raise DatabaseProblem(
                "unreadable",
                f"cannot read {where} of {database.shown}: {_first_line(error.orig)}",
            ) from None
        except SQLAlchemyError as error:  # pragma: no cover (a dialect's own refusal)
            message = f"cannot read {where}: {_first_line(error)}"
            raise DatabaseProblem("unreadable", message) from None
    return list(dict.fromkeys(str(row) for row in rows))


@contextlib.contextmanager
def read_only_connection(database: DatabaseUrl, base: str) -> Iterator[Connection]:
    """A connection inside a read-only transaction that is rolled back at the end."""
    from sqlalchemy.exc import DBAPIError

    engine = _engine(database, base)
    try:
        try:
            connection = engine.connect()
        except DBAPIError as error:
            raise DatabaseProblem(
                "unreachable",
                f"cannot connect to {database.shown} ({database.source}): "
                f"{_first_line(error.orig)}",
            ) from None
        with connection:
            if engine.dialect.name == "postgresql":  # also when the URL asks for autocommit
                connection.exec_driver_sql("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
                connection.commit()
            transaction = connection.begin()
            try:
                if engine.dialect.name in _READ_ONLY_STATEMENT:
                    connection.exec_driver_sql("SET TRANSACTION READ ONLY")
                yield connection
            finally:
                transaction.rollback()
    finally:
        engine.dispose()


def _engine(database: DatabaseUrl, base: str) -> Any:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError
    from sqlalchemy.pool import NullPool

    try:
        url = make_url(database.url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise DatabaseProblem(
            "url", f"{database.source}: not a database URL: {database.shown}"
        ) from None
    if url.get_backend_name() == "sqlite":
        url = _read_only_sqlite(url, database, base)
    options: dict[str, Any] = {"poolclass": NullPool}
    if url.get_backend_name() in _EXTRA and "connect_timeout" not in url.query:
        options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    try:
        try:
            return create_engine(url, **options)
        except ImportError:
            fallback = _FALLBACK_DRIVER.get(url.drivername)
            if fallback is None:
                raise
            return create_engine(url.set(drivername=fallback), **options)
    except NoSuchModuleError:
        raise DatabaseProblem(
            "url",
            f"{database.source}: unknown database dialect '{url.drivername}' in "
            f"{database.shown}: pass --url URL or --url-env NAME",
        ) from None
    except ImportError as error:
        backend = url.get_backend_name()
        if backend in _EXTRA:
            extra, sqlalchemy, package = _EXTRA[backend]
            install = (
                f"pip install 'alembic-heads[{extra}]' (for the pre-commit hook: "
                f"additional_dependencies: ['{sqlalchemy}', '{package}'])"
            )
        else:
            install = f"install the driver of {url.drivername} beside alembic-heads"
        raise DatabaseProblem(
            "driver", f"no database driver for {url.drivername} ({error}): {install}"
        ) from None


def _read_only_sqlite(url: URL, database: DatabaseUrl, base: str) -> URL:
    """The SQLite file opened read-only through a ``file:`` URI: never created,
    never written."""
    name = url.database or ""
    if name in ("", ":memory:") or url.query.get("uri") or name.startswith("file:"):
        raise DatabaseProblem(
            "url",
            f"{database.source}: {database.shown} is not a database file "
            "(an in-memory database has no history)",
        )
    path = os.path.abspath(os.path.join(base, name))
    if not os.path.isfile(path):
        raise DatabaseProblem(
            "missing",
            f"database does not exist: {path} ({database.shown}, from {database.source})",
        )
    return url.set(
        drivername="sqlite+pysqlite",
        database=f"file:{quote(path)}",
        query={"mode": "ro", "uri": "true"},
    )


def _first_line(error: object) -> str:
    lines = str(error).strip().splitlines()
    return lines[0].strip() if lines else type(error).__name__
