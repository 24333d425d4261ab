"""The shared metrics helpers: lag from the fetch high watermark, and a /metrics server that stops."""

from __future__ import annotations

import socket
import urllib.request
from dataclasses import dataclass

import pytest
from confluent_kafka import TopicPartition
from prometheus_client import CollectorRegistry, Counter

from cli.stack import porta_livre
from protocolo.metricas import atrasos, servir_metricas


@dataclass
class FakeMessage:
    """The parts of a consumed message the lag reads."""

    t: str
    p: int
    o: int
    erro: object = None

    def topic(self) -> str:
        return self.t

    def partition(self) -> int:
        return self.p

    def offset(self) -> int:
        return self.o

    def error(self) -> object:
        return self.erro


class FakeConsumer:
    """High watermarks per partition, as the last fetch responses carried them."""

    def __init__(self, altos: dict[tuple[str, int], int]) -> None:
        self.altos = altos
        self.cached: list[bool] = []

    def get_watermark_offsets(self, tp: TopicPartition, cached: bool = False) -> tuple[int, int]:
        self.cached.append(cached)
        return 0, self.altos.get((tp.topic, tp.partition), -1)


def test_lag_is_the_high_watermark_minus_the_next_offset_of_each_partition() -> None:
    consumer = FakeConsumer({("a", 0): 10, ("a", 1): 5, ("b", 0): 100})
    lote = [FakeMessage("a", 0, 3), FakeMessage("a", 0, 7), FakeMessage("a", 1, 4), FakeMessage("b", 0, 49)]
    assert atrasos(consumer, lote) == {("a", 0): 2, ("a", 1): 0, ("b", 0): 50}  # type: ignore[arg-type]
    assert set(consumer.cached) == {True}  # no ListOffsets round trip: the fetch's own figure


def test_errors_and_unknown_watermarks_give_no_lag() -> None:
    consumer = FakeConsumer({("a", 0): 10})
    lote = [FakeMessage("a", 0, 3, erro="broker down"), FakeMessage("c", 0, 1)]
    assert atrasos(consumer, lote) == {}  # type: ignore[arg-type]


def test_metrics_are_served_on_the_port_until_stopped() -> None:
    registry = CollectorRegistry()
    Counter("exemplo_coisas", "Things.", registry=registry).inc(3)
    porta = porta_livre()
    parar = servir_metricas(registry, porta)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{porta}/metrics", timeout=5) as resposta:
            assert "exemplo_coisas_total 3.0" in resposta.read().decode()
    finally:
        parar()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", porta), timeout=1):
        pass


def test_port_zero_serves_nothing() -> None:
    parar = servir_metricas(CollectorRegistry(), 0)
    parar()  # and stopping nothing is harmless
