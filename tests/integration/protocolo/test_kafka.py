"""`create_topics` on the real broker: the retention and compaction of the settings reach the topics."""

from __future__ import annotations

from collections.abc import Callable

from confluent_kafka.admin import ConfigResource

from protocolo.kafka import create_topics, make_admin
from protocolo.settings import Settings

DIA_MS = 86_400_000


def _config(settings: Settings, topico: str) -> dict[str, str]:
    admin = make_admin(settings.kafka)  # kept until the answer: a dropped client cancels its futures
    (futuro,) = admin.describe_configs([ConfigResource("topic", topico)]).values()
    entradas = futuro.result(timeout=10)
    return {nome: entradas[nome].value for nome in ("cleanup.policy", "retention.ms")}


def test_created_topics_carry_the_retention_of_the_settings(
    settings_factory: Callable[..., Settings],
) -> None:
    settings = settings_factory(carregar_referencia_exemplo=False)  # creates the topics
    t = settings.kafka.topics
    assert _config(settings, t.eventos) == {"cleanup.policy": "delete", "retention.ms": "-1"}
    assert _config(settings, t.movimentos) == {"cleanup.policy": "delete", "retention.ms": "-1"}
    assert _config(settings, t.dlq) == {"cleanup.policy": "delete", "retention.ms": str(30 * DIA_MS)}
    assert _config(settings, t.dlq_indexacao)["retention.ms"] == str(30 * DIA_MS)
    assert _config(settings, t.enviadas) == {
        "cleanup.policy": "compact,delete",
        "retention.ms": str(90 * DIA_MS),
    }
    assert create_topics(settings.kafka) == []  # existing topics are left as they are
