"""``head-file``: one tracked line per graph that git conflicts on when two branches add a head."""

from __future__ import annotations

from pathlib import Path

import pytest

from alembic_heads.core import check_environments
from alembic_heads.discover import find_environments
from alembic_heads.findings import UsageError
from alembic_heads.head_file import HEADER, read_head_file, rewrite
from helpers import (
    Rev,
    commit_all,
    committed_project,
    git,
    init_repo,
    run_cli,
    write_project,
    write_revision,
)

SEED = [Rev("A", None, "a"), Rev("B", "A", "b"), Rev("C", "B", "c")]

# alembic-linear-migrations' own header (src/alembic_linear_migrations/head.py).
LINEAR_MIGRATIONS_FILE = (
    "# alembic-linear-migrations\n"
    "# Records the current head of the migration graph.\n"
    "# A conflict here means two branches added a migration from the same parent.\n"
    "# Resolve with:  alembic-linear rebase\n"
    "#\n"
    "C\n"
)


def test_the_file_format() -> None:
    assert HEADER == (
        "# alembic-heads\n"
        "# Records the current head of the migration graph.\n"
        "# A conflict here means two branches added a migration from the same parent.\n"
        "# Resolve with:  alembic-heads head-file  (it prints the fix, then rewrites this file)\n"
        "#\n"
    )


def test_writes_then_keeps_then_rewrites(tmp_path: Path) -> None:
    write_project(tmp_path, SEED)

    first = run_cli(["head-file"], tmp_path)
    again = run_cli(["head-file"], tmp_path)
    write_revision(tmp_path / "versions", Rev("D", "C", "d"))
    changed = run_cli(["head-file"], tmp_path)

    assert (first.code, first.out) == (1, "Writing head.txt: head C (a new file: git add it)\n")
    assert (again.code, again.out, again.err) == (0, "", "")
    assert (changed.code, changed.out) == (1, "Rewriting head.txt: C -> head D\n")
    assert (tmp_path / "head.txt").read_text() == HEADER + "D\n"
    assert not [path for path in tmp_path.iterdir() if path.name.endswith(".tmp")]


def test_beside_env_py_of_each_graph(tmp_path: Path) -> None:
    write_project(tmp_path / "app" / "migrations", SEED, ini=False)
    write_project(tmp_path / "other", [Rev("X", None, "x")], ini=False)

    result = run_cli(["head-file"], tmp_path)

    assert result.out == (
        "Writing app/migrations/head.txt: head C (a new file: git add it)\n\n"
        "Writing other/head.txt: head X (a new file: git add it)\n"
    )
    assert (tmp_path / "other" / "head.txt").read_text() == HEADER + "X\n"


def test_an_alembic_linear_migrations_file_is_kept_as_it_is(tmp_path: Path) -> None:
    write_project(tmp_path, SEED)
    (tmp_path / "head.txt").write_text(LINEAR_MIGRATIONS_FILE)

    assert run_cli(["head-file"], tmp_path).code == 0
    assert run_cli(["head-file", "--check"], tmp_path).code == 0
    assert (tmp_path / "head.txt").read_text() == LINEAR_MIGRATIONS_FILE


def test_check_mode_changes_nothing(tmp_path: Path) -> None:
    write_project(tmp_path, SEED)

    missing = run_cli(["head-file", "--check"], tmp_path)
    (tmp_path / "head.txt").write_text(HEADER + "B\n")
    stale = run_cli(["head-file", "--check"], tmp_path)
    (tmp_path / "head.txt").write_text(HEADER)
    empty = run_cli(["head-file", "--check"], tmp_path)

    assert (missing.code, missing.out) == (
        1,
        "head.txt:1: head file missing: the graph's head C\n"
        "    run `alembic-heads head-file`, then `git add head.txt`\n",
    )
    assert (stale.code, stale.out) == (
        1,
        "head.txt:6: head file is stale: it records B, the graph's head C\n"
        "    run `alembic-heads head-file` and commit the file\n",
    )
    assert empty.out.startswith("head.txt:1: head file is stale: it records nothing,")
    assert (tmp_path / "head.txt").read_text() == HEADER


