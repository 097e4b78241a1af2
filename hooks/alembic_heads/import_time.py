"""What code run at import may do and still leave a revision file's identifiers
to be read statically: the ``ast`` reader's rule (:func:`first_unfollowed`).

A list of words (``globals``, ``exec``...) cannot tell every way into the
module's namespace: ``object.__getattribute__(sys._getframe(), 'f_glob' +
'als')``, ``inspect.currentframe()``, ``sys.modules[__name__]``, ``gc``,
``importlib``... So the rule lists what code run at import may *do* instead,
and anything else is reported, wherever it is in the file (a call made before
the last assignment can still install a trace function, start a thread or
register a finalizer that rebinds an identifier afterwards):

- call only what the rule can follow: a function or class the file defines
  (whose whole code is then held to the same rule), a lambda (its body counts
  as run), a function from an imported library (not the standard library:
  its code is outside the file, and the one trust this rule makes is that a
  library does not rebind its importer's names), a few standard-library
  functions that do not (:data:`SAFE_STDLIB_CALLS`), a few builtins that
  only build values (:data:`SAFE_BUILTIN_CALLS`), a method of a literal
  (``"{}_x".format(...)``), or a method of what such a call returned (also
  through a name bound once to it);
- store into no attribute or item (``x.y = ...``, ``x[k] = ...``, ``del``);
- bind a special name in a class body (``__eq__``: Python calls it on ``==``)
  only to a def, a constant or what a followed call returned, and use
  ``property``/``staticmethod``/``classmethod`` only as decorators;
- a decorator, and a class's ``metaclass=``, is a call.

Annotations that Python does not evaluate (``from __future__ import
annotations``) are not code; evaluated ones are held to the rule like any
other code (a bare ``vars`` there only looks a name up).
"""

from __future__ import annotations

import ast
import sys
from collections import Counter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

# Builtins that only build or inspect values: calling them runs no code of the
# file's (but dunder methods of the values, which come from the same rule).
SAFE_BUILTIN_CALLS = frozenset(
    (
        *("str", "int", "float", "bool", "bytes", "tuple", "list", "dict", "set"),
        *("frozenset", "len", "repr", "isinstance", "issubclass", "range", "print"),
    )
)
# Builtin decorators that wrap the function they decorate (one the file
# defines, so followed) without calling it. Not as calls: ``property(exec)``
# would have Python call ``exec`` when the attribute is read.
WRAPPING_DECORATORS = frozenset(("property", "staticmethod", "classmethod"))
# Standard-library functions seen at module level in revision files that reach
# no frame and no module's namespace.
SAFE_STDLIB_CALLS = frozenset(
    (
        *("logging.getLogger", "typing.TypeVar", "typing.NewType", "typing.cast"),
        *("datetime.datetime", "datetime.date", "datetime.timedelta", "datetime.timezone"),
        *("decimal.Decimal", "uuid.UUID", "enum.auto", "re.compile", "os.getenv"),
        *("os.environ.get", "dataclasses.dataclass", "dataclasses.field"),
        # a migration that loads its SQL from a file beside it names the file so
        *("os.path.join", "os.path.dirname", "os.path.abspath", "os.path.basename"),
        *("os.path.realpath", "os.path.splitext", "os.path.normpath", "textwrap.dedent"),
    )
)
_STDLIB = frozenset(sys.stdlib_module_names)
HINT = (
    "alembic-heads follows no code run at import but calls of the file's own functions, "
    "of imported libraries and of a few builtins: move it into upgrade() or downgrade()"
)


