"""Benchmark of the indexer process against raw `helpers.bulk` of the same documents, in the same run.

    .venv/bin/python -m bench.indexacao [--processos 10000] [--lote 1000]

Starts its own local broker and search server on free ports, simulates `--processos` processos
(clean traffic) and makes, event by event, the records the streams emit: one processo snapshot
per event (the full state so far) and one movimento per public event. Then, on the same server:
  raw       elasticsearch.helpers.bulk of every record's document, in topic order, chunks of --lote
            (the baseline: no Kafka, no decoding, no coalescing, no commits)
  indexer   `python -m indexer` as a real process consuming the same records from Kafka, from its
            start until the index holds every document (includes the consumer-group join)
Both figures count input records per second (snapshots + movimentos); the indexer may write fewer
documents (batch coalescing keeps the newest snapshot per processo). The ratio indexer / raw is
the goal (≥ 0.8). Prints a table and writes bench/resultados/indexacao.json.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from confluent_kafka import KafkaError, Message, TopicPartition
from elasticsearch import Elasticsearch, helpers
from rich.console import Console
from rich.table import Table

from bench.pilha import iniciar_pilha
from bench.saida import gravar_resultados
from cli.simulation.simulator import SimulationConfig, Simulator
from cli.stack import LocalStack
from indexer.documents import acoes_do_lote
from indexer.indices import garantir_indices
from protocolo.avro import catalogo_padrao
from protocolo.fold import fold_processo
from protocolo.kafka import make_consumer, make_producer
from protocolo.model import Evento
from protocolo.referencia import carregar_referencia
from protocolo.search import make_search
from protocolo.settings import Settings
from protocolo.validation import evento_from_json
from streams.projection import eh_publico, movimento_record, snapshot_record

console = Console(highlight=False)
RESULTADOS = Path(__file__).parent / "resultados" / "indexacao.json"
SEGREDO = b"bench"

Registro = tuple[str, dict[str, Any]]  # ("processo" | "movimento", record)


def eventos_limpos(processos: int, *, seed: int = 1) -> Iterator[Evento]:
    """The simulator's valid events of `processos` processos, no resends, disorder or invalid ones."""
    config = SimulationConfig(
        seed=seed, processos=processos, duplicate_fraction=0, disorder_fraction=0, invalid_fraction=0
    )
    for dados in Simulator(config, carregar_referencia()).eventos():
        yield evento_from_json(dados)


def registros_dos_streams(processos: int, *, seed: int = 1) -> Iterator[Registro]:
    """What the streams emit for the simulated traffic: a snapshot per event, a movimento per public one."""
    referencia = carregar_referencia()
    por_nup: dict[str, list[Evento]] = {}
    for evento in eventos_limpos(processos, seed=seed):
        eventos = por_nup.setdefault(evento.nup, [])
        eventos.append(evento)
        processo = fold_processo(eventos)
        yield "processo", snapshot_record(processo, referencia, segredo=SEGREDO, restrito_publico=False)
        if eh_publico(processo.nivel_acesso, restrito_publico=False):
            yield "movimento", movimento_record(evento, processo, referencia)


def _publicar(settings: Settings, registros: list[Registro]) -> dict[tuple[str, int], int]:
    """Produce every record; returns the end offset of each partition written."""
    catalogo = catalogo_padrao()
    producer = make_producer(settings.kafka)
    topicos = {"processo": settings.kafka.topics.processos, "movimento": settings.kafka.topics.movimentos}
    fins: dict[tuple[str, int], int] = {}

    def _anotar(erro: KafkaError | None, mensagem: Message) -> None:
        assert erro is None, erro
        chave = (mensagem.topic() or "", mensagem.partition() or 0)
        fins[chave] = max(fins.get(chave, 0), (mensagem.offset() or 0) + 1)

    for nome, registro in registros:
        valor = catalogo.encode(nome, registro)
        while True:
            try:
                producer.produce(
                    topicos[nome], key=registro["nup"].encode(), value=valor, on_delivery=_anotar
                )
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)
    assert producer.flush(60) == 0
    return fins


def _comprometido(settings: Settings, fins: dict[tuple[str, int], int]) -> bool:
    """Whether the indexer's group committed every partition up to its end (after the server's ack)."""
    consumidor = make_consumer(settings.kafka, settings.kafka.group("indexer"))
    try:
        particoes = consumidor.committed([TopicPartition(t, p) for t, p in fins], timeout=10)
    finally:
        consumidor.close()
    return all(tp.offset == fins[(tp.topic, tp.partition)] for tp in particoes)


def _contagens(es: Elasticsearch, settings: Settings) -> tuple[int, int]:
    contar = es.options(ignore_status=404).count
    processos = contar(index=settings.search.alias("processos")).body.get("count", 0)
    movimentos = contar(index=settings.search.alias("movimentos")).body.get("count", 0)
    return int(processos), int(movimentos)


