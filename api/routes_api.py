"""JSON API under /api/v1."""

from __future__ import annotations

__all__ = ["router"]

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from fastapi.responses import RedirectResponse

from api.busca.estatisticas import estatisticas_csv, validar_estatisticas
from api.busca.movimentos import ORDENS_MOVIMENTOS, TAMANHO_MAXIMO, validar_movimentos
from api.busca.params import DESCRICAO_DATA, FORMATOS_DATA, BuscaParams, ConsultaInvalida, valores_openapi
from api.deps import RecursosDep
from api.schemas import BuscaResultado, EstatisticasPublic, MovimentosPagina, ProcessoPublic
from api.service import buscar, ler_estatisticas, ler_movimentos, ler_processo
from protocolo.nup import parse_nup

router = APIRouter(prefix="/api/v1", tags=["consulta"])

NAO_ENCONTRADO = "Processo não encontrado. Confira o número ou tente a busca por texto."


_ERRO_422: dict[int | str, dict[str, Any]] = {
    422: {
        "description": "Parâmetro inválido; `detail` diz qual e por quê, em português",
        "content": {
            "application/json": {
                "schema": {"type": "object", "properties": {"detail": {"type": "string"}}},
                "example": {"detail": "desde: data inválida; " + FORMATOS_DATA},
            }
        },
    }
}


@router.get(
    "/processos",
    response_model=BuscaResultado,
    summary="Consulta processos (Consulta Simples e Avançada)",
    responses=_ERRO_422,
)
async def read_processos(recursos: RecursosDep, params: Annotated[BuscaParams, Query()]) -> BuscaResultado:
    """Consulta Simples (`q`) and Consulta Avançada (the filters), public processos only.

    Facets count the results of this query; highlights are HTML-escaped except <mark>. The
    parameters are declared once, in BuscaParams.
    """
    try:
        return await buscar(recursos, params=params)
    except ConsultaInvalida as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc


_CSV = "text/csv"


def _quer_csv(formato: str | None, accept: str) -> bool:
    if formato is not None:
        formato = formato.strip().lower()
        if formato not in ("json", "csv"):
            raise ConsultaInvalida("formato: use json ou csv")
        return formato == "csv"
    tipos = [t.split(";")[0].strip().lower() for t in accept.split(",")]
    return _CSV in tipos and (
        "application/json" not in tipos or tipos.index(_CSV) < tipos.index("application/json")
    )


@router.get(
    "/estatisticas",
    response_model=EstatisticasPublic,
    summary="Estatísticas gerenciais (JSON ou CSV)",
    tags=["estatísticas"],
    responses={
        200: {
            "description": "JSON, ou CSV com `formato=csv` ou `Accept: text/csv` (UTF-8, separado por ';')",
            "content": {
                _CSV: {"schema": {"type": "string"}, "example": "Dimensão;Código;Descrição;Quantidade\r\n"}
            },
        },
        **_ERRO_422,
    },
)
async def read_estatisticas(
    request: Request,
    recursos: RecursosDep,
    desde: Annotated[
        str | None,
        Query(max_length=10, description=f"Início do período. {DESCRICAO_DATA}", examples=["01/01/2024"]),
    ] = None,
    ate: Annotated[
        str | None,
        Query(
            max_length=10,
            description=f"Fim do período (inclusive). {DESCRICAO_DATA}",
            examples=["2024-12-31"],
        ),
    ] = None,
    orgao: Annotated[
        str | None,
        Query(
            max_length=20,
            description="Código do órgão: movimentos que registrou; processos que autuou ou que estão nele",
            examples=["26000"],
        ),
    ] = None,
    formato: Annotated[
        str | None,
        Query(
            description="json (padrão) ou csv; sem ele, vale o cabeçalho Accept",
            examples=["csv"],
            json_schema_extra=valores_openapi(("json", "csv")),
        ),
    ] = None,
) -> Response | EstatisticasPublic:
    """Movimentos by órgão, operação and month; public processos by situação."""
    try:
        params = validar_estatisticas(desde=desde, ate=ate, orgao=orgao)
        csv_pedido = _quer_csv(formato, request.headers.get("accept", ""))
    except ConsultaInvalida as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    estatisticas = await ler_estatisticas(recursos, params)
    if not csv_pedido:
        return estatisticas
    return Response(
        # The BOM lets spreadsheets in pt-BR read the accents as UTF-8.
        content="\ufeff" + estatisticas_csv(estatisticas),
        media_type=f"{_CSV}; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="estatisticas-protocolo.csv"'},
    )


_ERRO_404: dict[int | str, dict[str, Any]] = {
    404: {
        "description": "Processo inexistente ou não público (restrito e sigiloso não são divulgados)",
        "content": {
            "application/json": {
                "schema": {"type": "object", "properties": {"detail": {"type": "string"}}},
                "example": {"detail": NAO_ENCONTRADO},
            }
        },
    },
    422: {
        "description": "NUP inválido; `detail` diz por quê",
        "content": {
            "application/json": {
                "schema": {"type": "object", "properties": {"detail": {"type": "string"}}},
                "example": {
                    "detail": "NUP inválido: dígitos verificadores incorretos: esperados 65, informados 66"
                },
            }
        },
    },
}


