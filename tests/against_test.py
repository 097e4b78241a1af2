"""``check --against REF``: the graph once this branch and REF meet, caught on the branch."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from alembic_heads import git as git_module
from alembic_heads.core import check_environments
from alembic_heads.discover import find_environments
from alembic_heads.paths import display
from helpers import (
    Rev,
    alembic_answer,
    commit_all,
    committed_project,
    git,
    init_repo,
    run,
    run_cli,
    write_project,
    write_revision,
)

SEED = [Rev("A", None, "a"), Rev("B", "A", "b"), Rev("C", "B", "c")]


def seed_story(root: Path) -> Path:
    """master has A <- B <- C; dev1 adds D on C; dev2 adds E and F on C."""
    committed_project(root, SEED, "A, B, C")
    git(root, "checkout", "-q", "-b", "dev1")
    write_revision(root / "versions", Rev("D", "C", "add d"))
    commit_all(root, "D")
    git(root, "checkout", "-q", "-b", "dev2", "master")
    write_revision(root / "versions", Rev("E", "C", "add e"))
    write_revision(root / "versions", Rev("F", "E", "add f"))
    commit_all(root, "E, F")
    return root


def merge_dev1(root: Path) -> None:
    git(root, "checkout", "-q", "master")
    git(root, "merge", "-q", "--no-ff", "dev1", "-m", "merge dev1")
    git(root, "checkout", "-q", "dev2")


DEV2_AGAINST_MASTER = """\
alembic.ini, merged with master: Multiple head revisions are present: 2 heads, \
`alembic upgrade head` will fail
master:versions/D_add_d.py:13: head D: add d
versions/F_add_f.py:13: head F: add f
    the branches split after C (c):
      * D (head) add d
      | * F (head) add f
      | * E add e
      |/
      * C (branchpoint) c
      ~
    new on this branch: E, F
    merge them into one head:
      alembic merge -m 'merge D and F' D F
    or, if E -> F is not deployed anywhere yet, move it onto D instead:
      set down_revision = 'D' in versions/E_add_e.py:14
