"""The indexer loop: poll a batch, write it to Elasticsearch, commit only after it was acknowledged.

Per batch: decode (undecodable messages go to the DLQ), build the bulk actions (indexer/documents),
write them retrying until the server acknowledged every one (indexer/sink), delete the movimentos of
processos that stopped being public, send the documents the index refused for good to the DLQ with
the server's reason and the message that produced them, flush the DLQ, and only then commit. A
rejected document never blocks its partition; a search server that is down blocks the loop (and
the commit) until it is back.
"""

from __future__ import annotations

__all__ = ["Indexer"]

import logging
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Message

from indexer.documents import acoes_do_lote, ocultos, query_ocultos
from indexer.indices import garantir_indices
from indexer.sink import Rejeitado, aplicar, com_retentativas
from protocolo.avro import catalogo_padrao
from protocolo.errors import CodecError, NotAcknowledged, WorkerStopped
from protocolo.kafka import make_consumer, make_producer
from protocolo.produce import produce_and_wait
from protocolo.registros import dead_letter_record
from protocolo.search import make_search
from protocolo.settings import Settings

logger = logging.getLogger(__name__)

_Origem = tuple[str, str, int | None]  # (index, document id, version): the action a message became


class Indexer:
    """Consumes tramitacao.processos and tramitacao.movimentos into the search indices."""

    def __init__(self, settings: Settings, *, lote_max: int = 1000, espera_lote_s: float = 0.5) -> None:
        self.settings = settings
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
        return not self._rodando

    def _garantir(self) -> None:
        garantir_indices(self.es, self.settings.search)

    def executar(self) -> None:
        """Run until parar() is called; waits for the search server if it is not up yet."""
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

    def processar(self, mensagens: list[Message]) -> None:
        """Write one batch, send what the index refused to the DLQ, then commit its offsets."""
        snapshots: list[dict[str, Any]] = []
        movimentos: list[dict[str, Any]] = []
        origens: dict[_Origem, Message] = {}
        cartas: list[tuple[bytes | None, dict[str, Any]]] = []
        for mensagem in mensagens:
            if mensagem.error():
                logger.warning("consumer error error=%s", mensagem.error())
                continue
            topico = mensagem.topic()
            nome = "processo" if topico == self.topico_processos else "movimento"
            try:
                registro = self.catalogo.decode(nome, mensagem.value() or b"")
            except CodecError as exc:
                logger.error(
                    "undecodable message topic=%s partition=%s offset=%s",
                    topico,
                    mensagem.partition(),
                    mensagem.offset(),
                )
                cartas.append(self._carta(mensagem, "MENSAGEM_CORROMPIDA", str(exc)))
                continue
            if nome == "processo":
                snapshots.append(registro)
                origens[(self.alias_processos, registro["nup"], registro["versao"])] = mensagem
            else:
                movimentos.append(registro)
                origens[(self.alias_movimentos, registro["id"], None)] = mensagem
        acoes = acoes_do_lote(
            snapshots,
            movimentos,
            indice_processos=self.alias_processos,
            indice_movimentos=self.alias_movimentos,
        )
        rejeitados = aplicar(self.es, acoes, garantir=self._garantir, deve_parar=self._deve_parar)
        cartas += [self._carta_rejeitado(r, origens) for r in rejeitados]
        escondidos = ocultos(snapshots)
        if escondidos:
            # Movements of a processo that stopped being public leave the index with it.
            com_retentativas(
                lambda: self.es.delete_by_query(
                    index=self.alias_movimentos, query=query_ocultos(escondidos), conflicts="proceed"
                ),
                garantir=self._garantir,
                deve_parar=self._deve_parar,
            )
        if cartas:
            self._entregar(cartas)
        try:
            self.consumer.commit(asynchronous=False)
        except KafkaException as exc:
            # Left the group while waiting for the search server (max.poll.interval.ms): the batch is
            # delivered again after the rejoin and written again, which the sink makes harmless.
            if exc.args[0].code() == KafkaError._NO_OFFSET:
                return
            logger.warning("commit failed, the batch will be consumed again error=%s", exc)
            return
        logger.debug("batch indexed messages=%d actions=%d", len(mensagens), len(acoes))

    def _carta_rejeitado(
        self, rejeitado: Rejeitado, origens: dict[_Origem, Message]
    ) -> tuple[bytes | None, dict[str, Any]]:
        acao = rejeitado.acao
        # The server's reason may quote a field's value: it goes to the DLQ only, never to the log.
        logger.error(
            "document rejected index=%s id=%s status=%s type=%s",
            acao.indice,
            acao.doc_id,
            rejeitado.status,
            rejeitado.tipo,
        )
        motivo = f"o índice recusou o documento (HTTP {rejeitado.status}): {rejeitado.motivo}"
        return self._carta(origens[(acao.indice, acao.doc_id, acao.versao)], "DOCUMENTO_REJEITADO", motivo)

    def _carta(self, mensagem: Message, codigo: str, motivo: str) -> tuple[bytes | None, dict[str, Any]]:
        registro = dead_letter_record(
            codigo=codigo,
            motivo=motivo,
            topico=mensagem.topic() or "",
            particao=mensagem.partition() or 0,
            offset=mensagem.offset() or 0,
            chave=mensagem.key(),
            valor=mensagem.value(),
        )
        return mensagem.key(), registro

    def _entregar(self, cartas: list[tuple[bytes | None, dict[str, Any]]]) -> None:
        """Produce the batch's dead letters and wait until the broker has every one (before the commit)."""
        pendentes = [(chave, self.catalogo.encode("dead_letter", registro)) for chave, registro in cartas]
        while pendentes:
            try:
                produce_and_wait(
                    self.dlq,
                    self.settings.kafka.topics.dlq,
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
