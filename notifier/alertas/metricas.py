"""Prometheus metrics of the alert sender (served on settings.alertas.metrics_port).

No label carries an address, a query or an alert key: counts by kind only, plus topic and partition
for the lag.
"""

from __future__ import annotations

__all__ = ["Metricas"]

from prometheus_client import CollectorRegistry, Counter, Gauge


class Metricas:
    """The alert sender's counters, in a registry of its own (tests build as many as they like)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.novidades = Counter(
            "protocolo_alertas_novidades",
            "Novelties written to the outbox, by kind (novo: a processo newly matches; movimento).",
            ["tipo"],
            registry=r,
        )
        self.enviados = Counter(
            "protocolo_alertas_enviados",
            "Alert e-mails the relay accepted (confirmations and digests).",
            registry=r,
        )
        self.devolvidos = Counter(
            "protocolo_alertas_devolvidos",
            "Alert e-mails the relay refused for good.",
            registry=r,
        )
        self.alertas = Gauge("protocolo_alertas_ativos", "Confirmed alerts the matcher holds.", registry=r)
        self.atraso = Gauge(
            "protocolo_alertas_atraso_consumidor",
            "Consumer lag: messages between the last one handled and the partition's end.",
            ["topic", "partition"],
            registry=r,
        )
