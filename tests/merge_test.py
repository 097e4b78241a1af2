"""``alembic-heads merge`` writes the file real ``alembic merge`` writes."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from helpers import (
    CORPUS_NAMES,
    PYTHON,
    Rev,
    alembic_answer,
    alembic_older_than,
    before_merge,
    corpus,
    git,
    require_alembic,
    run,
    run_cli,
    seed_branches,
    snapshot,
    write_project,
)

# Alembic's generic script.py.mako before annotations (1.7 - 1.12).
CLASSIC_TEMPLATE = '''\
"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

# revision identifiers, used by Alembic.
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}
'''

DATED = (
    "%%(year)d/%%(month).2d/%%(day).2d_%%(hour).2d%%(minute).2d_%%(second).2d_%%(rev)s_%%(slug)s"
)
DATED_FLAT = "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s"
RUFF = Path(sys.executable).parent / "ruff"
TWO_HEADS = [Rev("a1b2", doc="base"), Rev("c3d4", "a1b2", "left"), Rev("e5f6", "a1b2", "right")]
CREATE_DATE = re.compile(rb"^Create Date: .*$", re.MULTILINE)

LAYOUTS = {
    "classic": {"template": CLASSIC_TEMPLATE},
    "annotated": {},
    "dated-subfolder": {
        "ini": f"file_template = {DATED}\nrecursive_version_locations = true\n",
    },
    "timezone": {"ini": f"file_template = {DATED_FLAT}\ntimezone = Asia/Tokyo\n"},
    "slug-and-encoding": {
        "template": "${'# -*- coding: latin-1 -*-'}\n" + CLASSIC_TEMPLATE,
        "ini": "truncate_slug_length = 12\noutput_encoding = latin-1\n",
    },
    "post-write-hook": {
        "ini": "\n[post_write_hooks]\nhooks = ruff\nruff.type = exec\n"
        f"ruff.executable = {RUFF}\nruff.options = format -q REVISION_SCRIPT_FILENAME\n",
    },
    "module-hook": {
        "template": CLASSIC_TEMPLATE,
        "ini": "\n[post_write_hooks]\nhooks = fmt\nfmt.type = module\nfmt.module = ruff\n"
        "fmt.options = format -q REVISION_SCRIPT_FILENAME\n",
    },
}

# The Alembic that the oracle, ``alembic merge``, needs for each layout.
NEEDS = {
    "dated-subfolder": ("1.18", "alembic merge making a dated file_template's folders"),
    "timezone": ("1.13", "timezone support without python-dateutil"),
    "post-write-hook": ("1.12", "the exec post-write hook"),
    "module-hook": ("1.16.3", "the module post-write hook"),
}


def _project(root: Path, layout: str) -> Path:
    spec = LAYOUTS[layout]
    write_project(root, TWO_HEADS, ini_extra=spec.get("ini", ""))
    if "template" in spec:
        (root / "script.py.mako").write_text(spec["template"])
    return root


def _new_files(root: Path, before: dict[str, bytes]) -> dict[str, bytes]:
    after = snapshot(root)
    assert set(before) <= set(after)
    assert all(after[name] == data for name, data in before.items())
    return {name: data for name, data in after.items() if name not in before}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_writes_what_alembic_merge_writes(tmp_path: Path, layout: str) -> None:
    if layout in NEEDS:
        require_alembic(*NEEDS[layout])
    message = "join café and ünïcode heads, then some more words"
    argv = ["merge", "--rev-id", "0123abcd", "-m", message, "c3d4", "e5f6"]
    ours, theirs = _project(tmp_path / "ours", layout), _project(tmp_path / "alembic", layout)
    before_ours, before_theirs = snapshot(ours), snapshot(theirs)

    result = run_cli(argv, ours)
    alembic = run([PYTHON, "-m", "alembic", *argv], theirs)

    assert alembic.returncode == 0, alembic.stderr
    [(our_name, our_data)] = _new_files(ours, before_ours).items()
    [(their_name, their_data)] = _new_files(theirs, before_theirs).items()
    assert (result.code, result.out, result.err) == (0, f"Writing {our_name}\n", "")
    assert re.sub(r"\d", "#", our_name) == re.sub(r"\d", "#", their_name)
    assert CREATE_DATE.sub(b"", our_data) == CREATE_DATE.sub(b"", their_data)
    assert CREATE_DATE.search(our_data)
    assert alembic_answer(ours)["heads"] == ["0123abcd"]


def test_pyproject_config_with_hook_list(tmp_path: Path) -> None:
    require_alembic("1.16", "[tool.alembic]")
    toml = (
        "[tool.alembic]\n"
        'script_location = "%(here)s"\n'
        'file_template = "%%(rev)s-%%(slug)s"\n'
        "[[tool.alembic.post_write_hooks]]\n"
        'name = "ruff"\ntype = "exec"\n'
        f'executable = "{RUFF}"\noptions = "format -q REVISION_SCRIPT_FILENAME"\n'
    )
    argv = ["merge", "--rev-id", "feed", "-m", "merge", "c3d4", "e5f6"]
    trees = []
    for name in ("ours", "alembic"):
        root = write_project(tmp_path / name, TWO_HEADS, ini=False)
        (root / "pyproject.toml").write_text(toml)
        trees.append((root, snapshot(root)))

    result = run_cli(argv, trees[0][0])
    assert run([PYTHON, "-m", "alembic", *argv], trees[1][0]).returncode == 0

    ours, theirs = (_new_files(root, before) for root, before in trees)
    assert result.out == "Writing versions/feed-merge.py\n"
    assert list(ours) == list(theirs) == ["versions/feed-merge.py"]
    assert CREATE_DATE.sub(b"", ours["versions/feed-merge.py"]) == CREATE_DATE.sub(
        b"", theirs["versions/feed-merge.py"]
    )


def test_pyproject_config_needs_an_alembic_that_reads_it(tmp_path: Path) -> None:
    import alembic

    if not alembic_older_than("1.16"):
        pytest.skip(f"Alembic {alembic.__version__} reads [tool.alembic]: nothing to refuse")
    root = write_project(tmp_path, TWO_HEADS, ini=False)
    (root / "pyproject.toml").write_text('[tool.alembic]\nscript_location = "%(here)s"\n')

    result = run_cli(["merge"], root)

    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"alembic-heads: pyproject.toml: Alembic {alembic.__version__} cannot read "
        "[tool.alembic] (Alembic 1.16 can)\n"
    )


def test_default_merges_every_head_with_a_message_naming_them(tmp_path: Path) -> None:
    write_project(tmp_path, TWO_HEADS)

    result = run_cli(["merge", "--rev-id", "m1"], tmp_path)

    assert (result.code, result.out) == (0, "Writing versions/m1_merge_c3d4_and_e5f6.py\n")
    text = (tmp_path / "versions/m1_merge_c3d4_and_e5f6.py").read_text()
    assert text.startswith('"""merge c3d4 and e5f6\n\nRevision ID: m1\nRevises: c3d4, e5f6\n')
    assert "('c3d4', 'e5f6')" in text  # as the installed Alembic's template writes it
    assert run_cli(["check"], tmp_path).code == 0


