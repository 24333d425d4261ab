"""Reading a topic to its end without a consumer group, on the real broker."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from confluent_kafka import KafkaException

from protocolo.leitura import Leitor, ler_ate_o_fim
from protocolo.settings import Settings
from tests.fixtures.espera import eventually
from tests.fixtures.kafka import produzir


@pytest.fixture
def settings(settings_factory: Callable[..., Settings]) -> Settings:
    """Fresh topics of four partitions, nothing on them."""
    settings = settings_factory(carregar_referencia_exemplo=False)
    assert settings.kafka.topics.partitions == 4
    return settings


def _por_particao(settings: Settings, quantas: dict[int, int]) -> str:
    """Put `quantas[p]` messages valued b"p:i" on partition p of the test's topic; returns its name."""
    topico = settings.kafka.topics.movimentos
    for particao, n in quantas.items():
        mensagens = [(None, f"{particao}:{i}".encode()) for i in range(n)]
        produzir(settings.kafka, topico, mensagens, particao=particao)
    return topico


def test_an_empty_topic_ends_at_once_with_nothing(settings: Settings) -> None:
    assert list(ler_ate_o_fim(settings.kafka, settings.kafka.topics.movimentos)) == []


def test_every_message_of_every_partition_is_read_once_in_partition_order(settings: Settings) -> None:
    quantas = {0: 5, 1: 0, 2: 1200, 3: 7}  # an empty partition, and one longer than a fetched batch
    topico = _por_particao(settings, quantas)

    lidas = [(m.partition(), m.offset(), m.value()) for m in ler_ate_o_fim(settings.kafka, topico)]

    assert len(lidas) == sum(quantas.values())
    for particao, n in quantas.items():
        dela = [(offset, valor) for p, offset, valor in lidas if p == particao]
        assert dela == [(i, f"{particao}:{i}".encode()) for i in range(n)]


def test_given_start_offsets_read_only_those_partitions_from_there(settings: Settings) -> None:
    topico = _por_particao(settings, {0: 10, 1: 10, 2: 10, 3: 10})

    lidas = [(m.partition(), m.offset()) for m in ler_ate_o_fim(settings.kafka, topico, inicio={0: 7, 2: 10})]

    # Partition 2 starts at its end: nothing from it, yet the read ends.
    assert lidas == [(0, 7), (0, 8), (0, 9)]


def test_no_start_offsets_means_nothing_to_read(settings: Settings) -> None:
    topico = _por_particao(settings, {0: 3})

    assert list(ler_ate_o_fim(settings.kafka, topico, inicio={})) == []


def test_a_read_that_cannot_reach_the_end_stops_at_the_time_bound_keeping_what_it_read(
    settings: Settings,
) -> None:
    topico = _por_particao(settings, {0: 3})
    lidas: list[int | None] = []

    # Partition 99 does not exist: it never reports an end.
    with pytest.raises(TimeoutError, match=f"tópico {topico} não foi lido até o fim em 2 s"):
        for mensagem in ler_ate_o_fim(settings.kafka, topico, inicio={0: 0, 99: 0}, limite_s=2):
            lidas.append(mensagem.offset())

    assert lidas == [0, 1, 2]


def test_a_missing_topic_is_refused_when_reading_it_whole(settings: Settings) -> None:
    with pytest.raises(KafkaException, match="indisponível"):
        Leitor(settings.kafka, f"nao-existe-{uuid.uuid4().hex[:8]}")


def test_the_end_is_where_the_partition_was_when_reached_and_later_messages_come_after(
    settings: Settings,
) -> None:
    topico = _por_particao(settings, {0: 2})

    lidas: list[int | None] = []
    with Leitor(settings.kafka, topico, inicio={0: 0}) as leitor:

        def ler() -> list[int | None]:
            lidas.extend(m.offset() for m in leitor.ler())
            return lidas

        eventually(lambda: ler() and leitor.no_fim, what="the end of partition 0")
        assert lidas == [0, 1]
        _por_particao(settings, {0: 1})
        eventually(lambda: ler()[2:], what="the message produced after the end")

    assert lidas == [0, 1, 2]
