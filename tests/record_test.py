"""Records behave as the frozen dataclasses they replace on the check path."""

from __future__ import annotations

import pytest

from alembic_heads.findings import Finding
from alembic_heads.graph import Graph
from alembic_heads.record import replace
from alembic_heads.revision_file import RevisionFile


def test_records_are_equal_by_value_and_hash_alike() -> None:
    one = Finding("versions/a.py", 3, "missing-parent", "gone", "fix it")
    same = Finding("versions/a.py", 3, "missing-parent", "gone", "fix it")

    assert one == same
    assert hash(one) == hash(same)
    assert one != replace(one, line=4)
    assert one != ("versions/a.py", 3, "missing-parent", "gone", "fix it")
    assert len({one, same}) == 1


def test_a_record_shows_its_fields_in_order() -> None:
    assert repr(Finding("a.py", 1, "code", "message")) == (
        "Finding(path='a.py', line=1, code='code', message='message', hint='')"
    )


def test_the_lines_of_a_revision_file_are_not_compared() -> None:
    script = RevisionFile("a.py", "aaaa", (), lines={"revision": 1})

    assert script == replace(script, lines={"revision": 9})
    assert script != replace(script, doc="other")


def test_a_record_matches_by_position_as_a_dataclass() -> None:
    """``case Finding(path, line):`` (a test in ``match`` would not parse before 3.10)."""
    assert Finding.__match_args__ == ("path", "line", "code", "message", "hint")


def test_replace_names_an_unknown_field() -> None:
    with pytest.raises(TypeError, match="Finding has no field colour, size"):
        replace(Finding("a.py", 1, "code", "message"), size=1, colour="red")


def test_a_record_holding_dicts_is_not_hashable() -> None:
    with pytest.raises(TypeError, match="unhashable"):
        hash(Graph({}, {}, {}, {}))
