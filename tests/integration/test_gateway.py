"""The agencies' HTTP gateway against the real broker: tokens from the CLI, events on the raw topic."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from protocolo.avro import catalogo_padrao
from protocolo.kafka import make_consumer
from protocolo.settings import Settings
from protocolo.stack import LocalStack, settings_em_portas_livres
from tests.conftest import eventually, run_cli

ORGAO = "23000"


def _evento(n: int, **campos: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": f"gw-{n}",
        "orgao": ORGAO,
        "nup": "23037.001462/2021-65",
        "tipo": "PROCESSO",
        "operacao": "ENVIO",
        "ocorrido_em": f"2021-03-0{n}T10:00:00-03:00",
        "nivel_acesso": "PUBLICO",
        "unidade_origem": {"codigo": "2300001"},
        "unidade_destino": {"codigo": "2300002"},
    }
    return base | campos


def _criar_token(settings: Settings, orgao: str = ORGAO) -> str:
    resultado = run_cli(settings, "agencias", "token", "create", orgao, "--descricao", "teste")
    assert resultado.returncode == 0, resultado.stderr
    assert "não será mostrado de novo" in resultado.stderr
    return resultado.stdout.strip()


def _eventos_no_topico(settings: Settings, esperados: int) -> list[dict[str, Any]]:
    catalogo = catalogo_padrao()
    consumer = make_consumer(settings.kafka, settings.kafka.group("teste-gateway"))
    consumer.subscribe([settings.kafka.topics.eventos])
    lidos: list[dict[str, Any]] = []
    try:

        def ler() -> bool:
            mensagem = consumer.poll(0.5)
            if mensagem is not None and mensagem.error() is None:
                lidos.append(catalogo.decode("evento", mensagem.value() or b""))
            return len(lidos) >= esperados

        eventually(ler, timeout=30, interval=0, what=f"{esperados} events on the raw topic")
        extra = consumer.poll(2.0)  # nothing more may arrive
        assert extra is None or extra.error() is not None, "more events than accepted were produced"
    finally:
        consumer.close()
    return lidos


def _esperar_token(cliente: TestClient, token: str) -> dict[str, str]:
    """The token's header, once the gateway's live view of the credentials has it."""
    cabecalho = {"Authorization": f"Bearer {token}"}
    eventually(
        lambda: cliente.post("/api/v1/eventos", json=[], headers=cabecalho).status_code == 202,
        timeout=20,
        what="the gateway to know the new token",
    )
    return cabecalho


@pytest.fixture
def gateway(settings_factory: Callable[..., Settings]) -> Iterator[tuple[Settings, TestClient]]:
    settings = settings_factory()
    with TestClient(create_app(settings)) as cliente:
        yield settings, cliente


def test_an_agency_publishes_a_batch_and_gets_a_result_per_event(
    gateway: tuple[Settings, TestClient],
) -> None:
    settings, cliente = gateway
    token = _criar_token(settings)
    lote = [_evento(1), _evento(2), _evento(1), _evento(3, unidade_destino=None)]

    cabecalho = _esperar_token(cliente, token)

    resposta = cliente.post("/api/v1/eventos", json=lote, headers=cabecalho)

    assert resposta.status_code == 202, resposta.text
    corpo = resposta.json()
    assert (corpo["recebidos"], corpo["aceitos"], corpo["duplicados"], corpo["rejeitados"]) == (4, 2, 1, 1)
    assert [r["status"] for r in corpo["resultados"]] == ["aceito", "aceito", "duplicado", "rejeitado"]
    assert corpo["resultados"][3]["violacoes"] == [
        {"campo": "unidade_destino", "motivo": "obrigatório na operação ENVIO"}
    ]
    no_topico = _eventos_no_topico(settings, 2)
    assert sorted(e["id"] for e in no_topico) == ["gw-1", "gw-2"]


def test_without_a_valid_token_nothing_is_produced(gateway: tuple[Settings, TestClient]) -> None:
    settings, cliente = gateway
    token = _criar_token(settings)
    eventually(
        lambda: (
            cliente.post("/api/v1/eventos", json=[], headers={"Authorization": f"Bearer {token}"}).status_code
            == 202
        ),
        timeout=20,
        what="the token to be known",
    )
    sem = cliente.post("/api/v1/eventos", json=[_evento(1)])
    errado = cliente.post("/api/v1/eventos", json=[_evento(1)], headers={"Authorization": f"Bearer {token}x"})

    assert sem.status_code == errado.status_code == 401
    assert sem.headers["www-authenticate"] == "Bearer"
    assert "Token ausente, inválido ou revogado" in errado.json()["detail"]

    revogacao = run_cli(settings, "agencias", "token", "revoke", token.split("_")[1])
    assert revogacao.returncode == 0, revogacao.stderr
    eventually(
        lambda: (
            cliente.post(
                "/api/v1/eventos", json=[_evento(1)], headers={"Authorization": f"Bearer {token}"}
            ).status_code
            == 401
        ),
        timeout=20,
        what="the revocation to reach the gateway",
    )
    lista = run_cli(settings, "agencias", "token", "list")
    assert "1 tokens, 0 ativos" in lista.stdout and token not in lista.stdout
    _eventos_no_topico(settings, 0)


def test_events_of_another_orgao_forbid_the_whole_batch(gateway: tuple[Settings, TestClient]) -> None:
    settings, cliente = gateway
    token = _criar_token(settings)
    cabecalho = {"Authorization": f"Bearer {token}"}
    eventually(
        lambda: cliente.post("/api/v1/eventos", json=[], headers=cabecalho).status_code == 202,
        timeout=20,
        what="the token to be known",
    )

    resposta = cliente.post(
        "/api/v1/eventos", json=[_evento(1), _evento(2, orgao="25000")], headers=cabecalho
    )

    assert resposta.status_code == 403
    assert "#1 (id gw-2, órgão 25000)" in resposta.json()["detail"]
    _eventos_no_topico(settings, 0)


def test_oversized_batches_are_refused_with_413(settings_factory: Callable[..., Settings]) -> None:
    settings = settings_factory()
    settings.api.gateway_max_eventos = 3
    settings.api.gateway_max_bytes = 4096
    token = _criar_token(settings)
    cabecalho = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(settings)) as cliente:
        _esperar_token(cliente, token)
        muitos = cliente.post("/api/v1/eventos", json=[_evento(1)] * 4, headers=cabecalho)
        grande = cliente.post(
            "/api/v1/eventos", json=[_evento(1, observacao="x" * 3000)] * 2, headers=cabecalho
        )
        quebrado = cliente.post("/api/v1/eventos", content=b"[{", headers=cabecalho)

    assert muitos.status_code == 413 and "máximo é 3" in muitos.json()["detail"]
    assert grande.status_code == 413 and "4096 bytes" in grande.json()["detail"]
    assert quebrado.status_code == 400 and "JSON inválido" in quebrado.json()["detail"]


def test_when_the_broker_dies_the_gateway_answers_503_with_retry_after(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # A broker of its own, since this test kills it.
    settings = settings_em_portas_livres(tmp_path_factory.mktemp("broker-morto"), gateway_timeout_s=3)
    stack = LocalStack(settings, servicos=())
    stack.iniciar_servidores()
    try:
        token = _criar_token(settings)
        cabecalho = {"Authorization": f"Bearer {token}"}
        with TestClient(create_app(settings)) as cliente:
            eventually(
                lambda: (
                    cliente.post("/api/v1/eventos", json=[_evento(1)], headers=cabecalho).status_code == 202
                ),
                timeout=20,
                what="a first batch to go through",
            )
            broker = next(p for p in stack.processos if p.nome == "kafka")
            broker.popen.kill()
            broker.popen.wait()

            resposta = cliente.post("/api/v1/eventos", json=[_evento(2)], headers=cabecalho)

        assert resposta.status_code == 503
        assert resposta.headers["retry-after"].isdigit()
        assert "indisponível" in resposta.json()["detail"]
    finally:
        stack.parar()
