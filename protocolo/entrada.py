"""One consumed message as plain data, so that a service's batch plan is a pure function. Pure.

The shells turn each librdkafka message into an Entrada (protocolo.kafka.entrada_de) and hand the
plan a list of them; tests build them by hand, without a broker.
"""

from __future__ import annotations

__all__ = ["Entrada"]

from dataclasses import dataclass


@dataclass(frozen=True)
class Entrada:
    """One consumed message: where it was read, its key and its value (None = tombstone)."""

    topico: str
    particao: int
    offset: int
    chave: bytes | None
    valor: bytes | None
    carimbo: float = 0.0  # the broker's append time, seconds (0: not known)
