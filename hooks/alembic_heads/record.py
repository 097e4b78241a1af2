"""Value objects for the check path, without :mod:`dataclasses`.

``import dataclasses`` imports ``inspect``, ``ast`` and ``dis``: 9 ms, a
third of what the whole hook may cost on a thousand revisions. The types the
check builds on every commit are plain classes with ``__slots__`` and a
written-out ``__init__`` (which mypy checks like any other); this base gives
them what ``@dataclass(frozen=True)`` gave: equality, hashing, a ``repr`` and
:func:`replace`. Commands that run only on request keep using dataclasses.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TypeVar

    R = TypeVar("R", bound="Record")


class Record:
    """Fields are the ``__slots__`` of the class; a record is not changed
    after ``__init__`` (use :func:`replace`).

    ``_keyword_only`` fields (the last ones, as after dataclasses' ``KW_ONLY``)
    are not matched by position, and ``repr`` leaves them out while ``None``.
    """

    __slots__: tuple[str, ...] = ()
    __match_args__: tuple[str, ...] = ()
    _keyword_only: tuple[str, ...] = ()

    def __init_subclass__(cls) -> None:
        # for ``case Finding(path, line)``
        cls.__match_args__ = tuple(  # type: ignore[misc]
            name for name in cls.__slots__ if name not in cls._keyword_only
        )

    def _compared(self) -> tuple[object, ...]:
        """The values equality and hashing look at (default: every field)."""
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._compared() == other._compared()

    def __hash__(self) -> int:
        return hash(self._compared())

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{name}={getattr(self, name)!r}"
            for name in self.__slots__
            if name not in self._keyword_only or getattr(self, name) is not None
        )
        return f"{self.__class__.__name__}({fields})"


def replace(record: R, **changes: object) -> R:
    """A copy of ``record`` with ``changes``, as :func:`dataclasses.replace`
    (``__init__`` takes every field, by its name)."""
    unknown = set(changes).difference(record.__slots__)
    if unknown:
        raise TypeError(f"{record.__class__.__name__} has no field {', '.join(sorted(unknown))}")
    fields = {name: changes.get(name, getattr(record, name)) for name in record.__slots__}
    return record.__class__(**fields)
