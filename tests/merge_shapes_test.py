"""``check --against REF`` sees the tree ``git merge`` makes (issue 18).

Each story merges for real afterwards: Alembic on the merged files, and the
plain ``check`` there, are the oracle for what ``--against`` predicted.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from helpers import (
    Rev,
    alembic_answer,
    commit_all,
    committed_project,
    git,
    render_revision,
    run_cli,
    write_revision,
)

SEED = [Rev("A", None, "a"), Rev("B", "A", "b"), Rev("C", "B", "c")]


def heads_in(output: str) -> list[str]:
    return sorted(re.findall(r": head (\w+):", output))


def predicted_then_merged(root: Path, ref: str) -> tuple[int, list[str], int, list[str]]:
    """``check --against REF``'s exit code and heads, then, after the real
    ``git merge``, the plain check's exit code and Alembic's heads."""
    predicted = run_cli(["check", "--against", ref], root)
    assert predicted.err == ""
    git(root, "merge", "-q", "--no-edit", ref)
    merged = run_cli(["check"], root)
    return predicted.code, heads_in(predicted.out), merged.code, alembic_answer(root)["heads"]


def test_ref_repoints_a_file_this_branch_left_alone(tmp_path: Path) -> None:
    """The fork has two heads, D and E on C; REF moves E onto D; this branch
    adds F on E: git takes REF's E, so the merge has one head, F."""
    root = committed_project(tmp_path, [*SEED, Rev("D", "C", "d"), Rev("E", "C", "e")])
    git(root, "checkout", "-q", "-b", "feature")
    write_revision(root / "versions", Rev("F", "E", "f"))
    commit_all(root, "F")
    git(root, "checkout", "-q", "master")
    write_revision(root / "versions", Rev("E", "D", "e"))
    commit_all(root, "E onto D: one head again")
    git(root, "checkout", "-q", "feature")

    assert predicted_then_merged(root, "master") == (0, [], 0, ["F"])


def test_ref_repoints_and_the_merge_has_a_second_head(tmp_path: Path) -> None:
    """REF moves E back onto C beside D; this branch, which left E alone, is
    told of the second head the merge makes."""
    root = committed_project(tmp_path, [*SEED, Rev("D", "C", "d"), Rev("E", "D", "e")])
    git(root, "checkout", "-q", "-b", "feature")
    write_revision(root / "versions", Rev("F", "E", "f"))
    commit_all(root, "F")
    git(root, "checkout", "-q", "master")
    write_revision(root / "versions", Rev("E", "C", "e"))
    commit_all(root, "E onto C")
    git(root, "checkout", "-q", "feature")

    result = run_cli(["check", "--against", "master"], root)

    assert result.code == 1
    assert "master:versions/E_e.py" not in result.out  # E is not a head: F is
    assert "versions/D_d.py:13: head D: d\n" in result.out
    assert "    new on this branch: F\n" in result.out
    git(root, "merge", "-q", "--no-edit", "master")
    assert alembic_answer(root)["heads"] == ["D", "F"]


def test_both_sides_change_the_same_file(tmp_path: Path) -> None:
    """This branch edits E's upgrade, REF re-points E onto D: git merges the
    lines, and the merged E has REF's parent."""
    root = committed_project(tmp_path, [*SEED, Rev("D", "C", "d"), Rev("E", "C", "e")])
    git(root, "checkout", "-q", "-b", "feature")
    edited = "def upgrade():\n    print('edited')\n\n\ndef downgrade():\n    pass\n"
    (root / "versions" / "E_e.py").write_text(render_revision(Rev("E", "C", "e", body=edited)))
    commit_all(root, "E does more")
    git(root, "checkout", "-q", "master")
    write_revision(root / "versions", Rev("E", "D", "e"))
    commit_all(root, "E onto D")
    git(root, "checkout", "-q", "feature")

    assert predicted_then_merged(root, "master") == (0, [], 0, ["E"])
    assert "edited" in (root / "versions" / "E_e.py").read_text()


