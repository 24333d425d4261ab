"""The search request bodies the API sends, for whoever needs to send the same ones (the benchmark). Pure.

The logic lives in api/busca/; this module is its stable face. User text is always a value inside a
match query, never query syntax.
"""

from __future__ import annotations

__all__ = ["BuscaParams", "consulta_simples", "corpo_busca", "validar_busca"]

from typing import Any

from api.busca.consulta import montar_busca, query_processos
from api.busca.params import BuscaParams, validar_busca


def consulta_simples(q: str | None, *, segredo: bytes) -> dict[str, Any]:
    """The query of the free-text box alone; `segredo` hashes a CPF/CNPJ typed in it."""
    return query_processos(BuscaParams(q=q), segredo=segredo)


def corpo_busca(params: BuscaParams, *, segredo: bytes) -> dict[str, Any]:
    """The whole body GET /api/v1/processos sends for `params` (query, sort, page, facets, highlight)."""
    return montar_busca(params, segredo=segredo).corpo