def test_generated_rev_id_is_alembics_format(tmp_path: Path) -> None:
    write_project(tmp_path, TWO_HEADS)

    result = run_cli(["merge"], tmp_path)

    assert re.fullmatch(r"Writing versions/[0-9a-f]{12}_merge_c3d4_and_e5f6\.py\n", result.out)


def test_resolves_prefixes_labels_and_heads(tmp_path: Path) -> None:
    revs = [
        Rev("aaaa1111"),
        Rev("bbbb2222", "aaaa1111", branch_labels="left"),
        Rev("cccc3333", "aaaa1111"),
    ]
    write_project(tmp_path, revs)

    by_label = run_cli(["merge", "--rev-id", "m1", "-m", "x", "left", "cccc"], tmp_path)
    (tmp_path / "versions/m1_x.py").unlink()
    by_heads = run_cli(["merge", "--rev-id", "m2", "-m", "y", "heads"], tmp_path)
    (tmp_path / "versions/m2_y.py").unlink()
    by_label_head = run_cli(["merge", "--rev-id", "m3", "-m", "z", "left@head", "cccc"], tmp_path)

    assert [by_label.code, by_heads.code, by_label_head.code] == [0, 0, 0]
    assert "Revises: bbbb2222, cccc3333" in (tmp_path / "versions/m3_z.py").read_text()


def _refusal(tmp_path: Path, revs: list[Rev], *argv: str) -> str:
    write_project(tmp_path, revs)
    before = snapshot(tmp_path)
    result = run_cli(["merge", *argv], tmp_path)
    assert snapshot(tmp_path) == before
    assert (result.code, result.out) == (2, "")
    assert result.err.count("\n") == 1
    return result.err


