"""``alembic-heads status``: where a real database stands against the working tree.

Real git repositories, real SQLite files and a real PostgreSQL server, real
``alembic`` run in a subprocess to migrate them, and the printed commands run
through bash exactly as printed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sqlite3
import sys
import warnings
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from alembic_heads.elsewhere import Elsewhere
from helpers import (
    CORPUS_NAMES,
    PYTHON,
    Rev,
    alembic,
    commit_all,
    corpus,
    database_project,
    git,
    revs_from_corpus,
    run,
    run_cli,
    table_rev,
    write_pre_commit_config,
    write_project,
    write_revision,
)
from hook_test import hook_run, install_hooks
from postgres_server import PostgresServer

A = table_rev("a1a1a1a1a1a1", None, "create users")
B = table_rev("b2b2b2b2b2b2", A.revision, "add email")
C = table_rev("c3c3c3c3c3c3", B.revision, "add orders")
D = table_rev("d4d4d4d4d4d4", C.revision, "add invoices")
X = table_rev("b6c7d8e9f0a1", C.revision, "add search")
BIN = os.path.dirname(PYTHON)  # where `alembic` is installed


def versions_in(database: Path) -> list[str]:
    with sqlite3.connect(database) as connection:
        return [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]


def tables_in(database: Path) -> set[str]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {row[0] for row in rows}


def branch_story(root: Path, **env: str) -> Path:
    """master has A, B, C; feature-b adds D; feature-a adds X (b6c7d8e9f0a1),
    is checked out and migrated to its head."""
    repo = database_project(root, [A, B, C])
    git(repo, "checkout", "-q", "-b", "feature-b")
    write_revision(repo / "versions", D)
    commit_all(repo, "D")
    git(repo, "checkout", "-q", "-b", "feature-a", "master")
    write_revision(repo / "versions", X)
    commit_all(repo, "X")
    migrated = alembic(repo, "upgrade", "head", **env)
    assert migrated.returncode == 0, migrated.stderr
    return repo


FOREIGN_REPORT = """\
alembic.ini: the database ({url}) is at b6c7d8e9f0a1, which no file here defines: b6c7d8e9f0a1
    Alembic: Can't locate revision identified by 'b6c7d8e9f0a1'
    b6c7d8e9f0a1 (add search) is defined on branch feature-a: versions/b6c7d8e9f0a1_add_search.py
    the two histories share c3c3c3c3c3c3; feature-a adds since: b6c7d8e9f0a1; \
this working tree adds: d4d4d4d4d4d4
      * b6c7d8e9f0a1 (database, head) add search
      | * d4d4d4d4d4d4 (head) add invoices
      |/
      * c3c3c3c3c3c3 (branchpoint) add orders
      ~
    to bring the database to this working tree's head, run:
      {way_back}
"""
WAY_BACK = (
    "git checkout feature-a && alembic downgrade c3c3c3c3c3c3 && "
    "git checkout feature-b && alembic upgrade head"
)


def run_printed(command: str, repo: Path, **env: str) -> None:
    """A printed command, run by bash exactly as printed."""
    done = run(["bash", "-c", command], repo, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", **env)
    assert done.returncode == 0, done.stdout + done.stderr


def test_branch_switch_story_on_sqlite(tmp_path: Path) -> None:
    repo = branch_story(tmp_path / "repo")
    database = repo / "test.db"
    at_a = run_cli(["status"], repo)
    git(repo, "checkout", "-q", "feature-b")
    refused = alembic(repo, "upgrade", "head")
    before = (database.read_bytes(), database.stat().st_mtime_ns, sorted(os.listdir(repo)))

    result = run_cli(["status", "--warn-only"], repo)

    assert (at_a.code, at_a.out, at_a.err) == (
        0,
        "alembic.ini: the database (sqlite:///test.db) is at head: b6c7d8e9f0a1\n",
        "",
    )
    assert (refused.returncode, refused.stdout) == (
        255,
        "FAILED: Can't locate revision identified by 'b6c7d8e9f0a1'\n",
    )
    assert (result.code, result.err) == (0, "")
    assert result.out == FOREIGN_REPORT.format(url="sqlite:///test.db", way_back=WAY_BACK)
    assert (database.read_bytes(), database.stat().st_mtime_ns, sorted(os.listdir(repo))) == before
    assert run_cli(["status"], repo).code == 1

    run_printed(WAY_BACK, repo)

    assert git(repo, "branch", "--show-current").stdout == "feature-b\n"
    assert versions_in(database) == [D.revision]
    assert tables_in(database) == {"alembic_version", "t_a1a1a1a1a1a1", "t_b2b2b2b2b2b2"} | {
        "t_c3c3c3c3c3c3",
        "t_d4d4d4d4d4d4",
    }
    assert alembic(repo, "upgrade", "head").returncode == 0
    assert run_cli(["status"], repo).out == (
        "alembic.ini: the database (sqlite:///test.db) is at head: d4d4d4d4d4d4\n"
    )


def test_branch_switch_story_on_postgresql(tmp_path: Path, postgres_server: PostgresServer) -> None:
    url = postgres_server.create_database("story")
    repo = branch_story(tmp_path / "repo", DATABASE_URL=url)
    git(repo, "checkout", "-q", "feature-b")
    before = pg_rows(url)

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        result = run_cli(["status", "--url-env", "DATABASE_URL"], repo)

    assert (result.code, result.err) == (1, "")
    assert result.out == FOREIGN_REPORT.format(url=url, way_back=WAY_BACK)
    assert pg_rows(url) == before
    assert [row[0] for row in before] == ["b6c7d8e9f0a1"]
    run_printed(WAY_BACK, repo, DATABASE_URL=url)
    assert [row[0] for row in pg_rows(url)] == [D.revision]
    assert alembic(repo, "upgrade", "head", DATABASE_URL=url).returncode == 0


def pg_rows(url: str) -> list[tuple[Any, ...]]:
    """The version table's rows with their row versions (xmin): an update shows."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            query = "SELECT version_num, xmin::text FROM alembic_version ORDER BY version_num"
            return [tuple(row) for row in connection.exec_driver_sql(query)]
    finally:
        engine.dispose()


