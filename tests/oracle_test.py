"""Alembic is the oracle: on the same files, our answers equal Alembic's."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import (
    CORPUS_NAMES,
    MOMENTS,
    STYLES,
    alembic_answer,
    before_merge,
    corpus,
    our_answer,
    revs_from_corpus,
    run_cli,
    write_project,
)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_corpus_matches_alembic(tmp_path: Path, name: str, style: str) -> None:
    data = corpus(name)
    quote = '"' if style in ("split", "pep604") else "'"
    write_project(
        tmp_path, revs_from_corpus(name), style, quote, data["recursive_version_locations"]
    )

    ours = our_answer(tmp_path)

    assert ours == alembic_answer(tmp_path)
    assert ours["heads"] == sorted(data["alembic"]["heads"])
    assert run_cli(["check"], tmp_path).code == 0


@pytest.mark.parametrize(("name", "index"), MOMENTS)
def test_two_head_moments_fail_and_name_every_head(tmp_path: Path, name: str, index: int) -> None:
    data = corpus(name)
    moment = data["two_head_moments"][index]
    kept = before_merge(name, index)
    assert len(revs_from_corpus(name)) - len(kept) == moment["removed"]
    write_project(tmp_path, kept, "classic", "'", data["recursive_version_locations"])

    result = run_cli(["check"], tmp_path)

    expected = sorted(moment["heads_without_merge"])
    assert alembic_answer(tmp_path)["heads"] == expected
    assert our_answer(tmp_path)["heads"] == expected
    assert result.code == 1
    assert "Multiple head revisions are present" in result.out
    merge_line = [line.strip() for line in result.out.splitlines() if "alembic merge" in line]
    heads_in_order = [
        line.split(": head ")[1].split(":")[0]
        for line in result.out.splitlines()
        if ": head " in line
    ]
    assert sorted(heads_in_order) == expected
    assert merge_line == [
        f"alembic merge -m 'merge {', '.join(heads_in_order[:-1])} and {heads_in_order[-1]}' "
        + " ".join(heads_in_order)
    ]
