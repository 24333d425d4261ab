"""`protocolo dlq redrive` through the whole pipeline: a fixed rejection reaches the index once, however
often it is redriven."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from protocolo.avro import catalogo_padrao
from protocolo.nup import Nup, gerar_nup
from protocolo.registros import evento_json_to_avro
from protocolo.settings import Settings
from tests.fixtures.cli import run_cli
from tests.fixtures.espera import eventually
from tests.fixtures.kafka import produzir
from tests.fixtures.pipeline import CGGP, PROTOCOLO, evento

pytestmark = pytest.mark.slow


def _evento(nup: Nup, n: int, operacao: str, **campos: Any) -> dict[str, Any]:
    return evento(nup, n, operacao, unidade_origem=PROTOCOLO, interessados=[]) | campos


def _movimentos(api: httpx.Client, nup: Nup) -> list[dict[str, Any]] | None:
    resposta = api.get(
        f"/api/v1/processos/{nup.formatado}/movimentos", params={"ordem": "asc", "tamanho": 200}
    )
    if resposta.status_code != 200:
        return None
    items: list[dict[str, Any]] = resposta.json()["items"]
    return items


def _movimentos_ate(api: httpx.Client, nup: Nup, id_sentinela: str) -> list[dict[str, Any]]:
    """The movimentos once the sentinel (published after everything before it, same partition) is indexed."""

    def ver() -> list[dict[str, Any]] | None:
        items = _movimentos(api, nup)
        return items if items and any(id_sentinela in json.dumps(m) for m in items) else None

    resultado: list[dict[str, Any]] = eventually(ver, timeout=90, what=f"movimento {id_sentinela} indexed")
    return resultado


def _cartas(settings: Settings, *args: str) -> str:
    resultado = run_cli(settings, "dlq", "show", *args)
    assert resultado.returncode == 0, resultado.stderr
    return resultado.stdout


def _publicar(settings: Settings, dados: dict[str, Any], nup: Nup) -> None:
    valor = catalogo_padrao().encode("evento", evento_json_to_avro(dados))
    produzir(settings.kafka, settings.kafka.topics.eventos, [(nup.digitos.encode(), valor)])


def test_a_redrive_is_idempotent_end_to_end(pipeline: Settings, api: httpx.Client, tmp_path: Path) -> None:
    nup = gerar_nup(unidade=23037, sequencial=random.randint(1, 999_999), ano=2024)
    _publicar(pipeline, _evento(nup, 1, "AUTUACAO", assunto="Redrive"), nup)
    # An ENVIO without unidade_destino: a real rejection by the streams.
    errado = _evento(nup, 2, "ENVIO")
    _publicar(pipeline, errado, nup)

    def carta_do_envio() -> str | None:
        saida = _cartas(pipeline, "--codigo", "EVENTO_INVALIDO")
        return saida if nup.formatado in saida else None

    saida = eventually(
        carta_do_envio,
        timeout=60,
        what="the dead letter of the invalid ENVIO",
    )
    posicao = re.search(rf"carta {re.escape(pipeline.kafka.topics.dlq)}/(\d+)/(\d+)", saida)
    assert posicao is not None, saida
    carta = f"{posicao[1]}/{posicao[2]}"
    corrigido = tmp_path / "corrigido.json"
    corrigido.write_text(json.dumps(errado | {"unidade_destino": CGGP}), encoding="utf-8")

    primeiro = run_cli(pipeline, "dlq", "redrive", carta, "--corrigido", str(corrigido))
    assert primeiro.returncode == 0, primeiro.stderr
    assert "reenviadas: 1, já reenviadas antes: 0" in primeiro.stdout
    _publicar(pipeline, _evento(nup, 3, "RECEBIMENTO", unidade_destino=CGGP), nup)
    depois_do_primeiro = _movimentos_ate(api, nup, f"e2e-{nup.digitos}-3")
    assert len(depois_do_primeiro) == 3

    # Twice: the command knows the dead letter went back already (its header is on the raw topic).
    segundo = run_cli(pipeline, "dlq", "redrive", carta, "--corrigido", str(corrigido))
    assert segundo.returncode == 0, segundo.stderr
    assert "reenviadas: 0, já reenviadas antes: 1" in segundo.stdout
    # Forced: the streams see an identity (orgao, id) that already went through with the same content,
    # an exact resend. Then the original bytes, still invalid: a new dead letter. The index gains nothing.
    for argumentos in ([carta, "--corrigido", str(corrigido), "--forcar"], [carta, "--forcar"]):
        forcado = run_cli(pipeline, "dlq", "redrive", *argumentos)
        assert forcado.returncode == 0, forcado.stderr
        assert "reenviadas: 1" in forcado.stdout
    _publicar(pipeline, _evento(nup, 4, "ENVIO", unidade_origem=CGGP, unidade_destino=PROTOCOLO), nup)
    depois = _movimentos_ate(api, nup, f"e2e-{nup.digitos}-4")

    assert len(depois) == 4
    assert sorted(json.dumps(m, sort_keys=True) for m in depois[:3]) == sorted(
        json.dumps(m, sort_keys=True) for m in depois_do_primeiro
    )
    eventually(
        lambda: _cartas(pipeline, "--codigo", "EVENTO_INVALIDO").count(f'"id": "e2e-{nup.digitos}-2"') == 2,
        timeout=30,
        what="the redriven invalid bytes to be rejected again",
    )
