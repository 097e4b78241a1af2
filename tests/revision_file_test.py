"""Reading revision files statically: every template style, never executing them."""

from __future__ import annotations

import py_compile
import subprocess
import sys
from pathlib import Path

import pytest

from alembic_heads.ast_reader import parse_ast as _parse_ast
from alembic_heads.fast_reader import parse_fast as _parse_fast
from alembic_heads.revision_file import ReadError, RevisionFile, is_revision_file_name
from alembic_heads.revision_reader import parse_revision_source, read_revision_file
from helpers import (
    STYLES,
    Rev,
    alembic_answer,
    committed_project,
    git,
    our_answer,
    render_revision,
    run_cli,
    write_project,
)


def read(text: str, name: str = "abc_add.py") -> RevisionFile:
    return parse_revision_source(text.encode(), name, name)


def read_error(text: str, name: str = "abc_add.py") -> ReadError:
    with pytest.raises(ReadError) as info:
        read(text, name)
    return info.value


MERGE = Rev("m1", ("a1", "b1"), "merge a1 and b1", branch_labels=("x",), depends_on="d1")


@pytest.mark.parametrize("quote", ["'", '"'])
@pytest.mark.parametrize("style", STYLES)
def test_every_template_style(style: str, quote: str) -> None:
    script = read(render_revision(MERGE, style, quote))

    assert (script.revision, script.down_revision) == ("m1", ("a1", "b1"))
    assert (script.branch_labels, script.depends_on) == (("x",), ("d1",))
    assert script.doc == "merge a1 and b1"
    lines = render_revision(MERGE, style, quote).splitlines()
    assert lines[script.lines["revision"] - 1].startswith("revision")
    assert lines[script.lines["down_revision"] - 1].startswith("down_revision")


@pytest.mark.parametrize("style", STYLES)
def test_fast_reader_handles_every_template_style(style: str) -> None:
    text = render_revision(MERGE, style, '"')

    assert _parse_fast(text) == _parse_ast(text, "x.py")


def test_values_split_over_lines_with_comments() -> None:
    text = (
        '"""m"""\n'
        "revision = 'c1'\n"
        "down_revision: Union[str, Sequence[str], None] = (  # merge\n"
        "    'a1',  # left\n"
        "    'b1',\n"
        ")\n"
    )

    assert _parse_fast(text) == _parse_ast(text, "x.py")
    assert read(text).down_revision == ("a1", "b1")
    assert read(text).lines["down_revision"] == 3


def test_annotation_split_over_lines() -> None:
    text = "revision = 'c1'\ndown_revision: Union[\n    str, None\n] = 'b1'\n"

    assert read(text).down_revision == ("b1",)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("None", ()),
        ("()", ()),
        ("[]", ()),
        ("'a1'", ("a1",)),
        ('"a1"', ("a1",)),
        ("('a1',)", ("a1",)),
        ("['a1', 'b1']", ("a1", "b1")),
        ("('a1')", ("a1",)),
        ("u'a1'", ("a1",)),
        ("'a' '1'", ("a1",)),
        ("'a1'  # the parent", ("a1",)),
        ("('a1', 'b1') ; x = 1", ("a1", "b1")),
    ],
)
def test_down_revision_values(value: str, expected: tuple[str, ...]) -> None:
    assert read(f"revision = 'c1'\ndown_revision = {value}\n").down_revision == expected


def test_docstring_is_alembic_doc_first_paragraph() -> None:
    text = '# -*- coding: utf-8 -*-\n"""Add users\ntable\n\nRevision ID: c1\n"""\nrevision = "c1"\n'

    script = read(text)

    assert script.doc == "Add users\ntable"
    assert script.message == "Add users"


@pytest.mark.parametrize(
    "doc",
    ['r"""Add \\d users"""', '"""Add \\"users\\""""', "'Add users'", '"""Add users""" '],
)
def test_docstring_forms(doc: str) -> None:
    script = read(f"{doc}\nrevision = 'c1'\ndown_revision = None\n")
    assert script.doc.startswith("Add")


def test_no_docstring_and_bytes_first_statement() -> None:
    assert read("revision = 'c1'\ndown_revision = None\n").doc == ""
    assert read("b'''Add'''\nrevision = 'c1'\ndown_revision = None\n").doc == ""