_REDIRECIONAMENTO: dict[int | str, dict[str, Any]] = {
    301: {
        "description": (
            "O NUP veio em outro formato aceito (só dígitos, formato antigo, espaços): `Location` aponta "
            "para /api/v1/processos/<NUP formatado>, mantendo a query string"
        ),
        "headers": {
            "Location": {
                "description": "A URL canônica do processo",
                "schema": {"type": "string", "example": "/api/v1/processos/23037.001462/2021-65"},
            }
        },
    }
}


_NUP_PATH = Path(
    description=(
        "NUP formatado (23037.001462/2021-65); qualquer outro formato aceito, com ou sem pontuação, "
        "é redirecionado (301) para ele"
    ),
    examples=["23037.001462/2021-65", "23037001462202165"],
)

_ERROS_MOVIMENTOS: dict[int | str, dict[str, Any]] = {
    **_ERRO_404,
    422: {
        "description": "NUP, ordem, tamanho ou cursor inválido; `detail` diz qual e por quê",
        "content": {
            "application/json": {
                "schema": {"type": "object", "properties": {"detail": {"type": "string"}}},
                "example": {
                    "detail": "ordem: use asc (mais antigas primeiro) ou desc (mais recentes primeiro)"
                },
            }
        },
    },
}


def _canonico(request: Request, numero_formatado: str, sufixo: str = "") -> RedirectResponse:
    destino = f"{router.prefix}/processos/{numero_formatado}{sufixo}"
    consulta = request.url.query
    return RedirectResponse(
        f"{destino}?{consulta}" if consulta else destino, status.HTTP_301_MOVED_PERMANENTLY
    )


@router.get(
    "/processos/{nup:path}/movimentos",
    response_model=MovimentosPagina,
    summary="As movimentações de um processo, página a página",
    responses={
        200: {
            "description": "Uma página do histórico, o total e o cursor da página seguinte",
            "content": {
                "application/json": {
                    "example": {
                        "total": 3120,
                        "items": [
                            {
                                "id": "26000:SEI-1",
                                "orgao": "26000",
                                "orgao_nome": "Ministério da Educação",
                                "operacao": "ENVIO",
                                "ocorrido_em": "2021-03-05T14:00:00Z",
                                "unidade_origem": {"codigo": "2600001", "sigla": "PROT", "nome": "Protocolo"},
                                "unidade_destino": {
                                    "codigo": "2600002",
                                    "sigla": "CGLIC",
                                    "nome": "Licitações",
                                },
                                "observacao": None,
                                "nup_relacionado": None,
                            }
                        ],
                        "proximo_cursor": "eyJuIjo1MCwi...",
                    }
                }
            },
        },
        **_REDIRECIONAMENTO,
        **_ERROS_MOVIMENTOS,
    },
)
async def read_movimentos(
    request: Request,
    recursos: RecursosDep,
    nup: Annotated[str, _NUP_PATH],
    ordem: Annotated[
        str | None,
        Query(
            description="asc (mais antigas primeiro, padrão) ou desc (mais recentes primeiro)",
            examples=["desc"],
            json_schema_extra=valores_openapi(ORDENS_MOVIMENTOS),
        ),
    ] = None,
    tamanho: Annotated[
        int, Query(ge=1, le=TAMANHO_MAXIMO, description="Movimentações por página", examples=[50])
    ] = 50,
    cursor: Annotated[
        str | None,
        Query(
            max_length=600,
            description="`proximo_cursor` da página anterior, com a mesma `ordem`",
            examples=["eyJuIjo1MCwi..."],
        ),
    ] = None,
) -> Response | MovimentosPagina:
    """A public processo's movements ordered by when they happened (ties by id), a page at a time.

    Follow `proximo_cursor` to walk the whole timeline: no movement is repeated or skipped, however
    long it is. Any other accepted format of the NUP answers 301 to the canonical URL.
    """
    numero = parse_nup(nup)
    if nup != numero.formatado:
        return _canonico(request, numero.formatado, "/movimentos")
    try:
        params = validar_movimentos(nup=numero.digitos, ordem=ordem, tamanho=tamanho, cursor=cursor)
        pagina = await ler_movimentos(recursos, params)
    except ConsultaInvalida as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    if pagina is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NAO_ENCONTRADO)
    return pagina


@router.get(
    "/processos/{nup:path}",
    response_model=ProcessoPublic,
    summary="Um processo (as movimentações: /processos/{nup}/movimentos)",
    responses={**_REDIRECIONAMENTO, **_ERRO_404},
)
async def read_processo(
    request: Request, recursos: RecursosDep, nup: Annotated[str, _NUP_PATH]
) -> Response | ProcessoPublic:
    """A processo by its formatted NUP: its current state, without the timeline (of any length), which
    GET /api/v1/processos/{nup}/movimentos pages.

    Any other accepted format of the NUP answers 301 to the canonical URL, like the portal and the
    feed, so that each processo has one address (an invalid NUP is a 422, by the app's handler).
    """
    numero = parse_nup(nup)
    if nup != numero.formatado:
        return _canonico(request, numero.formatado)
    processo = await ler_processo(recursos, numero.digitos)
    if processo is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NAO_ENCONTRADO)
    return processo
