"""``alembic-heads roundtrip``: planted defects, each caught with its exact message,
on a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import pty
import re
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import sqlalchemy

from helpers import (
    PYTHON,
    Rev,
    Run,
    commit_all,
    committed_project,
    git,
    run,
    run_cli,
    write_project,
    write_revision,
)
from mysql_server import MysqlServer
from postgres_server import PostgresServer

# The round trip speaks SQLAlchemy 2.0; on an older one it says so in one line
# (roundtrip_requirements_test.py).
pytestmark = pytest.mark.skipif(
    int(sqlalchemy.__version__.split(".")[0]) < 2,
    reason=f"roundtrip needs SQLAlchemy 2.0; installed: {sqlalchemy.__version__}",
)

# The env.py of Alembic's cookbook ("sharing a connection"): the connection it is
# handed, else an engine from sqlalchemy.url.
ENV_PY = """\
from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config


def run(connection):
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


connectable = config.attributes.get("connection", None)
if connectable is None:
    engine = engine_from_config(
        config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as connection:
        run(connection)
else:
    run(connectable)
"""

CREATE_ORDERS = (
    'op.create_table("orders", sa.Column("id", sa.Integer, primary_key=True),'
    ' sa.Column("total", sa.Integer), sa.Column("placed", sa.Integer))'
)
DROP_ORDERS = 'op.drop_table("orders")'


def body(upgrade: str, downgrade: str) -> str:
    def indented(code: str) -> str:
        return textwrap.indent(textwrap.dedent(code).strip(), "    ")

    return f"def upgrade():\n{indented(upgrade)}\n\n\ndef downgrade():\n{indented(downgrade)}\n"


def project(root: Path, revs: Sequence[Rev], env_py: str = ENV_PY) -> Path:
    write_project(root, revs)
    (root / "env.py").write_text(env_py)
    return root


def orders(revision: str = "a1") -> Rev:
    return Rev(revision, None, "create orders", body=body(CREATE_ORDERS, DROP_ORDERS))


SERVERS = {"postgresql": "postgres_server", "mysql": "mysql_server"}  # their fixtures


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> list[str]:
    """The options that choose the database: none (a SQLite file), or --url."""
    if request.param == "sqlite":
        return []
    server: PostgresServer | MysqlServer = request.getfixturevalue(SERVERS[request.param])
    return ["--url", server.url()]


# A representative subset of the planted defects runs on MariaDB too.
ALSO_ON_MYSQL = pytest.mark.parametrize(
    "database", ["sqlite", "postgresql", "mysql"], indirect=True
)


def dialect(options: Sequence[str]) -> str:
    if not options:
        return "sqlite"
    return "mysql" if options[1].startswith("mysql") else "postgresql"


def roundtrip(root: Path, options: Sequence[str], *more: str) -> Run:
    return run_cli(["roundtrip", *options, *more], root)


@ALSO_ON_MYSQL
def test_a_downgrade_that_leaves_a_column(tmp_path: Path, database: list[str]) -> None:
    project(
        tmp_path,
        [
            orders(),
            Rev(
                "b2",
                "a1",
                "add shipping address",
                body=body(
                    'op.add_column("orders", sa.Column("shipping_address", sa.String(200)))', "pass"
                ),
            ),
        ],
    )

    result = roundtrip(tmp_path, database)

    assert (result.code, result.err) == (1, "")
    assert result.out == (
        f"versions/b2_add_shipping_address.py:23: downgrade() of b2 does not undo its upgrade() "
        f"on {dialect(database)}\n"
        "    downgrade() of b2 leaves column orders.shipping_address in place\n"
    )


@ALSO_ON_MYSQL
def test_a_downgrade_that_drops_the_wrong_index(tmp_path: Path, database: list[str]) -> None:
    project(
        tmp_path,
        [
            Rev(
                "a1",
                None,
                "create orders",
                body=body(
                    f'{CREATE_ORDERS}\nop.create_index("ix_orders_total", "orders", ["total"])',
                    DROP_ORDERS,
                ),
            ),
            Rev(
                "b2",
                "a1",
                "index placed",
                body=body(
                    'op.create_index("ix_orders_placed", "orders", ["placed"])',
                    'op.drop_index("ix_orders_total", table_name="orders")',
                ),
            ),
        ],
    )

    result = roundtrip(tmp_path, database)

    assert (result.code, result.err) == (1, "")
    assert result.out == (
        f"versions/b2_index_placed.py:23: downgrade() of b2 does not undo its upgrade() "
        f"on {dialect(database)}\n"
        "    downgrade() of b2 leaves index ix_orders_placed on orders in place\n"
        "    downgrade() of b2 removes index ix_orders_total on orders, "
        "which was there before upgrade()\n"
    )


@ALSO_ON_MYSQL
def test_a_downgrade_that_fails_on_the_database(tmp_path: Path, database: list[str]) -> None:
    project(
        tmp_path,
        [
            orders(),
            Rev(
                "b2",
                "a1",
                "index total",
                body=body(
                    'op.create_index("ix_orders_total", "orders", ["total"])',
                    'op.drop_index("ix_orders_totl", table_name="orders")',
                ),
            ),
            Rev(
                "c3",
                "b2",
                "add note",
                body=body(
                    'op.add_column("orders", sa.Column("note", sa.Text))',
                    'op.drop_column("orders", "note")',
                ),
            ),
        ],
    )

    result = roundtrip(tmp_path, database, "--format", "json")

    error = {
        "postgresql": 'UndefinedObject: index "ix_orders_totl" does not exist',
        "mysql": "OperationalError: (1091, \"Can't DROP INDEX `ix_orders_totl`; "
        'check that it exists")',
        "sqlite": "OperationalError: no such index: ix_orders_totl",
    }[dialect(database)]
    graph = json.loads(result.out)["graphs"][0]
    assert (result.code, result.err) == (1, "")
    assert graph["findings"] == [
        {
            "id": "downgrade-fails",
            "revision": "b2",
            "path": "versions/b2_index_total.py",
            "line": 23,
            "message": f"downgrade() of b2 fails on {dialect(database)}",
            "hint": error,
        }
    ]
    # The walk goes on above it, on a database rebuilt at b2.
    assert graph["round_tripped"] == ["a1", "c3"]


@ALSO_ON_MYSQL
def test_a_downgrade_that_fails_halfway_is_undone_by_building_again(
    tmp_path: Path, database: list[str]
) -> None:
    """MySQL's DDL is not transactional: the column the failed downgrade() dropped
    stays dropped. The walk builds the database again at b2, so c3, which
    indexes that column, round-trips."""
    project(
        tmp_path,
        [
            orders(),
            Rev(
                "b2",
                "a1",
                "add note",
                body=body(
                    'op.add_column("orders", sa.Column("note", sa.String(40)))',
                    'op.drop_column("orders", "note")\nop.drop_table("no_such_table")',
                ),
            ),
            Rev(
                "c3",
                "b2",
                "index note",
                body=body(
                    'op.create_index("ix_orders_note", "orders", ["note"])',
                    'op.drop_index("ix_orders_note", table_name="orders")',
                ),
            ),
        ],
    )

    result = roundtrip(tmp_path, database, "--format", "json")

    graph = json.loads(result.out)["graphs"][0]
    assert (result.code, result.err) == (1, "")
    assert [(f["id"], f["revision"], f["line"]) for f in graph["findings"]] == [
        ("downgrade-fails", "b2", 23)
    ]
    assert graph["round_tripped"] == ["a1", "c3"]


@ALSO_ON_MYSQL
def test_an_upgrade_that_is_not_repeatable(tmp_path: Path, database: list[str]) -> None:
    """The downgrade leaves no trace in the schema, but a row the upgrade reads."""
    project(
        tmp_path,
        [
            Rev(
                "a1",
                None,
                "create flags",
                body=body(
                    'op.create_table("flags", sa.Column("name", sa.String(20)))',
                    'op.drop_table("flags")',
                ),
            ),
            Rev(
                "b2",
                "a1",
                "create orders once",
                body=body(
                    f"""
                    {CREATE_ORDERS}
                    done = op.get_bind().execute(sa.text("SELECT count(*) FROM flags")).scalar()
                    if not done:
                        op.create_index("ix_orders_total", "orders", ["total"])
                    op.execute("INSERT INTO flags VALUES ('orders')")
                    """,
                    DROP_ORDERS,
                ),
            ),
        ],
    )

    result = roundtrip(tmp_path, database)

    assert (result.code, result.err) == (1, "")
    assert result.out == (
        "versions/b2_create_orders_once.py:19: upgrade() of b2, run again after its "
        f"downgrade(), does not repeat itself on {dialect(database)}\n"
        "    upgrade() of b2, run again, does not create index ix_orders_total on orders\n"
    )


def test_a_broken_merge_revision(tmp_path: Path, database: list[str]) -> None:
    project(
        tmp_path,
        [
            orders(),
            Rev(
                "b2",
                "a1",
                "add invoices",
                body=body(
                    'op.create_table("invoices", sa.Column("id", sa.Integer, primary_key=True))',
                    'op.drop_table("invoices")',
                ),
            ),
            Rev(
                "c3",
                "a1",
                "add note",
                body=body(
                    'op.add_column("orders", sa.Column("note", sa.Text))',
                    'op.drop_column("orders", "note")',
                ),
            ),
            Rev("d4", ("b2", "c3"), "merge", body=body("pass", 'op.drop_table("invoices")')),
        ],
    )

    result = roundtrip(tmp_path, database)

    assert (result.code, result.err) == (1, "")
    assert result.out == (
        f"versions/d4_merge.py:23: downgrade() of d4 does not undo its upgrade() "
        f"on {dialect(database)}\n"
        "    downgrade() of d4 removes table invoices, which was there before upgrade()\n"
    )


def labelled_history(second_head_downgrade: str, merged: bool) -> list[Rev]:
    """Two labelled branches: ``shop`` (with a second head, c3) and ``billing``,
    which depends on shop's first revision; when ``merged``, a merge of both shop heads."""
    return [
        Rev(
            "a1", None, "create orders", branch_labels="shop", body=body(CREATE_ORDERS, DROP_ORDERS)
        ),
        Rev(
            "b2",
            "a1",
            "add note",
            body=body(
                'op.add_column("orders", sa.Column("note", sa.Text))',
                'op.drop_column("orders", "note")',
            ),
        ),
        Rev(
            "c3",
            "a1",
            "index total",
            body=body(
                'op.create_index("ix_orders_total", "orders", ["total"])', second_head_downgrade
            ),
        ),
        Rev(
            "x1",
            None,
            "create invoices",
            branch_labels="billing",
            depends_on="a1",
            body=body(
                'op.create_table("invoices", sa.Column("id", sa.Integer, primary_key=True),'
                ' sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id")))',
                'op.drop_table("invoices")',
            ),
        ),
        Rev(
            "y2",
            "x1",
            "unique invoice order",
            body=body(
                'op.create_index("ix_invoices_order", "invoices", ["order_id"], unique=True)',
                'op.drop_index("ix_invoices_order", table_name="invoices")',
            ),
        ),
        *([Rev("d4", ("b2", "c3"), "merge shop heads")] if merged else []),
    ]


def assert_alembic_upgrades_one_at_a_time(root: Path, order: Sequence[str]) -> None:
    """The oracle: real `alembic upgrade R`, for each R in ``order``, applies R
    alone (its ancestors and dependencies came before it)."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine

    config = Config(str(root / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{root / 'oracle.db'}")
    script = ScriptDirectory.from_config(config)
    engine = create_engine(f"sqlite:///{root / 'oracle.db'}")
    applied: set[str] = set()
    for revision in order:
        command.upgrade(config, revision)
        with engine.connect() as connection:
            heads = MigrationContext.configure(connection).get_current_heads()
        now = {rev.revision for rev in script.revision_map.iterate_revisions(heads, "base")}
        applied.add(revision)
        assert now == applied, revision
    engine.dispose()


def test_a_second_head_on_a_labelled_branch(tmp_path: Path, database: list[str]) -> None:
    """`alembic upgrade shop@head` would fail; the round trip walks the whole graph."""
    project(tmp_path, labelled_history("pass", merged=False))

    result = roundtrip(tmp_path, database, "--format", "json")

    graph = json.loads(result.out)["graphs"][0]
    assert result.code == 1
    assert [(f["revision"], f["hint"]) for f in graph["findings"]] == [
        ("c3", "downgrade() of c3 leaves index ix_orders_total on orders in place")
    ]
    assert sorted(graph["round_tripped"]) == ["a1", "b2", "x1", "y2"]
    assert_alembic_upgrades_one_at_a_time(tmp_path, [*graph["round_tripped"], "c3"])


def test_a_healthy_branchy_history_passes(tmp_path: Path, database: list[str]) -> None:
    """Branchpoints, a merge, labelled branches and depends_on: every revision
    round-trips, the version table's heads included (they are compared too)."""
    project(
        tmp_path,
        labelled_history('op.drop_index("ix_orders_total", table_name="orders")', merged=True),
    )

    result = roundtrip(tmp_path, database)
    as_json = roundtrip(tmp_path, database, "--format", "json")

    assert (result.code, result.out, result.err) == (0, "", "")
    graph = json.loads(as_json.out)["graphs"][0]
    assert sorted(graph["round_tripped"]) == ["a1", "b2", "c3", "d4", "x1", "y2"]
    assert_alembic_upgrades_one_at_a_time(tmp_path, graph["round_tripped"])
    assert (graph["ok"], graph["database"], graph["revisions"]) == (True, dialect(database), 6)


def irreversible(marked: bool) -> list[Rev]:
    marker = "# alembic-heads: irreversible\n" if marked else ""
    return [
        orders(),
        Rev(
            "b2",
            "a1",
            "drop total",
            body=body(
                'op.drop_column("orders", "total")',
                f'{marker}raise NotImplementedError("the totals are gone")',
            ),
        ),
        Rev(
            "c3",
            "b2",
            "add note",
            body=body(
                'op.add_column("orders", sa.Column("note", sa.Text))',
                'op.drop_column("orders", "note")',
            ),
        ),
    ]


def test_an_irreversible_revision_marked_is_upgraded_and_reported(
    tmp_path: Path, database: list[str]
) -> None:
    project(tmp_path, irreversible(marked=True))

    result = roundtrip(tmp_path, database)
    as_json = roundtrip(tmp_path, database, "--format", "json")

    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "versions/b2_drop_total.py:23: downgrade() of b2 is marked irreversible: "
        "upgraded, not round-tripped\n"
    )
    assert json.loads(as_json.out)["graphs"][0]["round_tripped"] == ["a1", "c3"]


