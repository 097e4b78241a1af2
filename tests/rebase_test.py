"""``alembic-heads rebase`` moves this branch's new migrations onto the other head."""

from __future__ import annotations

import os
import py_compile
from pathlib import Path

import pytest

from alembic_heads.findings import UsageError
from alembic_heads.rebase_move import Move, write_move
from alembic_heads.revision_reader import read_revision_file
from helpers import (
    PYTHON,
    STYLES,
    Rev,
    commit_all,
    committed_project,
    git,
    init_repo,
    render_revision,
    run,
    run_cli,
    seed_branches,
    snapshot,
    write_project,
    write_revision,
)


def _heads_by_alembic(repo: Path) -> str:
    return run([PYTHON, "-m", "alembic", "heads"], repo).stdout


def _only_changed(before: dict[str, bytes], after: dict[str, bytes], name: str) -> bytes:
    assert set(before) == set(after)
    assert {key for key in before if before[key] != after[key]} == {name}
    return after[name]


def test_seed_story_rebased_while_merging(tmp_path: Path) -> None:
    repo = seed_branches(tmp_path / "repo", conflict=True)
    git(repo, "checkout", "-q", "dev2")
    assert git(repo, "merge", "master", check=False).returncode == 1  # models.py conflicts
    before = snapshot(repo)

    result = run_cli(["rebase"], repo)

    assert (result.code, result.out, result.err) == (
        0,
        "versions/e_E.py: down_revision c -> d\n",
        "",
    )
    changed = _only_changed(before, snapshot(repo), "versions/e_E.py")
    assert changed == before["versions/e_E.py"].replace(b"Revises: c", b"Revises: d").replace(
        b"down_revision = 'c'", b"down_revision = 'd'"
    )
    (repo / "models.py").write_text("tables = ['d', 'f']\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-edit", "--no-verify")
    assert run_cli(["check"], repo).code == 0
    assert _heads_by_alembic(repo) == "f (head)\n"


def test_seed_story_rebased_while_rebasing(tmp_path: Path) -> None:
    repo = seed_branches(tmp_path / "repo", conflict=True)
    git(repo, "checkout", "-q", "dev2")
    assert git(repo, "rebase", "master", check=False).returncode == 1  # stops at F
    assert (repo / "versions" / "f_F.py").is_file()

    result = run_cli(["rebase"], repo)

    assert (result.code, result.out) == (0, "versions/e_E.py: down_revision c -> d\n")
    (repo / "models.py").write_text("tables = ['d', 'f']\n")
    git(repo, "add", "-A")
    assert run(["git", "rebase", "--continue"], repo, GIT_EDITOR="true").returncode == 0
    assert run_cli(["check"], repo).code == 0
    assert _heads_by_alembic(repo) == "f (head)\n"


def test_after_a_clean_merge_against_a_base_ref(tmp_path: Path) -> None:
    repo = seed_branches(tmp_path / "repo")
    git(repo, "merge", "-q", "--no-edit", "dev2")

    no_base = run_cli(["rebase"], repo)
    result = run_cli(["rebase", "--base", "dev1"], repo)

    assert (no_base.code, no_base.err) == (
        2,
        "alembic-heads: cannot tell which migrations are this branch's: not merging or "
        "rebasing, and the branch has no upstream; pass --base REF (e.g. --base origin/main)\n",
    )
    assert result.out == "versions/e_E.py: down_revision c -> d\n"
    assert _heads_by_alembic(repo) == "f (head)\n"


def test_after_a_clean_rebase_against_the_upstream(tmp_path: Path) -> None:
    repo = seed_branches(tmp_path / "repo")
    git(repo, "checkout", "-q", "dev2")
    git(repo, "rebase", "-q", "master")
    git(repo, "branch", "-q", "--set-upstream-to", "master")

    result = run_cli(["rebase"], repo)
    again = run_cli(["rebase"], repo)

    assert result.out == "versions/e_E.py: down_revision c -> d\n"
    assert again.err == "alembic-heads: nothing to rebase: one head (f)\n"


def _branch(tmp_path: Path, base: list[Rev], ours: list[Rev]) -> Path:
    """A repo whose master has ``base``; ``ours`` are written but not committed."""
    repo = committed_project(tmp_path / "repo", base, "base")
    for rev in ours:
        write_revision(repo / "versions", rev)
    return repo


def _refused(repo: Path, *argv: str) -> str:
    before = snapshot(repo)
    result = run_cli(["rebase", *argv], repo)
    assert snapshot(repo) == before
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("alembic-heads: ") and result.err.count("\n") == 1
    return result.err[len("alembic-heads: ") : -1]


