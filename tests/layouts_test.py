"""Layouts people really have: a second head planted where only the configuration
reveals it is found, reported on its own graph, with the command that reaches it."""

from __future__ import annotations

import warnings
from pathlib import Path

from helpers import (
    ENV_PY,
    Rev,
    commit_all,
    init_repo,
    require_alembic,
    run_cli,
    write_project,
    write_revision,
)

ABC = [Rev("aaaa", None, "a"), Rev("bbbb", "aaaa", "b"), Rev("cccc", "bbbb", "c")]
EXTRA_HEAD = Rev("dddd", "bbbb", "planted")


def alembic_heads_of(ini: Path, section: str = "alembic", script_location: str = "") -> list[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config(str(ini), ini_section=section)
    if script_location:  # what Flask-Migrate does
        config.set_main_option("script_location", script_location)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sorted(ScriptDirectory.from_config(config).get_heads())


def fix_line(out: str) -> str:
    return next(line.strip() for line in out.splitlines() if " merge -m " in line)


def test_plain_project_with_a_second_version_location(tmp_path: Path) -> None:
    require_alembic("1.16", "path_separator")
    write_project(tmp_path, ABC, ini_extra="version_locations = %(here)s/versions:%(here)s/extra\n")
    (tmp_path / "alembic.ini").write_text(
        (tmp_path / "alembic.ini").read_text().replace("path_separator = os", "path_separator = :")
    )
    write_revision(tmp_path / "extra", EXTRA_HEAD)

    result = run_cli(["check"], tmp_path)

    assert alembic_heads_of(tmp_path / "alembic.ini") == ["cccc", "dddd"]
    assert result.code == 1
    assert "extra/dddd_planted.py:13: head dddd: planted" in result.out
    assert fix_line(result.out) == "alembic merge -m 'merge cccc and dddd' cccc dddd"


def test_recursive_subfolder(tmp_path: Path) -> None:
    write_project(tmp_path, ABC, recursive=True)
    write_revision(tmp_path / "versions" / "2024" / "q1", EXTRA_HEAD)

    result = run_cli(["check"], tmp_path)

    assert alembic_heads_of(tmp_path / "alembic.ini") == ["cccc", "dddd"]
    assert "versions/2024/q1/dddd_planted.py:13: head dddd: planted" in result.out


FLASK_INI = """\
# A generic, single database configuration.

[alembic]
# template used to generate migration files
# file_template = %%(rev)s_%%(slug)s

[loggers]
keys = root
"""


def test_flask_migrate_folder(tmp_path: Path) -> None:
    init_repo(tmp_path)
    migrations = tmp_path / "migrations"
    write_project(migrations, [*ABC, EXTRA_HEAD])
    (migrations / "alembic.ini").write_text(FLASK_INI)
    (tmp_path / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    commit_all(tmp_path, "flask app")

    result = run_cli(["check"], tmp_path)

    assert alembic_heads_of(migrations / "alembic.ini", script_location=str(migrations)) == [
        "cccc",
        "dddd",
    ]
    assert result.out.startswith("migrations/alembic.ini: Multiple head revisions are present")
    assert fix_line(result.out) == "flask db merge -m 'merge cccc and dddd' cccc dddd"


def test_flask_migrate_folder_with_another_name(tmp_path: Path) -> None:
    write_project(tmp_path / "db_migrations", [*ABC, EXTRA_HEAD])
    (tmp_path / "db_migrations" / "alembic.ini").write_text(FLASK_INI)

    result = run_cli(["check", "-c", "db_migrations/alembic.ini"], tmp_path)

    assert fix_line(result.out) == (
        "flask db -d db_migrations merge -m 'merge cccc and dddd' cccc dddd"
    )


TWO_DATABASES = """\
[users]
script_location = %(here)s/users_db
path_separator = os

[billing]
script_location = %(here)s/billing_db
path_separator = os
"""


def test_two_databases_in_one_ini(tmp_path: Path) -> None:
    write_project(tmp_path / "users_db", ABC, ini=False)
    write_project(tmp_path / "billing_db", [*ABC, EXTRA_HEAD], ini=False)
    (tmp_path / "alembic.ini").write_text(TWO_DATABASES)

    every = run_cli(["check"], tmp_path)
    users = run_cli(["check", "-n", "users"], tmp_path)

    assert alembic_heads_of(tmp_path / "alembic.ini", "billing") == ["cccc", "dddd"]
    assert alembic_heads_of(tmp_path / "alembic.ini", "users") == ["cccc"]
    assert every.code == 1
    assert every.out.startswith("alembic.ini [billing]: Multiple head revisions are present")
    assert "users_db" not in every.out
    assert fix_line(every.out) == "alembic -n billing merge -m 'merge cccc and dddd' cccc dddd"
    assert users.code == 0


def test_monorepo_of_services(tmp_path: Path) -> None:
    init_repo(tmp_path)
    write_project(tmp_path / "services" / "accounts", ABC)
    write_project(tmp_path / "services" / "orders", [*ABC, EXTRA_HEAD])
    commit_all(tmp_path, "two services")

    result = run_cli(["check"], tmp_path)

    assert result.code == 1
    assert result.out.startswith("services/orders/alembic.ini: Multiple head revisions are present")
    assert "accounts" not in result.out
    assert fix_line(result.out) == (
        "cd services/orders && alembic merge -m 'merge cccc and dddd' cccc dddd"
    )


def test_root_config_and_a_nested_service(tmp_path: Path) -> None:
    write_project(tmp_path, ABC)
    write_project(tmp_path / "plugins" / "audit", [*ABC, EXTRA_HEAD])

    result = run_cli(["check"], tmp_path)

    assert result.out.startswith("plugins/audit/alembic.ini: Multiple head revisions")


def test_one_version_folder_per_dialect(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "env.py").write_text(ENV_PY)
    for rev in ABC:
        write_revision(migrations / "versions" / "postgresql", rev)
        write_revision(migrations / "versions" / "sqlite", rev)
    write_revision(migrations / "versions" / "sqlite", EXTRA_HEAD)

    every = run_cli(["check"], tmp_path)
    one = run_cli(["check", "migrations/versions/postgresql"], tmp_path)

    assert every.out.startswith("migrations/versions/sqlite: Multiple head revisions are present")
    assert "postgresql" not in every.out
    assert one.code == 0


def test_a_file_in_a_subfolder_of_a_plain_versions_folder(tmp_path: Path) -> None:
    (tmp_path / "versions").mkdir()
    write_revision(tmp_path / "versions", ABC[0])
    write_revision(tmp_path / "versions" / "2024", Rev("bbbb", "aaaa"))
    path = write_revision(tmp_path / "versions" / "2024", Rev("cccc", "aaaa"))

    result = run_cli(["check", str(path.relative_to(tmp_path))], tmp_path)

    assert result.out.startswith("versions: Multiple head revisions are present: 2 heads")


def test_paths_select_only_the_graphs_holding_them(tmp_path: Path) -> None:
    write_project(tmp_path, [*ABC, EXTRA_HEAD], recursive=True)
    write_revision(tmp_path / "versions" / "2024", Rev("eeee", "cccc", "nested"))
    write_project(tmp_path / "plugins" / "audit", [*ABC, EXTRA_HEAD])

    result = run_cli(
        ["check", "versions/aaaa_a.py", "versions/2024/eeee_nested.py", "versions"], tmp_path
    )

    assert result.out.startswith("alembic.ini: Multiple head revisions are present: 2 heads")
    assert "plugins" not in result.out
    assert "head eeee: nested" in result.out


def test_an_ini_beside_env_py_that_describes_another_folder(tmp_path: Path) -> None:
    write_project(tmp_path / "apps" / "db", [*ABC, EXTRA_HEAD])
    (tmp_path / "apps" / "db" / "alembic.ini").write_text(
        "[alembic]\nscript_location = %(here)s/other\n"
    )
    (tmp_path / "apps" / "db" / "other").mkdir()
    (tmp_path / "apps" / "alembic.ini").write_text("[alembic]\nscript_location = nowhere\n")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "env.py").write_text(ENV_PY)
    (tmp_path / "empty" / "versions").mkdir()

    result = run_cli(["check"], tmp_path)

    assert result.out.startswith("apps/db/versions: Multiple head revisions are present")
    assert fix_line(result.out) == "alembic merge -m 'merge cccc and dddd' cccc dddd"
