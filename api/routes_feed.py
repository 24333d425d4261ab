"""GET /processos/{nup}/feed.atom: a processo's movements for feed readers (RFC 4287)."""

from __future__ import annotations

__all__ = ["router"]

from typing import Annotated

from fastapi import APIRouter, Path, Request, status
from fastapi.responses import RedirectResponse, Response

from api.busca.movimentos import validar_movimentos
from api.deps import RecursosDep
from api.feed import feed_atom
from api.portal_templates import pagina_erro
from api.routes_api import NAO_ENCONTRADO
from api.service import ler_movimentos, ler_processo
from protocolo.errors import InvalidNup
from protocolo.nup import parse_nup

router = APIRouter(tags=["feeds"])

ATOM_TIPO = "application/atom+xml; charset=utf-8"
# Feed readers poll: the newest entries are what they need, older ones they have already seen.
ENTRADAS = 50


@router.get(
    "/processos/{nup:path}/feed.atom",
    summary="Feed Atom das movimentações de um processo",
    response_class=Response,
    responses={
        200: {"content": {"application/atom+xml": {}}, "description": "Feed Atom (RFC 4287)"},
        301: {"description": "NUP em outro formato: redireciona ao endereço canônico"},
        404: {"description": "Processo não encontrado (ou não público)"},
        422: {"description": "NUP inválido"},
    },
)
async def read_feed(
    request: Request,
    recursos: RecursosDep,
    nup: Annotated[str, Path(description="NUP em qualquer formato", examples=["23037.001462/2021-65"])],
) -> Response:
    """The newest public movements, one entry each, newest first; any accepted NUP format redirects to
    the canonical URL."""
    try:
        numero = parse_nup(nup)
    except InvalidNup as exc:
        return pagina_erro(request, "NUP inválido", str(exc), status.HTTP_422_UNPROCESSABLE_CONTENT, q=nup)
    if nup != numero.formatado:
        return RedirectResponse(f"/processos/{numero.formatado}/feed.atom", status.HTTP_301_MOVED_PERMANENTLY)
    processo = await ler_processo(recursos, numero.digitos)
    if processo is None:
        return pagina_erro(
            request, "Processo não encontrado", NAO_ENCONTRADO, status.HTTP_404_NOT_FOUND, q=nup
        )
    pagina = await ler_movimentos(
        recursos, validar_movimentos(nup=numero.digitos, ordem="desc", tamanho=ENTRADAS)
    )
    if pagina is None:  # hidden between the two reads
        return pagina_erro(
            request, "Processo não encontrado", NAO_ENCONTRADO, status.HTTP_404_NOT_FOUND, q=nup
        )
    corpo = feed_atom(processo, pagina.items, base_url=recursos.settings.api.public_base_url)
    return Response(corpo, media_type=ATOM_TIPO, headers={"Cache-Control": "public, max-age=60"})
