"""The test suite on every Python minor version alembic-heads claims, and on the
oldest Alembic it declares (``.ci/run`` runs these after README's test command).

Each session runs the pytest part of README's test command, without the tests
marked ``slow``: those drive real pre-commit, which builds the hook its own
virtualenv with the newest Alembic whatever the session installed, and they cost
about 80 s a session; README's command in ``.ci/run`` runs them once.
"""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "oldest"]

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]  # requires-python = ">=3.10"
PYTEST = ("python", "-m", "pytest", "--cov", "--cov-fail-under=95", "-m", "not slow")
# The tests that skip on SQLAlchemy 1.4: the round trip and PostgreSQL (psycopg 3).
SQLALCHEMY_2_TESTS = (
    "tests/roundtrip_test.py",
    "tests/roundtrip_requirements_test.py",
    "tests/status_test.py",
    "tests/postgres_server_test.py",
    "tests/real_projects_test.py",
)


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    session.install("-e", ".[test]")
    session.run(*PYTEST, *session.posargs)


@nox.session(python=PYTHONS[0])
def oldest(session: nox.Session) -> None:
    """The oldest Alembic that pyproject.toml declares, on the oldest Python: with
    the oldest SQLAlchemy (1.4), then the tests that skip there with the oldest
    SQLAlchemy 2.0 (the round trip's, PostgreSQL's); coverage is of both runs."""
    versions = "import alembic, sqlalchemy; print(alembic.__version__, sqlalchemy.__version__)"
    # alembic and sqlalchemy named: pip holds them to the pins even when installed
    session.install("-c", "tests/constraints-oldest.txt", "-e", ".[test]", "alembic", "sqlalchemy")
    session.run("python", "-c", versions)
    session.run(*PYTEST, "--cov-fail-under=0", *session.posargs)  # the bar is both runs'
    session.install("-c", "tests/constraints-oldest-sqlalchemy-2.txt", "alembic", "sqlalchemy")
    session.run("python", "-c", versions)
    session.run(*PYTEST, "--cov-append", *(session.posargs or SQLALCHEMY_2_TESTS))