@pytest.mark.parametrize(
    ("revs", "argv", "error"),
    [
        (TWO_HEADS[:2], [], "nothing to merge: alembic.ini has one head (c3d4)"),
        (TWO_HEADS, ["c3d4"], "nothing to merge: a merge needs at least two revisions, got c3d4"),
        (TWO_HEADS, ["c3d4", "c3d4"], "duplicate head revisions specified: c3d4 c3d4"),
        (
            TWO_HEADS,
            ["a1b2", "c3d4"],
            "revision a1b2 is not a head revision (revision c3d4 is based on it): "
            "merging it would add a branch",
        ),
        (
            TWO_HEADS,
            ["zz"],
            "no such revision or branch 'zz'; give at least four characters of a revision id",
        ),
        (TWO_HEADS, ["zzzzz"], "no such revision or branch 'zzzzz'"),
        (
            [Rev("abcd1"), Rev("abcd2", "abcd1")],
            ["abcd"],
            "multiple revisions start with 'abcd': 'abcd1', 'abcd2'...",
        ),
        (
            TWO_HEADS,
            ["--rev-id", "a-b"],
            "character(s) '-' not allowed in revision identifier 'a-b'",
        ),
        (TWO_HEADS, ["--rev-id", "a1b2"], "revision id a1b2 exists already"),
        (
            [Rev("a1b2"), Rev("c3d4", "a1b2", branch_labels="lab"), Rev("e5f6", "a1b2")],
            ["--rev-id", "lab", "c3d4", "e5f6"],
            "revision id lab is a branch label already",
        ),
        (
            [*TWO_HEADS, Rev("x", "gone")],
            [],
            "cannot merge: versions/x_change.py:14: down_revision 'gone' of revision x names "
            "a revision that does not exist",
        ),
    ],
)
def test_refusals(tmp_path: Path, revs: list[Rev], argv: list[str], error: str) -> None:
    err = _refusal(tmp_path, revs, *argv)
    assert err.startswith("alembic-heads: " + error)


def test_an_existing_target_file_is_refused(tmp_path: Path) -> None:
    write_project(tmp_path, TWO_HEADS)
    (tmp_path / "versions" / "__init__.py").write_text("")  # ignored by Alembic
    (tmp_path / "alembic.ini").write_text(
        (tmp_path / "alembic.ini").read_text() + "file_template = __init__\n"
    )
    before = snapshot(tmp_path)

    result = run_cli(["merge", "--rev-id", "m1"], tmp_path)

    assert (
        result.err == f"alembic-heads: {tmp_path}/versions/__init__.py already exists: "
        "not overwriting it\n"
    )
    assert snapshot(tmp_path) == before


def test_hook_mode(tmp_path: Path) -> None:
    write_project(tmp_path, TWO_HEADS)

    first = run_cli(["merge", "--hook", "--rev-id", "m1"], tmp_path)
    second = run_cli(["merge", "--hook"], tmp_path)

    assert (first.code, first.out) == (1, "Writing versions/m1_merge_c3d4_and_e5f6.py\n")
    assert (second.code, second.out, second.err) == (0, "", "")


def test_folder_environments_each_get_their_merge(tmp_path: Path) -> None:
    for name in ("one", "two"):
        write_project(tmp_path / name, TWO_HEADS, ini=False)
    write_project(tmp_path / "three", TWO_HEADS[:2], ini=False)
    healthy = run_cli(["merge", "--hook"], tmp_path / "three")

    result = run_cli(["merge", "--rev-id", "m1"], tmp_path)
    named = run_cli(["merge", "c3d4", "e5f6"], tmp_path)
    chosen = run_cli(["merge", "--versions", "three/versions", "--rev-id", "m2", "a1b2"], tmp_path)

    assert result.out == (
        "Writing one/versions/m1_merge_c3d4_and_e5f6.py\n"
        "Writing two/versions/m1_merge_c3d4_and_e5f6.py\n"
    )
    assert named.err == (
        "alembic-heads: several Alembic environments (one/versions, three/versions, "
        "two/versions): pass -c CONFIG or --versions\n"
    )
    assert chosen.err == (
        "alembic-heads: nothing to merge: a merge needs at least two revisions, got a1b2\n"
    )
    assert (healthy.code, healthy.out) == (0, "")
    assert run_cli(["merge"], tmp_path).err == (
        "alembic-heads: nothing to merge: every revision graph has one head\n"
    )