def test_an_irreversible_revision_not_marked_is_a_finding(
    tmp_path: Path, database: list[str]
) -> None:
    project(tmp_path, irreversible(marked=False))

    result = roundtrip(tmp_path, database)

    assert (result.code, result.err) == (1, "")
    assert result.out == (
        f"versions/b2_drop_total.py:23: downgrade() of b2 fails on {dialect(database)}\n"
        "    NotImplementedError: the totals are gone\n"
        "    if it cannot be undone, put the comment '# alembic-heads: irreversible' "
        "in downgrade()\n"
    )


def test_an_upgrade_that_fails_stops_what_is_above_it(tmp_path: Path, database: list[str]) -> None:
    project(
        tmp_path,
        [
            orders(),
            Rev(
                "b2",
                "a1",
                "index missing",
                body=body(
                    'op.create_index("ix_orders_missing", "orders", ["missing"])',
                    'op.drop_index("ix_orders_missing", table_name="orders")',
                ),
            ),
            Rev("c3", "b2", "after it"),
            Rev(
                "x1",
                "a1",
                "add note",
                body=body(
                    'op.add_column("orders", sa.Column("note", sa.Text))',
                    'op.drop_column("orders", "note")',
                ),
            ),
        ],
    )

    result = roundtrip(tmp_path, database)

    error = (
        'UndefinedColumn: column "missing" does not exist'
        if database
        else "OperationalError: no such column: missing"
    )
    assert (result.code, result.err) == (1, "")
    assert result.out == (
        f"versions/b2_index_missing.py:19: upgrade() of b2 fails on {dialect(database)}\n"
        f"    {error}\n"
        "alembic.ini: not reached (a revision below failed to upgrade): c3\n"
    )


