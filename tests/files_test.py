"""Atomic writes: a file is whole or untouched, and a new file never replaces one."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from alembic_heads.files import create_file, replace_file


def test_create_file_writes_a_new_file_with_the_usual_mode(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("")
    create_file(tmp_path / "new", b"data")

    assert (tmp_path / "new").read_bytes() == b"data"
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == stat.S_IMODE(
        (tmp_path / "plain").stat().st_mode
    )
    assert sorted(os.listdir(tmp_path)) == ["new", "plain"]


def test_create_file_never_replaces_a_file(tmp_path: Path) -> None:
    (tmp_path / "taken").write_bytes(b"mine")

    with pytest.raises(FileExistsError):
        create_file(tmp_path / "taken", b"theirs")

    assert (tmp_path / "taken").read_bytes() == b"mine"
    assert os.listdir(tmp_path) == ["taken"]


def test_replace_file_keeps_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "script"
    path.write_bytes(b"old")
    path.chmod(0o751)

    replace_file(path, b"new")

    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert os.listdir(tmp_path) == ["script"]


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        replace_file(tmp_path / "missing", b"data")
    with pytest.raises(TypeError):
        create_file(tmp_path / "new", "not bytes")  # type: ignore[arg-type]

    assert os.listdir(tmp_path) == []
