"""Logging set-up for entry points: key=value fields, one line per record."""

from __future__ import annotations

__all__ = ["configure_logging"]

import logging
import os


def configure_logging(level: str | None = None) -> None:
    """Configure the root logger once, from PROTOCOLO_LOG_LEVEL when no level is given."""
    logging.basicConfig(
        level=(level or os.environ.get("PROTOCOLO_LOG_LEVEL", "INFO")).upper(),
        format="%(asctime)s level=%(levelname)s logger=%(name)s %(message)s",
    )
    # One line per HTTP request to the search server is noise at INFO.
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)
