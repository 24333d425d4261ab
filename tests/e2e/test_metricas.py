"""Every service's /metrics, scraped live from real processes after real work, and the dashboard's queries.

streams, indexer, notifier, archiver and API run as real processes (the local stack's way) on the
session's broker, search server and SMTP sink, each with its metrics on a free port. An agency publishes
through the gateway, a corrupt message reaches the raw topic, a citizen searches and subscribes; then each
service's counters must show it, and every metric the Grafana dashboard queries must be exported by one
of them.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from cli.stack import SERVICOS, LocalStack, porta_livre
from protocolo.settings import Settings
from tests.fixtures.cli import run_cli
from tests.fixtures.espera import eventually
from tests.fixtures.implantacao import dashboards, exprs, metricas_consultadas
from tests.fixtures.kafka import produzir
from tests.fixtures.pipeline import CGGP, PROTOCOLO, buscar_processo, evento, novo_nup

pytestmark = pytest.mark.slow

ORGAO = "26000"  # the órgão of tests.fixtures.pipeline.evento


@dataclass
class Observado:
    """The running stack, its metrics ports by service, and what was done to it."""

    settings: Settings
    portas: dict[str, int]
    api: httpx.Client
    nup: str


def _amostras(porta: int) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """A live scrape: (sample name, labels) -> value."""
    with urllib.request.urlopen(f"http://127.0.0.1:{porta}/metrics", timeout=5) as resposta:
        texto = resposta.read().decode()
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for familia in text_string_to_metric_families(texto)
        for s in familia.samples
    }


def _exportadas(porta: int) -> set[str]:
    """Every sample name a service exports, with or without a sample yet (a labelled family still empty)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{porta}/metrics", timeout=5) as resposta:
        texto = resposta.read().decode()
    nomes: set[str] = set()
    for familia in text_string_to_metric_families(texto):
        nomes |= {s.name for s in familia.samples}
        sufixos = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}
        nomes |= {familia.name + sufixo for sufixo in sufixos.get(familia.type, ("",))}
    return nomes


def _valor(porta: int, nome: str, **rotulos: str) -> float:
    return _amostras(porta).get((nome, frozenset(rotulos.items())), 0.0)


@pytest.fixture(scope="module")
def observado(settings_factory: Callable[..., Settings]) -> Iterator[Observado]:
    settings = settings_factory()
    settings.arquivo.checkpoint_s = 1.0
    portas = {servico: porta_livre() for servico in SERVICOS}
    settings.streams.metrics_port = portas["streams"]
    settings.indexer.metrics_port = portas["indexer"]
    settings.notifier.metrics_port = portas["notifier"]
    settings.arquivo.metrics_port = portas["archiver"]
    settings.api.metrics_port = portas["api"]
    settings.webhooks.metrics_port = portas["webhooks"]
    settings.alertas.metrics_port = portas["notifier.alertas"]
    criado = run_cli(settings, "agencias", "token", "create", ORGAO, "--descricao", "métricas")
    assert criado.returncode == 0, criado.stderr
    token = criado.stdout.strip()
    stack = LocalStack(settings, servicos=SERVICOS)
    stack.iniciar_servicos()
    nup = novo_nup()
    lote = [
        evento(
            nup, 1, "AUTUACAO", unidade_origem=PROTOCOLO, assunto="Reforma da copa", especie="Requerimento"
        ),
        evento(nup, 2, "ENVIO", unidade_origem=PROTOCOLO, unidade_destino=CGGP),
        evento(nup, 3, "ENVIO", unidade_origem=PROTOCOLO),  # no destination: rejected by the gateway
    ]
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{settings.api.port}", timeout=10) as api:

            def publicar() -> httpx.Response | None:
                resposta = api.post(
                    "/api/v1/eventos", json=lote, headers={"Authorization": f"Bearer {token}"}
                )
                return resposta if resposta.status_code == 202 else None

            resultado = eventually(publicar, what="the gateway to accept the batch").json()
            assert (resultado["aceitos"], resultado["rejeitados"]) == (2, 1), resultado
            produzir(settings.kafka, settings.kafka.topics.eventos, [(b"lixo", b"not avro at all")])
            eventually(
                lambda: buscar_processo(api, nup, movimentos=2), timeout=90, what="the processo indexed"
            )
            assert api.get("/api/v1/processos", params={"q": "copa"}).status_code == 200
            pedido = api.post(
                "/api/v1/inscricoes", json={"nup": nup.formatado, "email": "metricas@example.org"}
            )
            assert pedido.status_code in (200, 202), pedido.text
            alerta = api.post(
                "/api/v1/alertas",
                json={"email": "metricas@example.org", "q": "copa", "frequencia": "imediato"},
            )
            assert alerta.status_code == 202, alerta.text
            yield Observado(settings, portas, api, nup.formatado)
    finally:
        stack.parar()
    for log in (settings.state_dir / "logs").glob("*.log"):
        texto = log.read_text(errors="replace")
        assert "Traceback" not in texto, f"{log.name} logged a crash:\n{texto[-3000:]}"


