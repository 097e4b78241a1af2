"""The compiled-file reader (``sourceless = true``): a ``.pyc`` read without
running it, from the constants its module-level code stores in the
identifiers, found in its bytecode.

It applies the ``ast`` reader's rebinding rules (:mod:`.ast_reader`) to
instructions: any other store, ``del``, star import, ``global`` of an
identifier, module ``__getattr__`` or word into the namespace is a
:class:`ReadError`. Only files compiled by the Python that runs it are read.
"""

from __future__ import annotations

import dis
import importlib.util
import marshal
import types

from .ast_reader import EVERY, MODULE_GETATTR, NAMESPACE_WORDS, STAR, not_literal, rebound
from .revision_file import IDENTIFIERS, Parsed, ReadError, RevisionFile, to_revision_file


def parse_compiled(data: bytes, path: str, name: str) -> RevisionFile:
    """Read a ``.pyc`` without running it: the constants its module-level code
    stores in the identifiers, found in its bytecode."""
    if data[:4] != importlib.util.MAGIC_NUMBER:
        raise ReadError(
            path,
            1,
            "compiled-elsewhere",
            "compiled by another Python version: alembic-heads reads compiled revision "
            "files only from the Python that runs it",
        )
    try:
        code = marshal.loads(data[16:])
    except (ValueError, EOFError, TypeError) as error:
        raise ReadError(path, 1, "bad-compiled", f"cannot read compiled file: {error}") from None
    if not isinstance(code, types.CodeType):  # importlib refuses it: "Non-code object"
        raise ReadError(
            path,
            1,
            "bad-compiled",
            f"cannot read compiled file: it holds {type(code).__name__}, not code",
        )
    try:
        parsed = _read_bytecode(code, path)
    except (IndexError, KeyError, ValueError, TypeError) as error:  # bytecode no Python wrote
        raise ReadError(path, 1, "bad-compiled", f"cannot read compiled file: {error}") from None
    return to_revision_file(parsed, path, name)


def _read_bytecode(code: types.CodeType, path: str) -> Parsed:
    """The constants the module's code stores in the identifiers; anything
    else that may bind one (as :func:`.ast_reader.read_module` judges source) is a
    :class:`ReadError`."""
    values: dict[str, object] = {}
    lines: dict[str, int] = {}
    recent: list[dis.Instruction] = []
    line: int | None = None
    unfollowed: tuple[int, str] | None = None
    for instruction in dis.get_instructions(code):
        line = _line_of(instruction, line)
        name = instruction.argval
        what = _unfollowed(instruction, recent)
        if what is not None and unfollowed is None:
            unfollowed = (line or 1, what)
        if instruction.opname == "STORE_NAME" and name in (*IDENTIFIERS, "__doc__"):
            value = _constant_stored(recent)
            if value is _UNKNOWN or name in values:
                raise not_literal(path, line or 1, name, None)
            values[name] = value
            lines[name] = line or 1
        elif instruction.opname == "DELETE_NAME" and name in IDENTIFIERS:
            raise rebound(path, line or 1, name, "deleted (del)")
        elif _imports_star(instruction):
            raise rebound(path, line or 1, EVERY, STAR)
        elif instruction.opname == "STORE_NAME" and name == MODULE_GETATTR:
            missing = [identifier for identifier in IDENTIFIERS if identifier not in values]
            if missing:  # (assigned later is no excuse here: simpler, and never seen)
                how = "possibly supplied by the module's __getattr__"
                raise rebound(path, line or 1, missing[0], how)
        if instruction.opname not in ("CACHE", "NOP", "EXTENDED_ARG"):
            recent.append(instruction)
    _check_compiled_namespace(code, path)
    if unfollowed is not None:
        how = (
            "possibly changed by code run at import that alembic-heads does not follow: "
            f"{unfollowed[1]}"
        )
        raise rebound(path, unfollowed[0], EVERY, how, COMPILED_HINT)
    doc = values.pop("__doc__", None)
    lines.pop("__doc__", None)
    return Parsed(values, lines, doc if isinstance(doc, str) else None)


