"""The notifier loop: keep subscriptions current, mail each new movimento, then commit."""

from __future__ import annotations

__all__ = ["Notifier"]

import logging
import smtplib
import time
from email.message import EmailMessage

from confluent_kafka import OFFSET_BEGINNING, Message, TopicPartition

from notifier.messages import render_email
from notifier.sender import SmtpSender
from notifier.subscriptions import Inscricoes
from protocolo.avro import catalogo_padrao
from protocolo.errors import CodecError
from protocolo.kafka import make_consumer
from protocolo.settings import Settings

logger = logging.getLogger(__name__)


class Notifier:
    """Consumes tramitacao.movimentos and mails the subscribers in inscricoes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.grupo = settings.kafka.group("notifier")
        self.catalogo = catalogo_padrao()
        self.inscricoes = Inscricoes()
        self.sender = SmtpSender(settings.smtp)
        self.movimentos = make_consumer(settings.kafka, self.grupo)
        # The subscriptions are read whole by every notifier, so this consumer has no group commits.
        self.leitor_inscricoes = make_consumer(settings.kafka, f"{self.grupo}-inscricoes-{time.time_ns()}")
        # Within one run, a movimento re-emitted by the streams is not mailed twice.
        self.enviados: set[str] = set()
        self._rodando = True

    def parar(self) -> None:
        """Ask the loop to stop after the batch at hand."""
        self._rodando = False

    def _assinar_inscricoes(self) -> None:
        topico = self.settings.kafka.topics.inscricoes
        metadados = self.leitor_inscricoes.list_topics(topico, timeout=10)
        particoes = metadados.topics[topico].partitions
        self.leitor_inscricoes.assign([TopicPartition(topico, p, OFFSET_BEGINNING) for p in particoes])

    def atualizar_inscricoes(self) -> None:
        """Apply every subscription record available right now."""
        while True:
            mensagens = self.leitor_inscricoes.consume(num_messages=500, timeout=0.05)
            if not mensagens:
                return
            for mensagem in mensagens:
                if mensagem.error():
                    continue
                chave = (mensagem.key() or b"").decode()
                valor = mensagem.value()
                try:
                    registro = self.catalogo.decode("inscricao", valor) if valor else None
                except CodecError as exc:
                    logger.error("bad subscription record offset=%s error=%s", mensagem.offset(), exc)
                    continue
                self.inscricoes.aplicar(chave, registro)

    def executar(self) -> None:
        """Run until parar() is called."""
        self._assinar_inscricoes()
        self.movimentos.subscribe([self.settings.kafka.topics.movimentos])
        logger.info("notifier started group=%s", self.grupo)
        try:
            while self._rodando:
                self.atualizar_inscricoes()
                mensagens = self.movimentos.consume(num_messages=200, timeout=0.5)
                if mensagens:
                    self.processar(mensagens)
        finally:
            self.movimentos.close()
            self.leitor_inscricoes.close()

    def processar(self, mensagens: list[Message]) -> None:
        """Mail one batch of movimentos; commit only after the relay accepted every message."""
        api = self.settings.api
        lote: list[EmailMessage] = []
        no_lote: set[str] = set()
        for mensagem in mensagens:
            if mensagem.error():
                continue
            try:
                movimento = self.catalogo.decode("movimento", mensagem.value() or b"")
            except CodecError as exc:
                logger.error("bad movimento offset=%s error=%s", mensagem.offset(), exc)
                continue
            for inscrito in self.inscricoes.do_processo(movimento["nup"]):
                email = render_email(
                    movimento, inscrito, remetente=self.settings.smtp.remetente, base_url=api.public_base_url
                )
                # A resend can sit in the same batch as its original: check the batch too.
                if email["Message-ID"] not in self.enviados and email["Message-ID"] not in no_lote:
                    no_lote.add(str(email["Message-ID"]))
                    lote.append(email)
        self._enviar_com_retentativas(lote)
        self.enviados.update(no_lote)
        self.movimentos.commit(asynchronous=False)
        if lote:
            logger.info("emails sent count=%d", len(lote))

    def _enviar_com_retentativas(self, lote: list[EmailMessage]) -> None:
        """Retry a relay that is down or busy; offsets stay uncommitted until it accepts."""
        espera = 0.5
        while True:
            try:
                self.sender.enviar(lote)
                return
            except (smtplib.SMTPException, OSError) as exc:
                if not self._rodando:
                    raise
                logger.warning("smtp failed, will retry error=%s wait_s=%.1f", exc.__class__.__name__, espera)
                time.sleep(espera)
                espera = min(espera * 2, 30.0)
