"""`python -m api`: serve the API and portal with uvicorn."""

from __future__ import annotations

import uvicorn

from api.app import create_app
from protocolo.logs import configure_logging
from protocolo.settings import Settings


def main() -> None:
    """Serve until SIGTERM/SIGINT."""
    configure_logging()
    settings = Settings()
    uvicorn.run(create_app(settings), host=settings.api.host, port=settings.api.port, log_level="warning")


if __name__ == "__main__":
    main()