def _check_compiled_namespace(module: types.CodeType, path: str) -> None:
    """What the ``ast`` reader's late changes are, for bytecode: ``global``
    of an identifier in any function, and a way into the namespace in code run at import (the
    module's, class bodies, comprehensions and lambdas, and functions whose
    name that code loads)."""
    optimized = 1  # CO_OPTIMIZED: a function's code, not a class body's
    todo, seen = [module], set()
    loaded: set[str] = set()
    functions: list[types.CodeType] = []
    while todo or functions:
        if not todo:
            waiting = [f for f in functions if f.co_name in loaded]
            if not waiting:
                break
            functions = [f for f in functions if f.co_name not in loaded]
            todo = waiting
        code = todo.pop()
        if id(code) in seen:
            continue
        seen.add(id(code))
        strings = [c for c in code.co_consts if isinstance(c, str)]
        words = sorted(NAMESPACE_WORDS.intersection([*code.co_names, *strings]))
        if words:
            how = f"possibly changed through '{words[0]}' when the module is imported"
            raise rebound(path, code.co_firstlineno, EVERY, how)
        for instruction in dis.get_instructions(code):
            if instruction.opname in ("LOAD_NAME", "LOAD_GLOBAL"):
                loaded.add(instruction.argval)
        for nested in code.co_consts:
            if isinstance(nested, types.CodeType):
                _check_globals(nested, path)
                runs = not nested.co_flags & optimized or nested.co_name.startswith("<")
                (todo if runs else functions).append(nested)


def _check_globals(code: types.CodeType, path: str) -> None:

    for instruction in dis.get_instructions(code):
        is_global = instruction.opname in ("STORE_GLOBAL", "DELETE_GLOBAL")
        if is_global and instruction.argval in IDENTIFIERS:
            line = _line_of(instruction, None) or code.co_firstlineno
            how = "declared global in a function or class"
            raise rebound(path, line, instruction.argval, how)


_UNKNOWN = object()
COMPILED_HINT = (
    "in a compiled file alembic-heads follows no call made at import (nor a class "
    "statement or a decorator): move it into upgrade() or downgrade()"
)


def _unfollowed(instruction: dis.Instruction, recent: list[dis.Instruction]) -> str | None:
    """What ``instruction`` of the module's code does that the ``ast`` reader's
    rule (:mod:`.import_time`) would not follow, for bytecode, where a callee
    is not told apart: any call (a class statement, a decorator and, before
    Python 3.12, a comprehension are calls too), any store into an attribute
    or item (but the annotations' dict), a relative import."""
    opname = instruction.opname
    if opname.startswith("CALL") and not opname.startswith("CALL_INTRINSIC"):
        return "a call"
    if opname in ("STORE_ATTR", "DELETE_ATTR", "DELETE_SUBSCR"):
        return "a store into an attribute or item"
    if opname == "STORE_SUBSCR":
        container = recent[-2] if len(recent) >= 2 else None
        if container is None or container.argval != "__annotations__":
            return "a store into an attribute or item"
    if opname == "IMPORT_NAME" and len(recent) >= 2 and recent[-2].argval:
        return "a relative import (its module runs)"
    return None


def _line_of(instruction: dis.Instruction, previous: int | None) -> int | None:
    """The source line of ``instruction``: its ``positions`` (Python 3.11+),
    or before that the line the last instruction starting a line started."""
    positions = getattr(instruction, "positions", None)
    if positions is None:  # pragma: no cover (Python 3.10; tests/sourceless_test.py runs there)
        starts = instruction.starts_line
        return starts if isinstance(starts, int) and not isinstance(starts, bool) else previous
    return positions.lineno  # type: ignore[no-any-return]


def _imports_star(instruction: dis.Instruction) -> bool:
    """``from x import *``: its own opcode up to Python 3.11, an intrinsic
    call from 3.12 on."""
    return instruction.opname == "IMPORT_STAR" or (
        instruction.opname == "CALL_INTRINSIC_1" and instruction.argrepr == "INTRINSIC_IMPORT_STAR"
    )


def _constant_stored(recent: list[dis.Instruction]) -> object:
    """The value the instructions before a store leave on the stack, when it
    is a constant, a tuple or a list of constants; else ``_UNKNOWN``."""
    if not recent:
        return _UNKNOWN
    last = recent[-1]
    if last.opname == "LOAD_CONST":
        return last.argval
    if last.opname in ("BUILD_LIST", "BUILD_TUPLE"):
        count = last.arg or 0
        items = recent[-1 - count : -1] if count else []
        if len(items) == count and all(item.opname == "LOAD_CONST" for item in items):
            values = [item.argval for item in items]
            return values if last.opname == "BUILD_LIST" else tuple(values)
    if last.opname == "LIST_EXTEND" and len(recent) >= 3:
        build, constant = recent[-3], recent[-2]
        if build.opname == "BUILD_LIST" and build.arg == 0 and constant.opname == "LOAD_CONST":
            return list(constant.argval)
    return _UNKNOWN
