"""Which database a command means: the URL, where it came from, and its version table.

A URL is taken, in order, from ``--url``, from the environment variable
``--url-env`` names (as many ``env.py`` files do), or from ``sqlalchemy.url``
of the Alembic configuration (read as ``check`` reads it; ``env.py`` is never
run). Nothing here connects or imports SQLAlchemy: :mod:`.database` does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .findings import UsageError
from .record import Record

DEFAULT_VERSION_TABLE = "alembic_version"


class DatabaseUrl(Record):
    """A URL and where it came from (``--url``, ``$NAME``, ``alembic.ini [alembic]
    sqlalchemy.url``); ``given`` when the person named it on the command line."""

    __slots__ = ("url", "source", "given")

    def __init__(self, url: str, source: str, given: bool) -> None:
        self.url = url
        self.source = source
        self.given = given

    @property
    def shown(self) -> str:
        """The URL with its password hidden, as messages show it."""
        return hide_password(self.url)


def choose_url(
    url: str | None,
    url_env: str | None,
    environ: Mapping[str, str],
    configured: str | None,
    config_name: str,
) -> DatabaseUrl | None:
    """The database URL: ``url``, else ``environ[url_env]``, else ``configured``
    (``sqlalchemy.url`` of ``config_name``); ``None`` when none names one.
    Raises :class:`UsageError` when the named variable is unset or empty."""
    if url is not None:
        if not url.strip():
            raise UsageError("--url: empty database URL")
        return DatabaseUrl(url, "--url", True)
    if url_env is not None:
        value = environ.get(url_env, "")
        if not value.strip():
            raise UsageError(f"--url-env {url_env}: the environment variable is not set")
        return DatabaseUrl(value, f"${url_env}", True)
    if configured is not None and configured.strip():
        return DatabaseUrl(configured.strip(), f"{config_name} sqlalchemy.url", False)
    return None


_PASSWORD = re.compile(r"^([\w+.-]+://[^:/@]*:)[^@]*(@)")


def hide_password(url: str) -> str:
    """``url`` with the password written as ``***`` (as SQLAlchemy shows one)."""
    return _PASSWORD.sub(r"\1***\2", url)
