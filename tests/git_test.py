"""The git questions the fixers ask, on real repositories."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from alembic_heads import git as ours


def test_without_git_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))

    assert ours.git_dir(tmp_path) is None
    assert ours.commit_of(tmp_path, "HEAD") is None
    assert ours.upstream(tmp_path) is None
    assert os.environ["PATH"] == str(tmp_path)
