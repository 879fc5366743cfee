"""``dynaguard serve``: migrate the history database, make the first admin, run the dashboard."""

from __future__ import annotations

import ipaddress
import os
from typing import TYPE_CHECKING

import click

from dynaguard.cli.exits import ExitCode, die

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Engine

ADMIN_PASSWORD_ENV = "DYNAGUARD_ADMIN_PASSWORD"


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8700, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--database",
    envvar="DYNAGUARD_DATABASE_URL",
    help="SQLAlchemy URL (postgresql://user@host/db); default: SQLite in the user data dir.",
)
@click.option("--migrate", is_flag=True, help="Upgrade the database schema, then exit.")
@click.option(
    "--behind-tls-proxy",
    is_flag=True,
    envvar="DYNAGUARD_BEHIND_TLS_PROXY",
    help="A TLS-terminating proxy is in front: trust its X-Forwarded-* and mark cookies Secure.",
)
def serve_command(
    host: str, port: int, database: str | None, migrate: bool, behind_tls_proxy: bool
) -> None:
    """Keep every scan, track findings over time, triage them, in a dashboard.

    \b
    Exit codes: 0 stopped; 2 usage or configuration error; 3 the database could not be used.
    """
    try:
        from dynaguard.serve.store import database as db
    except ImportError as exc:
        die(
            f"dynaguard serve needs its extra: pip install 'dynaguard[serve]' ({exc})",
            ExitCode.USAGE,
        )
    try:
        url = db.resolve_url(database)
    except ValueError as exc:
        die(f"--database: {exc}", ExitCode.USAGE)
    engine = db.connect(url)
    try:
        _serve(engine, host, port, migrate=migrate, behind_tls_proxy=behind_tls_proxy)
    finally:
        engine.dispose()


def _serve(engine: Engine, host: str, port: int, *, migrate: bool, behind_tls_proxy: bool) -> None:
    from dynaguard.serve.store import database as db

    _bring_schema_up(engine, explicit=migrate)
    if migrate:
        click.echo(f"database at revision {db.current_revision(engine)}", err=True)
        return
    _first_admin(engine)
    if not _loopback(host) and not behind_tls_proxy:
        click.echo(
            f"warning: serving plain HTTP on {host}: passwords and tokens cross the network "
            "in clear. Put a TLS proxy in front and pass --behind-tls-proxy.",
            err=True,
        )
    _run(engine, host, port, behind_tls_proxy)


def _bring_schema_up(engine: Engine, *, explicit: bool) -> None:
    from dynaguard.serve.store import database as db

    current, head = db.current_revision(engine), db.head_revision(engine)
    if current == head:
        return
    # NOTE: SQLite is one user's file: upgrade it on start. A shared PostgreSQL is upgraded
    # when its operator says so (--migrate), never by whichever server starts first.
    if explicit or db.is_sqlite(engine):
        db.migrate(engine)
        return
    die(
        f"the database schema is at {current or 'nothing'}, this dynaguard needs {head}: "
        "run dynaguard serve --migrate",
        ExitCode.TARGET,
    )


def _first_admin(engine: Engine) -> None:
    from dynaguard.serve import accounts
    from dynaguard.serve.store.database import sessions

    with sessions(engine).begin() as session:
        shown = accounts.ensure_admin(session, os.environ.get(ADMIN_PASSWORD_ENV) or None)
    if shown is not None:
        click.echo(
            f"first start: log in as 'admin' with password {shown}\n"
            f"(shown once; set {ADMIN_PASSWORD_ENV} to choose it instead)",
            err=True,
        )


def _run(engine: Engine, host: str, port: int, behind_tls_proxy: bool) -> None:
    from werkzeug.middleware.proxy_fix import ProxyFix
    from werkzeug.serving import make_server

    from dynaguard.serve.web import create_app

    app = create_app(engine, secure_cookies=behind_tls_proxy, validate_target=_target_validator())
    if behind_tls_proxy:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    server = make_server(host, port, app, threaded=True)
    click.echo(f"dynaguard serve on http://{host}:{server.server_port}/ (Ctrl-C stops)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _target_validator() -> Callable[[object], str] | None:
    """The monitor's own check of a target, for targets added through the API (None when the
    monitor's extra is not installed: the server then refuses them, saying so)."""
    try:
        from dynaguard.config import ConfigError
        from dynaguard.monitor.settings import parse_api_target
    except ImportError:
        return None

    def validate(definition: object) -> str:
        try:
            return parse_api_target(definition).name
        except ConfigError as exc:
            raise ValueError(str(exc)) from None

    return validate


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
