"""produce_and_wait (threads and event loop) against the real broker, and against no broker at all."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

import pytest
from confluent_kafka import Producer

from cli.stack import porta_livre
from protocolo.errors import NotAcknowledged, PublishError
from protocolo.kafka import make_producer
from protocolo.leitura import ler_ate_o_fim
from protocolo.produce import SEM_RESPOSTA, produce_and_wait, produce_and_wait_async
from protocolo.settings import KafkaSettings, Settings

MENSAGENS = [(f"k{n}".encode(), f"v{n}".encode()) for n in range(5)] + [(b"k0", None)]


def _sem_broker() -> Producer:
    """A producer pointed at a port nobody listens on: every message expires unacknowledged."""
    kafka = KafkaSettings(bootstrap_servers=f"127.0.0.1:{porta_livre()}")
    # librdkafka's connection errors go to a logger, not to the test run's stderr.
    return make_producer(kafka, logger=logging.getLogger("sem-broker"), **{"message.timeout.ms": 1000})


def _lidas(kafka: KafkaSettings, topico: str) -> list[tuple[bytes | None, bytes | None]]:
    return [(m.key(), m.value()) for m in ler_ate_o_fim(kafka, topico, limite_s=30)]


def test_every_message_is_acknowledged_and_on_the_topic_in_order(
    settings_factory: Callable[..., Settings],
) -> None:
    kafka = settings_factory(carregar_referencia_exemplo=False).kafka
    produce_and_wait(make_producer(kafka), kafka.topics.referencia, MENSAGENS, timeout_s=15)
    assert _lidas(kafka, kafka.topics.referencia) == MENSAGENS


def test_unacknowledged_messages_raise_with_their_count_and_kafka_code() -> None:
    with pytest.raises(NotAcknowledged) as falha:
        produce_and_wait(_sem_broker(), "qualquer", MENSAGENS, timeout_s=10)
    erro = falha.value
    assert isinstance(erro, PublishError)
    assert (erro.failed, erro.total, erro.code) == (6, 6, "_MSG_TIMED_OUT")
    assert erro.failed_indices == list(range(6))
    assert str(erro).startswith("6 de 6 registros não confirmados: ")


def test_a_wait_cut_short_counts_the_unanswered_as_not_acknowledged() -> None:
    with pytest.raises(NotAcknowledged) as falha:
        produce_and_wait(_sem_broker(), "qualquer", MENSAGENS[:2], timeout_s=0.2)
    assert falha.value.reasons == (SEM_RESPOSTA, SEM_RESPOSTA)
    assert falha.value.code is None


def test_while_waiting_is_called_until_every_answer_and_may_stop_the_wait() -> None:
    chamadas: list[int] = []

    def esperando() -> None:
        chamadas.append(1)
        if len(chamadas) == 2:
            raise KeyboardInterrupt  # any exception ends the wait

    with pytest.raises(KeyboardInterrupt):
        produce_and_wait(
            _sem_broker(), "qualquer", MENSAGENS, timeout_s=None, while_waiting=esperando, check_every_s=0.1
        )
    assert len(chamadas) == 2


def _polido(producer: Producer) -> Callable[[], None]:
    """Poll `producer` on a thread, as the API's Entregador does; returns how to stop."""
    parar = threading.Event()

    def polir() -> None:
        while not parar.is_set():
            producer.poll(0.05)

    thread = threading.Thread(target=polir, daemon=True)
    thread.start()

    def fim() -> None:
        parar.set()
        thread.join(5)

    return fim


def test_the_event_loop_variant_acknowledges_every_message(settings_factory: Callable[..., Settings]) -> None:
    kafka = settings_factory(carregar_referencia_exemplo=False).kafka
    producer = make_producer(kafka)
    parar = _polido(producer)
    try:
        asyncio.run(
            produce_and_wait_async(lambda: producer, kafka.topics.referencia, MENSAGENS, timeout_s=15)
        )
    finally:
        parar()
    assert _lidas(kafka, kafka.topics.referencia) == MENSAGENS


def test_the_event_loop_variant_reports_each_failure_and_shows_each_error() -> None:
    producer = _sem_broker()
    vistos: list[str] = []
    parar = _polido(producer)
    try:
        with pytest.raises(NotAcknowledged) as falha:
            asyncio.run(
                produce_and_wait_async(
                    lambda: producer,
                    "qualquer",
                    MENSAGENS[:3],
                    timeout_s=10,
                    ao_erro=lambda e: vistos.append(e.name()),
                )
            )
    finally:
        parar()
    assert (falha.value.failed, falha.value.total) == (3, 3)
    assert all(motivo and "timed out" in motivo.lower() for motivo in falha.value.reasons)
    assert vistos == ["_MSG_TIMED_OUT"] * 3
