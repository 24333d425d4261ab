"""The indexer loop: poll a batch, write it to Elasticsearch, commit only after it was acknowledged.

Per batch the plan (indexer/plano, pure) says what to write, what to delete and which messages are
dead letters; this shell performs it: write the actions retrying until the server acknowledged every
one (indexer/sink), delete the movimentos of processos that stopped being public, send the documents
the index refused for good to the indexer's own dead-letter topic (`dlq_indexacao`, not the raw
events' DLQ) with the server's reason and the message that produced them, wait for its
acknowledgement, and only then commit. A
rejected document never blocks its partition; a search server that is down blocks the loop (and
the commit) until it is back.
"""

from __future__ import annotations

__all__ = ["Indexer"]

import logging
import time
from datetime import UTC, datetime

from confluent_kafka import KafkaError, KafkaException, Message

from indexer.documents import Acao
from indexer.indices import garantir_indices
from indexer.metricas import Metricas
from indexer.plano import Carta, Rejeitado, cartas_rejeitados, planejar_lote
from indexer.sink import aplicar, com_retentativas, remover_movimentos_ocultos, sem_ocultos_do_indice
from protocolo.avro import catalogo_padrao
from protocolo.errors import NotAcknowledged, WorkerStopped
from protocolo.kafka import entrada_de, make_consumer, make_producer
from protocolo.metricas import atrasos, servir_metricas
from protocolo.produce import Mensagem, produce_and_wait
from protocolo.search import make_search
from protocolo.settings import Settings

logger = logging.getLogger(__name__)


class Indexer:
    """Consumes tramitacao.processos and tramitacao.movimentos into the search indices."""

    def __init__(
        self,
        settings: Settings,
        *,
        lote_max: int = 1000,
        espera_lote_s: float = 0.5,
        metricas: Metricas | None = None,
    ) -> None:
        self.settings = settings
        self.metricas = metricas or Metricas()
        self.lote_max = lote_max
        self.espera_lote_s = espera_lote_s
        self._rodando = True
        self.grupo = settings.kafka.group("indexer")
        self.catalogo = catalogo_padrao()
        # The loop's own backoff is the retry policy (and logs each failure): no hidden client retries.
        self.es = make_search(settings.search).options(max_retries=0, retry_on_timeout=False)
        self.consumer = make_consumer(settings.kafka, self.grupo)
        self.dlq = make_producer(settings.kafka)
        topicos = settings.kafka.topics
        self.topico_processos = topicos.processos
        self.topico_movimentos = topicos.movimentos
        self.alias_processos = settings.search.alias("processos")
        self.alias_movimentos = settings.search.alias("movimentos")

    def parar(self) -> None:
        """Ask the loop to finish the batch at hand and stop."""
        self._rodando = False

    def _deve_parar(self) -> bool:
        # The sink asks this once before each wait to retry the search server: the retry count.
        self.metricas.retentativas.inc()
        return not self._rodando

    def _garantir(self) -> None:
        garantir_indices(self.es, self.settings.search)

    def executar(self) -> None:
        """Run until parar() is called; waits for the search server if it is not up yet."""
        parar_metricas = servir_metricas(self.metricas.registry, self.settings.indexer.metrics_port)
        try:
            com_retentativas(self._garantir, deve_parar=self._deve_parar)
            self.consumer.subscribe([self.topico_processos, self.topico_movimentos])
            self.settings.readiness_file("indexer").touch()
            logger.info("indexer started group=%s", self.grupo)
            while self._rodando:
                mensagens = self.consumer.consume(num_messages=self.lote_max, timeout=self.espera_lote_s)
                if mensagens:
                    self.processar(mensagens)
        except WorkerStopped:
            logger.info("indexer interrupted while retrying; offsets of the batch not committed")
        finally:
            self.consumer.close()
            self.dlq.flush(10)
            parar_metricas()

    def processar(self, mensagens: list[Message]) -> None:
        """Perform one batch's plan: write it, send what the index refused to the DLQ, then commit."""
        inicio = time.monotonic()
        entradas = []
        for mensagem in mensagens:
            if mensagem.error():
                logger.warning("consumer error error=%s", mensagem.error())
                continue
            entradas.append(entrada_de(mensagem))
        plano = planejar_lote(
            entradas,
            catalogo=self.catalogo,
            topico_processos=self.topico_processos,
            alias_processos=self.alias_processos,
            alias_movimentos=self.alias_movimentos,
            agora=datetime.now(UTC),
        )
        plano = sem_ocultos_do_indice(
            self.es,
            plano,
            indice_processos=self.alias_processos,
            indice_movimentos=self.alias_movimentos,
            garantir=self._garantir,
            deve_parar=self._deve_parar,
        )
        rejeitados = aplicar(self.es, plano.acoes, garantir=self._garantir, deve_parar=self._deve_parar)
        # Movements of a processo that stopped being public leave the index with it.
        remover_movimentos_ocultos(
            self.es,
            plano.ocultos,
            indice_movimentos=self.alias_movimentos,
            garantir=self._garantir,
            deve_parar=self._deve_parar,
        )
        cartas = plano.cartas + cartas_rejeitados(
            plano, rejeitados, catalogo=self.catalogo, agora=datetime.now(UTC)
        )
        if cartas:
            self._entregar(cartas)
        self._medir(mensagens, plano.acoes, rejeitados, cartas)
        try:
            self.consumer.commit(asynchronous=False)
        except KafkaException as exc:
            # Left the group while waiting for the search server (max.poll.interval.ms): the batch is
            # delivered again after the rejoin and written again, which the sink makes harmless.
            if exc.args[0].code() == KafkaError._NO_OFFSET:
                return
            logger.warning("commit failed, the batch will be consumed again error=%s", exc)
            return
        self.metricas.lote.observe(time.monotonic() - inicio)
        logger.debug("batch indexed messages=%d actions=%d", len(mensagens), len(plano.acoes))

    def _medir(
        self, mensagens: list[Message], acoes: list[Acao], rejeitados: list[Rejeitado], cartas: list[Carta]
    ) -> None:
        """Count one written batch: documents by family, refusals, dead letters, and the lag left."""
        m = self.metricas
        m.mensagens.inc(len(mensagens))
        recusados = {id(r.acao) for r in rejeitados}
        for acao in acoes:
            familia = m.familia(acao.indice, alias_processos=self.alias_processos)
            (m.rejeitados if id(acao) in recusados else m.documentos).labels(familia).inc()
        for carta in cartas:
            m.dlq.labels(carta.codigo).inc()
        for (topico, particao), atraso in atrasos(self.consumer, mensagens).items():
            m.atraso.labels(topico, str(particao)).set(atraso)

    def _entregar(self, cartas: list[Carta]) -> None:
        """Produce the batch's dead letters and wait until the broker has every one (before the commit)."""
        pendentes: list[Mensagem] = [(carta.chave, carta.valor) for carta in cartas]
        while pendentes:
            try:
                produce_and_wait(
                    self.dlq,
                    self.settings.kafka.topics.dlq_indexacao,
                    pendentes,
                    timeout_s=None,
                    while_waiting=self._esperando_dlq,
                    what="cartas",
                )
                return
            except NotAcknowledged as exc:
                pendentes = [pendentes[i] for i in exc.failed_indices]
                logger.warning("dead letters not delivered, sending again count=%d", len(pendentes))

    def _esperando_dlq(self) -> None:
        if not self._rodando:
            raise WorkerStopped("stopped while sending dead letters")
        logger.warning("dead-letter topic slow to acknowledge, still waiting")
