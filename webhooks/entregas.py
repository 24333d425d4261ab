"""The outbox: each delivery of a movimento to a webhook, PENDENTE until accepted or given up.

A delivery is written PENDENTE, with its body, before the movimentos offset is committed; once the
endpoint accepted it (ENTREGUE) or it was given up (DESCARTADA) its record says so, without the
body. A restarted deliverer reads the outbox whole, sends again every delivery still PENDENTE, with
the same webhook-id, and plans no delivery twice when the movimentos are read again.
"""

from __future__ import annotations

__all__ = ["Entrega", "EstadoEntrega", "carregar_entregas", "mensagem_entrega"]

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from protocolo.avro import catalogo_padrao
from protocolo.settings import KafkaSettings
from protocolo.topico_compactado import ler_tabela


class EstadoEntrega(StrEnum):
    """Where a delivery stands."""

    PENDENTE = "PENDENTE"
    ENTREGUE = "ENTREGUE"
    DESCARTADA = "DESCARTADA"


@dataclass
class Entrega:
    """One delivery: its webhook-id, the webhook, the exact body, its attempts, and its planning order."""

    id: str
    webhook_id: str
    corpo: bytes
    tentativas: int = 0
    ordem: int = 0


def mensagem_entrega(entrega: Entrega, estado: EstadoEntrega) -> tuple[bytes, bytes]:
    """The outbox record of `entrega` in `estado` (the body only while pending)."""
    registro = {
        "id": entrega.id,
        "webhook_id": entrega.webhook_id,
        "estado": estado.value,
        "corpo": entrega.corpo if estado is EstadoEntrega.PENDENTE else None,
        "tentativas": entrega.tentativas,
        "ordem": entrega.ordem,
        "registrada_em": datetime.now(UTC),
    }
    return entrega.id.encode(), catalogo_padrao().encode("webhook_entrega", registro)


def _decodificar(valor: bytes) -> dict[str, Any]:
    return catalogo_padrao().decode("webhook_entrega", valor)


def carregar_entregas(settings: KafkaSettings, *, timeout_s: float = 60.0) -> tuple[set[str], list[Entrega]]:
    """Every delivery id the outbox knows, and the deliveries still pending (oldest first)."""
    tabela = ler_tabela(settings, settings.topics.webhooks_entregas, _decodificar, timeout_s=timeout_s)
    pendentes = [
        Entrega(r["id"], r["webhook_id"], r["corpo"] or b"", r["tentativas"], r["ordem"])
        for r in sorted(tabela.values(), key=lambda r: r["ordem"])
        if r["estado"] == EstadoEntrega.PENDENTE
    ]
    return set(tabela), pendentes
