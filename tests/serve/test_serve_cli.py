"""``dynaguard serve --migrate`` on both databases, and a shared PostgreSQL never upgraded by a
starting server."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from dynaguard.cli import main
from dynaguard.cli.serve import _loopback
from dynaguard.serve.store import database


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_migrate_brings_an_empty_database_to_head(empty_database: Engine) -> None:
    result = CliRunner().invoke(main, ["serve", "--migrate", "--database", _url(empty_database)])
    assert result.exit_code == 0, result.output
    head = database.head_revision(empty_database)
    assert database.current_revision(empty_database) == head
    assert f"database at revision {head}" in result.output


def test_a_starting_server_leaves_an_old_postgresql_schema_alone(
    postgres_database: Engine,
) -> None:
    # (SQLite is upgraded on start: the live server tests start on an empty file.)
    result = CliRunner().invoke(main, ["serve", "--database", _url(postgres_database)])
    assert result.exit_code == 3
    assert "run dynaguard serve --migrate" in result.output
    assert database.current_revision(postgres_database) is None


def test_unsupported_database_urls_are_usage_errors() -> None:
    result = CliRunner().invoke(main, ["serve", "--migrate", "--database", "mysql://h/db"])
    assert (result.exit_code, "unsupported database 'mysql'" in result.output) == (2, True)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("10.0.0.5", False),
    ],
)
def test_only_loopback_hosts_serve_without_the_tls_warning(host: str, loopback: bool) -> None:
    assert _loopback(host) is loopback
