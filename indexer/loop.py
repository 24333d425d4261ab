"""The indexer loop: poll a batch, write it to Elasticsearch, commit only after it was acknowledged."""

from __future__ import annotations

__all__ = ["Indexer"]

import logging
from typing import Any

from confluent_kafka import Message

from indexer.documents import acoes_do_lote
from indexer.sink import aplicar, garantir_indices
from protocolo.avro import catalogo_padrao
from protocolo.errors import CodecError
from protocolo.kafka import make_consumer, make_producer
from protocolo.registros import dead_letter_record
from protocolo.search import make_search
from protocolo.settings import Settings

logger = logging.getLogger(__name__)


class Indexer:
    """Consumes tramitacao.processos and tramitacao.movimentos into the search indices."""

    def __init__(self, settings: Settings, *, lote_max: int = 1000, espera_lote_s: float = 0.5) -> None:
        self.settings = settings
        self.lote_max = lote_max
        self.espera_lote_s = espera_lote_s
        self._rodando = True
        self.grupo = settings.kafka.group("indexer")
        self.catalogo = catalogo_padrao()
        self.es = make_search(settings.search)
        self.consumer = make_consumer(settings.kafka, self.grupo)
        self.dlq = make_producer(settings.kafka)
        topicos = settings.kafka.topics
        self.topico_processos = topicos.processos
        self.topico_movimentos = topicos.movimentos

    def parar(self) -> None:
        """Ask the loop to finish the batch at hand and stop."""
        self._rodando = False

    def executar(self) -> None:
        """Run until parar() is called."""
        garantir_indices(self.es, self.settings.search)
        self.consumer.subscribe([self.topico_processos, self.topico_movimentos])
        logger.info("indexer started group=%s", self.grupo)
        try:
            while self._rodando:
                mensagens = self.consumer.consume(num_messages=self.lote_max, timeout=self.espera_lote_s)
                if mensagens:
                    self.processar(mensagens)
        except InterruptedError:
            logger.info("indexer interrupted while retrying; offsets of the batch not committed")
        finally:
            self.consumer.close()
            self.dlq.flush(10)

    def processar(self, mensagens: list[Message]) -> None:
        """Write one batch and commit its offsets."""
        snapshots: list[dict[str, Any]] = []
        movimentos: list[dict[str, Any]] = []
        for mensagem in mensagens:
            if mensagem.error():
                logger.warning("consumer error error=%s", mensagem.error())
                continue
            topico = mensagem.topic()
            nome = "processo" if topico == self.topico_processos else "movimento"
            try:
                registro = self.catalogo.decode(nome, mensagem.value() or b"")
            except CodecError as exc:
                self._rejeitar(mensagem, "MENSAGEM_CORROMPIDA", str(exc))
                continue
            (snapshots if nome == "processo" else movimentos).append(registro)
        search = self.settings.search
        acoes = acoes_do_lote(
            snapshots,
            movimentos,
            indice_processos=search.alias("processos"),
            indice_movimentos=search.alias("movimentos"),
        )
        rejeitados = aplicar(self.es, acoes, deve_parar=lambda: not self._rodando)
        for rejeitado in rejeitados:
            logger.error(
                "document rejected index=%s id=%s status=%s reason=%s",
                rejeitado.acao.indice,
                rejeitado.acao.doc_id,
                rejeitado.status,
                rejeitado.motivo,
            )
        privados = sorted({s["nup"] for s in snapshots if not s["publico"]})
        if privados:
            # Movements of a processo that stopped being public leave the index with it.
            self.es.delete_by_query(
                index=search.alias("movimentos"), query={"terms": {"nup": privados}}, conflicts="proceed"
            )
        self.consumer.commit(asynchronous=False)
        logger.debug("batch indexed messages=%d actions=%d", len(mensagens), len(acoes))

    def _rejeitar(self, mensagem: Message, codigo: str, motivo: str) -> None:
        logger.error(
            "undecodable message topic=%s partition=%s offset=%s reason=%s",
            mensagem.topic(),
            mensagem.partition(),
            mensagem.offset(),
            motivo,
        )
        registro = dead_letter_record(
            codigo=codigo,
            motivo=motivo,
            topico=mensagem.topic() or "",
            particao=mensagem.partition() or 0,
            offset=mensagem.offset() or 0,
            chave=mensagem.key(),
            valor=mensagem.value(),
        )
        self.dlq.produce(
            self.settings.kafka.topics.dlq,
            key=mensagem.key(),
            value=self.catalogo.encode("dead_letter", registro),
        )
        self.dlq.flush(10)
