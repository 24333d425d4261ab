"""`python -m cli.saude`: the containers' healthcheck asks the service's /metrics (and the API's /healthz)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from cli.saude import verificar
from cli.stack import porta_livre
from protocolo.metricas import servir_metricas
from protocolo.settings import IndexerSettings, Settings


def test_healthy_when_the_metrics_port_answers() -> None:
    porta = porta_livre()
    parar = servir_metricas(CollectorRegistry(), porta)
    try:
        assert verificar(Settings(indexer=IndexerSettings(metrics_port=porta))) == []
    finally:
        parar()


def test_unhealthy_when_nothing_listens() -> None:
    porta = porta_livre()
    (falha,) = verificar(Settings(indexer=IndexerSettings(metrics_port=porta)), timeout_s=1)
    assert f"http://127.0.0.1:{porta}/metrics não respondeu" in falha


def test_a_container_without_a_metrics_port_is_never_healthy() -> None:
    (falha,) = verificar(Settings())
    assert "PROTOCOLO_*_METRICS_PORT" in falha