"""


def test_dev2_against_master_after_dev1_is_merged(tmp_path: Path) -> None:
    root = seed_story(tmp_path)
    merge_dev1(root)

    result = run_cli(["check", "--against", "master"], root)

    assert (result.code, result.out, result.err) == (1, DEV2_AGAINST_MASTER, "")
    assert run_cli(["check"], root).code == 0  # the branch alone is healthy
    git(root, "merge", "-q", "master", "-m", "the merge it predicted")
    assert alembic_answer(root)["heads"] == ["D", "F"]


def test_dev1_before_anything_is_merged(tmp_path: Path) -> None:
    root = seed_story(tmp_path)
    git(root, "checkout", "-q", "dev1")

    result = run_cli(["check", "--against", "master"], root)

    assert (result.code, result.out, result.err) == (0, "", "")


def test_following_the_repoint_fix_passes(tmp_path: Path) -> None:
    root = seed_story(tmp_path)
    merge_dev1(root)
    write_revision(root / "versions", Rev("E", "D", "add e"))

    assert run_cli(["check", "--against", "master"], root).code == 0
    commit_all(root, "E moved onto D")
    git(root, "merge", "-q", "--no-edit", "master")
    assert alembic_answer(root)["heads"] == ["F"]


def test_the_shared_branch_checked_against_a_branch(tmp_path: Path) -> None:
    root = seed_story(tmp_path)
    merge_dev1(root)
    git(root, "checkout", "-q", "master")

    result = run_cli(["check", "--against", "dev2"], root)

    assert result.code == 1
    assert "    new on this branch: D\n" in result.out
    assert "      set down_revision = 'F' in versions/D_add_d.py:14\n" in result.out


def test_a_missing_ref_is_named(tmp_path: Path) -> None:
    root = seed_story(tmp_path)

    result = run_cli(["check", "--against", "origin/main"], root)

    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "alembic-heads: cannot read origin/main from git (Not a valid object name "
        "origin/main): name a branch, tag or commit this clone has (a shallow CI clone must "
        "fetch it first: git fetch --depth=1 origin main:refs/remotes/origin/main)\n"
    )


def test_outside_a_git_repository(tmp_path: Path) -> None:
    write_project(tmp_path, SEED)

    result = run_cli(
        ["check", "--against", "master"],
        tmp_path,
    )

    assert result.code == 2
    assert result.err.startswith("alembic-heads: cannot read master from git (not a git repository")


def test_warn_only_reports_and_exits_0(tmp_path: Path) -> None:
    root = seed_story(tmp_path)
    merge_dev1(root)

    result = run_cli(["check", "--against", "master", "--warn-only"], root)
    missing = run_cli(["check", "--against", "nosuch", "--warn-only"], root)

    assert (result.code, result.out) == (0, DEV2_AGAINST_MASTER)
    assert (missing.code, missing.out) == (0, "")
    assert missing.err.startswith("alembic-heads: cannot read nosuch from git")


def test_own_work_with_a_merge_revision_gets_only_the_merge_command(tmp_path: Path) -> None:
    root = seed_story(tmp_path)
    merge_dev1(root)
    write_revision(root / "versions", Rev("G", "C", "add g"))
    write_revision(root / "versions", Rev("M", ("F", "G"), "merge f and g"))
    commit_all(root, "G, M")

    result = run_cli(["check", "--against", "master"], root)

    assert result.code == 1
    assert result.out.endswith(
        "    new on this branch: E, F, G, M\n"
        "    merge them into one head:\n"
        "      alembic merge -m 'merge D and M' D M\n"
    )


def test_own_work_that_starts_a_new_base_gets_only_the_merge_command(tmp_path: Path) -> None:
    root = seed_story(tmp_path)
    merge_dev1(root)
    git(root, "rm", "-q", "versions/E_add_e.py", "versions/F_add_f.py")
    write_revision(root / "versions", Rev("X", None, "a second base"))
    commit_all(root, "X")

    result = run_cli(["check", "--against", "master"], root)

    assert result.code == 1
    assert "    new on this branch: X\n" in result.out
    assert result.out.endswith("      alembic merge -m 'merge D and X' D X\n")


def test_heads_that_come_from_ref_alone(tmp_path: Path) -> None:
    root = seed_story(tmp_path)
    git(root, "checkout", "-q", "-b", "forked", "dev1")
    write_revision(root / "versions", Rev("D2", "C", "another d"))
    commit_all(root, "D2 beside D")
    git(root, "checkout", "-q", "dev1")
    write_revision(root / "versions", Rev("D2", "C", "another d"))  # the same revision

    result = run_cli(["check", "--against", "forked"], root)

    assert result.code == 1
    assert "    nothing here is new on this branch: the other side has these heads already\n" in (
        result.out
    )
    assert "move it onto" not in result.out


def test_three_heads_get_only_the_merge_command(tmp_path: Path) -> None:
    root = seed_story(tmp_path)
    git(root, "checkout", "-q", "-b", "two", "master")
    write_revision(root / "versions", Rev("P", "C", "p"))
    write_revision(root / "versions", Rev("Q", "C", "q"))
    commit_all(root, "P and Q: two heads")
    git(root, "checkout", "-q", "dev1")

    result = run_cli(["check", "--against", "two"], root)

    assert result.code == 1
    assert result.out.endswith("      alembic merge -m 'merge D, P and Q' D P Q\n")


def test_a_broken_file_at_ref_is_named_with_the_ref(tmp_path: Path) -> None:
    root = seed_story(tmp_path)
    git(root, "checkout", "-q", "-b", "broken", "master")
    (root / "versions" / "bad.py").write_text("revision = 'Z'\ndown_revision = make()\n")
    commit_all(root, "bad")
    git(root, "checkout", "-q", "dev1")

    result = run_cli(["check", "--against", "broken"], root)

    assert result.code == 1
    assert result.out.startswith(
        "broken:versions/bad.py:2: down_revision is not a literal (make()); alembic-heads "
        "reads revision files without running them\n"
    )


def test_this_branchs_copy_wins(tmp_path: Path) -> None:
    """The same file, or the same id, on both sides is one revision: this branch's copy."""
    root = seed_story(tmp_path)
    git(root, "checkout", "-q", "dev1")
    (root / "versions" / "C_c.py").unlink()
    write_revision(root / "versions", Rev("C", "B", "c", file="C_renamed.py"))
    (root / "versions" / "B_b.py").write_text("revision = 'B'\ndown_revision = 'A'\n")
    git(root, "add", "-A")

    result = run_cli(["check", "--against", "dev2"], root)

    assert result.code == 1
    assert "duplicate" not in result.out
    assert "    new on this branch: D\n" in result.out