def test_check_at_pre_push_reads_the_pushed_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = committed_project(tmp_path, SEED)
    assert run_cli(["head-file"], repo).code == 1
    commit_all(repo, "head file: C")
    write_revision(repo / "versions", Rev("D", "C", "d"))
    commit_all(repo, "D, head file not updated")  # with --no-verify
    pushed = git(repo, "rev-parse", "HEAD").stdout.strip()
    assert run_cli(["head-file"], repo).code == 1  # fixed in the working tree only
    monkeypatch.setenv("PRE_COMMIT_TO_REF", pushed)

    stale = run_cli(["head-file", "--check"], repo)
    commit_all(repo, "head file: D")
    (repo / "head.txt").write_text(HEADER + "C\n")  # stale in the working tree only
    monkeypatch.setenv("PRE_COMMIT_TO_REF", "HEAD")
    fresh = run_cli(["head-file", "--check"], repo)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", pushed + "~2")
    missing = run_cli(["head-file", "--check"], repo)

    assert (stale.code, stale.out) == (
        1,
        "head.txt:6: head file is stale: it records C, the graph's head D\n"
        "    run `alembic-heads head-file` and commit the file\n",
    )
    assert (fresh.code, fresh.out, fresh.err) == (0, "", "")
    assert missing.out.startswith("head.txt:1: head file missing: the graph's head C\n")
    assert (repo / "head.txt").read_text() == HEADER + "C\n"


def test_labelled_branches_record_every_head(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        [
            Rev("base", None, "base"),
            Rev("s1", "base", "schema", branch_labels="schema"),
            Rev("d1", "base", "data", branch_labels="data"),
        ],
    )

    result = run_cli(["head-file"], tmp_path)

    assert result.out == "Writing head.txt: heads d1, s1 (a new file: git add it)\n"
    assert (tmp_path / "head.txt").read_text() == HEADER + "d1\ns1\n"


def test_two_heads_print_the_fix_and_leave_the_file(tmp_path: Path) -> None:
    write_project(tmp_path, [*SEED, Rev("D", "C", "d"), Rev("E", "C", "e")])
    (tmp_path / "head.txt").write_text(HEADER + "C\n")

    result = run_cli(["head-file"], tmp_path)

    assert result.code == 1
    assert result.out.startswith(
        "alembic.ini: Multiple head revisions are present: 2 heads, "
        "`alembic upgrade head` will fail\n"
    )
    assert "      alembic merge -m 'merge D and E' D E\n" in result.out
    assert (tmp_path / "head.txt").read_text() == HEADER + "C\n"


def test_a_resolved_conflict_is_rewritten(tmp_path: Path) -> None:
    write_project(tmp_path, [*SEED, Rev("D", "C", "d"), Rev("E", "D", "e")])
    conflicted = HEADER + "<<<<<<< HEAD\nE\n||||||| base\nC\n=======\nD\n>>>>>>> dev1\n"
    (tmp_path / "head.txt").write_text(conflicted)

    check = run_cli(["head-file", "--check"], tmp_path)
    fixed = run_cli(["head-file"], tmp_path)

    assert (check.code, check.out) == (
        1,
        "head.txt:7: unresolved merge conflict: two branches each added a migration\n"
        "    run `alembic-heads head-file`: it prints the fix, then rewrites this file\n",
    )
    assert (fixed.code, fixed.out) == (
        1,
        "Rewriting head.txt: unresolved conflict (E, C, D) -> head E\n",
    )
    assert (tmp_path / "head.txt").read_text() == HEADER + "E\n"


def test_someone_elses_head_txt_is_never_overwritten(tmp_path: Path) -> None:
    write_project(tmp_path, SEED)
    (tmp_path / "head.txt").write_text("The head of the table\n")

    result = run_cli(["head-file"], tmp_path)

    assert (result.code, result.out) == (0 + 2, "")
    assert result.err == (
        "alembic-heads: head.txt:1: not a head file ('The head of the table' is not a "
        "revision id); alembic-heads keeps each graph's head in head.txt beside env.py: "
        "move this file away\n"
    )
    assert (tmp_path / "head.txt").read_text() == "The head of the table\n"


