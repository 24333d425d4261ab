"""`protocolo reconcile` on a simulated run agrees with the oracle, and finds seeded mismatches."""

from __future__ import annotations

import csv
import json
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cli.reconciliacao.conciliacao import dia_de_brasilia
from producers.publisher import Publisher
from protocolo.avro import catalogo_padrao
from protocolo.inscricoes import EstadoInscricao, Inscricao, chave_inscricao
from protocolo.inscricoes_topico import gravar_inscricoes
from protocolo.search import make_search
from protocolo.settings import Settings
from protocolo.topico_compactado import ler_tabela
from tests.fixtures.cli import run_cli
from tests.fixtures.espera import eventually
from tests.fixtures.kafka import produzir
from tests.fixtures.lotes import evento_de_teste
from tests.fixtures.oraculo import diferencas, diferencas_movimentos

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def oraculo(pipeline: Settings, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A simulated run with resends, disorder and invalid events, once the index equals its oracle."""
    arquivo = tmp_path_factory.mktemp("reconcile") / "oraculo.json"
    resultado = run_cli(
        pipeline,
        "simulate",
        *("--eventos", "1500", "--seed", "11", "--duplicados", "0.1", "--desordem", "0.1"),
        *("--invalidos", "0.05", "--oraculo", str(arquivo)),
    )
    assert resultado.returncode == 0, resultado.stderr
    esperado: dict[str, Any] = json.loads(arquivo.read_text(encoding="utf-8"))
    limite = time.monotonic() + 180
    while (restantes := diferencas(pipeline, esperado) + diferencas_movimentos(pipeline, esperado)) and (
        time.monotonic() < limite
    ):
        time.sleep(2)
    assert restantes == [], f"{len(restantes)} differences, first ones: {restantes[:10]}"
    return esperado


def _reconcile(
    pipeline: Settings, tmp_path: Path, *args: str
) -> tuple[int, str, list[dict[str, str]], list[dict[str, str]]]:
    arquivo = tmp_path / "reconcile.csv"
    resultado = run_cli(pipeline, "reconcile", "--csv", str(arquivo), *args, timeout=300)
    assert resultado.returncode in (0, 1), resultado.stderr
    with arquivo.open(encoding="utf-8") as f:
        linhas = list(csv.DictReader(f))
    with (tmp_path / "reconcile.divergencias.csv").open(encoding="utf-8") as f:
        divergencias = list(csv.DictReader(f))
    return resultado.returncode, resultado.stdout, linhas, divergencias


def test_reconcile_of_a_simulated_run_equals_the_oracle_per_orgao(
    pipeline: Settings, oraculo: dict[str, Any], tmp_path: Path
) -> None:
    status, saida, linhas, divergencias = _reconcile(pipeline, tmp_path)

    assert divergencias == [] and status == 0, saida
    # The index's own aggregation by órgão and Brasília day agrees with the events, line by line.
    assert [ln["indexados"] for ln in linhas] == [ln["movimentos_esperados"] for ln in linhas]
    assert len({ln["dia"] for ln in linhas}) > 1
    obtido: dict[str, Counter[str]] = {}
    for linha in linhas:
        soma = obtido.setdefault(linha["orgao"], Counter())
        for campo in ("recebidos", "duplicados", "rejeitados", "rejeitados_EVENTO_INVALIDO"):
            soma[campo] += int(linha[campo])
        for campo in ("movimentos_esperados", "movimentos_emitidos", "indexados"):
            soma[campo] += int(linha[campo])
    esperado = {}
    for orgao, n in oraculo["por_orgao"].items():
        publicados = n["invalidos"] - n["invalidos_sem_fuso"]  # a date without a zone never reaches Kafka
        esperado[orgao] = Counter(
            recebidos=n["validos"] + n["duplicados"] + publicados,
            duplicados=n["duplicados"],
            rejeitados=publicados,
            rejeitados_EVENTO_INVALIDO=publicados,
            movimentos_esperados=n["movimentos_publicos"],
            movimentos_emitidos=n["movimentos_publicos"],
            indexados=n["movimentos_publicos"],
        )
    # Movimentos of processos that became restrito or sigiloso after being public were emitted too.
    for orgao, soma in obtido.items():
        assert soma["movimentos_emitidos"] >= esperado[orgao]["movimentos_emitidos"], orgao
        soma["movimentos_emitidos"] = esperado[orgao]["movimentos_emitidos"]
    assert {o: +c for o, c in obtido.items()} == {o: +c for o, c in esperado.items()}
    assert sum(c["duplicados"] for c in obtido.values()) == oraculo["totais"]["duplicados"] > 50
    assert "divergências: 0" in saida


def test_reconcile_counts_an_email_on_the_day_of_its_movimento(
    pipeline: Settings, oraculo: dict[str, Any], tmp_path: Path
) -> None:
    nup = next(n for n, p in sorted(oraculo["processos"].items()) if p["nivel_acesso"] == "PUBLICO")
    orgao = oraculo["processos"][nup]["orgao_atual"]
    segredo = pipeline.chaveiro.atual
    chave = chave_inscricao(segredo, nup, "auditoria@example.org")
    agora = datetime.now(UTC)
    gravar_inscricoes(
        pipeline.kafka,
        [
            Inscricao(
                chave, nup, "auditoria@example.org", EstadoInscricao.CONFIRMADA, agora, atualizada_em=agora
            )
        ],
    )
    time.sleep(2)  # the notifier reads subscriptions live; a movimento before it sees this one is not mailed
    evento = evento_de_teste(nup, 1, id="AUDITORIA-1", orgao=orgao, ocorrido_em=agora)
    with Publisher(pipeline.kafka) as publisher:
        publisher.publish(evento)

    def enviadas() -> dict[str, Any]:
        catalogo = catalogo_padrao()
        return ler_tabela(
            pipeline.kafka, pipeline.kafka.topics.enviadas, lambda v: catalogo.decode("notificacao", v)
        )

    eventually(enviadas, timeout=90, what="the e-mail about the new movimento in enviadas")
    status, saida, linhas, divergencias = _reconcile(pipeline, tmp_path, "--orgao", orgao)

    assert divergencias == [] and status == 0, saida
    com_email = [(ln["dia"], ln["emails"]) for ln in linhas if ln["emails"] != "0"]
    assert com_email == [(dia_de_brasilia(agora).isoformat(), "1")]


def test_reconcile_lists_a_movimento_deleted_from_the_index_and_one_the_index_never_got(
    pipeline: Settings, oraculo: dict[str, Any], tmp_path: Path
) -> None:
    es = make_search(pipeline.search)
    alias = pipeline.search.alias("movimentos")
    apagado = oraculo["movimentos_publicos"][0]
    catalogo = catalogo_padrao()
    try:
        original = es.get(index=alias, id=apagado)["_source"]
        forjado = {
            **original,
            "id": f"{original['orgao']}:forjado-pelo-teste",
            "ocorrido_em": datetime.fromisoformat(original["ocorrido_em"]).astimezone(UTC),
        }
        produzir(
            pipeline.kafka,
            pipeline.kafka.topics.movimentos,
            [(forjado["nup"].encode(), catalogo.encode("movimento", forjado))],
        )
        eventually(lambda: es.exists(index=alias, id=forjado["id"]), what="the forged movimento indexed")
        for doc_id in (apagado, forjado["id"]):  # the index loses one, and "never got" the other
            es.delete_by_query(index=alias, query={"ids": {"values": [doc_id]}}, refresh=True)
    finally:
        es.close()

    status, saida, _linhas, divergencias = _reconcile(pipeline, tmp_path)

    assert status == 1
    assert {(d["tipo"], d["nup"], d["movimento"]) for d in divergencias} == {
        ("FALTA_NO_INDICE", original["nup"], apagado),
        ("MOVIMENTO_SEM_EVENTO", forjado["nup"], forjado["id"]),
        ("EMITIDO_FORA_DO_INDICE", forjado["nup"], forjado["id"]),
    }
    assert original["nup"] in saida and "divergências: 3" in saida


def test_reconcile_refuses_a_bad_date_with_exit_status_2(pipeline: Settings) -> None:
    resultado = run_cli(pipeline, "reconcile", "--desde", "31/02/2024")

    assert resultado.returncode == 2
    assert "data inválida" in resultado.stderr