def heads_against_with_d_staged(root: Path, ref: str) -> list[str]:
    """The head lines of ``check --against REF`` on master with D (on C) staged."""
    git(root, "checkout", "-q", "master")
    write_revision(root / "versions", Rev("D", "C", "d"))
    git(root, "add", "-A")
    result = run_cli(["check", "--against", ref], root)
    return [line for line in result.out.splitlines() if ": head " in line]


def test_recursive_locations_load_in_alembics_order(tmp_path: Path) -> None:
    root = committed_project(tmp_path, SEED, "A, B, C", recursive=True)
    git(root, "checkout", "-q", "-b", "side")
    write_revision(root / "versions", Rev("E", "C", "e", file="2024/E.py"))
    write_revision(root / "versions", Rev("F", "C", "f", file="2023/x/F.py"))
    cache = root / "versions" / "__pycache__" / "G.py"
    write_revision(root / "versions", Rev("G", "C", "cached", file="__pycache__/G.py"))
    git(root, "add", "-f", str(cache))
    commit_all(root, "E and F in subfolders")

    heads = heads_against_with_d_staged(root, "side")

    assert heads == [
        "versions/D_d.py:13: head D: d",
        "side:versions/2023/x/F.py:13: head F: f",
        "side:versions/2024/E.py:13: head E: e",
    ]
    git(root, "commit", "-q", "-m", "D")
    git(root, "merge", "-q", "--no-edit", "side")
    assert alembic_answer(root)["heads"] == ["D", "E", "F"]


def test_not_recursive_ignores_subfolders_at_ref(tmp_path: Path) -> None:
    root = init_repo(tmp_path)
    write_project(root, SEED)
    (root / "versions" / "notes.txt").write_text("not a revision\n")
    commit_all(root, "A, B, C")
    git(root, "checkout", "-q", "-b", "side")
    write_revision(root / "versions", Rev("E", "C", "e", file="old/E.py"))
    commit_all(root, "E in a subfolder")
    git(root, "checkout", "-q", "master")

    assert run_cli(["check", "--against", "side"], root).code == 0


@pytest.mark.parametrize("count", [2, 200])
def test_reading_ref_costs_a_few_git_processes_whatever_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int
) -> None:
    chain = [Rev(f"r{index:03}", f"r{index - 1:03}" if index else None) for index in range(count)]
    root = committed_project(tmp_path / "repo", chain, f"{count} revisions")
    git(root, "checkout", "-q", "-b", "side")
    write_revision(root / "versions", Rev("mine", f"r{count - 1:03}"))
    commit_all(root, "one more")
    log = tmp_path / "git.log"
    wrapper = tmp_path / "bin" / "git"
    wrapper.parent.mkdir()
    real_git = run(["sh", "-c", "command -v git"], root).stdout.strip()
    wrapper.write_text(  # logs the git command: ls-tree of `git -C DIR ls-tree ...`
        f'#!/bin/sh\nif [ "$1" = -C ]; then echo "$3"; else echo "$1"; fi >> {log}\n'
        f'exec {real_git} "$@"\n'
    )
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")

    monkeypatch.setenv("ALEMBIC_HEADS_CACHE_DIR", str(tmp_path / "cache"))
    run_cli(["check"], root)
    alone = log.read_text().split()
    log.unlink()
    result = run_cli(["check", "--against", "master"], root)
    cached = log.read_text().split()
    log.unlink()
    monkeypatch.setenv("ALEMBIC_HEADS_CACHE_DIR", str(tmp_path / "empty-cache"))
    cold = run_cli(["check", "--against", "master"], root)

    assert (result.code, result.out, result.err) == (0, "", "")
    assert cold == result
    # The check of the working tree has cached every blob master has too: list
    # master, commit what is staged (objects only), let git merge, list the result.
    merge = ["write-tree", "commit-tree", "merge-tree", "ls-tree"]
    assert cached == [*alone, "ls-tree", *merge]
    assert log.read_text().split() == [*alone, "ls-tree", *merge, "cat-file"]


