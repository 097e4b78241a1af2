"""``alembic-heads roundtrip`` on a real public project's migrations, installed from PyPI.

optuna ships its storage's Alembic environment (alembic.ini, an env.py that
reads ``sqlalchemy.url``, ten revisions) inside its wheel. The tests run where
optuna 5.0.0 is installed (``pip install optuna==5.0.0``) and skip elsewhere:
the findings below are that release's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import run_cli
from postgres_server import PostgresServer

optuna = pytest.importorskip("optuna")
if optuna.__version__ != "5.0.0":
    pytest.skip("the expected findings are optuna 5.0.0's", allow_module_level=True)

OPTUNA = Path(optuna.__file__).parent / "storages" / "_rdb"


def test_optuna_on_sqlite() -> None:
    result = run_cli(["roundtrip"], OPTUNA)

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


def test_optuna_on_postgresql(postgres_server: PostgresServer) -> None:
    before = postgres_server.databases()

    result = run_cli(["roundtrip", "--url", postgres_server.url()], OPTUNA)

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
    postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The oracle for the finding above: a database at v1.3.0.a (a deployed
    optuna 1.3) cannot be upgraded to head; only `upgrade head` from empty, in
    one run, gets past v2.4.0.a (SQLAlchemy then remembers the enum it made)."""
    import sqlalchemy
    from alembic import command
    from alembic.config import Config

    monkeypatch.chdir(OPTUNA)
    config = Config("alembic.ini")
    config.set_main_option("sqlalchemy.url", postgres_server.create_database("oracle"))

    command.upgrade(config, "v1.3.0.a")
    with pytest.raises(sqlalchemy.exc.ProgrammingError, match='type "studydirection" already'):
        command.upgrade(config, "head")


def test_optuna_built_from_its_models() -> None:
    """optuna creates a new database from its models and stamps it: the start mode
    --metadata (env.py's target_metadata) finds the first downgrade fails there."""
    result = run_cli(["roundtrip", "--metadata"], OPTUNA)

    assert (result.code, result.err) == (1, "")
    assert result.out == (
        "alembic.ini: started at head from the tables of env.py's target_metadata "
        "(--metadata), stamped; the walk goes downwards\n"
        "alembic/versions/v3.2.0.a_.py:23: downgrade() of v3.2.0.a fails on sqlite\n"
        "    OperationalError: no such index: trials_study_id_key\n"
        "alembic.ini: not reached (the downgrade walk stopped above them): v3.0.0.d, "
        "v3.0.0.c, v3.0.0.b, v3.0.0.a, v2.6.0.a, v2.4.0.a, v1.3.0.a, v1.2.0.a, v0.9.0.a\n"
    )
