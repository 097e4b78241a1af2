"""The test suite's own PostgreSQL server: it starts, serves, and goes away."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy

from postgres_server import PostgresServer, running_server, server_binaries


def test_server_answers_and_creates_databases(postgres_server: PostgresServer) -> None:
    url = postgres_server.create_database("probe")
    name = url.rsplit("/", 1)[1]
    assert name in postgres_server.databases()
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT current_database()").scalar() == name
    finally:
        engine.dispose()


def test_a_server_is_stopped_and_its_folder_removed() -> None:
    if server_binaries() is None:
        pytest.skip("no PostgreSQL server binaries")
    with running_server() as server:
        assert server is not None
        folder: Path = server.folder
        assert (folder / "data" / "postmaster.pid").exists()
    assert not folder.exists()