def test_a_shallow_ci_clone_with_the_fetched_base(tmp_path: Path) -> None:
    origin = seed_story(tmp_path / "origin")
    merge_dev1(origin)
    clone = tmp_path / "clone"
    url = origin.resolve().as_uri()
    git(tmp_path, "clone", "-q", "--depth=1", "--branch", "dev2", url, str(clone))

    missing = run_cli(["check", "--against", "origin/master"], clone)
    git(clone, "fetch", "-q", "--depth=1", "origin", "master:refs/remotes/origin/master")
    result = run_cli(["check", "--against", "origin/master"], clone)

    assert missing.code == 2
    assert "git fetch --depth=1 origin master:refs/remotes/origin/master" in missing.err
    assert result.code == 1
    assert result.out == DEV2_AGAINST_MASTER.replace("master", "origin/master")


def test_at_pre_push_the_pushed_commit_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = seed_story(tmp_path)
    merge_dev1(root)
    git(root, "checkout", "-q", "-b", "both", "master")
    git(root, "merge", "-q", "--no-edit", "dev2")
    git(root, "checkout", "-q", "master")
    pushed = git(root, "rev-parse", "dev2").stdout.strip()

    monkeypatch.setenv("PRE_COMMIT_TO_REF", pushed)
    against = run_cli(["check", "--against", "master"], root)
    warned = run_cli(["check", "--warn-only"], root)  # after a pull: the working tree
    monkeypatch.delenv("PRE_COMMIT_TO_REF")
    monkeypatch.setenv("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/both")  # a first push
    pushed_alone = run_cli(["check"], root)

    assert (against.code, against.out) == (1, DEV2_AGAINST_MASTER)
    assert (warned.code, warned.out) == (0, "")
    assert pushed_alone.code == 1
    assert "versions/F_add_f.py:13: head F: add f\n" in pushed_alone.out


def test_every_location_is_read_and_a_symlink_as_alembic_loads_it(tmp_path: Path) -> None:
    """A link is loaded where Alembic reaches it first, the file it leads to once."""
    root = init_repo(tmp_path)
    # version_path_separator too: Alembic before 1.16 knows no path_separator and
    # would take both locations for one path (and the oracle would load nothing).
    locations = "version_path_separator = os\nversion_locations = %(here)s/versions:%(here)s/more\n"
    write_project(root, SEED, ini_extra=locations)
    (root / "more").mkdir()
    commit_all(root, "A, B, C")
    git(root, "checkout", "-q", "-b", "side")
    write_revision(root / "more", Rev("E", "C", "e"))
    (root / "versions" / "link.py").symlink_to("../more/E_e.py")
    commit_all(root, "E in the second location, and a symlink to it")

    heads = heads_against_with_d_staged(root, "side")

    assert heads == ["versions/D_d.py:13: head D: d", "side:versions/link.py:13: head E: e"]
    git(root, "commit", "-q", "-m", "D")
    git(root, "merge", "-q", "--no-edit", "side")
    assert alembic_answer(root)["heads"] == ["D", "E"]
    assert run_cli(["check"], root).out.splitlines()[1:3] == [h.replace("side:", "") for h in heads]


