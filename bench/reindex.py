"""Benchmark of `protocolo reindex` against a raw bulk load of the same documents, in the same run.

    .venv/bin/python -m bench.reindex [--documentos 1000000] [--lote 2000]

Starts its own local broker and search server on free ports and produces `--documentos` records:
a quarter processo snapshots (one per NUP, as the compacted topic holds them), the rest movimentos,
copied from the records the streams emit for simulated traffic (new NUPs and ids). Then, on the same
server:
  raw       elasticsearch.helpers.bulk of the documents, built beforehand in memory, into fresh
            indices created with the reindex's own backfill settings (no refresh, no replicas),
            chunks of --lote (the baseline: no Kafka, no decoding, no plan)
  reindex   `indexer.reindexacao.Reindexacao.executar()`: new indices, read both topics to their
            end, the indexer's plan and sink, restore settings, refresh, swap the aliases, catch up,
            count
Both count documents per second. The ratio reindex / raw is the goal (≥ 0.9). Prints a table and
writes bench/resultados/reindex.json.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch, helpers
from rich.console import Console
from rich.table import Table

from bench.indexacao import registros_dos_streams
from bench.pilha import iniciar_pilha
from bench.saida import gravar_resultados
from indexer.documents import acoes_do_lote
from indexer.indices import instalar_templates
from indexer.mappings import INDICES, definicao
from indexer.reindexacao import Reindexacao
from protocolo.avro import catalogo_padrao
from protocolo.kafka import make_producer
from protocolo.produce import produce_and_wait
from protocolo.search import make_search
from protocolo.settings import Settings

console = Console(highlight=False)
RESULTADOS = Path(__file__).parent / "resultados" / "reindex.json"

Registro = tuple[str, dict[str, Any]]


def registros(documentos: int) -> Iterator[Registro]:
    """`documentos` records: one snapshot per NUP for every three movimentos, all distinct."""
    modelos = list(registros_dos_streams(40))
    snapshots = [r for n, r in modelos if n == "processo" and r["publico"]]
    movimentos = [r for n, r in modelos if n == "movimento"]
    for i in range(documentos // 4):
        nup = f"{i:017d}"
        yield "processo", {**snapshots[i % len(snapshots)], "nup": nup}
        for j in range(3):
            yield "movimento", {**movimentos[(3 * i + j) % len(movimentos)], "nup": nup, "id": f"B:{i}-{j}"}


def _publicar(settings: Settings, documentos: int) -> int:
    """Produce the records, in chunks acknowledged by the broker; returns how many."""
    catalogo = catalogo_padrao()
    producer = make_producer(settings.kafka)
    topicos = {"processo": settings.kafka.topics.processos, "movimento": settings.kafka.topics.movimentos}
    n = 0
    for nome, topico in topicos.items():
        lote: list[tuple[bytes | None, bytes | None]] = []
        for tipo, registro in registros(documentos):
            if tipo == nome:
                lote.append((registro["nup"].encode(), catalogo.encode(nome, registro)))
            if len(lote) == 10_000:
                produce_and_wait(producer, topico, lote, timeout_s=120)
                n, lote = n + len(lote), []
        produce_and_wait(producer, topico, lote, timeout_s=120)
        n += len(lote)
    return n


def _bruto(es: Elasticsearch, settings: Settings, documentos: int, lote: int) -> float:
    """Seconds for helpers.bulk of every document into fresh indices with the backfill settings."""
    search = settings.search
    instalar_templates(es, search)
    indices = {nome: f"{search.alias(nome)}-v0-cru" for nome in INDICES}
    for nome, indice in indices.items():
        corpo = definicao(nome)
        corpo["settings"] = {**corpo["settings"], "number_of_replicas": 0, "refresh_interval": "-1"}
        es.indices.create(index=indice, **corpo)
    acoes = [
        acao.to_bulk()
        for nome, registro in registros(documentos)
        for acao in acoes_do_lote(
            [registro] if nome == "processo" else [],
            [registro] if nome == "movimento" else [],
            indice_processos=indices["processos"],
            indice_movimentos=indices["movimentos"],
        )
    ]
    inicio = time.perf_counter()
    # The backoff of the indexer's sink (0.2 s doubling to 10 s) on 429, not helpers.bulk's 2 s start.
    _ok, falhas = helpers.bulk(
        es, acoes, chunk_size=lote, raise_on_error=False, max_retries=10, initial_backoff=0.2, max_backoff=10
    )
    es.indices.refresh(index=",".join(indices.values()))
    segundos = time.perf_counter() - inicio
    assert isinstance(falhas, list)
    recusas = [f for f in falhas if f["index"]["status"] != 409]  # a retried 429 finds its own write
    assert recusas == [], recusas[:2]
    assert int(es.count(index=",".join(indices.values()))["count"]) == len(acoes)
    return segundos


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documentos", type=int, default=1_000_000)
    parser.add_argument("--lote", type=int, default=2000, help="tamanho do bulk (o da reindexação)")
    args = parser.parse_args()

    stack = iniciar_pilha("reindex")
    settings = stack.settings
    try:
        console.print(f"produzindo {args.documentos:,d} registros…")
        n = _publicar(settings, args.documentos)
        es = make_search(settings.search)
        cru = settings.model_copy(
            update={"search": settings.search.model_copy(update={"index_prefix": "cru"})}
        )
        console.print("bulk cru (helpers.bulk)…")
        s_cru = _bruto(es, cru, args.documentos, args.lote)
        es.indices.delete(index="cru-*")  # the local server keeps everything in RAM
        console.print("reindexação (Reindexacao.executar)…")
        inicio = time.perf_counter()
        resumo = Reindexacao(settings, lote_max=args.lote).executar()
        s_reindex = time.perf_counter() - inicio
        assert resumo.no_indice == resumo.esperados, (resumo.no_indice, resumo.esperados)
        assert sum(resumo.no_indice.values()) == n
        razao = s_cru / s_reindex
        tabela = Table(title=f"reindexação: {n:,d} documentos, mesma execução")
        for coluna in ("", "segundos", "documentos/s", "razão sobre o cru"):
            tabela.add_column(coluna, justify="right")
        tabela.add_row("bulk cru", f"{s_cru:.1f}", f"{n / s_cru:,.0f}", "1.000")
        tabela.add_row("reindex", f"{s_reindex:.1f}", f"{n / s_reindex:,.0f}", f"{razao:.3f}")
        console.print(tabela)
        gravar_resultados(
            RESULTADOS,
            {
                "quando": datetime.now(UTC).isoformat(timespec="seconds"),
                "documentos": n,
                "lote": args.lote,
                "cpus": os.cpu_count(),
                "resultados": {
                    "raw": {"segundos": round(s_cru, 3), "documentos_por_s": round(n / s_cru, 1)},
                    "reindex": {"segundos": round(s_reindex, 3), "documentos_por_s": round(n / s_reindex, 1)},
                },
                "razao_reindex_sobre_raw": round(razao, 3),
            },
            console,
        )
    finally:
        stack.parar()


if __name__ == "__main__":
    main()
