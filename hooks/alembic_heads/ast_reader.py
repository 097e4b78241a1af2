"""The ``ast`` reader: any revision file Python compiles, read from its syntax
tree as importing it would leave the identifiers, or a :class:`ReadError`
naming the line where only running the file would tell.

The rebinding rules (:func:`read_module`) say what, besides one plain
assignment of a literal, may change an identifier: every way Python binds a
name, the words that name a way into the module's namespace
(:data:`NAMESPACE_WORDS`, for a precise message), and, for everything else
code run at import may do, the rule of :mod:`.import_time`, which lists what
it may do rather than what it may not. The compiled-file reader
(:mod:`.compiled_reader`) applies the same to bytecode, and the fast reader
(:mod:`.fast_reader`) gives up on each of them.

This module is imported only when a file needs it: ``ast`` costs a few
milliseconds, and the fast reader reads the files Alembic's templates write.
"""

from __future__ import annotations

import ast
import os
import re

from .import_time import HINT, first_unfollowed, has_future_annotations, import_time_nodes
from .revision_file import (
    IDENTIFIERS,
    Parsed,
    ReadError,
    RevisionFile,
    decode,
    read_revision_bytes,
    source_text,
    to_revision_file,
    without_warnings,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path


def read_revision_module(path: Path | str) -> tuple[RevisionFile, ast.Module, str]:
    """A source revision file's identifiers, syntax tree and text, for the
    commands that look past the identifiers (the file is parsed once)."""
    data, name = read_revision_bytes(path)
    return parse_revision_module(data, os.fspath(path), name)


def parse_revision_module(
    data: bytes, path: str, name: str
) -> tuple[RevisionFile, ast.Module, str]:
    """:func:`~.revision_reader.parse_revision_source` by the ``ast`` reader,
    also giving the syntax tree and the text."""
    text = source_text(data, path)
    module = syntax_tree(data, path)
    return to_revision_file(read_module(module, text, path), path, name), module, text


def parse_ast(source: str | bytes, path: str, text: str | None = None) -> Parsed:
    """The identifiers of ``source``; ``text`` is ``source`` decoded (when it is bytes)."""
    if text is None:
        text = source if isinstance(source, str) else decode(source, path)
    return read_module(syntax_tree(source, path), text, path)


def syntax_tree(source: str | bytes, path: str) -> ast.Module:
    """The syntax tree, once compiled (as
    :func:`~.revision_file.check_syntax`, without parsing the text twice)."""

    def parse_and_compile() -> ast.Module:
        tree = ast.parse(source, filename=path)
        compile(tree, path, "exec", dont_inherit=True)
        return tree

    return without_warnings(path, parse_and_compile)


_LINE_BREAK = re.compile(r"\r\n?|\n")

# Words through which code can reach the module's namespace without naming an
# identifier: ``globals()['revision'] = ...``, ``exec(...)``, a frame's
# ``f_globals``, a function's ``__globals__``, ``getattr(frame, ...)``.
NAMESPACE_WORDS = frozenset(
    (
        *("globals", "locals", "vars", "exec", "eval", "getattr", "attrgetter", "methodcaller"),
        *("f_globals", "f_locals", "__globals__", "__dict__"),
    )
)
# A module-level ``__getattr__`` answers Alembic's ``getattr(module, name)``
# for every identifier the module does not bind itself.
MODULE_GETATTR = "__getattr__"
_BLOCK = "assigned inside a block or changed in place"
STAR = "possibly bound by 'from ... import *'"
EVERY = "revision, down_revision, branch_labels or depends_on"  # what a star or globals() reach


class _Binding:
    """What one module-level statement leaves in an identifier: a literal
    ``value``, or a ``problem`` (a value only running the file would tell)."""

    __slots__ = ("line", "value", "problem")

    def __init__(self, line: int, value: object = None, problem: ReadError | None = None) -> None:
        self.line = line
        self.value = value
        self.problem = problem


def read_module(module: ast.Module, text: str, path: str) -> Parsed:
    """The identifiers of a parsed module, as importing it would leave them.

    Every way Python binds a name is looked at (the language reference's
    "Naming and binding"): a plain module-level assignment of a literal is
    read; any other binding of an identifier at module level (unpacking,
    ``:=``, a ``for``/``with``/``except``/``match`` target, an import, ``def``,
    ``class``, ``del``, ``global`` in a function, a block, ``+=``) and any
    code run at import that can reach the module's namespace (``globals()``,
    ``exec``...) is a :class:`ReadError`, unless a later plain assignment
    replaces what it did, as it would when Python runs the file. Code run at
    import that :func:`.import_time.first_unfollowed` does not follow is a
    :class:`ReadError` wherever it is (when nothing more precise is found).
    """
    final: dict[str, _Binding] = {}
    getattr_line = 0  # where the module binds __getattr__, if it does
    definitions: dict[str, list[ast.AST]] = {}
    loaded: set[str] = set()
    future = has_future_annotations(module)
    for statement in module.body:
        changed: dict[str, _Binding] = {}
        plain = _plain_targets(statement)
        for name, node, how in _bindings(statement, plain, definitions):
            if name == MODULE_GETATTR:
                getattr_line = getattr_line or getattr(node, "lineno", statement.lineno)
            elif name in IDENTIFIERS and name not in changed:
                line = getattr(node, "lineno", statement.lineno)
                shown = EVERY if how == STAR else name
                changed[name] = _Binding(line, problem=rebound(path, line, shown, how))
        word = _namespace_word(import_time_nodes(statement, future, lookups=False), loaded)
        if word is not None:
            for name in IDENTIFIERS:
                changed.setdefault(name, _namespace_binding(path, statement.lineno, word))
        if plain is not None:
            for name in plain[0]:
                changed[name] = _literal(plain[1], statement.lineno, text, path, name)
        final.update(changed)
    for name, line, how in _late_changes(module, definitions, loaded):
        if name in final and final[name].problem is not None:
            continue
        shown = name if how.startswith("declared") else EVERY
        final[name] = _Binding(line, problem=rebound(path, line, shown, how))
    if getattr_line:
        for name in IDENTIFIERS:
            if name not in final:
                how = "possibly supplied by the module's __getattr__"
                problem = rebound(path, getattr_line, name, how)
                final[name] = _Binding(getattr_line, problem=problem)
    problems = [
        (binding.problem.line, IDENTIFIERS.index(name), binding.problem)
        for name, binding in final.items()
        if binding.problem is not None
    ]
    unfollowed = None if problems else first_unfollowed(module, future)
    if unfollowed is not None:  # (the more precise finding first, when there is one)
        line, what = unfollowed
        how = f"possibly changed by code run at import that alembic-heads does not follow: {what}"
        raise rebound(path, line, EVERY, how, HINT)
    if problems:
        raise min(problems, key=lambda problem: problem[:2])[2]
    values = {name: binding.value for name, binding in final.items()}
    lines = {name: binding.line for name, binding in final.items()}
    return Parsed(values, lines, ast.get_docstring(module, clean=False))


def _plain_targets(statement: ast.stmt) -> tuple[list[str], ast.expr] | None:
    """The identifiers a plain module-level ``name = value`` (or
    ``name: annotation = value``) statement assigns, and the value."""
    if isinstance(statement, ast.Assign):
        names = [t.id for t in statement.targets if isinstance(t, ast.Name)]
        return [name for name in names if name in IDENTIFIERS], statement.value
    if isinstance(statement, ast.AnnAssign) and statement.value is not None:
        target = statement.target
        if isinstance(target, ast.Name) and target.id in IDENTIFIERS:
            return [target.id], statement.value
    return None


def _literal(value: ast.expr, line: int, text: str, path: str, name: str) -> _Binding:

    try:
        return _Binding(line, ast.literal_eval(value))
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _Binding(line, problem=not_literal(path, line, name, _short_segment(text, value)))


def _bindings(
    statement: ast.stmt,
    plain: tuple[list[str], ast.expr] | None,
    definitions: dict[str, list[ast.AST]],
) -> Iterator[tuple[str, ast.AST, str]]:
    """Each name ``statement`` binds in the module's namespace (but the plain
    targets of a plain assignment), with the node and how, in order.

    Function and class bodies bind their own names (``global`` aside, see
    :func:`_late_changes`); a comprehension's targets are its own, but a
    ``:=`` inside it binds in the module; a lambda's body binds nothing.
    ``definitions`` collects the module-level ``def`` and ``class`` nodes.
    """
    top_assignment = isinstance(statement, ast.Assign) and plain is not None
    # (node, how a Name stored or deleted below it is bound)
    todo: list[tuple[ast.AST, str]] = [(statement, _BLOCK)]
    top = True
    while todo:
        node, how = todo.pop()
        children: list[ast.AST | None]
        if isinstance(node, ast.Name):
            if not isinstance(node.ctx, ast.Load):
                yield node.id, node, how
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            definitions.setdefault(node.name, []).append(node)
            yield (
                node.name,
                node,
                "bound by a def"
                if not isinstance(node, ast.ClassDef)
                else "bound by a class statement",
            )
            children = [*node.decorator_list]
            if isinstance(node, ast.ClassDef):
                children += [*node.bases, *node.keywords]
            else:
                children += [*_argument_defaults(node.args), *_annotations(node.args)]
                children.append(node.returns)
        elif isinstance(node, ast.Lambda):
            children = [*_argument_defaults(node.args)]
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            children = [*_comprehension_parts(node)]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    for name in (*IDENTIFIERS, MODULE_GETATTR):
                        yield name, node, STAR
                else:
                    yield (alias.asname or alias.name.split(".")[0]), node, "bound by an import"
            continue
        elif isinstance(node, ast.AnnAssign) and node.value is None:
            children = [node.annotation]  # an annotation alone binds nothing
        else:
            children = list(ast.iter_child_nodes(node))
            captured = _pattern_or_handler_name(node)
            if captured is not None:
                yield captured, node, _how_bound(node, top)
        if top and top_assignment:
            assert isinstance(node, ast.Assign)
            plainly = [t for t in node.targets if isinstance(t, ast.Name) and t.id in IDENTIFIERS]
            children = [node.value, *(t for t in node.targets if t not in plainly)]
        child_how = _how_bound(node, top) if isinstance(node, ast.stmt | ast.NamedExpr) else how
        todo.extend((child, child_how) for child in reversed(children) if child is not None)
        top = False


def _how_bound(node: ast.AST, top: bool) -> str:

    if isinstance(node, ast.Assign):
        return "bound by unpacking" if top else _BLOCK
    kinds: list[tuple[type | tuple[type, ...], str]] = [
        ((ast.For, ast.AsyncFor), "bound by a for loop"),
        ((ast.With, ast.AsyncWith), "bound by a with statement"),
        (ast.Delete, "deleted (del)"),
        (ast.NamedExpr, "bound by an assignment expression (:=)"),
        (ast.ExceptHandler, "bound by an except clause"),
        ((ast.MatchAs, ast.MatchStar, ast.MatchMapping), "bound by a match pattern"),
    ]
    if hasattr(ast, "TypeAlias"):  # pragma: no cover (Python 3.12: type X = ...)
        kinds.append((ast.TypeAlias, "bound by a type statement"))
    for kind, how in kinds:
        if isinstance(node, kind):
            return how
    return _BLOCK


def _pattern_or_handler_name(node: ast.AST) -> str | None:

    if isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
        return node.name
    if isinstance(node, ast.MatchMapping):
        return node.rest
    return None


def _argument_defaults(args: ast.arguments) -> list[ast.expr | None]:
    return [*args.defaults, *args.kw_defaults]


def _annotations(args: ast.arguments) -> list[ast.expr | None]:
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    return [arg.annotation for arg in every if arg is not None]


def _comprehension_parts(node: ast.expr) -> Iterator[ast.AST]:
    """What a comprehension evaluates in its own scope, but its targets
    (which are its own): a ``:=`` in there binds in the module."""
    assert isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp))
    if isinstance(node, ast.DictComp):
        yield node.key
        yield node.value
    else:
        yield node.elt
    for generator in node.generators:
        yield generator.iter
        yield from generator.ifs


