"""The indexer against the real broker and search server: rejected documents, bad messages, lost indices.

The indexer runs in a thread of the test process (its real loop, clients and topics); records are
made as the streams make them and produced to the real topics.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from confluent_kafka import TopicPartition
from elasticsearch import Elasticsearch

from indexer.indices import nome_indice
from indexer.loop import Indexer
from indexer.mappings import definicao
from protocolo.avro import catalogo_padrao
from protocolo.fold import fold_processo
from protocolo.kafka import make_consumer
from protocolo.model import Evento, NivelAcesso, Operacao, TipoProtocolo, Unidade
from protocolo.nup import gerar_nup
from protocolo.referencia import carregar_referencia
from protocolo.search import make_search
from protocolo.settings import Settings
from streams.projection import movimento_record, snapshot_record
from tests.fixtures.espera import eventually
from tests.fixtures.kafka import produzir
from tests.fixtures.oraculo import cartas_mortas

T0 = datetime(2024, 3, 5, 17, 0, tzinfo=UTC)
PROTOCOLO = Unidade("2300001", "PROT", "Protocolo Central")
CGLIC = Unidade("2300002", "CGLIC", "Coordenação de Licitações")


def _registros(sequencial: int, *, especie: str | None, observacao: str | None) -> tuple[dict[str, Any], ...]:
    """A processo's snapshot and the movimento of its second event, as the streams emit them."""
    nup = gerar_nup(unidade=23037, sequencial=sequencial, ano=2024).digitos
    base = {"orgao": "23000", "nup": nup, "tipo": TipoProtocolo.PROCESSO, "nivel_acesso": NivelAcesso.PUBLICO}
    autuacao = Evento(
        id=f"A-{sequencial}",
        operacao=Operacao.AUTUACAO,
        ocorrido_em=T0,
        unidade_origem=PROTOCOLO,
        especie=especie,
        assunto="Aquisição de material",
        **base,
    )
    envio = Evento(
        id=f"E-{sequencial}",
        operacao=Operacao.ENVIO,
        ocorrido_em=T0 + timedelta(hours=1),
        unidade_origem=PROTOCOLO,
        unidade_destino=CGLIC,
        observacao=observacao,
        **base,
    )
    processo = fold_processo([autuacao, envio])
    referencia = carregar_referencia()
    snapshot = snapshot_record(processo, referencia, segredo=b"s", restrito_publico=False)
    return snapshot, movimento_record(envio, processo, referencia)


def _produzir(settings: Settings, topico: str, nome: str, registros: list[dict[str, Any]]) -> list[bytes]:
    """Produce to partition 0 of `topico`, in order; returns the values sent."""
    catalogo = catalogo_padrao()
    valores = [catalogo.encode(nome, r) for r in registros]
    chaves = [r["nup"].encode() for r in registros]
    produzir(settings.kafka, topico, zip(chaves, valores, strict=True), particao=0)
    return valores


@pytest.fixture
def indexador(settings_factory: Callable[..., Settings]) -> Iterator[tuple[Settings, Elasticsearch]]:
    """Fresh topics and index names, and a client to the real search server."""
    settings = settings_factory(carregar_referencia_exemplo=False)
    es = make_search(settings.search)
    yield settings, es
    es.close()


def _rodar(settings: Settings) -> tuple[Indexer, threading.Thread]:
    indexer = Indexer(settings, espera_lote_s=0.2)
    thread = threading.Thread(target=indexer.executar, name="indexer", daemon=True)
    thread.start()
    return indexer, thread


def _parar(indexer: Indexer, thread: threading.Thread) -> None:
    indexer.parar()
    thread.join(30)
    assert not thread.is_alive()


def _documento(es: Elasticsearch, indice: str, doc_id: str) -> dict[str, Any] | None:
    resposta = es.options(ignore_status=404).get(index=indice, id=doc_id)
    return resposta.body.get("_source") if resposta.meta.status == 200 else None


def _conflitante(settings: Settings, es: Elasticsearch, nome: str, campo: str) -> None:
    """Point the alias at an index whose mapping makes `campo` a number: text there is refused for good."""
    corpo = definicao(nome)
    mapeamento = {
        **corpo["mappings"],
        "properties": {**corpo["mappings"]["properties"], campo: {"type": "long"}},
    }
    indice = f"{settings.search.alias(nome)}-conflito"
    es.indices.create(index=indice, settings=corpo["settings"], mappings=mapeamento)
    es.indices.put_alias(index=indice, name=settings.search.alias(nome), is_write_index=True)


