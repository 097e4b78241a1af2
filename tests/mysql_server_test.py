"""The test suite's own MariaDB server: it starts, serves, and goes away."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy

from mysql_server import MysqlServer, pymysql_missing, running_mysql_server, server_binaries


def test_server_answers_and_creates_databases(mysql_server: MysqlServer) -> None:
    url = mysql_server.create_database("probe")
    name = url.rsplit("/", 1)[1]
    assert name in mysql_server.databases()
    engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.NullPool)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT DATABASE()").scalar() == name
    finally:
        engine.dispose()


def test_a_server_is_stopped_and_its_folder_removed() -> None:
    if server_binaries() is None or pymysql_missing():
        pytest.skip("no MariaDB server binaries, or no PyMySQL")
    with running_mysql_server() as server:
        assert server is not None
        folder: Path = server.folder
        assert (folder / "data" / "mysql").is_dir()
    assert not folder.exists()
