"""The citizen portal: server-rendered pages in pt-BR that work without JavaScript."""

from __future__ import annotations

__all__ = ["router", "templates"]

import logging
from functools import lru_cache
from typing import Annotated, Any

from elasticsearch import ApiError, TransportError
from fastapi import APIRouter, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import portal_busca as pb
from api.busca.estatisticas import validar_estatisticas
from api.busca.params import ConsultaInvalida, validar_busca
from api.busca.texto import Impossivel, interpretar
from api.deps import RecursosDep
from api.portal_graficos import barras, colunas
from api.portal_processo import contexto_processo
from api.portal_templates import pagina_erro, templates
from api.routes_api import NAO_ENCONTRADO
from api.service import buscar, ler_estatisticas, ler_processo
from protocolo.errors import InvalidNup
from protocolo.nup import parse_nup
from protocolo.referencia import Orgao, carregar_referencia

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

INDISPONIVEL = "A consulta está temporariamente indisponível. Tente novamente em alguns instantes."
LINK_INVALIDO = (
    "O link das movimentações anteriores é inválido ou foi alterado. Abra o processo de novo para ver as "
    "movimentações mais recentes."
)
_ERROS_BUSCA = (ApiError, TransportError)


@lru_cache(maxsize=1)
def _orgaos() -> tuple[Orgao, ...]:
    """The órgãos of the reference data, for the Consulta Avançada's select, by name."""
    return tuple(sorted(carregar_referencia().orgaos, key=lambda o: o.nome))


def _nomes() -> dict[str, dict[str, str]]:
    """Readable values of the coded filters: the declared choices, and the órgãos of the reference data."""
    return {**pb.nomes_declarados(), "orgao": {o.codigo: f"{o.nome} ({o.sigla})" for o in _orgaos()}}


def _contexto_formulario(form: pb.Formulario) -> dict[str, Any]:
    return {
        "form": form,
        "caixa": pb.CAIXA_SIMPLES,
        "campos": pb.campos_formulario(form, _nomes()),
        "ordens": pb.ORDENS_ROTULOS,
    }


def _indisponivel(request: Request, exc: Exception) -> Response:
    logger.error("search server failed error=%s", type(exc).__name__)
    return pagina_erro(request, "Consulta indisponível", INDISPONIVEL, status.HTTP_503_SERVICE_UNAVAILABLE)


async def _pagina_busca(
    request: Request, recursos: RecursosDep, form: pb.Formulario, *, cursor: str = "", pagina: int = 1
) -> Response:
    """The home page for `form`: the form alone, a redirect to a NUP, an error or the results."""
    contexto = _contexto_formulario(form)
    if form.vazio():
        return templates.TemplateResponse(request, "inicio.html", contexto)
    if form.q and not form.avancado():
        try:
            nup = parse_nup(form.q)
        except InvalidNup:
            nup = None
        if nup is not None:
            return RedirectResponse(f"/processos/{nup.formatado}", status.HTTP_303_SEE_OTHER)
        texto = interpretar(form.q)
        if texto.grupos == ((Impossivel(),),):
            motivo = texto.avisos[0] if texto.avisos else "número em formato não reconhecido"
            return pagina_erro(
                request, "NUP inválido", motivo, status.HTTP_422_UNPROCESSABLE_CONTENT, q=form.q_exibido()
            )
    sensivel = form.sensivel()
    tamanho = pb.TAMANHO_SENSIVEL if sensivel else pb.TAMANHO_PAGINA
    try:
        params = validar_busca(**form.criterios(), tamanho=tamanho, cursor=None if sensivel else cursor)
        resultado = await buscar(recursos, params=params)
    except ConsultaInvalida as exc:
        contexto["erro"] = str(exc)
        return templates.TemplateResponse(
            request, "inicio.html", contexto, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
        )
    except _ERROS_BUSCA as exc:
        return _indisponivel(request, exc)
    nomes = _nomes()
    proxima = None
    if resultado.proximo_cursor and not sensivel:
        proxima = form.url_pagina(resultado.proximo_cursor, pagina + 1)
    contexto.update(
        resultado=resultado,
        sensivel=sensivel,
        pagina=pagina,
        primeiro=(pagina - 1) * tamanho + 1,
        proxima=proxima,
        facetas=pb.grupos_facetas(form, resultado.facetas),
        filtros=[] if sensivel else pb.filtros_ativos(form, nomes),
        sugestoes=pb.sugestoes(form, nomes) if resultado.total == 0 else [],
        ordenar={o: form.url(ordem=o) for o in pb.ORDENS_ROTULOS},
    )
    return templates.TemplateResponse(request, "inicio.html", contexto)


