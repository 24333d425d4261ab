"""One endpoint's queue and its worker: deliveries in order, one at a time, retried with backoff.

Every webhook has its own worker, so a slow or dead endpoint only delays itself: the others keep
their own pace, and the movimentos keep being read and committed (what is queued is safe in the
outbox). After `falhas_max` failed attempts in a row the endpoint is disabled and what it still
had queued is given up.
"""

from __future__ import annotations

__all__ = ["Endpoint", "Portas"]

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from protocolo.webhooks import Webhook
from webhooks.entregas import Entrega, EstadoEntrega
from webhooks.http import Resultado
from webhooks.politica import deve_desativar, proxima_espera

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Portas:
    """What a worker needs from the service: the live registration, the request, and the records."""

    webhook: Callable[[str], Webhook | None]
    tentar: Callable[[Webhook, Entrega], Awaitable[Resultado]]
    concluir: Callable[[list[Entrega], EstadoEntrega], Awaitable[None]]
    desativar: Callable[[Webhook, int, str], Awaitable[None]]
    espera_inicial_s: float
    espera_max_s: float
    falhas_max: int


class Endpoint:
    """The worker of one webhook; `tarefa` ends when the endpoint is disabled or removed."""

    def __init__(self, webhook_id: str, portas: Portas) -> None:
        self.webhook_id = webhook_id
        self.portas = portas
        self.fila: asyncio.Queue[Entrega] = asyncio.Queue()
        self.falhas = 0
        self.tarefa = asyncio.create_task(self._trabalhar(), name=f"endpoint-{webhook_id}")

    def enfileirar(self, entrega: Entrega) -> None:
        """Queue one delivery behind the others of this endpoint."""
        self.fila.put_nowait(entrega)

    def parar(self) -> None:
        """Stop at once; what is queued or in flight stays PENDENTE in the outbox."""
        self.tarefa.cancel()

    def _restantes(self) -> list[Entrega]:
        restantes = []
        while not self.fila.empty():
            restantes.append(self.fila.get_nowait())
        return restantes

    async def _trabalhar(self) -> None:
        p = self.portas
        while True:
            entrega = await self.fila.get()
            while True:
                webhook = p.webhook(self.webhook_id)
                if webhook is None:  # removed by its owner: nothing more goes there
                    await p.concluir([entrega, *self._restantes()], EstadoEntrega.DESCARTADA)
                    return
                entrega.tentativas += 1
                resultado = await p.tentar(webhook, entrega)
                if resultado.ok:
                    self.falhas = 0
                    await p.concluir([entrega], EstadoEntrega.ENTREGUE)
                    break
                self.falhas += 1
                motivo = resultado.motivo or "falha"
                if deve_desativar(self.falhas, falhas_max=p.falhas_max):
                    await p.desativar(webhook, self.falhas, motivo)
                    await p.concluir([entrega, *self._restantes()], EstadoEntrega.DESCARTADA)
                    return
                espera = proxima_espera(self.falhas, inicial_s=p.espera_inicial_s, maxima_s=p.espera_max_s)
                logger.warning(
                    "delivery failed webhook=%s delivery=%s attempt=%d reason=%s wait_s=%.1f",
                    self.webhook_id,
                    entrega.id,
                    entrega.tentativas,
                    motivo,
                    espera,
                )
                await asyncio.sleep(espera)
