"""A processo's timeline from the movimentos index, a page at a time. Pure.

Ordered by `ocorrido_em`, ties broken by `id` (unique), so search_after walks every movimento
exactly once however deep the timeline goes; the cursor (api/busca/cursor.py) is bound to the
processo and the order, and the page size may change from one page to the next.
"""

from __future__ import annotations

__all__ = [
    "ORDENS_MOVIMENTOS",
    "TAMANHO_MAXIMO",
    "MovimentosParams",
    "ler_pagina",
    "montar_pagina",
    "validar_movimentos",
]

from dataclasses import dataclass
from typing import Any

from api.busca.cursor import Pagina, criar_cursor, ler_cursor
from api.busca.params import ConsultaInvalida
from api.schemas import MovimentoPublic, MovimentosPagina
from protocolo.chaveiro import Chaveiro

ORDENS_MOVIMENTOS = ("asc", "desc")
TAMANHO_MAXIMO = 200
_CAMPOS = sorted(MovimentoPublic.model_fields)


@dataclass(frozen=True)
class MovimentosParams:
    """One page request of a processo's timeline, validated."""

    nup: str
    ordem: str = "asc"
    tamanho: int = 50
    cursor: str | None = None

    def chave(self) -> str:
        """What a cursor is bound to: the processo and the order (not the page size)."""
        return f"movimentos\x00{self.nup}\x00{self.ordem}"


def validar_movimentos(
    *, nup: str, ordem: str | None = None, tamanho: int = 50, cursor: str | None = None
) -> MovimentosParams:
    """The params, or ConsultaInvalida with a pt-BR message naming the bad one."""
    escolhida = (ordem or "asc").strip().lower()
    if escolhida not in ORDENS_MOVIMENTOS:
        raise ConsultaInvalida("ordem: use asc (mais antigas primeiro) ou desc (mais recentes primeiro)")
    if not 1 <= tamanho <= TAMANHO_MAXIMO:
        raise ConsultaInvalida(f"tamanho: use de 1 a {TAMANHO_MAXIMO}")
    return MovimentosParams(nup=nup, ordem=escolhida, tamanho=tamanho, cursor=(cursor or "").strip() or None)


def montar_pagina(params: MovimentosParams, *, chaveiro: Chaveiro) -> tuple[dict[str, Any], int]:
    """The search body and how many movimentos came before this page; ConsultaInvalida on a bad cursor."""
    corpo: dict[str, Any] = {
        "query": {"bool": {"filter": [{"term": {"nup": params.nup}}]}},
        "sort": [{"ocorrido_em": params.ordem}, {"id": params.ordem}],
        "size": params.tamanho,
        "track_total_hits": True,
        "_source": {"includes": _CAMPOS},
    }
    vistos = 0
    if params.cursor:
        pagina = ler_cursor(params.cursor, chave=params.chave(), chaveiro=chaveiro)
        if pagina.apos is None or len(pagina.apos) != 2:
            raise ConsultaInvalida("cursor: inválido ou corrompido; repita a consulta sem o cursor")
        vistos = pagina.vistos
        corpo["search_after"] = list(pagina.apos)
    return corpo, vistos


def ler_pagina(
    resposta: dict[str, Any], params: MovimentosParams, *, vistos: int, chaveiro: Chaveiro
) -> MovimentosPagina:
    """The page, its total and the cursor of the next one (None on the last)."""
    hits = resposta["hits"]
    total = hits["total"]["value"]
    itens = [MovimentoPublic.model_validate(h["_source"]) for h in hits["hits"]]
    ate_aqui = vistos + len(itens)
    cursor = None
    if itens and ate_aqui < total:
        seguinte = Pagina(ate_aqui, tuple(hits["hits"][-1]["sort"]))
        cursor = criar_cursor(seguinte, chave=params.chave(), segredo=chaveiro.atual)
    return MovimentosPagina(total=total, items=itens, proximo_cursor=cursor)
