"""The pytest plugin (entry point ``alembic_heads``): where the project's history is.

It gives :func:`alembic_heads.testing.test_single_head` its ``alembic_heads_path``
fixture: the ``alembic_heads_path`` ini option, relative to pytest's rootdir
(default: the rootdir itself). Override the fixture in a ``conftest.py`` to
compute it instead. :func:`alembic_heads.testing.test_roundtrip` also gets the
``alembic_heads_roundtrip`` fixture: the keyword arguments of
:func:`alembic_heads.check_roundtrip` (``url``, ``url_env``), from the ini
options ``alembic_heads_roundtrip_url`` and ``alembic_heads_roundtrip_url_env``.
Loading the plugin imports nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

INI_OPTION = "alembic_heads_path"
URL_OPTION = "alembic_heads_roundtrip_url"
URL_ENV_OPTION = "alembic_heads_roundtrip_url_env"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        INI_OPTION,
        "alembic-heads: the folder you run `alembic` in, or its alembic.ini, "
        "relative to the rootdir (default: the rootdir)",
        default=".",
    )
    parser.addini(
        URL_OPTION,
        "alembic-heads: a PostgreSQL server for test_roundtrip to create its database on "
        "(default: a SQLite file in a temporary folder)",
        default="",
    )
    parser.addini(
        URL_ENV_OPTION,
        "alembic-heads: the environment variable env.py reads its database URL from",
        default="",
    )


@pytest.fixture
def alembic_heads_path(pytestconfig: pytest.Config) -> Path:
    """The project whose history ``test_single_head`` checks."""
    return pytestconfig.rootpath / str(pytestconfig.getini(INI_OPTION))


@pytest.fixture
def alembic_heads_roundtrip(pytestconfig: pytest.Config) -> dict[str, Any]:
    """How ``test_roundtrip`` reaches its database: ``check_roundtrip``'s options."""
    return {
        "url": str(pytestconfig.getini(URL_OPTION)) or None,
        "url_env": str(pytestconfig.getini(URL_ENV_OPTION)) or None,
    }
