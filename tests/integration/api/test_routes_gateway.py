"""The agencies' HTTP gateway against the real broker: tokens from the CLI, events on the raw topic."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from cli.stack import LocalStack, settings_em_portas_livres
from protocolo.avro import catalogo_padrao
from protocolo.kafka import make_consumer
from protocolo.settings import Settings
from tests.fixtures.cli import run_cli
from tests.fixtures.espera import eventually

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


def _eventos_no_topico(settings: Settings, esperados: int, *, exatos: bool = True) -> list[dict[str, Any]]:
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
        if extra is not None and extra.error() is None:
            assert not exatos, "more events than accepted were produced"
            lidos.append(catalogo.decode("evento", extra.value() or b""))
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


@contextmanager
def _gateway_com_broker_proprio(
    tmp_path_factory: pytest.TempPathFactory, nome: str, gateway_timeout_s: float
) -> Iterator[tuple[Settings, LocalStack, TestClient, dict[str, str]]]:
    """A broker of the test's own (it kills or freezes it) and an API whose first batch went through."""
    settings = settings_em_portas_livres(tmp_path_factory.mktemp(nome), gateway_timeout_s=gateway_timeout_s)
    stack = LocalStack(settings, servicos=())
    stack.iniciar_servidores()
    try:
        cabecalho = {"Authorization": f"Bearer {_criar_token(settings)}"}
        with TestClient(create_app(settings)) as cliente:
            eventually(
                lambda: (
                    cliente.post("/api/v1/eventos", json=[_evento(1)], headers=cabecalho).status_code == 202
                ),
                timeout=20,
                what="a first batch to go through",
            )
            yield settings, stack, cliente, cabecalho
    finally:
        stack.parar()


def test_when_the_broker_dies_the_gateway_answers_503_with_retry_after(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with _gateway_com_broker_proprio(tmp_path_factory, "broker-morto", 3) as (_, stack, cliente, cabecalho):
        broker = stack.process("kafka")
        broker.kill()
        broker.wait()

        resposta = cliente.post("/api/v1/eventos", json=[_evento(2)], headers=cabecalho)
        # Nothing of a 503 batch is remembered: resent, it is produced again (and fails again here);
        # what the broker acknowledged before is still answered, without the broker.
        reenvio = cliente.post("/api/v1/eventos", json=[_evento(1), _evento(2)], headers=cabecalho)
        ja_publicado = cliente.post("/api/v1/eventos", json=[_evento(1)], headers=cabecalho)

    assert resposta.status_code == 503
    assert resposta.headers["retry-after"].isdigit()
    assert "indisponível" in resposta.json()["detail"]
    assert reenvio.status_code == 503, reenvio.text
    assert ja_publicado.status_code == 202, ja_publicado.text
    assert _resumo(ja_publicado) == (1, 0, 1, 0)


def _resumo(resposta: Any) -> tuple[int, int, int, int]:
    corpo = resposta.json()
    return corpo["recebidos"], corpo["aceitos"], corpo["duplicados"], corpo["rejeitados"]


def test_a_resent_batch_is_answered_duplicate_and_produced_once(gateway: tuple[Settings, TestClient]) -> None:
    settings, cliente = gateway
    cabecalho = _esperar_token(cliente, _criar_token(settings))
    lote = [_evento(1), _evento(2), _evento(3)]

    primeira = cliente.post("/api/v1/eventos", json=lote, headers=cabecalho)
    reenvio = cliente.post("/api/v1/eventos", json=lote, headers=cabecalho)
    # The same instants written in UTC: the topic carries instants, so these are the same events.
    em_utc = [_evento(n, ocorrido_em=f"2021-03-0{n}T13:00:00Z") for n in (1, 2, 3)]
    outra_grafia = cliente.post("/api/v1/eventos", json={"eventos": em_utc}, headers=cabecalho)

    assert primeira.status_code == reenvio.status_code == outra_grafia.status_code == 202, reenvio.text
    assert _resumo(primeira) == (3, 3, 0, 0)
    assert _resumo(reenvio) == _resumo(outra_grafia) == (3, 0, 3, 0)
    assert [r["status"] for r in reenvio.json()["resultados"]] == ["duplicado"] * 3
    assert sorted(e["id"] for e in _eventos_no_topico(settings, 3)) == ["gw-1", "gw-2", "gw-3"]


def test_an_id_already_published_with_other_content_is_rejected(gateway: tuple[Settings, TestClient]) -> None:
    settings, cliente = gateway
    cabecalho = _esperar_token(cliente, _criar_token(settings))
    assert cliente.post("/api/v1/eventos", json=[_evento(1)], headers=cabecalho).status_code == 202

    resposta = cliente.post(
        "/api/v1/eventos", json=[_evento(1, observacao="corrigido"), _evento(2)], headers=cabecalho
    )

    assert resposta.status_code == 202, resposta.text
    assert _resumo(resposta) == (2, 1, 0, 1)
    rejeitado = resposta.json()["resultados"][0]
    assert rejeitado["status"] == "rejeitado"
    assert [v["campo"] for v in rejeitado["violacoes"]] == ["id"]
    assert rejeitado["violacoes"][0]["motivo"].startswith("já publicado com conteúdo diferente; ")
    no_topico = _eventos_no_topico(settings, 2)
    assert sorted((e["id"], e["observacao"]) for e in no_topico) == [("gw-1", None), ("gw-2", None)]


def test_two_concurrent_identical_batches_produce_each_event_once(
    gateway: tuple[Settings, TestClient],
) -> None:
    settings, cliente = gateway
    cabecalho = _esperar_token(cliente, _criar_token(settings))
    lote = [_evento(n, ocorrido_em="2021-03-01T10:00:00-03:00") for n in range(200)]
    largada = threading.Barrier(2)

    def publicar(_: int) -> Any:
        largada.wait()
        return cliente.post("/api/v1/eventos", json=lote, headers=cabecalho)

    with ThreadPoolExecutor(2) as executor:
        respostas = list(executor.map(publicar, range(2)))

    assert [r.status_code for r in respostas] == [202, 202], [r.text for r in respostas]
    assert sorted(_resumo(r) for r in respostas) == [(200, 0, 200, 0), (200, 200, 0, 0)]
    assert len({e["id"] for e in _eventos_no_topico(settings, 200)}) == 200


def test_a_batch_answered_503_is_published_when_resent_after_the_broker_is_back(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with _gateway_com_broker_proprio(tmp_path_factory, "broker-parado", 2) as (
        settings,
        stack,
        cliente,
        cabecalho,
    ):
        broker = stack.process("kafka")
        broker.send_signal(signal.SIGSTOP)
        try:
            parado = cliente.post("/api/v1/eventos", json=[_evento(2)], headers=cabecalho)
        finally:
            broker.send_signal(signal.SIGCONT)
        # The producer may need a moment after the broker wakes up; until then the answer is 503.
        reenvio = eventually(
            lambda: _aceita(
                cliente.post("/api/v1/eventos", json=[_evento(1), _evento(2)], headers=cabecalho)
            ),
            timeout=15,
            what="the resent batch to be acknowledged",
        )
        # The frozen broker may still have written the first attempt: at least once, as the streams expect.
        no_topico = {e["id"] for e in _eventos_no_topico(settings, 2, exatos=False)}

    assert parado.status_code == 503, parado.text
    assert [r["status"] for r in reenvio.json()["resultados"]] == ["duplicado", "aceito"]
    assert "gw-2" in no_topico


def _aceita(resposta: Any) -> Any:
    return resposta if resposta.status_code == 202 else None
