"""Topics read to their end without a consumer group.

A reader assigns partitions by hand (no group join, nothing committed) and knows a partition was
read to its end when librdkafka reports end-of-partition, which comes from the high watermark that
fetch responses carry: right on Kafka and on the local broker alike. The local broker's ListOffsets
under-reports the end (docs/arquitetura.md, "The local servers"), so nothing here asks for it.
"""

from __future__ import annotations

__all__ = ["Leitor", "ler_ate_o_fim"]

import logging
import time
import uuid
from collections.abc import Iterator, Mapping
from types import TracebackType

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Message, TopicPartition

from protocolo.kafka import make_consumer
from protocolo.settings import KafkaSettings

logger = logging.getLogger(__name__)

_LOTE = 1000
_ESPERA_S = 0.2


class Leitor:
    """Partitions of one topic assigned without a consumer group; knows which were read to their end.

    `inicio` maps each partition to read to its first offset (only those partitions are read); None
    reads every partition from the beginning. `config`: librdkafka settings over the consumer's (a
    reader that must see a record soon after it was written sets a short `fetch.wait.max.ms`).
    Raises KafkaException when the topic is unavailable.
    """

    def __init__(
        self,
        settings: KafkaSettings,
        topico: str,
        *,
        inicio: Mapping[int, int] | None = None,
        config: Mapping[str, str | int | float | bool] | None = None,
    ) -> None:
        self.topico = topico
        # librdkafka wants a group id even when partitions are assigned by hand; nothing is committed.
        self._consumer: Consumer = make_consumer(
            settings,
            f"{settings.group_prefix}-leitor-{uuid.uuid4().hex[:8]}",
            **{**(config or {}), "enable.partition.eof": True},
        )
        try:
            offsets = dict(inicio) if inicio is not None else self._do_inicio()
        except KafkaException:
            self._consumer.close()
            raise
        self._pendentes = set(offsets)
        self._consumer.assign([TopicPartition(topico, p, o) for p, o in offsets.items()])

    def _do_inicio(self) -> dict[int, int]:
        metadados = self._consumer.list_topics(self.topico, timeout=15)
        info = metadados.topics.get(self.topico)
        if info is None or info.error is not None or not info.partitions:
            raise KafkaException(f"tópico {self.topico} indisponível")
        return dict.fromkeys(info.partitions, OFFSET_BEGINNING)

    @property
    def no_fim(self) -> bool:
        """Every partition was read to its end at least once."""
        return not self._pendentes

    def ler(self, espera_s: float = _ESPERA_S) -> list[Message]:
        """The messages already fetched (up to a batch), else the next one within `espera_s`.

        Never waits once a message or a partition's end is at hand, so reading to the end costs no
        idle timeout. Ends of partition are noted (see `no_fim`), other errors logged and skipped.
        """
        lote = self._consumer.consume(_LOTE, 0) or self._consumer.consume(1, espera_s)
        mensagens: list[Message] = []
        for mensagem in lote:
            erro = mensagem.error()
            if erro is None:
                mensagens.append(mensagem)
            elif erro.code() == KafkaError._PARTITION_EOF:
                self._pendentes.discard(mensagem.partition() or 0)
            else:
                logger.warning("topic read error topic=%s error=%s", self.topico, erro)
        return mensagens

    def fechar(self) -> None:
        """Leave the partitions (nothing to commit)."""
        self._consumer.close()

    def __enter__(self) -> Leitor:
        return self

    def __exit__(
        self,
        tipo: type[BaseException] | None,
        erro: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.fechar()


def ler_ate_o_fim(
    settings: KafkaSettings,
    topico: str,
    *,
    inicio: Mapping[int, int] | None = None,
    limite_s: float | None = None,
) -> Iterator[Message]:
    """Every message of `topico` up to the end each partition has when it is reached.

    `inicio` as in `Leitor`. Past `limite_s` seconds (counted once the partitions are assigned)
    raises TimeoutError; the messages yielded until then stay valid.
    """
    with Leitor(settings, topico, inicio=inicio) as leitor:
        limite = None if limite_s is None else time.monotonic() + limite_s
        while not leitor.no_fim:
            if limite is not None and time.monotonic() > limite:
                raise TimeoutError(f"tópico {topico} não foi lido até o fim em {limite_s:.0f} s")
            yield from leitor.ler()
