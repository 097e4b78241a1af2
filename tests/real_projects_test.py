"""``alembic-heads roundtrip`` on real public projects' migrations, installed from PyPI.

Each ships its Alembic environment (env.py and revisions) inside its wheel; the
tests of a project run where the version named here is installed (``.ci/run``
installs them) and skip, saying so, elsewhere: the findings below are that
release's.

- optuna 5.0.0: ten revisions from an empty database; env.py reads
  ``sqlalchemy.url``.
- mlflow-skinny 3.17.2 (its tracking store): 67 revisions whose first alters
  tables mlflow creates with ``create_all`` of its "initial models": the start
  mode ``--initial``. env.py takes the engine of the connection it is handed.
- jupyterhub 6.1.1: 18 revisions above an empty "base revision for 0.5", which
  alter tables jupyterhub creates from its models (it builds a new database
  with ``create_all`` and stamps it): the start mode ``--metadata``. Its
  alembic.ini is a template jupyterhub fills in (``write_alembic_ini``); its
  env.py calls ``connect()`` on the connection it is handed (the cookbook of
  SQLAlchemy 1.x), so it gets ``sqlalchemy.url`` alone.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
from pathlib import Path

import pytest

from helpers import assert_snapshot, run_cli
from postgres_server import PostgresServer


def installed(distribution: str, version: str, package: str) -> Path:
    """The folder of ``package`` where ``distribution`` ``version`` is
    installed; elsewhere the test skips, saying why."""
    try:
        found = importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        pytest.skip(f"{distribution} is not installed (pip install {distribution}=={version})")
    if found != version:
        pytest.skip(f"the expected findings are {distribution} {version}'s; installed: {found}")
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent


@pytest.fixture
def optuna_rdb() -> Path:
    return installed("optuna", "5.0.0", "optuna") / "storages" / "_rdb"


def test_optuna_on_sqlite(optuna_rdb: Path) -> None:
    result = run_cli(["roundtrip"], optuna_rdb)

    assert (result.code, result.err) == (1, "")
    assert result.out == (
        "alembic/versions/v2.4.0.a.py:186: downgrade() of v2.4.0.a does not undo its upgrade() "
        "on sqlite\n"
        "    downgrade() of v2.4.0.a removes column studies.direction, which was there before "
        "upgrade()\n"
        "    downgrade() of v2.4.0.a leaves column trial_values.objective in place\n"
        "    downgrade() of v2.4.0.a removes column trial_values.step, which was there before "
        "upgrade()\n"
        "    downgrade() of v2.4.0.a removes column trials.value, which was there before "
        "upgrade()\n"
        "    downgrade() of v2.4.0.a leaves table study_directions in place\n"
        "    downgrade() of v2.4.0.a leaves table trial_intermediate_values in place\n"
        "    downgrade() of v2.4.0.a removes unique constraint (trial_id, step) on trial_values, "
        "which was there before upgrade()\n"
        "    downgrade() of v2.4.0.a leaves unique constraint uq_trial_values_trial_id_objective "
        "on trial_values in place\n"
        "alembic/versions/v3.0.0.b.py:92: downgrade() of v3.0.0.b does not undo its upgrade() "
        "on sqlite\n"
        "    downgrade() of v3.0.0.b leaves column trial_values.value changed: nullable false "
        "(was true)\n"
        "alembic/versions/v3.0.0.c.py:149: downgrade() of v3.0.0.c fails on sqlite\n"
        "    AttributeError: type object 'IntermediateValueModel' has no attribute "
        "'FloatTypeEnum'\n"
    )


def test_optuna_on_postgresql(optuna_rdb: Path, postgres_server: PostgresServer) -> None:
    before = postgres_server.databases()

    result = run_cli(["roundtrip", "--url", postgres_server.url()], optuna_rdb)

    assert (result.code, result.err) == (1, "")
    assert result.out == (
        "alembic/versions/v0.9.0.a.py:120: downgrade() of v0.9.0.a does not undo its upgrade() "
        "on postgresql\n"
        "    downgrade() of v0.9.0.a leaves enum studydirection in place\n"
        "    downgrade() of v0.9.0.a leaves enum trialstate in place\n"
        "alembic/versions/v2.4.0.a.py:83: upgrade() of v2.4.0.a fails on postgresql\n"
        '    DuplicateObject: type "studydirection" already exists\n'
        "alembic.ini: not reached (a revision below failed to upgrade): v2.6.0.a, v3.0.0.a, "
        "v3.0.0.b, v3.0.0.c, v3.0.0.d, v3.2.0.a\n"
    )
    assert postgres_server.databases() == before


def test_alembic_agrees_that_optunas_v2_4_upgrade_fails_on_a_deployed_postgresql_database(
    optuna_rdb: Path, postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The oracle for the finding above: a database at v1.3.0.a (a deployed
    optuna 1.3) cannot be upgraded to head; only `upgrade head` from empty, in
    one run, gets past v2.4.0.a (SQLAlchemy then remembers the enum it made)."""
    import sqlalchemy
    from alembic import command
    from alembic.config import Config

    monkeypatch.chdir(optuna_rdb)
    config = Config("alembic.ini")
    config.set_main_option("sqlalchemy.url", postgres_server.create_database("oracle"))

    command.upgrade(config, "v1.3.0.a")
    with pytest.raises(sqlalchemy.exc.ProgrammingError, match='type "studydirection" already'):
        command.upgrade(config, "head")


