"""Benchmark of the stream stage: raw events topic -> processo snapshots, movimentos and DLQ.

    .venv/bin/python -m bench.streams [--eventos 1000000] [--workers 1] [--perfil]

Starts its own local broker (and search server and SMTP sink, unused) on free ports, puts N simulated
events on the raw topic (5 % resent duplicates, 5 % out of order, 1 % invalid, as the simulator makes
them), then measures in the same run:
  consumer  a plain confluent-kafka consumer reading the raw topic to its end (the baseline)
  streams   real `python -m streams` worker processes, from ready until every event has its output
            (a snapshot on tramitacao.processos or a record on the DLQ: one per input event)
Prints events/s, the ratio to the plain consumer, the sustained rate between 10 % and 90 % of the
outputs, the peak resident memory of each worker, and writes bench/resultados/streams.json.
With --perfil the (single) worker runs under pyinstrument and its profile is written next to it.
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, TopicPartition
from rich.console import Console

from bench.pilha import iniciar_pilha
from bench.registro import gravar_resultados
from producers.simulation import SimulationConfig, Simulator
from protocolo.avro import catalogo_padrao
from protocolo.errors import CodecError
from protocolo.kafka import make_consumer, make_producer
from protocolo.leitura import ler_ate_o_fim
from protocolo.referencia import carregar_referencia
from protocolo.registros import evento_json_to_avro
from protocolo.settings import KafkaSettings

console = Console(highlight=False)
RESULTADOS = Path(__file__).parent / "resultados" / "streams.json"


def _mensagens(n: int) -> list[tuple[bytes, bytes]]:
    """N simulated events as (key, Avro bytes), invalid ones included as agencies would send them."""
    catalogo = catalogo_padrao()
    simulador = Simulator(SimulationConfig(seed=7), carregar_referencia())
    mensagens: list[tuple[bytes, bytes]] = []
    for dados in itertools.islice(simulador.eventos(), n * 2):
        try:
            valor = catalogo.encode("evento", evento_json_to_avro(dados))
        except (CodecError, ValueError, KeyError, TypeError):
            continue  # the few invalid events the wire format cannot carry at all
        chave = "".join(c for c in str(dados.get("nup", "")) if c.isdigit()).encode()
        mensagens.append((chave, valor))
        if len(mensagens) == n:
            break
    return mensagens


def _produzir(kafka: KafkaSettings, topico: str, mensagens: list[tuple[bytes, bytes]]) -> float:
    producer = make_producer(kafka)
    inicio = time.perf_counter()
    for chave, valor in mensagens:
        while True:
            try:
                producer.produce(topico, key=chave, value=valor)
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)
    assert producer.flush(120) == 0
    return time.perf_counter() - inicio


def _leitor(kafka: KafkaSettings, topicos: list[str]) -> Any:
    consumer = make_consumer(kafka, f"bench-{time.time_ns()}", **{"enable.partition.eof": True})
    particoes = []
    for topico in topicos:
        metadados = consumer.list_topics(topico, timeout=10).topics[topico]
        particoes += [TopicPartition(topico, p, OFFSET_BEGINNING) for p in metadados.partitions]
    consumer.assign(particoes)
    return consumer, len(particoes)


def _ler_tudo(kafka: KafkaSettings, topico: str) -> tuple[int, float]:
    """The plain consumer: read the topic to the end of every partition; (messages, seconds)."""
    inicio = time.perf_counter()
    lidas = sum(1 for _ in ler_ate_o_fim(kafka, topico))
    return lidas, time.perf_counter() - inicio


def _rss_pico_mb(pid: int) -> float:
    for linha in Path(f"/proc/{pid}/status").read_text().splitlines():
        if linha.startswith("VmHWM:"):
            return int(linha.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--eventos", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--perfil", action="store_true", help="run the single worker under pyinstrument")
    args = parser.parse_args()
    n = args.eventos

    stack = iniciar_pilha("streams")
    settings = stack.settings
    kafka = settings.kafka
    workers: list[subprocess.Popen[bytes]] = []
    try:
        stack.carregar_referencia_exemplo()
        console.print(f"gerando {n:,d} eventos simulados (duplicados, fora de ordem, inválidos)…")
        mensagens = _mensagens(n)
        segundos_produzir = _produzir(kafka, kafka.topics.eventos, mensagens)
        console.print(f"  produzidos em {segundos_produzir:.1f} s = {n / segundos_produzir:,.0f} eventos/s")
        lidas, segundos_ler = _ler_tudo(kafka, kafka.topics.eventos)
        assert lidas == n, f"read {lidas} of {n}"
        consumidor = n / segundos_ler
        console.print(f"  consumidor simples: {segundos_ler:.2f} s = {consumidor:,.0f} eventos/s")

        env = {**os.environ, **settings.to_env()}
        perfil = settings.state_dir / "streams-perfil.txt"
        for i in range(args.workers):
            argv = [sys.executable, "-m", "streams"]
            if args.perfil:
                argv = [
                    sys.executable,
                    "-m",
                    "pyinstrument",
                    "-r",
                    "text",
                    "--show-all",
                    "-o",
                    str(perfil),
                    "-m",
                    "streams",
                ]
            log = (settings.state_dir / f"streams-{i}.log").open("wb")
            workers.append(
                subprocess.Popen(
                    argv,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        consumer, particoes = _leitor(kafka, [kafka.topics.processos, kafka.topics.dlq])
        saidas, marcos = 0, {}
        inicio = time.perf_counter()
        primeira: float | None = None
        prazo = time.monotonic() + max(600, n / 500)
        while saidas < n and time.monotonic() < prazo:
            for mensagem in consumer.consume(num_messages=1000, timeout=0.5):
                if mensagem.error() is None:
                    saidas += 1
            agora = time.perf_counter()
            if saidas and primeira is None:
                primeira = agora
            for fracao in (0.1, 0.9):
                if fracao not in marcos and saidas >= fracao * n:
                    marcos[fracao] = (agora, saidas)
            if any(w.poll() is not None for w in workers):
                raise SystemExit(f"a streams worker died; see {settings.state_dir}/streams-*.log")
        fim = time.perf_counter()
        consumer.close()
        assert saidas >= n, f"only {saidas} of {n} outputs before the deadline"
        assert primeira is not None
        memoria = [_rss_pico_mb(w.pid) for w in workers]
        (t10, s10), (t90, s90) = marcos[0.1], marcos[0.9]
        sustentado = (s90 - s10) / (t90 - t10)
        total = n / (fim - primeira)
        resultados = {
            "eventos": n,
            "workers": args.workers,
            "cpus": os.cpu_count(),
            "produtor_cru_eventos_por_s": round(n / segundos_produzir, 1),
            "consumidor_simples_eventos_por_s": round(consumidor, 1),
            "streams_inicio_ate_primeira_saida_s": round(primeira - inicio, 2),
            "streams_eventos_por_s": round(total, 1),
            "streams_sustentado_10_90_eventos_por_s": round(sustentado, 1),
            "razao_sobre_consumidor_simples": round(sustentado / consumidor, 4),
            "memoria_pico_por_worker_mb": [round(m, 1) for m in memoria],
        }
        console.print(f"  streams: {total:,.0f} eventos/s (primeira saída à última)")
        console.print(f"  streams sustentado (10 %→90 %): {sustentado:,.0f} eventos/s")
        console.print(f"  razão sobre o consumidor simples: {sustentado / consumidor:.3f}")
        console.print(f"  memória de pico por worker: {', '.join(f'{m:.0f} MB' for m in memoria)}")
        registro = {"quando": datetime.now(UTC).isoformat(timespec="seconds"), **resultados}
        gravar_resultados(RESULTADOS, registro, console)
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            try:
                w.wait(30)
            except subprocess.TimeoutExpired:
                w.kill()
        if args.perfil and perfil.exists():
            console.print(f"perfil em {perfil}")
        stack.parar()


if __name__ == "__main__":
    main()
