"""Names of the derived topics in each generation, the pointer's codec, and the choice of a generation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from protocolo.geracao import (
    CHAVE_PONTEIRO,
    Confirmacao,
    Ponteiro,
    chave_confirmacao,
    codificar_confirmacao,
    codificar_ponteiro,
    confirmacoes,
    decodificar,
    geracao_fixada,
    na_geracao,
    nome_na_geracao,
    ponteiro_de,
    servico_na_geracao,
    servicos_em,
    servicos_pendentes,
)
from protocolo.settings import KafkaSettings, Settings, StreamsSettings, TopicSettings

AGORA = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("topico", "geracao", "esperado"),
    [
        ("tramitacao.processos", 1, "tramitacao.processos"),
        ("tramitacao.processos", 2, "tramitacao.processos.v2"),
        ("tramitacao.processos.v2", 3, "tramitacao.processos.v3"),
        ("tramitacao.processos.v7", 1, "tramitacao.processos"),
        ("tramitacao.eventos.dlq", 2, "tramitacao.eventos.dlq.v2"),
        ("a.v2x", 2, "a.v2x.v2"),  # only a whole `.v<N>` suffix is a generation
    ],
)
def test_a_generation_replaces_the_version_suffix_of_a_topic(
    topico: str, geracao: int, esperado: str
) -> None:
    assert nome_na_geracao(topico, geracao) == esperado


def test_the_first_generation_keeps_the_service_name_and_later_ones_get_a_version() -> None:
    assert [servico_na_geracao("streams", g) for g in (1, 2, 3)] == ["streams", "streams-v2", "streams-v3"]


def _tabela(*registros: tuple[bytes, bytes]) -> dict[str, dict[str, Any]]:
    return {chave.decode(): decodificar(valor) for chave, valor in registros}


def test_the_pointer_round_trips_with_the_topic_names_of_its_generation() -> None:
    settings = Settings(kafka=KafkaSettings(topics=TopicSettings(processos="org.processos")))
    registro = codificar_ponteiro(3, settings, agora=AGORA)
    assert registro[0] == CHAVE_PONTEIRO.encode()
    ponteiro = ponteiro_de(_tabela(registro))
    assert ponteiro == Ponteiro(
        geracao=3,
        topicos={
            "processos": "org.processos.v3",
            "movimentos": "tramitacao.movimentos.v3",
            "dlq": "tramitacao.eventos.dlq.v3",
        },
        em=AGORA.isoformat(),
    )


def test_a_table_without_the_pointer_has_no_active_generation_of_its_own() -> None:
    relato = (chave_confirmacao("indexer", "host:1").encode(), codificar_confirmacao(1, agora=AGORA))
    assert ponteiro_de(_tabela(relato)) is None


@pytest.mark.parametrize(
    "valor", [b"[]", b"{}", b'{"geracao": 0}', b'{"geracao": "2"}', b'{"geracao": true}', b"x"]
)
def test_a_record_without_a_valid_generation_is_refused(valor: bytes) -> None:
    with pytest.raises(ValueError):
        decodificar(valor)


def test_reports_are_read_per_instance_and_the_pointer_is_not_one() -> None:
    tabela = _tabela(
        codificar_ponteiro(2, Settings(), agora=AGORA),
        (chave_confirmacao("indexer", "pod-a:7").encode(), codificar_confirmacao(2, agora=AGORA)),
        (chave_confirmacao("streams", "pod-b:9").encode(), codificar_confirmacao(1, agora=AGORA)),
    )
    assert confirmacoes(tabela) == [
        Confirmacao("indexer", "pod-a:7", 2, AGORA.isoformat()),
        Confirmacao("streams", "pod-b:9", 1, AGORA.isoformat()),
    ]


def test_a_service_is_pending_until_one_of_its_instances_reports_the_new_generation() -> None:
    relatos = [
        Confirmacao("indexer", "morto:1", 1, ""),  # killed without withdrawing its report
        Confirmacao("indexer", "novo:2", 2, ""),
        Confirmacao("notifier", "n:3", 1, ""),
    ]
    assert servicos_em(relatos, 1) == {"indexer", "notifier"}
    assert servicos_pendentes({"indexer", "notifier", "streams"}, relatos, 2) == {"notifier", "streams"}
    assert servicos_pendentes(set(), relatos, 2) == set()


def test_the_generation_is_pinned_only_when_the_settings_set_it(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not geracao_fixada(Settings())
    assert geracao_fixada(Settings(streams=StreamsSettings(geracao=1)))
    monkeypatch.setenv("PROTOCOLO_STREAMS_GERACAO", "2")
    assert geracao_fixada(Settings())


def test_an_unpinned_generation_is_not_passed_on_to_child_processes() -> None:
    assert "PROTOCOLO_STREAMS_GERACAO" not in Settings().to_env()
    fixada = Settings(streams=StreamsSettings(geracao=2)).to_env()
    assert fixada["PROTOCOLO_STREAMS_GERACAO"] == "2"


def test_a_generation_derives_its_names_from_the_configured_ones_and_pins_itself() -> None:
    settings = Settings(
        kafka=KafkaSettings(topics=TopicSettings(processos="org.processos", movimentos="org.mov.v2"))
    )
    nova = na_geracao(settings, 3)
    topicos = nova.kafka.topics
    assert (topicos.processos, topicos.movimentos, topicos.dlq) == (
        "org.processos.v3",
        "org.mov.v3",
        "tramitacao.eventos.dlq.v3",
    )
    assert (topicos.eventos, topicos.inscricoes) == (settings.kafka.topics.eventos, "inscricoes")
    assert nova.streams.geracao == 3 and geracao_fixada(nova)
    assert settings.kafka.topics.processos == "org.processos"  # the given settings are left alone
