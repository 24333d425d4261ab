"""The citizen portal: server-rendered pages in pt-BR that work without JavaScript."""

from __future__ import annotations

__all__ = ["router", "templates"]

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.deps import RecursosDep
from api.routes_api import MENSAGEM_INSCRICAO, NAO_ENCONTRADO
from api.service import InscricaoInvalida, buscar, inscrever, ler_processo
from protocolo.errors import InvalidNup
from protocolo.fold import Situacao
from protocolo.model import Operacao
from protocolo.nup import parse_nup

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
_BRASILIA = ZoneInfo("America/Sao_Paulo")


def _data(valor: datetime | None, com_hora: bool = True) -> str:
    if valor is None:
        return "—"
    local = valor.astimezone(_BRASILIA)
    return local.strftime("%d/%m/%Y %H:%M" if com_hora else "%d/%m/%Y")


def _rotulo(valor: str | None, tipo: Any) -> str:
    if not valor:
        return "—"
    try:
        return str(tipo(valor).descricao)
    except ValueError:
        return valor


templates.env.filters["data"] = _data
templates.env.filters["operacao"] = lambda v: _rotulo(v, Operacao)
templates.env.filters["situacao"] = lambda v: _rotulo(v, Situacao)


@router.get("/", response_class=HTMLResponse)
async def read_inicio(
    request: Request, recursos: RecursosDep, q: Annotated[str | None, Query(max_length=500)] = None
) -> Response:
    """Home: the search box; with `q`, the results (a NUP goes straight to its page)."""
    contexto: dict[str, Any] = {"q": q or ""}
    if q and q.strip():
        try:
            nup = parse_nup(q)
        except InvalidNup:
            nup = None
        if nup is not None:
            return RedirectResponse(f"/processos/{nup.formatado}", status.HTTP_303_SEE_OTHER)
        contexto["resultado"] = await buscar(recursos, q)
    return templates.TemplateResponse(request, "inicio.html", contexto)


@router.get("/processos/{nup:path}", response_class=HTMLResponse)
async def read_processo_pagina(request: Request, recursos: RecursosDep, nup: str) -> Response:
    """A processo's page: where it is now, its timeline, and the subscribe form."""
    try:
        numero = parse_nup(nup)
    except InvalidNup as exc:
        return _erro(request, "NUP inválido", str(exc), status.HTTP_422_UNPROCESSABLE_CONTENT, q=nup)
    if nup != numero.formatado:
        return RedirectResponse(f"/processos/{numero.formatado}", status.HTTP_301_MOVED_PERMANENTLY)
    processo = await ler_processo(recursos, numero.digitos)
    if processo is None:
        return _erro(request, "Processo não encontrado", NAO_ENCONTRADO, status.HTTP_404_NOT_FOUND, q=nup)
    return templates.TemplateResponse(request, "processo.html", {"p": processo})


@router.post("/processos/{nup:path}/inscricao", response_class=HTMLResponse)
async def create_inscricao_pagina(
    request: Request, recursos: RecursosDep, nup: str, email: Annotated[str, Form(max_length=254)]
) -> Response:
    """The subscribe form's target."""
    try:
        numero = parse_nup(nup)
    except InvalidNup as exc:
        return _erro(request, "NUP inválido", str(exc), status.HTTP_422_UNPROCESSABLE_CONTENT)
    processo = await ler_processo(recursos, numero.digitos)
    if processo is None:
        return _erro(request, "Processo não encontrado", NAO_ENCONTRADO, status.HTTP_404_NOT_FOUND)
    try:
        await inscrever(recursos, numero.digitos, email)
    except InscricaoInvalida as exc:
        contexto = {"p": processo, "erro_inscricao": str(exc).capitalize() + "."}
        return templates.TemplateResponse(request, "processo.html", contexto, status_code=422)
    return templates.TemplateResponse(request, "processo.html", {"p": processo, "aviso": MENSAGEM_INSCRICAO})


def _erro(request: Request, titulo: str, mensagem: str, codigo: int, q: str = "") -> Response:
    contexto = {"titulo": titulo, "mensagem": mensagem, "q": q}
    return templates.TemplateResponse(request, "erro.html", contexto, status_code=codigo)
