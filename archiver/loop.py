"""The archiver's shell: consume the raw events topic, append each batch to the archive, sign checkpoints.

Where to resume comes from the archive, not from Kafka: on every assignment each partition is sought
to the offset after the last event the archive holds for it. The group's committed offsets are
written too (after the fsync), but only so lag shows in the usual tools.
"""

from __future__ import annotations

__all__ = ["Arquivador"]

import logging
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Message, TopicPartition

from archiver.arquivo import Arquivo
from archiver.metricas import Metricas
from archiver.nota import Assinante
from protocolo.kafka import entrada_de, make_consumer
from protocolo.metricas import atrasos, servir_metricas
from protocolo.settings import Settings

logger = logging.getLogger(__name__)


class Arquivador:
    """Archives tramitacao.eventos, every message once, in a signed append-only log."""

    def __init__(
        self,
        settings: Settings,
        assinante: Assinante,
        *,
        espera_lote_s: float = 0.5,
        metricas: Metricas | None = None,
    ) -> None:
        self.settings = settings
        self.metricas = metricas or Metricas()
        self.assinante = assinante
        self.config = settings.arquivo
        self.espera_lote_s = espera_lote_s
        self.topico = settings.kafka.topics.eventos
        self.grupo = settings.kafka.group("archiver")
        self.arquivo = Arquivo(
            settings.pasta_arquivo(),
            topico=self.topico,
            eventos_por_segmento=self.config.eventos_por_segmento,
        )
        self.consumer: Consumer = make_consumer(settings.kafka, self.grupo)
        self.metricas.tamanho.set_function(lambda: self.arquivo.tamanho)
        self.metricas.assinados.set_function(lambda: self.arquivo.ultimo_checkpoint or 0)
        self._rodando = True
        self._ultimo_checkpoint_em = time.monotonic()

    def parar(self) -> None:
        """Finish the batch at hand, sign a last checkpoint and stop."""
        self._rodando = False

    def _ao_atribuir(self, consumer: Consumer, particoes: list[TopicPartition]) -> None:
        for tp in particoes:
            tp.offset = self.arquivo.proximos.get(tp.partition, OFFSET_BEGINNING)
        consumer.assign(particoes)
        logger.info("partitions assigned %s", ",".join(f"{tp.partition}@{tp.offset}" for tp in particoes))

    def executar(self) -> None:
        """Run until parar() is called."""
        parar_metricas = servir_metricas(self.metricas.registry, self.config.metrics_port)
        try:
            self.consumer.subscribe([self.topico], on_assign=self._ao_atribuir)
            self.settings.readiness_file("archiver").touch()
            logger.info("archiver started group=%s events=%d", self.grupo, self.arquivo.tamanho)
            while self._rodando:
                mensagens = self.consumer.consume(
                    num_messages=self.config.lote_max, timeout=self.espera_lote_s
                )
                if mensagens:
                    self.processar(mensagens)
                self._talvez_checkpoint()
            self.arquivo.checkpoint(self.assinante, origem=self.config.origem)
        finally:
            self.consumer.close()
            self.arquivo.fechar()
            parar_metricas()

    def processar(self, mensagens: list[Message]) -> None:
        """Append one batch (durably), then commit its offsets for the monitoring tools."""
        lote = []
        for m in mensagens:
            if m.error():
                logger.warning("consumer error error=%s", m.error())
                continue
            lote.append(entrada_de(m))
        self.arquivo.anexar(lote)
        self.metricas.eventos.inc(len(lote))
        for (topico, particao), atraso in atrasos(self.consumer, mensagens).items():
            self.metricas.atraso.labels(topico, str(particao)).set(atraso)
        try:
            self.consumer.commit(asynchronous=True)
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError._NO_OFFSET:
                logger.warning("commit failed (the archive holds the offsets) error=%s", exc)

    def _talvez_checkpoint(self) -> None:
        desde = self.arquivo.tamanho - (self.arquivo.ultimo_checkpoint or 0)
        vencido = time.monotonic() - self._ultimo_checkpoint_em >= self.config.checkpoint_s
        if (
            self.arquivo.ultimo_checkpoint is None
            or desde >= self.config.checkpoint_eventos
            or (vencido and desde)
        ):
            if self.arquivo.checkpoint(self.assinante, origem=self.config.origem) is not None:
                self.metricas.checkpoints.inc()
            self._ultimo_checkpoint_em = time.monotonic()
