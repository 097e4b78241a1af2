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


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    session.install("-e", ".[test]")
    session.run(*PYTEST, *session.posargs)


@nox.session(python=PYTHONS[0])
def oldest(session: nox.Session) -> None:
    """The oldest Alembic that pyproject.toml declares, on the oldest Python."""
    session.install("-c", "tests/constraints-oldest.txt", "-e", ".[test]")
    session.run("python", "-c", "import alembic; print('alembic', alembic.__version__)")
    session.run(*PYTEST, *session.posargs)
