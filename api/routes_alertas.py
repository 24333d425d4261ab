"""Saved-search alerts: the API and portal requests, and the pages behind the links in the e-mails.

As for processo subscriptions (api/routes_inscricoes.py), a GET of a link changes nothing (mail
scanners prefetch links): it shows a button that POSTs; the unsubscribe URL also takes the RFC
8058 one-click POST from mail clients.
"""

from __future__ import annotations

__all__ = ["router"]

from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response

from api import portal_busca as pb
from api.alertas import MENSAGEM_PEDIDO_ALERTA, cancelar_alerta, confirmar_alerta, solicitar_alerta
from api.busca.params import ConsultaInvalida, validar_busca
from api.deps import RecursosDep
from api.inscricoes import InscricaoInvalida, ler_link
from api.limites import LimiteExcedido
from api.portal_templates import templates
from api.routes_inscricoes import LINK_EXPIRADO, LINK_INVALIDO
from api.schemas_alertas import AlertaAceito, AlertaCreate
from protocolo.links_inscricao import AcaoLink, LinkExpirado, LinkInvalido

router = APIRouter()

NAO_PENDENTE = (
    "Este alerta não está mais aguardando confirmação. Peça o alerta de novo na página da consulta."
)
_FREQUENCIAS = {"imediato", "diario", "semanal"}


def _ip(request: Request) -> str:
    return request.client.host if request.client else "desconhecido"


@router.post(
    "/api/v1/alertas",
    response_model=AlertaAceito,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Receber por e-mail as novidades de uma busca (com confirmação)",
    tags=["alertas"],
    responses={
        422: {"description": "E-mail, frequência ou parâmetro de busca inválidos"},
        429: {"description": "Muitos pedidos deste cliente ou para este endereço; veja Retry-After"},
    },
)
async def create_alerta(request: Request, recursos: RecursosDep, alerta: AlertaCreate) -> AlertaAceito:
    """Ask to be told about the public processos a search finds; a confirmation link goes to the address.

    The same filters as GET /api/v1/processos. With `documento` (CPF or CNPJ), it follows every
    public processo of that interessado; the number is kept only as a keyed hash. The answer is the
    same whether the address was unknown, pending or confirmed, and never echoes it.
    """
    try:
        await solicitar_alerta(
            recursos,
            alerta,
            alerta.email,
            frequencia=alerta.frequencia,
            movimentos=alerta.movimentos,
            ip=_ip(request),
        )
    except LimiteExcedido as exc:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, str(exc), headers={"Retry-After": str(exc.segundos)}
        ) from exc
    return AlertaAceito(mensagem=MENSAGEM_PEDIDO_ALERTA)


def _pagina(request: Request, titulo: str, mensagem: str, codigo: int = 200, **extra: Any) -> Response:
    contexto = {"titulo": titulo, "mensagem": mensagem, "erro": codigo >= 400, **extra}
    # Link pages carry a secret in their URL: never cached, never sent on as a Referer.
    cabecalhos = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    return templates.TemplateResponse(
        request, "inscricao_link.html", contexto, status_code=codigo, headers=cabecalhos
    )


@router.post("/alertas", response_class=HTMLResponse, include_in_schema=False)
async def create_alerta_pagina(request: Request, recursos: RecursosDep) -> Response:
    """The results page's alert form: the search's fields, the address, the frequency and the option."""
    dados = await request.form()
    form = pb.Formulario.ler(dados)
    email = str(dados.get("email") or "")[:254]
    frequencia = str(dados.get("frequencia") or "diario")
    voltar = form.url()
    try:
        if frequencia not in _FREQUENCIAS:
            raise InscricaoInvalida("escolha a frequência dos avisos")
        params = validar_busca(**form.criterios())
        await solicitar_alerta(
            recursos,
            params,
            email,
            frequencia=frequencia,
            movimentos=dados.get("movimentos") == "sim",
            ip=_ip(request),
        )
    except (InscricaoInvalida, ConsultaInvalida) as exc:
        mensagem = str(exc)
        return _pagina(
            request, "Alerta não criado", mensagem[:1].upper() + mensagem[1:] + ".", 422, voltar=voltar
        )
    except LimiteExcedido as exc:
        return _pagina(request, "Alerta não criado", str(exc), 429, voltar=voltar)
    return _pagina(request, "Confirme o alerta no seu e-mail", MENSAGEM_PEDIDO_ALERTA, voltar=voltar)


