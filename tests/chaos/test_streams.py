"""Real streams workers killed with SIGKILL mid-run, and two workers sharing four partitions.

Each test publishes simulated traffic (resends, disorder, invalid events) with `protocolo simulate`
while real `python -m streams` processes work, and compares the newest snapshot of every processo on
tramitacao.processos with the simulator's oracle: same state and the same versao (the number of
distinct events, so a doubled event would show), non-public processos as removal orders.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from protocolo.settings import Settings
from tests.fixtures.espera import eventually
from tests.fixtures.kafka import ler_topico
from tests.fixtures.oraculo import diferencas_snapshots
from tests.fixtures.trabalhador import Trabalhador, metricas

pytestmark = pytest.mark.slow


@pytest.fixture
def trabalhadores(settings_factory: Callable[..., Settings]) -> Iterator[Callable[..., Trabalhador]]:
    """Start named workers on one fresh set of topics (`instancia`: static membership); stops the
    survivors at the end."""
    settings = settings_factory()
    criados: list[Trabalhador] = []

    def novo(nome: str, instancia: str = "") -> Trabalhador:
        trabalhador = Trabalhador(settings, nome, instancia=instancia)
        trabalhador.iniciar()
        criados.append(trabalhador)
        return trabalhador

    yield novo
    for trabalhador in criados:
        trabalhador.parar()
    for trabalhador in criados:
        texto = trabalhador.log.read_text(errors="replace") if trabalhador.log.exists() else ""
        assert "Traceback" not in texto, f"{trabalhador.nome} logged a crash:\n{texto[-3000:]}"


def esperar_pronto(trabalhador: Trabalhador) -> None:
    eventually(
        lambda: trabalhador.pronto.exists() or not trabalhador.vivo(),
        timeout=90,
        what=f"{trabalhador.nome} ready",
    )
    assert trabalhador.vivo(), trabalhador.log.read_text(errors="replace")[-3000:]


def simular(
    settings: Settings, oraculo: Path, *, eventos: int, taxa: int, seed: int
) -> subprocess.Popen[str]:
    """`protocolo simulate` in the background, paced so that the workers are mid-run for a while."""
    argv = [sys.executable, "-m", "cli", "simulate", "--eventos", str(eventos), "--seed", str(seed)]
    argv += ["--taxa", str(taxa), "--duplicados", "0.1", "--desordem", "0.1", "--invalidos", "0.03"]
    argv += ["--oraculo", str(oraculo)]
    env = {**os.environ, **settings.to_env(), "COLUMNS": "200"}
    return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def terminar(simulacao: subprocess.Popen[str], oraculo: Path) -> tuple[dict[str, Any], int]:
    """Wait for the simulator; its oracle and how many invalid events it published."""
    saida, erros = simulacao.communicate(timeout=180)
    assert simulacao.returncode == 0, erros
    enviados = re.search(r"publicados: (\d+) válidos, (\d+) inválidos", saida)
    assert enviados is not None, saida
    return json.loads(oraculo.read_text(encoding="utf-8")), int(enviados[2])


def esperar_oraculo(
    settings: Settings, oraculo: dict[str, Any], prazo_s: float = 180, *, vivos: tuple[Trabalhador, ...] = ()
) -> None:
    limite = time.monotonic() + prazo_s
    while (restantes := diferencas_snapshots(settings, oraculo)) and time.monotonic() < limite:
        time.sleep(2)
    if restantes:  # a stalled worker: have it log where each of its tasks waits before reading the logs
        for trabalhador in vivos:
            trabalhador.diagnosticar()
        time.sleep(2)
    logs = tuple(t.log for t in vivos)
    caudas = "".join(
        f"\n--- {log.name} (end) ---\n" + "\n".join(log.read_text(errors="replace").splitlines()[-200:])
        for log in logs
        if log.exists()
    )
    assert restantes == [], f"{len(restantes)} differences, first ones: {restantes[:10]}{caudas}"


def origens_na_dlq(settings: Settings) -> set[tuple[str, int, int]]:
    """The distinct source messages on the DLQ (a replay after a crash may write one twice)."""
    cartas = ler_topico(settings.kafka, settings.kafka.topics.dlq, "dead_letter")
    return {(c["topico"], c["particao"], c["offset"]) for c in cartas}


def particoes_trabalhadas(trabalhador: Trabalhador, topico: str) -> set[int]:
    """The raw-topic partitions this worker has processed messages from (its lag gauge's labels)."""
    padrao = re.compile(
        rf'protocolo_streams_atraso_consumidor\{{partition="(\d+)",topic="{re.escape(topico)}"\}}'
    )
    return {int(m[1]) for nome in metricas(trabalhador.porta_metricas) if (m := padrao.fullmatch(nome))}


def test_a_worker_counts_events_duplicates_and_dead_letters_in_its_metrics(
    trabalhadores: Callable[..., Trabalhador], tmp_path: Path
) -> None:
    trabalhador = trabalhadores("streams-metricas")
    settings = trabalhador.settings
    esperar_pronto(trabalhador)

    oraculo, invalidos = terminar(
        simular(settings, tmp_path / "o.json", eventos=800, taxa=0, seed=3), tmp_path / "o.json"
    )
    esperar_oraculo(settings, oraculo)

    totais = oraculo["totais"]
    amostras = eventually(
        lambda: (
            (a := metricas(trabalhador.porta_metricas)).get("protocolo_streams_novos_total")
            == totais["eventos_validos"]
            and a
        ),
        what="the metrics to count every valid event",
    )
    assert amostras["protocolo_streams_duplicados_total"] == totais["duplicados"] > 0
    assert amostras['protocolo_streams_dlq_total{motivo="EVENTO_INVALIDO"}'] == invalidos > 0
    por_orgao = sum(v for k, v in amostras.items() if k.startswith("protocolo_streams_eventos_total{"))
    assert por_orgao == totais["eventos_validos"] + totais["duplicados"]
    assert amostras["protocolo_streams_latencia_segundos_count"] == por_orgao
    # The producer library's partitioner (librdkafka murmur2_random) puts every event where the
    # streams fold it (aiokafka's murmur2): no re-keying hop for our own agencies' traffic.
    assert amostras["protocolo_streams_redirecionados_total"] == 0


@pytest.mark.parametrize("instancia", ["", "{host}-{nome}"], ids=["dinamico", "estatico"])
def test_a_worker_killed_mid_run_recovers_its_table_and_ends_equal_to_the_oracle(
    trabalhadores: Callable[..., Trabalhador], tmp_path: Path, instancia: str
) -> None:
    # Dynamic membership: the restarted worker joins beside its killed predecessor, which the group
    # keeps until its session expires. Static (PROTOCOLO_STREAMS_INSTANCIA): it takes its own place.
    trabalhador = trabalhadores("streams-vitima", instancia)
    settings = trabalhador.settings
    esperar_pronto(trabalhador)
    oraculo_json = tmp_path / "oraculo.json"
    simulacao = simular(settings, oraculo_json, eventos=4000, taxa=800, seed=11)

    # Kill once outputs are flowing, with most of the traffic still to come (snapshots are written
    # once per processo per batch: movimentos, one per public event, tell the progress).
    eventually(
        lambda: len(ler_topico(settings.kafka, settings.kafka.topics.movimentos, "movimento")) > 300,
        what="the first movimentos",
    )
    trabalhador.matar()
    assert simulacao.poll() is None, "the simulation ended before the kill: not a mid-run crash"
    trabalhador.iniciar()
    esperar_pronto(trabalhador)
    oraculo, invalidos = terminar(simulacao, oraculo_json)

    esperar_oraculo(settings, oraculo, vivos=(trabalhador,))
    assert len(origens_na_dlq(settings)) == invalidos


def test_two_workers_split_four_partitions_and_the_survivor_takes_over(
    trabalhadores: Callable[..., Trabalhador], tmp_path: Path
) -> None:
    primeiro = trabalhadores("streams-a")
    settings = primeiro.settings
    assert settings.kafka.topics.partitions == 4
    esperar_pronto(primeiro)
    segundo = trabalhadores("streams-b")
    esperar_pronto(segundo)
    oraculo_json = tmp_path / "oraculo.json"
    simulacao = simular(settings, oraculo_json, eventos=5000, taxa=500, seed=5)
    topico = settings.kafka.topics.eventos

    def divididas() -> tuple[set[int], set[int]] | None:
        a, b = particoes_trabalhadas(primeiro, topico), particoes_trabalhadas(segundo, topico)
        return (a, b) if a and b else None

    a, b = eventually(divididas, timeout=90, what="both workers to process partitions")
    assert not a & b, f"both workers processed partitions {a & b}"
    primeiro.matar()
    assert simulacao.poll() is None, "the simulation ended before the kill: not a mid-run crash"
    eventually(
        lambda: particoes_trabalhadas(segundo, topico) == {0, 1, 2, 3},
        timeout=120,
        what="the survivor to take over every partition",
    )
    oraculo, invalidos = terminar(simulacao, oraculo_json)

    esperar_oraculo(settings, oraculo, vivos=(segundo,))
    assert len(origens_na_dlq(settings)) == invalidos