class _Scope:
    """Where each name the module's code run at import uses comes from:
    ``imports`` (name -> dotted path), ``defined`` (def/class nodes)."""

    def __init__(self, module_nodes: list[ast.AST], module: ast.Module) -> None:
        self.imports: dict[str, str] = {}
        self.defined: dict[str, list[ast.AST]] = {}
        self.relative: list[ast.ImportFrom] = []  # a module beside the file: its code runs
        other: set[str] = set()
        stores: dict[str, int] = {}
        # name -> value, of a name = value (a name bound once so is a library
        # call's result when its value is: log = logging.getLogger(__name__))
        self.assigned: dict[str, ast.expr] = {}
        for node in module_nodes:
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                self.assigned[node.targets[0].id] = node.value
            if isinstance(node, ast.Import):
                for alias in node.names:
                    name = alias.asname or alias.name.partition(".")[0]
                    self._import(name, alias.name if alias.asname else name, other)
            elif isinstance(node, ast.ImportFrom) and node.level:
                self.relative.append(node)
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    name = alias.asname or alias.name
                    self._import(name, f"{node.module}.{alias.name}", other)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.defined.setdefault(node.name, []).append(node)
            elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                other.add(node.id)
                stores[node.id] = stores.get(node.id, 0) + 1
            elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
                other.add(node.name or "")
        # a name a function, lambda or class binds too (a parameter, a local)
        # is there not the module's import, function or value: not followed
        at_module = {id(node) for node in module_nodes}
        local = _local_bindings(n for n in ast.walk(module) if id(n) not in at_module)
        local |= _local_bindings(n for n in module_nodes if isinstance(n, ast.arg))
        other |= local
        for name in [*self.imports, *self.defined]:  # bound otherwise too: not followed
            if name in other or (name in self.imports and name in self.defined):
                self.imports.pop(name, None)
                self.defined.pop(name, None)
                other.add(name)
        self.bound = other | set(self.defined) | set(self.imports)
        for name in [*self.assigned]:
            if stores.get(name) != 1 or name in local or name in self.imports | self.defined.keys():
                del self.assigned[name]

    def _import(self, name: str, path: str | None, other: set[str]) -> None:
        known = self.imports.get(name, path)
        # a name imported from either of two libraries (try: ... except
        # ImportError:) is a library's either way; one from the standard
        # library is then a different function, which is not followed
        either_library = path is not None and known is not None and not _stdlib(path, known)
        if path is None or (known != path and not either_library):
            other.add(name)
        elif name not in self.imports:
            self.imports[name] = path

    def follows(self, callee: ast.expr, local: Mapping[str, ast.expr]) -> bool:
        """Whether calling ``callee`` runs only code the rule follows (in a
        function whose names bound once to a call are ``local``)."""
        node, path = callee, []
        while isinstance(node, (ast.Attribute, ast.Subscript)):
            path.append(node.attr if isinstance(node, ast.Attribute) else "[]")
            node = node.value
        if isinstance(node, ast.Lambda):
            return not path
        if isinstance(node, ast.Constant):  # "{}_x".format(...), ", ".join(...)
            return len(path) == 1 and not path[0].startswith("_")
        if isinstance(node, ast.Call):  # a method of what a call returned
            return self._library(node.func, local) or _builtin(node.func, self.bound)
        if not isinstance(node, ast.Name):
            return False
        if node.id in self.defined:
            return not path
        return self._library(callee, local) or (not path and _builtin(node, self.bound))

    def _library(
        self,
        callee: ast.expr,
        local: Mapping[str, ast.expr],
        resolving: frozenset[str] = frozenset(),
    ) -> bool:
        """Whether ``callee`` is a library's (not the standard library's, but
        :data:`SAFE_STDLIB_CALLS`), or a method of what a library call returned."""
        node, path = callee, []
        while isinstance(node, ast.Attribute):
            path.append(node.attr)
            node = node.value
        if isinstance(node, ast.Call):
            return self._library(node.func, local, resolving)
        name = node.id if isinstance(node, ast.Name) else ""
        root = self.imports.get(name)
        if root is None:
            value = local.get(name, self.assigned.get(name))
            if not isinstance(value, ast.Call) or not path or name in resolving:
                return False
            return self._library(value.func, local, resolving | {name})
        if not _stdlib(root):
            return not isinstance(callee, ast.Subscript)
        return ".".join((root, *reversed(path))) in SAFE_STDLIB_CALLS


def _local_bindings(nodes: Iterable[ast.AST]) -> set[str]:
    return set(_bindings(nodes))


