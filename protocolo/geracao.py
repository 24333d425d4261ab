"""Generations of the derived topics: what a rebuild writes to, and the streams app id that writes it. Pure.

Generation 1 is the plain names (`tramitacao.processos`, app id `<prefix>-streams`). A rebuild runs the
streams again over the raw events as generation N + 1: new topic versions (`tramitacao.processos.v2`)
and a new Faust app id (`<prefix>-streams-v2`), hence new tables and changelogs, so nothing of the
generation still running is read or overwritten.
"""

from __future__ import annotations

__all__ = ["nome_na_geracao", "servico_na_geracao"]

import re

_SUFIXO = re.compile(r"\.v\d+$")


def nome_na_geracao(topico: str, geracao: int) -> str:
    """The name of a derived topic in one generation (any `.v<N>` suffix it had is replaced)."""
    base = _SUFIXO.sub("", topico)
    return base if geracao == 1 else f"{base}.v{geracao}"


def servico_na_geracao(servico: str, geracao: int) -> str:
    """The service name (consumer group, Faust app id) of one generation of the streams."""
    return servico if geracao == 1 else f"{servico}-v{geracao}"
