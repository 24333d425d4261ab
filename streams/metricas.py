"""Prometheus metrics of one streams worker (served on settings.streams.metrics_port).

Labels stay bounded: órgão codes (a few hundred), DLQ reason codes (a handful), topic and partition.
"""

from __future__ import annotations

__all__ = ["Metricas"]

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server


class Metricas:
    """The worker's counters, in a registry of its own (tests build as many as they like)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.mensagens = Counter(
            "protocolo_streams_mensagens",
            "Messages read: folded, resent, conflicting, re-keyed or sent to the DLQ.",
            registry=r,
        )
        self.eventos = Counter(
            "protocolo_streams_eventos", "Valid events read, by órgão.", ["orgao"], registry=r
        )
        self.novos = Counter("protocolo_streams_novos", "Events folded into their processo.", registry=r)
        self.duplicados = Counter(
            "protocolo_streams_duplicados", "Exact resends of an event already folded.", registry=r
        )
        self.conflitos = Counter(
            "protocolo_streams_conflitos", "Resends with the same identity and other content.", registry=r
        )
        self.dlq = Counter(
            "protocolo_streams_dlq",
            "Messages sent to the dead-letter topic, by reason.",
            ["motivo"],
            registry=r,
        )
        self.redirecionados = Counter(
            "protocolo_streams_redirecionados",
            "Events read from a partition other than their NUP's, sent on to the right one.",
            registry=r,
        )
        self.desconhecidos = Counter(
            "protocolo_streams_codigos_desconhecidos",
            "Órgão or unidade codes missing from the reference data (first sighting per worker).",
            registry=r,
        )
        self.latencia = Histogram(
            "protocolo_streams_latencia_segundos",
            "From the event's append to the raw topic to its outputs being handed to the producer.",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
            registry=r,
        )
        self.atraso = Gauge(
            "protocolo_streams_atraso_consumidor",
            "Consumer lag: messages between the last one processed and the partition's end.",
            ["topic", "partition"],
            registry=r,
        )

    def servir(self, porta: int) -> None:
        """Serve /metrics on `porta` (0: do nothing)."""
        if porta:
            start_http_server(porta, registry=self.registry)