def test_api_metrics_count_requests_by_route_template_and_gateway_results(observado: Observado) -> None:
    porta = observado.portas["api"]
    assert _valor(porta, "protocolo_api_gateway_eventos_total", resultado="aceito") == 2
    assert _valor(porta, "protocolo_api_gateway_eventos_total", resultado="rejeitado") == 1
    publicado = _valor(
        porta, "protocolo_api_requisicoes_total", metodo="POST", rota="/api/v1/eventos", status="202"
    )
    assert publicado == 1
    buscas = _valor(porta, "protocolo_api_latencia_segundos_count", metodo="GET", rota="/api/v1/processos")
    assert buscas >= 1
    rotulos = {dict(r).get("rota") for _, r in _amostras(porta)}
    assert "/api/v1/processos/{nup:path}" in rotulos
    assert not [r for r in rotulos if r and observado.nup in r], "a raw path became a label"


def test_indexer_metrics_count_the_documents_written_and_the_lag_reaches_zero(observado: Observado) -> None:
    porta = observado.portas["indexer"]
    assert _valor(porta, "protocolo_indexer_documentos_total", indice="processos") >= 1
    assert _valor(porta, "protocolo_indexer_documentos_total", indice="movimentos") >= 2
    assert _valor(porta, "protocolo_indexer_lote_segundos_count") >= 1

    def sem_atraso() -> bool:
        atrasos = [v for (n, _), v in _amostras(porta).items() if n == "protocolo_indexer_atraso_consumidor"]
        return bool(atrasos) and max(atrasos) == 0

    eventually(sem_atraso, what="the indexer's lag gauges at zero")


def test_notifier_metrics_count_the_confirmation_sent(observado: Observado) -> None:
    porta = observado.portas["notifier"]
    eventually(
        lambda: _valor(porta, "protocolo_notifier_enviados_total") >= 1,
        what="the confirmation e-mail counted",
    )
    assert _valor(porta, "protocolo_notifier_inscricoes") >= 1
    assert _valor(porta, "protocolo_notifier_devolvidos_total") == 0
    assert _valor(porta, "protocolo_notifier_fila") == 0


def test_alert_sender_metrics_count_the_confirmation_sent(observado: Observado) -> None:
    porta = observado.portas["notifier.alertas"]
    eventually(
        lambda: _valor(porta, "protocolo_alertas_enviados_total") >= 1,
        what="the alert's confirmation e-mail counted",
    )
    assert _valor(porta, "protocolo_alertas_devolvidos_total") == 0
    assert _valor(porta, "protocolo_alertas_ativos") == 0  # not confirmed yet


def test_archiver_metrics_show_the_archive_and_its_signed_checkpoint(observado: Observado) -> None:
    porta = observado.portas["archiver"]
    # Two events from the gateway and the corrupt message: the archive keeps every message as it came.
    eventually(lambda: _valor(porta, "protocolo_archiver_tamanho") >= 3, what="the events archived")
    assert _valor(porta, "protocolo_archiver_eventos_total") >= 3
    eventually(
        lambda: (
            _valor(porta, "protocolo_archiver_checkpoint_eventos")
            == _valor(porta, "protocolo_archiver_tamanho")
        ),
        what="a checkpoint covering the whole archive",
    )


def test_streams_count_the_corrupt_message_as_a_dead_letter(observado: Observado) -> None:
    porta = observado.portas["streams"]
    eventually(
        lambda: _valor(porta, "protocolo_streams_dlq_total", motivo="MENSAGEM_CORROMPIDA") == 1,
        what="the corrupt message in the DLQ",
    )


def test_every_metric_the_dashboard_queries_is_exported_by_a_service(observado: Observado) -> None:
    exportadas = set().union(*(_exportadas(porta) for porta in observado.portas.values()))
    (dashboard,) = dashboards().values()
    consultadas = set().union(*(metricas_consultadas(e) for e in exprs(dashboard))) - {
        "up"
    }  # Prometheus' own
    assert len(consultadas) >= 20
    assert not consultadas - exportadas, f"queried but exported by no service: {consultadas - exportadas}"
