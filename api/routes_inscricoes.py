"""Subscriptions: the API and portal requests, and the pages behind the links in the e-mails.

Links are GET pages with a button that POSTs: mail scanners prefetch GET links, so a GET never
changes anything. The unsubscribe URL also takes the RFC 8058 one-click POST from mail clients.
"""

from __future__ import annotations

__all__ = ["router"]

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response

from api.deps import RecursosDep
from api.inscricoes import MENSAGEM_PEDIDO, InscricaoInvalida, cancelar, confirmar, ler_link, solicitar
from api.limites import LimiteExcedido
from api.portal_processo import contexto_processo
from api.portal_templates import pagina_erro, templates
from api.routes_api import NAO_ENCONTRADO
from api.schemas_inscricoes import InscricaoAceita, InscricaoCreate
from api.service import ler_processo
from protocolo.errors import InvalidNup
from protocolo.links_inscricao import AcaoLink, LinkExpirado, LinkInvalido
from protocolo.model import Operacao
from protocolo.nup import parse_nup

router = APIRouter()

LINK_INVALIDO = "Este link não é válido. Copie o endereço completo do e-mail ou peça a inscrição de novo."
LINK_EXPIRADO = "Este link de confirmação expirou. Peça a inscrição de novo na página do processo."
NAO_PENDENTE = (
    "Esta inscrição não está mais aguardando confirmação. Peça a inscrição de novo na página do processo."
)


def _ip(request: Request) -> str:
    return request.client.host if request.client else "desconhecido"


@router.post(
    "/api/v1/inscricoes",
    response_model=InscricaoAceita,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Acompanhar um processo por e-mail (com confirmação)",
    tags=["inscrições"],
    responses={
        404: {"description": "Processo não encontrado"},
        422: {"description": "E-mail, NUP ou operação inválidos"},
        429: {"description": "Muitos pedidos deste cliente ou para este endereço; veja Retry-After"},
    },
)
async def create_inscricao(
    request: Request, recursos: RecursosDep, inscricao: InscricaoCreate
) -> InscricaoAceita:
    """Ask to follow a public processo; a confirmation link goes to the address.

    The answer is the same whether the address was unknown, pending or confirmed, and never echoes it.
    """
    nup = parse_nup(inscricao.nup).digitos
    if await ler_processo(recursos, nup) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NAO_ENCONTRADO)
    try:
        await solicitar(recursos, nup, inscricao.email, operacoes=inscricao.operacoes, ip=_ip(request))
    except LimiteExcedido as exc:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, str(exc), headers={"Retry-After": str(exc.segundos)}
        ) from exc
    return InscricaoAceita(mensagem=MENSAGEM_PEDIDO)


@router.post("/processos/{nup:path}/inscricao", response_class=HTMLResponse, include_in_schema=False)
async def create_inscricao_pagina(
    request: Request,
    recursos: RecursosDep,
    nup: str,
    email: Annotated[str, Form(max_length=254)],
    operacoes: Annotated[list[str] | None, Form(max_length=20)] = None,
) -> Response:
    """The subscribe form's target: the processo page again, with the outcome."""
    try:
        numero = parse_nup(nup)
    except InvalidNup as exc:
        return pagina_erro(request, "NUP inválido", str(exc), status.HTTP_422_UNPROCESSABLE_CONTENT)
    processo = await ler_processo(recursos, numero.digitos)
    if processo is None:
        return pagina_erro(request, "Processo não encontrado", NAO_ENCONTRADO, status.HTTP_404_NOT_FOUND)
    contexto = await contexto_processo(recursos, processo)
    try:
        await solicitar(recursos, numero.digitos, email, operacoes=operacoes, ip=_ip(request))
    except InscricaoInvalida as exc:
        contexto["erro_inscricao"] = str(exc).capitalize() + "."
        return templates.TemplateResponse(request, "processo.html", contexto, status_code=422)
    except LimiteExcedido as exc:
        contexto["erro_inscricao"] = str(exc)
        return templates.TemplateResponse(
            request, "processo.html", contexto, status_code=429, headers={"Retry-After": str(exc.segundos)}
        )
    contexto["aviso"] = MENSAGEM_PEDIDO
    return templates.TemplateResponse(request, "processo.html", contexto)


