"""Writes bulk actions to Elasticsearch, retrying what can succeed later, reporting what never will."""

from __future__ import annotations

__all__ = ["Rejeitado", "aplicar", "garantir_indices"]

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import ApiError, Elasticsearch

from indexer.documents import Acao
from indexer.mappings import INDICES, VERSAO_MAPEAMENTO, definicao
from protocolo.settings import SearchSettings

logger = logging.getLogger(__name__)

_TRANSITORIOS = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class Rejeitado:
    """A document Elasticsearch refused for good (a mapping error, say)."""

    acao: Acao
    status: int
    motivo: str


def garantir_indices(es: Elasticsearch, settings: SearchSettings) -> None:
    """Create each versioned index and point its read/write alias at it, when missing."""
    for nome in INDICES:
        alias = settings.alias(nome)
        if es.indices.exists_alias(name=alias):
            continue
        indice = f"{alias}-v{VERSAO_MAPEAMENTO}"
        if not es.indices.exists(index=indice):
            es.indices.create(index=indice, **definicao(nome))
        es.indices.put_alias(index=indice, name=alias, is_write_index=True)
        logger.info("index ready index=%s alias=%s", indice, alias)


def _enviar(es: Elasticsearch, acoes: list[Acao]) -> tuple[list[Acao], list[Rejeitado]]:
    operacoes: list[dict[str, Any]] = []
    for acao in acoes:
        meta: dict[str, Any] = {"_index": acao.indice, "_id": acao.doc_id}
        if acao.versao is not None:
            meta |= {"version": acao.versao, "version_type": "external"}
        operacoes += [{"index": meta}, acao.documento]
    resposta = es.bulk(operations=operacoes)
    repetir: list[Acao] = []
    rejeitados: list[Rejeitado] = []
    for acao, item in zip(acoes, resposta["items"], strict=True):
        resultado = item["index"]
        status = int(resultado.get("status", 500))
        if status < 300 or status == 409:  # 409: a newer version is already there, nothing to do
            continue
        motivo = str(resultado.get("error", {}).get("reason", resultado.get("error")))
        if status in _TRANSITORIOS:
            repetir.append(acao)
        else:
            rejeitados.append(Rejeitado(acao, status, motivo))
    return repetir, rejeitados


def aplicar(
    es: Elasticsearch,
    acoes: list[Acao],
    *,
    deve_parar: Callable[[], bool] = lambda: False,
    espera_max_s: float = 30.0,
) -> list[Rejeitado]:
    """Write every action, retrying transient failures with backoff until they succeed.

    Returns the actions refused for good. Raises InterruptedError if asked to stop while still
    retrying, so the caller does not commit offsets for unwritten documents.
    """
    pendentes = acoes
    rejeitados: list[Rejeitado] = []
    espera = 0.2
    while pendentes:
        try:
            pendentes, novos = _enviar(es, pendentes)
            rejeitados += novos
        except (TransportConnectionError, ConnectionTimeout) as exc:
            logger.warning(
                "search unreachable, will retry error=%s wait_s=%.1f", exc.__class__.__name__, espera
            )
        except ApiError as exc:
            if exc.status_code not in _TRANSITORIOS:
                raise
            logger.warning("search busy, will retry status=%s wait_s=%.1f", exc.status_code, espera)
        if not pendentes:
            break
        if deve_parar():
            raise InterruptedError("stopped while retrying the search server")
        time.sleep(espera)
        espera = min(espera * 2, espera_max_s)
    return rejeitados
