"""How fast ``alembic-heads roundtrip`` is, next to pytest-alembic's ``test_up_down_consistency``.

    pip install pytest-alembic
    python tests/roundtrip_benchmark.py [--sizes 50,200,500] [--runs 3] [--no-postgresql]

Not a test (pytest does not collect it, CI does not run it). For each size it
writes a linear history (pytest-alembic assumes one) with real operations:
tables, added columns, indexes, child tables with a foreign key and a check
constraint, each with a correct downgrade. On the same project, in turns, it
times whole processes:

- ``roundtrip``: ``alembic-heads roundtrip`` (upgrade, downgrade, upgrade every
  revision, comparing the schema after each step);
- ``pytest-alembic``: ``pytest`` running ``test_up_down_consistency`` (upgrade
  to head, then downgrade one revision at a time to base; no schema comparison);
- ``roundtrip --against`` (largest size only): the history committed to git but
  for its last 2 revisions, added on a branch; ``--against master`` round-trips
  those 2 after upgrading through the rest (on SQLite from the copy the first
  run kept: the median of 3 runs is a later run's).

On SQLite (a file) and, where the server binaries exist, on a PostgreSQL
server the script starts (tests/postgres_server.py); each pytest-alembic run
gets a new database there. Prints the median wall time of ``--runs`` rounds.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "hooks"))

from helpers import GIT_ENV, Rev, commit_all, git, init_repo, write_project, write_revision
from postgres_server import PostgresServer, running_server
from roundtrip_test import body

BIN = Path(sys.executable).parent

# Alembic's cookbook hands env.py a Connection (as roundtrip does); pytest-alembic
# hands it an Engine.
ENV_PY = """\
from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlalchemy.engine import Engine

config = context.config


def run(connection):
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


connectable = config.attributes.get("connection", None)
if connectable is None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
if isinstance(connectable, Engine):
    with connectable.connect() as connection:
        run(connection)
else:
    run(connectable)
"""

CONFTEST = """\
import os

import pytest
import sqlalchemy


@pytest.fixture
def alembic_engine():
    engine = sqlalchemy.create_engine(os.environ["BENCHMARK_DATABASE_URL"])
    yield engine
    engine.dispose()
"""
TEST = "from pytest_alembic.tests import test_up_down_consistency  # noqa: F401\n"


def history(size: int) -> list[Rev]:
    revs = []
    for index in range(size):
        rev_id = f"r{index:04d}"
        down = f"r{index - 1:04d}" if index else None
        table = f"t{index - index % 4:04d}"
        kind = index % 4
        if kind == 0:
            up = (
                f'op.create_table("{table}", sa.Column("id", sa.Integer, primary_key=True),'
                ' sa.Column("name", sa.String(50)))'
            )
            down_code = f'op.drop_table("{table}")'
        elif kind == 1:
            up = f'op.add_column("{table}", sa.Column("note", sa.Text))'
            down_code = f'op.drop_column("{table}", "note")'
        elif kind == 2:
            up = f'op.create_index("ix_{table}_name", "{table}", ["name"])'
            down_code = f'op.drop_index("ix_{table}_name", table_name="{table}")'
        else:
            up = (
                f'op.create_table("{table}_item", sa.Column("id", sa.Integer, primary_key=True),'
                f' sa.Column("parent_id", sa.Integer, sa.ForeignKey("{table}.id")),'
                ' sa.Column("amount", sa.Integer),'
                f' sa.CheckConstraint("amount >= 0", name="ck_{table}_amount"))'
            )
            down_code = f'op.drop_table("{table}_item")'
        revs.append(Rev(rev_id, down, f"step {index}", body=body(up, down_code)))
    return revs


def write(root: Path, revs: list[Rev]) -> Path:
    write_project(root, revs)
    (root / "env.py").write_text(ENV_PY)
    (root / "conftest.py").write_text(CONFTEST)
    (root / "test_migrations.py").write_text(TEST)
    (root / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    return root


def timed(command: list[str], cwd: Path, **env: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=cwd, env={**os.environ, **GIT_ENV, **env}, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return elapsed


def _interrupt(number: int, frame: object) -> None:
    raise KeyboardInterrupt  # through every finally: the server is stopped


def main() -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="50,200,500")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-postgresql", action="store_true")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as folder, running_server() as server:
        if args.no_postgresql:
            server = None
        print("| database | revisions | roundtrip | pytest-alembic | ratio |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for dialect in ["sqlite"] + (["postgresql"] if server is not None else []):
            for size in sizes:
                root = write(Path(folder, f"{dialect}-{size}"), history(size))
                ours, theirs = _compare(root, dialect, server, args.runs)
                print(
                    f"| {dialect} | {size} | {ours:.2f} s | {theirs:.2f} s | {ours / theirs:.2f}x |"
                )
        largest = max(sizes)
        print()
        print("| database | revisions | roundtrip, all | roundtrip --against (2 new) | share |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for dialect in ["sqlite"] + (["postgresql"] if server is not None else []):
            where = Path(folder, f"against-{dialect}")
            full, against = _against(where, largest, dialect, server, args.runs)
            print(
                f"| {dialect} | {largest} | {full:.2f} s | {against:.2f} s "
                f"| {100 * against / full:.0f}% |"
            )
    return 0


def _url_options(dialect: str, server: PostgresServer | None) -> list[str]:
    return ["--url", server.url()] if dialect == "postgresql" and server is not None else []


def _compare(
    root: Path, dialect: str, server: PostgresServer | None, runs: int
) -> tuple[float, float]:
    ours: list[float] = []
    theirs: list[float] = []
    roundtrip = [str(BIN / "alembic-heads"), "roundtrip", *_url_options(dialect, server)]
    for _ in range(runs):
        ours.append(timed(roundtrip, root))
        if server is not None and dialect == "postgresql":
            url = server.create_database("pytest_alembic")
        else:
            (root / "pytest-alembic.db").unlink(missing_ok=True)
            url = f"sqlite:///{root / 'pytest-alembic.db'}"
        theirs.append(
            timed([sys.executable, "-m", "pytest", "-q"], root, BENCHMARK_DATABASE_URL=url)
        )
    return statistics.median(ours), statistics.median(theirs)


def _against(
    root: Path, size: int, dialect: str, server: PostgresServer | None, runs: int
) -> tuple[float, float]:
    revs = history(size)
    init_repo(root)
    write(root, revs[:-2])
    commit_all(root, "history")
    git(root, "checkout", "-q", "-b", "feature")
    for rev in revs[-2:]:
        write_revision(root / "versions", rev)
    commit_all(root, "two new revisions")
    command = [str(BIN / "alembic-heads"), "roundtrip", *_url_options(dialect, server)]

    def measure(extra: list[str]) -> float:
        return statistics.median(timed(command + extra, root) for _ in range(runs))

    return measure([]), measure(["--against", "master"])


if __name__ == "__main__":
    raise SystemExit(main())