@pytest.fixture(params=["postgresql", "mysql"])
def server(request: pytest.FixtureRequest) -> PostgresServer | MysqlServer:
    """A PostgreSQL server, then a MariaDB server."""
    found: PostgresServer | MysqlServer = request.getfixturevalue(SERVERS[request.param])
    return found


def test_the_servers_database_is_dropped_also_after_a_failure(
    tmp_path: Path, server: PostgresServer | MysqlServer
) -> None:
    before = server.databases()
    project(tmp_path / "good", labelled_history("pass", merged=False))
    project(tmp_path / "bad", irreversible(marked=False))

    results = [roundtrip(tmp_path / name, ["--url", server.url()]).code for name in ("good", "bad")]

    assert results == [1, 1]
    assert server.databases() == before


HARD_CODED_ENV_PY = """\
from alembic import context
from sqlalchemy import create_engine

engine = create_engine("sqlite:///{path}")
with engine.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
"""


@ALSO_ON_MYSQL
def test_an_env_py_that_connects_elsewhere_is_stopped_before_any_statement(
    tmp_path: Path, database: list[str]
) -> None:
    import sqlite3

    precious = tmp_path / "development.db"
    with sqlite3.connect(precious) as connection:
        connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        connection.execute("INSERT INTO customers VALUES (1, 'Ada')")
    connection.close()
    contents = precious.read_bytes()
    project(tmp_path / "app", [orders()], HARD_CODED_ENV_PY.format(path=precious))

    result = roundtrip(tmp_path / "app", database)

    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"alembic-heads: env.py connected to another database (sqlite {precious}); "
        "roundtrip only touches the one it creates: make env.py use "
        "config.attributes['connection'] when it is set, or the sqlalchemy.url of its Config "
        "(or name its environment variable with --url-env)\n"
    )
    assert precious.read_bytes() == contents


# Ways past a check of the URL alone: an engine with its own creator (as the
# Cloud SQL connector makes one), and a listener of env.py's that rewrites the
# arguments after the URL was checked.
def test_an_env_py_that_connects_to_another_database_on_the_mysql_server_is_stopped(
    tmp_path: Path, mysql_server: MysqlServer
) -> None:
    """The database a laptop's MariaDB holds beside the round trip's."""
    development = mysql_server.create_database("development")
    name = development.rsplit("/", 1)[1]
    engine = sqlalchemy.create_engine(development, poolclass=sqlalchemy.NullPool)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE customers (id INT PRIMARY KEY, name TEXT)")
        connection.exec_driver_sql("INSERT INTO customers VALUES (1, 'Ada')")

    def contents() -> list[object]:
        with engine.connect() as connection:
            tables = connection.exec_driver_sql("SHOW TABLES").all()
            created = connection.exec_driver_sql("SHOW CREATE TABLE customers").all()
            rows = connection.exec_driver_sql("SELECT * FROM customers").all()
        return [tables, created, rows]

    before, databases = contents(), mysql_server.databases()
    env_py = HARD_CODED_ENV_PY.replace('"sqlite:///{path}"', repr(development))
    project(tmp_path / "app", [orders()], env_py)

    result = roundtrip(tmp_path / "app", ["--url", mysql_server.url()])

    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"alembic-heads: env.py connected to another database (mysql 127.0.0.1 "
        f"{mysql_server.port} {name}); roundtrip only touches the one it creates: make env.py "
        "use config.attributes['connection'] when it is set, or the sqlalchemy.url of its "
        "Config (or name its environment variable with --url-env)\n"
    )
    assert contents() == before
    assert mysql_server.databases() == databases
    engine.dispose()


