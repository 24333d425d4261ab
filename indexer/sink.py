"""Writes bulk actions to Elasticsearch, retrying what can succeed later, reporting what never will.

Transient failures (connection refused or timed out, 429, 5xx) are retried with exponential
backoff until they succeed or the indexer is asked to stop (WorkerStopped: the caller then does
not commit). A missing alias (the server lost its indices) makes `garantir` run before the retry.
Anything else an item answers is a rejection for good: the caller sends it to the DLQ.
"""

from __future__ import annotations

__all__ = [
    "Rejeitado",
    "aplicar",
    "com_retentativas",
    "garantir_indices",
    "remover_movimentos_ocultos",
    "sem_ocultos_do_indice",
]

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import ApiError, Elasticsearch

from indexer.documents import Acao, query_ocultos
from indexer.indices import garantir_indices  # re-exported: callers set up and write in one place
from indexer.plano import (
    PlanoLote,
    Rejeitado,
    nups_dos_movimentos,
    ocultos_no_indice,
    sem_ocultos_no_indice,
)
from protocolo.errors import WorkerStopped

logger = logging.getLogger(__name__)

T = TypeVar("T")
_TRANSITORIOS = {429, 500, 502, 503, 504}
_INDICE_AUSENTE = "index_not_found_exception"


class _IndiceAusente(Exception):
    """A bulk item found no alias to write to (require_alias)."""


def _nunca() -> bool:
    return False


def _nada() -> None:
    return None


def _enviar(es: Elasticsearch, acoes: list[Acao]) -> tuple[list[Acao], list[Rejeitado]]:
    operacoes: list[dict[str, Any]] = []
    for acao in acoes:
        meta: dict[str, Any] = {"_index": acao.indice, "_id": acao.doc_id}
        if acao.versao is not None:
            meta |= {"version": acao.versao, "version_type": "external"}
        operacoes += [{"index": meta}, acao.documento]
    # require_alias: if the alias is gone, never let the server auto-create an index with dynamic mapping.
    resposta = es.bulk(operations=operacoes, require_alias=True)
    repetir: list[Acao] = []
    rejeitados: list[Rejeitado] = []
    for acao, item in zip(acoes, resposta["items"], strict=True):
        resultado = item["index"]
        status = int(resultado.get("status", 500))
        if status < 300 or status == 409:  # 409: a newer version is already there, nothing to do
            continue
        erro = resultado.get("error") or {}
        tipo = str(erro.get("type", "")) if isinstance(erro, dict) else ""
        if tipo == _INDICE_AUSENTE:
            raise _IndiceAusente(acao.indice)
        if status in _TRANSITORIOS:
            repetir.append(acao)
        else:
            motivo = str(erro.get("reason", erro)) if isinstance(erro, dict) else str(erro)
            rejeitados.append(Rejeitado(acao, status, motivo, tipo))
    return repetir, rejeitados


def _indice_ausente(exc: ApiError) -> bool:
    return exc.status_code == 404 and _INDICE_AUSENTE in str(exc.body)


class _Espera:
    """Exponential backoff that gives up only when the indexer is asked to stop."""

    def __init__(self, deve_parar: Callable[[], bool], maxima_s: float) -> None:
        self.deve_parar = deve_parar
        self.maxima_s = maxima_s
        self.atual_s = 0.2

    def aguardar(self) -> None:
        if self.deve_parar():
            raise WorkerStopped("stopped while retrying the search server")
        time.sleep(self.atual_s)
        self.atual_s = min(self.atual_s * 2, self.maxima_s)


def com_retentativas(
    operacao: Callable[[], T],
    *,
    garantir: Callable[[], None] = _nada,
    deve_parar: Callable[[], bool] = _nunca,
    espera_max_s: float = 10.0,
) -> T:
    """Run `operacao` until it succeeds, waiting out an unreachable, busy or index-less server.

    `deve_parar` is asked once before each wait (the indexer counts its retries with it). Raises
    WorkerStopped if asked to stop while waiting; other API errors pass through.
    """
    espera = _Espera(deve_parar, espera_max_s)
    recriar = False
    while True:
        try:
            if recriar:
                garantir()
                recriar = False
            return operacao()
        except _IndiceAusente as exc:
            logger.warning("alias missing, recreating the indices alias=%s", exc)
            recriar = True
        except (TransportConnectionError, ConnectionTimeout) as exc:
            logger.warning(
                "search unreachable, will retry error=%s wait_s=%.1f", exc.__class__.__name__, espera.atual_s
            )
        except ApiError as exc:
            if _indice_ausente(exc):
                logger.warning("index missing, recreating the indices status=%s", exc.status_code)
                recriar = True
            elif exc.status_code in _TRANSITORIOS:
                logger.warning(
                    "search busy, will retry status=%s wait_s=%.1f", exc.status_code, espera.atual_s
                )
            else:
                raise
        espera.aguardar()


def aplicar(
    es: Elasticsearch,
    acoes: list[Acao],
    *,
    garantir: Callable[[], None] = _nada,
    deve_parar: Callable[[], bool] = _nunca,
    espera_max_s: float = 10.0,
) -> list[Rejeitado]:
    """Write every action, retrying transient failures with backoff until they succeed.

    Returns the actions refused for good. Raises WorkerStopped if asked to stop while still
    retrying, so the caller does not commit offsets for unwritten documents.
    """
    pendentes = acoes
    rejeitados: list[Rejeitado] = []
    espera = _Espera(deve_parar, espera_max_s)
    while pendentes:
        pendentes, novos = com_retentativas(
            partial(_enviar, es, pendentes),
            garantir=garantir,
            deve_parar=deve_parar,
            espera_max_s=espera_max_s,
        )
        rejeitados += novos
        if pendentes:  # some items answered 429/5xx: back off before sending just those again
            logger.warning("search refused items for now, will retry count=%d", len(pendentes))
            espera.aguardar()
    return rejeitados


def sem_ocultos_do_indice(
    es: Elasticsearch,
    plano: PlanoLote,
    *,
    indice_processos: str,
    indice_movimentos: str,
    garantir: Callable[[], None] = _nada,
    deve_parar: Callable[[], bool] = _nunca,
) -> PlanoLote:
    """The plan without the movimentos of processos the index already holds as tombstones.

    One realtime multi-get per batch, of the processos whose movimentos the batch writes.
    """
    nups = nups_dos_movimentos(plano, alias_movimentos=indice_movimentos)
    if not nups:
        return plano
    resposta = com_retentativas(
        lambda: es.mget(index=indice_processos, ids=nups, source_includes=["nup", "versao", "publico"]),
        garantir=garantir,
        deve_parar=deve_parar,
    )
    fontes = [d.get("_source") if d.get("found") else None for d in resposta["docs"]]
    return sem_ocultos_no_indice(plano, ocultos_no_indice(fontes), alias_movimentos=indice_movimentos)


def remover_movimentos_ocultos(
    es: Elasticsearch,
    ocultos: dict[str, int],
    *,
    indice_movimentos: str,
    garantir: Callable[[], None] = _nada,
    deve_parar: Callable[[], bool] = _nunca,
) -> None:
    """Delete the movimentos of processos that stopped being public (NUP -> tombstone version).

    The refresh first: a delete-by-query sees only what a refresh made searchable, and the
    movimentos of the batches just written may not be yet.
    """
    if not ocultos:
        return
    query = query_ocultos(ocultos)
    com_retentativas(
        lambda: (
            es.indices.refresh(index=indice_movimentos),
            es.delete_by_query(index=indice_movimentos, query=query, conflicts="proceed"),
        ),
        garantir=garantir,
        deve_parar=deve_parar,
    )
