"""Acknowledged writes from the event loop: one producer, polled by a thread, awaited per batch."""

from __future__ import annotations

__all__ = ["Saida"]

import threading
from collections.abc import Sequence

from protocolo.kafka import make_producer
from protocolo.produce import produce_and_wait_async
from protocolo.settings import KafkaSettings


class Saida:
    """The deliverer's producer: `gravar` returns once the broker acknowledged every record."""

    def __init__(self, settings: KafkaSettings, *, timeout_s: float = 30.0) -> None:
        self._producer = make_producer(settings, **{"linger.ms": 2})
        self._timeout_s = timeout_s
        self._parar = threading.Event()
        self._thread = threading.Thread(target=self._servir, name="webhooks-saida", daemon=True)
        self._thread.start()

    def _servir(self) -> None:
        while not self._parar.is_set():
            self._producer.poll(0.1)

    async def gravar(self, topico: str, mensagens: Sequence[tuple[bytes, bytes | None]]) -> None:
        """Produce and await every acknowledgement; NotAcknowledged when any fails."""
        if mensagens:
            await produce_and_wait_async(lambda: self._producer, topico, mensagens, timeout_s=self._timeout_s)

    def fechar(self) -> None:
        """Flush what is queued and stop polling."""
        self._parar.set()
        self._thread.join(5)
        self._producer.flush(5)
