"""The fast reader: a revision file shaped like Alembic's templates, read with
regular expressions (no ``ast``, no ``compile`` of a syntax tree).

It answers only when it is sure, and then exactly as the ``ast`` reader
(:mod:`.ast_reader`) does; anything else returns ``None`` and the caller
(:func:`.revision_reader.parse_revision_source`) reads the file with ``ast``.
A test compares the two readers on generated sources; another holds every
word the ``ast`` reader looks for among the words of ``may_bind``.

Why a file the fast reader accepts is read as Python binds it
--------------------------------------------------------------
The accepted shape, top to bottom (:func:`parse_fast`):

1. an optional docstring: no prefix, no backslash, ending its line;
2. *plain lines*: blank lines, comments and one-line imports at the margin
   (``[from X ]import names``: no bracket, no string, no ``*``, no
   backslash), so that what follows starts a statement at module level;
3. the assignments: ``name[: annotation] = value`` at the margin, each
   identifier at most once, with only blank lines and comments between them;
4. the rest of the file, not parsed, but whose lines at the margin are all
   blank lines, comments or ``def`` headers that call nothing (no default, no
   decorator, annotations of names only): no statement at module level, so
   nothing after the assignments runs at import but looking names up.

The values are exact: a value is ``None``, a string without a backslash or a
line break between its quotes and without a prefix (so its text is its
value), or a tuple (with a comma, so ``('a')`` is refused) or list of such
strings, and the statement ends there (no ``;``, no ``'a' 'b'``, no
``if``). An annotation calls nothing (no parentheses) and binds nothing
(no ``=``).

Nothing else binds an identifier: every way Python binds a name names it
(assignment, ``import``, ``def``, ``class``, ``for``, ``with``, ``except``,
``:=``, ``match``, ``del``, ``global``), and no identifier's name appears in
the imports or in the rest, not even as part of a word, a string or a
comment (``may_bind`` finds ``revision`` inside ``down_revision`` too). Nor
is any word the ``ast`` reader takes for a way into the module's namespace
(:data:`.ast_reader.NAMESPACE_WORDS`: ``globals()``, ``exec``, a frame's
``f_globals``...), a module ``__getattr__`` or a star import: they are words
of ``may_bind`` too, matched inside longer words (``getattr`` also finds
``__getattribute__``). Nor does anything run at import but the imports (the
one trust of :mod:`.import_time`) and annotations that look names up. So the
assignments matched are the last bindings of their names, the ``ast`` reader
reads the file alike, and the fast reader is sound wherever the ``ast``
reader's rules are. (Neither reader follows an
import into the module it runs: code there that reaches this module's frame
is beyond both.)

What makes it give up (``None``), and the ``ast`` reader read the file: a
lone ``\\r`` or a form feed (a line break or an indentation the patterns do
not see), a docstring it does not read exactly, anything other than plain
lines before the first assignment (a relative import too), an identifier
assigned twice, any ``may_bind`` word in the imports (comments aside) or in
the rest, or any other line at the margin in the rest. Whether
the file compiles is the caller's check (``compile``, no syntax tree).
"""

from __future__ import annotations

from .revision_file import IDENTIFIERS, Parsed

_STRING = r"""(?:'[^'\\\n]*'|"[^"\\\n]*")"""
_COMMENT = r"(?:#[^\n]*)?"
# Between the items of a tuple written over several lines. A comment runs to
# the end of its line: "#[^\n]*" alone could also stop at each "#" inside it,
# and a line of "# # # ..." would then take exponential time to fail.
_GAP = r"(?:\s|#[^\n]*(?![^\n]))*"
_BLANK_LINES = rf"(?:[ \t]*{_COMMENT}\n)*"


def _value(group: str) -> str:
    """A value, in the named group ``group``: None, a string, or a tuple or
    list of strings."""
    return (
        rf"(?P<{group}>None|{_STRING}"
        rf"|\({_GAP}(?:(?:{_STRING}{_GAP},{_GAP})+(?:{_STRING}{_GAP})?)?\)"
        rf"|\[{_GAP}(?:{_STRING}{_GAP},{_GAP})*(?:{_STRING}{_GAP})?\])"
    )


# An optional one-line annotation and the equals sign. An annotation runs at
# import: without parentheses it calls nothing, without "=" it binds nothing.
_ANNOTATION_AND_EQUALS = r"(?:[ \t]*:[ \t]*[^=\s#'\"()][^=\n#'\"()]*)?[ \t]*=[ \t]*"
_END = rf"[ \t]*{_COMMENT}(?:\n|\Z)"


