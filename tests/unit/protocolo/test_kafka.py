"""Topic specs: partitions, compaction and retention come from the settings (what create-topics applies)."""

from __future__ import annotations

import pytest

from protocolo.kafka import topic_specs
from protocolo.settings import KafkaSettings, TopicSettings

DIA_MS = 86_400_000


def _configs(**topicos: object) -> dict[str, dict[str, str]]:
    settings = KafkaSettings(topics=TopicSettings(**topicos))  # type: ignore[arg-type]
    return {spec.topic: spec.config for spec in topic_specs(settings)}


def test_raw_events_and_movimentos_are_kept_forever_whatever_the_broker_default() -> None:
    configs = _configs()
    for topico in ("tramitacao.eventos", "tramitacao.movimentos"):
        assert configs[topico] == {"cleanup.policy": "delete", "retention.ms": "-1"}


@pytest.mark.parametrize("dias", [1, 30, 365])
def test_both_dead_letter_topics_get_the_retention_of_the_settings(dias: int) -> None:
    configs = _configs(retencao_dlq_dias=dias)
    for topico in ("tramitacao.eventos.dlq", "tramitacao.indexacao.dlq"):
        assert configs[topico] == {"cleanup.policy": "delete", "retention.ms": str(dias * DIA_MS)}


def test_enviadas_stays_compacted_and_expires_after_its_retention() -> None:
    configs = _configs(retencao_enviadas_dias=7)
    assert configs["notificacoes.enviadas"] == {
        "cleanup.policy": "compact,delete",
        "retention.ms": str(7 * DIA_MS),
    }


def test_zero_days_keeps_forever() -> None:
    configs = _configs(retencao_dlq_dias=0, retencao_enviadas_dias=0)
    assert configs["tramitacao.eventos.dlq"]["retention.ms"] == "-1"
    assert configs["notificacoes.enviadas"] == {"cleanup.policy": "compact"}


def test_tables_are_compacted_without_expiry() -> None:
    configs = _configs()
    for topico in ("tramitacao.processos", "inscricoes", "notificacoes.devolucoes", "referencia.orgaos"):
        assert configs[topico] == {"cleanup.policy": "compact"}


def test_partitions_and_replication_come_from_the_settings() -> None:
    settings = KafkaSettings(topics=TopicSettings(partitions=12, replication_factor=3))
    specs = {spec.topic: spec for spec in topic_specs(settings)}
    assert specs["tramitacao.eventos"].num_partitions == 12
    assert specs["referencia.orgaos"].num_partitions == 1  # read whole by every reader, in one order
    assert {spec.replication_factor for spec in specs.values()} == {3}
