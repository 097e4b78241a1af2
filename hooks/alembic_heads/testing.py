"""Tests a project adds to its own suite in one line::

    from alembic_heads.testing import test_single_head  # noqa: F401
    from alembic_heads.testing import test_roundtrip  # noqa: F401

pytest collects the imported function like one written in the module. It reads
the revision files without running them, so it needs neither the application
nor a database, and takes milliseconds. Which project it checks comes from the
``alembic_heads_path`` fixture (see :mod:`alembic_heads.pytest_plugin`).

``test_roundtrip`` runs the project's migrations (``alembic-heads roundtrip``)
on a database of its own, a SQLite file unless the ``alembic_heads_roundtrip``
fixture names a PostgreSQL or MySQL/MariaDB server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .api import check_heads, check_roundtrip
from .findings import UsageError


def test_single_head(alembic_heads_path: Path) -> None:
    """The Alembic history has one head, and Alembic can load every revision file."""
    try:
        result = check_heads(alembic_heads_path)
    except UsageError as error:
        pytest.fail(f"alembic-heads: {error}", pytrace=False)
    if not result.ok:
        pytest.fail(result.report, pytrace=False)


def test_roundtrip(alembic_heads_path: Path, alembic_heads_roundtrip: dict[str, Any]) -> None:
    """Every revision upgrades, downgrades to exactly the schema before it, and
    upgrades again to the same schema."""
    try:
        result = check_roundtrip(alembic_heads_path, **alembic_heads_roundtrip)
    except UsageError as error:
        pytest.fail(f"alembic-heads: {error}", pytrace=False)
    if not result.ok:
        pytest.fail(result.report, pytrace=False)
