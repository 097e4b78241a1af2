"""What pyproject.toml claims is what CI runs: the suite on every Python minor
version from ``requires-python`` on, and on the oldest Alembic it declares."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parent.parent


def pyproject() -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    loaded: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return loaded


def test_nox_has_a_session_for_every_claimed_python() -> None:
    project = pyproject()["project"]
    classified = [
        classifier.rsplit(" :: ", 1)[1]
        for classifier in project["classifiers"]
        if classifier.startswith("Programming Language :: Python :: 3.")
    ]
    noxfile = ast.parse((ROOT / "noxfile.py").read_text())
    [pythons] = [
        ast.literal_eval(node.value)
        for node in noxfile.body
        if isinstance(node, ast.Assign)
        and [getattr(target, "id", None) for target in node.targets] == ["PYTHONS"]
    ]

    assert project["requires-python"] == ">=3.10"  # 3.9 is end-of-life
    assert pythons == classified == ["3.10", "3.11", "3.12", "3.13"]
    assert f"for version in {' '.join(pythons)}; do" in (ROOT / ".ci/run").read_text()


def test_the_oldest_session_pins_the_declared_alembic_and_sqlalchemy() -> None:
    extras = pyproject()["project"]["optional-dependencies"]
    manifest = (ROOT / ".pre-commit-hooks.yaml").read_text()
    pins = re.findall(r"^(\S+)==(\S+)$", (ROOT / "tests/constraints-oldest.txt").read_text(), re.M)
    pins_2 = re.findall(
        r"^(\S+)==(\S+)$", (ROOT / "tests/constraints-oldest-sqlalchemy-2.txt").read_text(), re.M
    )

    assert extras["merge"] == ["alembic>=1.10"] and "alembic>=1.10" in extras["test"]
    assert all(extras[name][0] == "sqlalchemy>=1.4" for name in ("database", "mysql"))
    # postgresql+psycopg (psycopg 3) is a dialect of SQLAlchemy 2.0 on
    assert extras["postgresql"] == ["sqlalchemy>=2.0", "psycopg[binary]>=3.1"]
    assert 'additional_dependencies: ["alembic>=1.10"]' in manifest
    assert 'additional_dependencies: ["sqlalchemy>=1.4"]' in manifest
    assert dict(pins) == {"alembic": "1.10.0", "sqlalchemy": "1.4.46"}
    assert dict(pins_2) == {"alembic": "1.10.0", "sqlalchemy": "2.0.0"}


def test_the_check_depends_on_nothing_it_does_not_import() -> None:
    assert pyproject()["project"]["dependencies"] == ["tomli>=1.1; python_version < '3.11'"]


def test_the_build_has_the_setuptools_that_reads_the_license() -> None:
    # `license = "MIT"` (an SPDX expression, PEP 639) needs setuptools 77
    assert pyproject()["project"]["license"] == "MIT"
    assert pyproject()["build-system"]["requires"] == ["setuptools>=77"]


def test_ci_runs_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    command = readme.split("Run the test suite:\n\n```sh\n", 1)[1].split("\n", 1)[0]
    pytest_part = command.rsplit(" && ", 1)[1]

    assert pytest_part == ".venv/bin/python -m pytest --cov --cov-fail-under=95"
    assert pytest_part in (ROOT / ".ci/run").read_text().splitlines()