def _pagina(request: Request, titulo: str, mensagem: str, codigo: int = 200, **extra: Any) -> Response:
    contexto = {"titulo": titulo, "mensagem": mensagem, "erro": codigo >= 400, **extra}
    # Link pages carry a secret in their URL: never cached, never sent on as a Referer.
    cabecalhos = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    return templates.TemplateResponse(
        request, "inscricao_link.html", contexto, status_code=codigo, headers=cabecalhos
    )


def _link_ruim(request: Request, exc: Exception) -> Response:
    if isinstance(exc, LinkExpirado):
        return _pagina(request, "Link expirado", LINK_EXPIRADO, status.HTTP_410_GONE)
    return _pagina(request, "Link inválido", LINK_INVALIDO, status.HTTP_400_BAD_REQUEST)


def _nup_de(recursos: RecursosDep, chave: str) -> str | None:
    inscricao = recursos.inscricoes.buscar(chave)
    return parse_nup(inscricao.nup).formatado if inscricao is not None else None


def _pagina_com_botao(
    request: Request, recursos: RecursosDep, token: str, acao: AcaoLink, titulo: str, mensagem: str
) -> Response:
    """What a GET of a link shows: the page whose button POSTs to the same URL (GETs change nothing).

    The unsubscribe form also carries RFC 8058's `List-Unsubscribe=One-Click` field."""
    try:
        chave = ler_link(recursos, token, acao)
    except (LinkInvalido, LinkExpirado) as exc:
        return _link_ruim(request, exc)
    return _pagina(
        request,
        titulo,
        mensagem,
        nup=_nup_de(recursos, chave),
        botao=titulo,
        acao=request.url.path,
        um_clique=acao is AcaoLink.CANCELAR,
    )


@router.get("/inscricoes/confirmar/{token}", response_class=HTMLResponse, include_in_schema=False)
async def read_confirmacao(request: Request, recursos: RecursosDep, token: str) -> Response:
    """The confirmation link: a page with the button that confirms (a GET changes nothing)."""
    mensagem = "Confirme que deseja receber um e-mail a cada nova movimentação deste processo."
    return _pagina_com_botao(request, recursos, token, AcaoLink.CONFIRMAR, "Confirmar inscrição", mensagem)


@router.post("/inscricoes/confirmar/{token}", response_class=HTMLResponse, include_in_schema=False)
async def create_confirmacao(request: Request, recursos: RecursosDep, token: str) -> Response:
    """Confirm the subscription: from now on its processo's movements are mailed."""
    try:
        chave = ler_link(recursos, token, AcaoLink.CONFIRMAR)
    except (LinkInvalido, LinkExpirado) as exc:
        return _link_ruim(request, exc)
    try:
        inscricao = await confirmar(recursos, chave)
    except ValueError:
        return _pagina(request, "Inscrição não pendente", NAO_PENDENTE, status.HTTP_410_GONE)
    filtro = ""
    if inscricao.operacoes is not None:
        nomes = sorted(Operacao(o).descricao for o in inscricao.operacoes)
        filtro = f" Movimentações avisadas: {', '.join(nomes)}."
    return _pagina(
        request,
        "Inscrição confirmada",
        "Pronto! Você receberá um e-mail a cada nova movimentação deste processo." + filtro,
        nup=parse_nup(inscricao.nup).formatado,
    )


@router.get("/inscricoes/cancelar/{token}", response_class=HTMLResponse, include_in_schema=False)
async def read_cancelamento(request: Request, recursos: RecursosDep, token: str) -> Response:
    """The unsubscribe link: a page with the button that unsubscribes."""
    mensagem = "Deseja deixar de receber e-mails sobre as movimentações deste processo?"
    return _pagina_com_botao(request, recursos, token, AcaoLink.CANCELAR, "Cancelar inscrição", mensagem)


@router.post("/inscricoes/cancelar/{token}", response_class=HTMLResponse, include_in_schema=False)
async def delete_inscricao(request: Request, recursos: RecursosDep, token: str) -> Response:
    """Unsubscribe, no login: the page's button and RFC 8058 one-click POSTs from mail clients."""
    try:
        chave = ler_link(recursos, token, AcaoLink.CANCELAR)
    except (LinkInvalido, LinkExpirado) as exc:
        return _link_ruim(request, exc)
    await cancelar(recursos, chave)
    return _pagina(
        request,
        "Inscrição cancelada",
        "Você não receberá mais e-mails sobre este processo. "
        "Para voltar a acompanhá-lo, inscreva-se outra vez.",
    )
