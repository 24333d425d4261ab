"""Compare what the index holds with what the simulator's oracle says it must hold."""

from __future__ import annotations

from typing import Any

from confluent_kafka import OFFSET_BEGINNING, TopicPartition

from protocolo.avro import catalogo_padrao
from protocolo.kafka import make_consumer
from protocolo.search import make_search
from protocolo.settings import Settings

CAMPOS = ("versao", "situacao", "orgao_atual", "em_transito", "ultima_operacao")


def documentos_indexados(settings: Settings) -> dict[str, dict[str, Any]]:
    """Every public processo document, by NUP digits."""
    es = make_search(settings.search)
    try:
        es.indices.refresh(index=settings.search.alias("processos"))
        resposta = es.search(
            index=settings.search.alias("processos"),
            query={"term": {"publico": True}},
            size=10_000,
            source_excludes=["historico"],
        )
    finally:
        es.close()
    return {h["_source"]["nup"]: h["_source"] for h in resposta["hits"]["hits"]}


def diferencas(settings: Settings, oraculo: dict[str, Any]) -> list[str]:
    """Every way the public index differs from the oracle's public processos (empty when equal)."""
    esperados = {n: p for n, p in oraculo["processos"].items() if p["nivel_acesso"] == "PUBLICO"}
    indexados = documentos_indexados(settings)
    problemas = [f"{n}: falta no índice" for n in sorted(set(esperados) - set(indexados))]
    problemas += [f"{n}: não devia estar no índice" for n in sorted(set(indexados) - set(esperados))]
    for nup in sorted(set(esperados) & set(indexados)):
        problemas += diferencas_estado(nup, esperados[nup], indexados[nup])
    return problemas


def diferencas_estado(nup: str, esperado: dict[str, Any], obtido: dict[str, Any]) -> list[str]:
    """How one processo's public state (a snapshot or its document) differs from the oracle's."""
    problemas = [
        f"{nup}: {campo} = {obtido.get(campo)!r}, esperado {esperado[campo]!r}"
        for campo in CAMPOS
        if esperado[campo] != obtido.get(campo)
    ]
    localizacao = (obtido.get("localizacao") or {}).get("codigo")
    if esperado["localizacao"] != localizacao:
        problemas.append(f"{nup}: localizacao = {localizacao!r}, esperado {esperado['localizacao']!r}")
    return problemas


def cartas_mortas(
    settings: Settings, *, topico: str | None = None, espera_s: float = 3.0
) -> list[dict[str, Any]]:
    """Every dead-letter record on `topico` (default: the raw events' DLQ), until quiet for `espera_s`."""
    catalogo = catalogo_padrao()
    topico = topico or settings.kafka.topics.dlq
    consumer = make_consumer(settings.kafka, f"{settings.kafka.group_prefix}-leitor-dlq")
    particoes = consumer.list_topics(topico, timeout=10).topics[topico].partitions
    consumer.assign([TopicPartition(topico, p, OFFSET_BEGINNING) for p in particoes])  # no group join
    cartas: list[dict[str, Any]] = []
    try:
        quietos = 0.0
        while quietos < espera_s:
            lote = consumer.consume(num_messages=500, timeout=0.5)
            validas = [m for m in lote if m.error() is None]
            quietos = 0.0 if validas else quietos + 0.5
            cartas += [catalogo.decode("dead_letter", m.value() or b"") for m in validas]
    finally:
        consumer.close()
    return cartas


def diferencas_movimentos(settings: Settings, oraculo: dict[str, Any]) -> list[str]:
    """Movimentos missing from, or extra in, the public movimentos index."""
    es = make_search(settings.search)
    try:
        es.indices.refresh(index=settings.search.alias("movimentos"))
        resposta = es.search(index=settings.search.alias("movimentos"), size=10_000, source=False)
    finally:
        es.close()
    indexados = {h["_id"] for h in resposta["hits"]["hits"]}
    esperados = set(oraculo["movimentos_publicos"])
    return [f"{m}: falta" for m in sorted(esperados - indexados)] + [
        f"{m}: sobra" for m in sorted(indexados - esperados)
    ]
