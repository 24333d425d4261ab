"""The search server stops in the middle of a run while agencies keep sending: the indexer waits.

Each test runs a private stack (its own broker and search server, streams and indexer as real
processes) and the simulator as a real `protocolo simulate` process publishing at a steady rate,
then compares the index with the simulator's oracle (tests/fixtures/oraculo.py).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cli.stack import LocalStack, settings_em_portas_livres
from indexer.mappings import definicao
from protocolo.search import make_search
from protocolo.settings import Settings
from tests.fixtures.espera import eventually
from tests.fixtures.oraculo import diferencas, diferencas_estado, diferencas_movimentos, documentos_indexados

pytestmark = pytest.mark.slow

EVENTOS, TAXA = 2400, 120  # 20 s of traffic: the outage happens while it flows


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[LocalStack]:
    """Broker, search server, streams and indexer of this test alone."""
    pilha = LocalStack(settings_em_portas_livres(tmp_path / "stack"), servicos=("streams", "indexer"))
    pilha.iniciar()
    yield pilha
    pilha.parar()
    for log in ("streams.log", "indexer.log"):
        texto = (pilha.pasta_logs / log).read_text(errors="replace")
        assert "Traceback" not in texto, f"{log} logged a crash:\n{texto[-3000:]}"


def _simular(settings: Settings, oraculo: Path, *, seed: int) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "cli", "simulate", "--eventos", str(EVENTOS), "--taxa", str(TAXA)]
    argv += ["--seed", str(seed), "--duplicados", "0.1", "--desordem", "0.1", "--invalidos", "0.02"]
    argv += ["--oraculo", str(oraculo)]
    env = {**os.environ, **settings.to_env(), "COLUMNS": "200"}
    return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _terminar(simulacao: subprocess.Popen[str], oraculo: Path) -> dict[str, Any]:
    saida, erros = simulacao.communicate(timeout=120)
    assert simulacao.returncode == 0, erros[-2000:]
    esperado: dict[str, Any] = json.loads(oraculo.read_text(encoding="utf-8"))
    return esperado


def _vezes_no_log(stack: LocalStack, texto: str) -> int:
    return (stack.pasta_logs / "indexer.log").read_text(errors="replace").count(texto)


def _ate_igual(
    settings: Settings, esperado: dict[str, Any], prazo_s: float = 180
) -> tuple[list[str], list[str]]:
    """Differences in processos and movimentos once they stop shrinking to zero (or the deadline)."""
    limite = time.monotonic() + prazo_s
    while (processos := diferencas(settings, esperado)) and time.monotonic() < limite:
        time.sleep(2)
    while (movimentos := diferencas_movimentos(settings, esperado)) and time.monotonic() < limite:
        time.sleep(2)
    return processos, movimentos


def _quantos(settings: Settings) -> int:
    es = make_search(settings.search)
    try:
        resposta = es.options(ignore_status=404).count(index=settings.search.alias("processos"))
        return int(resposta.body.get("count", 0))
    finally:
        es.close()


def _mapeamentos_estritos(settings: Settings) -> None:
    es = make_search(settings.search)
    try:
        for nome in ("processos", "movimentos"):
            (mapeamento,) = es.indices.get_mapping(index=settings.search.alias(nome)).body.values()
            assert mapeamento["mappings"] == definicao(nome)["mappings"]
    finally:
        es.close()


def test_a_frozen_search_server_delays_indexing_but_nothing_is_lost_or_doubled(
    stack: LocalStack, tmp_path: Path
) -> None:
    settings = stack.settings
    oraculo = tmp_path / "oraculo.json"
    with _simular(settings, oraculo, seed=11) as simulacao:
        esperado = _congelar(stack, simulacao, oraculo)

    processos, movimentos = _ate_igual(settings, esperado)

    assert processos == [], f"{len(processos)} differences, first ones: {processos[:10]}"
    assert movimentos == [], f"{len(movimentos)} movimentos differ, first ones: {movimentos[:10]}"


def _congelar(stack: LocalStack, simulacao: subprocess.Popen[str], oraculo: Path) -> dict[str, Any]:
    """Freeze the search server mid-traffic until the indexer notices, thaw it, let the traffic end."""
    settings = stack.settings
    eventually(lambda: _quantos(settings) > 0, timeout=90, what="the first processos indexed")
    busca = stack.process("search")
    busca.send_signal(signal.SIGSTOP)
    try:
        # Frozen, the server accepts connections and never answers: bulk requests time out.
        eventually(
            lambda: _vezes_no_log(stack, "error=ConnectionTimeout") >= 1,
            timeout=90,
            what="the indexer noticing the frozen search server",
        )
        assert simulacao.poll() is None, "the traffic ended before the outage did"
    finally:
        busca.send_signal(signal.SIGCONT)
    return _terminar(simulacao, oraculo)


def _estado_publico(settings: Settings) -> tuple[dict[str, int], set[str]]:
    """NUP -> versao of every public processo, and every movimento id, now in the index."""
    es = make_search(settings.search)
    try:
        movimentos = es.search(index=settings.search.alias("movimentos"), size=10_000, source=False)
    finally:
        es.close()
    processos = {nup: doc["versao"] for nup, doc in documentos_indexados(settings).items()}
    return processos, {h["_id"] for h in movimentos["hits"]["hits"]}


def _estavel(settings: Settings) -> tuple[dict[str, int], set[str]]:
    """The index state once two reads a moment apart agree (in-flight requests done)."""
    anterior = _estado_publico(settings)
    while True:
        time.sleep(0.5)
        atual = _estado_publico(settings)
        if atual == anterior:
            return atual
        anterior = atual


def _depois_do_reinicio(
    settings: Settings, esperado: dict[str, Any], antes: tuple[dict[str, int], set[str]]
) -> list[str]:
    """How the index after the restart differs from: the oracle's state of every processo that changed
    after the last state indexed before the crash, and every movimento not indexed before it."""
    versoes_antes, movimentos_antes = antes
    publicos = {n: p for n, p in esperado["processos"].items() if p["nivel_acesso"] == "PUBLICO"}
    indexados = documentos_indexados(settings)
    problemas = [f"{n}: não devia estar no índice" for n in sorted(set(indexados) - set(publicos))]
    for nup, processo in sorted(publicos.items()):
        doc = indexados.get(nup)
        if doc is None:
            if versoes_antes.get(nup) != processo["versao"]:
                problemas.append(f"{nup}: falta no índice (mudou depois da queda)")
            continue
        problemas += diferencas_estado(nup, processo, doc)
    _, movimentos = _estado_publico(settings)
    esperados = set(esperado["movimentos_publicos"])
    problemas += [f"{m}: movimento a mais" for m in sorted(movimentos - esperados)]
    problemas += [f"{m}: movimento perdido" for m in sorted(esperados - movimentos - movimentos_antes)]
    return problemas


def test_after_a_search_server_crash_the_indexer_waits_recreates_its_indices_and_indexes_what_came_after(
    stack: LocalStack, tmp_path: Path
) -> None:
    settings = stack.settings
    oraculo = tmp_path / "oraculo.json"
    with _simular(settings, oraculo, seed=23) as simulacao:
        antes, esperado = _derrubar(stack, simulacao, oraculo)

    limite = time.monotonic() + 180
    while (problemas := _depois_do_reinicio(settings, esperado, antes)) and time.monotonic() < limite:
        time.sleep(2)

    assert problemas == [], f"{len(problemas)} differences, first ones: {problemas[:10]}"
    _mapeamentos_estritos(settings)
    assert _vezes_no_log(stack, "recreating the indices") >= 1
    depois, _ = _estado_publico(settings)
    assert len(depois) > 0 and len(antes[0]) > 0


def _derrubar(
    stack: LocalStack, simulacao: subprocess.Popen[str], oraculo: Path
) -> tuple[tuple[dict[str, int], set[str]], dict[str, Any]]:
    """Kill the search server mid-traffic, let the indexer wait, start it again empty, let the traffic end.

    Returns what the index held just before the crash and the oracle."""
    settings = stack.settings
    eventually(lambda: _quantos(settings) > 0, timeout=90, what="the first processos indexed")
    indexer = stack.process("indexer")
    indexer.send_signal(signal.SIGSTOP)  # hold the indexer still while the index is read
    try:
        antes = _estavel(settings)
        busca = stack.process("search")
        busca.kill()
        busca.wait(10)
    finally:
        indexer.send_signal(signal.SIGCONT)
    # Down (connection refused): the indexer retries with backoff, holding its offsets, while traffic flows.
    eventually(
        lambda: _vezes_no_log(stack, "search unreachable, will retry error=ConnectionError") >= 4,
        timeout=60,
        what="the indexer waiting for the search server",
    )
    assert simulacao.poll() is None, "the traffic ended before the outage did"
    stack.iniciar_busca()  # same port, empty: the local server keeps nothing
    return antes, _terminar(simulacao, oraculo)