CREATOR_ENV_PY = """\
import sqlite3

from alembic import context
from sqlalchemy import create_engine, pool

engine = create_engine(
    "sqlite://", creator=lambda: sqlite3.connect({path!r}), poolclass=pool.NullPool
)
with engine.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
"""

REWRITING_ENV_PY = """\
from alembic import context
from sqlalchemy import engine_from_config, event, pool

config = context.config
engine = engine_from_config(
    config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool
)


@event.listens_for(engine, "do_connect")
def from_a_secrets_store(dialect, record, cargs, cparams):
    cargs[0] = {path!r}


with engine.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
"""


@pytest.mark.parametrize("env_py", [CREATOR_ENV_PY, REWRITING_ENV_PY], ids=["creator", "rewrite"])
def test_where_a_connection_really_is_is_asked_of_the_database(tmp_path: Path, env_py: str) -> None:
    import sqlite3

    precious = tmp_path / "development.db"
    with sqlite3.connect(precious) as connection:
        connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    connection.close()
    contents = precious.read_bytes()
    project(tmp_path / "app", [orders()], env_py.format(path=str(precious)))

    result = roundtrip(tmp_path / "app", [])

    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(
        f"alembic-heads: env.py connected to another database (sqlite {precious}); "
    )
    assert precious.read_bytes() == contents


ATTACHING_ENV_PY = ENV_PY.replace(
    "def run(connection):\n",
    "def run(connection):\n"
    "    connection.exec_driver_sql(\"ATTACH DATABASE 'audit.db' AS audit\")\n",
)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="sqlite3 can limit ATTACH from 3.11")
def test_a_scratch_sqlite_connection_attaches_no_other_file(tmp_path: Path) -> None:
    project(tmp_path, [orders()], ATTACHING_ENV_PY)

    result = roundtrip(tmp_path, [])

    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "alembic-heads: env.py failed: OperationalError: too many attached databases - max 0\n"
    )
    assert not (tmp_path / "audit.db").exists()


URL_ENV_PY = """\
import os

from alembic import context
from sqlalchemy import create_engine

engine = create_engine(os.environ["APP_DATABASE_URL"])
with engine.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
"""


def test_url_env_hands_the_database_to_an_env_py_that_reads_a_variable(
    tmp_path: Path, database: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_DATABASE_URL", f"sqlite:///{tmp_path / 'development.db'}")
    project(
        tmp_path,
        [
            orders(),
            Rev(
                "b2",
                "a1",
                "note",
                body=body('op.add_column("orders", sa.Column("note", sa.Text))', "pass"),
            ),
        ],
        URL_ENV_PY,
    )

    result = roundtrip(tmp_path, database, "--url-env", "APP_DATABASE_URL")

    assert (result.code, result.err) == (1, "")
    assert result.out.splitlines()[1] == "    downgrade() of b2 leaves column orders.note in place"
    assert not (tmp_path / "development.db").exists()
    assert os.environ["APP_DATABASE_URL"] == f"sqlite:///{tmp_path / 'development.db'}"


# The env.py of Alembic's cookbook before SQLAlchemy 2.0 (jupyterhub's, among
# others): it calls connect() on what it is handed, which made a "branch" of a
# Connection then and fails now; it is given sqlalchemy.url alone instead.
BRANCHING_ENV_PY = """\
from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
connectable = config.attributes.get("connection", None)
if connectable is None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
with connectable.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
"""


def test_an_env_py_that_branches_the_connection_gets_the_url_alone(
    tmp_path: Path, database: list[str]
) -> None:
    project(
        tmp_path,
        [
            orders(),
            Rev(
                "b2",
                "a1",
                "note",
                body=body('op.add_column("orders", sa.Column("note", sa.Text))', "pass"),
            ),
            Rev(
                "c3",
                "b2",
                "placed",
                body=body(
                    'op.create_index("ix_placed", "orders", ["placed"])',
                    'op.drop_index("ix_placed", "orders")',
                ),
            ),
        ],
        BRANCHING_ENV_PY,
    )

    result = roundtrip(tmp_path, database)

    assert (result.code, result.err) == (1, "")
    assert result.out == (
        "versions/b2_note.py:23: downgrade() of b2 does not undo its upgrade() "
        f"on {dialect(database)}\n"
        "    downgrade() of b2 leaves column orders.note in place\n"
    )


def test_the_connections_env_pys_own_engine_opens_are_closed(
    tmp_path: Path, database: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_DATABASE_URL", f"sqlite:///{tmp_path / 'development.db'}")
    project(tmp_path, [orders()], URL_ENV_PY)
    gc.collect()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        result = roundtrip(tmp_path, database, "--url-env", "APP_DATABASE_URL")
        gc.collect()

    assert (result.code, result.out, result.err) == (0, "", "")
    assert [str(warning.message) for warning in caught] == []


OFFLINE_ENV_PY = """\
from alembic import context

context.configure(url="sqlite://")
with context.begin_transaction():
    context.run_migrations()
"""


def test_an_env_py_that_runs_offline_is_bad_input(tmp_path: Path) -> None:
    project(tmp_path, [orders()], OFFLINE_ENV_PY)

    result = roundtrip(tmp_path, [])

    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "alembic-heads: env.py: configured Alembic without a connection (offline mode): "
        "make env.py use config.attributes['connection'] when it is set, or the sqlalchemy.url "
        "of its Config (or name its environment variable with --url-env)\n"
    )


def test_an_env_py_that_fails_is_bad_input(tmp_path: Path) -> None:
    project(tmp_path, [orders()], "import no_such_application\n")

    result = roundtrip(tmp_path, [])

    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "alembic-heads: env.py failed: ModuleNotFoundError: No module named 'no_such_application'\n"
    )


@pytest.mark.parametrize(
    ("url", "error"),
    [
        (
            "mssql://sa@localhost/db",
            "--url: roundtrip creates its database on a PostgreSQL or MySQL/MariaDB server, "
            "not mssql (without --url it uses a SQLite file of its own)",
        ),
        ("not a url", "--url: not a database URL: 'not a url'"),
    ],
)
def test_a_url_that_is_not_a_server_roundtrip_supports_is_bad_input(
    tmp_path: Path, url: str, error: str
) -> None:
    project(tmp_path, [orders()])

    result = roundtrip(tmp_path, ["--url", url])

    assert (result.code, result.out, result.err) == (2, "", f"alembic-heads: {error}\n")