def _bruto(es: Elasticsearch, settings: Settings, registros: list[Registro], lote: int) -> float:
    """Seconds for helpers.bulk of every record's document (external versions, as the indexer sends)."""
    garantir_indices(es, settings.search)
    search = settings.search
    acoes = (
        acao.to_bulk()
        for nome, registro in registros
        for acao in acoes_do_lote(
            [registro] if nome == "processo" else [],
            [registro] if nome == "movimento" else [],
            indice_processos=search.alias("processos"),
            indice_movimentos=search.alias("movimentos"),
        )
    )
    inicio = time.perf_counter()
    _ok, falhas = helpers.bulk(es, acoes, chunk_size=lote, raise_on_error=False, max_retries=5)
    assert isinstance(falhas, list)
    falhas = [f for f in falhas if f["index"]["status"] != 409]  # a retried 429 finds its own write
    erros = len(falhas)
    if falhas:
        console.print(falhas[:2])
    segundos = time.perf_counter() - inicio
    assert erros == 0, f"{erros} documentos recusados no bulk cru"
    return segundos


def _indexador(settings: Settings, fins: dict[tuple[str, int], int]) -> tuple[float, float]:
    """Seconds from starting `python -m indexer` until it committed every record (each batch is
    committed once the server acknowledged it), and from its first document until then."""
    es = make_search(settings.search)
    stack = LocalStack(settings, servicos=("indexer",))
    inicio = time.perf_counter()
    primeiro: float | None = None
    stack.iniciar_servicos()
    try:
        while not _comprometido(settings, fins):
            if primeiro is None and any(_contagens(es, settings)):
                primeiro = time.perf_counter()
            if stack.morto() is not None:
                raise RuntimeError(f"o indexador terminou; veja {stack.pasta_logs / 'indexer.log'}")
            time.sleep(0.1)
        fim = time.perf_counter()
    finally:
        stack.parar()
        es.close()
    return fim - inicio, fim - (primeiro or inicio)


def _com_prefixo(base: Settings, prefixo: str) -> Settings:
    search = base.search.model_copy(update={"index_prefix": prefixo})
    return base.model_copy(update={"search": search})


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--processos", type=int, default=10_000)
    parser.add_argument("--lote", type=int, default=1000, help="tamanho do bulk (o do indexador)")
    args = parser.parse_args()

    stack = iniciar_pilha("indexacao")
    base = stack.settings
    try:
        console.print(f"simulando {args.processos:,d} processos e os registros que os streams emitem…")
        registros = list(registros_dos_streams(args.processos))
        snapshots = sum(1 for nome, _ in registros if nome == "processo")
        nups = {r["nup"] for nome, r in registros if nome == "processo"}
        esperados = (len(nups), len(registros) - snapshots)
        console.print(
            f"  {len(registros):,d} registros: {snapshots:,d} snapshots de {len(nups):,d} processos, "
            f"{esperados[1]:,d} movimentos"
        )
        fins = _publicar(base, registros)

        es = make_search(base.search)
        cru = _com_prefixo(base, "cru")
        console.print("bulk cru (helpers.bulk)…")
        s_cru = _bruto(es, cru, registros, args.lote)
        assert _contagens(es, cru) == esperados
        es.indices.delete(index="cru-*")  # the local server keeps everything in RAM
        es.close()

        console.print("indexador (python -m indexer)…")
        indexado = _com_prefixo(base, "idx")
        s_total, s_regime = _indexador(indexado, fins)
        es = make_search(base.search)
        processos_idx, movimentos_idx = _contagens(es, indexado)
        es.close()
        # Fewer movimentos than raw: those of processos reclassified non-public were deleted with them.
        assert processos_idx == esperados[0] and movimentos_idx <= esperados[1]

        n = len(registros)
        medidas = {
            "raw": {"registros": n, "segundos": round(s_cru, 3), "registros_por_s": round(n / s_cru, 1)},
            "indexer": {
                "registros": n,
                "segundos": round(s_total, 3),
                "registros_por_s": round(n / s_total, 1),
                "segundos_desde_o_primeiro_documento": round(s_regime, 3),
                "registros_por_s_desde_o_primeiro_documento": round(n / s_regime, 1),
            },
        }
        razao = medidas["indexer"]["registros_por_s"] / medidas["raw"]["registros_por_s"]
        razao_regime = (
            medidas["indexer"]["registros_por_s_desde_o_primeiro_documento"]
            / (medidas["raw"]["registros_por_s"])
        )
        tabela = Table(title=f"indexação: {n:,d} registros ({len(nups):,d} processos), mesma execução")
        for coluna in ("", "segundos", "registros/s", "razão sobre o cru"):
            tabela.add_column(coluna, justify="right")
        tabela.add_row("bulk cru", f"{s_cru:.1f}", f"{n / s_cru:,.0f}", "1.000")
        tabela.add_row("indexador (total)", f"{s_total:.1f}", f"{n / s_total:,.0f}", f"{razao:.3f}")
        tabela.add_row(
            "indexador (após 1º doc)", f"{s_regime:.1f}", f"{n / s_regime:,.0f}", f"{razao_regime:.3f}"
        )
        console.print(tabela)
        resultados = {
            "quando": datetime.now(UTC).isoformat(timespec="seconds"),
            "processos": len(nups),
            "snapshots": snapshots,
            "movimentos": esperados[1],
            "movimentos_no_indice_do_indexador": movimentos_idx,
            "lote": args.lote,
            "cpus": os.cpu_count(),
            "resultados": medidas,
            "razao_indexer_sobre_raw": round(razao, 3),
            "razao_indexer_sobre_raw_desde_o_primeiro_documento": round(razao_regime, 3),
        }
        gravar_resultados(RESULTADOS, resultados, console)
    finally:
        stack.parar()


if __name__ == "__main__":
    main()
