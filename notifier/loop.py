"""The notifier loop: keep subscriptions current, mail each batch, log what was sent, then commit.

One consumer group reads tramitacao.movimentos (mail the subscribers) and inscricoes (mail the
confirmation of each pending request), so each record is handled by one notifier of the group.
Every notifier also reads the whole inscricoes topic and its own bounce marks (notificacoes.
devolucoes) without a group to know every subscription, and applies what is new before each
batch: an unsubscribe acknowledged before a movement was published takes effect before that
movement is mailed.

Per batch: plan the e-mails (minus enviadas), send them concurrently at a bounded rate, log
each outcome on enviadas (acknowledged), mark subscriptions that bounce too often on the
notifier's own topic (never on inscricoes, which only the API writes), and only then commit the
offsets. A crash anywhere resends at most what it cannot prove was sent.
"""

from __future__ import annotations

__all__ = ["Notifier"]

import logging
from datetime import UTC, datetime, timedelta

from confluent_kafka import KafkaException, Message

from notifier.enviadas import Desfecho, Enviadas
from notifier.lote import Envio, Redator, itens_do_lote, planejar_devolucoes, planejar_lote
from notifier.metricas import Metricas
from notifier.sender import EnvioConcorrente
from notifier.subscriptions import Inscricoes
from protocolo.avro import catalogo_padrao
from protocolo.errors import BatchFailed, CodecError
from protocolo.geracao import servico_na_geracao
from protocolo.inscricoes import Devolucao, devolucao_to_avro
from protocolo.inscricoes_topico import gravar_devolucoes
from protocolo.kafka import entrada_de, make_consumer
from protocolo.leitura import Leitor
from protocolo.metricas import atrasos, servir_metricas
from protocolo.settings import Settings

logger = logging.getLogger(__name__)