def test_refuses_to_move_what_the_base_ref_has(tmp_path: Path) -> None:
    repo = seed_branches(tmp_path / "repo")
    git(repo, "merge", "-q", "--no-edit", "dev2")

    assert _refused(repo, "--base", "master", "--onto", "d") == (
        "revision e exists on master (it may be deployed): it cannot move; merge the heads "
        "instead (alembic-heads merge)"
    )
    assert _refused(repo, "--base", "master") == (
        "cannot tell which head to move onto: heads master has: d, f; pass --onto REV"
    )
    assert _refused(repo, "--base", "no-such-branch") == (
        "--base no-such-branch: not a commit git knows"
    )
    assert _refused(repo, "--base", "master", "--onto", "a") == (
        "--onto a: not one of the heads (d, f)"
    )


A_D = [Rev("a", doc="A"), Rev("d", "a", "D")]


@pytest.mark.parametrize(
    ("ours", "error"),
    [
        (
            [Rev("b", "a"), Rev("m", ("b", "d"))],  # m merges d in: its other parent is theirs
            None,
        ),
        (
            [Rev("e", "a"), Rev("f", "a")],
            "moving one branch onto d would still leave 2 other heads (e, f): merge them "
            "instead (alembic-heads merge)",
        ),
        (
            [Rev("e", "a"), Rev("f", "a"), Rev("m", ("e", "f"))],
            "the migrations to move (e, f, m) start from 2 revisions (e, f): move them by "
            "hand or merge instead",
        ),
        ([Rev("x"), Rev("y", "x")], "revision x is a base revision: it cannot move onto d"),
        ([], "nothing to rebase: one head (d)"),
    ],
)
def test_refusals(tmp_path: Path, ours: list[Rev], error: str | None) -> None:
    repo = _branch(tmp_path, A_D, ours)
    if error is None:
        assert run_cli(["rebase", "--base", "master"], repo).err == (
            "alembic-heads: nothing to rebase: one head (m)\n"
        )
    else:
        assert _refused(repo, "--base", "master") == error


def test_refuses_to_move_a_merge_revision(tmp_path: Path) -> None:
    repo = _branch(
        tmp_path, [Rev("a"), Rev("c", "a"), Rev("t", "c")], [Rev("b", "a"), Rev("m", ("b", "c"))]
    )

    assert _refused(repo, "--base", "master") == (
        "revision m is a merge revision: it cannot move onto t"
    )


def test_refuses_a_move_that_would_make_a_cycle(tmp_path: Path) -> None:
    repo = _branch(tmp_path, [Rev("a"), Rev("d", "a", depends_on="e")], [Rev("e", "a")])

    assert _refused(repo, "--base", "master").startswith(
        "cannot move e onto d: cycle in the revision graph"
    )


def test_refuses_outside_git_and_on_unreadable_graphs(tmp_path: Path) -> None:
    write_project(tmp_path / "plain", [*A_D, Rev("e", "a")])
    repo = _branch(tmp_path, A_D, [Rev("e", "gone")])

    assert _refused(tmp_path / "plain") == (
        f"{tmp_path / 'plain'} is not in a git repository: cannot tell which migrations are new"
    )
    assert _refused(repo, "--base", "master") == (
        "cannot rebase: versions/e_change.py:14: down_revision 'gone' of revision e "
        "names a revision that does not exist"
    )


@pytest.mark.parametrize("crlf", [False, True], ids=["lf", "crlf"])
@pytest.mark.parametrize("quote", ["'", '"'])
@pytest.mark.parametrize("style", STYLES)
def test_keeps_the_files_formatting(tmp_path: Path, style: str, quote: str, crlf: bool) -> None:
    repo = _branch(tmp_path, A_D, [])
    text = render_revision(Rev("e", "a", "E"), style, quote)
    data = text.replace("\n", "\r\n").encode() if crlf else text.encode()
    (repo / "versions" / "e.py").write_bytes(data)
    before = snapshot(repo)

    result = run_cli(["rebase", "--base", "master"], repo)

    assert result.out == "versions/e.py: down_revision a -> d\n"
    old, new = f"= {quote}a{quote}".encode(), f"= {quote}d{quote}".encode()
    assert data.count(old) == 1
    expected = data.replace(b"Revises: a", b"Revises: d").replace(old, new)
    assert _only_changed(before, snapshot(repo), "versions/e.py") == expected


@pytest.mark.parametrize(
    ("written", "rewritten"),
    [
        ('down_revision = (\n    "a",\n)\n', 'down_revision = (\n    "d",\n)\n'),
        (
            "down_revision: Union[str, None] = ['a']  # parent\n",
            "down_revision: Union[str, None] = ['d']  # parent\n",
        ),
        ("down_revision = u'a'\n", "down_revision = u'd'\n"),
        ('down_revision = """a"""\n', 'down_revision = """d"""\n'),
    ],
)
def test_rewrites_only_the_parent(tmp_path: Path, written: str, rewritten: str) -> None:
    repo = _branch(tmp_path, A_D, [])
    head = '"""E\n\nRevises: not what it says\n"""\nrevision = "e"\n'
    (repo / "versions" / "e.py").write_text(head + written + "x = 'a'\n")

    result = run_cli(["rebase", "--base", "master"], repo)

    assert result.code == 0
    assert (repo / "versions" / "e.py").read_text() == head + rewritten + "x = 'a'\n"


