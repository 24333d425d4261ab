"""Enviadas, the notifier's log of what it sent: a compacted topic (key = Message-ID) of every
e-mail the relay accepted or refused.

Each outcome is acknowledged by the broker before the worker takes its next message, and before
the movimentos offset is committed; a restarted notifier loads the log and sends only what it
cannot prove was sent, with the same Message-ID. So at a SIGKILL at most one message per sending
worker (accepted by the relay, outcome not yet acknowledged) can go out twice.
"""

from __future__ import annotations

__all__ = ["Desfecho", "Enviadas"]

import logging
import threading
from collections import defaultdict
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from protocolo.avro import catalogo_padrao
from protocolo.kafka import make_producer
from protocolo.produce import produce_and_wait
from protocolo.settings import KafkaSettings
from protocolo.topico_compactado import ler_tabela

logger = logging.getLogger(__name__)


class Desfecho(StrEnum):
    """What the relay said about one message."""

    ENVIADA = "ENVIADA"
    RECUSADA = "RECUSADA"


def _decodificar(valor: bytes) -> dict[str, Any]:
    return catalogo_padrao().decode("notificacao", valor)


class Enviadas:
    """What was sent (Message-IDs) and the permanent refusals per subscription, kept on the topic."""

    def __init__(self, settings: KafkaSettings, topico: str | None = None) -> None:
        self.settings = settings
        self.topico = topico or settings.topics.enviadas
        self.enviados: set[str] = set()
        self._recusas: dict[str, list[datetime]] = defaultdict(list)
        self._trava = threading.Lock()
        self._producer = make_producer(settings, **{"linger.ms": 0})
        # One thread serves the delivery callbacks; each worker waits on its own message's event.
        self._parar = threading.Event()
        self._poller = threading.Thread(target=self._servir, name="enviadas-poll", daemon=True)
        self._poller.start()

    def _servir(self) -> None:
        while not self._parar.is_set():
            self._producer.poll(0.1)

    def carregar(self, timeout_s: float = 60.0) -> int:
        """Read the whole log (at startup); returns how many outcomes it holds."""
        tabela = ler_tabela(self.settings, self.topico, _decodificar, timeout_s=timeout_s)
        for mid, registro in tabela.items():
            self.enviados.add(mid)
            if registro["resultado"] == Desfecho.RECUSADA:
                self._recusas[registro["chave_inscricao"]].append(registro["registrada_em"])
        return len(tabela)

    def registrar(self, message_id: str, chave: str, desfecho: Desfecho, timeout_s: float = 30.0) -> None:
        """Write one outcome and wait for the broker's acknowledgement (NotAcknowledged otherwise)."""
        agora = datetime.now(UTC)
        valor = catalogo_padrao().encode(
            "notificacao",
            {
                "message_id": message_id,
                "chave_inscricao": chave,
                "resultado": desfecho.value,
                "registrada_em": agora,
            },
        )
        # The poller thread serves the delivery report; this worker waits for its own message only.
        produce_and_wait(
            self._producer,
            self.topico,
            [(message_id.encode(), valor)],
            timeout_s=timeout_s,
            polled_elsewhere=True,
            what="registros de envio",
        )
        with self._trava:
            self.enviados.add(message_id)
            if desfecho is Desfecho.RECUSADA:
                self._recusas[chave].append(agora)

    def recusas(self, chave: str, desde: datetime | None) -> int:
        """Permanent refusals of a subscription since `desde` (its confirmation), or ever."""
        with self._trava:
            return sum(1 for quando in self._recusas.get(chave, ()) if desde is None or quando >= desde)

    def fechar(self) -> None:
        """Stop serving callbacks and flush what is queued (everything registered was acknowledged)."""
        self._parar.set()
        self._poller.join(5)
        self._producer.flush(5)
