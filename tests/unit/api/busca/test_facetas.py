"""api.busca.facetas: aggregations read as named facets."""

from __future__ import annotations

from typing import Any

from api.busca.facetas import ler_facetas


def _orgao(codigo: str, fonte: dict[str, Any], quantidade: int = 1) -> dict[str, Any]:
    return {"key": codigo, "doc_count": quantidade, "nome": {"hits": {"hits": [{"_source": fonte}]}}}


def test_an_orgao_facet_is_named_after_the_role_its_code_plays() -> None:
    fonte = {"orgao": "35014", "orgao_nome": "INSS", "orgao_atual": "23000", "orgao_atual_nome": "MEC"}
    facetas = ler_facetas(
        {
            "orgao": {"buckets": [_orgao("35014", fonte, 3), _orgao("23000", fonte, 2), _orgao("999", {})]},
            "situacao": {
                "buckets": [{"key": "EM_TRAMITACAO", "doc_count": 4}, {"key": "NOVA", "doc_count": 1}]
            },
            "ano": {"buckets": [{"key": 2024, "doc_count": 5}]},
            "tipo": {"buckets": [{"key": "DOCUMENTO", "doc_count": 5}]},
        }
    )
    assert [(f.valor, f.rotulo, f.quantidade) for f in facetas.orgao] == [
        ("35014", "INSS", 3),
        ("23000", "MEC", 2),
        ("999", None, 1),
    ]
    assert [(f.valor, f.rotulo) for f in facetas.situacao] == [
        ("EM_TRAMITACAO", "Em tramitação"),
        ("NOVA", "NOVA"),
    ]
    assert [(f.valor, f.rotulo, f.quantidade) for f in facetas.ano] == [("2024", "2024", 5)]
    assert facetas.tipo[0].rotulo == "Documento"


def test_no_aggregations_means_empty_facets() -> None:
    facetas = ler_facetas({})
    assert facetas.orgao == facetas.situacao == facetas.ano == facetas.tipo == []
