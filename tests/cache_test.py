"""Revisions recalled by git blob id, git's or computed from what a file holds: never stale."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from alembic_heads import git as git_module
from alembic_heads.cache import FORMAT, RevisionCache
from alembic_heads.cache_folder import cache_dir
from alembic_heads.commands.check import NO_ARGUMENTS, build_parser
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

HISTORY = [Rev("aaaa", None, "first"), Rev("bbbb", "aaaa", "second"), Rev("cccc", "bbbb", "third")]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("ALEMBIC_HEADS_CACHE_DIR", str(folder))
    return folder


def cached_entries(cache: Path) -> dict[str, tuple[object, ...]]:
    (path,) = cache.glob("revisions-*.marshal")
    stored = marshal.loads(path.read_bytes())
    assert stored[0] == FORMAT
    entries: dict[str, tuple[object, ...]] = stored[1]
    return entries


def test_a_clean_check_fills_the_cache_with_every_blob(tmp_path: Path, cache: Path) -> None:
    repo = committed_project(tmp_path / "repo", HISTORY)

    assert run_cli(["check"], repo).code == 0

    blobs = {git(repo, "rev-parse", f":versions/{rev.file_name}").stdout.strip() for rev in HISTORY}
    entries = cached_entries(cache)
    assert set(entries) == blobs
    assert sorted(str(entry[0]) for entry in entries.values()) == ["aaaa", "bbbb", "cccc"]


def test_the_second_run_recalls_files_from_the_cache(tmp_path: Path, cache: Path) -> None:
    repo = committed_project(tmp_path / "repo", HISTORY)
    write_revision(repo / "versions", Rev("dddd", "bbbb", "fourth"))
    commit_all(repo, "a second head")
    run_cli(["check"], repo)
    (path,) = cache.glob("revisions-*.marshal")
    entries = cached_entries(cache)
    blob = git(repo, "rev-parse", ":versions/dddd_fourth.py").stdout.strip()
    entries[blob] = (*entries[blob][:4], "remembered", *entries[blob][5:])
    path.write_bytes(marshal.dumps((FORMAT, entries, {})))

    result = run_cli(["check"], repo)

    assert "head dddd: remembered" in result.out


def test_a_file_changed_after_staging_is_read_again(tmp_path: Path, cache: Path) -> None:
    repo = committed_project(tmp_path / "repo", HISTORY)
    assert run_cli(["check"], repo).code == 0
    write_revision(repo / "versions", Rev("cccc", "aaaa", "third"))  # not staged

    result = run_cli(["check"], repo)

    assert result.code == 1
    assert "head bbbb: second" in result.out
    assert "head cccc: third" in result.out


def test_a_broken_cache_is_an_empty_one(tmp_path: Path, cache: Path) -> None:
    repo = committed_project(tmp_path / "repo", HISTORY)
    assert run_cli(["check"], repo).code == 0
    (path,) = cache.glob("revisions-*.marshal")
    path.write_bytes(b"not marshal")

    assert run_cli(["check"], repo).code == 0
    assert len(cached_entries(cache)) == 3


def _entry_of_wrong_types(entries: dict[str, tuple[object, ...]]) -> dict[str, object]:
    """Every stored entry with its parents as one string: iterated, its letters."""
    return {blob: (entry[0], "bbbb", *entry[2:]) for blob, entry in entries.items()}


@pytest.mark.parametrize(
    "damage",
    [
        lambda data, entries: data[: len(data) // 2],  # truncated
        lambda data, entries: b"\x00garbage\xff" * 3,
        lambda data, entries: marshal.dumps((FORMAT, ["not", "a", "dict"], {})),
        lambda data, entries: marshal.dumps((FORMAT, {blob: None for blob in entries}, {})),
        lambda data, entries: marshal.dumps((FORMAT, {b: (1, 2) for b in entries}, {})),
        lambda data, entries: marshal.dumps((FORMAT, _entry_of_wrong_types(entries), {})),
        lambda data, entries: marshal.dumps((FORMAT, entries)),  # an older layout
    ],
    ids=["truncated", "garbage", "a-list", "none", "short", "wrong-types", "two-parts"],
)
def test_a_malformed_cache_is_an_empty_one(
    tmp_path: Path, cache: Path, damage: Callable[[bytes, dict[str, tuple[object, ...]]], bytes]
) -> None:
    repo = committed_project(tmp_path / "repo", [*HISTORY, Rev("dddd", "bbbb", "fourth")])
    first = run_cli(["check"], repo)
    (path,) = cache.glob("revisions-*.marshal")
    path.write_bytes(damage(path.read_bytes(), cached_entries(cache)))

    assert run_cli(["check"], repo) == first
    assert first.code == 1
    assert len(cached_entries(cache)) == 4


def test_a_cache_of_another_format_is_not_used(tmp_path: Path, cache: Path) -> None:
    repo = committed_project(tmp_path / "repo", HISTORY)
    assert run_cli(["check"], repo).code == 0
    (path,) = cache.glob("revisions-*.marshal")
    path.write_bytes(marshal.dumps((FORMAT + 1, {}, {})))

    assert run_cli(["check"], repo).code == 0
    assert len(cached_entries(cache)) == 3


def test_no_cache_where_it_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = committed_project(tmp_path / "repo", HISTORY)
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    monkeypatch.setenv("ALEMBIC_HEADS_CACHE_DIR", str(blocked / "cache"))

    assert run_cli(["check"], repo).code == 0
    assert sorted(os.listdir(tmp_path)) == ["a-file", "repo"]


def test_a_file_without_a_revision_line_is_not_kept(tmp_path: Path, cache: Path) -> None:
    repo = committed_project(tmp_path / "repo", HISTORY)
    (repo / "versions" / "dddd.py").write_text("down_revision = 'cccc'\n")
    commit_all(repo, "legacy file named by its id")

    assert run_cli(["check"], repo).code == 0
    assert sorted(str(entry[0]) for entry in cached_entries(cache).values()) == [
        "aaaa",
        "bbbb",
        "cccc",
    ]


def test_cache_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ALEMBIC_HEADS_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == str(tmp_path / "alembic-heads")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_dir() == str(tmp_path / ".cache" / "alembic-heads")


def test_index_blobs_vouches_only_for_unchanged_regular_files(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    for name in ("clean", "changed", "deleted", "assumed"):
        (repo / f"{name}.py").write_text(f"# {name}\n")
    (repo / "link.py").symlink_to("clean.py")
    commit_all(repo, "files")
    (repo / "changed.py").write_text("# changed again\n")
    (repo / "deleted.py").unlink()
    git(repo, "update-index", "--assume-unchanged", "assumed.py")

    blobs = git_module.index_blobs(repo, [repo])

    assert blobs == {
        str(repo / "clean.py"): git(repo, "hash-object", "clean.py").stdout.strip(),
        str(repo / "changed.py"): None,
        str(repo / "deleted.py"): None,
        str(repo / "assumed.py"): None,
        str(repo / "link.py"): None,
    }
    assert git_module.index_blobs(repo, []) == {}
    assert git_module.index_blobs(tmp_path, [tmp_path]) is None  # not a work tree


def test_paths_outside_the_working_directory(tmp_path: Path) -> None:
    repo = committed_project(tmp_path / "repo", HISTORY)
    (repo / "sub").mkdir()

    blobs = git_module.index_blobs(repo / "sub", [repo / "versions"])

    assert blobs is not None
    assert sorted(blobs) == sorted(str(repo / "versions" / rev.file_name) for rev in HISTORY)


def test_revision_cache_reads_files_git_does_not_vouch_for(tmp_path: Path, cache: Path) -> None:
    versions = write_project(tmp_path, HISTORY) / "versions"
    path = str(versions / HISTORY[0].file_name)

    script = RevisionCache([str(versions)]).read(path)

    assert script.revision == "aaaa"


def test_the_hook_needs_no_argument_parser() -> None:
    assert vars(build_parser().parse_args([])) == vars(NO_ARGUMENTS)


def test_files_of_histories_unused_for_a_month_are_removed(tmp_path: Path, cache: Path) -> None:
    repo = committed_project(tmp_path / "repo", HISTORY)
    cache.mkdir()
    old, recent = cache / "revisions-00000000.marshal", cache / "revisions-11111111.marshal"
    for path in (old, recent):
        path.write_bytes(b"")
    month_ago = time.time() - 31 * 86400
    os.utime(old, (month_ago, month_ago))

    assert run_cli(["check"], repo).code == 0

    assert old.name not in os.listdir(cache)
    assert recent.name in os.listdir(cache)
    assert len(os.listdir(cache)) == 2


def remembered_as(cache: Path, blob: str, doc: str) -> None:
    """Change what the cache says of ``blob``'s message: a run that shows ``doc``
    recalled the file instead of reading it."""
    (path,) = cache.glob("revisions-*.marshal")
    entries = cached_entries(cache)
    entries[blob] = (*entries[blob][:4], doc, *entries[blob][5:])
    path.write_bytes(marshal.dumps((FORMAT, entries, {})))


def hash_object(path: Path) -> str:
    return git(path.parent, "hash-object", "--no-filters", path.name).stdout.strip()


def two_heads(root: Path) -> Path:
    write_project(root, [*HISTORY, Rev("dddd", "bbbb", "fourth")])
    return root / "versions" / "dddd_fourth.py"


def test_outside_git_files_are_recalled_by_what_they_hold(tmp_path: Path, cache: Path) -> None:
    fourth = two_heads(tmp_path / "plain")
    assert run_cli(["check"], tmp_path / "plain").code == 1
    assert set(cached_entries(cache)) == {
        hash_object(path) for path in (tmp_path / "plain" / "versions").iterdir()
    }
    remembered_as(cache, hash_object(fourth), "remembered")

    assert "head dddd: remembered" in run_cli(["check"], tmp_path / "plain").out


def test_the_api_recalls_files_by_what_they_hold(tmp_path: Path, cache: Path) -> None:
    from alembic_heads import check_heads

    fourth = two_heads(tmp_path / "project")
    assert not check_heads(tmp_path / "project").ok
    remembered_as(cache, hash_object(fourth), "remembered")

    assert "head dddd: remembered" in check_heads(tmp_path / "project").report


def test_an_edit_keeping_size_and_times_is_read_again(tmp_path: Path, cache: Path) -> None:
    fourth = two_heads(tmp_path / "plain")
    assert run_cli(["check"], tmp_path / "plain").code == 1
    before = fourth.stat()
    fourth.write_text(fourth.read_text().replace("'bbbb'", "'cccc'"))  # same length
    os.utime(fourth, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (fourth.stat().st_size, fourth.stat().st_ino) == (before.st_size, before.st_ino)

    result = run_cli(["check"], tmp_path / "plain")

    assert (result.code, result.err) == (0, "")


def test_a_file_replaced_between_runs_is_read_again(tmp_path: Path, cache: Path) -> None:
    fourth = two_heads(tmp_path / "plain")
    assert run_cli(["check"], tmp_path / "plain").code == 1
    replacement = fourth.with_suffix(".new")
    replacement.write_text(fourth.read_text().replace("'bbbb'", "'cccc'"))
    os.replace(replacement, fourth)

    assert run_cli(["check"], tmp_path / "plain").code == 0


def test_runs_at_once_each_answer_as_a_cold_run(tmp_path: Path, cache: Path) -> None:
    two_heads(tmp_path / "plain")
    cold = run_cli(["check"], tmp_path / "plain")
    for path in cache.iterdir():
        path.unlink()  # all four start cold and save at once
    command = [sys.executable, "-m", "alembic_heads", "check"]
    runs = [
        subprocess.Popen(
            command, cwd=tmp_path / "plain", stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(4)
    ]
    answers = [(run.wait(), *(stream.decode() for stream in run.communicate())) for run in runs]

    assert answers == [(cold.code, cold.out, cold.err)] * 4
    assert run_cli(["check"], tmp_path / "plain") == cold


@pytest.fixture
def settled_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files count as settled as soon as they are written (else two seconds on)."""
    monkeypatch.setattr("alembic_heads.memo.SETTLED_SECONDS", 0.0)


