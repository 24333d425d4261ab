"""The agencies' HTTP gateway: POST /api/v1/eventos with a per-agency bearer token."""

from __future__ import annotations

__all__ = ["router"]

import asyncio
import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.autenticacao import exigir_credencial
from api.deps import RecursosDep
from api.gateway import Status, avaliar_lote
from api.rejeitados import CursorInvalido
from api.schemas_gateway import (
    ItemResultado,
    LoteResultado,
    OrigemPublic,
    RejeitadoPublic,
    RejeitadosPagina,
    ViolacaoPublic,
)
from protocolo.credenciais import Credencial
from protocolo.errors import PublishError
from protocolo.registros import evento_mensagem
from protocolo.rejeicoes import Origem, Rejeitado

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1", tags=["agências"])
_bearer = HTTPBearer(auto_error=False, description="Token da agência (protocolo agencias token create)")

_EXEMPLO = [
    {
        "id": "SEI-4711",
        "orgao": "23000",
        "nup": "23037.001462/2021-65",
        "tipo": "PROCESSO",
        "operacao": "ENVIO",
        "ocorrido_em": "2021-03-02T14:40:00-03:00",
        "nivel_acesso": "PUBLICO",
        "unidade_origem": {"codigo": "2300001", "sigla": "PROT"},
        "unidade_destino": {"codigo": "2300002", "sigla": "CGLIC"},
    }
]


async def _autenticar(
    recursos: RecursosDep,
    credenciais: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Credencial:
    segredo = recursos.settings.secret_key.get_secret_value().encode()
    return exigir_credencial(
        recursos.credenciais,
        segredo,
        credenciais,
        iniciando="Gateway iniciando; tente novamente em instantes.",
    )


async def _ler_lote(request: Request, limite_bytes: int, limite_eventos: int) -> list[Any]:
    declarado = request.headers.get("content-length")
    if declarado and declarado.isdigit() and int(declarado) > limite_bytes:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"Lote maior que {limite_bytes} bytes.")
    corpo = bytearray()
    async for parte in request.stream():
        corpo += parte
        if len(corpo) > limite_bytes:
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"Lote maior que {limite_bytes} bytes.")
    try:
        dados = json.loads(corpo)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"JSON inválido: {exc}") from exc
    if isinstance(dados, dict) and isinstance(dados.get("eventos"), list):
        dados = dados["eventos"]
    if not isinstance(dados, list):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            'O corpo deve ser uma lista JSON de eventos (ou um objeto {"eventos": [...]}).',
        )
    if len(dados) > limite_eventos:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"Lote com {len(dados)} eventos; o máximo é {limite_eventos}. Divida-o em lotes menores.",
        )
    return dados


