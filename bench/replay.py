"""Benchmark of `protocolo replay`, against a plain consumer reading the same topic in the same run.

    .venv/bin/python -m bench.replay [--eventos 1000000] [--saida resultado.json]

Starts its own local broker on free ports, fills the raw events topic with --eventos simulated
valid events (10,000 distinct Avro messages, produced again and again in turn), then measures:
  consumidor           protocolo.leitura.ler_ate_o_fim over the topic: reading alone (the baseline)
  consumidor_decode    the same, decoding each message with the catalogue (the least work that sees
                       the data)
  replay_jsonl         `protocolo replay eventos --formato jsonl --saida F` as a subprocess, with its
                       decoding workers (one per core)
  replay_parquet       the same with `--formato parquet`
  replay_*_serial      the same with `--processos 0`: everything in the main process
The replays' times include the interpreter's start (about a second). Their memory is the peak of
the sums over the whole process tree (the command and its workers), sampled every 50 ms: RSS
(shared pages counted in each process) and PSS (shared pages split between them). Prints events/s
and the ratios, and writes them to bench/resultados/replay.json (or --saida).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from bench.memoria import Pico, medir_arvore
from bench.pilha import iniciar_pilha
from bench.saida import gravar_resultados
from cli.simulation.simulator import SimulationConfig, Simulator
from protocolo.avro import catalogo_padrao
from protocolo.kafka import make_producer
from protocolo.leitura import ler_ate_o_fim
from protocolo.produce import produce
from protocolo.referencia import carregar_referencia
from protocolo.registros import evento_mensagem
from protocolo.settings import Settings
from protocolo.validation import evento_from_json

console = Console(highlight=False)
RESULTADOS = Path(__file__).parent / "resultados" / "replay.json"
DISTINTOS = 10_000


def _encher(settings: Settings, n: int) -> None:
    config = SimulationConfig(seed=1, duplicate_fraction=0, disorder_fraction=0, invalid_fraction=0)
    catalogo = catalogo_padrao()
    mensagens = []
    for dados in Simulator(config, carregar_referencia()).eventos():
        mensagens.append(evento_mensagem(catalogo, evento_from_json(dados)))
        if len(mensagens) >= min(n, DISTINTOS):
            break
    producer = make_producer(settings.kafka, **{"linger.ms": 20})
    for i in range(n):
        chave, valor = mensagens[i % len(mensagens)]
        produce(producer, settings.kafka.topics.eventos, chave, valor, on_delivery=_sem_relatorio)
    assert producer.flush(120) == 0


def _sem_relatorio(erro: object, _mensagem: object) -> None:
    assert erro is None, erro


def _figura(n: int, segundos: float, **extra: Any) -> dict[str, Any]:
    return {"eventos": n, "segundos": round(segundos, 3), "eventos_por_s": round(n / segundos, 1), **extra}


def _consumidor(settings: Settings, *, decodificar: bool) -> tuple[int, float]:
    catalogo = catalogo_padrao()
    inicio = time.perf_counter()
    lidas = 0
    for mensagem in ler_ate_o_fim(settings.kafka, settings.kafka.topics.eventos):
        if decodificar:
            catalogo.decode("evento", mensagem.value() or b"")
        lidas += 1
    return lidas, time.perf_counter() - inicio


def _linhas(formato: str, arquivo: Path) -> int:
    if formato == "parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(arquivo).metadata.num_rows)
    with arquivo.open("rb") as aberto:
        return sum(1 for _ in aberto)


def _replay(
    settings: Settings, formato: str, saida: Path, *, processos: int | None
) -> tuple[float, Pico, str]:
    """Run the replay to `saida`; (seconds, peak memory of its process tree, its stderr)."""
    argv = [sys.executable, "-m", "cli", "replay", "eventos", "--formato", formato, "--saida", str(saida)]
    argv += [] if processos is None else ["--processos", str(processos)]
    pico = Pico()
    inicio = time.perf_counter()
    with subprocess.Popen(
        argv,
        env={**os.environ, **settings.to_env()},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as processo:
        fio = medir_arvore(processo, pico)
        _saida, erros = processo.communicate()
    segundos = time.perf_counter() - inicio
    fio.join()
    assert processo.returncode == 0, erros[-2000:]
    return segundos, pico, erros


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--eventos", type=int, default=1_000_000)
    parser.add_argument("--saida", type=Path, default=RESULTADOS, help="where the JSON result goes")
    args = parser.parse_args()
    n = args.eventos
    stack = iniciar_pilha("replay")
    settings = stack.settings
    pasta = Path(tempfile.mkdtemp(prefix="bench-replay-saida-"))
    try:
        console.print(f"publicando {n:,d} eventos…")
        _encher(settings, n)
        resultados: dict[str, Any] = {}
        for nome, decodificar in (("consumidor", False), ("consumidor_decode", True)):
            lidas, segundos = _consumidor(settings, decodificar=decodificar)
            assert lidas == n, f"{nome} read {lidas} of {n}"
            resultados[nome] = _figura(n, segundos)
            console.print(f"  {nome:18s} {segundos:7.2f} s = {n / segundos:>10,.0f} eventos/s")
        for formato in ("jsonl", "parquet"):
            for sufixo, processos in (("", None), ("_serial", 0)):
                arquivo = pasta / f"eventos.{formato}"
                segundos, pico, resumo = _replay(settings, formato, arquivo, processos=processos)
                assert _linhas(formato, arquivo) == n and "ilegível" not in resumo, resumo[-2000:]
                nome = f"replay_{formato}{sufixo}"
                resultados[nome] = _figura(
                    n,
                    segundos,
                    pico_rss_total_mb=pico.rss_mb,
                    pico_pss_total_mb=pico.pss_mb,
                    processos=pico.processos,
                    bytes_saida=arquivo.stat().st_size,
                )
                console.print(
                    f"  {nome:22s} {segundos:7.2f} s = {n / segundos:>10,.0f} eventos/s, "
                    f"pico {pico.rss_mb} MB RSS / {pico.pss_mb} MB PSS em {pico.processos} processos"
                )
                arquivo.unlink()
        base = resultados["consumidor"]["eventos_por_s"]
        base_decode = resultados["consumidor_decode"]["eventos_por_s"]
        resultados["razoes"] = {
            f"{f}{s}_sobre_{b}": round(resultados[f"replay_{f}{s}"]["eventos_por_s"] / v, 3)
            for f in ("jsonl", "parquet")
            for s in ("", "_serial")
            for b, v in (("consumidor", base), ("consumidor_decode", base_decode))
        }
        resultados["meta"] = {
            "objetivo": "replay >= 0.5 x consumidor, 1 M eventos em < 200 MB",
            "eventos": n,
            "nucleos": os.cpu_count(),
        }
        for chave, valor in resultados["razoes"].items():
            console.print(f"  {chave}: {valor:.2f}")
        gravar_resultados(args.saida, resultados, console)
    finally:
        stack.parar()


if __name__ == "__main__":
    main()
