"""``miner serve``: the web app over the store."""

from __future__ import annotations

import typer

from miner.cli import app


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
) -> None:
    """Serve the document list (HTML at /, JSON at /api/documents) over the store."""
    import uvicorn

    from miner.web import create_app

    uvicorn.run(create_app(), host=host, port=port, log_level="info")
