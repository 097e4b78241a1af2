"""The pytest plugin (entry point ``alembic_heads``): where the project's history is.

It gives :func:`alembic_heads.testing.test_single_head` its ``alembic_heads_path``
fixture: the ``alembic_heads_path`` ini option, relative to pytest's rootdir
(default: the rootdir itself). Override the fixture in a ``conftest.py`` to
compute it instead. Loading the plugin imports nothing else.
"""

from __future__ import annotations

from pathlib import Path

import pytest

INI_OPTION = "alembic_heads_path"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        INI_OPTION,
        "alembic-heads: the folder you run `alembic` in, or its alembic.ini, "
        "relative to the rootdir (default: the rootdir)",
        default=".",
    )


@pytest.fixture
def alembic_heads_path(pytestconfig: pytest.Config) -> Path:
    """The project whose history ``test_single_head`` checks."""
    return pytestconfig.rootpath / str(pytestconfig.getini(INI_OPTION))