def test_outside_git_an_unchanged_file_is_not_even_read(
    tmp_path: Path, cache: Path, settled_at_once: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    two_heads(tmp_path / "plain")
    first = run_cli(["check"], tmp_path / "plain")

    def not_read(*args: object) -> None:
        raise AssertionError(f"read again: {args}")

    monkeypatch.setattr("alembic_heads.cache.read_revision_bytes", not_read)

    assert run_cli(["check"], tmp_path / "plain") == first


@pytest.mark.usefixtures("settled_at_once")
def test_a_settled_file_edited_keeping_size_and_times_is_read_again(
    tmp_path: Path, cache: Path
) -> None:
    test_an_edit_keeping_size_and_times_is_read_again(tmp_path, cache)


@pytest.mark.usefixtures("settled_at_once")
def test_a_settled_file_replaced_between_runs_is_read_again(tmp_path: Path, cache: Path) -> None:
    test_a_file_replaced_between_runs_is_read_again(tmp_path, cache)


def test_a_file_changed_within_two_seconds_is_not_recalled_by_its_times(
    tmp_path: Path, cache: Path
) -> None:
    fourth = two_heads(tmp_path / "plain")
    run_cli(["check"], tmp_path / "plain")

    (path,) = cache.glob("revisions-*.marshal")
    assert str(fourth) not in marshal.loads(path.read_bytes())[2]


@pytest.mark.usefixtures("settled_at_once")
def test_damaged_times_are_not_believed(tmp_path: Path, cache: Path) -> None:
    fourth = two_heads(tmp_path / "plain")
    first = run_cli(["check"], tmp_path / "plain")
    (path,) = cache.glob("revisions-*.marshal")
    version, entries, seen = marshal.loads(path.read_bytes())
    seen[str(fourth)] = "garbage"
    seen[str(tmp_path / "plain" / "versions" / HISTORY[0].file_name)] = ((1, 2), "x")
    path.write_bytes(marshal.dumps((version, entries, seen)))

    assert run_cli(["check"], tmp_path / "plain") == first
