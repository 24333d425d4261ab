"""What every service's Prometheus metrics share: serving /metrics on a port, and consumer lag.

Each service keeps its metric objects in a registry of its own (`<service>/metricas.py`), so tests build
as many as they like; this module only serves one and measures what a consumer has left to read.
"""

from __future__ import annotations

__all__ = ["atrasos", "servir_metricas"]

from collections.abc import Callable, Iterable

from confluent_kafka import Consumer, Message, TopicPartition
from prometheus_client import CollectorRegistry, start_http_server


def servir_metricas(registry: CollectorRegistry, porta: int) -> Callable[[], None]:
    """Serve `registry` at /metrics on `porta` from a daemon thread (`0`: nothing); returns how to stop it."""
    if not porta:
        return lambda: None
    servidor, thread = start_http_server(porta, registry=registry)

    def parar() -> None:
        servidor.shutdown()
        servidor.server_close()
        thread.join(5)

    return parar


def atrasos(consumer: Consumer, mensagens: Iterable[Message]) -> dict[tuple[str, int], int]:
    """Lag of each partition a batch came from: the fetch's high watermark minus the next offset to read.

    The high watermark is the one the fetch responses carried (`cached=True`), not a ListOffsets
    request: no round trip per batch, and right on the local broker too (whose ListOffsets
    under-reports a partition's end).
    """
    ultimos: dict[tuple[str, int], int] = {}
    for mensagem in mensagens:
        topico, particao, offset = mensagem.topic(), mensagem.partition(), mensagem.offset()
        if mensagem.error() or topico is None or particao is None or offset is None:
            continue
        ultimos[(topico, particao)] = max(offset, ultimos.get((topico, particao), -1))
    resultado: dict[tuple[str, int], int] = {}
    for (topico, particao), offset in ultimos.items():
        _baixo, alto = consumer.get_watermark_offsets(TopicPartition(topico, particao), cached=True)
        if alto is not None and alto >= 0:
            resultado[(topico, particao)] = max(0, alto - offset - 1)
    return resultado
