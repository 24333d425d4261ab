"""Facets: counts of the current results by órgão, situação, year of autuação and tipo. Pure.

The órgão facet counts `orgaos` (the órgão that autuou and the one that has the processo now), the
field the `orgao` filter matches, so a facet's count is what its filter returns. Names come from the
index (the newest processo of the bucket), not from reference data the API would have to load.
"""

from __future__ import annotations

__all__ = ["FACETAS", "ler_facetas"]

from collections.abc import Mapping
from typing import Any

from api.schemas import Facetas, FacetaValor
from protocolo.fold import Situacao
from protocolo.model import TipoProtocolo

_TIPOS = {TipoProtocolo.PROCESSO.value: "Processo", TipoProtocolo.DOCUMENTO.value: "Documento"}

FACETAS: dict[str, Any] = {
    "orgao": {
        "terms": {"field": "orgaos", "size": 50},
        "aggs": {
            "nome": {
                "top_hits": {
                    "size": 1,
                    "sort": [{"atualizado_em": "desc"}],
                    "_source": {"includes": ["orgao", "orgao_nome", "orgao_atual", "orgao_atual_nome"]},
                }
            }
        },
    },
    "situacao": {"terms": {"field": "situacao", "size": 10}},
    "ano": {"terms": {"field": "ano", "size": 200, "order": {"_key": "desc"}}},
    "tipo": {"terms": {"field": "tipo", "size": 5}},
}


def _nome_orgao(codigo: str, bucket: Mapping[str, Any]) -> str | None:
    hits = bucket.get("nome", {}).get("hits", {}).get("hits", [])
    if not hits:
        return None
    fonte = hits[0].get("_source", {})
    if fonte.get("orgao") == codigo and fonte.get("orgao_nome"):
        return str(fonte["orgao_nome"])
    if fonte.get("orgao_atual") == codigo and fonte.get("orgao_atual_nome"):
        return str(fonte["orgao_atual_nome"])
    return None


def _rotulo_situacao(valor: str) -> str:
    try:
        return Situacao(valor).descricao
    except ValueError:
        return valor


def ler_facetas(agregacoes: Mapping[str, Any]) -> Facetas:
    """Facet values with labels and counts, from the FACETAS aggregations."""

    def buckets(nome: str) -> list[dict[str, Any]]:
        return list(agregacoes.get(nome, {}).get("buckets", []))

    return Facetas(
        orgao=[
            FacetaValor(valor=str(b["key"]), rotulo=_nome_orgao(str(b["key"]), b), quantidade=b["doc_count"])
            for b in buckets("orgao")
        ],
        situacao=[
            FacetaValor(valor=b["key"], rotulo=_rotulo_situacao(b["key"]), quantidade=b["doc_count"])
            for b in buckets("situacao")
        ],
        ano=[
            FacetaValor(valor=str(b["key"]), rotulo=str(b["key"]), quantidade=b["doc_count"])
            for b in buckets("ano")
        ],
        tipo=[
            FacetaValor(valor=b["key"], rotulo=_TIPOS.get(b["key"], b["key"]), quantidade=b["doc_count"])
            for b in buckets("tipo")
        ],
    )
