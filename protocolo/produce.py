"""Produce and wait for the broker's acknowledgement: the one place protocolo does it.

Two shapes share the rules below:
- a batch whose every message must be acknowledged before the caller goes on: `produce_and_wait`
  (threads) and `produce_and_wait_async` (an event loop whose producer another thread polls);
- a stream that hands messages over as they come and waits once at the end (the producer library):
  `produce` for each message, `drain` at the end.

The rules: a full local queue is waited out, never an error; a producer that can no longer send at
all is a PublishError; a message is sent only once the broker acknowledged it (acks=all), and one
without an answer when the wait ends counts as not acknowledged. NotAcknowledged says how many
failed, of how many, and Kafka's error code.
"""

from __future__ import annotations

__all__ = [
    "SEM_RESPOSTA",
    "Cabecalhos",
    "Deliveries",
    "Mensagem",
    "drain",
    "produce",
    "produce_and_wait",
    "produce_and_wait_async",
]

import asyncio
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Producer

from protocolo.errors import NotAcknowledged, PublishError

Mensagem = tuple[bytes | None, bytes | None]  # (key, value); a None value is a tombstone
Cabecalhos = list[tuple[str, str | bytes | None]]  # a message's headers, in order
SEM_RESPOSTA = "sem resposta do broker"
DeliveryCallback = Callable[[KafkaError | None, Any], None]


def produce(
    producer: Producer,
    topic: str,
    key: bytes | None,
    value: bytes | None,
    *,
    on_delivery: DeliveryCallback,
    queue_full_wait_s: float = 0.1,
    partition: int | None = None,
    headers: Cabecalhos | None = None,
) -> None:
    """Hand one message to the producer, serving delivery reports while its local queue is full.

    `partition` None lets the partitioner choose (by key). PublishError (with Kafka's error) when the
    producer can no longer send at all.
    """
    destino = -1 if partition is None else partition
    while True:
        try:
            producer.produce(
                topic, key=key, value=value, partition=destino, on_delivery=on_delivery, headers=headers
            )
            return
        except BufferError:  # local queue full: let deliveries (or expiries) drain it
            producer.poll(queue_full_wait_s)
        except KafkaException as exc:  # a fatal producer error: nothing more can be sent
            raise PublishError(f"o produtor não consegue mais enviar: {exc.args[0]}") from exc


def drain(producer: Producer, timeout_s: float, *, grace_s: float = 5.0) -> None:
    """Wait until every message handed to `producer` has its delivery report, for at most `timeout_s`.

    What is still unanswered then is purged, and its report (a failure) served within `grace_s`: when
    this returns, every message was acknowledged or reported failed. For a producer one caller owns.
    """
    if producer.flush(timeout_s):
        producer.purge()
        producer.flush(grace_s)  # serves the purged messages' delivery reports


