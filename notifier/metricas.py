"""Prometheus metrics of one notifier (served on settings.notifier.metrics_port).

No label carries an address or a subscription key: counts only, plus topic and partition for the lag.
"""

from __future__ import annotations

__all__ = ["Metricas"]

from prometheus_client import CollectorRegistry, Counter, Gauge


class Metricas:
    """The notifier's counters, in a registry of its own (tests build as many as they like)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.enviados = Counter(
            "protocolo_notifier_enviados",
            "E-mails the relay accepted (movimentos and confirmations).",
            registry=r,
        )
        self.devolvidos = Counter(
            "protocolo_notifier_devolvidos",
            "E-mails the relay refused for good (a bounce: counted towards devolucoes_max).",
            registry=r,
        )
        self.retentativas = Counter(
            "protocolo_notifier_retentativas",
            "Temporary SMTP failures, each followed by a retry after a backoff.",
            registry=r,
        )
        self.devolvendo = Counter(
            "protocolo_notifier_inscricoes_devolvendo",
            "Subscriptions marked bouncing (no more e-mails) after too many refusals.",
            registry=r,
        )
        self.fila = Gauge(
            "protocolo_notifier_fila",
            "E-mails of the batch at hand not yet accepted or refused (retries waiting included).",
            registry=r,
        )
        self.inscricoes = Gauge(
            "protocolo_notifier_inscricoes", "Subscriptions this notifier knows (every state).", registry=r
        )
        self.atraso = Gauge(
            "protocolo_notifier_atraso_consumidor",
            "Consumer lag: messages between the last one handled and the partition's end.",
            ["topic", "partition"],
            registry=r,
        )
