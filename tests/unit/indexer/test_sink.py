"""The indexer's retry policy (indexer/sink.com_retentativas), driven by plain functions that fail."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
from elastic_transport import ConnectionError as TransportConnectionError
from elasticsearch import ApiError, BadRequestError, NotFoundError

from indexer.sink import com_retentativas
from protocolo.errors import WorkerStopped


def _erro(classe: type[ApiError], status: int, tipo: str) -> ApiError:
    meta = ApiResponseMeta(status, "1.1", HttpHeaders(), 0.0, NodeConfig("http", "localhost", 9200))
    return classe(tipo, meta, {"error": {"type": tipo, "reason": tipo}, "status": status})


def _falha_antes(falhas: list[Exception]) -> Callable[[], str]:
    """An operation that raises each of `falhas` in turn, then succeeds."""

    def operacao() -> str:
        if falhas:
            raise falhas.pop(0)
        return "ok"

    return operacao


def test_an_unreachable_or_busy_server_is_retried_until_it_answers() -> None:
    falhas: list[Exception] = [TransportConnectionError("recusada"), _erro(ApiError, 503, "unavailable")]

    assert com_retentativas(_falha_antes(falhas)) == "ok"
    assert falhas == []


def test_a_missing_index_is_recreated_before_the_retry() -> None:
    chamadas: list[str] = []
    falhas: list[Exception] = [_erro(NotFoundError, 404, "index_not_found_exception")]

    def operacao() -> str:
        chamadas.append("operacao")
        return _falha_antes(falhas)()

    resultado = com_retentativas(operacao, garantir=lambda: chamadas.append("garantir"))

    assert (resultado, chamadas) == ("ok", ["operacao", "garantir", "operacao"])


def test_a_request_the_server_refuses_for_good_is_not_retried() -> None:
    falhas: list[Exception] = [_erro(BadRequestError, 400, "illegal_argument_exception")]

    with pytest.raises(BadRequestError):
        com_retentativas(_falha_antes(falhas))


def test_asked_to_stop_while_the_server_is_down_it_gives_up_without_success() -> None:
    falhas: list[Exception] = [TransportConnectionError("recusada")] * 3

    with pytest.raises(WorkerStopped):
        com_retentativas(_falha_antes(falhas), deve_parar=lambda: True)
    assert len(falhas) == 2


def test_deve_parar_is_asked_once_before_each_retry_wait() -> None:
    """The indexer counts its retries (protocolo_indexer_retentativas_total) with this question."""
    falhas: list[Exception] = [TransportConnectionError("recusada"), _erro(ApiError, 429, "busy")]
    perguntas: list[bool] = []

    def deve_parar() -> bool:
        perguntas.append(True)
        return False

    assert com_retentativas(_falha_antes(falhas), deve_parar=deve_parar) == "ok"
    assert len(perguntas) == 2
