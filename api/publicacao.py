"""Producing from async handlers: each message's delivery report becomes an awaitable result.

A background thread polls the producer so delivery callbacks run while handlers await; each
callback hands its result to the event loop. A message counts as sent only once the broker
acknowledged it (acks=all); librdkafka gives up on it after `message.timeout.ms`.
"""

from __future__ import annotations

__all__ = ["Entregador"]

import asyncio
import threading
from collections.abc import Sequence
from typing import Any

from confluent_kafka import KafkaError, Producer


class Entregador:
    """Wraps a producer shared by every request of the process."""

    def __init__(self, producer: Producer) -> None:
        self.producer = producer
        self._parar = threading.Event()
        self._thread = threading.Thread(target=self._polling, name="entregas", daemon=True)

    def iniciar(self) -> None:
        self._thread.start()

    def parar(self, prazo_s: float = 5.0) -> None:
        """Stop polling after flushing what is queued, for at most `prazo_s`."""
        self._parar.set()
        self._thread.join(prazo_s)
        self.producer.flush(prazo_s)

    def _polling(self) -> None:
        while not self._parar.is_set():
            self.producer.poll(0.1)

    async def entregar(
        self, topico: str, mensagens: Sequence[tuple[bytes, bytes | None]], *, timeout_s: float
    ) -> list[str | None]:
        """Produce and wait for each delivery report: None when acknowledged, else the error."""
        loop = asyncio.get_running_loop()
        futuros: list[asyncio.Future[str | None]] = []
        for chave, valor in mensagens:
            futuro: asyncio.Future[str | None] = loop.create_future()
            futuros.append(futuro)

            _entregue = _relatorio(loop, futuro)
            while True:
                try:
                    self.producer.produce(topico, key=chave, value=valor, on_delivery=_entregue)
                    break
                except BufferError:  # local queue full: let the poller drain it
                    await asyncio.sleep(0.05)
        if not futuros:
            return []
        prontos, _ = await asyncio.wait(futuros, timeout=timeout_s + 5)
        return [f.result() if f in prontos else "sem resposta do broker" for f in futuros]


def _relatorio(loop: asyncio.AbstractEventLoop, futuro: asyncio.Future[str | None]) -> Any:
    """A delivery callback (run on the poller thread) that resolves `futuro` on the event loop."""

    def _resolver(resultado: str | None) -> None:
        if not futuro.done():
            futuro.set_result(resultado)

    def _entregue(erro: KafkaError | None, _mensagem: Any) -> None:
        loop.call_soon_threadsafe(_resolver, None if erro is None else str(erro))

    return _entregue
