"""Producing from async handlers: each message's delivery report becomes an awaitable result.

A background thread polls the producer so delivery callbacks run while handlers await; each
callback hands its result to the event loop. A message counts as sent only once the broker
acknowledged it (acks=all); librdkafka gives up on it after `message.timeout.ms`.

An idempotent producer can reach a state it never leaves: a fatal error, or a broker that fences
its producer id or has lost it. Every later produce then fails. The poller replaces such a
producer with a new one, failing what the old one still held, so one outage never leaves the
gateway down until the process restarts. (Real Kafka accepts the epoch bump librdkafka makes after
a timed-out request; the local broker answers PRODUCER_FENCED to every later message instead,
as a per-message error, not a fatal one: hence the codes below.)
"""

from __future__ import annotations

__all__ = ["CriarProducer", "Entregador"]

import logging
import threading
from collections.abc import Callable, Sequence

from confluent_kafka import KafkaError, KafkaException, Producer

from protocolo.errors import NotAcknowledged
from protocolo.produce import produce_and_wait_async

logger = logging.getLogger(__name__)

# Delivery errors after which this producer id can never succeed again.
_SEM_VOLTA = frozenset(
    {
        KafkaError._FATAL,
        KafkaError.PRODUCER_FENCED,
        KafkaError.INVALID_PRODUCER_EPOCH,
        KafkaError.UNKNOWN_PRODUCER_ID,
        KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER,
    }
)

# Builds a producer that reports client-level errors to the given callback (librdkafka's error_cb).
CriarProducer = Callable[[Callable[[KafkaError], None]], Producer]


class Entregador:
    """Owns the producer shared by every request of the process."""

    def __init__(self, criar: CriarProducer) -> None:
        self._criar = criar
        self._fatal = threading.Event()
        self.producer = criar(self._ao_erro)
        self.renovacoes = 0
        self._parar = threading.Event()
        self._thread = threading.Thread(target=self._polling, name="entregas", daemon=True)

    def iniciar(self) -> None:
        self._thread.start()

    def parar(self, prazo_s: float = 5.0) -> None:
        """Stop polling after flushing what is queued, for at most `prazo_s`."""
        self._parar.set()
        self._thread.join(prazo_s)
        self.producer.flush(prazo_s)

    def _ao_erro(self, erro: KafkaError) -> None:
        if not self._avaliar(erro):
            logger.warning("producer error: %s", erro)

    def _avaliar(self, erro: KafkaError) -> bool:
        """Whether `erro` means this producer can never succeed again; if so, the poller replaces it."""
        if not (erro.fatal() or erro.code() in _SEM_VOLTA):
            return False
        if not self._fatal.is_set():
            logger.error("producer cannot recover, it will be replaced: %s", erro)
        self._fatal.set()
        return True

    def _polling(self) -> None:
        while not self._parar.is_set():
            try:
                self.producer.poll(0.1)
            except KafkaException as exc:
                self._marcar_se_fatal(exc)
            if self._fatal.is_set():
                self._renovar()

    def _marcar_se_fatal(self, exc: KafkaException) -> None:
        erro = exc.args[0] if exc.args else None
        if not (isinstance(erro, KafkaError) and self._avaliar(erro)):
            logger.warning("producer error: %s", exc)

    def _renovar(self) -> None:
        """Swap in a new producer; what the old one held fails now instead of at its timeout."""
        antigo = self.producer
        self.producer = self._criar(self._ao_erro)
        self._fatal.clear()
        self.renovacoes += 1
        try:
            antigo.purge()
            antigo.poll(0)  # runs the purged messages' delivery callbacks: their requests answer 503
        except KafkaException as exc:
            logger.warning("purging the replaced producer: %s", exc)
        logger.warning("producer replaced after a fatal error (replacement %d)", self.renovacoes)

    async def entregar(
        self, topico: str, mensagens: Sequence[tuple[bytes, bytes | None]], *, timeout_s: float
    ) -> list[str | None]:
        """Produce and wait for each delivery report: None when acknowledged, else the error."""
        try:
            await produce_and_wait_async(
                lambda: self.producer,
                topico,
                mensagens,
                timeout_s=timeout_s + 5,
                ao_erro=self._avaliar,
                ao_falhar=self._marcar_se_fatal,
            )
        except NotAcknowledged as exc:
            return list(exc.reasons)
        return [None] * len(mensagens)
