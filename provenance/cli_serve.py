"""Command line of the HTTP service: ``trace serve`` (needs the ``serve`` extra: FastAPI and uvicorn).

Joined to the ``trace`` group by :func:`register` (called from ``cli.py``).
The command checks its settings (index readable, token where one is needed,
port free) before it listens, so a bad start is one line on stderr and exit 2.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import click

__all__ = ["register", "SERVE_EPILOG"]

from .prepublish.serve_settings import HOST_DEFAULT, MAX_BODY_DEFAULT, PORT_DEFAULT, TOKEN_ENV

SERVE_EPILOG = f"""\b
The token (first line of --token-file, else ${TOKEN_ENV}) is required as
'Authorization: Bearer TOKEN' on every write, and on every request when
--host is not a loopback address (the server refuses to start without one).

\b
Exit codes:
  0    stopped (Ctrl-C)
  2    bad setting: unreadable index, missing token, port in use (one line)
  3    internal error (one line; rerun with --debug for the traceback)

\b
Examples:
  trace serve --db wire.sqlite
  TRACE_SERVE_TOKEN=secret trace serve --db wire.sqlite --port 8765 --workers 2
  curl -s localhost:8765/v1/check -H 'Content-Type: application/json' -d '{{"text": "..."}}'
"""


def register(cli: click.Group, *, handle_errors: Callable[..., Any]) -> None:
    """Add ``serve`` to the ``trace`` group.

    Parameters
    ----------
    cli : click.Group
        The root group.
    handle_errors : callable
        Decorator turning library errors into exit 2 (one line) and others into exit 3.
    """

    @cli.command("serve", epilog=SERVE_EPILOG)
    @click.option("--db", required=True, type=click.Path(dir_okay=False), help="The index file (SQLite).")
    @click.option("--host", default=HOST_DEFAULT, show_default=True,
                  help="Address to listen on; off loopback a token is required on every request.")
    @click.option("--port", type=click.IntRange(1, 65535), default=PORT_DEFAULT, show_default=True)
    @click.option("--token-file", type=click.Path(dir_okay=False), default=None,
                  help=f"File whose first line is the bearer token (default: ${TOKEN_ENV}).")
    @click.option("--max-body", type=click.IntRange(min=1), default=MAX_BODY_DEFAULT, show_default=True,
                  help="Larger request bodies get a 413 (bytes).")
    @click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
                  help="Processes answering requests; they share the index.")
    @click.option("--create", is_flag=True, help="Create an empty index when --db does not exist.")
    @click.option("--access-log", is_flag=True, help="Log one line per request on stderr.")
    @handle_errors
    def serve_command(db: str, host: str, port: int, token_file: str | None, max_body: int, workers: int,
                      create: bool, access_log: bool) -> None:
        """Serve the pre-publish check and the index over HTTP (JSON API, and a page for editors at /)."""
        import os

        from .errors import InputError

        try:
            from .prepublish.serve import run
        except ImportError as exc:
            raise InputError(f"trace serve needs the serve extra (pip install 'provenance[serve]'): {exc}") from None
        from .prepublish.index import Index
        from .prepublish.serve_settings import ServeSettings, read_token

        if create and not os.path.exists(db):
            Index.create(db).close()
            click.echo(f"created an empty index {db}", err=True)
        settings = ServeSettings(db=db, host=host, token=read_token(token_file), max_body=max_body)
        settings.validate()
        _check_port(host, port)
        click.echo(f"trace serve: http://{_url_host(host)}:{port}/ (index {db}; Ctrl-C stops)", err=True)
        run(settings, port=port, workers=workers, access_log=access_log,
            log_level="info" if access_log else "warning")


def _check_port(host: str, port: int) -> None:
    """Fail with one line before uvicorn does with a log record (it binds with SO_REUSEADDR too)."""
    from .errors import InputError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise InputError(f"cannot listen on {host}: {exc.strerror}") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