def test_optuna_built_from_its_models(optuna_rdb: Path) -> None:
    """optuna creates a new database from its models and stamps it: the start mode
    --metadata (env.py's target_metadata) finds the first downgrade fails there."""
    result = run_cli(["roundtrip", "--metadata"], optuna_rdb)

    assert (result.code, result.err) == (1, "")
    assert result.out == (
        "alembic.ini: started at head from the tables of env.py's target_metadata "
        "(--metadata), stamped; the walk goes downwards\n"
        "alembic/versions/v3.2.0.a_.py:23: downgrade() of v3.2.0.a fails on sqlite\n"
        "    OperationalError: no such index: trials_study_id_key\n"
        "alembic.ini: not reached (the downgrade walk stopped above them): v3.0.0.d, "
        "v3.0.0.c, v3.0.0.b, v3.0.0.a, v2.6.0.a, v2.4.0.a, v1.3.0.a, v1.2.0.a, v0.9.0.a\n"
    )


# mlflow's alembic.ini names its scripts relative to the folder holding the
# package (script_location = mlflow/store/db_migrations), where mlflow runs it.
MLFLOW_INI = "mlflow/store/db_migrations/alembic.ini"
MLFLOW_INITIAL = "mlflow.store.tracking.dbmodels.initial_models:Base"


@pytest.fixture
def site_packages() -> Path:
    """The folder holding mlflow (mlflow-skinny 3.17.2)."""
    return installed("mlflow-skinny", "3.17.2", "mlflow").parent


def test_mlflows_history_cannot_run_from_an_empty_database(site_packages: Path) -> None:
    result = run_cli(["roundtrip", "-c", MLFLOW_INI], site_packages)

    assert (result.code, result.err) == (1, "")
    assert result.out.splitlines()[:2] == [
        "mlflow/store/db_migrations/versions/451aebb31d03_add_metric_step.py:17: "
        "upgrade() of 451aebb31d03 fails on sqlite",
        "    OperationalError: no such table: metrics",
    ]


def test_mlflow_from_its_initial_models_on_sqlite(site_packages: Path) -> None:
    """Most of mlflow's downgrades are `pass`; one fails."""
    result = run_cli(["roundtrip", "-c", MLFLOW_INI, "--initial", MLFLOW_INITIAL], site_packages)

    assert (result.code, result.err) == (1, "")
    assert_snapshot("roundtrip-mlflow-sqlite.txt", result.out)


def test_mlflow_from_its_initial_models_on_postgresql(
    site_packages: Path, postgres_server: PostgresServer
) -> None:
    before = postgres_server.databases()

    result = run_cli(
        [
            "roundtrip",
            "-c",
            MLFLOW_INI,
            "--initial",
            MLFLOW_INITIAL,
            "--url",
            postgres_server.url(),
        ],
        site_packages,
    )

    assert (result.code, result.err) == (1, "")
    assert_snapshot("roundtrip-mlflow-postgresql.txt", result.out)
    assert postgres_server.databases() == before


@pytest.fixture
def jupyterhub() -> Path:
    return installed("jupyterhub", "6.1.1", "jupyterhub")


