"""Inputs found by review that once gave a traceback, a wrong answer or an unsafe
write: each now matches Alembic, or ends in one clear line."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from helpers import (
    PYTHON,
    Rev,
    alembic_answer,
    commit_all,
    committed_project,
    git,
    our_answer,
    run,
    run_cli,
    write_project,
    write_revision,
)

TWO_HEADS = [Rev("aaaa", None, "a"), Rev("bbbb", "aaaa", "b"), Rev("cccc", "aaaa", "c")]


def test_sections_sharing_a_script_location_are_one_graph(tmp_path: Path) -> None:
    write_project(tmp_path, TWO_HEADS, ini_extra="\n[test]\nscript_location = %(here)s\n")

    check = run_cli(["check"], tmp_path)
    merge = run_cli(["merge", "--rev-id", "m1"], tmp_path)

    assert check.out.count("Multiple head revisions are present") == 1
    assert merge.out == "Writing versions/m1_merge_bbbb_and_cccc.py\n"
    assert alembic_answer(tmp_path)["heads"] == ["m1"]


def test_script_location_in_default_is_not_a_section_of_its_own(tmp_path: Path) -> None:
    write_project(tmp_path, TWO_HEADS)
    ini = tmp_path / "alembic.ini"
    ini.write_text("[DEFAULT]\nscript_location = %(here)s\n\n[alembic]\n\n[loggers]\nkeys = root\n")

    result = run_cli(["check"], tmp_path)

    assert result.out.count("Multiple head revisions are present") == 1
    assert result.out.startswith("alembic.ini: ")


def test_head_file_shared_by_two_graphs_is_refused(tmp_path: Path) -> None:
    write_project(tmp_path, [])
    write_revision(tmp_path / "one", Rev("a1", None))
    write_revision(tmp_path / "two", Rev("b1", None))
    (tmp_path / "alembic.ini").write_text(
        "[db1]\nscript_location = %(here)s\nversion_locations = %(here)s/one\n"
        "path_separator = os\n\n"
        "[db2]\nscript_location = %(here)s\nversion_locations = %(here)s/two\n"
        "path_separator = os\n"
    )

    result = run_cli(["head-file"], tmp_path)

    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "alembic-heads: head.txt would record the heads of several graphs: "
        "choose one with -n SECTION\n"
    )
    assert run_cli(["head-file", "-n", "db1"], tmp_path).code == 1
    assert (tmp_path / "head.txt").read_text().endswith("\na1\n")


def test_symbolic_links_are_judged_by_their_target_as_alembic_does(tmp_path: Path) -> None:
    write_project(tmp_path, TWO_HEADS[:2])
    versions = tmp_path / "versions"
    (versions / "dangling.py").symlink_to(tmp_path / "nowhere")
    (tmp_path / "notes.txt").write_text("revision = 'zzzz'\ndown_revision = None\n")
    (versions / "notes.py").symlink_to(tmp_path / "notes.txt")
    real = write_revision(tmp_path, Rev("cccc", "bbbb", "linked"))
    (versions / "linked.txt").symlink_to(real)

    ours = our_answer(tmp_path)

    assert ours == alembic_answer(tmp_path)
    assert ours["heads"] == ["cccc"]
    assert run_cli(["check"], tmp_path).code == 0
    (versions / "loop.py").symlink_to(versions / "loop.py")
    (versions / "gone.py").symlink_to(tmp_path / "gone.py")
    broken = run_cli(["check"], tmp_path)
    assert (broken.code, broken.err) == (1, "")
    assert broken.out == (
        "versions/gone.py:1: cannot read: No such file or directory\n"
        "versions/loop.py:1: cannot read: Too many levels of symbolic links\n"
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("alembic.ini", b"[alembic]\nscript_location = .\n# caf\xe9\n", "alembic.ini: 'utf-8'"),
        ("pyproject.toml", b"tool = 1\n", "pyproject.toml: [tool.alembic] must be a table"),
        ("pyproject.toml", b"# caf\xe9\n", "pyproject.toml: cannot read: 'utf-8' codec"),
    ],
)
def test_undecodable_or_odd_configuration_is_one_line(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    write_project(tmp_path / "db", TWO_HEADS)
    (tmp_path / name).write_bytes(content)

    result = run_cli(["check"], tmp_path)

    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(f"alembic-heads: {message}")
    assert len(result.err.splitlines()) == 1


def test_an_undecodable_ini_beside_another_env_is_passed_over(tmp_path: Path) -> None:
    write_project(tmp_path / "a", TWO_HEADS)
    write_project(tmp_path / "b", TWO_HEADS[:2])
    (tmp_path / "b" / "alembic.ini").write_bytes(b"[alembic]\n# caf\xe9\n")

    result = run_cli(["check"], tmp_path)

    assert result.code == 1
    assert result.out.startswith("a/alembic.ini: Multiple head revisions are present")


def test_merge_that_cannot_write_or_read_its_template_options(tmp_path: Path) -> None:
    write_project(tmp_path / "blocked", TWO_HEADS, ini_extra="file_template = sub/%%(rev)s\n")
    (tmp_path / "blocked" / "versions" / "sub").write_text("a file where a folder should be\n")
    write_project(tmp_path / "bad", TWO_HEADS, ini_extra="file_template = %(rev)s_%(nope)s\n")

    blocked = run_cli(["merge", "--rev-id", "m1"], tmp_path / "blocked")
    bad = run_cli(["merge", "--rev-id", "m1"], tmp_path / "bad")

    assert (blocked.code, blocked.out) == (2, "")
    assert blocked.err.startswith("alembic-heads: cannot write ")
    assert (bad.code, bad.out) == (2, "")
    assert bad.err.startswith("alembic-heads: alembic.ini: Bad value substitution")
    assert "Traceback" not in blocked.err + bad.err


def test_rebase_refuses_to_replace_a_linked_file(tmp_path: Path) -> None:
    root = committed_project(tmp_path, TWO_HEADS[:2], "a, b")
    git(root, "checkout", "-q", "-b", "feature")
    store = root / "store"
    real = write_revision(store, Rev("dddd", "aaaa", "mine"))
    (root / "versions" / "dddd_mine.py").symlink_to(real)
    commit_all(root, "d, linked")
    before = real.read_bytes()

    result = run_cli(["rebase", "--base", "master"], root)

    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("alembic-heads: cannot rewrite versions/dddd_mine.py: ")
    assert "is a link" in result.err
    assert real.read_bytes() == before
    assert (root / "versions" / "dddd_mine.py").is_symlink()


@pytest.mark.parametrize("source", ["x = " + "-" * 300_000 + "1\n", "x = a" + ".b" * 100_000])
def test_too_deep_for_the_parser_is_a_finding(tmp_path: Path, source: str) -> None:
    write_project(tmp_path, TWO_HEADS[:2])
    (tmp_path / "versions" / "deep.py").write_text(
        f"revision = 'dddd'\ndown_revision = 'bbbb'\n{source}"
    )

    result = run_cli(["check"], tmp_path)

    assert result.code == 1
    assert result.out == (
        "versions/deep.py:1: syntax error: too deeply nested for Python's parser\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        'revision = "dddd"\ndown_revision = "bbbb"\n\fdepends_on = "bbbb"\n',
        '# c\rrevision = "dddd"\rdown_revision = "bbbb"\r',
        'revision = "dddd"\ndown_revision = "bbbb"\n\uff44epends_on = "bbbb"\n',
        "revision = 'dddd'\ndown_revision = ('bbbb')\nbranch_labels = ('x,y')\n",
    ],
)
def test_lines_python_reads_differently_match_alembic(tmp_path: Path, text: str) -> None:
    write_project(tmp_path, TWO_HEADS[:2])
    (tmp_path / "versions" / "dddd_odd.py").write_bytes(text.encode())

    assert our_answer(tmp_path) == alembic_answer(tmp_path)


def test_against_a_tree_is_refused(tmp_path: Path) -> None:
    root = committed_project(tmp_path, TWO_HEADS[:2], "a, b")

    result = run_cli(["check", "--against", "HEAD:versions"], root)

    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("alembic-heads: cannot read HEAD:versions from git")


def test_a_closed_pipe_is_not_a_traceback(tmp_path: Path) -> None:
    revs = [Rev(f"r{i:03d}", None, f"base {i}") for i in range(300)]
    write_project(tmp_path, revs)

    shell = subprocess.run(
        f"{PYTHON} -m alembic_heads check | head -1",
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )

    assert shell.stdout.startswith("alembic.ini: Multiple head revisions are present: 300 heads")
    assert "Traceback" not in shell.stderr
    assert run([PYTHON, "-m", "alembic_heads", "check"], tmp_path).returncode == 1


def alembic_heads(args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[bytes]:
    """``alembic-heads ARGS`` as a shell runs it (its redirections included),
    output as bytes."""
    return subprocess.run(
        f"{PYTHON} -m alembic_heads {args}",
        shell=True,
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        timeout=60,
        check=False,
    )


def one_line(err: str) -> str:
    """The one line of an exit-2 message, checked to be alone."""
    assert err.endswith("\n") and err.count("\n") == 1, err
    return err


@pytest.mark.parametrize(
    ("args", "ini", "message"),
    [
        (["-n", "a\nb"], "", "alembic.ini: no section [a\\nb]"),
        (
            [],
            "[alembic]\nscript_location = %(here)s/x\n  y\n",
            "alembic.ini: script_location {here}/x\\ny does not exist ({here}/x\\ny)\n",
        ),
        (["--against", "main\nx"], "", "cannot read main\\nx from git"),
    ],
    ids=["name", "continuation-line", "against"],
)
def test_a_value_holding_a_newline_is_shown_on_one_line(
    tmp_path: Path, args: list[str], ini: str, message: str
) -> None:
    committed_project(tmp_path, TWO_HEADS)
    if ini:
        (tmp_path / "alembic.ini").write_text(ini)

    result = run_cli(["check", *args], tmp_path)

    assert (result.code, result.out) == (2, "")
    assert one_line(result.err).startswith(f"alembic-heads: {message.format(here=tmp_path)}")


def test_a_nul_byte_in_a_location_is_one_line(tmp_path: Path) -> None:
    write_project(tmp_path, TWO_HEADS)
    (tmp_path / "alembic.ini").write_bytes(
        b"[alembic]\nscript_location = %(here)s\nversion_locations = %(here)s/v\0x\n"
    )

    result = run_cli(["check"], tmp_path)

    assert (result.code, result.out) == (2, "")
    assert one_line(result.err) == (
        f"alembic-heads: alembic.ini: '{tmp_path}/v\\x00x' is not a path: it holds a NUL byte\n"
    )


def test_warn_only_exits_0_in_json_too(tmp_path: Path) -> None:
    write_project(tmp_path, TWO_HEADS)

    result = run_cli(["check", "--warn-only", "--format", "json"], tmp_path)

    assert result.code == 0
    assert json.loads(result.out)["ok"] is False


@pytest.mark.parametrize("args", ["check", "check --format json", "graph", "--help", "check -h"])
def test_a_full_standard_output_is_one_line(tmp_path: Path, args: str) -> None:
    write_project(tmp_path, TWO_HEADS)

    result = alembic_heads(f"{args} > /dev/full", tmp_path)

    assert result.returncode == 2
    assert result.stderr == b"alembic-heads: cannot write the output: No space left on device\n"


def test_a_deleted_working_directory_is_one_line(tmp_path: Path) -> None:
    write_project(tmp_path / "gone", TWO_HEADS)

    result = subprocess.run(
        f"cd gone && rm -r ../gone && {PYTHON} -m alembic_heads check",
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "alembic-heads: cannot run in the working directory: No such file or directory (deleted?)\n"
    )


def test_a_file_name_that_is_not_utf8_is_printed_as_its_bytes(tmp_path: Path) -> None:
    write_project(tmp_path, TWO_HEADS)
    versions = os.fsencode(tmp_path / "versions")
    os.rename(versions + b"/cccc_c.py", versions + b"/cccc_caf\xe9.py")

    result = alembic_heads("check", tmp_path, PYTHONIOENCODING="utf-8", LC_ALL="C.UTF-8")

    assert (result.returncode, result.stderr) == (1, b"")
    assert b"\nversions/cccc_caf\xe9.py:13: head cccc: c\n" in result.stdout


def test_pipes_devices_and_sockets_are_refused_not_opened(tmp_path: Path) -> None:
    write_project(tmp_path, TWO_HEADS[:1])
    versions = tmp_path / "versions"
    os.mkfifo(versions / "b_pipe.py")
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(versions / "d_socket.py"))
        if os.geteuid() == 0:
            os.mknod(versions / "c_device.py", 0o600 | stat.S_IFCHR, os.makedev(1, 5))

        result = alembic_heads("check", tmp_path)

    device = "versions/c_device.py:1: cannot read: not a regular file: a character device\n"
    assert (result.returncode, result.stderr) == (1, b"")
    assert result.stdout.decode() == (
        "versions/b_pipe.py:1: cannot read: not a regular file: a named pipe (FIFO)\n"
        + (device if os.geteuid() == 0 else "")
        + "versions/d_socket.py:1: cannot read: not a regular file: a socket\n"
    )


def test_a_link_that_loops_beside_an_env_py_is_no_folder(tmp_path: Path) -> None:
    write_project(tmp_path / "db", [], ini=False)
    (tmp_path / "db" / "versions" / "loop").symlink_to("loop")
    (tmp_path / "db" / "versions" / "loop.py").symlink_to("loop.py")

    result = run_cli(["check"], tmp_path)

    assert (result.code, result.err) == (1, "")
    assert result.out == ("db/versions/loop.py:1: cannot read: Too many levels of symbolic links\n")


AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None,
    reason="needs root and setpriv, to run as a user who cannot list a folder",
)
def test_an_unlistable_versions_folder_is_one_line() -> None:
    with tempfile.TemporaryDirectory() as folder:  # not below pytest's: only root enters that
        root = Path(folder)
        root.chmod(0o755)
        write_project(root / "db", TWO_HEADS, ini=False)
        (root / "db" / "versions").chmod(0)
        # An interpreter that only root can start (a pyenv build whose shared
        # library that user cannot read, as in nox's virtualenvs) is this
        # machine's limit, not a finding.
        probe = _as_nobody([PYTHON, "-c", ""], root)
        if probe.returncode != 0:
            first_line = (probe.stderr.strip().splitlines() or [f"exit {probe.returncode}"])[0]
            pytest.skip(f"{PYTHON} cannot run as user 65534: {first_line}")

        result = _as_nobody([PYTHON, "-m", "alembic_heads", "check"], root)

    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "alembic-heads: cannot list db/versions: Permission denied\n"


def _as_nobody(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*AS_NOBODY, *command],
        cwd=cwd,
        env={  # without measuring coverage: that user cannot write the data file
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("COV_CORE_", "COVERAGE_"))
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