@router.get("/", response_class=HTMLResponse)
async def read_inicio(
    request: Request,
    recursos: RecursosDep,
    cursor: Annotated[str, Query(max_length=600)] = "",
    pagina: Annotated[str, Query(max_length=4)] = "",
) -> Response:
    """Home: the Consulta Simples and Avançada; with criteria, the results (a NUP goes to its page)."""
    form = pb.Formulario.ler(request.query_params)
    return await _pagina_busca(request, recursos, form, cursor=cursor, pagina=pb.ler_pagina(pagina))


@router.post("/consulta", response_class=HTMLResponse)
async def create_consulta(request: Request, recursos: RecursosDep) -> Response:
    """The forms' target: redirects to the search's URL, or answers here when it holds a CPF/CNPJ.

    A CPF never goes into a URL (browser history, server logs, Referer headers), so such a search
    is answered in this POST response; every other search gets a bookmarkable GET URL.
    """
    form = pb.Formulario.ler(await request.form())
    if not form.sensivel():
        return RedirectResponse(form.url(), status.HTTP_303_SEE_OTHER)
    return await _pagina_busca(request, recursos, form)


@router.get("/estatisticas", response_class=HTMLResponse)
async def read_estatisticas_pagina(
    request: Request,
    recursos: RecursosDep,
    desde: Annotated[str, Query(max_length=10)] = "",
    ate: Annotated[str, Query(max_length=10)] = "",
    orgao: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Movements per month, órgão and operação, processos per situação: charts with tables."""
    contexto: dict[str, Any] = {"desde": desde, "ate": ate, "orgao": orgao, "orgaos": _orgaos()}
    try:
        params = validar_estatisticas(desde=desde, ate=ate, orgao=orgao)
        numeros = await ler_estatisticas(recursos, params)
    except ConsultaInvalida as exc:
        contexto["erro"] = str(exc)
        return templates.TemplateResponse(
            request, "estatisticas.html", contexto, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
        )
    except _ERROS_BUSCA as exc:
        return _indisponivel(request, exc)
    contexto.update(
        e=numeros,
        meses=colunas(numeros.por_mes),
        por_orgao=barras(numeros.por_orgao, limite=20),
        por_operacao=barras(numeros.por_operacao),
        por_situacao=barras(numeros.por_situacao),
    )
    return templates.TemplateResponse(request, "estatisticas.html", contexto)


@router.get("/processos/{nup:path}", response_class=HTMLResponse)
async def read_processo_pagina(
    request: Request,
    recursos: RecursosDep,
    nup: str,
    cursor: Annotated[str, Query(max_length=600)] = "",
) -> Response:
    """A processo's page: where it is now, its timeline (50 a page, newest first), the subscribe form."""
    try:
        numero = parse_nup(nup)
    except InvalidNup as exc:
        return _erro(request, "NUP inválido", str(exc), status.HTTP_422_UNPROCESSABLE_CONTENT, q=nup)
    if nup != numero.formatado:
        return RedirectResponse(f"/processos/{numero.formatado}", status.HTTP_301_MOVED_PERMANENTLY)
    try:
        processo = await ler_processo(recursos, numero.digitos)
        if processo is None:
            return _erro(request, "Processo não encontrado", NAO_ENCONTRADO, status.HTTP_404_NOT_FOUND, q=nup)
        contexto = await contexto_processo(recursos, processo, cursor=cursor)
    except ConsultaInvalida:
        return _erro(request, "Link inválido", LINK_INVALIDO, status.HTTP_422_UNPROCESSABLE_CONTENT, q=nup)
    except _ERROS_BUSCA as exc:
        return _indisponivel(request, exc)
    return templates.TemplateResponse(request, "processo.html", contexto)


def _erro(request: Request, titulo: str, mensagem: str, codigo: int, q: str = "") -> Response:
    return pagina_erro(request, titulo, mensagem, codigo, q=q)
