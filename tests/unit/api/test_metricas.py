"""The API's request metrics: route templates as labels (never raw paths), status codes, latency."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from prometheus_client import generate_latest

from api.metricas import MedirRequisicoes, Metricas


def _app(metricas: Metricas) -> FastAPI:
    app = FastAPI()
    app.add_middleware(MedirRequisicoes, metricas=metricas)

    @app.get("/processos/{nup}")
    async def read_processo(nup: str) -> dict[str, str]:
        if nup == "ausente":
            raise HTTPException(404)
        return {"nup": nup}

    @app.get("/quebra")
    async def read_quebra() -> None:
        raise RuntimeError("boom")

    return app


def _amostra(metricas: Metricas, nome: str, **labels: str) -> float:
    return metricas.registry.get_sample_value(nome, labels) or 0.0


def test_requests_are_counted_by_route_template_not_by_path() -> None:
    metricas = Metricas()
    with TestClient(_app(metricas)) as cliente:
        for nup in ("1", "2", "3", "ausente"):
            cliente.get(f"/processos/{nup}")
    contar = "protocolo_api_requisicoes_total"
    assert _amostra(metricas, contar, metodo="GET", rota="/processos/{nup}", status="200") == 3
    assert _amostra(metricas, contar, metodo="GET", rota="/processos/{nup}", status="404") == 1
    assert b"/processos/1" not in generate_latest(metricas.registry)


def test_unmatched_paths_share_one_label() -> None:
    metricas = Metricas()
    with TestClient(_app(metricas)) as cliente:
        for caminho in ("/wp-admin", "/.env", "/x/y/z"):
            assert cliente.get(caminho).status_code == 404
    assert (
        _amostra(metricas, "protocolo_api_requisicoes_total", metodo="GET", rota="outra", status="404") == 3
    )


def test_an_unhandled_error_counts_as_a_500() -> None:
    metricas = Metricas()
    with TestClient(_app(metricas), raise_server_exceptions=False) as cliente:
        assert cliente.get("/quebra").status_code == 500
    assert (
        _amostra(metricas, "protocolo_api_requisicoes_total", metodo="GET", rota="/quebra", status="500") == 1
    )


def test_latency_is_observed_per_route() -> None:
    metricas = Metricas()
    with TestClient(_app(metricas)) as cliente:
        cliente.get("/processos/1")
        cliente.get("/processos/2")
    contagem = _amostra(
        metricas, "protocolo_api_latencia_segundos_count", metodo="GET", rota="/processos/{nup}"
    )
    assert contagem == 2
    soma = _amostra(metricas, "protocolo_api_latencia_segundos_sum", metodo="GET", rota="/processos/{nup}")
    assert soma > 0