@router.post(
    "/eventos",
    response_model=LoteResultado,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Publicar eventos de tramitação (agências)",
    responses={
        400: {"description": "JSON inválido"},
        401: {"description": "Token ausente, inválido ou revogado; nada foi publicado"},
        403: {"description": "Eventos de outro órgão no lote; nada foi publicado"},
        413: {"description": "Lote grande demais (bytes ou número de eventos)"},
        503: {"description": "Broker indisponível: reenvie o lote depois de Retry-After segundos"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "array", "items": {"type": "object"}},
                    "example": _EXEMPLO,
                }
            },
        }
    },
)
async def create_eventos(
    request: Request,
    recursos: RecursosDep,
    credencial: Annotated[Credencial, Depends(_autenticar)],
) -> LoteResultado:
    """Validate a batch of the agency's own events and publish the valid ones.

    Answers only after the broker acknowledged every accepted event. Resending a batch is
    harmless: events this process already published are answered `duplicado` and not produced
    again (api.gateway_memoria); beyond its memory, the streams drop exact duplicates.
    """
    api = recursos.settings.api
    memoria = recursos.memoria_gateway
    itens = await _ler_lote(request, api.gateway_max_bytes, api.gateway_max_eventos)
    avaliacao = avaliar_lote(itens, orgao=credencial.orgao, publicados=memoria.consultar)
    if avaliacao.proibidos:
        nomes = ", ".join(
            f"#{p.indice}" + (f" (id {p.id}, órgão {p.orgao})" if p.id else f" (órgão {p.orgao})")
            for p in avaliacao.proibidos[:20]
        )
        mais = len(avaliacao.proibidos) - 20
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"Este token publica só eventos do órgão {credencial.orgao}; nada foi publicado. "
            f"Eventos de outro órgão: {nomes}" + (f" e mais {mais}" if mais > 0 else "") + ".",
        )
    ocupadas = memoria.ocupadas(chave for chave, _ in avaliacao.a_registrar)
    if ocupadas:
        # Another request is publishing some of these events: judge again once the broker answered it.
        await asyncio.wait(ocupadas, timeout=api.gateway_timeout_s + 5)
        avaliacao = avaliar_lote(itens, orgao=credencial.orgao, publicados=memoria.consultar)
    with memoria.reservar(chave for chave, _ in avaliacao.a_registrar):
        mensagens = [evento_mensagem(recursos.catalogo, e) for e in avaliacao.a_produzir]
        erros = await recursos.entregador.entregar(
            recursos.settings.kafka.topics.eventos, mensagens, timeout_s=api.gateway_timeout_s
        )
        falhas = [e for e in erros if e is not None]
        if falhas:
            raise PublishError(f"{len(falhas)} de {len(erros)} eventos não confirmados: {falhas[0]}")
        memoria.registrar(avaliacao.a_registrar)
    resultados = [
        ItemResultado(
            indice=r.indice,
            id=r.id,
            status=r.status.value,
            violacoes=[ViolacaoPublic(campo=v.campo, motivo=v.motivo) for v in r.violacoes],
        )
        for r in avaliacao.resultados
    ]
    contagem = {s: sum(1 for r in avaliacao.resultados if r.status is s) for s in Status}
    for situacao, quantos in contagem.items():
        recursos.metricas.gateway.labels(situacao.value).inc(quantos)
    logger.info(
        "gateway batch orgao=%s credencial=%s aceitos=%d duplicados=%d rejeitados=%d",
        credencial.orgao,
        credencial.id,
        contagem[Status.ACEITO],
        contagem[Status.DUPLICADO],
        contagem[Status.REJEITADO],
    )
    return LoteResultado(
        recebidos=len(itens),
        aceitos=contagem[Status.ACEITO],
        duplicados=contagem[Status.DUPLICADO],
        rejeitados=contagem[Status.REJEITADO],
        resultados=resultados,
    )


def _origem(origem: Origem) -> OrigemPublic:
    return OrigemPublic(topico=origem.topico, particao=origem.particao, offset=origem.offset)


def _rejeitado(r: Rejeitado) -> RejeitadoPublic:
    return RejeitadoPublic(
        codigo=r.codigo,
        motivo=r.motivo,
        violacoes=[ViolacaoPublic(campo=v.campo, motivo=v.motivo) for v in r.violacoes],
        id=r.id,
        nup=r.nup,
        operacao=r.operacao,
        registrado_em=r.registrado_em,
        original=_origem(r.original),
        carta=_origem(r.carta),
    )


@router.get(
    "/eventos/rejeitados",
    response_model=RejeitadosPagina,
    summary="Eventos do órgão rejeitados pelo pipeline (agências)",
    responses={
        401: {"description": "Token ausente, inválido ou revogado"},
        422: {"description": "Cursor ou tamanho inválido"},
        503: {"description": "Rejeições ainda carregando: tente de novo depois de Retry-After segundos"},
    },
)
async def read_rejeitados(
    recursos: RecursosDep,
    credencial: Annotated[Credencial, Depends(_autenticar)],
    cursor: Annotated[
        str | None, Query(description="O proximo_cursor da página anterior", examples=["1042"])
    ] = None,
    tamanho: Annotated[int, Query(ge=1, le=200, description="Itens por página", examples=[50])] = 50,
) -> RejeitadosPagina:
    """The agency's own rejected events, newest first: code, masked reason, identity; never the content.

    Served from a bounded view of the dead-letter topic each API process keeps (api.rejeitados):
    the latest `gateway_rejeitados_por_orgao` rejections of each órgão.
    """
    if not recursos.rejeitados.carregada:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "Rejeições carregando; tente novamente em instantes.",
            headers={"Retry-After": "5"},
        )
    try:
        pagina = recursos.rejeitados.atual.pagina(credencial.orgao, tamanho=tamanho, cursor=cursor)
    except CursorInvalido as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc).capitalize() + ".") from exc
    return RejeitadosPagina(
        items=[_rejeitado(r) for r in pagina.items], proximo_cursor=pagina.proximo_cursor, total=pagina.total
    )
