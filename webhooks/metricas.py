"""Prometheus metrics of the webhooks deliverer (served on settings.webhooks.metrics_port).

No label carries a URL, a webhook id or an integrator: counts by outcome only.
"""

from __future__ import annotations

__all__ = ["Metricas"]

from prometheus_client import CollectorRegistry, Counter


class Metricas:
    """The deliverer's counters, in a registry of its own."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.tentativas = Counter(
            "protocolo_webhooks_tentativas",
            "Delivery attempts, by outcome (entregue: the endpoint answered 2xx; falha: anything else).",
            ["resultado"],
            registry=r,
        )
        self.desativados = Counter(
            "protocolo_webhooks_desativados",
            "Endpoints disabled after too many consecutive failures.",
            registry=r,
        )
