"""Benchmark of the archiver process against a plain consumer of the same topic, and of `audit verify`.

    .venv/bin/python -m bench.arquivo [--eventos 1000000] [--tamanho 300]

Starts its own local broker on a free port and produces `--eventos` raw messages of about
`--tamanho` bytes (key = 17 NUP digits, as agencies' events). Then, in the same run:
  consumidor  protocolo.leitura.ler_ate_o_fim over the topic: reading alone (the baseline)
  arquivador  `python -m archiver` as a real process, from its start until the checkpoint of all
              `--eventos` events is on disk (group join, fsync per batch, segments and checkpoints);
              also the sustained rate between the checkpoints nearest to 10 % and 100 %
  verify      archiver.verificacao.verificar_arquivo over the archive it wrote (every hash and
              signature), in the benchmark's own process
The goal (issue 15): the archiver keeps up with at least 5× the stream stage's rate, read from
bench/resultados/streams.json. Writes bench/resultados/arquivo.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from archiver.chave import ler_chave
from archiver.pasta import listar_checkpoints
from archiver.verificacao import verificar_arquivo
from bench.pilha import iniciar_pilha
from bench.saida import gravar_resultados
from protocolo.kafka import make_producer
from protocolo.leitura import ler_ate_o_fim
from protocolo.settings import ArquivoSettings, KafkaSettings

console = Console(highlight=False)
RESULTADOS = Path(__file__).parent / "resultados" / "arquivo.json"
STREAMS = Path(__file__).parent / "resultados" / "streams.json"


def _produzir(kafka: KafkaSettings, topico: str, eventos: int, tamanho: int) -> float:
    """Produce the workload as fast as the producer goes; returns the seconds it took."""
    producer = make_producer(kafka, **{"linger.ms": 20, "batch.size": 1_000_000})
    rng = random.Random(15)
    enchimento = rng.randbytes(4096).hex().encode()
    inicio = time.monotonic()
    for i in range(eventos):
        chave = f"{rng.randrange(10**16, 10**17):017d}".encode()
        corpo = b'{"id": "BENCH-%d", "orgao": "26000", "operacao": "ENVIO", "extra": "' % i
        preenchimento = max(tamanho - len(corpo) - 2, 0)
        valor = corpo + enchimento[i % 1024 : i % 1024 + preenchimento] + b'"}'
        while True:
            try:
                producer.produce(topico, valor, chave)
                break
            except BufferError:
                producer.poll(0.05)
        if i % 10_000 == 0:
            producer.poll(0)
    producer.flush(120)
    return time.monotonic() - inicio


def _consumidor(kafka: KafkaSettings, topico: str) -> tuple[int, float]:
    inicio = time.monotonic()
    lidas = sum(1 for _ in ler_ate_o_fim(kafka, topico))
    return lidas, time.monotonic() - inicio


def main() -> None:
    """Run the benchmark and write its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eventos", type=int, default=1_000_000)
    parser.add_argument("--tamanho", type=int, default=300, help="bytes of each message's value")
    args = parser.parse_args()
    n = args.eventos
    passo = max(n // 20, 1)
    stack = iniciar_pilha(
        "arquivo",
        servicos=("archiver",),
        substituir={"arquivo": ArquivoSettings(checkpoint_eventos=passo, checkpoint_s=3600)},
    )
    settings = stack.settings
    topico = settings.kafka.topics.eventos
    try:
        console.print(f"produzindo {n} eventos de ~{args.tamanho} bytes…")
        producao_s = _produzir(settings.kafka, topico, n, args.tamanho)
        lidas, consumidor_s = _consumidor(settings.kafka, topico)
        assert lidas == n, f"plain consumer read {lidas} of {n}"
        console.print(f"consumidor simples: {n / consumidor_s:,.0f} eventos/s")
        pasta = settings.pasta_arquivo()
        inicio = time.monotonic()
        stack.iniciar_servicos()
        vistos: dict[int, float] = {}
        while n not in vistos:
            agora = time.monotonic()
            for tamanho, _ in listar_checkpoints(pasta):
                vistos.setdefault(tamanho, agora)
            if stack.morto() is not None:
                raise SystemExit("o arquivador parou; veja o log em " + str(stack.pasta_logs))
            if agora - inicio > 3600:
                raise SystemExit("o arquivador não arquivou tudo em uma hora")
            time.sleep(0.05)
        arquivador_s = vistos[n] - inicio
        apos_10 = min((t for t in vistos if t >= n // 10), default=n)
        sustentado = (n - apos_10) / (vistos[n] - vistos[apos_10]) if apos_10 < n else None
        memoria = _pico_mb(stack.process("archiver").pid)
    finally:
        stack.parar()
    bytes_arquivo = sum(f.stat().st_size for f in (pasta / "segmentos").iterdir())
    verificador = ler_chave(settings.chave_arquivo()).verificador
    inicio = time.monotonic()
    relatorio = verificar_arquivo(pasta, verificador)
    verify_s = time.monotonic() - inicio
    assert relatorio.ok and relatorio.eventos == n, relatorio.falhas[:5]

    streams = json.loads(STREAMS.read_text(encoding="utf-8"))["streams"]["total_eventos_por_s"]
    resultados = {
        "quando": datetime.now(UTC).isoformat(timespec="seconds"),
        "eventos": n,
        "bytes_por_valor": args.tamanho,
        "cpus": os.cpu_count(),
        "producao_s": round(producao_s, 1),
        "consumidor_simples_eventos_por_s": round(n / consumidor_s, 1),
        "arquivador": {
            "total_eventos_por_s": round(n / arquivador_s, 1),
            "sustentado_10_100_eventos_por_s": round(sustentado, 1) if sustentado else None,
            "duracao_s": round(arquivador_s, 1),
            "memoria_pico_mb": memoria,
            "bytes_no_disco_por_evento": round(bytes_arquivo / n, 1),
        },
        "verify_eventos_por_s": round(n / verify_s, 1),
        "razoes": {
            "arquivador_sobre_consumidor_simples": round(consumidor_s / arquivador_s, 3),
            "arquivador_sobre_streams": round(n / arquivador_s / streams, 2),
            "streams_eventos_por_s_referencia": streams,
        },
    }
    tabela = Table("medida", "valor")
    tabela.add_row("consumidor simples", f"{n / consumidor_s:,.0f} eventos/s")
    tabela.add_row("arquivador (do início ao último checkpoint)", f"{n / arquivador_s:,.0f} eventos/s")
    if sustentado:
        tabela.add_row("arquivador sustentado (10 % → 100 %)", f"{sustentado:,.0f} eventos/s")
    tabela.add_row("verify", f"{n / verify_s:,.0f} eventos/s")
    tabela.add_row("arquivador / consumidor simples", f"{consumidor_s / arquivador_s:.3f}")
    tabela.add_row(
        f"arquivador / streams ({streams:,.0f} eventos/s)", f"{n / arquivador_s / streams:.1f}× (meta ≥ 5×)"
    )
    console.print(tabela)
    gravar_resultados(RESULTADOS, resultados, console)


def _pico_mb(pid: int) -> float | None:
    """VmHWM (peak resident set) of a running process, in MB."""
    try:
        for linha in Path(f"/proc/{pid}/status").read_text().splitlines():
            if linha.startswith("VmHWM:"):
                return round(int(linha.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


if __name__ == "__main__":
    main()
