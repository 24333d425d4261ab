"""The settings a rebuild runs the next generation with."""

from __future__ import annotations

from pathlib import Path

from cli.reconstrucao import proxima_geracao
from protocolo.settings import KafkaSettings, Settings, StreamsSettings, TopicSettings


def test_the_next_generation_writes_new_topic_versions_under_a_new_app_id_and_state_dir() -> None:
    atual = Settings(
        state_dir=Path("/tmp/estado"),
        kafka=KafkaSettings(topics=TopicSettings(processos="p.v2", movimentos="m.v2", dlq="d.v2")),
        streams=StreamsSettings(geracao=2, metrics_port=9464),
    )
    nova = proxima_geracao(atual)
    topicos = nova.kafka.topics
    assert (topicos.processos, topicos.movimentos, topicos.dlq) == ("p.v3", "m.v3", "d.v3")
    assert (topicos.eventos, topicos.referencia) == (
        atual.kafka.topics.eventos,
        atual.kafka.topics.referencia,
    )
    assert (nova.streams.geracao, nova.streams.metrics_port) == (3, 0)
    assert nova.state_dir == Path("/tmp/estado/rebuild/v3")
    assert atual.kafka.topics.processos == "p.v2"  # the running generation's settings are left alone
