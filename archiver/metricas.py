"""Prometheus metrics of the archiver (served on settings.arquivo.metrics_port): the archive's progress.

Labels stay bounded: topic and partition for the lag, nothing else.
"""

from __future__ import annotations

__all__ = ["Metricas"]

from prometheus_client import CollectorRegistry, Counter, Gauge


class Metricas:
    """The archiver's counters and gauges, in a registry of its own (tests build as many as they like)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.eventos = Counter(
            "protocolo_archiver_eventos", "Raw events appended (and fsynced) by this process.", registry=r
        )
        self.tamanho = Gauge(
            "protocolo_archiver_tamanho", "Events in the archive, since its first.", registry=r
        )
        self.assinados = Gauge(
            "protocolo_archiver_checkpoint_eventos",
            "Events covered by the latest signed checkpoint (what a verifier can prove).",
            registry=r,
        )
        self.checkpoints = Counter(
            "protocolo_archiver_checkpoints", "Signed checkpoints written by this process.", registry=r
        )
        self.atraso = Gauge(
            "protocolo_archiver_atraso_consumidor",
            "Consumer lag: raw events between the last one archived and the partition's end.",
            ["topic", "partition"],
            registry=r,
        )