@pytest.mark.slow
def test_the_post_checkout_hook_names_the_branch_and_the_way_back(
    tmp_path: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    repo = branch_story(tmp_path / "repo")
    write_pre_commit_config(repo, hook_repo, ["alembic-database-status"])
    commit_all(repo, "hooks")  # on feature-a: the hook is configured on both sides
    git(repo, "checkout", "-q", "feature-b")
    git(repo, "cherry-pick", "feature-a")
    git(repo, "checkout", "-q", "feature-a")
    install_hooks(repo, pre_commit_home, "post-checkout")

    code, out = hook_run(["git", "checkout", "-q", "feature-b"], repo, pre_commit_home)

    assert code == 0, out
    assert "alembic database status" in out
    assert FOREIGN_REPORT.format(url="sqlite:///test.db", way_back=WAY_BACK) in out
    run_printed(WAY_BACK, repo, PRE_COMMIT_HOME=str(pre_commit_home))
    assert versions_in(repo / "test.db") == [D.revision]
    assert alembic(repo, "upgrade", "head").returncode == 0


def test_ahead_of_this_working_tree(tmp_path: Path) -> None:
    repo = branch_story(tmp_path / "repo")
    git(repo, "checkout", "-q", "master")

    result = run_cli(["status"], repo)

    assert (result.code, result.err) == (1, "")
    assert result.out == (
        "alembic.ini: the database (sqlite:///test.db) is at b6c7d8e9f0a1, which no file "
        "here defines: b6c7d8e9f0a1\n"
        "    Alembic: Can't locate revision identified by 'b6c7d8e9f0a1'\n"
        "    b6c7d8e9f0a1 (add search) is defined on branch feature-a: "
        "versions/b6c7d8e9f0a1_add_search.py\n"
        "    the database is ahead: feature-a adds b6c7d8e9f0a1 on top of this working "
        "tree's head c3c3c3c3c3c3\n"
        "      * b6c7d8e9f0a1 (database, head) add search\n"
        "      * c3c3c3c3c3c3 add orders\n"
        "      ~\n"
        "    to bring the database to this working tree's head, run:\n"
        "      git checkout feature-a && alembic downgrade c3c3c3c3c3c3 && "
        "git checkout master && alembic upgrade head\n"
    )


def test_a_deleted_branch_is_found_in_the_history_by_its_commit(tmp_path: Path) -> None:
    repo = branch_story(tmp_path / "repo")
    commit = git(repo, "rev-parse", "feature-a").stdout.strip()
    git(repo, "checkout", "-q", "feature-b")
    git(repo, "branch", "-q", "-D", "feature-a")

    result = run_cli(["status", "--format", "json"], repo)

    document = json.loads(result.out)
    validate(document)
    assert result.code == 1
    assert document["foreign"] == [
        {
            "revision": "b6c7d8e9f0a1",
            "ref": None,
            "commit": commit,
            "path": "versions/b6c7d8e9f0a1_add_search.py",
            "message": "add search",
            "shared": ["c3c3c3c3c3c3"],
            "undo": ["b6c7d8e9f0a1"],
            "nothing_to_undo": False,
        }
    ]
    way_back = (
        f"git checkout {commit} && alembic downgrade c3c3c3c3c3c3 && "
        "git checkout feature-b && alembic upgrade head"
    )
    assert document["commands"] == [way_back]
    run_printed(way_back, repo)
    assert versions_in(repo / "test.db") == [D.revision]


def test_a_revision_git_never_saw(tmp_path: Path) -> None:
    repo = database_project(tmp_path / "repo", [A, B, C])
    assert alembic(repo, "upgrade", "head").returncode == 0
    with sqlite3.connect(repo / "test.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'f00df00df00d'")

    result = run_cli(["status"], repo)

    assert (result.code, result.err) == (1, "")
    assert result.out == (
        "alembic.ini: the database (sqlite:///test.db) is at f00df00df00d, which no file "
        "here defines: f00df00df00d\n"
        "    Alembic: Can't locate revision identified by 'f00df00df00d'\n"
        "    f00df00df00d: no branch or commit of this repository defines it (searched every "
        "branch, then the history of the version folders)\n"
    )


def test_a_stamp_where_nothing_needs_undoing(tmp_path: Path) -> None:
    """feature-a's revision does nothing (an empty upgrade): stamp, no checkout."""
    repo = database_project(tmp_path / "repo", [A, B, C])
    git(repo, "checkout", "-q", "-b", "feature-b")
    write_revision(repo / "versions", D)
    commit_all(repo, "D")
    git(repo, "checkout", "-q", "-b", "feature-a", "master")
    write_revision(repo / "versions", Rev("e5e5e5e5e5e5", C.revision, "nothing yet"))
    commit_all(repo, "E")
    assert alembic(repo, "upgrade", "head").returncode == 0
    git(repo, "checkout", "-q", "feature-b")

    result = run_cli(["status", "--format", "json"], repo)

    document = json.loads(result.out)
    validate(document)
    stamp = "alembic stamp --purge c3c3c3c3c3c3 && alembic upgrade head"
    assert (result.code, document["commands"]) == (1, [stamp])
    assert document["foreign"][0]["nothing_to_undo"] is True
    assert (
        "    nothing feature-a adds does any work in upgrade(): a stamp will do\n"
        in run_cli(["status"], repo).out
    )
    run_printed(stamp, repo)
    assert versions_in(repo / "test.db") == [D.revision]
    assert "t_d4d4d4d4d4d4" in tables_in(repo / "test.db")


def test_behind_lists_what_alembic_upgrade_head_applies_in_its_order(tmp_path: Path) -> None:
    merge = Rev("f6f6f6f6f6f6", (D.revision, "e5e5e5e5e5e5"), "merge")
    revs = [A, B, C, D, table_rev("e5e5e5e5e5e5", C.revision, "add shipping"), merge]
    repo = database_project(tmp_path / "repo", revs)
    assert alembic(repo, "upgrade", B.revision).returncode == 0
    oracle = alembic(repo, "upgrade", f"{B.revision}:head", "--sql")
    applied = [
        line.split(" -> ")[1]
        for line in oracle.stdout.splitlines()
        if line.startswith("-- Running upgrade ")
    ]

    result = run_cli(["status", "--format", "json"], repo)
    text = run_cli(["status", "--color", "never"], repo)

    document = json.loads(result.out)
    validate(document)
    assert result.code == text.code == 1
    assert document["state"] == "behind"
    assert (
        document["pending"]
        == applied
        == [
            "c3c3c3c3c3c3",
            "e5e5e5e5e5e5",
            "d4d4d4d4d4d4",
            "f6f6f6f6f6f6",
        ]
    )
    assert document["commands"] == ["alembic upgrade head"]
    assert text.out == (
        "alembic.ini: the database (sqlite:///test.db) is behind: at b2b2b2b2b2b2; "
        "`alembic upgrade head` would apply 4 revisions\n"
        "    in order: c3c3c3c3c3c3, e5e5e5e5e5e5, d4d4d4d4d4d4, f6f6f6f6f6f6\n"
        "      * f6f6f6f6f6f6 (head, mergepoint) merge\n"
        "      |\\\n"
        "      | * e5e5e5e5e5e5 add shipping\n"
        "      * | d4d4d4d4d4d4 add invoices\n"
        "      |/\n"
        "      * c3c3c3c3c3c3 (branchpoint) add orders\n"
        "      * b2b2b2b2b2b2 (database) add email\n"
        "      ~\n"
        "    to bring the database to this working tree's head, run:\n"
        "      alembic upgrade head\n"
    )


def test_a_database_downgraded_to_base_is_behind_by_everything(tmp_path: Path) -> None:
    repo = database_project(tmp_path / "repo", [A, B])
    assert alembic(repo, "upgrade", "head").returncode == 0
    assert alembic(repo, "downgrade", "base").returncode == 0

    result = run_cli(["status"], repo)

    assert (result.code, result.out) == (
        1,
        "alembic.ini: the database (sqlite:///test.db) is behind: at base (no revision "
        "applied); `alembic upgrade head` would apply 2 revisions\n"
        "    in order: a1a1a1a1a1a1, b2b2b2b2b2b2\n"
        "      * b2b2b2b2b2b2 (head) add email\n"
        "      * a1a1a1a1a1a1 create users\n"
        "    to bring the database to this working tree's head, run:\n"
        "      alembic upgrade head\n",
    )


def test_labelled_branches_one_row_each(tmp_path: Path) -> None:
    revs = [
        Rev("aaaa11111111", None, "users", branch_labels="users"),
        Rev("aaaa22222222", "aaaa11111111", "users 2"),
        Rev("bbbb11111111", None, "billing", branch_labels="billing"),
        Rev("bbbb22222222", "bbbb11111111", "billing 2"),
    ]
    repo = database_project(tmp_path / "repo", revs)
    assert alembic(repo, "upgrade", "users@head").returncode == 0
    assert alembic(repo, "upgrade", "bbbb11111111").returncode == 0

    behind = run_cli(["status", "--format", "json"], repo)
    assert alembic(repo, "upgrade", "heads").returncode == 0
    at_heads = run_cli(["status"], repo)

    document = json.loads(behind.out)
    assert (document["database"]["revisions"], document["pending"]) == (
        ["aaaa22222222", "bbbb11111111"],
        ["bbbb22222222"],
    )
    assert document["commands"] == ["alembic upgrade heads"]
    assert at_heads.code == 0
    assert at_heads.out.startswith("alembic.ini: the database (sqlite:///test.db) is at heads: ")


# -- what it never does ---------------------------------------------------------


def test_reads_sqlite_read_only_and_never_creates_a_file(tmp_path: Path) -> None:
    from sqlalchemy.exc import OperationalError

    from alembic_heads.database import read_only_connection
    from alembic_heads.database_url import DatabaseUrl

    repo = database_project(tmp_path / "repo", [A])
    assert alembic(repo, "upgrade", "head").returncode == 0
    database = DatabaseUrl("sqlite:///test.db", "--url", True)

    with (
        read_only_connection(database, str(repo)) as connection,
        pytest.raises(OperationalError, match="attempt to write a readonly database"),
    ):
        connection.exec_driver_sql("DELETE FROM alembic_version")
    missing = run_cli(["status", "--url", "sqlite:///nothing.db"], repo)

    assert versions_in(repo / "test.db") == [A.revision]
    assert (missing.code, missing.out) == (2, "")
    assert missing.err == (
        f"alembic-heads: database does not exist: {repo / 'nothing.db'} "
        "(sqlite:///nothing.db, from --url)\n"
    )
    assert not (repo / "nothing.db").exists()


def test_reads_postgresql_in_a_read_only_transaction(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    from sqlalchemy.exc import InternalError

    from alembic_heads.database import read_only_connection
    from alembic_heads.database_url import DatabaseUrl

    url = postgres_server.create_database("readonly")
    repo = database_project(tmp_path / "repo", [A])
    assert alembic(repo, "upgrade", "head", DATABASE_URL=url).returncode == 0
    before = pg_rows(url)

    with (
        read_only_connection(DatabaseUrl(url, "--url", True), str(repo)) as connection,
        pytest.raises(InternalError, match="cannot execute DELETE in a read-only transaction"),
    ):
        connection.exec_driver_sql("DELETE FROM alembic_version")
    result = run_cli(["status", "--url", url], repo)

    assert (result.code, result.out) == (
        0,
        f"alembic.ini: the database ({url}) is at head: a1a1a1a1a1a1\n",
    )
    assert pg_rows(url) == before


class _Uninstalled:
    """A module finder that answers as Python does for a package not installed."""

    def __init__(self, name: str) -> None:
        self.name = name

    def find_spec(self, fullname: str, *args: object) -> None:
        if fullname == self.name:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)


def uninstalled(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """``import name`` fails as where the package is not installed (the test
    extra installs PyMySQL for the MariaDB tests)."""
    monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setattr(sys, "meta_path", [_Uninstalled(name), *sys.meta_path])


def test_one_line_and_exit_2_when_the_database_cannot_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uninstalled(monkeypatch, "pymysql")
    repo = database_project(tmp_path / "repo", [A])
    sqlite3.connect(repo / "empty.db").close()
    with sqlite3.connect(repo / "odd.db") as odd:
        odd.execute("CREATE TABLE alembic_version (revision VARCHAR(32))")

    cases = {
        ("--url", "sqlite:///empty.db"): "sqlite:///empty.db (--url) has no version table "
        "alembic_version: no migration was ever applied to it",
        ("--url", "mysql://user@127.0.0.1/app"): "no database driver for mysql (No module "
        "named 'pymysql'): pip install 'alembic-heads[mysql]' (for the pre-commit hook: "
        "additional_dependencies: ['sqlalchemy>=1.4', 'pymysql'])",
        ("--url", "postgresql+psycopg2://user@127.0.0.1/app"): "no database driver for "
        "postgresql+psycopg2 (No module named 'psycopg2'): pip install "
        "'alembic-heads[postgresql]' (for the pre-commit hook: additional_dependencies: "
        "['sqlalchemy>=2.0', 'psycopg[binary]'])",
        ("--url", "postgresql://u@127.0.0.1:abc/x"): "--url: not a database URL: "
        "postgresql://u@127.0.0.1:abc/x",
        ("--url", "driver://user:pass@localhost/dbname"): "--url: unknown database dialect "
        "'driver' in driver://user:***@localhost/dbname: pass --url URL or --url-env NAME",
        ("--url-env", "NOT_SET_ANYWHERE"): "--url-env NOT_SET_ANYWHERE: the environment "
        "variable is not set",
        ("--url", "sqlite://"): "--url: sqlite:// is not a database file (an in-memory "
        "database has no history)",
        ("--url", "nonsense"): "--url: not a database URL: nonsense",
        ("--url", "mssql+pyodbc://user@host/app"): "no database driver for mssql+pyodbc (No "
        "module named 'pyodbc'): install the driver of mssql+pyodbc beside alembic-heads",
        ("--url", "sqlite:///odd.db"): "cannot read alembic_version of sqlite:///odd.db: "
        "no such column: alembic_version.version_num",
    }
    for argv, message in cases.items():
        result = run_cli(["status", *argv], repo)
        warned = run_cli(["status", "--warn-only", *argv], repo)
        assert (result.code, result.out, result.err) == (2, "", f"alembic-heads: {message}\n")
        assert (warned.code, warned.out, warned.err) == (0, "", result.err)


def test_one_line_and_exit_2_when_the_postgresql_database_does_not_exist(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    repo = database_project(tmp_path / "repo", [A])
    gone = postgres_server.url("no_such_database")
    with_password = gone.replace("postgres@", "postgres:s3cret@")
    message = (
        f"cannot connect to {gone.replace('postgres@', 'postgres:***@')} (--url): "
        'connection failed: connection to server at "127.0.0.1", port '
        f'{postgres_server.port} failed: FATAL:  database "no_such_database" does not exist'
    )

    result = run_cli(["status", "--url", with_password], repo)
    warned = run_cli(["status", "--warn-only", "--url", with_password], repo)

    assert (result.code, result.out, result.err) == (2, "", f"alembic-heads: {message}\n")
    assert (warned.code, warned.out, warned.err) == (0, "", result.err)


def test_no_url_anywhere(tmp_path: Path) -> None:
    repo = database_project(tmp_path / "repo", [A])
    ini = repo / "alembic.ini"
    ini.write_text(ini.read_text().replace("sqlalchemy.url = sqlite:///test.db\n", ""))

    result = run_cli(["status"], repo)

    assert (result.code, result.err) == (
        2,
        "alembic-heads: alembic.ini: no sqlalchemy.url to read the database from: "
        "pass --url URL or --url-env NAME\n",
    )


# -- rebase asks the database ---------------------------------------------------


def rebase_story(root: Path) -> Path:
    """The blog's story: master has A, B, C and D; dev2 added E and F on C,
    applied them to its local database, and merged master: two heads."""
    repo = database_project(root, [A, B, C])
    git(repo, "checkout", "-q", "-b", "dev2")
    write_revision(repo / "versions", table_rev("e5e5e5e5e5e5", C.revision, "E"))
    write_revision(repo / "versions", table_rev("f6f6f6f6f6f6", "e5e5e5e5e5e5", "F"))
    commit_all(repo, "E, F")
    assert alembic(repo, "upgrade", "head").returncode == 0
    git(repo, "checkout", "-q", "master")
    write_revision(repo / "versions", D)
    commit_all(repo, "D")
    git(repo, "checkout", "-q", "dev2")
    git(repo, "merge", "-q", "--no-edit", "master")
    return repo


REBASE_REFUSAL = """\
versions/e5e5e5e5e5e5_E.py:14: the database (sqlite:///test.db) has applied e5e5e5e5e5e5, \
f6f6f6f6f6f6, which rebase would move: Alembic would no longer find the revisions it applied \
them on
    undo them first, then rebase again:
      alembic downgrade c3c3c3c3c3c3
    (or pass --force to move them anyway)
"""


def test_rebase_refuses_to_move_what_the_database_applied(tmp_path: Path) -> None:
    repo = rebase_story(tmp_path / "repo")
    before = (repo / "versions" / "e5e5e5e5e5e5_E.py").read_bytes()

    refused = run_cli(["rebase", "--base", "master"], repo)

    assert (refused.code, refused.out, refused.err) == (1, REBASE_REFUSAL, "")
    assert (repo / "versions" / "e5e5e5e5e5e5_E.py").read_bytes() == before
    run_printed("alembic downgrade c3c3c3c3c3c3", repo)
    moved = run_cli(["rebase", "--base", "master"], repo)
    assert (moved.code, moved.out) == (
        0,
        "versions/e5e5e5e5e5e5_E.py: down_revision c3c3c3c3c3c3 -> d4d4d4d4d4d4\n",
    )
    assert alembic(repo, "upgrade", "head").returncode == 0
    assert versions_in(repo / "test.db") == ["f6f6f6f6f6f6"]
    assert {"t_d4d4d4d4d4d4", "t_e5e5e5e5e5e5", "t_f6f6f6f6f6f6"} <= tables_in(repo / "test.db")
    assert run_cli(["status"], repo).code == 0


def test_rebase_refuses_while_the_database_is_on_a_revision_no_file_here_defines(
    tmp_path: Path,
) -> None:
    """What lies under another branch's revision is not known here: it may be
    what moves (the database applied E and F, then G on a branch of its own)."""
    import sqlite3

    repo = rebase_story(tmp_path / "repo")
    with sqlite3.connect(repo / "test.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'a7a7a7a7a7a7'")
    connection.close()

    refused = run_cli(["rebase", "--base", "master"], repo)

    assert (refused.code, refused.err) == (1, "")
    assert refused.out == (
        "versions/e5e5e5e5e5e5_E.py:14: the database (sqlite:///test.db) is on a7a7a7a7a7a7, "
        "which no file here defines: it may have applied what rebase would move\n"
        "    see where it stands, and the way back: alembic-heads status\n"
        "    (or pass --force to move them anyway)\n"
    )


def test_rebase_force_and_a_database_given_that_cannot_be_read(tmp_path: Path) -> None:
    repo = rebase_story(tmp_path / "repo")

    missing = run_cli(["rebase", "--base", "master", "--url", "sqlite:///gone.db"], repo)
    forced = run_cli(["rebase", "--base", "master", "--force"], repo)

    assert (missing.code, missing.out, missing.err) == (
        2,
        "",
        f"alembic-heads: database does not exist: {repo / 'gone.db'} "
        "(sqlite:///gone.db, from --url)\n",
    )
    assert (forced.code, forced.out) == (
        0,
        "versions/e5e5e5e5e5e5_E.py: down_revision c3c3c3c3c3c3 -> d4d4d4d4d4d4\n",
    )


def test_rebase_goes_ahead_when_the_configured_database_does_not_exist(tmp_path: Path) -> None:
    repo = rebase_story(tmp_path / "repo")
    (repo / "test.db").unlink()

    result = run_cli(["rebase", "--base", "master"], repo)

    assert result.code == 0
    assert not (repo / "test.db").exists()


# -- JSON -----------------------------------------------------------------------


def schema() -> dict[str, Any]:
    text = resources.files("alembic_heads").joinpath("schema/status-v1.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(loaded)
    return loaded


def validate(document: dict[str, Any]) -> None:
    jsonschema.validate(document, schema(), cls=jsonschema.Draft202012Validator)


def test_json_at_head(tmp_path: Path) -> None:
    repo = database_project(tmp_path / "repo", [A])
    assert alembic(repo, "upgrade", "head").returncode == 0

    result = run_cli(["status", "--format", "json"], repo)

    document = json.loads(result.out)
    validate(document)
    assert result.code == 0
    assert {key: document[key] for key in ("ok", "state", "pending", "foreign", "commands")} == {
        "ok": True,
        "state": "head",
        "pending": [],
        "foreign": [],
        "commands": [],
    }
    assert document["database"] == {
        "url": "sqlite:///test.db",
        "source": "alembic.ini sqlalchemy.url",
        "version_table": "alembic_version",
        "version_table_schema": None,
        "revisions": [A.revision],
    }


def assert_upgrade_order_is_alembics(root: Path, revs: list[Rev], recursive: bool = False) -> None:
    """From base and from every revision, what `alembic upgrade heads` applies,
    in Alembic's own order (its RevisionMap is the oracle)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from alembic_heads.config import config_files, load_environment
    from alembic_heads.core import read_graph
    from alembic_heads.graph import lineage, upgrade_order

    write_project(root, revs, recursive=recursive)
    env = load_environment(config_files([str(root / "alembic.ini")], None, root), root)
    graph, findings = read_graph(env, None)
    assert graph is not None and not findings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        revision_map = ScriptDirectory.from_config(Config(str(root / "alembic.ini"))).revision_map
        for current in [None, *graph.revisions]:
            steps = revision_map.iterate_revisions("heads", current, implicit_base=True)
            theirs = [rev.revision for rev in steps][::-1]
            missing = lineage(graph, graph.heads) - lineage(graph, [current] if current else [])
            assert upgrade_order(graph, missing, graph.heads) == theirs, current


@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_upgrade_order_is_alembics_on_every_corpus(tmp_path: Path, name: str) -> None:
    recursive = corpus(name)["recursive_version_locations"]
    assert_upgrade_order_is_alembics(tmp_path, revs_from_corpus(name), recursive)


DEPENDENCY_SHAPES = {
    "across labelled branches": [
        Rev("a1", None, branch_labels="x"),
        Rev("a2", "a1"),
        Rev("a3", "a2"),
        Rev("b1", None, branch_labels="y"),
        Rev("b2", "b1", depends_on="a2"),
        Rev("b3", "b2"),
    ],
    "a dependency on a label": [
        Rev("a1", None, branch_labels="x"),
        Rev("a2", "a1"),
        Rev("b1", None, branch_labels="y", depends_on="x"),
        Rev("b2", "b1"),
    ],
    "inherited and merged": [
        Rev("r1"),
        Rev("s1", "r1"),
        Rev("t1", "r1"),
        Rev("s2", "s1", depends_on="t1"),
        Rev("s3", "s2", depends_on="t1"),
        Rev("m1", ("s3", "t1")),
        Rev("z1", None, branch_labels="z", depends_on="s2"),
    ],
}


@pytest.mark.parametrize("shape", DEPENDENCY_SHAPES)
def test_upgrade_order_is_alembics_with_depends_on(tmp_path: Path, shape: str) -> None:
    assert_upgrade_order_is_alembics(tmp_path, DEPENDENCY_SHAPES[shape])


def test_readme_shows_the_real_report() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()

    assert FOREIGN_REPORT.format(url="sqlite:///test.db", way_back=WAY_BACK) in readme


def test_a_plain_postgresql_url_uses_psycopg_when_psycopg2_is_missing(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    pytest.importorskip("psycopg")
    if importlib.util.find_spec("psycopg2") is not None:
        pytest.skip("psycopg2 is installed: the plain URL uses it")
    url = postgres_server.create_database("plain")
    repo = database_project(tmp_path / "repo", [A])
    assert alembic(repo, "upgrade", "head", DATABASE_URL=url).returncode == 0
    plain = url.replace("postgresql+psycopg://", "postgresql://")

    result = run_cli(["status", "--url", plain], repo)

    assert (result.code, result.out, result.err) == (
        0,
        f"alembic.ini: the database ({plain}) is at head: a1a1a1a1a1a1\n",
        "",
    )


def test_histories_that_share_two_revisions_get_no_single_way_back(tmp_path: Path) -> None:
    p, q = table_rev("9a9a9a9a9a9a", A.revision, "p"), table_rev("9b9b9b9b9b9b", A.revision, "q")
    repo = database_project(tmp_path / "repo", [A, p, q])
    git(repo, "checkout", "-q", "-b", "feature-a")
    write_revision(repo / "versions", table_rev("9c9c9c9c9c9c", (p.revision, q.revision), "m"))
    commit_all(repo, "merge")
    assert alembic(repo, "upgrade", "head").returncode == 0
    git(repo, "checkout", "-q", "master")

    result = run_cli(["status", "--format", "json"], repo)

    document = json.loads(result.out)
    validate(document)
    assert (result.code, document["commands"]) == (1, [])
    assert document["foreign"][0]["shared"] == ["9a9a9a9a9a9a", "9b9b9b9b9b9b"]
    assert document["graph"]["heads"] == ["9a9a9a9a9a9a", "9b9b9b9b9b9b"]


def test_a_long_way_behind_is_listed_shortened(tmp_path: Path) -> None:
    chain = [
        Rev(f"{index:02d}" * 6, f"{index - 1:02d}" * 6 if index > 1 else None, "step")
        for index in range(1, 11)
    ]
    repo = database_project(tmp_path / "repo", chain)
    assert alembic(repo, "stamp", chain[0].revision).returncode == 0

    result = run_cli(["status"], repo)

    assert result.code == 1
    assert result.out.splitlines()[1] == (
        "    in order: 020202020202, 030303030303, 040404040404, ... (3 more), "
        "080808080808, 090909090909, 101010101010"
    )


def test_one_graph_at_a_time(tmp_path: Path) -> None:
    repo = database_project(tmp_path / "repo", [A])
    write_project(repo / "other", [Rev("ffffffffffff")], ini=False)
    commit_all(repo, "a second graph")

    result = run_cli(["status"], repo)

    assert (result.code, result.out, result.err) == (
        2,
        "",
        "alembic-heads: 2 revision graphs found (alembic.ini, other/versions): choose the "
        "one of the database with -c, -n or --versions\n",
    )


def test_a_version_table_elsewhere(tmp_path: Path, postgres_server: PostgresServer) -> None:
    import sqlalchemy

    url = postgres_server.create_database("schema")
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE SCHEMA app")
        connection.exec_driver_sql("CREATE TABLE app.versions (version_num VARCHAR(32))")
        connection.exec_driver_sql(f"INSERT INTO app.versions VALUES ('{A.revision}')")
    engine.dispose()
    repo = database_project(tmp_path / "repo", [A])
    options = ["--version-table", "versions", "--version-table-schema", "app"]

    found = run_cli(["status", "--url", url, *options], repo)
    default = run_cli(["status", "--url", url], repo)

    assert (found.code, found.out) == (
        0,
        f"alembic.ini: the database ({url}) is at head: a1a1a1a1a1a1\n",
    )
    assert (default.code, default.err) == (
        2,
        f"alembic-heads: {url} (--url) has no version table alembic_version: "
        "no migration was ever applied to it\n",
    )


def test_back_to_a_detached_head_past_a_branch_that_only_mentions_the_revision(
    tmp_path: Path,
) -> None:
    repo = branch_story(tmp_path / "repo")
    git(repo, "checkout", "-q", "-b", "mentions", "master")
    write_revision(repo / "versions", Rev("e5e5e5e5e5e5", C.revision, "like b6c7d8e9f0a1"))
    commit_all(repo, "a revision whose message names X")
    here = git(repo, "rev-parse", "feature-b").stdout.strip()
    git(repo, "checkout", "-q", "--detach", "feature-b")

    result = run_cli(["status", "--format", "json"], repo)

    document = json.loads(result.out)
    assert document["foreign"][0]["ref"] == "feature-a"
    assert document["commands"] == [
        "git checkout feature-a && alembic downgrade c3c3c3c3c3c3 && "
        f"git checkout {here} && alembic upgrade head"
    ]


def test_a_configuration_whose_url_cannot_be_expanded(tmp_path: Path) -> None:
    repo = database_project(tmp_path / "repo", [A])
    ini = repo / "alembic.ini"
    ini.write_text(ini.read_text().replace("sqlite:///test.db", "sqlite:///%(missing)s.db"))

    result = run_cli(["status"], repo)

    assert result.code == 2
    assert result.err.startswith("alembic-heads: alembic.ini: Bad value substitution: ")
    assert result.err.count("\n") == 1


def test_the_way_back_from_another_folder_runs_alembic_in_a_subshell(tmp_path: Path) -> None:
    from alembic_heads.config import Environment
    from alembic_heads.standing import Foreign, Standing, way_back
    from helpers import graph_of

    graph = graph_of([Rev("c3"), Rev("d4", "c3")])
    there = graph_of([Rev("c3"), Rev("x'1", "c3")])
    found = Elsewhere("x'1", "feature a", "0" * 40, there)
    standing = Standing(("x'1",), ("d4",), (), (Foreign("x'1", found, ("c3",), ("x'1",)),))
    project = tmp_path / "my project"
    env = Environment(
        "my project/alembic.ini",
        (str(project / "versions"),),
        ini=str(project / "alembic.ini"),
        run_from=str(project),
    )

    commands = way_back(standing, graph, env, str(tmp_path), "main")

    assert commands == [
        "git checkout 'feature a' && (cd 'my project' && alembic downgrade c3) && "
        "git checkout main && (cd 'my project' && alembic upgrade head)"
    ]


def test_labelled_branches_one_of_them_migrated_on_another_git_branch(tmp_path: Path) -> None:
    users = [
        table_rev("aaaa11111111", None, "users"),
        table_rev("aaaa22222222", "aaaa11111111", "users 2"),
    ]
    users[0].branch_labels = "users"
    billing = table_rev("bbbb11111111", None, "billing")
    billing.branch_labels = "billing"
    repo = database_project(tmp_path / "repo", [*users, billing])
    git(repo, "checkout", "-q", "-b", "feature-b")
    write_revision(repo / "versions", table_rev("aaaa33333333", "aaaa22222222", "users 3"))
    commit_all(repo, "users 3")
    git(repo, "checkout", "-q", "-b", "feature-a", "master")
    write_revision(repo / "versions", table_rev("bbbb22222222", "bbbb11111111", "billing 2"))
    commit_all(repo, "billing 2")
    assert alembic(repo, "upgrade", "heads").returncode == 0
    git(repo, "checkout", "-q", "feature-b")

    result = run_cli(["status", "--format", "json"], repo)

    document = json.loads(result.out)
    assert document["database"]["revisions"] == ["aaaa22222222", "bbbb22222222"]
    assert document["foreign"][0]["shared"] == ["bbbb11111111"]
    assert document["commands"] == [
        "git checkout feature-a && alembic downgrade bbbb11111111 && "
        "git checkout feature-b && alembic upgrade heads"
    ]
    run_printed(document["commands"][0], repo)
    assert sorted(versions_in(repo / "test.db")) == ["aaaa33333333", "bbbb11111111"]
    assert run_cli(["status"], repo).code == 0