@pytest.fixture
def jupyterhub_ini(jupyterhub: Path, tmp_path: Path) -> Path:
    """jupyterhub's alembic.ini, written by jupyterhub from its template, naming
    a database of its own that the round trip must leave alone."""
    dbutil = importlib.import_module("jupyterhub.dbutil")
    ini = tmp_path / "alembic.ini"
    dbutil.write_alembic_ini(str(ini), f"sqlite:///{tmp_path / 'jupyterhub.sqlite'}")
    return ini


def test_jupyterhubs_history_cannot_run_from_an_empty_database(
    jupyterhub: Path, jupyterhub_ini: Path
) -> None:
    result = run_cli(["roundtrip", "-c", str(jupyterhub_ini)], jupyterhub)

    assert (result.code, result.err) == (1, "")
    assert result.out.splitlines()[:2] == [
        "alembic/versions/eeb276e51423_auth_state.py:22: upgrade() of eeb276e51423 fails on sqlite",
        "    OperationalError: no such table: users",
    ]
    assert not (jupyterhub_ini.parent / "jupyterhub.sqlite").exists()


def jupyterhub_report(ini: Path, dialect: str, defaults: tuple[str, str]) -> str:
    """What the walk down from jupyterhub's models finds: two upgrades give
    columns a server default the models do not, and a downgrade fails (it
    hands op.drop_column a Column where a name goes), which ends the walk."""
    timeout, false = defaults
    managed = "".join(
        f"    upgrade() of 4621fec11365, run again, makes column {table}.managed_by_auth "
        f"different: default {false} (was (none))\n"
        for table in ("group_role_map", "roles", "service_role_map", "user_role_map")
    )
    return (
        f"{ini}: started at head from the tables of env.py's target_metadata (--metadata), "
        "stamped; the walk goes downwards\n"
        "alembic/versions/be8ecf03ddac_service_timeout.py:19: upgrade() of be8ecf03ddac, run "
        f"again after its downgrade(), does not repeat itself on {dialect}\n"
        "    upgrade() of be8ecf03ddac, run again, makes column services.timeout different: "
        f"default {timeout} (was (none))\n"
        "alembic/versions/4621fec11365_manage_roles.py:19: upgrade() of 4621fec11365, run "
        f"again after its downgrade(), does not repeat itself on {dialect}\n"
        f"{managed}"
        "alembic/versions/3c2384c5aae1_add_from_config_column_to_the_services_.py:48: "
        f"downgrade() of 3c2384c5aae1 fails on {dialect}\n"
        "    TypeError: Column._set_parent() missing 2 required keyword-only arguments: "
        "'all_names' and 'allow_replacements'\n"
        f"{ini}: not reached (the downgrade walk stopped above them): 0eee8c825d24, "
        "651f5419b74d, 833da8570507, 4dc2d5a8c53c, 896818069c98, d68c98b66cd4, 99a28a4418e1, "
        "56cc5a70207e, 1cebaf56856c, 3ec6993fe20c, af4cbdb2d13c, eeb276e51423, 19c0846f6344\n"
    )


def test_jupyterhub_built_from_its_models_on_sqlite(jupyterhub: Path, jupyterhub_ini: Path) -> None:
    result = run_cli(["roundtrip", "-c", str(jupyterhub_ini), "--metadata"], jupyterhub)

    assert (result.code, result.err) == (1, "")
    assert result.out == jupyterhub_report(jupyterhub_ini, "sqlite", ("'30'", "0"))
    assert not (jupyterhub_ini.parent / "jupyterhub.sqlite").exists()


def test_jupyterhub_built_from_its_models_on_postgresql(
    jupyterhub: Path, jupyterhub_ini: Path, postgres_server: PostgresServer
) -> None:
    before = postgres_server.databases()

    result = run_cli(
        ["roundtrip", "-c", str(jupyterhub_ini), "--metadata", "--url", postgres_server.url()],
        jupyterhub,
    )

    assert (result.code, result.err) == (1, "")
    assert result.out == jupyterhub_report(jupyterhub_ini, "postgresql", ("30", "false"))
    assert postgres_server.databases() == before
    assert not (jupyterhub_ini.parent / "jupyterhub.sqlite").exists()