def test_since_round_trips_only_that_revision_and_above(tmp_path: Path) -> None:
    project(tmp_path, labelled_history("pass", merged=True))

    result = roundtrip(tmp_path, [], "--since", "c3", "--format", "json")
    unknown = roundtrip(tmp_path, [], "--since", "zz")

    graph = json.loads(result.out)["graphs"][0]
    assert [f["revision"] for f in graph["findings"]] == ["c3"]
    assert graph["round_tripped"] == ["d4"]
    assert (unknown.code, unknown.out) == (2, "")
    assert unknown.err == "alembic-heads: --since: Can't locate revision identified by 'zz'\n"


def test_against_round_trips_only_what_this_branch_adds(tmp_path: Path) -> None:
    leaky = body('op.add_column("orders", sa.Column("legacy", sa.Text))', "pass")
    committed_project(tmp_path, [orders(), Rev("b2", "a1", "legacy", body=leaky)])
    (tmp_path / "env.py").write_text(ENV_PY)
    commit_all(tmp_path, "env.py online")
    git(tmp_path, "checkout", "-q", "-b", "dev")
    write_revision(
        tmp_path / "versions", Rev("c3", "b2", "note", body=leaky.replace("legacy", "note"))
    )
    write_revision(tmp_path / "versions", Rev("d4", "c3", "nothing"))
    commit_all(tmp_path, "c3 d4")

    result = roundtrip(tmp_path, [], "--against", "master", "--format", "json")

    graph = json.loads(result.out)["graphs"][0]
    assert [f["revision"] for f in graph["findings"]] == ["c3"]
    assert graph["round_tripped"] == ["d4"]


LEAKY = [
    orders(),
    Rev(
        "b2",
        "a1",
        "add note",
        body=body('op.add_column("orders", sa.Column("note", sa.Text))', "pass"),
    ),
]


def test_the_api_gives_the_commands_report(tmp_path: Path, database: list[str]) -> None:
    from alembic_heads import RoundtripFailed, UsageError, assert_roundtrip, check_roundtrip

    project(tmp_path / "leaky", LEAKY)
    project(tmp_path / "sound", [orders()])
    url = database[1] if database else None

    result = check_roundtrip(tmp_path / "leaky", url=url)
    with pytest.raises(RoundtripFailed) as raised:
        assert_roundtrip(tmp_path / "leaky" / "alembic.ini", url=url)
    sound = assert_roundtrip(tmp_path / "sound", url=url)

    assert not result.ok
    assert result.report + "\n" == roundtrip(tmp_path / "leaky", database).out
    assert str(raised.value) == result.report
    assert (sound.ok, sound.report, sound.graphs[0].round_tripped) == (True, "", ["a1"])
    with pytest.raises(UsageError, match="no such file or directory"):
        check_roundtrip(tmp_path / "absent")


ONE_LINE_TEST = "from alembic_heads.testing import test_roundtrip  # noqa: F401\n"


def test_the_one_line_test_fails_with_the_report(tmp_path: Path) -> None:
    backend = project(tmp_path / "backend", LEAKY)
    (tmp_path / "test_migrations.py").write_text(ONE_LINE_TEST)
    (tmp_path / "pytest.ini").write_text("[pytest]\nalembic_heads_path = backend\n")

    process = run([PYTHON, "-m", "pytest", "-p", "no:cacheprovider", "-q"], tmp_path)

    assert process.returncode == 1, process.stdout
    assert "FAILED test_migrations.py::test_roundtrip" in process.stdout
    assert f"\n{roundtrip(backend, []).out}" in process.stdout


def test_the_one_line_test_takes_its_server_from_the_ini_file(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    project(tmp_path / "backend", [orders()])
    (tmp_path / "test_migrations.py").write_text(ONE_LINE_TEST)
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nalembic_heads_path = backend\n"
        f"alembic_heads_roundtrip_url = {postgres_server.url()}\n"
        "alembic_heads_roundtrip_url_env = APP_DATABASE_URL\n"
    )
    (tmp_path / "backend" / "env.py").write_text(URL_ENV_PY)
    before = postgres_server.databases()

    process = run([PYTHON, "-m", "pytest", "-p", "no:cacheprovider", "-q"], tmp_path)

    assert process.returncode == 0, process.stdout
    assert "1 passed" in process.stdout
    assert postgres_server.databases() == before


@ALSO_ON_MYSQL
def test_an_upgrade_that_fails_the_second_time(tmp_path: Path, database: list[str]) -> None:
    """A data migration whose downgrade() keeps the rows it added."""
    project(
        tmp_path,
        [
            Rev(
                "a1",
                None,
                "create flags",
                body=body(
                    'op.create_table("flags", sa.Column("name", sa.String(20), primary_key=True))',
                    'op.drop_table("flags")',
                ),
            ),
            Rev(
                "b2",
                "a1",
                "seed",
                body=body("op.execute(\"INSERT INTO flags VALUES ('on')\")", "pass"),
            ),
        ],
    )

    result = roundtrip(tmp_path, database)

    error = {
        "postgresql": "UniqueViolation: duplicate key value violates unique constraint "
        '"flags_pkey"',
        "mysql": "IntegrityError: (1062, \"Duplicate entry 'on' for key 'PRIMARY'\")",
        "sqlite": "IntegrityError: UNIQUE constraint failed: flags.name",
    }[dialect(database)]
    assert (result.code, result.err) == (1, "")
    assert result.out == (
        "versions/b2_seed.py:19: upgrade() of b2 fails when run again after its downgrade() "
        f"on {dialect(database)}\n"
        f"    {error}\n"
    )


@ALSO_ON_MYSQL
def test_a_unique_constraint_left_is_one_difference(tmp_path: Path, database: list[str]) -> None:
    """PostgreSQL also lists the index behind a unique constraint: one thing, said once."""
    unique = """
        with op.batch_alter_table("orders") as batch:
            batch.create_unique_constraint("uq_orders_placed", ["placed"])
    """
    project(tmp_path, [orders(), Rev("b2", "a1", "unique placed", body=body(unique, "pass"))])

    result = roundtrip(tmp_path, database)

    assert (result.code, result.err) == (1, "")
    assert result.out == (
        "versions/b2_unique_placed.py:24: downgrade() of b2 does not undo its upgrade() "
        f"on {dialect(database)}\n"
        "    downgrade() of b2 leaves unique constraint uq_orders_placed on orders in place\n"
    )