def test_assignment_inside_docstring_is_not_read() -> None:
    text = '"""Add users\n\nrevision = \'zz\'\n"""\nrevision = "c1"\ndown_revision = None\n'

    assert read(text).revision == "c1"


def test_assignment_inside_a_later_string_is_not_read() -> None:
    text = (
        "revision = 'c1'\ndown_revision = None\n"
        'def upgrade():\n    op.execute("""\nrevision = \'zz\'\n""")\n'
    )

    assert read(text).revision == "c1"


def test_last_module_level_assignment_wins_like_python() -> None:
    text = "revision = 'a1'\ndown_revision = None\nrevision = 'b1'\n"

    assert read(text).revision == "b1"
    assert read(text).lines["revision"] == 3


def test_function_locals_are_ignored() -> None:
    text = "revision = 'c1'\ndown_revision = None\ndef upgrade():\n    revision = 'zz'\n"

    assert read(text).revision == "c1"


def test_identifiers_missing() -> None:
    script = read("revision = 'c1'\n")

    assert script.has_down_revision is False
    assert script.down_revision == ()


def test_legacy_revision_from_file_name() -> None:
    assert read("down_revision = None\n", "1975ea83b712.py").revision == "1975ea83b712"


def test_file_without_revision_is_an_error() -> None:
    error = read_error("down_revision = None\n", "helpers.py")

    assert (error.line, error.code) == (1, "no-revision")
    assert "no 'revision' identifier" in error.message


def test_non_literal_value_names_line() -> None:
    error = read_error('"""doc"""\nimport ids\nrevision = ids.NEXT\ndown_revision = None\n')

    assert (error.line, error.code) == (3, "not-literal")
    assert error.message.startswith("revision is not a literal (ids.NEXT)")


def test_conditional_assignment_is_not_a_literal() -> None:
    text = "revision = 'c1'\nif True:\n    down_revision = 'a1'\nelse:\n    down_revision = None\n"

    error = read_error(text)

    assert (error.line, error.code) == (3, "not-literal")
    assert "assigned inside a block" in error.message


def test_augmented_assignment_is_not_a_literal() -> None:
    error = read_error("revision = 'c1'\ndown_revision = None\nrevision += 'x'\n")

    assert (error.line, error.code) == (3, "not-literal")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("revision = 12\ndown_revision = None\n", "revision must be a non-empty string, not 12"),
        ("revision = ''\ndown_revision = None\n", "revision must be a non-empty string, not ''"),
        (
            "revision = 'a-1'\ndown_revision = None\n",
            "character(s) '-' not allowed in revision identifier 'a-1'",
        ),
        (
            "revision = 'c1'\ndown_revision = ('a', 2)\n",
            "down_revision must be a string, a tuple of strings or None, not ('a', 2)",
        ),
    ],
)
def test_bad_values(source: str, message: str) -> None:
    assert read_error(source).message == message


def test_syntax_error_names_line() -> None:
    error = read_error("revision = 'c1'\ndown_revision = None\n\ndef upgrade(:\n    pass\n")

    assert (error.line, error.code) == (4, "syntax-error")
    assert error.message.startswith("syntax error: ")


def test_conflict_markers() -> None:
    text = (
        "revision = 'c1'\n<<<<<<< HEAD\ndown_revision = 'a1'\n=======\n"
        "down_revision = 'b1'\n>>>>>>> dev2\n"
    )

    error = read_error(text)

    assert (error.line, error.code) == (2, "conflict-marker")
    assert error.message == "unresolved merge conflict marker '<<<<<<<'"


def test_encodings(tmp_path: Path) -> None:
    path = tmp_path / "c1_x.py"
    path.write_bytes(
        b'# -*- coding: latin-1 -*-\n"""Caf\xe9"""\nrevision = "c1"\ndown_revision = None\n'
    )
    assert read_revision_file(path).doc == "Café"
    path.write_bytes('\ufeff"""Café"""\r\nrevision = "c1"\r\ndown_revision = None\r\n'.encode())
    assert read_revision_file(path).doc == "Café"
    path.write_bytes(b'"""\xff"""\nrevision = "c1"\n')
    with pytest.raises(ReadError) as info:
        read_revision_file(path)
    assert info.value.code == "encoding"


