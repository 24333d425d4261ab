"""The `protocolo` command line (typer): one module per command group."""

from __future__ import annotations

__all__ = ["app"]

from protocolo.cli import agencias, nup, publish, referencia, simulate, stack  # noqa: F401  (registers the commands)
from protocolo.cli._base import app