def _bindings(nodes: Iterable[ast.AST]) -> Iterator[str]:
    """The names ``nodes`` bind (each time): parameters, stores, definitions, imports."""
    for node in nodes:
        if isinstance(node, ast.arg):
            yield node.arg
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            yield node.id
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node.name
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
            yield node.name or ""
        elif isinstance(node, ast.MatchMapping):
            yield node.rest or ""
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            yield from ((a.asname or a.name).partition(".")[0] for a in node.names)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            yield from node.names


def _with_locals(
    node: ast.AST, local: Mapping[str, ast.expr]
) -> Iterator[tuple[ast.AST, Mapping[str, ast.expr]]]:
    """Each node under ``node`` with the names bound once to a call in the
    functions around it (``url = make_url(...)`` then ``url.get_backend_name()``):
    bound once in the whole function, nested scopes and parameters included,
    so the name means that value wherever the function uses it."""
    yield node, local
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        outer = [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]
        outer += _annotations(node)
        for expression in outer:
            if expression is not None:
                yield from _with_locals(expression, local)
        inner = {**local, **_bound_once(node)}
        for statement in node.body:
            yield from _with_locals(statement, inner)
        return
    for child in ast.iter_child_nodes(node):
        yield from _with_locals(child, local)


def _bound_once(function: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, ast.expr]:
    every = [*ast.walk(function.args), *(n for s in function.body for n in ast.walk(s))]
    counts = Counter(_bindings(every))
    own: dict[str, ast.expr] = {}
    todo: list[ast.AST] = list(function.body)
    while todo:  # the function's own scope: not a nested function's or class's
        node = todo.pop()
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            target = node.targets[0]
            if len(node.targets) == 1 and isinstance(target, ast.Name):
                own[target.id] = node.value
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            todo.extend(ast.iter_child_nodes(node))
    return {name: value for name, value in own.items() if counts[name] == 1}


def _stdlib(*paths: str) -> bool:
    return any(path.partition(".")[0] in _STDLIB for path in paths)


def _builtin(callee: ast.expr, bound: set[str]) -> bool:
    return isinstance(callee, ast.Name) and callee.id in SAFE_BUILTIN_CALLS - bound


def first_unfollowed(module: ast.Module, future_annotations: bool) -> tuple[int, str] | None:
    """The first line of code run at import (directly, or in a function or
    class that code uses) that the rule does not follow, and what it does."""
    module_nodes = list(import_time_nodes(module, future_annotations))
    scope = _Scope(module_nodes, module)
    found = [(node.lineno, 0, "a relative import (its module runs)") for node in scope.relative]
    seen: set[int] = set()
    todo: list[ast.AST] = [module]
    while todo:
        root = todo.pop()
        nodes = ((n, {}) for n in module_nodes) if root is module else _with_locals(root, {})
        for node, local in nodes:
            for callee in _callees(node):
                if not (_wrapping(node, callee, scope.bound) or scope.follows(callee, local)):
                    found.append(
                        (callee.lineno, callee.col_offset, f"a call of '{_shown(callee)}'")
                    )
            if isinstance(node, ast.ClassDef):
                for line, column, name in _special_bindings(node, scope, local):
                    found.append(
                        (line, column, f"'{name}' bound to a value Python may call by itself")
                    )
            if isinstance(node, (ast.Attribute, ast.Subscript)) and not isinstance(
                node.ctx, ast.Load
            ):
                found.append((node.lineno, node.col_offset, f"a store into '{_shown(node)}'"))
            elif isinstance(node, ast.Name) and node.id in scope.defined:
                for definition in scope.defined[node.id]:
                    if id(definition) not in seen:
                        seen.add(id(definition))
                        todo.append(definition)
    if not found:
        return None
    line, _, what = min(found)
    return line, what