def test_label_problems_need_named_revisions(tmp_path: Path) -> None:
    two_labels = [
        Rev("r1", branch_labels="x"),
        Rev("r2", "r1"),
        Rev("r3", "r1"),
        Rev("s1", branch_labels="y"),
        Rev("s2", "s1"),
        Rev("s3", "s1"),
    ]
    stray = [Rev("r1", branch_labels="x"), Rev("s1")]

    several = _refusal(tmp_path / "a", two_labels)
    unlabelled = _refusal(tmp_path / "b", stray)

    assert several == (
        "alembic-heads: alembic.ini: several branches have more than one head "
        "(r2, r3; s2, s3): name the revisions to merge\n"
    )
    assert unlabelled == (
        "alembic-heads: alembic.ini: head(s) s1 are outside every labelled branch: "
        "name the revisions to merge\n"
    )


def test_config_and_template_problems(tmp_path: Path) -> None:
    require_alembic("1.13", "timezone support without python-dateutil")
    write_project(tmp_path, TWO_HEADS, ini_extra="truncate_slug_length = many\n")
    bad_option = run_cli(["merge"], tmp_path)
    write_project(tmp_path, TWO_HEADS, ini_extra="timezone = Nowhere/Atlantis\n")
    bad_zone = run_cli(["merge"], tmp_path)
    write_project(tmp_path, TWO_HEADS)
    (tmp_path / "script.py.mako").write_text("${undefined_name.attribute}\n")
    bad_template = run_cli(["merge"], tmp_path)
    (tmp_path / "script.py.mako").unlink()
    no_template = run_cli(["merge"], tmp_path)

    assert bad_option.err == (
        "alembic-heads: alembic.ini: invalid literal for int() with base 10: 'many'\n"
    )
    assert bad_zone.err == "alembic-heads: alembic.ini: Can't locate timezone: Nowhere/Atlantis\n"
    assert bad_template.err.startswith(
        f"alembic-heads: {tmp_path}/script.py.mako: rendering failed: "
    )
    assert (
        no_template.err
        == f"alembic-heads: no script.py.mako in {tmp_path}: cannot write a revision\n"
    )
    assert len(os.listdir(tmp_path / "versions")) == 3


def test_multiple_version_locations_use_the_first_heads_folder(tmp_path: Path) -> None:
    write_project(tmp_path, TWO_HEADS[:2])
    (tmp_path / "other").mkdir()
    shutil.move(tmp_path / "versions" / "c3d4_left.py", tmp_path / "other" / "c3d4_left.py")
    (tmp_path / "versions" / "e5f6_right.py").write_text(
        "revision = 'e5f6'\ndown_revision = 'a1b2'\n"
    )
    with (tmp_path / "alembic.ini").open("a") as ini:
        ini.write("version_locations = %(here)s/other:%(here)s/versions\n")

    result = run_cli(["merge", "--rev-id", "m1", "c3d4", "e5f6"], tmp_path)

    assert result.out == "Writing other/m1_merge_c3d4_and_e5f6.py\n"


def test_post_write_hook_problems(tmp_path: Path) -> None:
    hooks = {
        "no-type": "hooks = fmt\nfmt.executable = ruff\n",
        "unknown": "hooks = fmt\nfmt.type = nothing\n",
        "missing": "hooks = fmt\nfmt.type = console_scripts\nfmt.entrypoint = no-such-tool\n",
    }
    errors = {}
    for name, section in hooks.items():
        write_project(tmp_path / name, TWO_HEADS, ini_extra=f"\n[post_write_hooks]\n{section}")
        errors[name] = run_cli(["merge", "--rev-id", "m1"], tmp_path / name)

    assert {name: (run.code, run.err) for name, run in errors.items()} == {
        "no-type": (
            2,
            "alembic-heads: post write hook 'fmt': key 'fmt.type' (or 'type' in toml) "
            "is required\n",
        ),
        "unknown": (
            2,
            "alembic-heads: post write hook 'fmt': No formatter with name 'nothing' registered\n",
        ),
        "missing": (
            2,
            "alembic-heads: post write hook 'fmt': Could not find entrypoint "
            "console_scripts.no-such-tool\n",
        ),
    }
    # the revision itself is written (as Alembic leaves it) and announced
    assert errors["missing"].out == "Writing versions/m1_merge_c3d4_and_e5f6.py\n"


