"""The promise a round trip makes: it touches no database but the one it created.

While :func:`only_this_database` is active every new DBAPI connection
SQLAlchemy opens, from any engine (env.py's own included), is checked before
it is made, and one that would reach another database raises
:class:`ForeignDatabase` before any statement runs there. As that check reads
the URL, a connection is also asked where it really is, by the database itself
(:meth:`.ScratchDatabase.really_here`), when it is made and whenever it is taken
from a pool: an engine with its own ``creator``, a listener that rewrites the
arguments, or a connection pooled before the round trip began cannot get past
it. A SQLite connection may attach no other file. (Statements a migration sends
on through the database's own links, such as PostgreSQL's dblink, are out of
its reach.)
"""

from __future__ import annotations

import contextlib
import os
import weakref
from collections.abc import Iterator, Sequence
from typing import Any

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    class Guarded(Protocol):
        """The database a round trip created (:class:`.scratch_database.ScratchDatabase`)."""

        def allows(self, target: Target) -> bool: ...

        def really_here(self, dbapi_connection: Any) -> str | None: ...


# What a user whose env.py connects elsewhere is told to do.
HONOUR_CONNECTION = (
    "make env.py use config.attributes['connection'] when it is set, or the "
    "sqlalchemy.url of its Config (or name its environment variable with --url-env)"
)

# Where a connection goes: (dialect name, what identifies the database).
Target = tuple[str, tuple[str, ...]]


class ForeignDatabase(Exception):
    """env.py (or a migration) tried to connect to a database the round trip did not create."""

    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.where = where


def target_of(engine: Any) -> Target:
    cargs, cparams = engine.dialect.create_connect_args(engine.url)
    return _target(engine.dialect.name, cargs, cparams)


def _target(dialect: str, cargs: Sequence[Any], cparams: dict[str, Any]) -> Target:
    if cargs:  # SQLite: the file
        name = str(cargs[0])
        return dialect, (name if name == ":memory:" else os.path.realpath(name),)
    keys = ("host", "port", "unix_socket", "dbname", "database", "dsn")
    parts = [cparams.get(key) for key in keys]
    return dialect, tuple("" if part is None else str(part) for part in parts)


def _describe(target: Target) -> str:
    dialect, parts = target
    return f"{dialect} {' '.join(part for part in parts if part)}".strip()


@contextlib.contextmanager
def only_this_database(database: Guarded) -> Iterator[None]:
    """Refuse every new connection that would not reach ``database``.

    The connections env.py's own engines open stay in their pools, which
    nobody disposes: each is closed when its pool forgets it, and at the end
    (the database is about to be dropped), not left to the garbage collector
    (a ResourceWarning)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.pool import Pool

    closers: list[weakref.finalize[Any, Any]] = []

    def check(dialect: Any, record: Any, cargs: Sequence[Any], cparams: dict[str, Any]) -> None:
        target = _target(dialect.name, cargs, cparams)
        if not database.allows(target):
            raise ForeignDatabase(_describe(target))

    def ask(dbapi_connection: Any, record: Any, *proxy: Any) -> None:
        elsewhere = database.really_here(dbapi_connection)
        if elsewhere is not None:
            raise ForeignDatabase(elsewhere)

    def ask_and_keep(dbapi_connection: Any, record: Any) -> None:
        ask(dbapi_connection, record)
        closers.append(weakref.finalize(record, _close, dbapi_connection))

    event.listen(Engine, "do_connect", check)
    event.listen(Pool, "connect", ask_and_keep)
    event.listen(Pool, "checkout", ask)
    try:
        yield
    finally:
        event.remove(Engine, "do_connect", check)
        event.remove(Pool, "connect", ask_and_keep)
        event.remove(Pool, "checkout", ask)
        for close in closers:
            close()


def _close(dbapi_connection: Any) -> None:
    with contextlib.suppress(Exception):  # closed already, or its server gone
        dbapi_connection.close()
