"""Compacted topics read whole, as tables: once (`ler_tabela`) or followed live (`TabelaViva`).

Readers assign every partition from the beginning, with no consumer group, and know they have read
the topic whole when librdkafka reports end-of-partition, which comes from the high watermark of
fetch responses: right on Kafka and on the local broker alike (its ListOffsets is not, see
shared/LOCAL_STACK.md). A null value (tombstone) removes its key.
"""

from __future__ import annotations

__all__ = ["Decodificador", "TabelaViva", "gravar", "ler_tabela"]

import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from protocolo.errors import CodecError, PublishError
from protocolo.kafka import make_consumer, make_producer
from protocolo.settings import KafkaSettings

logger = logging.getLogger(__name__)

T = TypeVar("T")
V = TypeVar("V")
Decodificador = Callable[[bytes], T]

_OFFSET_INICIO = -2  # confluent_kafka.OFFSET_BEGINNING


def gravar(
    settings: KafkaSettings,
    topico: str,
    mensagens: Sequence[tuple[bytes, bytes | None]],
    *,
    timeout_s: float = 30.0,
) -> int:
    """Produce keyed records (None = tombstone), wait for every ack; PublishError if any fails."""
    producer = make_producer(settings, **{"message.timeout.ms": int(timeout_s * 1000)})
    erros: list[str] = []
    confirmados = 0

    def _entregue(erro: KafkaError | None, _mensagem: object) -> None:
        nonlocal confirmados
        if erro is None:
            confirmados += 1
        else:
            erros.append(str(erro))

    for chave, valor in mensagens:
        producer.produce(topico, key=chave, value=valor, on_delivery=_entregue)
    producer.flush(timeout_s)
    if confirmados != len(mensagens):
        motivo = erros[0] if erros else "sem resposta do broker"
        raise PublishError(
            f"{len(mensagens) - confirmados} de {len(mensagens)} registros não confirmados: {motivo}"
        )
    return confirmados


class _Leitor(Generic[T]):
    """Reads one compacted topic from the beginning into a dict, one poll at a time."""

    def __init__(self, settings: KafkaSettings, topico: str, decodificar: Decodificador[T]) -> None:
        self.topico = topico
        self.decodificar = decodificar
        # librdkafka wants a group id even when partitions are assigned by hand; nothing is committed.
        self.consumer: Consumer = make_consumer(
            settings,
            f"{settings.group_prefix}-leitor-{uuid.uuid4().hex[:8]}",
            **{"enable.partition.eof": True},
        )
        try:
            metadados = self.consumer.list_topics(topico, timeout=15)
            info = metadados.topics.get(topico)
            if info is None or info.error is not None or not info.partitions:
                raise KafkaException(f"tópico {topico} indisponível")
        except KafkaException:
            self.consumer.close()
            raise
        self.pendentes = set(info.partitions)
        self.consumer.assign([TopicPartition(topico, p, _OFFSET_INICIO) for p in info.partitions])
        self.valores: dict[str, T] = {}

    @property
    def completo(self) -> bool:
        """Every partition was read to its end at least once."""
        return not self.pendentes

    def ler(self, timeout_s: float) -> bool:
        """Apply at most one message; True when the table changed."""
        mensagem = self.consumer.poll(timeout_s)
        if mensagem is None:
            return False
        erro = mensagem.error()
        if erro is not None:
            if erro.code() == KafkaError._PARTITION_EOF:
                self.pendentes.discard(mensagem.partition())
            else:
                logger.warning("compacted topic error topic=%s error=%s", self.topico, erro)
            return False
        chave = (mensagem.key() or b"").decode()
        valor = mensagem.value()
        if valor is None:
            return self.valores.pop(chave, None) is not None
        try:
            self.valores[chave] = self.decodificar(valor)
        except (CodecError, KeyError, ValueError) as exc:
            logger.error(
                "record skipped topic=%s partition=%s offset=%s reason=%s",
                self.topico,
                mensagem.partition(),
                mensagem.offset(),
                exc,
            )
            return False
        return True

    def fechar(self) -> None:
        self.consumer.close()


def ler_tabela(
    settings: KafkaSettings, topico: str, decodificar: Decodificador[T], *, timeout_s: float = 30.0
) -> dict[str, T]:
    """The whole compacted topic as it is now: key -> latest decoded value."""
    leitor = _Leitor(settings, topico, decodificar)
    limite = time.monotonic() + timeout_s
    try:
        while not leitor.completo:
            if time.monotonic() > limite:
                raise TimeoutError(f"tópico {topico} não foi lido até o fim em {timeout_s:.0f} s")
            leitor.ler(0.2)
        return leitor.valores
    finally:
        leitor.fechar()


class TabelaViva(Generic[T, V]):
    """A view of a compacted topic kept current by a background thread.

    `visao` turns the table (key -> value) into what readers use; it is rebuilt after each change
    and swapped in whole, so readers never see half an update.
    """

    def __init__(
        self,
        settings: KafkaSettings,
        topico: str,
        decodificar: Decodificador[T],
        visao: Callable[[dict[str, T]], V],
    ) -> None:
        self._settings = settings
        self._topico = topico
        self._decodificar = decodificar
        self._visao = visao
        self._atual = visao({})
        self._carregada = threading.Event()
        self._parar = threading.Event()
        self._thread = threading.Thread(target=self._seguir, name=f"tabela-{topico}", daemon=True)

    @property
    def atual(self) -> V:
        """The latest complete view."""
        return self._atual

    @property
    def carregada(self) -> bool:
        """The topic was read to its end at least once."""
        return self._carregada.is_set()

    def iniciar(self, *, timeout_s: float = 30.0) -> bool:
        """Start following the topic and wait until it was read to the end once; False on timeout."""
        self._thread.start()
        carregada = self._carregada.wait(timeout_s)
        if not carregada:
            logger.warning(
                "topic=%s not read to the end in %.0f s; the view is partial", self._topico, timeout_s
            )
        return carregada

    def parar(self) -> None:
        """Stop following (the view stays as it was)."""
        self._parar.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def _seguir(self) -> None:
        while not self._parar.is_set():
            try:
                leitor = _Leitor(self._settings, self._topico, self._decodificar)
            except KafkaException as exc:
                logger.warning("topic=%s unavailable, retrying error=%s", self._topico, exc)
                self._parar.wait(1.0)
                continue
            try:
                self._acompanhar(leitor)
            finally:
                leitor.fechar()

    def _acompanhar(self, leitor: _Leitor[T]) -> None:
        mudou = False
        while not self._parar.is_set():
            mudou = leitor.ler(0.5) or mudou
            if leitor.completo and (mudou or not self._carregada.is_set()):
                self._atual = self._visao(dict(leitor.valores))
                mudou = False
                if not self._carregada.is_set():
                    logger.info("topic=%s loaded keys=%d", self._topico, len(leitor.valores))
                    self._carregada.set()