def test_console_scripts_hook_falls_back_to_the_tool_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    section = (
        "hooks = fmt\nfmt.type = console_scripts\nfmt.entrypoint = ruff\nfmt.options = format -q\n"
    )
    write_project(tmp_path, TWO_HEADS, ini_extra=f"\n[post_write_hooks]\n{section}")
    (tmp_path / "script.py.mako").write_text(CLASSIC_TEMPLATE.replace("import sa", "import  sa"))
    monkeypatch.setenv("PATH", f"{RUFF.parent}{os.pathsep}{os.environ['PATH']}")
    result = run_cli(["merge", "--rev-id", "m1"], tmp_path)

    assert result.code == 0
    assert (
        "import sqlalchemy as sa\n" in (tmp_path / "versions/m1_merge_c3d4_and_e5f6.py").read_text()
    )


def test_seed_story_merged_in_git(tmp_path: Path) -> None:
    repo = seed_branches(tmp_path / "repo")
    git(repo, "merge", "-q", "--no-edit", "dev2")
    assert run_cli(["check"], repo).code == 1

    result = run_cli(["merge", "--rev-id", "m1"], repo)
    git(repo, "add", "-A")

    assert result.out == "Writing versions/m1_merge_d_and_f.py\n"
    assert run_cli(["check"], repo).code == 0
    assert run([PYTHON, "-m", "alembic", "heads"], repo).stdout == "m1 (head)\n"


def test_an_unreadable_file_stops_the_merge(tmp_path: Path) -> None:
    write_project(tmp_path, TWO_HEADS)
    (tmp_path / "versions" / "x.py").write_text("revision = 'x'\ndown_revision = f'{1}'\n")

    result = run_cli(["merge"], tmp_path)

    assert result.err == (
        "alembic-heads: cannot merge: versions/x.py:2: down_revision is not a "
        "literal (f'{1}'); alembic-heads reads revision files without running them\n"
    )


def test_a_first_head_outside_the_version_locations_is_refused(tmp_path: Path) -> None:
    write_project(tmp_path, TWO_HEADS[:2], recursive=True)
    (tmp_path / "other").mkdir()
    (tmp_path / "versions" / "sub").mkdir()
    shutil.move(tmp_path / "versions" / "c3d4_left.py", tmp_path / "versions" / "sub" / "c.py")
    (tmp_path / "other" / "e5f6.py").write_text("revision = 'e5f6'\ndown_revision = 'a1b2'\n")
    with (tmp_path / "alembic.ini").open("a") as ini:
        ini.write("version_locations = %(here)s/versions:%(here)s/other\n")

    err = _refusal_in(tmp_path, "c3d4", "e5f6")

    assert err == (
        f"alembic-heads: path {tmp_path}/versions/sub is not represented in current "
        "version locations\n"
    )


def _refusal_in(root: Path, *argv: str) -> str:
    before = snapshot(root)
    result = run_cli(["merge", *argv], root)
    assert snapshot(root) == before
    assert (result.code, result.out) == (2, "")
    return result.err


@pytest.mark.parametrize(
    ("name", "index"),
    [(name, i) for name in CORPUS_NAMES for i, _ in enumerate(corpus(name)["two_head_moments"])],
)
def test_real_histories_merge_as_alembic_merges_them(tmp_path: Path, name: str, index: int) -> None:
    data = corpus(name)
    moment = data["two_head_moments"][index]
    kept = before_merge(name, index)
    recursive = data["recursive_version_locations"]
    trees = [write_project(tmp_path / side, kept, recursive=recursive) for side in ("a", "b")]
    heads = sorted(moment["heads_without_merge"])
    argv = ["merge", "--rev-id", "abcdef012345", "-m", "merge heads", *heads]

    ours = run_cli(argv, trees[0])
    theirs = run([PYTHON, "-m", "alembic", *argv], trees[1])

    assert ours.code == theirs.returncode == 0
    path = "versions/abcdef012345_merge_heads.py"
    assert ours.out == f"Writing {path}\n"
    mine, alembics = ((tree / path).read_bytes() for tree in trees)
    assert CREATE_DATE.sub(b"", mine) == CREATE_DATE.sub(b"", alembics)
