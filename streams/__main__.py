"""`python -m streams`: run one streams worker with settings from the environment."""

from __future__ import annotations

from faust import Worker

from protocolo.logs import configure_logging
from protocolo.settings import Settings
from streams.app import build_app


def main() -> None:
    """Build the app from settings and run a worker until SIGTERM/SIGINT."""
    settings = Settings()
    configure_logging()
    app = build_app(settings)
    Worker(app, loglevel="WARNING").execute_from_commandline()


if __name__ == "__main__":
    main()
