"""`qualify serve`: the one-click unsubscribe endpoint over HTTP (stdlib `wsgiref`)."""

from __future__ import annotations

from typing import Annotated
from wsgiref.simple_server import make_server

import typer

from app.cli.run_context import console, database_url
from app.unsubscribe_page import UNSUBSCRIBE_PATH, unsubscribe_app
from tools.mail.unsubscribe_tokens import unsubscribe_secret


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8025,
) -> None:
    """Serve the unsubscribe links of the agent's emails (QUALIFY_UNSUBSCRIBE_URL points here)."""
    app = unsubscribe_app(database_url(), unsubscribe_secret())
    with make_server(host, port, app) as server:
        console.print(
            f"Serving http://{host}:{server.server_port}{UNSUBSCRIBE_PATH}; Ctrl+C stops.",
            highlight=False,
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            console.print("Stopped.")
