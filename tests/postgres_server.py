"""A real PostgreSQL server for the tests, started from the server binaries.

The server lives in a temporary folder, listens on a free port of 127.0.0.1 only,
trusts local connections (nothing else can reach it) and is stopped and removed
when the test session ends. ``initdb`` refuses to run as root, so under root (as
in CI) the server runs as an unprivileged user (``postgres`` where Debian's
package created it, else ``nobody``). Where no server binaries exist, the tests
that ask for it skip and say how to get them.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Protocol, TypeVar

INSTALL_HINT = (
    "no PostgreSQL server binaries (initdb, pg_ctl); on Debian: apt-get install postgresql"
)


def psycopg_dialect_missing() -> str | None:
    """Why SQLAlchemy cannot reach the server through psycopg 3, or None: the
    ``postgresql+psycopg`` dialect came with SQLAlchemy 2.0."""
    import sqlalchemy

    major = int(sqlalchemy.__version__.split(".")[0])
    if major < 2:
        return f"psycopg 3 needs SQLAlchemy 2.0; installed: {sqlalchemy.__version__}"
    return None


def server_binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: Debian's newest version, else PATH."""
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda folder: int(folder.parent.name) if folder.parent.name.isdigit() else 0,
    )
    for folder in reversed(debian):
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl and Path(initdb).parent == Path(pg_ctl).parent:
        return Path(initdb).parent
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PostgresServer:
    """One running server; ``url()`` and ``create_database()`` hand out SQLAlchemy URLs."""

    def __init__(self, binaries: Path, folder: Path, port: int, user: str | None) -> None:
        self.binaries = binaries
        self.folder = folder
        self.data = folder / "data"
        self.port = port
        self._user = user

    def _run(self, cmd: Sequence[str]) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", self._user, "--"] if self._user else []
        return subprocess.run(
            [*prefix, *cmd], capture_output=True, text=True, check=False, cwd=self.folder
        )

    def _must(self, cmd: Sequence[str]) -> None:
        done = self._run(cmd)
        if done.returncode:
            raise RuntimeError(f"{cmd[0]} failed ({done.returncode}):\n{done.stdout}{done.stderr}")

    def start(self) -> None:
        self._must(
            [
                str(self.binaries / "initdb"),
                "-D", str(self.data), "-U", "postgres", "--auth=trust",
                "--encoding=UTF8", "--locale=C", "--no-sync",
            ]
        )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._must(
            [
                str(self.binaries / "pg_ctl"), "-D", str(self.data),
                "-l", str(self.folder / "server.log"), "-o", options, "-w", "-t", "60", "start",
            ]
        )  # fmt: skip

    def stop(self) -> None:
        self._run([str(self.binaries / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"])

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, prefix: str = "test") -> str:
        """A new empty database with a unique name; its URL."""
        import sqlalchemy

        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        engine = sqlalchemy.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        finally:
            engine.dispose()
        return self.url(name)

    def databases(self) -> set[str]:
        """The names of the databases on the server, but the templates."""
        import sqlalchemy

        engine = sqlalchemy.create_engine(self.url())
        try:
            with engine.connect() as connection:
                rows = connection.exec_driver_sql(
                    "SELECT datname FROM pg_database WHERE NOT datistemplate"
                )
                return {row[0] for row in rows}
        finally:
            engine.dispose()


def unprivileged_user(names: Sequence[str], program: str) -> str | None:
    """Under root, the first of ``names`` that exists (a server refuses root)."""
    if os.geteuid() != 0:
        return None
    for name in names:
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError(
        f"running as root and no unprivileged user ({', '.join(names)}) to run {program}"
    )


class Startable(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...


Server = TypeVar("Server", bound=Startable)


@contextlib.contextmanager
def started_in_a_folder(
    prefix: str, user: str | None, server_in: Callable[[Path], Server]
) -> Iterator[Server]:
    """``server_in(folder)`` started, in a new temporary folder its user owns;
    stopped and removed at the end."""
    # Not below pytest's tmp_path: that is private to root, and the server's user
    # must be able to reach its folder.
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    server = server_in(folder)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def running_server() -> Iterator[PostgresServer | None]:
    """A started server, or None where no server binaries exist."""
    binaries = server_binaries()
    if binaries is None:
        yield None
        return
    user = unprivileged_user(("postgres", "nobody"), "initdb")
    with started_in_a_folder(
        "alembic-heads-pg-",
        user,
        lambda folder: PostgresServer(binaries, folder, free_port(), user),
    ) as server:
        yield server
