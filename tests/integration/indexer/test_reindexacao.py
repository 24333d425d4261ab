"""`protocolo reindex` against the real broker and search server, with the live indexer running.

The records are the ones the streams emit for simulated traffic (a snapshot per event, with growing
versions, tombstones for processos that are not public, a movimento per public event), produced to
the real topics; the live indexer runs in a thread, as in test_indexer.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from confluent_kafka import Producer
from elasticsearch import Elasticsearch, helpers

from bench.indexacao import registros_dos_streams
from indexer.loop import Indexer
from indexer.reindexacao import Reindexacao
from protocolo.avro import catalogo_padrao
from protocolo.kafka import make_producer
from protocolo.produce import produce_and_wait
from protocolo.search import make_search
from protocolo.settings import Settings
from tests.fixtures.cli import run_cli
from tests.fixtures.espera import eventually

Registro = tuple[str, dict[str, Any]]


@functools.cache
def _trafego() -> tuple[list[Registro], list[Registro]]:
    """One simulated run split by processo: the records of half the NUPs, then those of the others.

    One run, so that ids and NUPs never collide between the halves.
    """
    registros = list(registros_dos_streams(200, seed=1))
    nups = list(dict.fromkeys(r["nup"] for _, r in registros))
    primeiros = set(nups[: len(nups) // 2])
    return [x for x in registros if x[1]["nup"] in primeiros], [
        x for x in registros if x[1]["nup"] not in primeiros
    ]


def _produzir(settings: Settings, producer: Producer, registros: list[Registro]) -> None:
    catalogo = catalogo_padrao()
    topicos = {"processo": settings.kafka.topics.processos, "movimento": settings.kafka.topics.movimentos}
    for nome in topicos:
        mensagens = [(r["nup"].encode(), catalogo.encode(nome, r)) for n, r in registros if n == nome]
        produce_and_wait(producer, topicos[nome], mensagens, timeout_s=30)


def _esperado(registros: list[Registro]) -> tuple[dict[str, int], set[str]]:
    """What the index must hold: the newest version per NUP, the ids of the visible movimentos."""
    versoes: dict[str, tuple[int, bool]] = {}
    for nome, r in registros:
        if nome == "processo" and r["versao"] > versoes.get(r["nup"], (0, True))[0]:
            versoes[r["nup"]] = (r["versao"], r["publico"])
    movimentos = {
        r["id"]
        for nome, r in registros
        if nome == "movimento" and (versoes[r["nup"]][1] or r["processo_versao"] > versoes[r["nup"]][0])
    }
    return {nup: v for nup, (v, _) in versoes.items()}, movimentos


def _conteudo(es: Elasticsearch, indice: str) -> dict[str, int | None]:
    """Every document of an index (or alias): id -> its version."""
    return {
        d["_id"]: d.get("_version")
        for d in helpers.scan(es, index=indice, query={"query": {"match_all": {}}}, version=True)
    }


def _total(es: Elasticsearch, alias: str) -> int:
    """Documents behind an alias (0 while the live indexer has not created it)."""
    return int(es.options(ignore_status=404).count(index=alias).body.get("count", 0))


@pytest.fixture
def ao_vivo(
    settings_factory: Callable[..., Settings],
) -> Iterator[tuple[Settings, Elasticsearch, list[Registro]]]:
    """Fresh topics with simulated records, a live indexer that has indexed them all."""
    settings = settings_factory(carregar_referencia_exemplo=False)
    es = make_search(settings.search)
    registros, _ = _trafego()
    _produzir(settings, make_producer(settings.kafka), registros)
    indexer = Indexer(settings, espera_lote_s=0.2)
    thread = threading.Thread(target=indexer.executar, name="indexer", daemon=True)
    thread.start()
    versoes, movimentos = _esperado(registros)
    alias_p, alias_m = settings.search.alias("processos"), settings.search.alias("movimentos")
    eventually(lambda: _total(es, alias_p) == len(versoes), what="the processos indexed")
    eventually(lambda: _total(es, alias_m) == len(movimentos), what="the movimentos indexed")
    yield settings, es, registros
    indexer.parar()
    thread.join(30)
    assert not thread.is_alive()


class _Consultas(threading.Thread):
    """Queries both aliases in a loop; keeps every total and every error."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(name="consultas", daemon=True)
        self.es = make_search(settings.search)
        self.aliases = [settings.search.alias("processos"), settings.search.alias("movimentos")]
        self.totais: dict[str, list[int]] = {a: [] for a in self.aliases}
        self.erros: list[BaseException] = []
        self._parar = threading.Event()

    def run(self) -> None:
        while not self._parar.is_set():
            for alias in self.aliases:
                try:
                    resposta = self.es.search(index=alias, size=1, track_total_hits=True)
                    self.totais[alias].append(int(resposta["hits"]["total"]["value"]))
                except Exception as exc:  # noqa: BLE001 - any failure is what the test looks for
                    self.erros.append(exc)

    def parar(self) -> None:
        self._parar.set()
        self.join(30)