def test_unreadable_and_unwritable(tmp_path: Path) -> None:
    write_project(tmp_path, SEED)
    (tmp_path / "head.txt").write_bytes(b"\xff\xfe\n")
    unreadable = run_cli(["head-file"], tmp_path)
    (tmp_path / "head.txt").unlink()
    (tmp_path / "head.txt").symlink_to(tmp_path / "elsewhere" / "head.txt")  # never written through
    unwritable = run_cli(["head-file"], tmp_path)

    assert unreadable.code == 2
    assert unreadable.err.startswith("alembic-heads: head.txt: cannot read: 'utf-8' codec")
    assert unwritable.code == 2
    assert unwritable.err.startswith("alembic-heads: head.txt: cannot write: File exists")
    assert not (tmp_path / "elsewhere").exists()


def test_nothing_to_record_and_bad_usage(tmp_path: Path) -> None:
    write_project(tmp_path, [])

    assert run_cli(["head-file"], tmp_path).code == 0
    assert not (tmp_path / "head.txt").exists()
    assert run_cli(["head-file", "--config", "missing.ini"], tmp_path).code == 2


def test_two_branches_conflict_on_the_head_file(tmp_path: Path) -> None:
    root = init_repo(tmp_path)
    write_project(root, SEED)
    git(root, "add", "-A")  # in a git work tree, what git has staged is the graph
    assert run_cli(["head-file"], root).code == 1
    commit_all(root, "A, B, C")
    git(root, "checkout", "-q", "-b", "dev1")
    write_revision(root / "versions", Rev("D", "C", "add d"))
    git(root, "add", "-A")
    assert run_cli(["head-file"], root).code == 1
    commit_all(root, "D")
    git(root, "checkout", "-q", "-b", "dev2", "master")
    write_revision(root / "versions", Rev("E", "C", "add e"))
    write_revision(root / "versions", Rev("F", "E", "add f"))
    git(root, "add", "-A")
    assert run_cli(["head-file"], root).code == 1
    commit_all(root, "E, F")
    git(root, "checkout", "-q", "master")
    git(root, "merge", "-q", "dev1")

    merge = git(root, "merge", "dev2", check=False)

    assert merge.returncode == 1
    assert "CONFLICT (content): Merge conflict in head.txt" in merge.stdout
    text = (root / "head.txt").read_text()
    assert text.startswith(HEADER + "<<<<<<< HEAD\nD\n=======\nF\n>>>>>>> dev2\n")
    report = run_cli(["head-file"], root)
    assert report.code == 1
    assert "      alembic merge -m 'merge D and F' D F\n" in report.out
    write_revision(root / "versions", Rev("E", "D", "add e"))
    resolved = run_cli(["head-file"], root)
    assert resolved.out == "Rewriting head.txt: unresolved conflict (D, F) -> head F\n"


def test_one_head_file_per_dialect_folder(tmp_path: Path) -> None:
    write_project(tmp_path / "db", [], ini=False)
    write_revision(tmp_path / "db" / "versions" / "pg", Rev("P", None, "p"))
    write_revision(tmp_path / "db" / "versions" / "lite", Rev("L", None, "l"))

    result = run_cli(["head-file"], tmp_path)

    assert result.out == (
        "Writing db/versions/lite/head.txt: head L (a new file: git add it)\n\n"
        "Writing db/versions/pg/head.txt: head P (a new file: git add it)\n"
    )


def test_an_edit_saved_after_reading_is_never_written_over(tmp_path: Path) -> None:
    write_project(tmp_path, SEED)
    (tmp_path / "head.txt").write_text(HEADER + "B\n")
    [result] = check_environments(find_environments([], [], None, tmp_path), tmp_path)
    stale = read_head_file(result, tmp_path)
    (tmp_path / "head.txt").write_text(HEADER + "C\n# resolved by hand\n")  # saved meanwhile

    with pytest.raises(UsageError) as refused:
        rewrite(stale, tmp_path)

    assert str(refused.value) == (
        "head.txt changed since it was read: not writing over it (run the command again)"
    )
    assert (tmp_path / "head.txt").read_text() == HEADER + "C\n# resolved by hand\n"
    assert sorted(path.name for path in tmp_path.iterdir() if path.is_file()) == [
        "alembic.ini",
        "env.py",
        "head.txt",
        "script.py.mako",
    ]
