"""The streams' outputs under at-least-once: one confluent-kafka producer, flushed once per batch.

Profiled (bench/streams.py --perfil), Faust's `Topic.send` through aiokafka cost the worker more
CPU than all of the batch's own logic: a Python future, a callback and aiokafka's Python-side batch
per record. librdkafka builds and sends the batches in its own threads, so the event loop only
hands it bytes. Faust still writes the tables' changelogs and commits the offsets: it acknowledges
a batch's events only after `concluir` returned, so every output of a batch is on the broker before
its offsets can be committed.

Under exactly_once the outputs must join Faust's transaction, so streams.app sends them through
Faust instead (and this class is not used).

A record the broker or the producer refuses for good (too large, say) becomes a REGISTRO_RECUSADO
dead letter naming the message that produced it; the partition goes on. A broker that does not
answer is waited for, never skipped: skipping would lose outputs whose offsets get committed (the
producer is built with message.timeout.ms=0, librdkafka's "retry until delivered"). A fatal producer
error (the idempotent producer lost its sequence; the producer stays unusable) raises PublishError,
and streams.app stops the worker: its restart reads again from the last committed offsets.
"""

from __future__ import annotations

__all__ = ["Conclusao", "Recusa", "Saidas"]

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Message, Producer

from protocolo.errors import PublishError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recusa:
    """A record the producer gave up on, with the context its dead letter needs."""

    topico: str
    origem: Any  # what the caller passed along with the record (streams.lote.Entrada)
    erro: str


@dataclass(frozen=True)
class Conclusao:
    """What the broker answered for the records queued since the last `concluir`."""

    recusas: list[Recusa]
    offsets: dict[tuple[str, int], int]  # (topic, partition) -> highest offset acknowledged


class Saidas:
    """Produce a batch's records and wait, once, until the broker has acknowledged all of them."""

    def __init__(self, producer: Producer, *, espera_s: float = 30.0) -> None:
        self._producer = producer
        self._espera_s = espera_s
        self._recusas: list[Recusa] = []
        self._offsets: dict[tuple[str, int], int] = {}
        self._fatal: KafkaError | None = None

    def enviar(
        self, topico: str, chave: bytes | None, valor: bytes, origem: Any, *, particao: int | None = None
    ) -> None:
        """Queue one record; a refusal is kept for `concluir` to return."""
        callback = self._relatorio(topico, origem)
        extra: dict[str, Any] = {} if particao is None else {"partition": particao}
        while True:
            try:
                self._producer.produce(topico, value=valor, key=chave, on_delivery=callback, **extra)
                return
            except BufferError:  # librdkafka's queue is full: let it send, then queue again
                self._producer.poll(0.05)
            except KafkaException as exc:  # refused before it was queued (MSG_SIZE_TOO_LARGE, …)
                self._recusas.append(Recusa(topico, origem, str(exc.args[0])))
                return

    async def concluir(self) -> Conclusao:
        """Wait until every queued record is acknowledged: the refusals and offsets since the last call."""
        while True:
            restantes = await asyncio.to_thread(self._producer.flush, self._espera_s)
            if restantes == 0:
                break
            logger.warning(
                "broker has not acknowledged outputs after %.0f s, still waiting pending=%d",
                self._espera_s,
                restantes,
            )
        if self._fatal is not None:
            erro, self._fatal = self._fatal, None
            self._recusas = []
            raise PublishError(f"fatal producer error: {erro}")
        conclusao = Conclusao(self._recusas, self._offsets)
        self._recusas, self._offsets = [], {}
        return conclusao

    def _relatorio(self, topico: str, origem: Any) -> Callable[[KafkaError | None, Message], None]:
        def relatorio(erro: KafkaError | None, mensagem: Message) -> None:
            if erro is None:
                particao, offset = mensagem.partition(), mensagem.offset()
                if particao is not None and offset is not None:  # always set on a delivered record
                    tp = (topico, particao)
                    if offset > self._offsets.get(tp, -1):
                        self._offsets[tp] = offset
                return
            if erro.fatal():
                self._fatal = erro
            self._recusas.append(Recusa(topico, origem, str(erro)))

        return relatorio
