"""Where a stream worker's time goes: the pure batch step in this process, next to Faust's own cost.

    .venv/bin/python -m bench.streams_lote [--eventos 50000] [--de 1000000]

Takes the first `--eventos` messages of the `--de`-event workload (bench/streams_carga.py: the same
interleaving of processos the stream benchmark has at that size), and runs them through
streams.lote.processar_lote with plain dicts as tables, in batches of 500 (a 2,000-event Faust batch
over the default 4 partitions). Reports CPU µs per event for the whole step, then for each of its parts
measured alone on the same events: decode + validate, fold, movimento record + encode, snapshot record +
encode, state encode and decode. Put next to the no-op Faust agent of bench/streams.py (its µs per event is
1e6 / its rate), these say how much of a worker's event is Faust and how much is ours.
Writes bench/resultados/streams_lote.json.
"""

from __future__ import annotations

import argparse
import itertools
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.saida import gravar_resultados
from bench.streams_carga import Carga
from protocolo.avro import catalogo_padrao
from protocolo.entrada import Entrada
from protocolo.fold import Processo, avancar
from protocolo.model import Evento
from protocolo.referencia import carregar_referencia
from streams.estado import estado_de_bytes, estado_para_bytes
from streams.intake import ler_evento
from streams.lote import Contexto, Tabelas, processar_lote
from streams.projection import movimento_record, snapshot_record

console = Console(highlight=False)
RESULTADOS = Path(__file__).parent / "resultados" / "streams_lote.json"
LOTE = 500


def _cpu_us(funcao: Callable[[], object], n: int) -> float:
    inicio = time.process_time()
    funcao()
    return (time.process_time() - inicio) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eventos", type=int, default=50_000)
    parser.add_argument("--de", type=int, default=1_000_000, help="the workload size it is cut from")
    args = parser.parse_args()
    referencia = carregar_referencia()
    catalogo = catalogo_padrao()
    mensagens = list(itertools.islice(Carga(args.de, referencia).mensagens(), args.eventos))
    ctx = Contexto(
        catalogo=catalogo, referencia=referencia, segredo=b"bench", restrito_publico=False, particoes=1
    )
    estados: dict[str, bytes] = {}
    identidades: dict[str, bytes] = {}
    arquivo: dict[str, bytes] = {}
    tabelas = Tabelas(estados=estados, identidades=identidades, arquivo=arquivo)
    entradas = [Entrada("eventos", 0, n, k, v, time.time()) for n, (k, v) in enumerate(mensagens)]
    contagens: dict[str, int] = {"snapshots": 0, "estados_lidos": 0}

    def lotes() -> None:
        for i in range(0, len(entradas), LOTE):
            lote = processar_lote(entradas[i : i + LOTE], tabelas, ctx, agora=time.time())
            contagens["snapshots"] += len(lote.processos)
            estados.update(lote.estados)
            identidades.update(lote.identidades)
            arquivo.update(lote.arquivo)

    n = len(entradas)
    passo = _cpu_us(lotes, n)
    # The parts, each alone over the same events (their sum is less than the step: the step's own
    # bookkeeping, dedupe lookups and record-size checks come on top).
    eventos = [e for e in (ler_evento(catalogo, v) for _, v in mensagens) if isinstance(e, Evento)]
    validas = [v for _, v in mensagens if isinstance(ler_evento(catalogo, v), Evento)]
    processos: list[Processo] = [avancar(None, e) for e in eventos]
    snapshots = [snapshot_record(p, referencia, segredo=b"bench", restrito_publico=False) for p in processos]
    movs = [movimento_record(e, p, referencia) for e, p in zip(eventos, processos, strict=True)]
    brutos = [estado_para_bytes(p, {"eventos": 1}) for p in processos]
    m = len(eventos)

    def _snapshot(p: Processo) -> dict[str, Any]:
        return snapshot_record(p, referencia, segredo=b"bench", restrito_publico=False)

    partes: dict[str, float] = {
        "decodificar_e_validar": _cpu_us(lambda: [ler_evento(catalogo, v) for v in validas], m),
        "dobrar": _cpu_us(lambda: [avancar(None, e) for e in eventos], m),
        "movimento_registro": _cpu_us(
            lambda: [movimento_record(e, p, referencia) for e, p in zip(eventos, processos, strict=True)], m
        ),
        "movimento_avro": _cpu_us(lambda: [catalogo.encode("movimento", r) for r in movs], m),
        "snapshot_registro": _cpu_us(
            lambda: [
                snapshot_record(p, referencia, segredo=b"bench", restrito_publico=False) for p in processos
            ],
            m,
        ),
        "snapshot_avro": _cpu_us(lambda: [catalogo.encode("processo", s) for s in snapshots], m),
        "estado_gravar": _cpu_us(lambda: [estado_para_bytes(p, {"eventos": 1}) for p in processos], m),
        "estado_ler": _cpu_us(lambda: [estado_de_bytes(b) for b in brutos], m),
    }
    tabela = Table("parte", "µs de CPU por evento")
    tabela.add_row("passo do lote inteiro (processar_lote)", f"{passo:.1f}")
    for nome, us in partes.items():
        tabela.add_row(f"  {nome} (sozinho, por ocorrência)", f"{us:.1f}")
    console.print(tabela)
    snap_por_evento = contagens["snapshots"] / n
    console.print(
        f"{n:,d} mensagens de uma carga de {args.de:,d}: {snap_por_evento:.2f} snapshots por mensagem; "
        f"o passo sozinho faria {1e6 / passo:,.0f} eventos/s num núcleo"
    )
    r: dict[str, Any] = {
        "quando": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "mensagens": n,
        "carga_de": args.de,
        "lote": LOTE,
        "passo_us_por_evento": round(passo, 1),
        "passo_eventos_por_s_num_nucleo": round(1e6 / passo),
        "snapshots_por_mensagem": round(snap_por_evento, 3),
        "partes_us_por_ocorrencia": {k: round(v, 1) for k, v in partes.items()},
    }
    gravar_resultados(RESULTADOS, r, console)


if __name__ == "__main__":
    main()
