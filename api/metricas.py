"""Prometheus metrics of one API process (served on settings.api.metrics_port, never the portal's port).

Labels stay bounded: the route template (`/api/v1/processos/{nup}`, never the NUP itself; `outra` when no
route matched), the method, the status code, and the gateway's three results.
"""

from __future__ import annotations

__all__ = ["Metricas", "MedirRequisicoes"]

import time

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A path no route matched (a scanner's probe, a typo): one label value for all of them.
ROTA_DESCONHECIDA = "outra"


class Metricas:
    """The API's counters, in a registry of its own (tests build as many as they like)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.requisicoes = Counter(
            "protocolo_api_requisicoes",
            "HTTP requests answered, by method, route template and status code.",
            ["metodo", "rota", "status"],
            registry=r,
        )
        self.latencia = Histogram(
            "protocolo_api_latencia_segundos",
            "From a request received to its response started, by method and route template.",
            ["metodo", "rota"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=r,
        )
        self.gateway = Counter(
            "protocolo_api_gateway_eventos",
            "Events of the agencies' gateway batches, by result: aceito, duplicado or rejeitado.",
            ["resultado"],
            registry=r,
        )


def rota_de(scope: Scope) -> str:
    """The template of the route that handled a request (set by the router), or `outra`."""
    rota = scope.get("route")
    caminho = getattr(rota, "path", None)
    return caminho if isinstance(caminho, str) and caminho else ROTA_DESCONHECIDA


class MedirRequisicoes:
    """ASGI middleware: counts and times every HTTP request by its route template."""

    def __init__(self, app: ASGIApp, metricas: Metricas) -> None:
        self.app = app
        self.metricas = metricas

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        inicio = time.perf_counter()
        status = 500  # an exception before any response is a server error

        async def _send(mensagem: Message) -> None:
            nonlocal status
            if mensagem["type"] == "http.response.start":
                status = int(mensagem["status"])
                self.metricas.latencia.labels(scope["method"], rota_de(scope)).observe(
                    time.perf_counter() - inicio
                )
            await send(mensagem)

        try:
            await self.app(scope, receive, _send)
        finally:
            self.metricas.requisicoes.labels(scope["method"], rota_de(scope), str(status)).inc()
