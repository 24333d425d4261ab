"""`protocolo rebuild` against the real broker and search server, with the real streams worker.

Generation 1 (the streams and the indexer, as `protocolo up` runs them) folds simulated events
with the sample reference data; then an órgão is renamed in the reference data, and the rebuild must
carry the new name into the next generation's topics and, through the alias swap, into the index.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from confluent_kafka import TopicPartition
from elasticsearch import Elasticsearch, helpers

from bench.indexacao import eventos_limpos
from cli.stack import LocalStack
from protocolo.avro import catalogo_padrao
from protocolo.kafka import make_consumer
from protocolo.leitura import ler_ate_o_fim
from protocolo.referencia import carregar_referencia
from protocolo.referencia_topico import publicar_referencia
from protocolo.registros import evento_mensagem
from protocolo.search import make_search
from protocolo.settings import Settings
from streams.projection import eh_publico
from tests.fixtures.cli import run_cli
from tests.fixtures.espera import eventually
from tests.fixtures.kafka import produzir

NOVO_NOME = "Ministério Renomeado para o Teste"


def _documentos(es: Elasticsearch, alias: str) -> list[dict[str, Any]]:
    return [d["_source"] for d in helpers.scan(es, index=alias, query={"query": {"match_all": {}}})]


def _total(es: Elasticsearch, alias: str) -> int:
    return int(es.options(ignore_status=404).count(index=alias).body.get("count", 0))


def _ultimos(settings: Settings, topico: str, nome: str) -> dict[str, dict[str, Any]]:
    """The newest record per key of a derived topic, decoded."""
    catalogo = catalogo_padrao()
    return {
        (m.key() or b"").decode() + ("" if nome == "processo" else f"#{i}"): catalogo.decode(
            nome, m.value() or b""
        )
        for i, m in enumerate(ler_ate_o_fim(settings.kafka, topico, limite_s=60))
    }


def test_a_rebuild_carries_a_renamed_orgao_into_new_topics_and_the_index_for_old_events(
    settings_factory: Callable[..., Settings],
) -> None:
    settings = settings_factory()
    eventos = list(eventos_limpos(25, seed=3))
    catalogo = catalogo_padrao()
    produzir(settings.kafka, settings.kafka.topics.eventos, [evento_mensagem(catalogo, e) for e in eventos])
    nups = {e.nup for e in eventos}
    publicos = [e for e in eventos if eh_publico(e.nivel_acesso, restrito_publico=False)]
    es = make_search(settings.search)
    alias_p, alias_m = settings.search.alias("processos"), settings.search.alias("movimentos")

    geracao_1 = LocalStack(settings, servicos=("streams", "indexer"))
    geracao_1.iniciar_servicos()
    try:
        eventually(lambda: _total(es, alias_p) == len(nups), timeout=120, what="generation 1 indexed")
    finally:
        geracao_1.parar()
    orgao = eventos[0].orgao
    antes = [d for d in _documentos(es, alias_p) if d.get("orgao") == orgao]
    assert antes and all(d["orgao_nome"] != NOVO_NOME for d in antes)
    movimentos_antes = _total(es, alias_m)

    (antigo,) = [o for o in carregar_referencia().orgaos if o.codigo == orgao]
    publicar_referencia(settings.kafka, [replace(antigo, nome=NOVO_NOME)])
    resultado = run_cli(settings, "rebuild", timeout=400)
    assert resultado.returncode == 0, resultado.stdout + resultado.stderr

    processos_v2 = _ultimos(settings, f"{settings.kafka.topics.processos}.v2", "processo")
    movimentos_v2 = _ultimos(settings, f"{settings.kafka.topics.movimentos}.v2", "movimento")
    assert set(processos_v2) == nups
    do_orgao = [p for p in processos_v2.values() if p["orgao"] == orgao]
    assert do_orgao and all(p["orgao_nome"] == NOVO_NOME for p in do_orgao)
    assert sorted(m["id"] for m in movimentos_v2.values()) == sorted(f"{e.orgao}:{e.id}" for e in publicos)

    depois = _documentos(es, alias_p)
    assert {d["nup"] for d in depois} == nups  # counts match: one document per processo
    assert [d["orgao_nome"] for d in depois if d.get("orgao") == orgao] == [NOVO_NOME] * len(antes)
    ocultos = {nup: p["versao"] for nup, p in processos_v2.items() if not p["publico"]}
    visiveis = [m for m in movimentos_v2.values() if m["processo_versao"] > ocultos.get(m["nup"], 0)]
    assert _total(es, alias_m) == movimentos_antes == len(visiveis)
    assert all(d["orgao_nome"] == NOVO_NOME for d in _documentos(es, alias_m) if d["orgao"] == orgao)
    assert "PROTOCOLO_STREAMS_GERACAO=2" in resultado.stdout
    # The next generation's notifier starts at the end of the rebuilt movimentos, not at their beginning.
    topico_v2 = f"{settings.kafka.topics.movimentos}.v2"
    fins: dict[int, int] = {}
    for m in ler_ate_o_fim(settings.kafka, topico_v2):
        fins[m.partition() or 0] = (m.offset() or 0) + 1
    for grupo in ("notifier-v2", "webhooks-v2"):  # the webhooks deliverer's group likewise
        consumidor = make_consumer(settings.kafka, settings.kafka.group(grupo))
        try:
            comprometidos = consumidor.committed([TopicPartition(topico_v2, p) for p in fins], timeout=10)
        finally:
            consumidor.close()
        assert fins and {tp.partition: tp.offset for tp in comprometidos} == fins, grupo
    assert f"PROTOCOLO_TOPIC_PROCESSOS={settings.kafka.topics.processos}.v2" in resultado.stdout
