"""`alembic-heads check`: exact reports and exit codes, on real files and real git."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import (
    PYTHON,
    Rev,
    alembic_answer,
    committed_project,
    git,
    init_repo,
    render_revision,
    run,
    run_cli,
    write_project,
    write_revision,
)

ABC = [
    Rev("aaaa", None, "create users"),
    Rev("bbbb", "aaaa", "add email"),
    Rev("cccc", "bbbb", "add orders"),
]
TWO_HEADS = [
    *ABC,
    Rev("dddd", "cccc", "add D"),
    Rev("eeee", "cccc", "add E"),
    Rev("ffff", "eeee", "add F"),
]


def test_one_head_is_silent(tmp_path: Path) -> None:
    write_project(tmp_path, ABC)

    result = run_cli(["check"], tmp_path)

    assert (result.code, result.out, result.err) == (0, "", "")


def test_two_heads_report(tmp_path: Path) -> None:
    write_project(tmp_path, TWO_HEADS)

    result = run_cli(["check"], tmp_path)

    assert result.code == 1
    assert result.out == (
        "alembic.ini: Multiple head revisions are present: 2 heads, "
        "`alembic upgrade head` will fail\n"
        "versions/dddd_add_D.py:13: head dddd: add D\n"
        "versions/ffff_add_F.py:13: head ffff: add F\n"
        "    the branches split after cccc (add orders):\n"
        "      * dddd (head) add D\n"
        "      | * ffff (head) add F\n"
        "      | * eeee add E\n"
        "      |/\n"
        "      * cccc (branchpoint) add orders\n"
        "      ~\n"
        "    merge them into one head:\n"
        "      alembic merge -m 'merge dddd and ffff' dddd ffff\n"
        "    or, if dddd is not deployed anywhere yet, move it onto ffff instead:\n"
        "      set down_revision = 'ffff' in versions/dddd_add_D.py:14\n"
    )
    assert alembic_answer(tmp_path)["heads"] == ["dddd", "ffff"]


def test_long_branches_are_elided(tmp_path: Path) -> None:
    chain = [Rev(f"e{i:03d}", f"e{i - 1:03d}" if i else "cccc", f"step {i}") for i in range(9)]
    write_project(tmp_path, [*ABC, Rev("dddd", "cccc", "add D"), *chain])

    out = run_cli(["check"], tmp_path).out

    assert (
        "      | * e008 (head) step 8\n"
        "      | * e007 step 7\n"
        "      | : ... 6 more revisions\n"
        "      | * e000 step 0\n"
    ) in out
    assert "    or, if dddd is not deployed anywhere yet, move it onto e008 instead:\n" in out


def test_three_heads_and_separate_bases(tmp_path: Path) -> None:
    write_project(tmp_path, [*ABC, Rev("dddd", "cccc"), Rev("xxxx", None), Rev("eeee", "cccc")])

    out = run_cli(["check"], tmp_path).out

    assert "3 heads" in out
    assert "    the branches share no revision (they start from separate bases):\n" in out
    assert "      alembic merge -m 'merge dddd, eeee and xxxx' dddd eeee xxxx\n" in out
    assert "move it onto" not in out


def test_depends_on_does_not_hide_a_head(tmp_path: Path) -> None:
    write_project(tmp_path, [*ABC, Rev("dddd", "cccc"), Rev("eeee", "cccc", depends_on="dddd")])

    result = run_cli(["check"], tmp_path)

    assert alembic_answer(tmp_path)["heads"] == ["dddd", "eeee"]
    assert alembic_answer(tmp_path)["effective_heads"] == ["eeee"]
    assert result.code == 1
    assert "      alembic merge -m 'merge dddd and eeee' dddd eeee\n" in result.out


EXPAND_CONTRACT = [
    Rev("base", None, "initial"),
    Rev("exp1", "base", "expand start", branch_labels="expand"),
    Rev("con1", "base", "contract start", branch_labels=("contract",)),
    Rev("exp2", "exp1", "expand more"),
]


def test_labelled_branches_pass_with_one_head_each(tmp_path: Path) -> None:
    write_project(tmp_path, EXPAND_CONTRACT)

    assert alembic_answer(tmp_path)["label_heads"] == {"contract": ["con1"], "expand": ["exp2"]}
    assert run_cli(["check"], tmp_path).code == 0


def test_labelled_branch_with_a_second_head_fails(tmp_path: Path) -> None:
    write_project(tmp_path, [*EXPAND_CONTRACT, Rev("exp3", "exp1", "expand again")])

    result = run_cli(["check"], tmp_path)

    assert alembic_answer(tmp_path)["label_heads"]["expand"] == ["exp2", "exp3"]
    assert result.code == 1
    assert result.out.splitlines()[:3] == [
        "alembic.ini: Multiple head revisions are present on branch 'expand': 2 heads, "
        "`alembic upgrade expand@head` will fail",
        "versions/exp2_expand_more.py:13: head exp2: expand more",
        "versions/exp3_expand_again.py:13: head exp3: expand again",
    ]
    assert "      alembic merge -m 'merge exp2 and exp3' exp2 exp3" in result.out


def test_head_outside_every_labelled_branch_fails(tmp_path: Path) -> None:
    write_project(tmp_path, [*EXPAND_CONTRACT, Rev("stray", "base", "stray")])

    result = run_cli(["check"], tmp_path)

    assert result.code == 1
    assert result.out.splitlines()[:2] == [
        "alembic.ini: Multiple head revisions are present: 1 head outside every labelled branch",
        "versions/stray_stray.py:13: head stray: stray",
    ]
    assert "every head must be on a labelled branch (contract, expand)" in result.out
    assert "alembic merge" not in result.out


def test_max_heads(tmp_path: Path) -> None:
    write_project(tmp_path, TWO_HEADS)

    assert run_cli(["check", "--max-heads", "2"], tmp_path).code == 0
    result = run_cli(["check", "--max-heads", "1"], tmp_path)
    assert result.code == 1
    write_revision(tmp_path / "versions", Rev("gggg", "cccc"))
    result = run_cli(["check", "--max-heads", "2"], tmp_path)
    assert result.code == 1
    assert result.out.startswith(
        "alembic.ini: Multiple head revisions are present: 3 heads, more than --max-heads 2\n"
    )


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_max_heads_bad_value_is_a_usage_error(tmp_path: Path, value: str) -> None:
    write_project(tmp_path, ABC)

    result = run_cli(["check", "--max-heads", value], tmp_path)

    assert result.code == 2
    assert "argument --max-heads" in result.err
    assert "Traceback" not in result.err


def test_max_heads_is_the_escape_hatch_for_non_literal_labels(tmp_path: Path) -> None:
    """Issue 18: with --max-heads the graph is built, the labels unknown."""
    write_project(tmp_path, ABC)
    (tmp_path / "versions" / "dddd_x.py").write_text(
        "import labels\nrevision = 'dddd'\ndown_revision = 'cccc'\nbranch_labels = labels.X\n"
    )

    without = run_cli(["check"], tmp_path)
    result = run_cli(["check", "--max-heads", "2"], tmp_path)

    assert without.code == 1
    assert without.out == (
        "versions/dddd_x.py:4: branch_labels is not a literal (labels.X); alembic-heads reads "
        "revision files without running them\n"
        "    write the value as a string, a tuple of strings or None, or a constant of a "
        "module of this repository (read without running it); or pass --max-heads N to "
        "count heads, labels aside\n"
    )
    assert (result.code, result.out) == (0, "")


# -- integrity findings: path:line, message, exit 1 --------------------------


def check_out(tmp_path: Path, revs: list[Rev], extra: dict[str, str] | None = None) -> str:
    write_project(tmp_path, revs)
    for name, text in (extra or {}).items():
        (tmp_path / "versions" / name).write_text(text)
    result = run_cli(["check"], tmp_path)
    assert result.code == 1, result
    assert result.err == ""
    return result.out


def test_missing_down_revision_suggests_the_file_name_match(tmp_path: Path) -> None:
    out = check_out(tmp_path, [*ABC, Rev("dddd", "cccc_add_orders")])

    assert out == (
        "versions/dddd_change.py:14: down_revision 'cccc_add_orders' of revision dddd names "
        "a revision that does not exist\n"
        "    did you mean 'cccc' (versions/cccc_add_orders.py)?\n"
    )


def test_missing_down_revision_suggests_the_prefix_match(tmp_path: Path) -> None:
    out = check_out(tmp_path, [*ABC, Rev("dddd", "ccc")])

    assert "names a revision that does not exist\n" in out
    assert "did you mean" not in out  # three characters are too few to guess from
    out = check_out(tmp_path, [*ABC, Rev("dddd", "cccc0")])
    assert "    did you mean 'cccc' (versions/cccc_add_orders.py)?\n" in out


def test_empty_down_revision(tmp_path: Path) -> None:
    out = check_out(tmp_path, [*ABC, Rev("dddd", "")])

    assert out == (
        "versions/dddd_change.py:14: down_revision '' of revision dddd names a revision "
        "that does not exist\n"
        "    write down_revision = None for a first revision, or the id of its parent\n"
    )


def test_unknown_parent_without_a_guess(tmp_path: Path) -> None:
    out = check_out(tmp_path, [*ABC, Rev("dddd", "zzzz")])

    assert out.endswith(
        "    restore the missing revision file, or point down_revision at an existing revision\n"
    )


def test_missing_dependency(tmp_path: Path) -> None:
    out = check_out(tmp_path, [*ABC, Rev("dddd", "cccc", depends_on="nope")])

    assert out == (
        "versions/dddd_change.py:16: depends_on 'nope' of revision dddd names neither a "
        "revision nor a branch label\n"
    )


def test_depends_on_a_branch_label(tmp_path: Path) -> None:
    write_project(tmp_path, [*EXPAND_CONTRACT[:3], Rev("con2", "con1", depends_on="expand")])

    assert alembic_answer(tmp_path)["effective_heads"] == ["con2"]
    assert run_cli(["check"], tmp_path).code == 0


def test_duplicate_revision_names_both_files(tmp_path: Path) -> None:
    out = check_out(tmp_path, [*ABC, Rev("cccc", "bbbb", "again", file="zz_again.py")])

    assert out == (
        "versions/zz_again.py:13: revision cccc is defined twice: also in "
        "versions/cccc_add_orders.py:13\n"
        "    give one of them a new id (and update the down_revision that names it)\n"
    )


def test_cycle(tmp_path: Path) -> None:
    out = check_out(tmp_path, [Rev("aaaa", "cccc"), Rev("bbbb", "aaaa"), Rev("cccc", "bbbb")])

    assert out == (
        "versions/aaaa_change.py:14: cycle in the revision graph: aaaa -> cccc -> bbbb -> aaaa "
        "(each names the next in down_revision or depends_on)\n"
    )


def test_self_reference_is_a_cycle(tmp_path: Path) -> None:
    out = check_out(tmp_path, [Rev("aaaa", "aaaa")])

    assert "cycle in the revision graph: aaaa -> aaaa" in out


def test_dependency_cycle(tmp_path: Path) -> None:
    out = check_out(tmp_path, [Rev("aaaa", None, depends_on="bbbb"), Rev("bbbb", "aaaa")])

    assert "cycle in the revision graph: aaaa -> bbbb -> aaaa" in out


def test_file_without_revision(tmp_path: Path) -> None:
    out = check_out(tmp_path, ABC, {"helpers.py": "def util():\n    pass\n"})

    assert out == (
        "versions/helpers.py:1: no 'revision' identifier: Alembic cannot load this file "
        "from a versions folder\n"
        "    declare revision = '<id>', or move a file that is not a revision out of the "
        "versions folder\n"
    )


def test_file_without_down_revision(tmp_path: Path) -> None:
    out = check_out(tmp_path, ABC, {"dddd_x.py": "revision = 'dddd'\n"})

    assert out == (
        "versions/dddd_x.py:1: revision dddd has no down_revision: Alembic cannot load it\n"
        "    add down_revision = None for a first revision, or the id of its parent\n"
    )


def test_duplicate_branch_label(tmp_path: Path) -> None:
    out = check_out(tmp_path, [*EXPAND_CONTRACT, Rev("exp3", "exp2", branch_labels="contract")])

    assert out == (
        "versions/exp3_change.py:15: branch label 'contract' of revision exp3 is already a "
        "branch label of con1 (versions/con1_contract_start.py:15)\n"
    )


def test_branch_label_that_is_a_revision_id(tmp_path: Path) -> None:
    out = check_out(tmp_path, [*ABC, Rev("dddd", "cccc", branch_labels="aaaa")])

    assert "branch label 'aaaa' of revision dddd is already a revision id aaaa" in out


def test_syntax_error_and_conflict_markers_stop_the_graph_check(tmp_path: Path) -> None:
    conflicted = render_revision(Rev("dddd", "cccc")).replace(
        "down_revision = 'cccc'\n",
        "<<<<<<< HEAD\ndown_revision = 'cccc'\n=======\ndown_revision = 'bbbb'\n>>>>>>> dev\n",
    )
    out = check_out(
        tmp_path,
        [*ABC, Rev("eeee", "cccc")],
        {"dddd_x.py": conflicted, "ffff_x.py": "revision = 'ffff'\ndown_revision = (\n"},
    )

    assert out == (
        "versions/dddd_x.py:14: unresolved merge conflict marker '<<<<<<<'\n"
        "    resolve the conflict in this file, then stage it\n"
        "versions/ffff_x.py:2: syntax error: '(' was never closed\n"
    )


COMPILER_ERRORS = {
    "return 1\n": "3: syntax error: 'return' outside function",
    "for x in y:\n    pass\nbreak\n": "5: syntax error: 'break' outside loop",
    "yield 1\n": "3: syntax error: 'yield' outside function",
    "nonlocal x\n": "3: syntax error: nonlocal declaration not allowed at module level",
    "def f(a, a):\n    pass\n": "3: syntax error: duplicate argument 'a' in function definition",
}


@pytest.mark.parametrize("body", COMPILER_ERRORS)
def test_code_that_parses_but_does_not_compile_stops_alembic_and_the_check(
    tmp_path: Path, body: str
) -> None:
    """Python's parser accepts these; its compiler, and so Alembic's import, does not."""
    out = check_out(
        tmp_path, ABC, {"dddd_x.py": f"revision = 'dddd'\ndown_revision = 'cccc'\n{body}"}
    )

    assert out == f"versions/dddd_x.py:{COMPILER_ERRORS[body]}\n"
    with pytest.raises(SyntaxError):
        alembic_answer(tmp_path)


def test_a_warning_of_the_compiler_is_not_printed(tmp_path: Path) -> None:
    body = "def f(x):\n    return x is 'a'\n"
    write_project(tmp_path, ABC)
    (tmp_path / "versions" / "dddd_x.py").write_text(
        f"revision = 'dddd'\ndown_revision = 'cccc'\n{body}"
    )

    result = run([PYTHON, "-W", "default", "-m", "alembic_heads", "check"], tmp_path)

    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_not_literal_revision(tmp_path: Path) -> None:
    out = check_out(tmp_path, ABC, {"dddd_x.py": "revision = make_id()\ndown_revision = 'cccc'\n"})

    assert out.startswith("versions/dddd_x.py:1: revision is not a literal (make_id()); ")


# -- which files: git's view, the configuration, folders ----------------------


def test_untracked_file_is_not_part_of_the_commit(tmp_path: Path) -> None:
    committed_project(tmp_path, ABC, "abc")
    write_revision(tmp_path / "versions", Rev("dddd", "bbbb", "stray"))

    assert run_cli(["check"], tmp_path).code == 0
    git(tmp_path, "add", "versions/dddd_stray.py")
    result = run_cli(["check"], tmp_path)
    assert result.code == 1
    assert "head dddd: stray" in result.out


def test_outside_git_every_file_counts(tmp_path: Path) -> None:
    write_project(tmp_path, [*ABC, Rev("dddd", "bbbb")])

    assert run_cli(["check"], tmp_path).code == 1


def test_recursive_version_locations(tmp_path: Path) -> None:
    nested = Rev("dddd", "cccc", file="2024/dddd_nested.py")
    write_project(tmp_path, [*ABC, nested, Rev("eeee", "cccc")])

    assert run_cli(["check"], tmp_path).code == 0  # not recursive: nested file unseen
    write_project(tmp_path, [], recursive=True)
    result = run_cli(["check"], tmp_path)
    assert result.code == 1
    assert "versions/2024/dddd_nested.py:13: head dddd" in result.out
    assert alembic_answer(tmp_path)["heads"] == ["dddd", "eeee"]


def test_version_locations_and_named_section(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    write_project(tmp_path / "db", ABC)
    (tmp_path / "more").mkdir()
    write_revision(tmp_path / "more", Rev("dddd", "bbbb", "elsewhere"))
    (tmp_path / "multi.ini").write_text(
        "[main_db]\nscript_location = %(here)s/db\npath_separator = os\n"
        "version_locations = %(here)s/db/versions:%(here)s/more\n"
    )

    result = run_cli(["check", "-c", "multi.ini", "-n", "main_db"], tmp_path)

    assert result.code == 1
    assert result.out.splitlines()[1:3] == [
        "db/versions/cccc_add_orders.py:13: head cccc: add orders",
        "more/dddd_elsewhere.py:13: head dddd: elsewhere",
    ]
    assert "      alembic -c multi.ini -n main_db merge -m 'merge cccc and dddd' cccc dddd" in (
        result.out
    )
    assert alembic_answer(tmp_path / "db")["heads"] == ["cccc"]


def test_folder_without_config(tmp_path: Path) -> None:
    write_project(tmp_path / "migrations", TWO_HEADS, ini=False)

    by_discovery = run_cli(["check"], tmp_path)
    by_file = run_cli(["check", "migrations/versions/dddd_add_D.py"], tmp_path)

    assert by_discovery.code == by_file.code == 1
    assert by_discovery.out == by_file.out
    assert by_file.out.startswith("migrations/versions: Multiple head revisions are present")


@pytest.mark.parametrize(
    ("argv", "files", "message"),
    [
        (["check"], {}, "alembic-heads: no Alembic environment found in "),
        (["check", "-c", "nope.ini"], {}, "alembic-heads: config file not found: nope.ini\n"),
        (
            ["check"],
            {"alembic.ini": "[alembic]\nsqlalchemy.url = x\n"},
            "alembic-heads: alembic.ini: no 'script_location' key found in configuration\n",
        ),
        (
            ["check"],
            {"alembic.ini": "[alembic]\nscript_location = nowhere\n"},
            "alembic-heads: alembic.ini: script_location nowhere does not exist (",
        ),
        (
            ["check", "-n", "other"],
            {"alembic.ini": "[alembic]\nscript_location = .\n"},
            "alembic-heads: alembic.ini: no section [other]\n",
        ),
        (
            ["check"],
            {"alembic.ini": "[alembic]\nscript_location = myapp:migrations\n"},
            "alembic-heads: alembic.ini: cannot find package 'myapp' of 'myapp:migrations'",
        ),
        (
            ["check"],
            {"alembic.ini": "[alembic]\nscript_location = %(nope)s\n"},
            "alembic-heads: alembic.ini: Bad value substitution",
        ),
        (["check", "nothing.py"], {}, "alembic-heads: nothing.py: no such file or directory\n"),
        (
            ["check", "setup.py"],
            {"setup.py": ""},
            "alembic-heads: setup.py: not inside a versions/ folder (pass -c CONFIG instead)\n",
        ),
        ([], {}, "usage: alembic-heads"),
        (["lint"], {}, "alembic-heads: unknown command 'lint'"),
    ],
)
def test_usage_and_configuration_errors_exit_2(
    tmp_path: Path, argv: list[str], files: dict[str, str], message: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)

    result = run_cli(argv, tmp_path)

    assert (result.code, result.out) == (2, "")
    assert message in result.err
    assert "Traceback" not in result.err


def test_package_script_location_is_found_without_importing(tmp_path: Path) -> None:
    write_project(tmp_path / "src" / "myapp" / "migrations", TWO_HEADS)
    (tmp_path / "src" / "myapp" / "__init__.py").write_text("raise RuntimeError('imported')\n")
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = myapp:migrations\n")

    result = run_cli(["check"], tmp_path)

    assert result.code == 1
    assert "src/myapp/migrations/versions/dddd_add_D.py:13: head dddd: add D" in result.out


def test_pyproject_configuration(tmp_path: Path) -> None:
    write_project(tmp_path / "migrations", TWO_HEADS, ini=False)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.alembic]\nscript_location = "%(here)s/migrations"\n'
    )

    result = run_cli(["check"], tmp_path)

    assert result.code == 1
    assert result.out.startswith("pyproject.toml: Multiple head revisions are present")
    assert "      alembic merge -m 'merge dddd and ffff' dddd ffff\n" in result.out


def test_help_and_version(tmp_path: Path) -> None:
    assert run_cli(["--help"], tmp_path).out.startswith("usage: alembic-heads")
    assert run_cli(["--version"], tmp_path).out.startswith("alembic-heads ")
    assert "--max-heads" in run_cli(["check", "--help"], tmp_path).out


def test_nested_project_found_from_the_repository_root(tmp_path: Path) -> None:
    write_project(tmp_path / "services" / "billing", TWO_HEADS)

    result = run_cli(["check"], tmp_path)

    assert result.out.startswith(
        "services/billing/alembic.ini: Multiple head revisions are present"
    )
    assert (
        "      cd services/billing && alembic merge -m 'merge dddd and ffff' dddd ffff\n"
        in result.out
    )


def test_without_git_on_path_every_file_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    init_repo(tmp_path)
    write_project(tmp_path / "db", TWO_HEADS)
    monkeypatch.setenv("PATH", str(tmp_path / "no-such-bin"))

    result = run_cli(["check"], tmp_path)

    assert result.code == 1
    assert result.out.startswith("db/alembic.ini: Multiple head revisions are present")


def test_pyproject_in_a_subfolder_is_named_in_the_fix(tmp_path: Path) -> None:
    write_project(tmp_path / "db", TWO_HEADS, ini=False)
    (tmp_path / "db" / "pyproject.toml").write_text(
        '[tool.alembic]\nscript_location = "%(here)s"\n'
    )

    result = run_cli(["check", "-c", "db/pyproject.toml"], tmp_path)

    assert "      alembic -c db/pyproject.toml merge -m 'merge dddd and ffff' dddd ffff\n" in (
        result.out
    )


@pytest.mark.parametrize(
    ("argv", "files", "message"),
    [
        (["-c", "a.ini", "-c", "b.ini"], {}, "only one ini file may be indicated"),
        (
            ["-c", "pyproject.toml", "-c", "x/pyproject.toml"],
            {},
            "pyproject.toml indicated more than once",
        ),
        ([], {"pyproject.toml": "[tool.alembic\n"}, "pyproject.toml: cannot read: "),
        ([], {"pyproject.toml": "[tool]\nalembic = 1\n"}, "[tool.alembic] must be a table"),
        (
            [],
            {"pyproject.toml": "[tool.alembic]\nscript_location = 1\n"},
            "pyproject.toml: unsupported value for [tool.alembic] script_location",
        ),
        (
            [],
            {"pyproject.toml": '[tool.alembic]\nscript_location = "%(nope)s"\n'},
            "pyproject.toml: cannot expand '%(nope)s'",
        ),
        (
            [],
            {
                "pyproject.toml": '[tool.alembic]\nscript_location = "."\n'
                'recursive_version_locations = "yes"\n'
            },
            "pyproject.toml: boolean value expected for 'recursive_version_locations'",
        ),
        ([], {"alembic.ini": "script_location = .\n"}, "alembic.ini: File contains no section"),
        (
            [],
            {
                "alembic.ini": "[alembic]\nscript_location = .\npath_separator = pipe\n"
                "version_locations = a|b\n"
            },
            "alembic.ini: 'pipe' is not a valid value for path_separator; expected 'space', "
            "'newline', 'os', ':', ';'",
        ),
    ],
)
def test_configuration_errors(
    tmp_path: Path, argv: list[str], files: dict[str, str], message: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    for name in argv[1::2]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).touch()

    result = run_cli(["check", *argv], tmp_path)

    assert (result.code, result.out) == (2, "")
    assert message in result.err


def test_pyproject_version_locations_as_one_string(tmp_path: Path) -> None:
    write_project(tmp_path / "db", TWO_HEADS, ini=False)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.alembic]\nscript_location = "db"\nversion_locations = "db/versions"\n'
    )

    result = run_cli(["check"], tmp_path)

    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "alembic-heads: pyproject.toml: [tool.alembic] version_locations must be a list of "
        "paths, not the string 'db/versions' (Alembic would take each of its characters "
        "for a path)\n"
    )


def test_no_repoint_advice_when_the_branch_starts_with_a_merge(tmp_path: Path) -> None:
    write_project(tmp_path, [*ABC, Rev("dddd", "cccc"), Rev("eeee", ("cccc", "bbbb"))])

    out = run_cli(["check"], tmp_path).out

    assert alembic_answer(tmp_path)["heads"] == ["dddd", "eeee"]
    assert "alembic merge" in out
    assert "move it onto" not in out


def test_python_before_3_11_4_reports_a_nul_byte_as_a_syntax_error(tmp_path: Path) -> None:
    out = check_out(
        tmp_path, ABC, {"dddd_x.py": "revision = 'dddd'\ndown_revision = 'cccc'\nx = '\0'\n"}
    )

    assert out.startswith("versions/dddd_x.py:1: syntax error: ")
