"""The one-line test, in a real pytest run of a project whose application is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import PYTHON, Rev, alembic_answer, run, run_cli, write_project

ONE_LINE_TEST = "from alembic_heads.testing import test_single_head  # noqa: F401\n"

# Revision files as autogenerate writes them in an application: they import it.
BODY = """\
from shop.models import GUID


def upgrade():
    op.add_column("users", sa.Column("uid", GUID()))


def downgrade():
    op.drop_column("users", "uid")
"""


def application(root: Path, heads: int) -> Path:
    """A project at ``root/backend`` with one or two heads, tested from ``root``."""
    revs = [Rev("a1", None, "create users", body=BODY), Rev("b2", "a1", "add email", body=BODY)]
    if heads == 2:
        revs.append(Rev("c3", "a1", "add phone", body=BODY))
    backend = write_project(root / "backend", revs)
    (root / "tests").mkdir()
    (root / "tests" / "test_migrations.py").write_text(ONE_LINE_TEST)
    (root / "pytest.ini").write_text("[pytest]\nalembic_heads_path = backend\n")
    return backend


def pytest_run(root: Path, **env: str) -> tuple[int, str]:
    process = run([PYTHON, "-m", "pytest", "-p", "no:cacheprovider", "-q"], root, **env)
    return process.returncode, process.stdout + process.stderr


def test_two_heads_fail_with_the_report_though_the_application_is_absent(tmp_path: Path) -> None:
    backend = application(tmp_path, heads=2)
    report = run_cli(["check"], backend).out

    code, output = pytest_run(tmp_path)

    with pytest.raises(ModuleNotFoundError, match="shop"):
        alembic_answer(backend)  # the usual recipe imports every revision file
    assert code == 1, output
    assert "FAILED tests/test_migrations.py::test_single_head" in output
    assert report.startswith("alembic.ini: Multiple head revisions are present: 2 heads")
    assert f"\n{report}" in output


def test_one_head_passes(tmp_path: Path) -> None:
    application(tmp_path, heads=1)

    code, output = pytest_run(tmp_path)

    assert code == 0, output
    assert "1 passed" in output


def test_without_plugin_autoload_the_plugin_is_named_in_conftest(tmp_path: Path) -> None:
    application(tmp_path, heads=1)
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["alembic_heads.pytest_plugin"]\n')

    code, output = pytest_run(tmp_path, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")

    assert code == 0, output
    assert "1 passed" in output


def test_the_project_can_be_given_by_overriding_the_fixture(tmp_path: Path) -> None:
    application(tmp_path, heads=2)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "tests" / "conftest.py").write_text(
        "import pytest\n\n\n@pytest.fixture\ndef alembic_heads_path():\n    return 'elsewhere'\n"
    )
    (tmp_path / "elsewhere").mkdir()

    code, output = pytest_run(tmp_path)

    assert code == 1, output
    assert "alembic-heads: no Alembic environment found in elsewhere" in output