@pytest.mark.parametrize(
    ("name", "loaded"),
    [
        ("abc_add.py", True),
        ("__init__.py", False),
        (".#abc_add.py", False),
        ("abc_add.pyc", False),
        ("README.md", False),
        ("abc.py.orig", False),
    ],
)
def test_which_files_alembic_loads(name: str, loaded: bool) -> None:
    assert is_revision_file_name(name) is loaded


NAMES = [
    *(
        prefix + stem + suffix + end
        for prefix in ("", ".#", "__init__", "_", ".", "x__init__")
        for stem in ("", "abc", "a.py", "a\nb", "__init__")
        for suffix in ("", ".py", ".pyc", ".pyo", ".pyx", ".PY", "py", ".py.orig", "\n.py")
        for end in ("", "\n", "\n\n", " ")
    ),
    "sub/abc.py",
    "sub/__init__.py",
]


@pytest.mark.parametrize("sourceless", [False, True])
def test_file_names_are_judged_by_alembics_own_patterns(sourceless: bool) -> None:
    from alembic.script import base

    pattern = base._sourceless_rev_file if sourceless else base._only_source_rev_file
    expected = {name: pattern.match(name.rsplit("/", 1)[-1]) is not None for name in NAMES}
    assert {name: is_revision_file_name(name, sourceless) for name in NAMES} == expected
    assert any(expected.values()) and not all(expected.values())


def test_files_are_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    path = tmp_path / "c1_side_effects.py"
    path.write_text(
        '"""Side effects"""\n'
        "import not_installed_application.models\n"
        f"not_installed_application.models.touch({str(marker)!r})\n"
        "revision = 'c1'\ndown_revision = 'b1'\n"
    )
    modules_before = set(sys.modules)

    script = read_revision_file(path)

    assert (script.revision, script.down_revision) == ("c1", ("b1",))
    assert not marker.exists()
    assert not (tmp_path / "__pycache__").exists()
    assert "not_installed_application" not in set(sys.modules) - modules_before


def test_unusual_docstrings_fall_back_to_the_full_reader() -> None:
    assert read('"Add" " users"\nrevision = "c1"\ndown_revision = None\n').doc == "Add users"
    assert read_error('"Add\nrevision = "c1"\n').code == "syntax-error"


def test_annotated_attributes_and_nested_annotations() -> None:
    assert read("x.y: int\nrevision = 'c1'\ndown_revision = None\n").revision == "c1"
    # x.y = 1 stores into an attribute: code run at import the readers do not follow
    assert read_error("x.y: int = 1\nrevision = 'c1'\ndown_revision = None\n").line == 1
    text = "revision = 'c1'\ndown_revision = None\nif True:\n    branch_labels: str = 'x'\n"
    assert read_error(text).line == 4


def test_a_coding_cookie_python_refuses_is_a_syntax_error() -> None:
    error = read_error("# -*- coding: klingon -*-\nrevision = 'c1'\ndown_revision = None\n")

    assert (error.line, error.code) == (1, "syntax-error")
    assert error.message == "syntax error: unknown encoding: klingon"


LOADED_BY_ALEMBIC = {
    "a non-UTF-8 byte in a comment": b"revision = 'b'\n# caf\xe9\ndown_revision = 'a'\n",
    "a coding cookie on line 2 of a CR-only file": (
        b"#!/usr/bin/env python\r# -*- coding: latin-1 -*-\r"
        b'"""Caf\xe9"""\rrevision = \'b\'\rdown_revision = \'a\'\r'
    ),
    "cookie-like text on line 3 of a CR-only file": (
        b"# one\r# two\r# coding: undefined\rrevision = 'b'\rdown_revision = 'a'\r"
    ),
    "(None,) for no dependency": b"revision = 'b'\ndown_revision = 'a'\ndepends_on = (None,)\n",
    "a non-UTF-8 byte on the cookie's line": (
        b"# -*- coding: utf-8 -*- caf\xe9\nrevision = 'b'\ndown_revision = 'a'\n"
    ),
    "a non-UTF-8 byte before a cookie on line 2": (
        b"# caf\xe9\n# coding: latin-1\nrevision = 'b'\ndown_revision = 'a'\n"
    ),
    "one byte order mark": b"\xef\xbb\xbfrevision = 'b'\ndown_revision = 'a'\n",
}