def test_a_downgrade_that_leaves_a_column_changed(tmp_path: Path, database: list[str]) -> None:
    project(
        tmp_path,
        [
            orders(),
            Rev(
                "b2",
                "a1",
                "total required",
                body=body(
                    """
                    with op.batch_alter_table("orders") as batch:
                        batch.alter_column("total", existing_type=sa.Integer, nullable=False)
                    """,
                    "pass",
                ),
            ),
        ],
    )

    result = roundtrip(tmp_path, database)

    assert (result.code, result.err) == (1, "")
    assert result.out.splitlines()[1:] == [
        "    downgrade() of b2 leaves column orders.total changed: nullable false (was true)"
    ]


def test_failures_below_the_scope_are_reported_and_stop_what_is_above(tmp_path: Path) -> None:
    failing = body('op.create_index("ix_orders_missing", "orders", ["missing"])', "pass")
    project(
        tmp_path,
        [
            orders(),
            Rev("b2", "a1", "index missing", body=failing),
            Rev("c3", "b2", "above it"),
            Rev("x1", "a1", "beside it"),
        ],
    )

    result = roundtrip(tmp_path, [], "--since", "c3", "--format", "json")
    beside = roundtrip(tmp_path, [], "--since", "x1", "--format", "json")

    for run_ in (result, beside):
        assert [f["id"] for f in json.loads(run_.out)["graphs"][0]["findings"]] == ["upgrade-fails"]
    assert json.loads(result.out)["graphs"][0]["not_reached"] == ["c3"]
    assert json.loads(beside.out)["graphs"][0]["round_tripped"] == ["x1"]


def enum_history(drop_enum: bool) -> list[Rev]:
    """An enum, a view, a check, a unique constraint and a foreign key; on
    PostgreSQL also a schema, a sequence and a materialized view."""
    is_postgresql = 'op.get_bind().dialect.name == "postgresql"'
    return [
        orders(),
        Rev(
            "b2",
            "a1",
            "shipments",
            body=body(
                f"""
                op.create_table(
                    "shipments",
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column(
                        "order_id", sa.Integer, sa.ForeignKey("orders.id", ondelete="CASCADE")
                    ),
                    sa.Column("status", sa.Enum("new", "sent", name="shipment_status")),
                    sa.Column("weight", sa.Integer, server_default="0"),
                    sa.CheckConstraint("weight >= 0", name="ck_shipments_weight"),
                    sa.UniqueConstraint("order_id", name="uq_shipments_order"),
                )
                op.execute("CREATE VIEW heavy AS SELECT id FROM shipments WHERE weight > 10")
                if {is_postgresql}:
                    op.execute("CREATE SCHEMA archive")
                    op.execute("CREATE SEQUENCE archive.labels START 100")
                    op.execute("CREATE MATERIALIZED VIEW light AS SELECT id FROM shipments")
                """,
                f"""
                if {is_postgresql}:
                    op.execute("DROP MATERIALIZED VIEW light")
                    op.execute("DROP SCHEMA archive CASCADE")
                op.execute("DROP VIEW heavy")
                op.drop_table("shipments")
                if {is_postgresql} and {drop_enum}:
                    op.execute("DROP TYPE shipment_status")
                """,
            ),
        ),
    ]


def test_a_rich_schema_round_trips(tmp_path: Path, database: list[str]) -> None:
    project(tmp_path, enum_history(drop_enum=True))

    result = roundtrip(tmp_path, database)

    assert (result.code, result.out, result.err) == (0, "", "")