def test_a_symlinked_revision_file_at_ref_is_loaded(tmp_path: Path) -> None:
    """REF's link leads out of the versions folder (issue 12): Alembic loads
    what it leads to after the merge, so the check does too."""
    root = committed_project(tmp_path, SEED, "A, B, C")
    git(root, "checkout", "-q", "-b", "side")
    write_revision(root / "shared", Rev("E", "C", "e"))
    (root / "versions" / "E_link.py").symlink_to("../shared/E_e.py")
    (root / "versions" / "dangling.py").symlink_to("../shared/gone.py")
    commit_all(root, "E through a symlink, and a link to nothing")
    git(root, "rm", "-q", "versions/dangling.py")
    git(root, "commit", "-q", "-m", "no dangling link")
    git(root, "checkout", "-q", "master")

    heads = heads_against_with_d_staged(root, "side")

    assert heads == ["versions/D_d.py:13: head D: d", "side:versions/E_link.py:13: head E: e"]
    git(root, "commit", "-q", "-m", "D")
    git(root, "merge", "-q", "--no-edit", "side")
    assert alembic_answer(root)["heads"] == ["D", "E"]


def test_a_symlink_at_ref_out_of_the_repository_reads_the_file_there(tmp_path: Path) -> None:
    root = committed_project(tmp_path / "repo", SEED, "A, B, C")
    write_revision(tmp_path / "elsewhere", Rev("E", "C", "e"))
    git(root, "checkout", "-q", "-b", "side")
    (root / "versions" / "E_link.py").symlink_to(tmp_path / "elsewhere" / "E_e.py")
    commit_all(root, "E, from outside the repository")
    git(root, "checkout", "-q", "master")

    heads = heads_against_with_d_staged(root, "side")

    assert heads == ["versions/D_d.py:13: head D: d", "side:versions/E_link.py:13: head E: e"]
    git(root, "commit", "-q", "-m", "D")
    git(root, "merge", "-q", "--no-edit", "side")
    assert alembic_answer(root)["heads"] == ["D", "E"]


def test_a_dangling_symlink_at_ref_cannot_be_read(tmp_path: Path) -> None:
    root = committed_project(tmp_path, SEED, "A, B, C")
    git(root, "checkout", "-q", "-b", "side")
    (root / "versions" / "gone.py").symlink_to("../shared/gone.py")
    commit_all(root, "a link to nothing")
    git(root, "checkout", "-q", "master")

    result = run_cli(["check", "--against", "side"], root)

    assert (result.code, result.out) == (
        1,
        "side:versions/gone.py:1: cannot read: No such file or directory "
        "(a link to shared/gone.py)\n",
    )
    git(root, "merge", "-q", "--no-edit", "side")
    assert run_cli(["check"], root).out == (
        "versions/gone.py:1: cannot read: No such file or directory\n"
    )


def test_a_ref_without_revision_files(tmp_path: Path) -> None:
    root = init_repo(tmp_path)
    (root / "README").write_text("nothing yet\n")
    commit_all(root, "before any migration")
    git(root, "tag", "start")
    write_project(root, SEED)
    commit_all(root, "A, B, C")

    assert run_cli(["check", "--against", "start"], root).code == 0
    assert git_module.blobs_at(root, "start", []) == []


def test_without_git_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = seed_story(tmp_path / "repo")
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))

    result = run_cli(["check", "--against", "master"], root)

    assert result.code == 2
    assert result.err.startswith("alembic-heads: cannot read master from git (cannot run git: ")


def test_a_missing_local_branch_gets_a_fetch_that_names_the_remote_branch(tmp_path: Path) -> None:
    root = seed_story(tmp_path)

    result = run_cli(["check", "--against", "main"], root)

    assert result.err.endswith(
        "(a shallow CI clone must fetch it first: git fetch --depth=1 origin "
        "main:refs/remotes/origin/main, then pass origin/main)\n"
    )


def squash(root: Path) -> None:
    """Replace A, B and C with S, a new base, and commit."""
    for rev in SEED:
        (root / "versions" / rev.file_name).unlink()
    write_revision(root / "versions", Rev("S", None, "squashed A, B, C"))
    commit_all(root, "squash A, B, C into S")


