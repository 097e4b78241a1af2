"""The database a round trip runs on: one it creates, and the only one it touches.

By default a SQLite file in a new temporary folder; given a PostgreSQL or a
MySQL/MariaDB server's URL, a database with a random name created there.
Either is removed at the end, also when the run fails or is interrupted (the
caller's ``finally``).

It is the only database the round trip lets SQLAlchemy connect to (see
:mod:`database_guard`, which asks :meth:`ScratchDatabase.really_here`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from typing import Any

from .database_guard import Target, target_of
from .findings import UsageError

SERVER_DIALECTS = ("postgresql", "mysql", "mariadb")
# Where a connection to the server goes while the database is created or dropped.
MAINTENANCE_DATABASE = {"postgresql": "postgres", "mysql": None}
DATABASE_PREFIX = "alembic_heads_roundtrip_"


def one_line(error: BaseException) -> str:
    """An error as one line: the database's own message where there is one."""
    cause = getattr(error, "orig", None) or error
    text = " ".join(str(cause).split("\n")[0].split()) or "(no message)"
    return f"{type(cause).__name__}: {text}"


class ScratchDatabase:
    """A database made for one run. ``url`` is what env.py is handed."""

    def __init__(self, server_url: str | None) -> None:
        import sqlalchemy
        from sqlalchemy.engine import make_url

        self._folder: str | None = None
        self._server: Any = None
        self._on_server_now = False
        self._mysql = False
        if server_url is None:
            self._folder = tempfile.mkdtemp(prefix="alembic-heads-roundtrip-")
            self.url = sqlalchemy.URL.create(
                "sqlite", database=os.path.join(self._folder, "roundtrip.db")
            )
            self.name = self.url.database
            self._engine = _scratch_engine(self.url)
            return
        try:
            server = make_url(server_url)
        except (sqlalchemy.exc.ArgumentError, ValueError):  # ValueError: a port that is not one
            raise UsageError(f"--url: not a database URL: {server_url!r}") from None
        if server.get_backend_name() not in SERVER_DIALECTS:
            raise UsageError(
                f"--url: roundtrip creates its database on a PostgreSQL or MySQL/MariaDB "
                "server, not "
                f"{server.get_backend_name()} (without --url it uses a SQLite file of its own)"
            )
        self.name = f"{DATABASE_PREFIX}{uuid.uuid4().hex[:12]}"
        server = _with_installed_driver(server)
        self._mysql = server.get_backend_name() in ("mysql", "mariadb")
        maintenance = MAINTENANCE_DATABASE["mysql" if self._mysql else "postgresql"]
        self._server = sqlalchemy.create_engine(
            server.set(database=server.database or maintenance),
            isolation_level="AUTOCOMMIT",
            poolclass=sqlalchemy.NullPool,
        )
        self.url = server.set(database=self.name)
        self._engine = _scratch_engine(self.url)
        try:
            self._on_server(f"CREATE DATABASE {self._quoted}")
        except sqlalchemy.exc.SQLAlchemyError as error:
            self._server.dispose()
            raise UsageError(f"--url: cannot create a database there: {one_line(error)}") from None

    @property
    def dialect(self) -> str:
        return str(self.url.get_backend_name())

    @property
    def url_text(self) -> str:
        """The URL as env.py reads it (password included)."""
        return str(self.url.render_as_string(hide_password=False))

    def allows(self, target: Target) -> bool:
        """Whether a connection to ``target`` reaches this database (or the
        server's maintenance database, while this object creates or drops it)."""
        if target == target_of(self._engine):
            return True
        return self._on_server_now and target == target_of(self._server)

    def connect(self) -> Any:
        return self._engine.connect()

    def really_here(self, dbapi_connection: Any) -> str | None:
        """``None`` when the DBAPI connection is to this database (or to the
        server's maintenance database while this object uses it), else where
        it is, as the database says."""
        import sqlite3

        if isinstance(dbapi_connection, sqlite3.Connection):
            # No ATTACH of another file (Python 3.11+ can set the limit).
            attached = getattr(sqlite3, "SQLITE_LIMIT_ATTACHED", None)
            set_limit = getattr(dbapi_connection, "setlimit", None)
            if attached is not None and set_limit is not None:
                set_limit(attached, 0)
            rows = dbapi_connection.execute("PRAGMA database_list").fetchall()
            files = [os.path.realpath(row[2]) if row[2] else ":memory:" for row in rows]
            wanted = os.path.realpath(str(self.url.database)) if self._folder else None
            return None if files == [wanted] else f"sqlite {', '.join(files)}"
        if self._folder is not None:
            return f"{type(dbapi_connection).__module__} (not this SQLite file)"
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT DATABASE()" if self._mysql else "SELECT current_database()")
            (name,) = cursor.fetchone()
        finally:
            cursor.close()
            if not getattr(dbapi_connection, "autocommit", False):
                dbapi_connection.rollback()  # leave no transaction open behind the pool
        maintenance = self._server.url.database or None  # MySQL's: none at all
        if name == self.name or (self._on_server_now and name == maintenance):
            return None
        where = "database " + name if name else "server, in no database"
        return f"{'mysql' if self._mysql else 'postgresql'} {where}"

    def recreate(self) -> None:
        """Empty again, as if just created (close every connection first)."""
        if self._server is None:
            assert self.url.database is not None
            for suffix in ("", "-journal", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(self.url.database + suffix)
            return
        self._drop()
        self._on_server(f"CREATE DATABASE {self._quoted}")

    def save_to(self, path: str) -> None:
        """A copy of the SQLite file at ``path`` (close every connection first)."""
        assert self.url.database is not None
        os.makedirs(os.path.dirname(path), exist_ok=True)
        partial = f"{path}.{uuid.uuid4().hex[:8]}.partial"
        shutil.copyfile(self.url.database, partial)
        os.replace(partial, path)

    def load_from(self, path: str) -> None:
        """The SQLite file becomes a copy of ``path`` (close every connection first)."""
        assert self.url.database is not None
        shutil.copyfile(path, self.url.database)

    def remove(self) -> None:
        """Drop the database (and its folder): at the end of every run."""
        self._engine.dispose()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            return
        try:
            self._drop()
        finally:
            self._server.dispose()

    def remove_or_say(self) -> None:
        """:meth:`remove`; when the server will not drop it, one line that
        names the database left there."""
        import sqlalchemy

        try:
            self.remove()
        except sqlalchemy.exc.SQLAlchemyError as error:
            raise UsageError(
                f"could not drop the round trip's database {self.name}: {one_line(error)} "
                f"(drop it by hand: DROP DATABASE {self._quoted})"
            ) from None

    @property
    def _quoted(self) -> str:
        return f"`{self.name}`" if self._mysql else f'"{self.name}"'

    def _drop(self) -> None:
        if not self._mysql:
            # FORCE ends the sessions env.py's own engines may still hold.
            self._on_server(f"DROP DATABASE IF EXISTS {self._quoted} WITH (FORCE)")
            return
        # MySQL has no FORCE: a session left in a transaction holds its tables'
        # metadata locks, and DROP DATABASE would wait for it forever.
        self._on_server(
            "SELECT id FROM information_schema.processlist"
            f" WHERE db = '{self.name}' AND id <> CONNECTION_ID()",
            then_each=lambda row: f"KILL {int(row[0])}",
        )
        self._on_server(f"DROP DATABASE IF EXISTS {self._quoted}")

    def _on_server(self, statement: str, then_each: Any = None) -> None:
        """``statement`` on the server; ``then_each(row)``: a statement for each
        row it returns (a session that is gone by then is no error)."""
        import sqlalchemy

        self._on_server_now = True
        try:
            with self._server.connect() as connection:
                result = connection.exec_driver_sql(statement)
                for row in list(result) if then_each else []:
                    with contextlib.suppress(sqlalchemy.exc.OperationalError):
                        connection.exec_driver_sql(then_each(row))
        finally:
            self._on_server_now = False


# Per backend: SQLAlchemy's default driver, and the one the backend's extra installs.
_DRIVERS = {
    "postgresql": ("psycopg2", "psycopg", "postgresql", "psycopg 3"),
    "mysql": ("MySQLdb", "pymysql", "mysql", "PyMySQL"),
    "mariadb": ("MySQLdb", "pymysql", "mysql", "PyMySQL"),
}


def _with_installed_driver(url: Any) -> Any:
    """``url``; on the extra's driver (psycopg 3, PyMySQL) when it names no
    driver and SQLAlchemy's default one (psycopg2, mysqlclient) is missing.
    A driver that is not installed is one line."""
    import importlib.util

    backend = url.get_backend_name()
    default, extra_driver, extra, described = _DRIVERS[backend]
    driver = url.drivername.partition("+")[2]
    if importlib.util.find_spec(driver or default) is not None:
        return url
    if not driver and importlib.util.find_spec(extra_driver) is not None:
        return url.set(drivername=f"{backend}+{extra_driver}")
    raise UsageError(
        f"--url: no driver installed for {url.drivername}: pip install "
        f"'alembic-heads[{extra}]' ({described}), or the driver the URL names"
    )


# A scratch database need not survive a power cut: not waiting for the disk
# makes each step several times faster (SQLite commits fsync twice).
_UNDURABLE = {
    "sqlite": ("PRAGMA synchronous = OFF", "PRAGMA journal_mode = MEMORY"),
    "postgresql": ("SET synchronous_commit TO OFF",),
    "mysql": (),  # its durability is the server's setting, not a session's
    "mariadb": (),
}


def _scratch_engine(url: Any) -> Any:
    import sqlalchemy

    engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.NullPool)
    statements = _UNDURABLE[engine.dialect.name]

    def undurable(dbapi_connection: Any, record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for statement in statements:
            cursor.execute(statement)
        cursor.close()
        if engine.dialect.name == "postgresql":
            dbapi_connection.commit()

    sqlalchemy.event.listen(engine, "connect", undurable)
    return engine
