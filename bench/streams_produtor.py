"""The streams' producer batching, swept: linger and batch size against the stream stage's rate.

    .venv/bin/python -m bench.streams_produtor [--eventos 100000] [--linger-ms 0,5,20,50]
        [--lote-kb 64,256,1024]

Each combination is one `bench.streams --fases faust,streams` run (fresh local broker, the same
workload), with PROTOCOLO_STREAMS_PRODUCER_LINGER_S and PROTOCOLO_STREAMS_PRODUCER_MAX_BATCH_BYTES
set for the worker. The no-op Faust agent of the same run is the baseline of each figure, so runs
made while the machine was busier stay comparable. Figures go to the console and
bench/resultados/streams_produtor.json; the defaults of StreamsSettings come from here.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.saida import gravar_resultados

console = Console(highlight=False, soft_wrap=True)
RESULTADOS = Path(__file__).parent / "resultados" / "streams_produtor.json"


def _rodar(eventos: int, linger_ms: float, lote_bytes: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-produtor-") as pasta:
        saida = Path(pasta) / "streams.json"
        env = {
            **os.environ,
            "PROTOCOLO_STREAMS_PRODUCER_LINGER_S": str(linger_ms / 1000),
            "PROTOCOLO_STREAMS_PRODUCER_MAX_BATCH_BYTES": str(lote_bytes),
        }
        argv = [sys.executable, "-m", "bench.streams", "--eventos", str(eventos)]
        argv += ["--fases", "faust,streams", "--resultados", str(saida)]
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
        r = json.loads(saida.read_text())
    streams, vazio = r["streams"], r["faust_vazio"]
    return {
        "linger_ms": linger_ms,
        "lote_bytes": lote_bytes,
        "streams_eventos_por_s": streams["total_eventos_por_s"],
        "faust_vazio_eventos_por_s": vazio["total_eventos_por_s"],
        "razao_sobre_faust_vazio": r["razoes"]["sobre_faust_vazio"],
        "versao_divergente": r["correcao"]["versao_divergente"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--eventos", type=int, default=100_000)
    parser.add_argument("--linger-ms", default="0,5,20,50")
    parser.add_argument("--lote-kb", default="64,256,1024")
    args = parser.parse_args()
    lingers = [float(x) for x in args.linger_ms.split(",")]
    lotes = [int(x) * 1024 for x in args.lote_kb.split(",")]
    padrao_lote = 256 * 1024
    # linger swept at the default batch size, then batch size at the default linger
    combinacoes = [(lg, padrao_lote) for lg in lingers] + [(5.0, lt) for lt in lotes if lt != padrao_lote]
    linhas = []
    for linger, lote in combinacoes:
        console.print(f"linger {linger:g} ms, lote {lote // 1024} KB…")
        linhas.append(_rodar(args.eventos, linger, lote))
    tabela = Table("linger (ms)", "lote (KB)", "streams ev/s", "Faust vazio ev/s", "razão")
    for linha in linhas:
        tabela.add_row(
            f"{linha['linger_ms']:g}",
            str(linha["lote_bytes"] // 1024),
            f"{linha['streams_eventos_por_s']:,.0f}",
            f"{linha['faust_vazio_eventos_por_s']:,.0f}",
            f"{linha['razao_sobre_faust_vazio']:.3f}",
        )
    console.print(tabela)
    gravar_resultados(
        RESULTADOS,
        {
            "quando": datetime.now(UTC).isoformat(timespec="seconds"),
            "eventos": args.eventos,
            "cpus": os.cpu_count(),
            "execucoes": linhas,
        },
        console,
    )


if __name__ == "__main__":
    main()
