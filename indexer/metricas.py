"""Prometheus metrics of one indexer (served on settings.indexer.metrics_port).

Labels stay bounded: the index family (processos, movimentos), the dead-letter code (two), topic and
partition.
"""

from __future__ import annotations

__all__ = ["Metricas"]

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metricas:
    """The indexer's counters, in a registry of its own (tests build as many as they like)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.mensagens = Counter(
            "protocolo_indexer_mensagens", "Messages read from the snapshot and movimento topics.", registry=r
        )
        self.documentos = Counter(
            "protocolo_indexer_documentos",
            "Documents the search server acknowledged, by index family.",
            ["indice"],
            registry=r,
        )
        self.rejeitados = Counter(
            "protocolo_indexer_rejeitados",
            "Documents the search server refused for good (sent to the indexer's DLQ), by index family.",
            ["indice"],
            registry=r,
        )
        self.dlq = Counter(
            "protocolo_indexer_dlq",
            "Dead letters produced to the indexer's DLQ, by reason.",
            ["motivo"],
            registry=r,
        )
        self.retentativas = Counter(
            "protocolo_indexer_retentativas",
            "Waits before trying the search server again (unreachable, busy, or an index missing).",
            registry=r,
        )
        self.lote = Histogram(
            "protocolo_indexer_lote_segundos",
            "From a batch polled to its offsets committed: writes, retries and dead letters included.",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
            registry=r,
        )
        self.atraso = Gauge(
            "protocolo_indexer_atraso_consumidor",
            "Consumer lag: messages between the last one indexed and the partition's end.",
            ["topic", "partition"],
            registry=r,
        )

    def familia(self, indice: str, *, alias_processos: str) -> str:
        """The bounded label of an index name: `processos` or `movimentos`."""
        return "processos" if indice == alias_processos else "movimentos"
