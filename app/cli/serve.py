"""`qualify serve`: the web console, its JSON API and the one-click unsubscribe endpoint."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli.run_context import console, database_url


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8025,
) -> None:
    """Serve the web console (sign in with an account from `qualify users add`), its API at
    /api and the unsubscribe links of the agent's emails (QUALIFY_UNSUBSCRIBE_URL)."""
    import uvicorn

    from app.web.server import create_app

    console.print(f"Console at http://{host}:{port}/ ; Ctrl+C stops.", highlight=False)
    uvicorn.run(create_app(database_url()), host=host, port=port, log_level="warning")
