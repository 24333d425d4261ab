"""A replay's range on the broker: where each partition starts and stops, and the messages between.

Partitions are assigned by hand (no consumer group, nothing committed). `fim` is the end each
partition has when the replay reaches it, known from the end-of-partition events that fetch
responses carry: the local test broker's ListOffsets under-reports the end, so nothing here asks
for it except to size the progress bar.
"""

from __future__ import annotations

__all__ = ["Faixa", "Leitura", "TopicoAusente", "offset_no_instante", "resolver_faixa"]

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType

from confluent_kafka import (
    OFFSET_BEGINNING,
    OFFSET_END,
    Consumer,
    KafkaError,
    KafkaException,
    Message,
    TopicPartition,
)

from cli.replay.intervalo import Fim, Inicio, Instante, Limite, Offset
from protocolo.errors import ProtocoloError
from protocolo.kafka import make_consumer
from protocolo.settings import KafkaSettings

_LOTE = 2000


class TopicoAusente(ProtocoloError):
    """The topic does not exist on the broker (pt-BR message)."""


@dataclass(frozen=True)
class Faixa:
    """One partition's slice: first offset to keep, first not to keep (None: its end when reached),
    the instants that bound it (None: no instant bound), and where to start fetching (None: `inicio`)."""

    inicio: int
    fim: int | None
    desde_ms: int | None = None
    ate_ms: int | None = None
    posicao: int | None = None

    @property
    def busca(self) -> int:
        """The offset the consumer is assigned at."""
        return self.inicio if self.posicao is None else self.posicao


def offset_no_instante(consumer: Consumer, topico: str, particoes: list[int], ms: int) -> dict[int, int]:
    """The first offset stamped at or after `ms` in each partition (OFFSET_END when none is): Kafka's
    offsets_for_times.

    Some brokers answer it only to the batch: the local test broker gives the base offset of the
    batch that holds the message, and offset 0 for an instant past the last message. So the reader
    also skips what is stamped before `ms` until the first message that is not (see Leitura): on
    Kafka that skips nothing, here it makes the answer exact; the lookup only saves reading from the
    start.
    """
    pedidos = [TopicPartition(topico, p, ms) for p in particoes]
    respostas = consumer.offsets_for_times(pedidos, timeout=15)
    return {r.partition: (r.offset if r.offset >= 0 else OFFSET_END) for r in respostas}


def _particoes(consumer: Consumer, topico: str) -> list[int]:
    try:
        metadados = consumer.list_topics(topico, timeout=15)
    except KafkaException as exc:
        raise TopicoAusente(f"tópico {topico} indisponível: {exc}") from exc
    info = metadados.topics.get(topico)
    if info is None or info.error is not None or not info.partitions:
        raise TopicoAusente(f"o tópico {topico} não existe no broker")
    return sorted(info.partitions)


def _novo_consumer(settings: KafkaSettings) -> Consumer:
    # librdkafka wants a group id even when partitions are assigned by hand; nothing is committed.
    return make_consumer(
        settings,
        f"{settings.group_prefix}-replay-{uuid.uuid4().hex[:8]}",
        # A small, bounded prefetch: librdkafka holds about 1 KB per queued message, and its defaults
        # keep up to 100,000 messages or 64 MB per partition. Past these limits it waits
        # `fetch.queue.backoff.ms` (1 s by default) before fetching again: with 0 it fetches as soon
        # as the queue drains, and a small queue reads as fast as a big one.
        **{
            "enable.partition.eof": True,
            "queued.min.messages": 5_000,
            "queued.max.messages.kbytes": 2_048,
            "fetch.queue.backoff.ms": 0,
        },
    )


def resolver_faixa(settings: KafkaSettings, topico: str, desde: Limite, ate: Limite) -> dict[int, Faixa]:
    """Each partition's slice for `--desde`/`--ate`; TopicoAusente when the topic does not exist."""
    consumer = _novo_consumer(settings)
    try:
        particoes = _particoes(consumer, topico)
        inicios: dict[int, int]
        posicoes: dict[int, int] = {}
        if isinstance(desde, Offset):
            inicios = dict.fromkeys(particoes, desde.valor)
            posicoes = _posicoes_validas(consumer, topico, particoes, desde.valor)
        elif isinstance(desde, Instante):
            inicios = offset_no_instante(consumer, topico, particoes, desde.ms)
        else:
            inicios = dict.fromkeys(particoes, OFFSET_BEGINNING)
    finally:
        consumer.close()
    fim = ate.valor if isinstance(ate, Offset) else None
    desde_ms = desde.ms if isinstance(desde, Instante) else None
    # `--ate` an instant is found while reading (the first message stamped at or after it), which is
    # what offsets_for_times answers on Kafka, without trusting the lookup where it is coarser.
    ate_ms = ate.ms if isinstance(ate, Instante) else None
    assert not isinstance(desde, Fim) and not isinstance(ate, Inicio), "validar_intervalo refuses these"
    return {p: Faixa(inicios[p], fim, desde_ms, ate_ms, posicoes.get(p)) for p in particoes}


