"""Index templates, versioned indices and their aliases: what must exist before the indexer writes.

Each family (processos, movimentos) has an index template for `<alias>-v*`, so any index of the
family gets its analysis and strict mapping even when something else creates it (a reindex tool),
and one versioned index `<alias>-v<VERSAO_MAPEAMENTO>` behind the alias the API reads and the
indexer writes (`require_alias`: a write never auto-creates an index with dynamic mapping). When
the search server lost its indices (a restart of the in-memory local one, an operator's mistake),
the indexer calls `garantir_indices` again and carries on.
"""

from __future__ import annotations

__all__ = ["garantir_indices", "instalar_templates", "nome_indice", "padrao_indices"]

import logging

from elasticsearch import BadRequestError, Elasticsearch

from indexer.mappings import INDICES, VERSAO_MAPEAMENTO, definicao
from protocolo.settings import SearchSettings

logger = logging.getLogger(__name__)


def padrao_indices(settings: SearchSettings, nome: str) -> str:
    """The index pattern of a family's template: every version behind its alias."""
    return f"{settings.alias(nome)}-v*"


def nome_indice(settings: SearchSettings, nome: str, versao: int = VERSAO_MAPEAMENTO) -> str:
    """The concrete index of one mapping version."""
    return f"{settings.alias(nome)}-v{versao}"


def instalar_templates(es: Elasticsearch, settings: SearchSettings) -> None:
    """Put (or replace) the index template of each family; idempotent."""
    for nome in INDICES:
        corpo = definicao(nome)
        es.indices.put_index_template(
            name=settings.alias(nome),
            index_patterns=[padrao_indices(settings, nome)],
            template={"settings": corpo["settings"], "mappings": corpo["mappings"]},
            meta={"versao_mapeamento": VERSAO_MAPEAMENTO},
        )


def _ja_existe(exc: BadRequestError) -> bool:
    return "resource_already_exists_exception" in str(exc.body)


def garantir_indices(es: Elasticsearch, settings: SearchSettings) -> None:
    """Install the templates, create each versioned index and point its alias at it, when missing."""
    instalar_templates(es, settings)
    for nome in INDICES:
        alias = settings.alias(nome)
        if es.indices.exists_alias(name=alias):
            continue
        indice = nome_indice(settings, nome)
        if not es.indices.exists(index=indice):
            try:
                es.indices.create(index=indice, **definicao(nome))
            except BadRequestError as exc:
                if not _ja_existe(exc):  # another indexer instance was faster
                    raise
        es.indices.put_alias(index=indice, name=alias, is_write_index=True)
        logger.info("index ready index=%s alias=%s", indice, alias)