@pytest.mark.parametrize("case", LOADED_BY_ALEMBIC)
def test_files_alembic_loads_are_read(tmp_path: Path, case: str) -> None:
    write_project(tmp_path, [Rev("a", None, "first")])
    (tmp_path / "versions" / "b_second.py").write_bytes(LOADED_BY_ALEMBIC[case])

    result = run_cli(["check"], tmp_path)

    assert alembic_answer(tmp_path)["heads"] == ["b"]
    assert (result.code, result.out, result.err) == (0, "", "")


def test_down_revision_none_in_a_tuple_is_a_first_revision(tmp_path: Path) -> None:
    write_project(tmp_path, [Rev("b", "a", "second")])
    (tmp_path / "versions" / "a_first.py").write_text("revision = 'a'\ndown_revision = (None,)\n")

    assert alembic_answer(tmp_path)["bases"] == ["a"]
    assert our_answer(tmp_path) == alembic_answer(tmp_path)


DECODE = "versions/b_second.py:{}: cannot decode file: "
REFUSED_BY_ALEMBIC = {
    # (contents, the finding's start, a word the codec's message holds)
    "two byte order marks": (
        b"\xef\xbb\xbf\xef\xbb\xbfrevision = 'b'\ndown_revision = 'a'\n",
        "versions/b_second.py:1: syntax error: invalid non-printable character U+FEFF",
        "",
    ),
    "two byte order marks before a coding cookie": (
        b"\xef\xbb\xbf\xef\xbb\xbf# coding: utf-8\nrevision = 'b'\ndown_revision = 'a'\n",
        "versions/b_second.py:1: syntax error: invalid non-printable character U+FEFF",
        "",
    ),
    "a byte that is not UTF-8 in a string": (
        b"revision = 'b'\ndown_revision = 'a'\nx = 'caf\xe9'\n",
        DECODE.format(3),
        "0xe9",
    ),
    "a cookie naming the undefined codec": (
        b"# coding: undefined\nrevision = 'b'\ndown_revision = 'a'\n",
        DECODE.format(1),
        "undefined",
    ),
    "a cookie naming punycode": (
        b"# coding: punycode\nrevision = 'b'\ndown_revision = 'a'\n",
        DECODE.format(1),
        "",
    ),
    "a cookie naming rot13": (
        b"# coding: rot13\nrevision = 'b'\ndown_revision = 'a'\n",
        DECODE.format(1),
        "'rot13' is not a text encoding",
    ),
    "a cookie naming hex": (
        b"# coding: hex\nrevision = 'b'\ndown_revision = 'a'\n",
        DECODE.format(1),
        "'hex' is not a text encoding",
    ),
    "a cookie on line 2 of a CR-only file naming undefined": (
        b"# one\r# coding: undefined\rrevision = 'b'\rdown_revision = 'a'\r",
        DECODE.format(1),
        "undefined",
    ),
}


@pytest.mark.parametrize("case", REFUSED_BY_ALEMBIC)
def test_files_alembic_cannot_load_are_findings(tmp_path: Path, case: str) -> None:
    data, finding, word = REFUSED_BY_ALEMBIC[case]
    write_project(tmp_path, [Rev("a", None, "first")])
    (tmp_path / "versions" / "b_second.py").write_bytes(data)

    result = run_cli(["check"], tmp_path)

    with pytest.raises(SyntaxError):
        alembic_answer(tmp_path)
    assert (result.code, result.err) == (1, "")
    assert result.out.startswith(finding)
    assert word in result.out
    assert result.out.count("\n") == 1


@pytest.mark.parametrize("name", ["b_second.py\n", "b_second.pyc\n"])
def test_a_file_name_ending_in_a_line_break_is_refused_as_alembic_does(
    tmp_path: Path, name: str
) -> None:
    write_project(tmp_path, [Rev("a", None, "first")], ini_extra="sourceless = true\n")
    source = tmp_path / "versions" / "b_second.py"
    source.write_text("revision = 'b'\ndown_revision = 'a'\n")
    if name.endswith(".pyc\n"):
        py_compile.compile(str(source), cfile=str(source) + "c", doraise=True)
        source.unlink()
        source = Path(str(source) + "c")
    source.rename(tmp_path / "versions" / name)

    result = run_cli(["check"], tmp_path)

    # Alembic's load_python_file knows no such suffix: `assert False` now; before,
    # (Alembic 1.10) no branch bound its result, an UnboundLocalError.
    with pytest.raises((AssertionError, UnboundLocalError)):
        alembic_answer(tmp_path)
    assert result.code == 1
    assert f"file name {name!r} ends in a line break" in result.out