def test_a_criss_cross_history(tmp_path: Path) -> None:
    """Two merge bases: each side merged the other's first commit, and they
    resolved the two heads differently; git merges against a virtual base."""
    root = committed_project(tmp_path, SEED, "A, B, C")
    git(root, "checkout", "-q", "-b", "one")
    write_revision(root / "versions", Rev("D", "C", "d"))
    commit_all(root, "D")
    git(root, "checkout", "-q", "-b", "two", "master")
    write_revision(root / "versions", Rev("E", "C", "e"))
    commit_all(root, "E")
    git(root, "checkout", "-q", "one")
    git(root, "merge", "-q", "--no-commit", "two")
    write_revision(root / "versions", Rev("M", ("D", "E"), "merge"))
    commit_all(root, "merge two, M")
    git(root, "checkout", "-q", "two")
    git(root, "merge", "-q", "--no-commit", "one~1")
    write_revision(root / "versions", Rev("E", "D", "e"))
    (root / "versions" / "D_d.py").unlink()
    write_revision(root / "versions", Rev("D", "C", "d", file="D_moved.py"))
    commit_all(root, "merge one, E onto D, D's file renamed")
    assert len(git(root, "merge-base", "--all", "one", "two").stdout.split()) == 2

    assert predicted_then_merged(root, "one") == (0, [], 0, ["M"])


def test_the_same_id_on_both_sides(tmp_path: Path) -> None:
    """Each side adds revision D in a file of its own: the merge holds both,
    which Alembic warns about and the check reports."""
    root = committed_project(tmp_path, SEED, "A, B, C")
    git(root, "checkout", "-q", "-b", "feature")
    write_revision(root / "versions", Rev("D", "C", "d", file="D_here.py"))
    commit_all(root, "D")
    git(root, "checkout", "-q", "master")
    write_revision(root / "versions", Rev("D", "C", "d", file="D_there.py"))
    commit_all(root, "D too")
    git(root, "checkout", "-q", "feature")

    predicted = run_cli(["check", "--against", "master"], root)
    git(root, "merge", "-q", "--no-edit", "master")
    merged = run_cli(["check"], root)

    assert predicted.code == merged.code == 1
    assert predicted.out == merged.out.replace("versions/D_there", "master:versions/D_there")
    assert "revision D" in predicted.out
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        ScriptDirectory.from_config(Config(str(root / "alembic.ini"))).get_heads()
    assert "Revision D is present more than once" in [str(w.message) for w in caught]


def test_a_conflict_in_the_versions_folder(tmp_path: Path) -> None:
    """Both sides re-point C differently: the merge stops at C, and so does the check."""
    root = committed_project(tmp_path, [*SEED, Rev("X", "A", "x")], "A, B, C, X")
    git(root, "checkout", "-q", "-b", "feature")
    write_revision(root / "versions", Rev("C", "X", "c"))
    write_revision(root / "versions", Rev("D", "C", "d"))
    commit_all(root, "C onto X, D")
    git(root, "checkout", "-q", "master")
    write_revision(root / "versions", Rev("C", ("B", "X"), "c"))
    commit_all(root, "C merges B and X")
    git(root, "checkout", "-q", "feature")

    result = run_cli(["check", "--against", "master"], root)

    assert (result.code, result.err) == (1, "")
    assert result.out == (
        "versions/C_c.py:1: git's merge with master stops here: CONFLICT (content): "
        "Merge conflict in versions/C_c.py\n"
        "    resolve it (merge or rebase onto master and fix the file), then check again\n"
    )
    merge = git(root, "merge", "--no-edit", "master", check=False)
    assert merge.returncode == 1
    assert "CONFLICT (content): Merge conflict in versions/C_c.py" in merge.stdout


def test_a_blob_missing_from_the_object_store(tmp_path: Path) -> None:
    """A damaged clone (or a partial one) lacks a blob of REF: one line, exit 2."""
    root = committed_project(tmp_path, SEED, "A, B, C")
    git(root, "checkout", "-q", "-b", "side")
    write_revision(root / "versions", Rev("D", "C", "d"))
    commit_all(root, "D")
    git(root, "checkout", "-q", "master")
    blob = git(root, "rev-parse", "side:versions/D_d.py").stdout.strip()
    (root / ".git" / "objects" / blob[:2] / blob[2:]).unlink()

    result = run_cli(["check", "--against", "side"], root)

    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"alembic-heads: cannot read side:versions/D_d.py from git (its blob {blob} is missing "
        "from the object store): fetch what is missing (git fetch origin), or repair the "
        "clone (git fsck)\n"
    )


