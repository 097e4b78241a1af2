"""What a configuration file said is recalled only while the file is unchanged."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest

from alembic_heads import memo
from helpers import Rev, commit_all, init_repo, run_cli, write_project


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Files count as settled at once (not two seconds after they were written)."""
    monkeypatch.setattr(memo, "SETTLED_SECONDS", -1.0)
    folder = tmp_path / "cache"
    monkeypatch.setenv("ALEMBIC_HEADS_CACHE_DIR", str(folder))
    return folder


class Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.reads = 0

    def __call__(self) -> object:
        self.reads += 1
        return {"text": self.path.read_text()}


def test_an_unchanged_file_is_read_once(tmp_path: Path, settled: Path) -> None:
    config = tmp_path / "alembic.ini"
    config.write_text("one")
    read = Reader(config)

    first = memo.remembered("ini", str(config), read)
    second = memo.remembered("ini", str(config), read)

    assert first == second == {"text": "one"}
    assert read.reads == 1
    assert [path.name for path in settled.iterdir()] == [
        os.path.basename(memo.memo_path("ini", str(config)))
    ]


def test_a_changed_file_is_read_again_even_with_the_same_size(
    tmp_path: Path, settled: Path
) -> None:
    config = tmp_path / "alembic.ini"
    config.write_text("one")
    read = Reader(config)
    memo.remembered("ini", str(config), read)
    mtime = config.stat().st_mtime_ns

    config.write_text("two")
    os.utime(config, ns=(mtime, mtime))  # even with its old modification time

    assert memo.remembered("ini", str(config), read) == {"text": "two"}
    assert read.reads == 2


def test_a_file_changed_moments_ago_is_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALEMBIC_HEADS_CACHE_DIR", str(tmp_path / "cache"))
    config = tmp_path / "alembic.ini"
    config.write_text("one")
    read = Reader(config)

    memo.remembered("ini", str(config), read)
    memo.remembered("ini", str(config), read)

    assert read.reads == 2
    assert not (tmp_path / "cache").exists()


def test_a_damaged_memo_is_no_memo(tmp_path: Path, settled: Path) -> None:
    config = tmp_path / "alembic.ini"
    config.write_text("one")
    read = Reader(config)
    memo.remembered("ini", str(config), read)
    Path(memo.memo_path("ini", str(config))).write_bytes(b"\x00 not marshal")

    assert memo.remembered("ini", str(config), read) == {"text": "one"}
    assert memo.remembered("ini", str(config), read) == {"text": "one"}
    assert read.reads == 2  # read again once, and kept again


def test_a_value_marshal_cannot_store_is_read_every_time(tmp_path: Path, settled: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text("one")
    reads = []

    def read() -> object:
        reads.append(1)
        return {"when": datetime.date(2026, 11, 24)}

    assert memo.remembered("toml", str(config), read) == {"when": datetime.date(2026, 11, 24)}
    memo.remembered("toml", str(config), read)

    assert len(reads) == 2
    assert not settled.exists()


def test_a_missing_file_is_left_to_the_reader(tmp_path: Path, settled: Path) -> None:
    def read() -> object:
        raise FileNotFoundError("the reader says why")

    with pytest.raises(FileNotFoundError, match="the reader says why"):
        memo.remembered("ini", str(tmp_path / "missing.ini"), read)


def test_an_unwritable_cache_folder_is_no_cache(tmp_path: Path, settled: Path) -> None:
    settled.write_text("a file where the folder should be")
    config = tmp_path / "alembic.ini"
    config.write_text("one")
    read = Reader(config)

    assert memo.remembered("ini", str(config), read) == {"text": "one"}
    assert memo.remembered("ini", str(config), read) == {"text": "one"}
    assert read.reads == 2


BAD_INTERPOLATION = "version_locations = %(nowhere)s/versions\n"


def test_an_option_configparser_cannot_expand_fails_the_same_when_recalled(
    tmp_path: Path, settled: Path
) -> None:
    write_project(tmp_path, [Rev("aaaa", None)], ini_extra=BAD_INTERPOLATION)

    first = run_cli(["check"], tmp_path)
    second = run_cli(["check"], tmp_path)

    assert list(settled.glob("ini-*.marshal"))
    assert first == second
    assert first.code == 2
    assert first.err.startswith("alembic-heads: alembic.ini: Bad value substitution")


def test_an_unreadable_ini_is_not_kept(tmp_path: Path, settled: Path) -> None:
    write_project(tmp_path, [Rev("aaaa", None)])
    (tmp_path / "alembic.ini").write_text("no section header\n")

    first = run_cli(["check"], tmp_path)
    second = run_cli(["check"], tmp_path)

    assert first == second
    assert first.code == 2
    assert first.err.startswith("alembic-heads: alembic.ini: File contains no section headers.")
    assert not list(settled.glob("ini-*.marshal"))


def test_pyproject_with_dates_is_read_every_time(tmp_path: Path, settled: Path) -> None:
    init_repo(tmp_path)
    write_project(tmp_path, [Rev("aaaa", None), Rev("bbbb", "aaaa"), Rev("cccc", "aaaa")])
    (tmp_path / "pyproject.toml").write_text("[tool.alembic]\nreleased = 2026-11-24\n")
    commit_all(tmp_path, "history")

    first = run_cli(["check"], tmp_path)
    second = run_cli(["check"], tmp_path)

    assert first == second
    assert first.code == 1
    assert first.out.startswith("alembic.ini: Multiple head revisions are present")
    assert list(settled.glob("ini-*.marshal"))
    assert not list(settled.glob("toml-*.marshal"))
