"""The streams' outputs under at-least-once: one confluent-kafka producer, each batch a `Remessa`.

Profiled (bench/streams.py --perfil), Faust's `Topic.send` through aiokafka cost the worker more
CPU than all of the batch's own logic: a Python future, a callback and aiokafka's Python-side batch
per record. librdkafka builds and sends the batches in its own threads, so the event loop only
hands it bytes. A batch's records (outputs and table changelogs) form one `Remessa`; its events are
acknowledged only after `concluir(remessa)` returned, so every output of a batch is on the broker
before its offsets can be committed. The worker does not wait for that before it reads the next
batch: the broker's round trip overlaps the next batch's work (streams.app keeps one batch in
flight behind the one it is working on).

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

__all__ = ["Conclusao", "Recusa", "Remessa", "Saidas"]

import asyncio
import logging
import threading
import time
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


class Remessa:
    """The records of one batch, queued and not yet all answered for by the broker."""

    def __init__(self) -> None:
        self.pendentes = 0
        self.recusas: list[Recusa] = []
        self.offsets: dict[tuple[str, int], int] = {}
        self.fatal: KafkaError | None = None
        # Delivery reports run in whichever thread polls the producer: counters change under a lock.
        self._trava = threading.Lock()

    def relatorio(self, topico: str, origem: Any) -> Callable[[KafkaError | None, Message], None]:
        """The delivery callback of one record of this remessa."""

        def relatorio(erro: KafkaError | None, mensagem: Message) -> None:
            with self._trava:
                self.pendentes -= 1
                if erro is None:
                    particao, offset = mensagem.partition(), mensagem.offset()
                    if particao is not None and offset is not None:  # always set on a delivered record
                        tp = (topico, particao)
                        if offset > self.offsets.get(tp, -1):
                            self.offsets[tp] = offset
                    return
                if erro.fatal():
                    self.fatal = erro
                self.recusas.append(Recusa(topico, origem, str(erro)))

        return relatorio

    def recusar(self, recusa: Recusa) -> None:
        """A record refused before it was queued."""
        with self._trava:
            self.recusas.append(recusa)

    def contar(self, n: int) -> None:
        """`n` more (or, negative, fewer) records waiting for a delivery report."""
        with self._trava:
            self.pendentes += n


class Saidas:
    """Produce batches of records; wait, per batch, until the broker has acknowledged all of them."""

    def __init__(self, producer: Producer, *, espera_s: float = 30.0) -> None:
        self._producer = producer
        self._espera_s = espera_s
        self._atual = Remessa()

    def abrir(self) -> Remessa:
        """Start a new remessa: the records `enviar` queues from now on belong to it."""
        self._atual = Remessa()
        return self._atual

    def enviar(
        self,
        topico: str,
        chave: bytes | None,
        valor: bytes,
        origem: Any,
        *,
        particao: int | None = None,
        remessa: Remessa | None = None,
    ) -> None:
        """Queue one record (in `remessa`, else the current one); a refusal is kept for `concluir`."""
        remessa = remessa or self._atual
        callback = remessa.relatorio(topico, origem)
        extra: dict[str, Any] = {} if particao is None else {"partition": particao}
        while True:
            try:
                remessa.contar(1)
                self._producer.produce(topico, value=valor, key=chave, on_delivery=callback, **extra)
                return
            except BufferError:  # librdkafka's queue is full: let it send, then queue again
                remessa.contar(-1)  # not queued after all: no report will come for it
                self._producer.poll(0.05)
            except KafkaException as exc:  # refused before it was queued (MSG_SIZE_TOO_LARGE, …)
                remessa.contar(-1)
                remessa.recusar(Recusa(topico, origem, str(exc.args[0])))
                return

    async def concluir(self, remessa: Remessa | None = None) -> Conclusao:
        """Wait until every record of `remessa` (else the current one, which then closes) is
        acknowledged: its refusals and the highest offsets acknowledged."""
        if remessa is None:
            remessa, self._atual = self._atual, Remessa()
        desde = time.monotonic()
        while remessa.pendentes > 0:
            # poll serves the delivery reports; it returns as soon as there are some.
            await asyncio.to_thread(self._producer.poll, 0.1)
            if remessa.pendentes > 0 and time.monotonic() - desde > self._espera_s:
                logger.warning(
                    "broker has not acknowledged outputs after %.0f s, still waiting pending=%d",
                    self._espera_s,
                    remessa.pendentes,
                )
                desde = time.monotonic()
        if remessa.fatal is not None:
            raise PublishError(f"fatal producer error: {remessa.fatal}")
        return Conclusao(remessa.recusas, remessa.offsets)
