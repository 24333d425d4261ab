"""Index definitions: versioned indices behind read aliases, Portuguese analysis.

The `portuguese` built-in analyzer stems; the `folded` sub-field (lowercase, asciifolding,
Portuguese stop words, no stemmer) matches exact words with or without accents. Both behave the
same on Elasticsearch and on the local OpenSearch-compatible server (a custom analyzer with a
stemmer filter matches every document there: docs/arquitetura.md, "The local servers").
"""

from __future__ import annotations

__all__ = ["INDICES", "VERSAO_MAPEAMENTO", "definicao"]

from typing import Any

# 2: orgaos, movimentado_em and observacoes on processos (search filters, partial dates, free text).
# 3: no historico on processos (the timeline is the movimentos index); movimentado_em holds one instant
#    per Brasília day (noon), observacoes the most recent ones only.
# A new version is a new index: reindex into it and swap the alias (garantir_indices creates it only
# where the alias does not exist yet).
VERSAO_MAPEAMENTO = 3

_ANALISE: dict[str, Any] = {
    "analyzer": {
        "folded": {
            "type": "custom",
            "tokenizer": "standard",
            "filter": ["lowercase", "asciifolding", "pt_stop"],
        }
    },
    "filter": {"pt_stop": {"type": "stop", "stopwords": "_portuguese_"}},
    "normalizer": {"folded_kw": {"type": "custom", "filter": ["lowercase", "asciifolding"]}},
}

_FOLDED: dict[str, Any] = {"folded": {"type": "text", "analyzer": "folded"}}
_TEXTO: dict[str, Any] = {"type": "text", "analyzer": "portuguese", "fields": _FOLDED}
_TEXTO_KW: dict[str, Any] = {
    **_TEXTO,
    "fields": {**_FOLDED, "kw": {"type": "keyword", "normalizer": "folded_kw"}},
}
_KW = {"type": "keyword"}
_DATA = {"type": "date"}
_UNIDADE = {"properties": {"codigo": _KW, "sigla": _KW, "nome": _TEXTO}}

_PROCESSOS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "nup": _KW,
        "nup_formatado": _KW,
        "versao": {"type": "long"},
        "publico": {"type": "boolean"},
        "tipo": _KW,
        "orgao": _KW,
        "orgao_nome": _TEXTO_KW,
        "orgao_atual": _KW,
        "orgao_atual_nome": _TEXTO_KW,
        "orgaos": _KW,
        "nivel_acesso": _KW,
        "situacao": _KW,
        "especie": _TEXTO_KW,
        "assunto": _TEXTO,
        "interessados": {
            "properties": {"nome": _TEXTO, "documento_mascarado": _KW, "documento_hash": _KW},
        },
        "localizacao": _UNIDADE,
        "em_transito": {"type": "boolean"},
        "autuado_em": _DATA,
        "atualizado_em": _DATA,
        "movimentado_em": _DATA,
        "ano": {"type": "integer"},
        "ultima_operacao": _KW,
        "anexado_a": _KW,
        "relacionados": _KW,
        "documentos": _KW,
        "unidades_texto": _TEXTO,
        "observacoes": _TEXTO,
    },
}

_MOVIMENTOS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "id": _KW,
        "nup": _KW,
        "orgao": _KW,
        "orgao_nome": _TEXTO_KW,
        "tipo": _KW,
        "operacao": _KW,
        "ocorrido_em": _DATA,
        "unidade_origem": _UNIDADE,
        "unidade_destino": _UNIDADE,
        "observacao": _TEXTO,
        "nup_relacionado": _KW,
        "assunto": _TEXTO,
        "processo_versao": {"type": "long"},
    },
}

INDICES: dict[str, dict[str, Any]] = {"processos": _PROCESSOS, "movimentos": _MOVIMENTOS}


def definicao(nome: str) -> dict[str, Any]:
    """Settings and mappings for a new index of the `nome` family."""
    return {
        "settings": {"number_of_shards": 1, "analysis": _ANALISE},
        "mappings": INDICES[nome],
    }