def test_a_file_without_docstring(tmp_path: Path) -> None:
    repo = _branch(tmp_path, A_D, [])
    (repo / "versions" / "e.py").write_text("revision = 'e'\ndown_revision = 'a'\n")

    assert run_cli(["rebase", "--base", "master"], repo).code == 0
    assert (repo / "versions" / "e.py").read_text() == "revision = 'e'\ndown_revision = 'd'\n"


@pytest.mark.parametrize(
    ("source", "error"),
    [
        (
            "revision = 'e'\ndown_revision = 'x'\ndown_revision = 'a'\n",
            "down_revision is not one plain module-level assignment",
        ),
        (
            "revision = 'e'\ndown_revision = 'a' ''\n",
            "down_revision's 'a' is not written as one plain string literal",
        ),
        (
            "revision = 'e'\ndown_revision = '\\x61'\n",
            "down_revision's 'a' is not written as one plain string literal",
        ),
    ],
)
def test_refuses_what_it_cannot_rewrite_in_place(tmp_path: Path, source: str, error: str) -> None:
    repo = _branch(tmp_path, A_D, [])
    (repo / "versions" / "e.py").write_text(source)

    assert _refused(repo, "--base", "master") == f"versions/e.py: {error}"


def test_several_graphs_need_choosing(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    for name in ("one", "two"):
        write_project(repo / name, A_D, ini=False)
    commit_all(repo, "base")
    for name in ("one", "two"):
        write_revision(repo / name / "versions", Rev("e", "a"))

    assert _refused(repo, "--base", "master") == (
        "several graphs have too many heads (one/versions, two/versions): pass -c or --versions"
    )
    result = run_cli(["rebase", "--base", "master", "--versions", "two/versions"], repo)
    assert result.out == "two/versions/e_change.py: down_revision a -> d\n"


def test_a_stray_head_moves_onto_the_labelled_head(tmp_path: Path) -> None:
    repo = _branch(tmp_path, [Rev("a"), Rev("d", "a", branch_labels="main")], [Rev("s", "a")])

    result = run_cli(["rebase", "--base", "master"], repo)

    assert result.out == "versions/s_change.py: down_revision a -> d\n"
    assert run_cli(["check"], repo).code == 0


def test_a_file_the_base_has_but_cannot_read_is_still_protected(tmp_path: Path) -> None:
    repo = _branch(tmp_path, A_D, [])
    (repo / "versions" / "README").write_text("not a revision\n")
    (repo / "versions" / "e.py").write_text("revision = 'e'\ndown_revision = 'a'\n<<<<<<< x\n")
    commit_all(repo, "a broken e")
    (repo / "versions" / "e.py").write_text("revision = 'e'\ndown_revision = 'a'\n")

    assert _refused(repo, "--base", "master", "--onto", "d") == (
        "revision e exists on master (it may be deployed): it cannot move; merge the heads "
        "instead (alembic-heads merge)"
    )


def test_a_compiled_revision_is_left_alone(tmp_path: Path) -> None:
    repo = _branch(tmp_path, A_D, [])
    with (repo / "alembic.ini").open("a") as ini:
        ini.write("sourceless = true\n")
    source = write_revision(repo / "versions", Rev("e", "a"))
    py_compile.compile(str(source), cfile=str(source) + "c", doraise=True)
    source.unlink()

    assert _refused(repo, "--base", "master") == (
        "versions/e_change.pyc: a compiled revision file: only a source file can be rewritten"
    )


def test_a_byte_order_mark_is_kept(tmp_path: Path) -> None:
    repo = _branch(tmp_path, A_D, [])
    (repo / "versions" / "e.py").write_bytes(b"\xef\xbb\xbfdown_revision = 'a'\nrevision = 'e'\n")

    assert run_cli(["rebase", "--base", "master"], repo).code == 0
    assert (repo / "versions" / "e.py").read_bytes() == (
        b"\xef\xbb\xbfdown_revision = 'd'\nrevision = 'e'\n"
    )


def test_an_edit_saved_after_reading_is_never_written_over(tmp_path: Path) -> None:
    write_project(tmp_path, [Rev("a", None), Rev("b", "a"), Rev("c", "a")])
    path = tmp_path / "versions" / "c_change.py"
    move = Move(read_revision_file(path), "b", ("c",))
    original = path.read_bytes()
    edited = original + b"\n# saved meanwhile\n"
    path.write_bytes(edited)

    with pytest.raises(UsageError) as refused:
        write_move(move, original)
    unchanged = path.read_bytes()
    write_move(move, edited)  # read again: now it is written

    assert str(refused.value) == (
        f"{path} changed since it was read: not writing over it (run the command again)"
    )
    assert unchanged == edited
    assert path.read_bytes() == edited.replace(b"Revises: a", b"Revises: b").replace(
        b"down_revision = 'a'", b"down_revision = 'b'"
    )
    assert sorted(os.listdir(path.parent)) == ["a_change.py", "b_change.py", "c_change.py"]