def test_a_document_the_index_refuses_goes_to_the_dlq_with_its_message_and_the_partition_goes_on(
    indexador: tuple[Settings, Elasticsearch],
) -> None:
    settings, es = indexador
    _conflitante(settings, es, "processos", "especie")
    _conflitante(settings, es, "movimentos", "observacao")
    recusado, recusado_mov = _registros(1, especie="Requerimento", observacao="Para análise")
    aceito, aceito_mov = _registros(2, especie=None, observacao=None)
    topicos = settings.kafka.topics
    valores = _produzir(settings, topicos.processos, "processo", [recusado, aceito])
    valores_mov = _produzir(settings, topicos.movimentos, "movimento", [recusado_mov, aceito_mov])
    indexer, thread = _rodar(settings)
    try:
        alias_p, alias_m = settings.search.alias("processos"), settings.search.alias("movimentos")
        eventually(lambda: _documento(es, alias_p, aceito["nup"]), what="the accepted snapshot indexed")
        eventually(lambda: _documento(es, alias_m, aceito_mov["id"]), what="the accepted movimento indexed")
        cartas = eventually(
            lambda: len(c := cartas_mortas(settings, topico=topicos.dlq_indexacao, espera_s=1)) >= 2 and c,
            what="2 records on the indexer's dead-letter topic",
        )
        consumidor = make_consumer(settings.kafka, indexer.grupo)
        try:
            comprometidos = consumidor.committed(
                [TopicPartition(topicos.processos, 0), TopicPartition(topicos.movimentos, 0)], timeout=10
            )
        finally:
            consumidor.close()
    finally:
        _parar(indexer, thread)

    assert [tp.offset for tp in comprometidos] == [2, 2]  # past the rejected and the accepted message
    assert _documento(es, alias_p, recusado["nup"]) is None
    assert _documento(es, alias_m, recusado_mov["id"]) is None
    por_topico = {c["topico"]: c for c in cartas}
    assert len(cartas) == 2 and set(por_topico) == {topicos.processos, topicos.movimentos}
    carta, carta_mov = por_topico[topicos.processos], por_topico[topicos.movimentos]
    assert (carta["codigo"], carta["particao"], carta["offset"]) == ("DOCUMENTO_REJEITADO", 0, 0)
    assert (carta["chave"], carta["valor"]) == (recusado["nup"].encode(), valores[0])
    assert "especie" in carta["motivo"] and carta["motivo"].startswith(
        "o índice recusou o documento (HTTP 400)"
    )
    assert (carta_mov["codigo"], carta_mov["offset"], carta_mov["valor"]) == (
        "DOCUMENTO_REJEITADO",
        0,
        valores_mov[0],
    )
    assert "observacao" in carta_mov["motivo"]
    assert cartas_mortas(settings, espera_s=1) == []  # the raw events' DLQ holds raw events only


def test_an_undecodable_message_goes_to_the_indexers_dead_letter_topic_not_the_raw_events_dlq(
    indexador: tuple[Settings, Elasticsearch],
) -> None:
    settings, es = indexador
    topicos = settings.kafka.topics
    aceito, _ = _registros(3, especie=None, observacao=None)
    lixo = b"\xc3\x01 not a snapshot"
    produzir(settings.kafka, topicos.processos, [(b"k-lixo", lixo)], particao=0)
    _produzir(settings, topicos.processos, "processo", [aceito])
    indexer, thread = _rodar(settings)
    try:
        alias_p = settings.search.alias("processos")
        eventually(lambda: _documento(es, alias_p, aceito["nup"]), what="the snapshot after the bad one")
        (carta,) = eventually(
            lambda: cartas_mortas(settings, topico=topicos.dlq_indexacao, espera_s=1),
            what="the dead letter of the undecodable message",
        )
    finally:
        _parar(indexer, thread)
    assert (carta["codigo"], carta["topico"], carta["offset"]) == (
        "MENSAGEM_CORROMPIDA",
        topicos.processos,
        0,
    )
    assert (carta["chave"], carta["valor"]) == (b"k-lixo", lixo)
    assert cartas_mortas(settings, espera_s=1) == []


