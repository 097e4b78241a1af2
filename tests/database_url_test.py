"""Which database a command means: a pure choice, tested on its own."""

from __future__ import annotations

import pytest

from alembic_heads.database_url import DatabaseUrl, choose_url, hide_password
from alembic_heads.findings import UsageError

CONFIGURED = "sqlite:///app.db"


def test_url_first_then_the_variable_then_the_configuration() -> None:
    environ = {"DATABASE_URL": "postgresql://app@db/app"}

    assert choose_url("sqlite:///given.db", None, environ, CONFIGURED, "alembic.ini") == (
        DatabaseUrl("sqlite:///given.db", "--url", True)
    )
    assert choose_url(None, "DATABASE_URL", environ, CONFIGURED, "alembic.ini") == (
        DatabaseUrl("postgresql://app@db/app", "$DATABASE_URL", True)
    )
    assert choose_url(None, None, environ, f" {CONFIGURED}\n", "alembic.ini [db]") == (
        DatabaseUrl(CONFIGURED, "alembic.ini [db] sqlalchemy.url", False)
    )
    assert choose_url(None, None, environ, None, "alembic.ini") is None
    assert choose_url(None, None, environ, "  ", "alembic.ini") is None


@pytest.mark.parametrize(
    ("url", "url_env", "message"),
    [
        ("", None, "--url: empty database URL"),
        (None, "UNSET", "--url-env UNSET: the environment variable is not set"),
        (None, "EMPTY", "--url-env EMPTY: the environment variable is not set"),
    ],
)
def test_a_named_url_that_is_not_there(url: str | None, url_env: str | None, message: str) -> None:
    with pytest.raises(UsageError) as raised:
        choose_url(url, url_env, {"EMPTY": ""}, CONFIGURED, "alembic.ini")

    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql+psycopg://app:s3cr:et@db:5432/app",
            "postgresql+psycopg://app:***@db:5432/app",
        ),
        ("postgresql://app@db/app", "postgresql://app@db/app"),
        ("mysql+pymysql://root:@localhost/app", "mysql+pymysql://root:***@localhost/app"),
        ("sqlite:///relative/app.db", "sqlite:///relative/app.db"),
    ],
)
def test_the_password_is_never_shown(url: str, shown: str) -> None:
    assert hide_password(url) == shown
    assert DatabaseUrl(url, "--url", True).shown == shown