def test_ref_moves_the_environment_folder(tmp_path: Path) -> None:
    """REF moves the whole environment under db/ and adds D on C there; this
    branch moves X onto C in the old place: git's rename detection carries
    the edit into db/, where the merge has two heads."""
    root = committed_project(tmp_path, [*SEED, Rev("X", "B", "x")], "A, B, C, X on B")
    git(root, "checkout", "-q", "-b", "feature")
    write_revision(root / "versions", Rev("X", "C", "x"))
    commit_all(root, "X onto C")
    git(root, "checkout", "-q", "master")
    (root / "db").mkdir()
    for name in ("versions", "env.py", "script.py.mako"):
        git(root, "mv", name, f"db/{name}")
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text().replace("%(here)s\n", "%(here)s/db\n", 1))
    write_revision(root / "db" / "versions", Rev("D", "C", "d"))
    commit_all(root, "the environment moves to db/; D")
    git(root, "checkout", "-q", "feature")

    result = run_cli(["check", "--against", "master"], root)

    assert result.code == 1
    assert heads_in(result.out) == ["D", "X"]
    assert "master:db/versions/X_x.py:13: head X: x\n" in result.out
    git(root, "merge", "-q", "--no-edit", "master")
    assert alembic_answer(root)["heads"] == ["D", "X"]
    assert heads_in(run_cli(["check"], root).out) == ["D", "X"]


def test_ref_deletes_the_versions_folder(tmp_path: Path) -> None:
    """Nothing moved: the merge simply has no revision files left there."""
    root = committed_project(tmp_path, SEED, "A, B, C")
    git(root, "checkout", "-q", "-b", "feature")
    (root / "notes.txt").write_text("notes\n")
    commit_all(root, "notes")
    git(root, "checkout", "-q", "master")
    git(root, "rm", "-q", "-r", "versions")
    commit_all(root, "no more migrations")
    git(root, "checkout", "-q", "feature")

    result = run_cli(["check", "--against", "master"], root)

    assert (result.code, result.out, result.err) == (0, "", "")


def test_an_unreadable_file_the_merge_leaves_alone_keeps_its_name(tmp_path: Path) -> None:
    root = committed_project(tmp_path, SEED, "A, B, C")
    git(root, "checkout", "-q", "-b", "feature")
    (root / "versions" / "bad.py").write_text("revision = 'Z'\ndown_revision = make()\n")
    commit_all(root, "bad")
    git(root, "checkout", "-q", "-b", "other", "master")
    write_revision(root / "versions", Rev("D", "C", "d"))
    commit_all(root, "D")
    git(root, "checkout", "-q", "feature")

    result = run_cli(["check", "--against", "other"], root)

    assert result.code == 1
    assert result.out.startswith("versions/bad.py:2: down_revision is not a literal (make())")


def test_a_conflict_outside_the_versions_folder_is_not_the_checks(tmp_path: Path) -> None:
    root = committed_project(tmp_path, SEED, "A, B, C")
    (root / "notes.txt").write_text("one\n")
    commit_all(root, "notes")
    git(root, "checkout", "-q", "-b", "feature")
    (root / "notes.txt").write_text("two\n")
    write_revision(root / "versions", Rev("D", "C", "d"))
    commit_all(root, "notes, D")
    git(root, "checkout", "-q", "master")
    (root / "notes.txt").write_text("three\n")
    write_revision(root / "versions", Rev("E", "C", "e"))
    commit_all(root, "notes, E")
    git(root, "checkout", "-q", "feature")

    result = run_cli(["check", "--against", "master"], root)

    assert result.code == 1
    assert heads_in(result.out) == ["D", "E"]
    assert "stops here" not in result.out