def _link_ruim(request: Request, exc: Exception) -> Response:
    if isinstance(exc, LinkExpirado):
        return _pagina(request, "Link expirado", LINK_EXPIRADO.replace("inscrição", "alerta"), 410)
    return _pagina(request, "Link inválido", LINK_INVALIDO.replace("inscrição", "alerta"), 400)


def _pagina_com_botao(
    request: Request, recursos: RecursosDep, token: str, acao: AcaoLink, titulo: str, mensagem: str
) -> Response:
    try:
        chave = ler_link(recursos, token, acao)
    except (LinkInvalido, LinkExpirado) as exc:
        return _link_ruim(request, exc)
    alerta = recursos.alertas.buscar(chave)
    if alerta is not None:
        mensagem = f"{mensagem} Busca: {alerta.descricao}."
    return _pagina(
        request, titulo, mensagem, botao=titulo, acao=request.url.path, um_clique=acao is AcaoLink.CANCELAR
    )


@router.get("/alertas/confirmar/{token}", response_class=HTMLResponse, include_in_schema=False)
async def read_confirmacao_alerta(request: Request, recursos: RecursosDep, token: str) -> Response:
    """The confirmation link: a page with the button that confirms (a GET changes nothing)."""
    mensagem = "Confirme que deseja receber por e-mail as novidades desta busca."
    return _pagina_com_botao(request, recursos, token, AcaoLink.CONFIRMAR, "Confirmar alerta", mensagem)


@router.post("/alertas/confirmar/{token}", response_class=HTMLResponse, include_in_schema=False)
async def create_confirmacao_alerta(request: Request, recursos: RecursosDep, token: str) -> Response:
    """Confirm the alert: from now on the search's novelties are mailed."""
    try:
        chave = ler_link(recursos, token, AcaoLink.CONFIRMAR)
    except (LinkInvalido, LinkExpirado) as exc:
        return _link_ruim(request, exc)
    try:
        alerta = await confirmar_alerta(recursos, chave)
    except ValueError:
        return _pagina(request, "Alerta não pendente", NAO_PENDENTE, status.HTTP_410_GONE)
    return _pagina(
        request, "Alerta confirmado", f"Pronto! Você receberá as novidades da busca: {alerta.descricao}."
    )


@router.get("/alertas/cancelar/{token}", response_class=HTMLResponse, include_in_schema=False)
async def read_cancelamento_alerta(request: Request, recursos: RecursosDep, token: str) -> Response:
    """The unsubscribe link: a page with the button that cancels."""
    mensagem = "Deseja deixar de receber os avisos desta busca?"
    return _pagina_com_botao(request, recursos, token, AcaoLink.CANCELAR, "Cancelar alerta", mensagem)


@router.post("/alertas/cancelar/{token}", response_class=HTMLResponse, include_in_schema=False)
async def delete_alerta(request: Request, recursos: RecursosDep, token: str) -> Response:
    """Cancel the alert, no login: the page's button and RFC 8058 one-click POSTs from mail clients."""
    try:
        chave = ler_link(recursos, token, AcaoLink.CANCELAR)
    except (LinkInvalido, LinkExpirado) as exc:
        return _link_ruim(request, exc)
    await cancelar_alerta(recursos, chave)
    return _pagina(request, "Alerta cancelado", "Você não receberá mais avisos desta busca.")
