"""Every benchmark's private local stack: broker, search server and SMTP sink on free ports."""

from __future__ import annotations

__all__ = ["iniciar_pilha"]

import tempfile
from pathlib import Path
from typing import Any

from cli.stack import LocalStack, settings_em_portas_livres


def iniciar_pilha(
    nome: str,
    *,
    servicos: tuple[str, ...] = (),
    substituir: dict[str, Any] | None = None,
    **api: Any,
) -> LocalStack:
    """Start the servers (topics created) of a stack of its own in a fresh state dir `bench-<nome>-*`.

    The caller stops it with `parar()`. `servicos` are the services a later `iniciar_servicos()`
    starts; `substituir` replaces top-level Settings fields (e.g. `notifier`); `api` overrides
    ApiSettings fields (e.g. gateway limits). Stops what started if a server fails to start.
    """
    settings = settings_em_portas_livres(Path(tempfile.mkdtemp(prefix=f"bench-{nome}-")), **api)
    if substituir:
        settings = settings.model_copy(update=substituir)
    stack = LocalStack(settings, servicos=servicos)
    try:
        stack.iniciar_servidores()
    except BaseException:
        stack.parar()
        raise
    return stack
