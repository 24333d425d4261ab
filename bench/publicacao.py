"""Benchmark of the three ways agencies publish, against raw confluent-kafka in the same run.

    .venv/bin/python -m bench.publicacao [--eventos 1000000] [--lote 500] [--saida resultado.json]

Starts its own local broker (and search server, which the API needs) on free ports, generates
simulated valid events once, then measures, each on a fresh topic:
  raw        confluent-kafka producing the same Avro bytes (the baseline: no validation, no encoding)
  library    producers.publisher.Publisher.publish(dict): validate + encode + produce + acks
  cli        `protocolo publish file.jsonl` as a subprocess (interpreter start-up included)
  gateway    POST /api/v1/eventos with batches of --lote events to a real uvicorn API process
It also measures the peak resident memory of the `protocolo publish` process on the whole file and on its
first 100,000 events (a tenth of them for smaller runs): the reader and the publisher stream, so both
figures should be about the same. Prints events/s and the ratio to raw, and writes them to
bench/resultados/publicacao.json (or --saida).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from bench.pilha import iniciar_pilha
from bench.saida import gravar_resultados
from cli.simulation.simulator import SimulationConfig, Simulator
from cli.stack import LocalStack
from producers.publisher import Publisher
from protocolo.avro import catalogo_padrao
from protocolo.credenciais import gerar_credencial
from protocolo.credenciais_topico import gravar_credencial
from protocolo.kafka import create_topics, make_producer
from protocolo.referencia import carregar_referencia
from protocolo.registros import evento_mensagem
from protocolo.settings import (
    Settings,
    TopicSettings,
)
from protocolo.validation import evento_from_json

console = Console(highlight=False)
RESULTADOS = Path(__file__).parent / "resultados" / "publicacao.json"


def _com_topico_novo(base: Settings) -> Settings:
    tag = uuid.uuid4().hex[:6]
    topicos = TopicSettings(eventos=f"bench{tag}.eventos", credenciais=base.kafka.topics.credenciais)
    kafka = base.kafka.model_copy(update={"topics": topicos})
    settings = base.model_copy(update={"kafka": kafka})
    create_topics(settings.kafka)
    return settings


def _medir(nome: str, n: int, funcao: Callable[[], None]) -> dict[str, float]:
    inicio = time.perf_counter()
    funcao()
    segundos = time.perf_counter() - inicio
    console.print(f"  {nome:8s} {n:>9,d} eventos em {segundos:7.2f} s = {n / segundos:>10,.0f} eventos/s")
    return {"eventos": n, "segundos": round(segundos, 3), "eventos_por_s": round(n / segundos, 1)}


# Runs the command in a child of its own and prints that child's peak RSS (KiB). Measured from the bench
# process itself, ru_maxrss would include the bench's own memory: Linux carries the RSS of the process image
# a child had before exec (a copy of its parent's) into its maximum.
_MEDIR_MEMORIA = """
import os, sys
pid = os.fork()
if pid == 0:
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    os.execv(sys.executable, [sys.executable, *sys.argv[1:]])
_pid, status, uso = os.wait4(pid, 0)
print(uso.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _publicar_arquivo(settings: Settings, arquivo: Path) -> float:
    """Run `protocolo publish arquivo` to the end; returns the peak RSS of that process, in MB."""
    saida = subprocess.run(
        [sys.executable, "-c", _MEDIR_MEMORIA, "-m", "cli", "publish", str(arquivo)],
        env={**os.environ, **settings.to_env()},
        capture_output=True,
        text=True,
        check=False,
    )
    assert saida.returncode == 0, saida.stderr[-2000:]
    return round(int(saida.stdout) / 1024, 1)  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--eventos", type=int, default=200_000)
    parser.add_argument("--lote", type=int, default=500)
    parser.add_argument("--saida", type=Path, default=RESULTADOS, help="where the JSON result goes")
    args = parser.parse_args()
    n = args.eventos

    stack = iniciar_pilha("publicacao", gateway_max_eventos=args.lote, gateway_max_bytes=50_000_000)
    base = stack.settings
    try:
        console.print(f"gerando {n:,d} eventos simulados válidos…")
        config = SimulationConfig(seed=1, duplicate_fraction=0, disorder_fraction=0, invalid_fraction=0)
        simulador = Simulator(config, carregar_referencia())
        eventos: list[dict[str, Any]] = []
        for dados in simulador.eventos():
            eventos.append(dados)
            if len(eventos) >= n:
                break
        catalogo = catalogo_padrao()
        mensagens = [evento_mensagem(catalogo, evento_from_json(e)) for e in eventos]
        medidas: dict[str, Any] = {}

        settings = _com_topico_novo(base)

        def cru() -> None:
            producer = make_producer(settings.kafka)
            for chave, valor in mensagens:
                while True:
                    try:
                        producer.produce(settings.kafka.topics.eventos, key=chave, value=valor)
                        break
                    except BufferError:
                        producer.poll(0.1)
                producer.poll(0)
            assert producer.flush(60) == 0

        medidas["raw"] = _medir("raw", n, cru)

        settings = _com_topico_novo(base)

        def biblioteca() -> None:
            with Publisher(settings.kafka) as publisher:
                for dados in eventos:
                    publisher.publish(dados)

        medidas["library"] = _medir("library", n, biblioteca)

        settings = _com_topico_novo(base)
        arquivo = base.state_dir / "eventos.jsonl"
        arquivo.write_text(
            "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in eventos), encoding="utf-8"
        )

        memoria: dict[int, float] = {}

        def cli() -> None:
            memoria[n] = _publicar_arquivo(settings, arquivo)

        medidas["cli"] = _medir("cli", n, cli)
        menor = 100_000 if n > 100_000 else max(1, n // 10)
        parte = base.state_dir / "eventos-parte.jsonl"
        with arquivo.open(encoding="utf-8") as todos, parte.open("w", encoding="utf-8") as destino:
            destino.writelines(itertools.islice(todos, menor))
        memoria[menor] = _publicar_arquivo(_com_topico_novo(base), parte)
        memoria_cli = {str(k): memoria[k] for k in sorted(memoria)}
        console.print(
            "  memória de pico (cli): "
            + ", ".join(f"{int(k):,d} eventos {mb:.0f} MB" for k, mb in memoria_cli.items())
        )

        settings = _com_topico_novo(base)
        stack_api = LocalStack(settings, servicos=("api",), avisar=lambda _m: None)
        lotes: dict[str, list[dict[str, Any]]] = {}
        for e in eventos:
            lotes.setdefault(e["orgao"], []).append(e)
        tokens = {}
        for orgao in lotes:
            credencial, token = gerar_credencial(
                settings.chaveiro.atual, orgao=orgao, agora=datetime.now(UTC)
            )
            gravar_credencial(settings.kafka, credencial)
            tokens[orgao] = token
        stack_api.iniciar_servicos()
        try:

            def gateway() -> None:
                url = f"http://127.0.0.1:{settings.api.port}/api/v1/eventos"
                with httpx.Client(timeout=60) as cliente:
                    for orgao, dele in lotes.items():
                        cabecalho = {"Authorization": f"Bearer {tokens[orgao]}"}
                        for i in range(0, len(dele), args.lote):
                            resposta = cliente.post(url, json=dele[i : i + args.lote], headers=cabecalho)
                            while resposta.status_code == 503:  # credentials still loading
                                time.sleep(0.2)
                                resposta = cliente.post(url, json=dele[i : i + args.lote], headers=cabecalho)
                            assert resposta.status_code == 202, resposta.text[:500]

            medidas["gateway"] = _medir("gateway", n, gateway)
        finally:
            stack_api.parar()

        bruto = medidas["raw"]["eventos_por_s"]
        console.print("\nrazão sobre o produtor cru (mesma execução):")
        for nome, r in medidas.items():
            r["razao_sobre_raw"] = round(r["eventos_por_s"] / bruto, 3)
            console.print(f"  {nome:8s} {r['razao_sobre_raw']:.3f}")
        resultados = {
            "quando": datetime.now(UTC).isoformat(timespec="seconds"),
            "eventos": n,
            "lote_gateway": args.lote,
            "cpus": os.cpu_count(),
            "resultados": medidas,
            "pico_rss_mb_cli_por_eventos": memoria_cli,
        }
        gravar_resultados(args.saida, resultados, console)
    finally:
        stack.parar()


if __name__ == "__main__":
    main()