def test_lost_indices_come_back_from_the_templates_with_their_mapping_not_a_dynamic_one(
    indexador: tuple[Settings, Elasticsearch],
) -> None:
    settings, es = indexador
    primeiro, _ = _registros(1, especie="Requerimento", observacao=None)
    segundo, segundo_mov = _registros(2, especie="Ofício", observacao="Para análise")
    topicos = settings.kafka.topics
    alias_p, alias_m = settings.search.alias("processos"), settings.search.alias("movimentos")
    indexer, thread = _rodar(settings)
    try:
        _produzir(settings, topicos.processos, "processo", [primeiro])
        eventually(lambda: _documento(es, alias_p, primeiro["nup"]), what="the first snapshot indexed")
        # What a restart of an in-memory server (or an operator's mistake) leaves: no index, no alias.
        es.indices.delete(
            index=[nome_indice(settings.search, "processos"), nome_indice(settings.search, "movimentos")]
        )
        _produzir(settings, topicos.processos, "processo", [segundo])
        _produzir(settings, topicos.movimentos, "movimento", [segundo_mov])
        eventually(lambda: _documento(es, alias_p, segundo["nup"]), what="the second snapshot indexed")
        eventually(lambda: _documento(es, alias_m, segundo_mov["id"]), what="the movimento indexed")
    finally:
        _parar(indexer, thread)

    for nome, alias in (("processos", alias_p), ("movimentos", alias_m)):
        assert list(es.indices.get_alias(name=alias)) == [nome_indice(settings.search, nome)]
        (mapeamento,) = es.indices.get_mapping(index=alias).body.values()
        assert mapeamento["mappings"] == definicao(nome)["mappings"]
    # Anything else that creates an index of the family (a reindex into v99) gets the mapping too.
    es.indices.create(index=f"{alias_p}-v99")
    (novo,) = es.indices.get_mapping(index=f"{alias_p}-v99").body.values()
    assert novo["mappings"] == definicao("processos")["mappings"]


def _oculto(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The snapshot of the processo's next version, once it is no longer public."""
    return {**snapshot, "publico": False, "versao": snapshot["versao"] + 1}


def test_a_movimento_that_arrives_after_its_processo_was_hidden_never_enters_the_index(
    indexador: tuple[Settings, Elasticsearch],
) -> None:
    """Processos and movimentos are two topics: nothing orders one's records against the other's, so
    the tombstone can be indexed (and its delete done) before an older movimento of the processo."""
    settings, es = indexador
    topicos = settings.kafka.topics
    alias_p, alias_m = settings.search.alias("processos"), settings.search.alias("movimentos")
    escondido, atrasado = _registros(4, especie=None, observacao=None)
    _, marcador = _registros(5, especie=None, observacao=None)
    indexer, thread = _rodar(settings)
    try:
        _produzir(settings, topicos.processos, "processo", [_oculto(escondido)])
        eventually(
            lambda: (_documento(es, alias_p, escondido["nup"]) or {}).get("publico") is False,
            what="the tombstone indexed",
        )
        _produzir(settings, topicos.movimentos, "movimento", [atrasado, marcador])
        eventually(lambda: _documento(es, alias_m, marcador["id"]), what="the movimento after the late one")
    finally:
        _parar(indexer, thread)
    assert atrasado["processo_versao"] < escondido["versao"] + 1
    assert _documento(es, alias_m, atrasado["id"]) is None


def test_the_movimentos_indexed_before_the_processo_was_hidden_leave_the_index_with_it(
    indexador: tuple[Settings, Elasticsearch],
) -> None:
    settings, es = indexador
    topicos = settings.kafka.topics
    alias_p, alias_m = settings.search.alias("processos"), settings.search.alias("movimentos")
    publico, movimento = _registros(6, especie=None, observacao=None)
    indexer, thread = _rodar(settings)
    try:
        _produzir(settings, topicos.processos, "processo", [publico])
        _produzir(settings, topicos.movimentos, "movimento", [movimento])
        eventually(lambda: _documento(es, alias_m, movimento["id"]), what="the public movimento indexed")
        _produzir(settings, topicos.processos, "processo", [_oculto(publico)])
        eventually(
            lambda: (_documento(es, alias_p, publico["nup"]) or {}).get("publico") is False,
            what="the tombstone indexed",
        )
        eventually(lambda: _documento(es, alias_m, movimento["id"]) is None, what="the movimento deleted")
    finally:
        _parar(indexer, thread)
