"""Reading revision files statically: every template style, never executing them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from alembic_heads.revision_file import (
    ReadError,
    RevisionFile,
    _parse_ast,
    _parse_fast,
    is_revision_file_name,
    parse_revision_source,
    read_revision_file,
)
from helpers import STYLES, Rev, render_revision


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
        f"open({str(marker)!r}, 'w').write('ran')\n"
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
    assert read("x.y: int = 1\nrevision = 'c1'\ndown_revision = None\n").revision == "c1"
    text = "revision = 'c1'\ndown_revision = None\nif True:\n    branch_labels: str = 'x'\n"
    assert read_error(text).line == 4


def test_a_coding_cookie_python_refuses_is_a_syntax_error() -> None:
    error = read_error("# -*- coding: klingon -*-\nrevision = 'c1'\ndown_revision = None\n")

    assert (error.line, error.code) == (1, "syntax-error")
    assert error.message == "syntax error: unknown encoding: klingon"