def _namespace_word(nodes: Iterable[ast.AST], loaded: set[str]) -> str | None:
    """The first word of :data:`NAMESPACE_WORDS` that ``nodes`` use (as a
    name, an attribute, an import or a string); names they load go to ``loaded``."""
    found: list[tuple[int, int, str]] = []
    for node in nodes:
        words: tuple[object, ...] = ()
        if isinstance(node, ast.Name):
            loaded.add(node.id)
            words = (node.id,)
        elif isinstance(node, ast.Attribute):
            words = (node.attr,)
        elif isinstance(node, ast.alias):
            words = (node.name, node.asname)
        elif isinstance(node, ast.Constant):
            words = (node.value,)
        for word in words:
            if isinstance(word, str) and word in NAMESPACE_WORDS:
                found.append((getattr(node, "lineno", 0), getattr(node, "col_offset", 0), word))
    return min(found)[2] if found else None


def _namespace_binding(path: str, line: int, word: str) -> _Binding:
    how = f"possibly changed through '{word}' when the module is imported"
    return _Binding(line, problem=rebound(path, line, EVERY, how))


def _late_changes(
    module: ast.Module, definitions: dict[str, list[ast.AST]], loaded: set[str]
) -> Iterator[tuple[str, int, str]]:
    """Identifiers that functions may change whenever they are called:
    declared ``global`` in any function or class, or reached through the
    namespace (``globals()``...) by a function or class that code run at
    import names (and so may call)."""
    for node in ast.walk(module):
        if isinstance(node, ast.Global):
            for name in node.names:
                if name in IDENTIFIERS:
                    yield name, node.lineno, "declared global in a function or class"
    seen: set[int] = set()
    todo = list(loaded)
    while todo:
        for definition in definitions.get(todo.pop(), []):
            if id(definition) in seen:
                continue
            seen.add(id(definition))
            called: set[str] = set()
            word = _namespace_word(ast.walk(definition), called)
            todo += called
            if word is not None:
                line = getattr(definition, "lineno", 1)
                how = f"possibly changed through '{word}' in a function run at import"
                for name in IDENTIFIERS:
                    yield name, line, how


def rebound(path: str, line: int, name: str, how: str, hint: str = "") -> ReadError:
    return ReadError(
        path,
        line,
        "not-literal",
        f"{name} is {how}; alembic-heads reads revision files without running "
        "them and needs one plain module-level assignment",
        hint,
    )


def not_literal(path: str, line: int, name: str, source: str | None) -> ReadError:
    shown = f" ({source})" if source and len(source) <= 60 else ""
    return ReadError(
        path,
        line,
        "not-literal",
        f"{name} is not a literal{shown}; alembic-heads reads revision files without running them",
        "write the value as a string, a tuple of strings or None",
    )


def _short_segment(text: str, node: ast.expr) -> str | None:
    """The source of ``node`` when it is short and on one line.

    Not ``ast.get_source_segment``: before Python 3.12 it splits the whole
    text one character at a time, in time quadratic in a line's length."""
    end = node.end_col_offset
    if node.end_lineno != node.lineno or end is None or end - node.col_offset > 240:
        return None
    start = 0
    if node.lineno > 1:
        breaks = _LINE_BREAK.finditer(text)
        for _ in range(node.lineno - 1):
            start = next(breaks).end()
    line = text[start : start + end]
    return line.encode()[node.col_offset : end].decode(errors="replace")