def test_a_file_name_ending_in_a_line_break_is_refused_from_the_cache(tmp_path: Path) -> None:
    repo = committed_project(tmp_path, [Rev("a", None, "first"), Rev("b", "a", "second")])
    assert run_cli(["check"], repo).code == 0  # the cache now knows b's contents
    git(repo, "mv", "versions/b_second.py", "versions/b_second.py\n")

    result = run_cli(["check"], repo)

    assert result.code == 1
    assert "ends in a line break" in result.out


LONG_LINES = {
    # each a 2 MB line where a regular expression or a line splitter could
    # backtrack or rescan: before, the first took minutes, the second forever
    "a comment after a non-literal": "revision = x\n{'# ' * 1_000_000}\ndown_revision = None\n",
    "hashes in a split tuple": "revision = 'a'\ndown_revision = (  {'# ' * 1_000_000}\n",
    "spaces after a non-literal": "revision = x{' ' * 2_000_000}\ndown_revision = None\n",
    "a long annotation": "revision = x\ndown_revision: {'a ' * 1_000_000}\n",
    "spaces in a tuple": "revision = 'a'\ndown_revision = ('a'{' ' * 2_000_000}\n",
    "a long import": "import {'a, ' * 700_000}\nrevision = x\n",
}


def test_a_long_line_is_read_in_linear_time(tmp_path: Path) -> None:
    """One generous run (each case takes well under a second): a quadratic
    reader needs minutes for these, an exponential one never ends."""
    script = "\n".join(
        [
            "from alembic_heads.revision_file import ReadError\n"
            "from alembic_heads.revision_reader import parse_revision_source",
            *(
                f"try:\n    parse_revision_source(f{source!r}.encode(), 'a.py', 'a.py')\n"
                "except ReadError as error:\n    print(error.code)"
                for source in LONG_LINES.values()
            ),
        ]
    )

    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )

    assert (
        result.stdout.split()
        == ["not-literal", "syntax-error", "not-literal"] + ["syntax-error"] * 3
    )


def test_op_execute_is_no_reason_to_leave_the_fast_reader() -> None:
    text = render_revision(MERGE, body="def upgrade():\n    op.execute('select 1')\n")

    assert _parse_fast(text) == _parse_ast(text, "x.py")
    assert _parse_fast(text.replace("op.execute", "exec")) is None


def test_a_none_branch_label_is_refused_as_alembic_heads_fails_on_it(tmp_path: Path) -> None:
    """``(None,)`` is ``None`` for ``down_revision`` and ``depends_on``, but a
    label: Alembic loads it and upgrades, while ``alembic heads`` and ``alembic
    history`` stop with a TypeError."""
    import subprocess
    import sys

    write_project(tmp_path, [Rev("a1", None, "a"), Rev("b2", "a1", "b")])
    path = tmp_path / "versions" / "b2_b.py"
    path.write_text(path.read_text().replace("branch_labels = None", "branch_labels = (None,)"))

    result = run_cli(["check"], tmp_path)
    alembic = {
        command: subprocess.run(
            [sys.executable, "-m", "alembic", *command.split()],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        for command in ("heads", "history", "upgrade heads --sql")
    }

    assert (result.code, result.out) == (
        1,
        "versions/b2_b.py:15: branch_labels holds None ((None,)): Alembic loads it, but "
        "`alembic heads` and `alembic history` fail on it (TypeError)\n"
        "    write branch_labels = None, or name the branch\n",
    )
    assert alembic["heads"].returncode != 0 and "TypeError" in alembic["heads"].stderr
    assert alembic["history"].returncode != 0 and "TypeError" in alembic["history"].stderr
    assert alembic["upgrade heads --sql"].returncode == 0
