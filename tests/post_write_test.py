"""``alembic-heads-post-write``: Alembic's own post-write hook keeps head.txt current."""

from __future__ import annotations

from pathlib import Path

from alembic_heads.head_file import HEADER
from helpers import PYTHON, Rev, require_alembic, run, run_cli, write_project

SEED = [Rev("a", None, "a"), Rev("b", "a", "b")]

# README's lines, as a project adds them to alembic.ini.
HOOK = """
[post_write_hooks]
hooks = alembic_heads
alembic_heads.type = console_scripts
alembic_heads.entrypoint = alembic-heads-post-write
"""


def alembic(project: Path, *args: str) -> tuple[int, str]:
    done = run([PYTHON, "-m", "alembic", *args], project)
    return done.returncode, done.stdout + done.stderr


def test_alembic_revision_records_the_new_head(tmp_path: Path) -> None:
    project = write_project(tmp_path, SEED, ini_extra=HOOK)

    first = alembic(project, "revision", "-m", "x", "--rev-id", "c")
    second = alembic(project, "revision", "-m", "y", "--rev-id", "d")

    # Alembic's own line quotes the hook's name as repr() does; Alembic 1.10 put
    # it in double quotes
    assert first in {
        (
            0,
            f"Generating {project}/versions/c_x.py ...  done\n"
            f"Running post write hook {quote}alembic_heads{quote} ...\n"
            "Writing head.txt: head c (a new file: git add it)\n"
            "  done\n",
        )
        for quote in ("'", '"')
    }
    assert second[0] == 0
    assert "Rewriting head.txt: c -> head d\n" in second[1]
    assert (project / "head.txt").read_text() == HEADER + "d\n"


def test_alembic_merge_heads_records_the_merge(tmp_path: Path) -> None:
    project = write_project(tmp_path, [*SEED, Rev("c", "a", "c")], ini_extra=HOOK)
    (project / "head.txt").write_text(HEADER + "b\n")

    code, output = alembic(project, "merge", "heads", "-m", "join", "--rev-id", "m")

    assert code == 0
    assert "Rewriting head.txt: b -> head m\n" in output
    assert (project / "head.txt").read_text() == HEADER + "m\n"


def test_a_second_head_is_reported_and_the_file_kept(tmp_path: Path) -> None:
    project = write_project(tmp_path, [*SEED, Rev("c", "a", "c")])
    (project / "head.txt").write_text(HEADER + "b\n")

    result = run_cli(["post-write", "versions/c_c.py"], project)

    assert result.code == 1
    assert result.out.startswith(
        "alembic.ini: Multiple head revisions are present: 2 heads, "
        "`alembic upgrade head` will fail\n"
    )
    assert (project / "head.txt").read_text() == HEADER + "b\n"


def test_reads_files_git_does_not_track_yet(tmp_path: Path) -> None:
    project = write_project(tmp_path / "repo", SEED)
    run(["git", "init", "-q"], project)

    result = run_cli(["post-write", str(project / "versions" / "b_b.py")], project)

    assert (result.code, result.out, result.err) == (
        0,
        "Writing head.txt: head b (a new file: git add it)\n",
        "",
    )


def test_another_config_with_c(tmp_path: Path) -> None:
    project = write_project(tmp_path / "db", SEED)
    (project / "alembic.ini").rename(project / "db.ini")

    result = run_cli(["post-write", "-c", "db/db.ini", "db/versions/b_b.py"], tmp_path)
    again = run_cli(["post-write", "-c", "db/db.ini", "db/versions/b_b.py"], tmp_path)

    assert (result.code, result.out) == (
        0,
        "Writing db/head.txt: head b (a new file: git add it)\n",
    )
    assert (again.code, again.out, again.err) == (0, "", "")


def test_a_file_outside_any_graph_is_one_line_on_stderr(tmp_path: Path) -> None:
    (tmp_path / "stray.py").write_text("revision = 'x'\n")

    result = run_cli(["post-write", "stray.py"], tmp_path)

    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "alembic-heads-post-write: stray.py: not inside a versions/ folder "
        "(pass -c CONFIG instead)\n"
    )


def test_configured_in_pyproject_toml(tmp_path: Path) -> None:
    require_alembic("1.16", "[tool.alembic]")
    write_project(tmp_path / "migrations", SEED, ini=False)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.alembic]\nscript_location = "%(here)s/migrations"\n'
        # README's lines
        "\n[[tool.alembic.post_write_hooks]]\n"
        'name = "alembic_heads"\n'
        'type = "console_scripts"\n'
        'entrypoint = "alembic-heads-post-write"\n'
    )

    code, output = alembic(tmp_path, "revision", "-m", "x", "--rev-id", "c")

    assert code == 0
    assert "Writing migrations/head.txt: head c (a new file: git add it)\n" in output
    assert (tmp_path / "migrations" / "head.txt").read_text() == HEADER + "c\n"
