"""``sourceless = true``: compiled revision files count, read from their bytecode
without running them, exactly the files Alembic loads."""

from __future__ import annotations

import importlib.util
import marshal
import py_compile
from pathlib import Path

import pytest

from alembic_heads.revision_file import ReadError
from alembic_heads.revision_reader import read_revision_file
from helpers import Rev, alembic_answer, our_answer, run_cli, write_project, write_revision

REVS = [
    Rev("aaaa", None, "first"),
    Rev("bbbb", "aaaa", "second", branch_labels="main"),
    Rev("cccc", ("aaaa", "bbbb"), "merge", depends_on=("aaaa",)),
    Rev("dddd", "bbbb", "other"),
]


@pytest.mark.parametrize("style", ["classic", "annotated", "list"])
@pytest.mark.parametrize("placement", ["beside", "pycache", "both"])
def test_compiled_revisions_match_alembic(tmp_path: Path, style: str, placement: str) -> None:
    write_project(tmp_path, REVS, style=style, ini_extra="sourceless = true\n")
    for source in sorted((tmp_path / "versions").glob("*.py"))[1:]:
        if placement in ("beside", "both"):
            py_compile.compile(str(source), cfile=str(source) + "c", doraise=True)
        if placement in ("pycache", "both"):
            py_compile.compile(str(source), doraise=True)
        if placement != "both":
            source.unlink()

    ours = our_answer(tmp_path)

    assert ours == alembic_answer(tmp_path)
    assert ours["heads"] == ["cccc", "dddd"]
    assert run_cli(["check"], tmp_path).code == 1


def test_compiled_files_do_not_count_without_sourceless(tmp_path: Path) -> None:
    write_project(tmp_path, REVS[:2])
    path = write_revision(tmp_path / "versions", Rev("eeee", "aaaa"))
    py_compile.compile(str(path), cfile=str(path) + "c", doraise=True)
    path.unlink()

    assert run_cli(["check"], tmp_path).code == 0


def test_compiled_non_literal_and_foreign_python(tmp_path: Path) -> None:
    source = tmp_path / "x.py"
    source.write_text("import ids\nrevision = ids.NEXT\ndown_revision = None\n")
    compiled = tmp_path / "x.pyc"
    py_compile.compile(str(source), cfile=str(compiled), doraise=True)

    with pytest.raises(ReadError) as info:
        read_revision_file(compiled)
    assert (info.value.code, info.value.line) == ("not-literal", 2)

    compiled.write_bytes(b"\0\0\0\0" + compiled.read_bytes()[4:])
    with pytest.raises(ReadError) as info:
        read_revision_file(compiled)
    assert info.value.code == "compiled-elsewhere"

    compiled.write_bytes(importlib.util.MAGIC_NUMBER + b"\0" * 12 + b"\xff")
    with pytest.raises(ReadError) as info:
        read_revision_file(compiled)
    assert info.value.code == "bad-compiled"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("['a1', 'b1', 'c1']", ("a1", "b1", "c1")),
        ("['a1', 'b1']", ("a1", "b1")),
        ("('a1',)", ("a1",)),
        ("[]", ()),
    ],
)
def test_compiled_values(tmp_path: Path, value: str, expected: tuple[str, ...]) -> None:
    source = tmp_path / "x.py"
    source.write_text(f"revision = 'x1'\ndown_revision = {value}\n")
    py_compile.compile(str(source), cfile=str(tmp_path / "x.pyc"), doraise=True)

    assert read_revision_file(tmp_path / "x.pyc").down_revision == expected


@pytest.mark.parametrize("value", ["[a, 'b1']", "('a1', b)", "[*a]"])
def test_compiled_non_constant_collections(tmp_path: Path, value: str) -> None:
    source = tmp_path / "x.py"
    source.write_text(f"a = b = ['z']\nrevision = 'x1'\ndown_revision = {value}\n")
    py_compile.compile(str(source), cfile=str(tmp_path / "x.pyc"), doraise=True)

    with pytest.raises(ReadError) as info:
        read_revision_file(tmp_path / "x.pyc")
    assert info.value.code == "not-literal"


@pytest.mark.parametrize("value", [42, "revision = 'eeee'", None])
def test_a_compiled_file_that_holds_no_code_is_a_finding(
    tmp_path: Path, value: int | str | None
) -> None:
    write_project(tmp_path, REVS[:2], ini_extra="sourceless = true\n")
    compiled = tmp_path / "versions" / "eeee_x.pyc"
    compiled.write_bytes(importlib.util.MAGIC_NUMBER + b"\0" * 12 + marshal.dumps(value))

    result = run_cli(["check"], tmp_path)

    with pytest.raises(ImportError):  # importlib: "Non-code object in ..."
        alembic_answer(tmp_path)
    assert (result.code, result.err) == (1, "")
    assert result.out == (
        "versions/eeee_x.pyc:1: cannot read compiled file: it holds "
        f"{type(value).__name__}, not code\n"
    )


@pytest.mark.parametrize(
    "code",
    [
        "del down_revision",
        "globals()['down_revision'] = 'a'",
        "def f():\n    global down_revision\n    down_revision = 'a'\n\n\nf()",
        "def f():\n    exec(\"down_revision = 'a'\")\n\n\nf()",
        "class C:\n    vars()\n    globals()['down_revision'] = 'a'",
        "for down_revision in ['a']:\n    pass",
        "from string import *",
        # none of the words: code run at import that the rule does not follow
        "import sys\nf = 'f_glob'\n"
        "object.__getattribute__(sys._getframe(), f + 'als').update(down_revision='a')",
        "import sys\nf = 'f_glob'\nm = object.__getattribute__(sys._getframe(), f + 'als')\n"
        "m['down_revision'] = 'a'",
        "from . import helpers",
    ],
)
def test_compiled_rebinding_is_reported(tmp_path: Path, code: str) -> None:
    write_project(tmp_path, REVS[:2], ini_extra="sourceless = true\n")
    source = write_revision(tmp_path / "versions", Rev("eeee", "bbbb", body=code + "\n"))
    py_compile.compile(str(source), cfile=str(source) + "c", doraise=True)
    source.unlink()

    result = run_cli(["check"], tmp_path)

    assert result.code == 1
    assert "; alembic-heads reads revision files without running them" in result.out


def test_compiled_functions_never_run_at_import_are_not_looked_into(tmp_path: Path) -> None:
    write_project(tmp_path, REVS[:2], ini_extra="sourceless = true\n")
    code = "def upgrade():\n    globals()['down_revision'] = 'a'\n"
    source = write_revision(tmp_path / "versions", Rev("eeee", "bbbb", body=code))
    py_compile.compile(str(source), cfile=str(source) + "c", doraise=True)
    source.unlink()

    assert alembic_answer(tmp_path)["heads"] == ["eeee"]
    assert run_cli(["check"], tmp_path).code == 0
