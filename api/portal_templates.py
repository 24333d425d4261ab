"""The portal's Jinja2 environment: pt-BR formatting filters and the error page."""

from __future__ import annotations

__all__ = ["pagina_erro", "pagina_erro_http", "quer_html", "templates"]

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from api.portal_graficos import formatar_numero
from protocolo.errors import InvalidNup
from protocolo.fold import Situacao
from protocolo.model import Operacao, TipoProtocolo
from protocolo.nup import parse_nup

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
_BRASILIA = ZoneInfo("America/Sao_Paulo")
_TIPOS = {TipoProtocolo.PROCESSO.value: "Processo", TipoProtocolo.DOCUMENTO.value: "Documento"}


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


def _nup(valor: str | None) -> str:
    """A NUP as people write it (digits stored in the index → punctuated)."""
    if not valor:
        return ""
    try:
        return parse_nup(valor).formatado
    except InvalidNup:
        return valor


templates.env.filters["data"] = _data
templates.env.filters["operacao"] = lambda v: _rotulo(v, Operacao)
templates.env.filters["situacao"] = lambda v: _rotulo(v, Situacao)
templates.env.filters["tipo"] = lambda v: _TIPOS.get(v or "", v or "—")
templates.env.filters["nup"] = _nup
templates.env.filters["numero"] = formatar_numero


def pagina_erro(
    request: Request, titulo: str, mensagem: str, codigo: int, *, q: str = "", sugestao: str = ""
) -> Response:
    """The pt-BR error page (never a stack trace), with the search box to try again."""
    contexto = {"titulo": titulo, "mensagem": mensagem, "q": q, "sugestao": sugestao, "codigo": codigo}
    return templates.TemplateResponse(request, "erro.html", contexto, status_code=codigo)


def quer_html(request: Request) -> bool:
    """A browser asking for a portal page (not the JSON API, not the OpenAPI docs)."""
    caminho = request.url.path
    if caminho.startswith(("/api/", "/healthz", "/openapi", "/docs", "/redoc")):
        return False
    return "text/html" in request.headers.get("accept", "")


_TITULOS = {404: "Página não encontrada", 405: "Página não encontrada"}
_MENSAGENS = {
    404: "O endereço não corresponde a nenhuma página do portal. Confira o endereço ou faça uma consulta.",
    405: "O endereço não corresponde a nenhuma página do portal. Confira o endereço ou faça uma consulta.",
    500: "Ocorreu um erro inesperado ao montar esta página. A equipe técnica foi avisada pelos registros.",
}


def pagina_erro_http(request: Request, codigo: int) -> Response:
    """The portal's page for an HTTP error the routes did not handle themselves (404, 500…)."""
    titulo = _TITULOS.get(codigo, "Erro interno" if codigo >= 500 else "Requisição inválida")
    mensagem = _MENSAGENS.get(codigo, "Não foi possível atender a requisição.")
    return pagina_erro(request, titulo, mensagem, codigo)
