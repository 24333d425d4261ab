"""Kafka clients (confluent-kafka) built from settings, and topic creation."""

from __future__ import annotations

__all__ = [
    "ConfigValue",
    "create_topics",
    "entrada_de",
    "make_admin",
    "make_consumer",
    "make_producer",
    "topic_specs",
]

import logging
from collections.abc import Callable

from confluent_kafka import Consumer, KafkaException, Message, Producer
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

from protocolo.entrada import Entrada
from protocolo.settings import KafkaSettings

logger = logging.getLogger(__name__)

# A librdkafka setting: a scalar, a callback such as error_cb, or a Python logger (`logger`).
ConfigValue = str | int | float | bool | Callable[..., None] | logging.Logger

# librdkafka's own lines (connection failures, retries) go through Python logging, in the process's
# format (text or JSON), instead of straight to stderr; they are delivered by the client's poll.
_LIBRDKAFKA = logging.getLogger("protocolo.kafka.librdkafka")


def make_producer(settings: KafkaSettings, **extra: ConfigValue) -> Producer:
    """An idempotent producer that waits for every in-sync replica (acks=all)."""
    config: dict[str, ConfigValue] = {
        **settings.client_config(),
        "logger": _LIBRDKAFKA,
        "acks": "all",
        "enable.idempotence": True,
        "linger.ms": 5,
        "compression.type": "zstd",
        "message.timeout.ms": 30000,
        # The Java client's (and Faust's) partitioner: one key lands in one partition, whoever sends it.
        "partitioner": "murmur2_random",
    }
    config.update(extra)
    return Producer(config)


def make_consumer(settings: KafkaSettings, group_id: str, **extra: str | int | float | bool) -> Consumer:
    """A consumer with manual commits and an eager assignor (cooperative-sticky orphans partitions here)."""
    config: dict[str, ConfigValue] = {
        **settings.client_config(),
        "logger": _LIBRDKAFKA,
        "group.id": group_id,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "partition.assignment.strategy": "range",
        "session.timeout.ms": settings.session_timeout_ms,
        "heartbeat.interval.ms": settings.heartbeat_interval_ms,
    }
    config.update(extra)
    return Consumer(config)


def entrada_de(mensagem: Message) -> Entrada:
    """A consumed message (without an error) as plain data for a batch plan."""
    _tipo, carimbo_ms = mensagem.timestamp()
    return Entrada(
        topico=mensagem.topic() or "",
        particao=mensagem.partition() or 0,
        offset=mensagem.offset() or 0,
        chave=mensagem.key(),
        valor=mensagem.value(),
        carimbo=max(carimbo_ms, 0) / 1000,
    )


def make_admin(settings: KafkaSettings, **extra: str | int | float | bool) -> AdminClient:
    """An admin client."""
    config: dict[str, ConfigValue] = {**settings.client_config(), "logger": _LIBRDKAFKA, **extra}
    return AdminClient(config)  # type: ignore[arg-type]  # its stubs omit `logger`, which it accepts


_DIA_MS = 86_400_000


def _retencao(dias: int) -> str:
    """Kafka's retention.ms for a number of days (`0`: forever, -1)."""
    return str(dias * _DIA_MS if dias else -1)


def topic_specs(settings: KafkaSettings) -> list[NewTopic]:
    """Every topic protocolo uses, with compaction where only the latest value per key matters.

    The raw events are the audit log and the movimentos what a reindex reads: both are kept forever
    (retention.ms=-1, whatever the broker's default). The dead letters and the notifier's enviadas
    get the retention of the settings; enviadas stays compacted as well (compact,delete).
    """
    t = settings.topics
    compactado = {"cleanup.policy": "compact"}
    para_sempre = {"cleanup.policy": "delete", "retention.ms": "-1"}
    dlq = {"cleanup.policy": "delete", "retention.ms": _retencao(t.retencao_dlq_dias)}
    enviadas = (
        {"cleanup.policy": "compact,delete", "retention.ms": _retencao(t.retencao_enviadas_dias)}
        if t.retencao_enviadas_dias
        else compactado
    )
    specs = [
        (t.eventos, para_sempre),
        (t.dlq, dlq),
        (t.dlq_indexacao, dlq),
        (t.movimentos, para_sempre),
        (t.processos, compactado),
        (t.inscricoes, compactado),
        (t.enviadas, enviadas),
        (t.alertas_enviadas, enviadas),
        (t.devolucoes, compactado),
        (t.alertas, compactado),
        (t.alertas_novidades, compactado),
        (t.webhooks_casamentos, compactado),
        # The outbox grows with deliveries; compaction keeps one record per delivery, and on real
        # Kafka deliveries older than a week are of no use (`delete` drops them).
        (
            t.webhooks_entregas,
            {"cleanup.policy": "compact,delete", "retention.ms": str(7 * 24 * 3600 * 1000)},
        ),
    ]
    topicos = [NewTopic(nome, t.partitions, t.replication_factor, config=cfg) for nome, cfg in specs]
    # Small tables every reader reads whole: one partition keeps them in one order.
    for tabela in (t.referencia, t.credenciais, t.integradores, t.webhooks, t.webhooks_estados, t.geracao):
        topicos.append(NewTopic(tabela, 1, t.replication_factor, config=compactado))
    return topicos


def create_topics(settings: KafkaSettings, timeout_s: float = 15.0) -> list[str]:
    """Create missing topics; returns the names created. Existing topics are left as they are."""
    admin = make_admin(settings)
    existentes = set(admin.list_topics(timeout=timeout_s).topics)
    novos = [spec for spec in topic_specs(settings) if spec.topic not in existentes]
    if not novos:
        return []
    criados = []
    for nome, futuro in admin.create_topics(novos, request_timeout=timeout_s).items():
        try:
            futuro.result()
            criados.append(nome)
        except KafkaException as exc:
            if "TOPIC_ALREADY_EXISTS" not in str(exc):
                raise
    logger.info("topics created names=%s", ",".join(criados))
    return criados
