"""Reference data on Kafka: the compacted topic keyed by órgão codigo, and a live view of it.

`publicar_referencia` upserts every órgão of a file (a tombstone removes one). Readers assign the
topic's partitions from the beginning, with no consumer group, and know they have read it whole
when librdkafka reports end-of-partition, which comes from the high watermark of fetch responses:
right on Kafka and on the local broker alike (its ListOffsets is not; shared/LOCAL_STACK.md).
"""

from __future__ import annotations

__all__ = ["ReferenciaViva", "ler_referencia", "publicar_referencia", "remover_orgao"]

import logging
import threading
import time
import uuid
from collections.abc import Iterable, Sequence

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from protocolo.avro import Catalogo, catalogo_padrao
from protocolo.errors import CodecError, PublishError
from protocolo.kafka import make_consumer, make_producer
from protocolo.referencia import Orgao, Referencia
from protocolo.registros import orgao_from_avro, orgao_to_avro
from protocolo.settings import KafkaSettings

logger = logging.getLogger(__name__)

_OFFSET_INICIO = -2  # confluent_kafka.OFFSET_BEGINNING


def publicar_referencia(settings: KafkaSettings, orgaos: Iterable[Orgao], *, timeout_s: float = 30.0) -> int:
    """Upsert órgãos on the reference topic; returns how many the broker acknowledged."""
    catalogo = catalogo_padrao()
    mensagens = [(o.codigo.encode(), catalogo.encode("orgao", orgao_to_avro(o))) for o in orgaos]
    return _produzir(settings, mensagens, timeout_s=timeout_s)


def remover_orgao(settings: KafkaSettings, codigo: str, *, timeout_s: float = 30.0) -> None:
    """Send a tombstone: readers forget the órgão (compaction drops it for good on Kafka)."""
    _produzir(settings, [(codigo.encode(), None)], timeout_s=timeout_s)


def _produzir(
    settings: KafkaSettings, mensagens: Sequence[tuple[bytes, bytes | None]], *, timeout_s: float
) -> int:
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
        producer.produce(settings.topics.referencia, key=chave, value=valor, on_delivery=_entregue)
    producer.flush(timeout_s)
    if confirmados != len(mensagens):
        motivo = erros[0] if erros else "sem resposta do broker"
        raise PublishError(
            f"{len(mensagens) - confirmados} de {len(mensagens)} registros não confirmados: {motivo}"
        )
    return confirmados


class _Leitor:
    """Reads the reference topic from the beginning into a dict of órgãos, one poll at a time."""

    def __init__(self, settings: KafkaSettings, catalogo: Catalogo) -> None:
        self.catalogo = catalogo
        self.topico = settings.topics.referencia
        # librdkafka wants a group id even when partitions are assigned by hand; nothing is committed.
        self.consumer: Consumer = make_consumer(
            settings,
            f"{settings.group_prefix}-referencia-{uuid.uuid4().hex[:8]}",
            **{"enable.partition.eof": True},
        )
        metadados = self.consumer.list_topics(self.topico, timeout=15)
        topico = metadados.topics.get(self.topico)
        if topico is None or topico.error is not None or not topico.partitions:
            raise KafkaException(f"tópico de referência {self.topico} indisponível")
        self.pendentes = set(topico.partitions)
        self.consumer.assign([TopicPartition(self.topico, p, _OFFSET_INICIO) for p in topico.partitions])
        self.orgaos: dict[str, Orgao] = {}

    @property
    def completo(self) -> bool:
        return not self.pendentes

    def ler(self, timeout_s: float) -> bool:
        """Apply at most one message; True when something changed."""
        mensagem = self.consumer.poll(timeout_s)
        if mensagem is None:
            return False
        erro = mensagem.error()
        if erro is not None:
            if erro.code() == KafkaError._PARTITION_EOF:
                self.pendentes.discard(mensagem.partition())
            else:
                logger.warning("reference topic error=%s", erro)
            return False
        chave = (mensagem.key() or b"").decode()
        valor = mensagem.value()
        if valor is None:
            return self.orgaos.pop(chave, None) is not None
        try:
            orgao = orgao_from_avro(self.catalogo.decode("orgao", valor))
        except CodecError as exc:
            logger.error(
                "reference record skipped partition=%s offset=%s reason=%s",
                mensagem.partition(),
                mensagem.offset(),
                exc,
            )
            return False
        self.orgaos[chave] = orgao
        return True

    def referencia(self) -> Referencia:
        return Referencia(tuple(self.orgaos.values()))

    def fechar(self) -> None:
        self.consumer.close()


def ler_referencia(settings: KafkaSettings, *, timeout_s: float = 30.0) -> Referencia:
    """The whole reference topic as it is now."""
    leitor = _Leitor(settings, catalogo_padrao())
    limite = time.monotonic() + timeout_s
    try:
        while not leitor.completo:
            if time.monotonic() > limite:
                raise TimeoutError(f"tópico {leitor.topico} não foi lido até o fim em {timeout_s:.0f} s")
            leitor.ler(0.2)
        return leitor.referencia()
    finally:
        leitor.fechar()


class ReferenciaViva:
    """The current reference data, kept up to date by a background thread that follows the topic."""

    def __init__(self, settings: KafkaSettings) -> None:
        self._settings = settings
        self._atual = Referencia(())
        self._carregada = threading.Event()
        self._parar = threading.Event()
        self._thread = threading.Thread(target=self._seguir, name="referencia", daemon=True)

    @property
    def atual(self) -> Referencia:
        """The latest complete view (swapped atomically; readers never see half an update)."""
        return self._atual

    def iniciar(self, *, timeout_s: float = 30.0) -> bool:
        """Start following the topic; wait until it was read to the end once. False on timeout."""
        self._thread.start()
        carregada = self._carregada.wait(timeout_s)
        if not carregada:
            logger.warning("reference topic not read to the end in %.0f s; names may be missing", timeout_s)
        return carregada

    def parar(self) -> None:
        self._parar.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def _seguir(self) -> None:
        while not self._parar.is_set():
            try:
                leitor = _Leitor(self._settings, catalogo_padrao())
            except KafkaException as exc:
                logger.warning("reference topic unavailable, retrying error=%s", exc)
                self._parar.wait(1.0)
                continue
            try:
                self._acompanhar(leitor)
            finally:
                leitor.fechar()
            return

    def _acompanhar(self, leitor: _Leitor) -> None:
        mudou = False
        while not self._parar.is_set():
            mudou = leitor.ler(0.5) or mudou
            if mudou and leitor.completo:
                self._atual = leitor.referencia()
                mudou = False
            if leitor.completo and not self._carregada.is_set():
                self._atual = leitor.referencia()
                logger.info("reference data loaded orgaos=%d", len(leitor.orgaos))
                self._carregada.set()
