"""``alembic-heads roundtrip`` where what it needs is too old (the ``oldest``
nox session's SQLAlchemy 1.4): one line naming the version, exit 2, and
nothing created or run."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy

from helpers import Rev, run_cli, snapshot, write_project


def test_an_sqlalchemy_before_2_is_one_line(tmp_path: Path) -> None:
    if int(sqlalchemy.__version__.split(".")[0]) >= 2:
        pytest.skip(f"SQLAlchemy {sqlalchemy.__version__} has what the round trip needs")
    write_project(tmp_path, [Rev("a1", None, "first")])
    before = snapshot(tmp_path)

    result = run_cli(["roundtrip"], tmp_path)

    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "alembic-heads: roundtrip needs SQLAlchemy 2.0 or later; "
        f"installed: {sqlalchemy.__version__}\n"
    )
    assert snapshot(tmp_path) == before
