"""Use cases shared by the JSON API and the portal: search, read a processo (subscriptions: inscricoes.py)."""

from __future__ import annotations

__all__ = ["buscar", "ler_estatisticas", "ler_movimentos", "ler_processo", "processo_publico"]

import asyncio
from typing import Any

from elasticsearch import NotFoundError

from api.busca import estatisticas
from api.busca.consulta import montar_busca
from api.busca.movimentos import MovimentosParams, ler_pagina, montar_pagina
from api.busca.params import BuscaParams
from api.busca.resposta import ler_resposta
from api.deps import Recursos
from api.schemas import BuscaResultado, EstatisticasPublic, MovimentosPagina, ProcessoPublic


async def buscar(
    recursos: Recursos,
    q: str | None = None,
    *,
    tamanho: int = 20,
    inicio: int = 0,
    params: BuscaParams | None = None,
) -> BuscaResultado:
    """Search public processos: `params` (validated) when given, else the Consulta Simples `q`.

    Raises ConsultaInvalida for a cursor that does not belong to the query; with `q` alone it never does.
    """
    params = params or BuscaParams(q=q, tamanho=tamanho, inicio=inicio)
    chaveiro = recursos.settings.chaveiro
    plano = montar_busca(params, chaveiro=chaveiro)
    resposta = await recursos.es.search(index=recursos.settings.search.alias("processos"), body=plano.corpo)
    return ler_resposta(resposta.body, plano, params, chaveiro=chaveiro)


async def ler_estatisticas(recursos: Recursos, params: estatisticas.EstatisticasParams) -> EstatisticasPublic:
    """Gerencial counts of movimentos and public processos."""
    search = recursos.settings.search
    movimentos, processos = await asyncio.gather(
        recursos.es.search(index=search.alias("movimentos"), body=estatisticas.corpo_movimentos(params)),
        recursos.es.search(index=search.alias("processos"), body=estatisticas.corpo_processos(params)),
    )
    return estatisticas.ler_estatisticas(movimentos.body, processos.body, params)


async def ler_processo(recursos: Recursos, nup_digitos: str) -> ProcessoPublic | None:
    """A public processo by its NUP digits, or None (also when it exists but is not public)."""
    try:
        resposta = await recursos.es.get(index=recursos.settings.search.alias("processos"), id=nup_digitos)
    except NotFoundError:
        return None
    fonte: dict[str, Any] = resposta["_source"]
    if not fonte.get("publico"):
        return None
    return ProcessoPublic.model_validate(fonte)


async def processo_publico(recursos: Recursos, nup_digitos: str) -> bool:
    """Whether the processo exists and is public (reads only that flag)."""
    try:
        resposta = await recursos.es.get(
            index=recursos.settings.search.alias("processos"), id=nup_digitos, source_includes=["publico"]
        )
    except NotFoundError:
        return False
    return bool(resposta["_source"].get("publico"))


async def ler_movimentos(recursos: Recursos, params: MovimentosParams) -> MovimentosPagina | None:
    """One page of a public processo's timeline, or None when the processo is not public.

    Raises ConsultaInvalida for a cursor that does not belong to this processo and order.
    """
    chaveiro = recursos.settings.chaveiro
    corpo, vistos = montar_pagina(params, chaveiro=chaveiro)
    publico, resposta = await asyncio.gather(
        processo_publico(recursos, params.nup),
        recursos.es.search(index=recursos.settings.search.alias("movimentos"), body=corpo),
    )
    if not publico:
        return None
    return ler_pagina(resposta.body, params, vistos=vistos, chaveiro=chaveiro)
