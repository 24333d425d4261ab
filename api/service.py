"""Use cases shared by the JSON API and the portal: search, read a processo, subscribe."""

from __future__ import annotations

__all__ = ["InscricaoInvalida", "buscar", "inscrever", "ler_estatisticas", "ler_processo"]

import asyncio
import hashlib
import hmac
import re
from datetime import UTC, datetime
from typing import Any

from elasticsearch import NotFoundError

from api.busca import estatisticas
from api.busca.consulta import montar_busca
from api.busca.params import BuscaParams
from api.busca.resposta import ler_resposta
from api.deps import Recursos
from api.schemas import BuscaResultado, EstatisticasPublic, ProcessoPublic
from protocolo.errors import ProtocoloError, PublishError
from protocolo.nup import parse_nup

_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")


class InscricaoInvalida(ProtocoloError, ValueError):
    """A subscription request with an unusable e-mail address."""


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
    segredo = recursos.settings.secret_key.get_secret_value().encode()
    plano = montar_busca(params, segredo=segredo)
    resposta = await recursos.es.search(index=recursos.settings.search.alias("processos"), body=plano.corpo)
    return ler_resposta(resposta.body, plano, params, segredo=segredo)


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
    fonte["historico"] = sorted(fonte.get("historico", []), key=lambda m: (m["ocorrido_em"], m["id"]))
    return ProcessoPublic.model_validate(fonte)


def chave_inscricao(segredo: bytes, nup: str, email: str) -> str:
    """Keyed hash of (nup, e-mail): the subscription's key, which reveals neither."""
    return hmac.new(segredo, f"{nup}\n{email.strip().lower()}".encode(), hashlib.sha256).hexdigest()


async def inscrever(recursos: Recursos, nup_texto: str, email: str) -> None:
    """Record a subscription in the inscricoes topic; returns once the broker acknowledged it."""
    nup = parse_nup(nup_texto).digitos
    email = email.strip()
    if not _EMAIL.match(email):
        raise InscricaoInvalida("endereço de e-mail inválido")
    settings = recursos.settings
    registro = {"nup": nup, "email": email.lower(), "criada_em": datetime.now(UTC)}
    valor = recursos.catalogo.encode("inscricao", registro)
    chave = chave_inscricao(settings.secret_key.get_secret_value().encode(), nup, email)
    (erro,) = await recursos.entregador.entregar(
        settings.kafka.topics.inscricoes,
        [(chave.encode(), valor)],
        timeout_s=settings.api.gateway_timeout_s,
    )
    if erro is not None:
        raise PublishError(erro)