class Deliveries:
    """The delivery reports of `total` messages produced together: thread-safe, and waitable.

    `report(i)` is the on_delivery callback of message i. On an event loop (`loop`), the wait is
    awaitable and the callbacks may run on any thread.
    """

    def __init__(self, total: int, *, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.total = total
        self._motivos: list[str | None] = [SEM_RESPOSTA] * total
        self._codigos: list[str | None] = [None] * total
        self._respondidas = [False] * total
        self._faltam = total
        self._trava = threading.Lock()
        self._prontas = threading.Event()
        self._loop = loop
        self._prontas_async = asyncio.Event() if loop is not None else None
        if total == 0:
            self._concluir()

    def report(self, indice: int, ao_erro: Callable[[KafkaError], object] | None = None) -> DeliveryCallback:
        """The delivery callback of message `indice`; `ao_erro` also sees its error, if any."""

        def _entregue(erro: KafkaError | None, _mensagem: Any) -> None:
            if erro is None:
                self._registrar(indice, None, None)
                return
            if ao_erro is not None:
                ao_erro(erro)
            self._registrar(indice, str(erro), erro.name())

        return _entregue

    def fail(self, indice: int, motivo: str, codigo: str | None = None) -> None:
        """Message `indice` was never handed to the broker (the producer refused it)."""
        self._registrar(indice, motivo, codigo)

    def _registrar(self, indice: int, motivo: str | None, codigo: str | None) -> None:
        with self._trava:
            if self._respondidas[indice]:
                return  # one answer per message
            self._respondidas[indice] = True
            self._motivos[indice], self._codigos[indice] = motivo, codigo
            self._faltam -= 1
            fim = self._faltam == 0
        if fim:
            self._concluir()

    def _concluir(self) -> None:
        self._prontas.set()
        if self._loop is not None and self._prontas_async is not None:
            self._loop.call_soon_threadsafe(self._prontas_async.set)

    @property
    def done(self) -> bool:
        """Every message has its answer."""
        return self._prontas.is_set()

    def wait(self, timeout_s: float, *, producer: Producer | None = None) -> bool:
        """Wait for every answer, polling `producer` (None: another thread polls it); False on timeout."""
        if producer is None:
            return self._prontas.wait(timeout_s)
        limite = time.monotonic() + timeout_s
        while not self._prontas.is_set():
            restante = limite - time.monotonic()
            if restante <= 0:
                return False
            producer.poll(min(restante, 0.1))
        return True

    async def wait_async(self, timeout_s: float) -> bool:
        """Wait on the event loop for every answer (another thread polls the producer); False on timeout."""
        assert self._prontas_async is not None, "Deliveries(loop=...) is needed to await"
        try:
            await asyncio.wait_for(self._prontas_async.wait(), timeout_s)
        except TimeoutError:
            return self.done
        return True

    @property
    def motivos(self) -> list[str | None]:
        """Per message: None when acknowledged, else why not (Kafka's words, or no answer)."""
        with self._trava:
            return list(self._motivos)

    def raise_for_failures(self, what: str = "registros") -> None:
        """NotAcknowledged when any message was not acknowledged (or has no answer yet)."""
        with self._trava:
            motivos = tuple(self._motivos)
            falhas = [i for i, motivo in enumerate(motivos) if motivo is not None]
            codigo = next((self._codigos[i] for i in falhas if self._codigos[i]), None)
        if falhas:
            raise NotAcknowledged(
                f"{len(falhas)} de {self.total} {what} não confirmados: {motivos[falhas[0]]}",
                failed=len(falhas),
                total=self.total,
                code=codigo,
                reasons=motivos,
            )


def produce_and_wait(
    producer: Producer,
    topic: str,
    messages: Sequence[Mensagem],
    *,
    timeout_s: float | None,
    polled_elsewhere: bool = False,
    while_waiting: Callable[[], None] | None = None,
    check_every_s: float = 5.0,
    what: str = "registros",
    partition: int | None = None,
    headers: Sequence[Cabecalhos | None] | None = None,
) -> None:
    """Produce every (key, value) of `messages` and wait until the broker acknowledged each one.

    Args:
        timeout_s: how long to wait for the answers; None waits until every message has one (librdkafka
            answers each within the producer's `message.timeout.ms`).
        polled_elsewhere: another thread polls `producer` (its delivery reports run there).
        while_waiting: called every `check_every_s` while answers are missing; it may raise to stop.
        what: the messages' name in NotAcknowledged's pt-BR message.
        partition: where every message goes; None lets the partitioner choose by key.
        headers: each message's headers, in the order of `messages` (None: no headers).

    Raises NotAcknowledged (a PublishError) with the failed count and Kafka's error code, or
    PublishError when the producer can no longer send at all.
    """
    entregas = Deliveries(len(messages))
    for indice, (chave, valor) in enumerate(messages):
        cabecalhos = headers[indice] if headers is not None else None
        produce(
            producer,
            topic,
            chave,
            valor,
            on_delivery=entregas.report(indice),
            partition=partition,
            headers=cabecalhos,
        )
    alvo = None if polled_elsewhere else producer
    limite = None if timeout_s is None else time.monotonic() + timeout_s
    while True:
        fatia = check_every_s if limite is None else min(check_every_s, max(0.0, limite - time.monotonic()))
        if entregas.wait(fatia, producer=alvo):
            break
        if limite is not None and time.monotonic() >= limite:
            break
        if while_waiting is not None:
            while_waiting()
    entregas.raise_for_failures(what)


async def produce_and_wait_async(
    producer: Callable[[], Producer],
    topic: str,
    messages: Sequence[Mensagem],
    *,
    timeout_s: float,
    ao_erro: Callable[[KafkaError], object] | None = None,
    ao_falhar: Callable[[KafkaException], object] | None = None,
    what: str = "registros",
) -> None:
    """Produce from an event loop and await every acknowledgement; another thread polls the producer.

    Args:
        producer: the producer to use now (the caller may replace a broken one between messages).
        timeout_s: how long to await the answers.
        ao_erro: sees each delivery error (on the polling thread).
        ao_falhar: sees the error of a producer that refused a message; that message fails, the rest go on.

    Raises NotAcknowledged with each message's outcome in `motivos`.
    """
    entregas = Deliveries(len(messages), loop=asyncio.get_running_loop())
    for indice, (chave, valor) in enumerate(messages):
        while True:
            try:
                relatorio = entregas.report(indice, ao_erro)
                producer().produce(topic, key=chave, value=valor, on_delivery=relatorio)
                break
            except BufferError:  # local queue full: let the polling thread drain it
                await asyncio.sleep(0.05)
            except KafkaException as exc:  # a fatal producer: this message fails
                if ao_falhar is not None:
                    ao_falhar(exc)
                erro = exc.args[0] if exc.args else exc
                entregas.fail(indice, str(erro), erro.name() if isinstance(erro, KafkaError) else None)
                break
    await entregas.wait_async(timeout_s)
    entregas.raise_for_failures(what)