def _aliases(es: Elasticsearch, alias: str) -> list[str]:
    return sorted(es.indices.get_alias(name=alias).body)


def test_a_reindex_under_continuous_queries_never_fails_nor_drops_the_total_and_copies_every_version(
    ao_vivo: tuple[Settings, Elasticsearch, list[Registro]],
) -> None:
    settings, es, registros = ao_vivo
    alias_p, alias_m = settings.search.alias("processos"), settings.search.alias("movimentos")
    (antigo_p,), (antigo_m,) = _aliases(es, alias_p), _aliases(es, alias_m)
    antes_p, antes_m = _conteudo(es, antigo_p), _conteudo(es, antigo_m)
    consultas = _Consultas(settings)
    consultas.start()
    try:
        resultado = run_cli(settings, "reindex")
    finally:
        consultas.parar()
    assert resultado.returncode == 0, resultado.stderr
    (novo_p,), (novo_m,) = _aliases(es, alias_p), _aliases(es, alias_m)
    assert {novo_p, novo_m}.isdisjoint({antigo_p, antigo_m})
    assert consultas.erros == []
    versoes, movimentos = _esperado(registros)
    for alias, esperado in ((alias_p, len(versoes)), (alias_m, len(movimentos))):
        assert len(consultas.totais[alias]) > 10  # the queries ran while the reindex did
        assert set(consultas.totais[alias]) == {esperado}  # never fewer: no drop at the swap
    assert _conteudo(es, novo_p) == antes_p  # same ids, same external versions
    assert set(_conteudo(es, novo_m)) == set(antes_m) == movimentos
    assert "| sim" in resultado.stdout.replace("│", "|")
    assert f"{alias_p}: {novo_p} (antes: {antigo_p})" in resultado.stdout


def test_remover_antigos_removes_exactly_the_indices_no_alias_points_to(
    ao_vivo: tuple[Settings, Elasticsearch, list[Registro]],
) -> None:
    settings, es, _ = ao_vivo
    alias_p, alias_m = settings.search.alias("processos"), settings.search.alias("movimentos")
    antigos = _aliases(es, alias_p) + _aliases(es, alias_m)
    Reindexacao(settings).executar()
    atuais = _aliases(es, alias_p) + _aliases(es, alias_m)
    alheio = f"{settings.search.index_prefix}-outra-coisa-v1"  # not one of the families: never ours
    es.indices.create(index=alheio)
    resultado = run_cli(settings, "reindex", "--remover-antigos")
    assert resultado.returncode == 0, resultado.stderr
    assert sorted(ln.removeprefix("removido: ") for ln in resultado.stdout.splitlines()[:-1]) == sorted(
        antigos
    )
    assert resultado.stdout.splitlines()[-1] == "2 índices antigos removidos"
    for indice in atuais + [alheio]:
        assert es.indices.exists(index=indice)
    for indice in antigos:
        assert not es.indices.exists(index=indice)
    assert run_cli(settings, "reindex", "--remover-antigos").stdout.strip() == "0 índices antigos removidos"


def test_the_events_produced_during_a_reindex_are_in_the_new_index(
    ao_vivo: tuple[Settings, Elasticsearch, list[Registro]],
) -> None:
    settings, es, registros = ao_vivo
    _, novos_registros = _trafego()
    produzidos: list[Registro] = []
    reindexando = threading.Event()
    acabou = threading.Event()

    def produzir_sem_parar() -> None:
        producer = make_producer(settings.kafka)
        reindexando.wait(30)
        for i in range(0, len(novos_registros), 40):
            lote = novos_registros[i : i + 40]
            _produzir(settings, producer, lote)
            produzidos.extend(lote)
            if acabou.is_set() and len(produzidos) > len(novos_registros) // 2:
                break
            time.sleep(0.05)

    produtor = threading.Thread(target=produzir_sem_parar, name="produtor", daemon=True)
    produtor.start()
    reindexacao = Reindexacao(settings, lote_max=200)
    reindexando.set()
    resumo = reindexacao.executar()
    acabou.set()
    produtor.join(120)
    assert not produtor.is_alive()
    assert 0 < resumo.lidas[settings.kafka.topics.processos] - sum(1 for n, _ in registros if n == "processo")
    versoes, movimentos = _esperado(registros + produzidos)
    alias_p, alias_m = settings.search.alias("processos"), settings.search.alias("movimentos")
    assert _aliases(es, alias_p) == [resumo.novos[alias_p]]
    eventually(
        lambda: _conteudo(es, resumo.novos[alias_p]) == versoes, what="every processo at its newest version"
    )
    eventually(lambda: set(_conteudo(es, resumo.novos[alias_m])) == movimentos, what="every movimento")