def _posicoes_validas(consumer: Consumer, topico: str, particoes: list[int], offset: int) -> dict[int, int]:
    """Where to fetch from to reach `offset` in each partition without asking for an offset out of range.

    An out-of-range fetch is reset by the consumer (to the beginning) and, on the local test broker,
    then never reports the partition's end. The reported end may be short of the real one (the local
    broker's ListOffsets gives the last batch's base offset + 1), so the fetch starts at most there and
    the reader skips up to `offset`; on Kafka the reported end is exact and nothing is skipped.
    """
    posicoes = {}
    for p in particoes:
        baixo, alto = consumer.get_watermark_offsets(TopicPartition(topico, p), timeout=15, cached=False)
        posicoes[p] = max(baixo, min(offset, alto))
    return posicoes


class Leitura:
    """The messages of one topic's slices, partition by partition in offset order.

    `lidas` counts the messages read (kept or skipped), `estimativa` the messages the slices hold by
    the high watermarks seen so far (for a progress bar; right once each partition was fetched).
    """

    def __init__(self, settings: KafkaSettings, topico: str, faixas: dict[int, Faixa]) -> None:
        self.topico = topico
        self._faixas = faixas
        self._consumer = _novo_consumer(settings)
        self._pendentes = {p for p, f in faixas.items() if f.fim is None or f.inicio < 0 or f.inicio < f.fim}
        # Partitions started from an instant skip what is stamped before it until the first that is not.
        self._antes_do_inicio = {p for p in self._pendentes if faixas[p].desde_ms is not None}
        self._primeiro: dict[int, int] = {}
        self.lidas = 0
        self._consumer.assign([TopicPartition(topico, p, faixas[p].busca) for p in sorted(self._pendentes)])

    def estimativa(self) -> int:
        """Messages in the slices, by what the broker said so far (the cached high watermarks)."""
        total = 0
        for p, faixa in self._faixas.items():
            try:
                baixo, alto = self._consumer.get_watermark_offsets(
                    TopicPartition(self.topico, p), cached=True
                )
            except KafkaException:
                continue
            if alto < 0:
                continue
            inicio = self._primeiro.get(p, faixa.inicio if faixa.inicio >= 0 else max(baixo, 0))
            fim = alto if faixa.fim is None else min(alto, faixa.fim)
            total += max(fim - inicio, 0)
        return total

    def _terminar(self, particao: int) -> None:
        if particao in self._pendentes:
            self._pendentes.discard(particao)
            self._consumer.incremental_unassign([TopicPartition(self.topico, particao)])

    def _dentro(self, mensagem: Message) -> bool:
        """Whether the message is in its partition's slice; ends the partition at its slice's end."""
        particao, offset = mensagem.partition() or 0, mensagem.offset() or 0
        if particao not in self._pendentes:
            return False
        faixa = self._faixas[particao]
        if offset < faixa.inicio:
            # An offset past the end is reset to the beginning by the consumer: skip up to the slice.
            return False
        _tipo, carimbo = mensagem.timestamp()
        if (faixa.fim is not None and offset >= faixa.fim) or (
            faixa.ate_ms is not None and carimbo >= faixa.ate_ms
        ):
            self._terminar(particao)
            return False
        if particao in self._antes_do_inicio:
            if faixa.desde_ms is not None and carimbo < faixa.desde_ms:
                return False
            self._antes_do_inicio.discard(particao)
        self._primeiro.setdefault(particao, offset)
        return True

    def __iter__(self) -> Iterator[Message]:
        """Every message of the slices; ends when each partition reached its slice's end."""
        while self._pendentes:
            for mensagem in self._consumer.consume(_LOTE, 0.5):
                erro = mensagem.error()
                if erro is not None:
                    if erro.code() == KafkaError._PARTITION_EOF:
                        self._terminar(mensagem.partition() or 0)
                        continue
                    raise KafkaException(erro)
                self.lidas += 1
                if self._dentro(mensagem):
                    yield mensagem

    def fechar(self) -> None:
        """Leave the partitions (nothing to commit)."""
        self._consumer.close()

    def __enter__(self) -> Leitura:
        return self

    def __exit__(
        self, tipo: type[BaseException] | None, erro: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.fechar()