class Notifier:
    """Consumes movimentos and inscricoes and mails the subscribers."""

    def __init__(self, settings: Settings, *, metricas: Metricas | None = None) -> None:
        self.settings = settings
        self.metricas = metricas or Metricas()
        # One group per generation of the derived topics: `protocolo rebuild` places the next
        # generation's group at the end of its movimentos, so the switch mails no old movimento.
        self.grupo = settings.kafka.group(servico_na_geracao("notifier", settings.streams.geracao))
        self.catalogo = catalogo_padrao()
        self.inscricoes = Inscricoes()
        self.enviadas = Enviadas(settings.kafka)
        self.redator = Redator(
            remetente=settings.smtp.remetente,
            base_url=settings.api.public_base_url,
            segredo=settings.secret_key.get_secret_value().encode(),
            validade=timedelta(hours=settings.inscricao.confirmacao_validade_h),
        )
        self.envio = EnvioConcorrente(
            settings.smtp, settings.notifier, self._registrar, ao_repetir=self.metricas.retentativas.inc
        )
        self.metricas.fila.set_function(lambda: self.envio.pendentes)
        self.metricas.inscricoes.set_function(lambda: len(self.inscricoes))
        self.consumer = make_consumer(settings.kafka, self.grupo)
        self.leitores: list[Leitor] = []  # inscricoes and the bounce marks, opened by executar()
        self._rodando = True

    def parar(self) -> None:
        """Ask the loop to stop after the batch at hand (an unfinished batch is not committed)."""
        self._rodando = False

    def _registrar(self, envio: Envio, desfecho: Desfecho) -> None:
        self.enviadas.registrar(envio.message_id, envio.chave, desfecho)
        (self.metricas.enviados if desfecho is Desfecho.ENVIADA else self.metricas.devolvidos).inc()

    def atualizar_inscricoes(self, *, ate_o_fim: bool = False, espera_s: float = 0.05) -> None:
        """Apply every subscription record and bounce mark available now (`ate_o_fim`: read both whole)."""
        assert self.leitores, "executar() opens the readers"
        for leitor in self.leitores:
            while True:
                mensagens = leitor.ler(espera_s)
                if not mensagens and not (ate_o_fim and not leitor.no_fim):
                    break
                for mensagem in mensagens:
                    self._aplicar(leitor.topico, mensagem)

    def _aplicar(self, topico: str, mensagem: Message) -> None:
        chave = (mensagem.key() or b"").decode()
        valor = mensagem.value()
        nome = "devolucao" if topico == self.settings.kafka.topics.devolucoes else "inscricao"
        try:
            registro = self.catalogo.decode(nome, valor) if valor else None
        except CodecError as exc:
            logger.error(
                "bad subscription record topic=%s offset=%s error=%s", topico, mensagem.offset(), exc
            )
            return
        if nome == "devolucao":
            self.inscricoes.aplicar_devolucao(chave, registro)
        else:
            self.inscricoes.aplicar(chave, registro)

    def executar(self) -> None:
        """Run until parar() is called."""
        parar_metricas = servir_metricas(self.metricas.registry, self.settings.notifier.metrics_port)
        carregados = self.enviadas.carregar()
        topicos = self.settings.kafka.topics
        # Every notifier reads the subscriptions and the bounce marks whole, without a group; short
        # fetch waits, so a record acknowledged a moment ago is here before the next movement.
        self.leitores = [
            Leitor(self.settings.kafka, topico, config={"fetch.wait.max.ms": 50})
            for topico in (topicos.inscricoes, topicos.devolucoes)
        ]
        self.atualizar_inscricoes(ate_o_fim=True, espera_s=0.5)
        self.consumer.subscribe([topicos.movimentos, topicos.inscricoes])
        logger.info(
            "notifier started group=%s enviadas=%d subscriptions=%d",
            self.grupo,
            carregados,
            len(self.inscricoes),
        )
        self.settings.readiness_file("notifier").touch()
        try:
            while self._rodando:
                mensagens = self.consumer.consume(num_messages=self.settings.notifier.lote_max, timeout=0.5)
                self.atualizar_inscricoes()
                if mensagens and not self.processar(mensagens):
                    break
        finally:
            self.envio.parar()
            self.consumer.close()
            for leitor in self.leitores:
                leitor.fechar()
            self.enviadas.fechar()
            parar_metricas()

    def processar(self, mensagens: list[Message]) -> bool:
        """Perform one batch's plan and commit it; False when it could not finish (stopping)."""
        entradas = [entrada_de(m) for m in mensagens if not m.error()]
        itens = itens_do_lote(
            entradas, catalogo=self.catalogo, topico_movimentos=self.settings.kafka.topics.movimentos
        )
        envios = planejar_lote(
            itens, self.inscricoes, self.enviadas.enviados, self.redator, datetime.now(UTC)
        )
        desfechos = self.envio.enviar_lote(envios)
        if desfechos is None:
            if self._rodando:
                raise BatchFailed("o lote não pôde ser concluído; veja os erros acima")
            return False
        marcadas = planejar_devolucoes(
            (e.chave for e, d in desfechos if d is Desfecho.RECUSADA),
            self.inscricoes,
            self.enviadas.recusas,
            devolucoes_max=self.settings.notifier.devolucoes_max,
            agora=datetime.now(UTC),
        )
        if marcadas:
            self._marcar_devolvendo(marcadas)
            self.metricas.devolvendo.inc(len(marcadas))
        try:
            self.consumer.commit(asynchronous=False)
        except KafkaException as exc:
            # Redelivered later; enviadas keeps it from being mailed twice.
            logger.warning("commit failed error=%s", exc)
        for (topico, particao), atraso in atrasos(self.consumer, mensagens).items():
            self.metricas.atraso.labels(topico, str(particao)).set(atraso)
        if envios:
            recusados = sum(1 for _, d in desfechos if d is Desfecho.RECUSADA)
            logger.info("emails sent count=%d refused=%d", len(envios) - recusados, recusados)
        return True

    def _marcar_devolvendo(self, marcas: list[Devolucao]) -> None:
        """Write the bounce marks on the notifier's own topic (acknowledged) and apply them at once."""
        gravar_devolucoes(self.settings.kafka, marcas)
        for marca in marcas:
            # Applied now: the next batch must not wait for the reader to see our own record.
            self.inscricoes.aplicar_devolucao(marca.chave, devolucao_to_avro(marca))
        logger.warning("subscriptions marked bouncing count=%d", len(marcas))
