"""The active generation on the real broker: chosen at start, followed, switched, reports withdrawn."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from protocolo.geracao import confirmacoes, ponteiro_de
from protocolo.geracao_topico import VigiaGeracao, geracao_ativa, gravar_ponteiro, ler_geracoes
from protocolo.kafka import make_admin
from protocolo.settings import Settings, StreamsSettings
from tests.fixtures.espera import eventually


def test_a_service_takes_the_pointers_generation_reports_it_and_stops_on_a_switch(
    settings_factory: Callable[..., Settings],
) -> None:
    settings = settings_factory(carregar_referencia_exemplo=False)
    gravar_ponteiro(settings, 2)
    vigia = VigiaGeracao("indexer", instancia="teste:1")
    escolhidas = vigia.escolher(settings)
    assert (escolhidas.streams.geracao, escolhidas.kafka.topics.movimentos) == (
        2,
        f"{settings.kafka.topics.movimentos}.v2",
    )
    assert geracao_ativa(settings).kafka.topics.processos == f"{settings.kafka.topics.processos}.v2"
    (relato,) = confirmacoes(ler_geracoes(settings.kafka))
    assert (relato.servico, relato.instancia, relato.geracao) == ("indexer", "teste:1", 2)

    parou = threading.Event()
    vigia.seguir(parou.set)
    time.sleep(1)
    assert not parou.is_set()  # its own report and the same pointer are no switch
    gravar_ponteiro(settings, 3)
    assert parou.wait(30), "the switch did not stop the service"
    assert vigia.trocou
    vigia.encerrar()
    tabela = ler_geracoes(settings.kafka)
    assert confirmacoes(tabela) == []  # the report is withdrawn
    ponteiro = ponteiro_de(tabela)
    assert ponteiro is not None and ponteiro.geracao == 3


def test_pinned_settings_ignore_the_pointer(settings_factory: Callable[..., Settings]) -> None:
    base = settings_factory(carregar_referencia_exemplo=False)
    gravar_ponteiro(base, 2)
    settings = base.model_copy(update={"streams": StreamsSettings(geracao=1)})
    vigia = VigiaGeracao("notifier", instancia="teste:2")
    assert vigia.escolher(settings) is settings
    assert geracao_ativa(settings) is settings
    vigia.encerrar()
    assert confirmacoes(ler_geracoes(settings.kafka)) == []  # nothing reported


def test_without_the_topic_a_service_starts_on_its_own_generation_and_does_not_create_it(
    settings_factory: Callable[..., Settings],
) -> None:
    base = settings_factory(carregar_referencia_exemplo=False)
    topicos = base.kafka.topics.model_copy(update={"geracao": f"{base.kafka.topics.geracao}.ausente"})
    settings = base.model_copy(update={"kafka": base.kafka.model_copy(update={"topics": topicos})})
    vigia = VigiaGeracao("webhooks", instancia="teste:3")
    escolhidas = vigia.escolher(settings, timeout_s=10)
    vigia.encerrar()
    assert escolhidas.streams.geracao == 1
    assert escolhidas.kafka.topics.movimentos == settings.kafka.topics.movimentos
    existentes = eventually(lambda: make_admin(settings.kafka).list_topics(timeout=10).topics, what="topics")
    assert topicos.geracao not in existentes
