"""A real MariaDB server for the tests, started from Debian's server binaries.

Like :mod:`postgres_server`: the server lives in a temporary folder, listens on
a free port of 127.0.0.1 only, lets ``root`` in without a password (nothing else
can reach it) and is stopped and removed when the test session ends. Under root
(as in CI) the server drops to an unprivileged user itself (``--user``:
``mysql`` where Debian's package created it, else ``nobody``). Where no server
binaries exist, or no PyMySQL to reach them, the tests that ask for it skip
and say why.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from postgres_server import free_port, started_in_a_folder, unprivileged_user

MYSQL_INSTALL_HINT = (
    "no MariaDB server binaries (mariadb-install-db, mariadbd); on Debian: "
    "apt-get install mariadb-server"
)


def pymysql_missing() -> str | None:
    """Why SQLAlchemy cannot reach the server, or None (the round trip, which
    these tests serve, needs SQLAlchemy 2.0, as the PostgreSQL server's do)."""
    import importlib.util

    import sqlalchemy

    if importlib.util.find_spec("pymysql") is None:
        return "no PyMySQL to reach a MariaDB server: pip install 'alembic-heads[mysql]'"
    if int(sqlalchemy.__version__.split(".")[0]) < 2:
        return f"the round trip needs SQLAlchemy 2.0; installed: {sqlalchemy.__version__}"
    return None


def server_binaries() -> tuple[Path, Path] | None:
    """``mariadb-install-db`` and ``mariadbd``, from PATH or Debian's folders."""
    install = shutil.which("mariadb-install-db")
    server = shutil.which("mariadbd") or shutil.which("mariadbd", path="/usr/sbin:/usr/libexec")
    if install and server:
        return Path(install), Path(server)
    return None


class MysqlServer:
    """One running server; ``url()`` and ``create_database()`` hand out SQLAlchemy URLs."""

    def __init__(self, binaries: tuple[Path, Path], folder: Path, port: int, user: str | None):
        self.install_db, self.mariadbd = binaries
        self.folder = folder
        self.data = folder / "data"
        self.port = port
        self._user = user
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        user = [f"--user={self._user}"] if self._user else []
        done = subprocess.run(
            [
                str(self.install_db), "--no-defaults",
                f"--datadir={self.data}", "--auth-root-authentication-method=normal",
                "--skip-test-db", *user,
            ],
            capture_output=True, text=True, check=False, cwd=self.folder,
        )  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"mariadb-install-db failed:\n{done.stdout}{done.stderr}")
        log = open(self.folder / "server.log", "wb")  # noqa: SIM115  # the server's, until stopped
        self._process = subprocess.Popen(
            [
                str(self.mariadbd), "--no-defaults",
                f"--datadir={self.data}", f"--socket={self.folder / 'mysqld.sock'}",
                f"--pid-file={self.folder / 'mysqld.pid'}", "--bind-address=127.0.0.1",
                f"--port={self.port}", "--innodb-flush-log-at-trx-commit=0",
                "--innodb-doublewrite=0", "--skip-log-bin", "--character-set-server=utf8mb4",
                *user,
            ],
            stdout=log, stderr=subprocess.STDOUT, cwd=self.folder,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(Exception):
                self.databases()
                return
            if self._process.poll() is not None or time.monotonic() > deadline:
                text = (self.folder / "server.log").read_text(errors="replace")
                raise RuntimeError(f"mariadbd did not start:\n{text}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def url(self, database: str = "") -> str:
        return f"mysql+pymysql://root@127.0.0.1:{self.port}/{database}"

    def _execute(self, statement: str) -> list[tuple[object, ...]]:
        import sqlalchemy

        engine = sqlalchemy.create_engine(
            self.url(), isolation_level="AUTOCOMMIT", poolclass=sqlalchemy.NullPool
        )
        try:
            with engine.connect() as connection:
                result = connection.exec_driver_sql(statement)
                return [tuple(row) for row in result] if result.returns_rows else []
        finally:
            engine.dispose()

    def create_database(self, prefix: str = "test") -> str:
        """A new empty database with a unique name; its URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        self._execute(f"CREATE DATABASE `{name}`")
        return self.url(name)

    def databases(self) -> set[str]:
        """The names of the databases on the server."""
        return {str(row[0]) for row in self._execute("SHOW DATABASES")}


@contextlib.contextmanager
def running_mysql_server() -> Iterator[MysqlServer | None]:
    """A started server, or None where no server binaries exist."""
    binaries = server_binaries()
    if binaries is None:
        yield None
        return
    user = unprivileged_user(("mysql", "nobody"), "mariadbd")
    with started_in_a_folder(
        "alembic-heads-mariadb-",
        user,
        lambda folder: MysqlServer(binaries, folder, free_port(), user),
    ) as server:
        yield server
