"""The `protocolo` command line (typer): one module per command group."""

from __future__ import annotations

__all__ = ["app"]

from cli.commands import (  # noqa: F401  (registers the commands)
    agencias,
    audit,
    create_indices,
    create_topics,
    dlq,
    integradores,
    nup,
    publish,
    rebuild,
    reconcile,
    referencia,
    reindex,
    replay,
    simulate,
    up,
)
from cli.commands._base import app