def test_a_downgrade_that_leaves_an_enum_type(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    """The classic PostgreSQL leftover: dropping the table keeps its enum type."""
    project(tmp_path, enum_history(drop_enum=False))

    result = roundtrip(tmp_path, ["--url", postgres_server.url()])

    assert (result.code, result.err) == (1, "")
    assert result.out.splitlines()[1:] == [
        "    downgrade() of b2 leaves enum shipment_status in place"
    ]


def test_a_history_found_by_its_folder(tmp_path: Path) -> None:
    write_project(tmp_path, LEAKY, ini=False)
    (tmp_path / "env.py").write_text(ENV_PY)

    result = roundtrip(tmp_path, [])

    assert (result.code, result.err) == (1, "")
    assert result.out.startswith("versions/b2_add_note.py:23: downgrade() of b2")


def test_revisions_alembic_cannot_load_are_bad_input(tmp_path: Path) -> None:
    project(tmp_path, [orders(), Rev("b2", "a1", "broken", body="def upgrade(:\n    pass\n")])

    result = roundtrip(tmp_path, [])

    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(
        "alembic-heads: alembic.ini: Alembic cannot load the revisions: SyntaxError: "
    )


def test_hints_name_each_kind_of_difference() -> None:
    from alembic_heads.roundtrip_report import downgrade_hint as _downgrade_hint
    from alembic_heads.roundtrip_report import upgrade_hint as _upgrade_hint
    from alembic_heads.schema_snapshot import Difference

    changed = Difference(
        "column t.c",
        {"type": "INTEGER", "nullable": "true"},
        {"type": "BIGINT", "nullable": "true"},
    )
    added = Difference("index ix on t", None, {"columns": "c"})

    assert _upgrade_hint("r", changed) == (
        "upgrade() of r, run again, makes column t.c different: type BIGINT (was INTEGER)"
    )
    assert _upgrade_hint("r", added) == (
        "upgrade() of r, run again, creates index ix on t the first run did not"
    )
    assert _downgrade_hint("r", changed) == (
        "downgrade() of r leaves column t.c changed: type BIGINT (was INTEGER)"
    )


def slow_history(marker: Path) -> list[Rev]:
    return [
        orders(),
        Rev(
            "b2",
            "a1",
            "slow",
            body=body(
                f"""
                import pathlib, time
                op.add_column("orders", sa.Column("note", sa.Text))
                pathlib.Path({str(marker)!r}).write_text("started")
                time.sleep(60)
                """,
                'op.drop_column("orders", "note")',
            ),
        ),
    ]


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_run_drops_its_database(
    tmp_path: Path, server: PostgresServer | MysqlServer, stop: signal.Signals
) -> None:
    before = server.databases()
    marker = tmp_path / "started"
    project(tmp_path / "app", slow_history(marker))
    process = subprocess.Popen(
        [PYTHON, "-m", "alembic_heads", "roundtrip", "--url", server.url()],
        cwd=tmp_path / "app",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    created = server.databases() - before

    process.send_signal(stop)
    out, err = process.communicate(timeout=60)

    assert [name[:24] for name in created] == ["alembic_heads_roundtrip_"]
    assert (process.returncode, out) == (130, "")
    assert err == "alembic-heads: interrupted; the round trip's database is removed\n"
    assert server.databases() == before


def test_on_a_terminal_a_progress_line_shows_on_stderr(tmp_path: Path) -> None:
    project(tmp_path, [orders(), Rev("b2", "a1", "nothing")])
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [PYTHON, "-m", "alembic_heads", "roundtrip"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    shown = b""
    with contextlib.suppress(OSError):  # EIO: the process closed the terminal
        while chunk := os.read(leader, 1024):
            shown += chunk
    os.close(leader)

    assert process.wait(timeout=60) == 0
    lines = re.sub(rb"\d+\.\d s", b"T s", shown).split(b"\r")
    assert lines == [
        b"",
        b"roundtrip: revision 1 of 2, T s\x1b[K",
        b"roundtrip: revision 2 of 2, T s\x1b[K",
        b"\x1b[K",
    ]


def test_the_readmes_local_hook_runs_in_real_pre_commit(
    tmp_path: Path, pre_commit_home: Path
) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    config = "-   repo: local\n" + readme.split("```yaml\n-   repo: local\n", 1)[1].split("```")[0]
    committed_project(tmp_path, LEAKY)
    (tmp_path / "env.py").write_text(ENV_PY)
    (tmp_path / ".pre-commit-config.yaml").write_text("repos:\n" + config)
    commit_all(tmp_path, "env.py and the hook")

    process = run(
        [PYTHON, "-m", "pre_commit", "run", "alembic-roundtrip", "--hook-stage", "manual", "-a"],
        tmp_path,
        PRE_COMMIT_HOME=str(pre_commit_home),
        PATH=f"{Path(PYTHON).parent}{os.pathsep}{os.environ['PATH']}",
    )

    assert process.returncode == 1, process.stdout
    assert "- hook id: alembic-roundtrip" in process.stdout
    assert "\n    downgrade() of b2 leaves column orders.note in place\n" in process.stdout


MODELS = """\
import sqlalchemy as sa

metadata = sa.MetaData()
users = sa.Table("users", metadata, sa.Column("id", sa.Integer, primary_key=True))


class Base:
    metadata = metadata
"""


def created_by_the_application(root: Path) -> Path:
    """A history whose first revision alters a table the application creates."""
    write_project(
        root,
        [
            Rev(
                "a1",
                None,
                "add email",
                body=body(
                    'op.add_column("users", sa.Column("email", sa.String(100)))',
                    'op.drop_column("users", "email")',
                ),
            ),
            Rev("b2", "a1", "nothing"),
        ],
        ini_extra="prepend_sys_path = .\n",
    )
    (root / "env.py").write_text(ENV_PY)
    forget_the_application()
    (root / "shop").mkdir()
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "models.py").write_text(MODELS)
    return root


def forget_the_application() -> None:
    """Each test's application is a new one (runs are in-process): forget the
    last one's modules, and the finder of prepend_sys_path's ".", which Python
    3.10 pins to the folder it was first asked in, where it would find the last
    ``shop``."""
    for name in [name for name in sys.modules if name.split(".")[0] == "shop"]:
        del sys.modules[name]
    for path in [path for path in sys.path_importer_cache if not os.path.isabs(path)]:
        del sys.path_importer_cache[path]
    importlib.invalidate_caches()


@pytest.fixture(autouse=True)
def _application_forgotten() -> Iterator[None]:
    """No later test (of this module or another) sees this one's application."""
    yield
    forget_the_application()


def test_initial_creates_the_applications_tables_before_the_first_revision(
    tmp_path: Path, database: list[str]
) -> None:
    created_by_the_application(tmp_path)

    without = roundtrip(tmp_path, database)
    result = roundtrip(tmp_path, database, "--initial", "shop.models:Base")
    as_json = roundtrip(tmp_path, database, "--initial", "shop.models:metadata", "--format", "json")

    assert without.code == 1
    assert without.out.splitlines()[-1] == (
        "alembic.ini: not reached (a revision below failed to upgrade): b2"
    )
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "alembic.ini: started from the tables of shop.models:Base (--initial), "
        "created before the first revision\n"
    )
    assert json.loads(as_json.out)["graphs"][0]["round_tripped"] == ["a1", "b2"]


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        ("shop.models", "--initial: expected module:attribute, got 'shop.models'"),
        (
            "shop.absent:Base",
            "--initial: cannot import shop.absent:Base: "
            "ModuleNotFoundError: No module named 'shop.absent'",
        ),
        (
            "shop.models:sa",
            "--initial: shop.models:sa is neither a MetaData nor has one (.metadata)",
        ),
    ],
)
def test_initial_must_name_a_metadata(tmp_path: Path, spec: str, error: str) -> None:
    created_by_the_application(tmp_path)

    result = roundtrip(tmp_path, [], "--initial", spec)

    assert (result.code, result.out, result.err) == (2, "", f"alembic-heads: {error}\n")


HEAD_MODELS = """\
import sqlalchemy as sa

metadata = sa.MetaData()
users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(100)),
)
"""


def built_at_head(root: Path, b2_downgrade: str = 'op.drop_column("users", "phone")') -> Path:
    """:func:`created_by_the_application`, with models at head, and b2 adding a column."""
    created_by_the_application(root)
    (root / "shop" / "models.py").write_text(
        HEAD_MODELS.replace(
            "sa.String(100)),\n", 'sa.String(100)),\n    sa.Column("phone", sa.String(20)),\n'
        )
    )
    write_revision(
        root / "versions",
        Rev(
            "b2",
            "a1",
            "nothing",
            body=body('op.add_column("users", sa.Column("phone", sa.String(20)))', b2_downgrade),
        ),
    )
    return root


def test_metadata_builds_at_head_and_walks_downwards(tmp_path: Path, database: list[str]) -> None:
    built_at_head(tmp_path)

    result = roundtrip(tmp_path, database, "--metadata", "shop.models:metadata")
    as_json = roundtrip(
        tmp_path, database, "--metadata", "shop.models:metadata", "--format", "json"
    )

    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "alembic.ini: started at head from the tables of shop.models:metadata (--metadata), "
        "stamped; the walk goes downwards\n"
    )
    assert json.loads(as_json.out)["graphs"][0]["round_tripped"] == ["b2", "a1"]


