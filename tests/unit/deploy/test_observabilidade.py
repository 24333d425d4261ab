"""Prometheus and Grafana as checked in: every service scraped, the dashboard well formed and provisioned.

The dashboard's metric names are checked against live /metrics scrapes of real processes in
tests/e2e/test_metricas.py; here, the files themselves.
"""

from __future__ import annotations

from typing import Any

import yaml

from tests.fixtures.implantacao import (
    PROMETHEUS,
    PROVISIONAMENTO,
    dashboards,
    exprs,
    metricas_consultadas,
)

SERVICOS = {
    "streams": "PROTOCOLO_STREAMS_METRICS_PORT",
    "indexer": "PROTOCOLO_INDEXER_METRICS_PORT",
    "notifier": "PROTOCOLO_NOTIFIER_METRICS_PORT",
    "archiver": "PROTOCOLO_ARQUIVO_METRICS_PORT",
    "api": "PROTOCOLO_API_METRICS_PORT",
    "webhooks": "PROTOCOLO_WEBHOOKS_METRICS_PORT",
    "alertas": "PROTOCOLO_ALERTAS_METRICS_PORT",
}


def _prometheus() -> dict[str, Any]:
    dados: dict[str, Any] = yaml.safe_load(PROMETHEUS.read_text(encoding="utf-8"))
    return dados


def _alvos(job: dict[str, Any]) -> list[tuple[str, int]]:
    alvos = []
    for sd in job.get("dns_sd_configs", []):
        assert sd["type"] == "A"
        alvos += [(nome, int(sd["port"])) for nome in sd["names"]]
    for estatico in job.get("static_configs", []):
        for alvo in estatico["targets"]:
            host, porta = alvo.rsplit(":", 1)
            alvos.append((host, int(porta)))
    return alvos


def test_prometheus_scrapes_every_service_on_its_metrics_port(compose: dict[str, Any]) -> None:
    config = _prometheus()
    assert set(config) <= {"global", "scrape_configs", "rule_files", "alerting"}
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert len(jobs) == len(config["scrape_configs"]), "job names must be unique"
    for servico, variavel in SERVICOS.items():
        assert servico in jobs, f"nobody scrapes {servico}"
        porta = int(compose["services"][servico]["environment"][variavel])
        assert _alvos(jobs[servico]) == [(servico, porta)], servico
    for job in jobs.values():
        for host, _porta in _alvos(job):
            assert host == "localhost" or host in compose["services"], f"{job['job_name']}: {host}"


def test_the_dashboard_is_well_formed() -> None:
    (dashboard,) = dashboards().values()
    assert dashboard["uid"] and dashboard["title"] and dashboard["schemaVersion"] >= 36
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    for painel in dashboard["panels"]:
        posicao = painel["gridPos"]
        assert {"h", "w", "x", "y"} <= set(posicao) and posicao["x"] + posicao["w"] <= 24, painel["title"]
        assert painel["targets"], painel["title"]
        referencias = [alvo["refId"] for alvo in painel["targets"]]
        assert len(referencias) == len(set(referencias)), painel["title"]
        assert all(alvo["expr"].strip() for alvo in painel["targets"]), painel["title"]
        assert painel["title"] and painel["description"]


def test_the_dashboard_uses_the_provisioned_datasource(compose: dict[str, Any]) -> None:
    fontes = yaml.safe_load((PROVISIONAMENTO / "datasources" / "prometheus.yml").read_text(encoding="utf-8"))
    (fonte,) = fontes["datasources"]
    assert fonte["type"] == "prometheus" and fonte["url"] == "http://prometheus:9090"
    (dashboard,) = dashboards().values()
    for painel in dashboard["panels"]:
        for ds in [painel["datasource"]] + [alvo["datasource"] for alvo in painel["targets"]]:
            assert ds == {"type": "prometheus", "uid": fonte["uid"]}, painel["title"]
    provedores = yaml.safe_load(
        (PROVISIONAMENTO / "dashboards" / "protocolo.yml").read_text(encoding="utf-8")
    )
    (provedor,) = provedores["providers"]
    montagens = compose["services"]["grafana"]["volumes"]
    assert f"./deploy/grafana/dashboards:{provedor['options']['path']}:ro" in montagens


def test_the_dashboard_covers_what_operators_watch() -> None:
    (dashboard,) = dashboards().values()
    consultadas = set().union(*(metricas_consultadas(e) for e in exprs(dashboard)))
    for necessaria in (
        "protocolo_streams_mensagens_total",  # throughput
        "protocolo_streams_atraso_consumidor",  # lag per group
        "protocolo_indexer_atraso_consumidor",
        "protocolo_notifier_atraso_consumidor",
        "protocolo_archiver_atraso_consumidor",
        "protocolo_streams_dlq_total",  # DLQ by reason
        "protocolo_indexer_dlq_total",
        "protocolo_notifier_enviados_total",  # e-mails sent and bounced
        "protocolo_notifier_devolvidos_total",
        "protocolo_api_latencia_segundos_bucket",  # search latency
        "protocolo_archiver_tamanho",  # the archive's progress
    ):
        assert necessaria in consultadas, necessaria


def test_metric_names_are_read_out_of_promql() -> None:
    expr = (
        "histogram_quantile(0.95, sum by (le, rota) "
        '(rate(protocolo_api_latencia_segundos_bucket{rota=~"/x"}[5m])))'
    )
    assert metricas_consultadas(expr) == {"protocolo_api_latencia_segundos_bucket"}
    assert metricas_consultadas("sum by (job) (up)") == {"up"}