def _special_bindings(
    cls: ast.ClassDef, scope: _Scope, local: Mapping[str, ast.expr]
) -> Iterator[tuple[int, int, str]]:
    """Where ``cls``'s body binds a special name (``__eq__ = exec``: Python
    calls it on ``==``, no call in sight) to other than a def, a constant or
    what a followed call returned."""
    todo: list[ast.AST] = list(cls.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue  # a def binds code the rule follows; a nested scope binds its own names
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and (
            node.value is None or _inert(node.value, scope, local)
        ):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            todo += [t for t in targets if not isinstance(t, ast.Name)]
            todo += [node.value] if node.value else []
            continue
        for name in _bindings([node]):
            if name.startswith("__") and name.endswith("__"):
                yield getattr(node, "lineno", cls.lineno), getattr(node, "col_offset", 0), name
        todo.extend(ast.iter_child_nodes(node))


def _inert(
    value: ast.expr,
    scope: _Scope,
    local: Mapping[str, ast.expr],
    resolving: frozenset[str] = frozenset(),
) -> bool:
    """Whether ``value`` is a constant, a container of such, a function or
    class the file defines, a lambda, a module constant (``SCHEMA = "app"``)
    or what a library or builtin returned."""
    if isinstance(value, (ast.Constant, ast.Lambda)):
        return True
    if isinstance(value, (ast.Tuple, ast.List, ast.Set)):
        return all(_inert(element, scope, local, resolving) for element in value.elts)
    if isinstance(value, ast.Dict):
        items = (v for v in (*value.keys, *value.values) if v)
        return all(_inert(item, scope, local, resolving) for item in items)
    if isinstance(value, ast.Name):
        bound_to = scope.assigned.get(value.id)
        return value.id in scope.defined or (
            bound_to is not None
            and value.id not in resolving
            and _inert(bound_to, scope, local, resolving | {value.id})
        )
    return isinstance(value, ast.Call) and (
        scope._library(value.func, local) or _builtin(value.func, scope.bound)
    )


def _wrapping(node: ast.AST, callee: ast.expr, bound: set[str]) -> bool:
    return (
        isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and isinstance(callee, ast.Name)
        and callee.id in WRAPPING_DECORATORS - bound
    )


def _callees(node: ast.AST) -> Iterator[ast.expr]:
    """What ``node`` calls: a call's function, a decorator, a metaclass."""
    if isinstance(node, ast.Call):
        yield node.func
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield from node.decorator_list
        if isinstance(node, ast.ClassDef):
            yield from (k.value for k in node.keywords if k.arg == "metaclass")


def _shown(node: ast.expr) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 60 else text[:57] + "..."


def import_time_nodes(
    root: ast.AST, future_annotations: bool, lookups: bool = True
) -> Iterator[ast.AST]:
    """The nodes of ``root`` that run when the module is imported: all but
    function bodies (decorators, defaults and annotations run; class bodies
    run; lambdas are counted as run, to be safe) and, under ``from __future__
    import annotations``, annotations. Without ``lookups``, annotations that
    call nothing (only look names up) are left out too."""
    todo = [root]
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            todo += node.decorator_list
            todo += [n for n in node.args.defaults + node.args.kw_defaults if n]
            annotations = [] if future_annotations else _annotations(node)
            todo += [n for n in annotations if n and (lookups or _calls(n))]
        elif isinstance(node, ast.AnnAssign):
            target = node.target
            if node.value is None and not isinstance(target, ast.Name):
                todo.append(target.value)  # x.y: int evaluates x, and stores nothing
            else:
                todo.append(target)
            todo += [node.value] if node.value else []
            evaluated = not future_annotations and (lookups or _calls(node.annotation))
            todo += [node.annotation] if evaluated else []
        else:
            todo.extend(ast.iter_child_nodes(node))


def _calls(node: ast.AST) -> bool:
    return any(isinstance(n, (ast.Call, ast.Lambda, ast.NamedExpr)) for n in ast.walk(node))


def _annotations(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr | None]:
    args = node.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    return [*(arg.annotation for arg in every if arg is not None), node.returns]


def has_future_annotations(module: ast.Module) -> bool:
    return any(
        isinstance(statement, ast.ImportFrom)
        and statement.module == "__future__"
        and any(alias.name == "annotations" for alias in statement.names)
        for statement in module.body
    )
