"""Elasticsearch queries for the Consulta Simples. Pure.

User text is always a value inside a match query, never query syntax.
"""

from __future__ import annotations

__all__ = ["consulta_simples"]

from typing import Any

from protocolo.errors import InvalidNup
from protocolo.nup import parse_nup

CAMPOS_TEXTO = [
    "assunto^3",
    "assunto.folded^3",
    "interessados.nome^2",
    "interessados.nome.folded^2",
    "especie",
    "especie.folded",
    "orgao_nome",
    "orgao_nome.folded",
    "orgao_atual_nome",
    "unidades_texto",
    "localizacao.nome",
]

PUBLICO = {"term": {"publico": True}}


def consulta_simples(q: str | None) -> dict[str, Any]:
    """A query for the free-text box: a NUP in any format finds that processo; other text must all match."""
    texto = (q or "").strip()
    if not texto:
        return {"bool": {"filter": [PUBLICO]}}
    try:
        nup = parse_nup(texto)
    except InvalidNup:
        nup = None
    if nup is not None:
        return {"bool": {"filter": [PUBLICO, {"term": {"nup": nup.digitos}}]}}
    return {
        "bool": {
            "filter": [PUBLICO],
            "must": [{"multi_match": {"query": texto, "fields": CAMPOS_TEXTO, "operator": "and"}}],
        }
    }
