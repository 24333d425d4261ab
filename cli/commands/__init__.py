"""The `protocolo` command line (typer): one module per command group."""

from __future__ import annotations

__all__ = ["app"]

from cli.commands import agencias, dlq, nup, publish, referencia, replay, simulate, topics, up  # noqa: F401  (registers the commands)
from cli.commands._base import app
