"""Benchmark of `protocolo replay`, against a plain consumer reading the same topic in the same run.

    .venv/bin/python -m bench.replay [--eventos 1000000] [--saida resultado.json]

Starts its own local broker on free ports, fills the raw events topic with --eventos simulated
valid events (10,000 distinct Avro messages, produced again and again in turn), then measures:
  consumidor           protocolo.leitura.ler_ate_o_fim over the topic: reading alone (the baseline)
  consumidor_decode    the same, decoding each message with the catalogue (the least work that sees
                       the data)
  replay_jsonl         `protocolo replay eventos --formato jsonl --saida F` as a subprocess
  replay_parquet       `protocolo replay eventos --formato parquet --saida F` as a subprocess
The replays' times include the interpreter's start (about a second) and their peak resident memory
is measured on the child process. Prints events/s and the ratios, and writes them to
bench/resultados/replay.json (or --saida).
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

from bench.pilha import iniciar_pilha
from bench.publicacao import _MEDIR_MEMORIA
from bench.registro import gravar_resultados
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


def _replay(settings: Settings, formato: str, saida: Path) -> tuple[float, float, str]:
    """Run the replay to `saida`; (seconds, peak RSS in MB, its stderr)."""
    inicio = time.perf_counter()
    resultado = subprocess.run(
        [sys.executable, "-c", _MEDIR_MEMORIA, "-m", "cli", "replay", "eventos", "--formato", formato]
        + ["--saida", str(saida)],
        env={**os.environ, **settings.to_env()},
        capture_output=True,
        text=True,
        check=False,
    )
    segundos = time.perf_counter() - inicio
    assert resultado.returncode == 0, resultado.stderr[-2000:]
    return segundos, round(int(resultado.stdout.strip().splitlines()[-1]) / 1024, 1), resultado.stderr


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
            arquivo = pasta / f"eventos.{formato}"
            segundos, rss, resumo = _replay(settings, formato, arquivo)
            assert _linhas(formato, arquivo) == n and "ilegível" not in resumo, resumo[-2000:]
            nome = f"replay_{formato}"
            resultados[nome] = _figura(n, segundos, pico_rss_mb=rss, bytes_saida=arquivo.stat().st_size)
            console.print(f"  {nome:18s} {segundos:7.2f} s = {n / segundos:>10,.0f} eventos/s, pico {rss} MB")
            arquivo.unlink()
        base = resultados["consumidor"]["eventos_por_s"]
        base_decode = resultados["consumidor_decode"]["eventos_por_s"]
        resultados["razoes"] = {
            f"{f}_sobre_{b}": round(resultados[f"replay_{f}"]["eventos_por_s"] / v, 3)
            for f in ("jsonl", "parquet")
            for b, v in (("consumidor", base), ("consumidor_decode", base_decode))
        }
        resultados["meta"] = {"objetivo": "replay >= 0.5 x consumidor", "eventos": n}
        for chave, valor in resultados["razoes"].items():
            console.print(f"  {chave}: {valor:.2f}")
        gravar_resultados(args.saida, resultados, console)
    finally:
        stack.parar()


if __name__ == "__main__":
    main()