def squash_branch(root: Path) -> Path:
    """master has A <- B <- C; the branch squash replaces them with S."""
    committed_project(root, SEED, "A, B, C")
    git(root, "checkout", "-q", "-b", "squash")
    squash(root)
    return root


def test_files_this_branch_deleted_stay_deleted_in_the_merge(tmp_path: Path) -> None:
    root = squash_branch(tmp_path)

    result = run_cli(["check", "--against", "master"], root)

    assert (result.code, result.out, result.err) == (0, "", "")
    git(root, "merge", "-q", "master", "-m", "the merge it predicted")
    assert alembic_answer(root)["heads"] == ["S"]


def test_a_revision_ref_added_onto_a_deleted_one_is_a_missing_parent(tmp_path: Path) -> None:
    root = squash_branch(tmp_path)
    git(root, "checkout", "-q", "master")
    write_revision(root / "versions", Rev("D", "C", "add d"))
    commit_all(root, "D")
    git(root, "checkout", "-q", "squash")

    result = run_cli(["check", "--against", "master"], root)

    assert result.code == 1
    assert result.out.startswith(
        "master:versions/D_add_d.py:14: down_revision 'C' of revision D names a revision "
        "that does not exist\n"
    )
    git(root, "merge", "-q", "master", "-m", "the merge it predicted")
    with pytest.raises(Exception, match="C"):
        alembic_answer(root)


def test_without_the_fork_point_every_file_of_ref_counts(tmp_path: Path) -> None:
    origin = squash_branch(tmp_path / "origin")
    clone = tmp_path / "clone"
    url = origin.resolve().as_uri()
    git(tmp_path, "clone", "-q", "--depth=1", "--branch", "squash", url, str(clone))
    git(clone, "fetch", "-q", "--depth=1", "origin", "master:refs/remotes/origin/master")

    result = run_cli(["check", "--against", "origin/master"], clone)

    assert result.code == 1
    assert result.out.startswith(
        "alembic.ini, merged with origin/master: Multiple head revisions are present: 2 heads"
    )


def test_a_branch_started_before_ref_squashed_loses_the_squashed_files(tmp_path: Path) -> None:
    """master squashes A, B, C into S after the branch added E on C: git's merge
    deletes A, B and C, so E's parent is gone; moved onto S, E is fine."""
    root = committed_project(tmp_path, SEED, "A, B, C")
    git(root, "checkout", "-q", "-b", "feature")
    write_revision(root / "versions", Rev("E", "C", "add e"))
    commit_all(root, "E")
    git(root, "checkout", "-q", "master")
    squash(root)
    git(root, "checkout", "-q", "feature")

    result = run_cli(["check", "--against", "master"], root)

    assert result.code == 1
    assert result.out.startswith(
        "versions/E_add_e.py:14: down_revision 'C' of revision E names a revision "
        "that does not exist\n"
    )
    (root / "versions" / "E_add_e.py").write_text(
        (root / "versions" / "E_add_e.py").read_text().replace("= 'C'", "= 'S'")
    )
    git(root, "commit", "-q", "-am", "E onto S")
    assert run_cli(["check", "--against", "master"], root).code == 0
    git(root, "merge", "-q", "master", "-m", "the merge it predicted")
    assert alembic_answer(root)["heads"] == ["E"]


def test_a_file_only_ref_has_carries_the_ref_and_its_absolute_path(tmp_path: Path) -> None:
    """The path stays the file's, absolute; ``REF:path`` is only how it is shown."""
    root = seed_story(tmp_path)
    merge_dev1(root)
    envs = find_environments([], [], None, root)

    [result] = check_environments(envs, root, against="master")

    assert result.graph is not None
    only_ref, mine = result.graph.revisions["D"], result.graph.revisions["F"]
    assert (only_ref.path, only_ref.ref) == (str(root / "versions" / "D_add_d.py"), "master")
    assert (mine.path, mine.ref) == (str(root / "versions" / "F_add_f.py"), None)
    assert display(only_ref.path, root, only_ref.ref) == "master:versions/D_add_d.py"