def test_while_the_index_holds_a_conflict_the_estimate_is_used(tmp_path: Path) -> None:
    """git cannot write a tree of a conflicted index: the union of both sides."""
    root = committed_project(tmp_path, SEED, "A, B, C")
    (root / "notes.txt").write_text("one\n")
    commit_all(root, "notes")
    git(root, "checkout", "-q", "-b", "feature")
    (root / "notes.txt").write_text("two\n")
    write_revision(root / "versions", Rev("D", "C", "d"))
    commit_all(root, "notes, D")
    git(root, "checkout", "-q", "-b", "other", "master")
    (root / "notes.txt").write_text("three\n")
    commit_all(root, "notes")
    git(root, "checkout", "-q", "-b", "third", "master")
    write_revision(root / "versions", Rev("E", "C", "e"))
    git(root, "rm", "-q", "versions/A_a.py")
    commit_all(root, "E, and A's file goes")
    git(root, "checkout", "-q", "feature")
    assert git(root, "merge", "other", check=False).returncode == 1  # notes.txt conflicts

    result = run_cli(["check", "--against", "third"], root)

    assert (result.code, result.out) == (
        1,
        "versions/B_b.py:14: down_revision 'A' of revision B names a revision that does not "
        "exist\n    restore the missing revision file, or point down_revision at an existing "
        "revision\n",
    )


def test_on_a_branch_with_no_commit_yet_the_estimate_is_used(tmp_path: Path) -> None:
    root = committed_project(tmp_path, SEED, "A, B, C")
    git(root, "checkout", "-q", "--orphan", "fresh")
    write_revision(root / "versions", Rev("D", "C", "d"))
    git(root, "add", "-A")

    result = run_cli(["check", "--against", "master"], root)

    assert (result.code, result.out) == (0, "")


def test_a_link_to_a_link_at_ref(tmp_path: Path) -> None:
    root = committed_project(tmp_path, SEED, "A, B, C")
    git(root, "checkout", "-q", "-b", "side")
    write_revision(root / "shared", Rev("E", "C", "e"))
    (root / "shared" / "hop.py").symlink_to("E_e.py")
    (root / "versions" / "E_link.py").symlink_to("../shared/hop.py")
    (root / "versions" / "loop.py").symlink_to("loop2.py")
    (root / "versions" / "loop2.py").symlink_to("loop.py")
    commit_all(root, "E through two links, and a loop")
    git(root, "checkout", "-q", "master")

    result = run_cli(["check", "--against", "side"], root)

    assert result.code == 1
    assert "side:versions/loop.py:1: cannot read: No such file or directory" in result.out


def test_a_criss_cross_history_where_this_branch_deletes(tmp_path: Path) -> None:
    """Both sides merged each other's first commit and added M (D, E) the same
    way; this branch then drops D, E and M for F. Against git's virtual base,
    D and E go and REF's M stays, its parents gone, whichever merge base
    ``git merge-base`` would have named."""
    root = committed_project(tmp_path, SEED, "A, B, C")
    git(root, "checkout", "-q", "-b", "one")
    write_revision(root / "versions", Rev("D", "C", "d"))
    commit_all(root, "D")
    git(root, "checkout", "-q", "-b", "two", "master")
    write_revision(root / "versions", Rev("E", "C", "e"))
    commit_all(root, "E")
    git(root, "tag", "e")
    for side, other in (("two", "one"), ("one", "e")):
        git(root, "checkout", "-q", side)
        git(root, "merge", "-q", "--no-commit", other)
        write_revision(root / "versions", Rev("M", ("D", "E"), "merge"))
        commit_all(root, f"{side}: merge, M")
    for name in ("D_d.py", "E_e.py", "M_merge.py"):
        (root / "versions" / name).unlink()
    write_revision(root / "versions", Rev("F", "C", "f"))
    commit_all(root, "D, E and M give way to F")
    assert len(git(root, "merge-base", "--all", "one", "two").stdout.split()) == 2

    predicted = run_cli(["check", "--against", "two"], root)
    git(root, "merge", "-q", "--no-edit", "two")
    merged = run_cli(["check"], root)

    assert predicted.code == merged.code == 1
    assert predicted.out == merged.out.replace("versions/M_merge", "two:versions/M_merge")
    assert "down_revision 'D' of revision M names a revision that does not exist" in merged.out
