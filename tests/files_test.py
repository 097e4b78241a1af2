"""Atomic writes: a file is whole or untouched, and a new file never replaces one."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from alembic_heads.files import ChangedFile, create_file, replace_file
from helpers import PYTHON, Rev, run_cli, write_project


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

    replace_file(path, b"new", b"old")

    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert os.listdir(tmp_path) == ["script"]


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        replace_file(tmp_path / "missing", b"data", b"")
    with pytest.raises(TypeError):
        create_file(tmp_path / "new", "not bytes")  # type: ignore[arg-type]

    assert os.listdir(tmp_path) == []


def test_replace_file_refuses_a_file_changed_since_it_was_read(tmp_path: Path) -> None:
    path = tmp_path / "script"
    path.write_bytes(b"as read")
    original = path.read_bytes()
    path.write_bytes(b"saved by someone else meanwhile")

    with pytest.raises(ChangedFile):
        replace_file(path, b"rewritten", original)

    assert path.read_bytes() == b"saved by someone else meanwhile"
    assert os.listdir(tmp_path) == ["script"]


WRITER = """
import sys
from pathlib import Path
from alembic_heads.files import create_file
create_file(Path(sys.argv[1]), b"x" * int(sys.argv[2]))
"""


def unmeasured() -> dict[str, str]:
    """The environment without coverage's: a writer killed, or held to a small
    file size, would leave coverage's own data file broken."""
    return {key: value for key, value in os.environ.items() if not key.startswith("COVERAGE_")}


SIZE = 8 << 20  # long enough to write that a signal lands in the middle


def writing(path: Path) -> subprocess.Popen[bytes]:
    """A process creating ``path`` (SIZE bytes), once its first file exists."""
    writer = subprocess.Popen(
        [PYTHON, "-c", WRITER, str(path), str(SIZE)], stderr=subprocess.DEVNULL, env=unmeasured()
    )
    deadline = time.monotonic() + 30
    while not os.listdir(path.parent) and writer.poll() is None and time.monotonic() < deadline:
        pass
    return writer


@pytest.mark.parametrize("delay", [0.0, 0.001, 0.003, 0.01, 0.03])
def test_killed_while_creating_leaves_no_file_or_the_whole_file(
    tmp_path: Path, delay: float
) -> None:
    """A crash (kill -9) at any moment: the final name holds nothing or all of
    it, never an empty or partial file that would stop Alembic loading."""
    path = tmp_path / "a1_merge.py"
    writer = writing(path)
    time.sleep(delay)
    writer.send_signal(signal.SIGKILL)
    writer.wait()

    if path.exists():
        assert path.stat().st_size == SIZE
    assert all(name == path.name or name.endswith(".tmp") for name in os.listdir(tmp_path))


@pytest.mark.parametrize("delay", [0.0, 0.002, 0.01])
def test_interrupted_while_creating_leaves_no_temporary_file(tmp_path: Path, delay: float) -> None:
    """Ctrl-C (KeyboardInterrupt) at some moment of the write: the whole file
    or nothing, and no temporary file either way."""
    path = tmp_path / "a1_merge.py"
    writer = writing(path)
    time.sleep(delay)
    writer.send_signal(signal.SIGINT)
    writer.wait()

    assert os.listdir(tmp_path) in ([], [path.name])
    if path.exists():
        assert path.stat().st_size == SIZE


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A real, full file system: a 64 KiB tmpfs (root only), filled to the last byte."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def fill(disk: Path) -> None:
    handle = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(handle, b"\0" * 512)
    except OSError as error:
        assert error.errno == errno.ENOSPC
    finally:
        os.close(handle)


def test_a_full_disk_leaves_no_file_behind(full_disk: Path) -> None:
    fill(full_disk)

    with pytest.raises(OSError, match="No space left on device"):
        create_file(full_disk / "new.py", b"x" * 8192)

    assert os.listdir(full_disk) == ["filler"]


def test_merge_on_a_full_disk_says_so_and_leaves_nothing(full_disk: Path) -> None:
    project = write_project(
        full_disk / "project", [Rev("a1", None), Rev("b2", "a1"), Rev("c3", "a1")]
    )
    before = sorted(os.listdir(project / "versions"))
    fill(full_disk)

    result = run_cli(["merge", "--rev-id", "m1"], project)

    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"alembic-heads: cannot write {project}/versions/m1_merge_b2_and_c3.py: "
        "No space left on device\n"
    )
    assert sorted(os.listdir(project / "versions")) == before


LIMITED_WRITER = """
import resource, signal, sys
from pathlib import Path
from alembic_heads.files import create_file
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
try:
    create_file(Path(sys.argv[1]), b"x" * 8192)
except OSError as error:
    print(error.strerror)
"""


def test_a_file_size_limit_leaves_no_file_behind(tmp_path: Path) -> None:
    """What a full disk does, for any user: the write fails midway."""
    written = subprocess.run(
        [PYTHON, "-c", LIMITED_WRITER, str(tmp_path / "new.py")],
        env=unmeasured(),
        capture_output=True,
        text=True,
        check=True,
    )

    assert written.stdout == "File too large\n"
    assert os.listdir(tmp_path) == []
