"""The processo page's context: the processo and one page of its timeline, newest first.

The page shows 50 movements; "movimentações anteriores" is a plain link carrying the next cursor,
so it works without JavaScript and however long the timeline is.
"""

from __future__ import annotations

__all__ = ["TAMANHO_LINHA", "contexto_processo"]

from typing import Any
from urllib.parse import urlencode

from api.busca.cursor import ler_cursor
from api.busca.movimentos import validar_movimentos
from api.deps import Recursos
from api.schemas import MovimentosPagina, ProcessoPublic
from api.service import ler_movimentos

TAMANHO_LINHA = 50


async def contexto_processo(
    recursos: Recursos, processo: ProcessoPublic, *, cursor: str = ""
) -> dict[str, Any]:
    """`p`, the timeline page `linha` (newest first), the number of its first movement (counting
    from the oldest, 1) and the link to older ones (None on the last page).

    Raises ConsultaInvalida for a cursor that is not this processo's.
    """
    params = validar_movimentos(nup=processo.nup, ordem="desc", tamanho=TAMANHO_LINHA, cursor=cursor)
    chaveiro = recursos.settings.chaveiro
    vistos = ler_cursor(params.cursor, chave=params.chave(), chaveiro=chaveiro).vistos if params.cursor else 0
    linha = await ler_movimentos(recursos, params) or MovimentosPagina(total=0, items=[])
    anteriores = None
    if linha.proximo_cursor:
        consulta = urlencode({"cursor": linha.proximo_cursor})
        anteriores = f"/processos/{processo.nup_formatado}?{consulta}#titulo-historico"
    return {
        "p": processo,
        "linha": linha,
        "numero_primeira": linha.total - vistos,
        "recentes": f"/processos/{processo.nup_formatado}#titulo-historico" if vistos else None,
        "anteriores": anteriores,
    }
