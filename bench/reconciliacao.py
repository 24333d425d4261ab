"""`python -m bench.reconciliacao [--eventos N]`: reconcile's read of the raw topic, its rate and memory.

Produces the stream benchmark's long-tail workload (bench/streams_carga.py) to the raw topic of a
private stack, then reads the whole topic in three child processes, each measured on its own
(events/s and peak RSS):
  leitor      the baseline: a plain `protocolo.leitura.Leitor` read, every message touched, nothing kept
  completo    reconcile's raw-events stage (`Conciliacao.evento` on every message) over every day
  um-dia      the same with `--desde`/`--ate` on one day: what it holds shrinks to that day's events
              (plus one small entry per processo, which a range does not shrink)
The raw stage is reconcile's heaviest (decode, validate and fingerprint every message); the other
topics are read the same way. Writes bench/resultados/reconciliacao.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

from rich.console import Console

from bench.pilha import iniciar_pilha
from bench.saida import gravar_resultados
from bench.streams_carga import Carga
from cli.reconciliacao.conciliacao import Conciliacao, Faixa, dia_de_brasilia
from protocolo.avro import catalogo_padrao
from protocolo.kafka import make_producer
from protocolo.leitura import Leitor
from protocolo.produce import drain, produce
from protocolo.referencia import carregar_referencia
from protocolo.settings import Settings

RESULTADOS = Path(__file__).parent / "resultados" / "reconciliacao.json"
console = Console()


def _medir(caso: str, dia: str | None) -> None:
    """In a child process: read the raw topic to its end, print {events, seconds, peak RSS} as JSON."""
    settings = Settings()
    faixa = Faixa(desde=date.fromisoformat(dia), ate=date.fromisoformat(dia)) if dia else Faixa()
    conciliacao = Conciliacao(faixa, catalogo=catalogo_padrao(), restrito_publico=False)
    eventos = 0
    inicio = time.perf_counter()
    with Leitor(settings.kafka, settings.kafka.topics.eventos) as leitor:
        while not leitor.no_fim:
            for mensagem in leitor.ler():
                eventos += 1
                if caso == "leitor":
                    mensagem.value()
                else:
                    escrito = datetime.fromtimestamp(mensagem.timestamp()[1] / 1000, UTC)
                    conciliacao.evento(mensagem.value(), escrito_em=escrito)
    segundos = time.perf_counter() - inicio
    linhas = len(conciliacao.relatorio().linhas) if caso != "leitor" else 0
    pico_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"eventos": eventos, "segundos": segundos, "pico_rss_mb": pico_mb, "linhas": linhas}))  # noqa: T201


def _produzir(settings: Settings, carga: Carga) -> str:
    """Produce the workload; returns the Brasília day of its first event (for the one-day case)."""
    producer = make_producer(settings.kafka, **{"linger.ms": 50})
    primeiro: str | None = None
    catalogo = catalogo_padrao()
    falhas: list[object] = []

    def entregue(erro: object, _mensagem: object) -> None:
        if erro is not None:
            falhas.append(erro)

    for n, (chave, valor) in enumerate(carga.mensagens()):
        if primeiro is None:
            primeiro = dia_de_brasilia(catalogo.decode("evento", valor)["ocorrido_em"]).isoformat()
        produce(producer, settings.kafka.topics.eventos, chave, valor, on_delivery=entregue)
        if n % 10_000 == 0:
            producer.poll(0)
    drain(producer, 120)
    assert primeiro is not None and not falhas, f"{len(falhas)} messages not acknowledged: {falhas[:3]}"
    return primeiro


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eventos", type=int, default=1_000_000)
    parser.add_argument("--caso", choices=("leitor", "completo", "um-dia"), help=argparse.SUPPRESS)
    parser.add_argument("--dia", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.caso:
        _medir(args.caso, args.dia)
        return
    stack = iniciar_pilha("reconciliacao")
    try:
        settings = stack.settings
        console.print(f"produzindo {args.eventos} eventos…")
        dia = _produzir(settings, Carga(args.eventos, carregar_referencia()))
        figuras = {}
        for caso in ("leitor", "completo", "um-dia"):
            comando = [sys.executable, "-m", "bench.reconciliacao", "--caso", caso]
            comando += ["--dia", dia] if caso == "um-dia" else []
            saida = subprocess.run(
                comando,
                env={**os.environ, **settings.to_env()},
                capture_output=True,
                text=True,
                check=True,
                timeout=3600,
            )
            figuras[caso] = json.loads(saida.stdout.strip().splitlines()[-1])
            f = figuras[caso]
            console.print(
                f"{caso:9} {f['eventos'] / f['segundos']:>10,.0f} eventos/s  pico {f['pico_rss_mb']:.0f} MB"
            )
    finally:
        stack.parar()
    razao = (figuras["completo"]["eventos"] / figuras["completo"]["segundos"]) / (
        figuras["leitor"]["eventos"] / figuras["leitor"]["segundos"]
    )
    console.print(f"reconcile / leitor puro: {razao:.1%} da taxa")
    gravar_resultados(
        RESULTADOS,
        {"eventos": args.eventos, "dia_do_caso_um_dia": dia, "casos": figuras, "razao_taxa": razao},
        console,
    )


if __name__ == "__main__":
    main()