class _Patterns:
    """The fast reader's patterns. Compiled on first use (:func:`patterns`):
    a run that finds every file in the cache reads none, and compiling them
    would cost it more than all its other work on a thousand revisions."""

    def __init__(self) -> None:
        import re

        # Lines that cannot open a bracket or a string: blank lines, comments,
        # and one-line imports at the margin. What follows is at module level.
        self.plain_lines = re.compile(
            rf"(?:[ \t]*{_COMMENT}\n"
            rf"|(?:from[ \t]+\w[\w.]*[ \t]+)?import[ \t]+[\w., \t]+{_COMMENT}\n)*"
        )
        self.blank_lines = re.compile(_BLANK_LINES)
        # One assignment to an identifier, at the margin.
        self.assignment = re.compile(
            rf"(?P<name>{'|'.join(IDENTIFIERS)}){_ANNOTATION_AND_EQUALS}{_value('value')}{_END}"
        )
        # All four, in the order Alembic's templates write them: one match, not
        # eight. The group of each name starts its assignment; its value is in
        # the group "<name>_value".
        self.template_block = re.compile(
            _BLANK_LINES.join(
                rf"(?P<{name}>{name}){_ANNOTATION_AND_EQUALS}{_value(f'{name}_value')}{_END}"
                for name in IDENTIFIERS
            )
            + _BLANK_LINES
        )
        self.item = re.compile(rf"(?P<string>{_STRING})|#[^\n]*")
        self.statement_end = re.compile(r"[ \t]*(?:#[^\n]*)?(?:\n|\Z)")
        # What may bind an identifier when it is not plainly assigned: its
        # name, a way into the module's namespace, a star import.
        self.may_bind = re.compile(
            r"revision|branch_labels|depends_on|global|locals|getattr|__dict__|attrgetter|methodcaller"
            r"|\b(?:vars|exec|eval)\b|\bimport\s*(?:\\\s*)*\*"
        )
        # A line at the margin, after the assignments, that is not a blank
        # line, a comment or a def whose header calls nothing: code run at
        # import (or the inside of a string: giving up is only slower).
        self.margin_code = re.compile(
            r"^(?![ \t]|#|$|(?:async[ \t]+)?def[ \t]+\w+\([\w:., \t\[\]]*\)"
            r"[ \t]*(?:->[ \t]*[\w.\[\], \t]+)?:)",
            re.MULTILINE,
        )
        self.comment = re.compile(r"#[^\n]*")
        self.docstring = re.compile(
            r"\A(?:[ \t]*(?:#[^\n]*)?\n)*(?P<prefix>[rRuU]?)(?P<quote>\"\"\"|'''|\"|')"
        )


_compiled: list[_Patterns] = []


def patterns() -> _Patterns:
    if not _compiled:
        _compiled.append(_Patterns())
    return _compiled[0]


def parse_fast(text: str) -> Parsed | None:
    """The identifiers of a file shaped like Alembic's templates, or ``None``
    (the module's docstring says which shape, and why it is read exactly)."""
    if "\r" in text or "\f" in text:
        return None  # a line break, or indentation, the patterns below do not see
    compiled = patterns()
    doc, position = _docstring(text, compiled)
    if position < 0:
        return None
    preamble = position
    position = compiled.plain_lines.match(text, position).end()  # type: ignore[union-attr]
    assignments = position
    line = text.count("\n", 0, position) + 1
    values: dict[str, object] = {}
    lines: dict[str, int] = {}
    block = compiled.template_block.match(text, position)
    if block is not None:
        for name in IDENTIFIERS:
            start = block.start(name)
            line += text.count("\n", position, start)
            position = start
            values[name] = _simple_value(block.group(f"{name}_value"), compiled)
            lines[name] = line
        line += text.count("\n", position, block.end())
        position = block.end()
    while (match := compiled.assignment.match(text, position)) is not None:
        name = match.group("name")
        if name in values:
            return None  # assigned twice
        values[name] = _simple_value(match.group("value"), compiled)
        lines[name] = line
        end = compiled.blank_lines.match(text, match.end()).end()  # type: ignore[union-attr]
        line += text.count("\n", position, end)
        position = end
    if not values or _may_bind_an_identifier(text[position:], compiled):
        return None
    if compiled.margin_code.search(text, position) is not None:
        return None  # code run at import: the ast reader's rule (import_time.py) judges it
    # Comments are words too: Alembic's template says "revision identifiers".
    # In plain lines a "#" can only start one.
    imports = compiled.comment.sub("", text[preamble:assignments])
    if _may_bind_an_identifier(imports, compiled):
        return None  # e.g. "from x import depends_on", or a module __getattr__
    return Parsed(values, lines, doc)


def _may_bind_an_identifier(source: str, compiled: _Patterns) -> bool:
    """Whether ``source`` holds a word of ``may_bind``: an identifier's name,
    a way into the module's namespace, a star import."""
    if not source.isascii():
        import unicodedata

        # Python reads identifiers NFKC-normalised: "revision" spelled with a
        # fullwidth r is "revision" (strings change too: only more careful).
        source = unicodedata.normalize("NFKC", source)
    return compiled.may_bind.search(source) is not None


def _docstring(text: str, compiled: _Patterns) -> tuple[str | None, int]:
    """The module docstring and where it ends, or ``-1`` to give up: only a
    docstring whose text is its value (no prefix, no backslash) is read."""
    match = compiled.docstring.match(text)
    if match is None:
        stripped = text.lstrip()
        if stripped[:1] in ("'", '"') or stripped[:2].lower() in ("b'", 'b"', "f'", 'f"'):
            return None, -1
        return None, 0
    prefix, quote = match.group("prefix", "quote")
    end = text.find(quote, match.end())
    if end < 0 or (len(quote) == 1 and "\n" in text[match.end() : end]):
        return None, -1
    body = text[match.end() : end]
    if prefix or "\\" in body:
        return None, -1
    after = end + len(quote)
    if compiled.statement_end.match(text, after) is None:
        return None, -1  # e.g. implicit concatenation: "a" "b"
    return body, after


def _simple_value(source: str, compiled: _Patterns) -> object:
    """The value a matched value's text stands for (its strings hold no
    backslash: their text is their value)."""
    if source == "None":
        return None
    if source[0] == "(":
        return tuple(item[1:-1] for item in compiled.item.findall(source) if item)
    if source[0] == "[":
        return [item[1:-1] for item in compiled.item.findall(source) if item]
    return source[1:-1]