def test_metadata_mode_catches_a_downgrade_that_leaves_a_column(
    tmp_path: Path, database: list[str]
) -> None:
    built_at_head(tmp_path, b2_downgrade="pass")

    result = roundtrip(tmp_path, database, "--metadata", "shop.models:metadata")

    error = (
        'DuplicateColumn: column "phone" of relation "users" already exists'
        if database
        else "OperationalError: duplicate column name: phone"
    )
    assert (result.code, result.err) == (1, "")
    assert result.out.splitlines()[1:] == [
        "versions/b2_nothing.py:19: upgrade() of b2 fails when run again after its downgrade() "
        f"on {dialect(database)}",
        f"    {error}",
        "alembic.ini: not reached (the downgrade walk stopped above them): a1",
    ]


def test_metadata_mode_stops_at_an_irreversible_revision(tmp_path: Path) -> None:
    built_at_head(tmp_path, b2_downgrade="raise NotImplementedError  # alembic-heads: irreversible")

    result = roundtrip(tmp_path, [], "--metadata", "shop.models:metadata")

    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines()[1:] == [
        "versions/b2_nothing.py:23: downgrade() of b2 is marked irreversible: "
        "the downgrade walk ends here",
        "alembic.ini: not reached (the downgrade walk stopped above them): b2, a1",
    ]


TARGET_METADATA_ENV_PY = ENV_PY.replace(
    "config = context.config\n",
    "config = context.config\nfrom shop.models import metadata as target_metadata\n",
).replace(
    "context.configure(connection=connection)",
    "context.configure(connection=connection, target_metadata=target_metadata)",
)


def test_metadata_without_a_value_takes_env_pys_target_metadata(tmp_path: Path) -> None:
    built_at_head(tmp_path)

    without = roundtrip(tmp_path, [], "--metadata")
    (tmp_path / "env.py").write_text(TARGET_METADATA_ENV_PY)
    result = roundtrip(tmp_path, [], "--metadata")
    both = roundtrip(tmp_path, [], "--metadata", "--initial", "shop.models:metadata")

    assert (without.code, without.out) == (2, "")
    assert without.err == (
        "alembic-heads: --metadata: env.py gives Alembic no target_metadata; "
        "name one: --metadata module:attr\n"
    )
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "alembic.ini: started at head from the tables of env.py's target_metadata "
        "(--metadata), stamped; the walk goes downwards\n"
    )
    assert (both.code, both.out) == (2, "")
    assert both.err == ("alembic-heads: --initial and --metadata are two start modes: choose one\n")


def test_metadata_mode_stops_at_a_downgrade_that_fails(tmp_path: Path) -> None:
    built_at_head(tmp_path, b2_downgrade='op.drop_column("users", "fax")')

    result = roundtrip(tmp_path, [], "--metadata", "shop.models:metadata")

    assert (result.code, result.err) == (1, "")
    assert result.out.splitlines()[1:] == [
        "versions/b2_nothing.py:23: downgrade() of b2 fails on sqlite",
        '    OperationalError: no such column: "fax"',
        "alembic.ini: not reached (the downgrade walk stopped above them): a1",
    ]


def test_metadata_mode_passes_through_what_is_out_of_scope(tmp_path: Path) -> None:
    """b2, on another branch and newer, is only downgraded through on the way to x1."""
    built_at_head(tmp_path)
    models = tmp_path / "shop" / "models.py"
    models.write_text(models.read_text() + 'sa.Index("ix_users_email", users.c.email)\n')
    write_revision(
        tmp_path / "versions",
        Rev(
            "x1",
            "a1",
            "index email",
            body=body(
                'op.create_index("ix_users_email", "users", ["email"])',
                'op.drop_index("ix_users_email", table_name="users")',
            ),
        ),
    )

    result = roundtrip(tmp_path, [], "--metadata", "shop.models:metadata", "--since", "x1")
    as_json = roundtrip(
        tmp_path, [], "--metadata", "shop.models:metadata", "--since", "x1", "--format", "json"
    )

    assert (result.code, result.err) == (0, "")
    graph = json.loads(as_json.out)["graphs"][0]
    assert (graph["round_tripped"], graph["not_reached"]) == (["x1"], [])


def test_the_revisions_below_the_scope_come_from_a_kept_copy_on_the_second_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite: the database as the revisions below --since left it is kept, by
    the content of their files; a copy made to differ proves it is used."""
    import sqlite3

    monkeypatch.setenv("ALEMBIC_HEADS_CACHE_DIR", str(tmp_path / "cache"))
    creates_marker = body('op.create_table("marker", sa.Column("id", sa.Integer))', "pass")
    project(tmp_path / "app", [orders(), Rev("b2", "a1", "marker", body=creates_marker)])
    app = tmp_path / "app"

    first = roundtrip(app, [], "--since", "b2")
    kept = sorted((tmp_path / "cache" / "roundtrip").glob("*.db"))
    with contextlib.closing(sqlite3.connect(kept[0])) as connection:
        connection.execute("CREATE TABLE marker (id INTEGER)")
        connection.commit()
    second = roundtrip(app, [], "--since", "b2")
    (app / "versions" / "a1_create_orders.py").write_text(
        (app / "versions" / "a1_create_orders.py").read_text() + "# changed\n"
    )
    third = roundtrip(app, [], "--since", "b2")

    assert first.out.splitlines()[1:] == [
        "    downgrade() of b2 leaves table marker in place"
    ]  # a run that keeps its copy
    assert len(kept) == 1
    assert second.out.splitlines()[1] == "    OperationalError: table marker already exists"
    assert third.out == first.out


EXITING_ENV_PY = """\
import sys

sys.exit("DATABASE_URL is not set")
"""


@pytest.mark.parametrize(
    ("options", "env_py", "said"),
    [
        (
            ["--url", "postgresql://u@127.0.0.1:abc/x"],
            ENV_PY,
            "--url: not a database URL: 'postgresql://u@127.0.0.1:abc/x'",
        ),
        (
            ["--url", "postgresql+nodriver://u@127.0.0.1:1/x"],
            ENV_PY,
            "--url: no driver installed "
            "for postgresql+nodriver: pip install 'alembic-heads[postgresql]' (psycopg 3), or the "
            "driver the URL names",
        ),
        ([], EXITING_ENV_PY, "env.py exited: DATABASE_URL is not set"),
    ],
    ids=["port", "driver", "sys-exit"],
)
def test_what_stops_the_round_trip_is_one_line(
    tmp_path: Path, options: list[str], env_py: str, said: str
) -> None:
    project(tmp_path, [orders()], env_py)

    result = roundtrip(tmp_path, options)

    assert (result.code, result.out, result.err) == (2, "", f"alembic-heads: {said}\n")
