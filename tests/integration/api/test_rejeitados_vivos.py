"""GET /api/v1/eventos/rejeitados against the real broker: each agency sees its own rejections, masked."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from protocolo.avro import catalogo_padrao
from protocolo.documentos import gerar_cpf
from protocolo.nup import gerar_nup
from protocolo.registros import dead_letter_record, evento_json_to_avro
from protocolo.settings import Settings
from tests.fixtures.cli import run_cli
from tests.fixtures.espera import eventually
from tests.fixtures.kafka import produzir

NUP = gerar_nup(unidade=23037, sequencial=1462, ano=2021)
CPF = gerar_cpf(random.Random(15))


def _cpf_pontuado(digitos: str) -> str:
    return f"{digitos[:3]}.{digitos[3:6]}.{digitos[6:9]}-{digitos[9:]}"


def _carta(n: int, orgao: str) -> tuple[bytes, bytes]:
    catalogo = catalogo_padrao()
    evento = {
        "id": f"rj-{orgao}-{n}",
        "orgao": orgao,
        "nup": NUP.formatado,
        "tipo": "PROCESSO",
        "operacao": "ENVIO",
        "ocorrido_em": "2021-03-02T10:00:00-03:00",
        "nivel_acesso": "PUBLICO",
        "unidade_origem": {"codigo": "2300001"},
        "assunto": f"Requerimento de {_cpf_pontuado(CPF)}",
        "interessados": [{"nome": "Fulana", "documento": CPF}],
    }
    valor = catalogo.encode("evento", evento_json_to_avro(evento))
    registro = dead_letter_record(
        codigo="EVENTO_INVALIDO",
        motivo=f"evento inválido: assunto menciona {CPF}",
        topico="tramitacao.eventos",
        particao=0,
        offset=n,
        chave=NUP.digitos.encode(),
        valor=valor,
        registrado_em=datetime(2024, 1, 1, tzinfo=UTC),
    )
    registro["violacoes"] = [
        {"campo": "unidade_destino", "motivo": f"obrigatório (CPF {_cpf_pontuado(CPF)})"}
    ]
    return NUP.digitos.encode(), catalogo.encode("dead_letter", registro)


def _corrompida() -> tuple[bytes, bytes]:
    registro = dead_letter_record(
        codigo="MENSAGEM_CORROMPIDA",
        motivo="corpo ilegível",
        topico="t",
        particao=0,
        offset=99,
        chave=b"k",
        valor=b"x",
    )
    return b"k", catalogo_padrao().encode("dead_letter", registro)


def _token(settings: Settings, orgao: str) -> dict[str, str]:
    resultado = run_cli(settings, "agencias", "token", "create", orgao)
    assert resultado.returncode == 0, resultado.stderr
    return {"Authorization": f"Bearer {resultado.stdout.strip()}"}


@pytest.fixture
def gateway(settings_factory: Callable[..., Settings]) -> Iterator[tuple[Settings, TestClient]]:
    settings = settings_factory(carregar_referencia_exemplo=False)
    cartas = [_carta(n, "23000") for n in range(5)] + [_carta(n, "26000") for n in range(2)] + [_corrompida()]
    produzir(settings.kafka, settings.kafka.topics.dlq, cartas)
    with TestClient(create_app(settings)) as cliente:
        yield settings, cliente


def _pagina(cliente: TestClient, cabecalho: dict[str, str], **params: Any) -> Any:
    resposta = eventually(
        lambda: (
            (r := cliente.get("/api/v1/eventos/rejeitados", headers=cabecalho, params=params)).status_code
            not in (401, 503)
            and r
        ),
        timeout=30,
        what="the token and the rejections to be loaded",
    )
    return resposta


def test_an_agency_reads_only_its_own_rejections_page_by_page_without_a_full_cpf(
    gateway: tuple[Settings, TestClient],
) -> None:
    settings, cliente = gateway
    cabecalho = _token(settings, "23000")

    ids, cursor, paginas = [], None, 0
    while True:
        resposta = _pagina(cliente, cabecalho, tamanho=2, **({"cursor": cursor} if cursor else {}))
        assert resposta.status_code == 200, resposta.text
        assert CPF not in resposta.text and _cpf_pontuado(CPF) not in resposta.text
        corpo = resposta.json()
        assert corpo["total"] == 5
        ids += [item["id"] for item in corpo["items"]]
        paginas += 1
        cursor = corpo["proximo_cursor"]
        if cursor is None:
            break
    assert paginas == 3
    assert ids == [f"rj-23000-{n}" for n in reversed(range(5))]  # newest first, each once

    item = _pagina(cliente, cabecalho, tamanho=1).json()["items"][0]
    assert item["codigo"] == "EVENTO_INVALIDO"
    assert item["motivo"] == f"evento inválido: assunto menciona ***.{CPF[3:6]}.{CPF[6:9]}-**"
    assert item["violacoes"][0]["campo"] == "unidade_destino"
    assert item["nup"] == NUP.formatado and item["operacao"] == "ENVIO"
    assert item["original"] == {"topico": "tramitacao.eventos", "particao": 0, "offset": 4}
    assert item["carta"]["topico"] == settings.kafka.topics.dlq
    assert "valor" not in item and "assunto" not in item

    outro = _pagina(cliente, _token(settings, "26000")).json()
    assert [i["id"] for i in outro["items"]] == ["rj-26000-1", "rj-26000-0"]


def test_a_bad_cursor_or_no_token_is_a_pt_br_4xx(gateway: tuple[Settings, TestClient]) -> None:
    settings, cliente = gateway
    cabecalho = _token(settings, "23000")
    _pagina(cliente, cabecalho)

    ruim = cliente.get("/api/v1/eventos/rejeitados", headers=cabecalho, params={"cursor": "abc"})
    grande = cliente.get("/api/v1/eventos/rejeitados", headers=cabecalho, params={"tamanho": 1000})
    sem = cliente.get("/api/v1/eventos/rejeitados")

    assert ruim.status_code == 422 and "Cursor inválido" in ruim.json()["detail"]
    assert grande.status_code == 422, grande.text
    assert sem.status_code == 401 and "Token ausente" in sem.json()["detail"]
