"""`python -m api`: serve the API and portal with uvicorn."""

from __future__ import annotations

import uvicorn

from api.app import create_app
from protocolo.configuracao import carregar_settings
from protocolo.logs import configure_logging


def main() -> None:
    """Serve until SIGTERM/SIGINT."""
    configure_logging()
    settings = carregar_settings()
    # log_config=None: uvicorn's loggers go to the root logger, in the process's one format.
    uvicorn.run(
        create_app(settings),
        host=settings.api.host,
        port=settings.api.port,
        log_level="warning",
        log_config=None,
    )


if __name__ == "__main__":
    main()
