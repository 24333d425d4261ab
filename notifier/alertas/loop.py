"""The alert sender's loop: follow alerts, match each batch of snapshots, write the outbox, mail, commit.

One consumer group reads tramitacao.processos (snapshots: what matches), tramitacao.movimentos
(what moved) and alertas (which alerts exist, and the confirmations to mail). At start it reads
the whole alertas topic, its outbox (alertas.novidades) and its enviadas (alertas.enviadas).
Per batch: novelties are written and acknowledged first, then e-mails are sent and each outcome
is recorded on enviadas, and only then are the offsets committed: a crash re-reads the batch,
finds its novelties already in the outbox, and mails only what enviadas cannot prove was sent,
with the same Message-ID.
Every loop also checks whether a digest interval closed, with or without new records.
One instance: the matcher needs every alert, and the group would split the alertas partitions.
It follows the generation of the derived topics like the notifier (`python -m notifier.alertas`
stops with STATUS_TROCA when a rebuild switches it); the outbox and enviadas are the same topics in
every generation, so a novelty told before the switch is not told again after it.
"""

from __future__ import annotations

__all__ = ["EnviadorAlertas"]

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from confluent_kafka import KafkaException, Message

from notifier.alertas.estado import EstadoAlertas, Novidade, novidade_from_avro, novidade_to_avro
from notifier.alertas.metricas import Metricas
from notifier.alertas.plano import RedatorAlertas, planejar_envios
from notifier.enviadas import Desfecho, Enviadas
from notifier.lote import Envio
from notifier.sender import EnvioConcorrente
from protocolo.alertas.analise import ELASTICSEARCH, LOCAL
from protocolo.alertas.indice import Casador
from protocolo.alertas.topico import decodificar_alerta
from protocolo.avro import catalogo_padrao
from protocolo.errors import BatchFailed, CodecError
from protocolo.geracao import servico_na_geracao
from protocolo.inscricoes import EstadoInscricao
from protocolo.kafka import make_consumer
from protocolo.metricas import atrasos, servir_metricas
from protocolo.settings import Settings
from protocolo.topico_compactado import gravar, ler_tabela

logger = logging.getLogger(__name__)


class EnviadorAlertas:
    """Matches snapshots against the confirmed alerts and mails what they ask for."""

    def __init__(self, settings: Settings, *, metricas: Metricas | None = None) -> None:
        self.settings = settings
        self.metricas = metricas or Metricas()
        self.catalogo = catalogo_padrao()
        regras = LOCAL if settings.alertas.analise == "local" else ELASTICSEARCH
        self.estado = EstadoAlertas(Casador(regras))
        # Its own log, not the notifier's: one writer per topic, and its refusals count for no subscription.
        self.enviadas = Enviadas(settings.kafka, settings.kafka.topics.alertas_enviadas)
        self.redator = RedatorAlertas(
            remetente=settings.smtp.remetente,
            base_url=settings.api.public_base_url,
            segredo=settings.chaveiro.atual,  # links name their key: valid across rotations
            validade=timedelta(hours=settings.inscricao.confirmacao_validade_h),
            itens_por_resumo=settings.alertas.itens_por_resumo,
        )
        self.envio = EnvioConcorrente(settings.smtp, settings.notifier, self._registrar)
        self.metricas.alertas.set_function(lambda: len(self.estado.casador))
        # One group per generation of the derived topics: a rebuild places the next one's offsets.
        self.grupo = settings.kafka.group(servico_na_geracao("alertas", settings.streams.geracao))
        self.consumer = make_consumer(settings.kafka, self.grupo)
        self._rodando = True

    def parar(self) -> None:
        """Ask the loop to stop after the batch at hand."""
        self._rodando = False

    def _registrar(self, envio: Envio, desfecho: Desfecho) -> None:
        self.enviadas.registrar(envio.message_id, envio.chave, desfecho)
        (self.metricas.enviados if desfecho is Desfecho.ENVIADA else self.metricas.devolvidos).inc()

    def carregar(self) -> None:
        """Read enviadas, every alert and the whole outbox (at start)."""
        topicos = self.settings.kafka.topics
        self.enviadas.carregar()
        for chave, registro in ler_tabela(self.settings.kafka, topicos.alertas, decodificar_alerta).items():
            self.estado.aplicar_alerta(chave, registro)
        caixa = ler_tabela(
            self.settings.kafka, topicos.alertas_novidades, lambda v: self.catalogo.decode("novidade", v)
        )
        # enviadas forgets an outcome after its retention, while the outbox keeps every novelty (it is
        # what remembers that a processo was told): older ones count as told, or a restart would resend them.
        dias = self.settings.kafka.topics.retencao_enviadas_dias
        antes_de = datetime.now(UTC) - timedelta(days=dias - 1) if dias else None
        for registro in caixa.values():
            novidade = novidade_from_avro(registro)
            self.estado.aplicar_novidade(
                novidade, contada=antes_de is not None and novidade.registrada_em < antes_de
            )

    def executar(self) -> None:
        """Run until parar() is called."""
        parar_metricas = servir_metricas(self.metricas.registry, self.settings.alertas.metrics_port)
        self.carregar()
        topicos = self.settings.kafka.topics
        self.consumer.subscribe([topicos.processos, topicos.movimentos, topicos.alertas])
        logger.info("alert sender started group=%s alerts=%d", self.grupo, len(self.estado.alertas))
        self.settings.readiness_file("notifier.alertas").touch()
        try:
            while self._rodando:
                mensagens = self.consumer.consume(num_messages=self.settings.alertas.lote_max, timeout=0.5)
                if not self.processar([m for m in mensagens if not m.error()]):
                    break
        finally:
            self.envio.parar()
            self.consumer.close()
            self.enviadas.fechar()
            parar_metricas()

    def _decodificar(self, mensagem: Message, nome: str) -> dict[str, Any] | None:
        valor = mensagem.value()
        try:
            return self.catalogo.decode(nome, valor) if valor else None
        except CodecError as exc:
            logger.error("bad record topic=%s offset=%s error=%s", mensagem.topic(), mensagem.offset(), exc)
            return None

    def processar(self, mensagens: list[Message]) -> bool:
        """One batch: novelties (acknowledged), then the e-mails due, then the commit; False when stopping."""
        topicos = self.settings.kafka.topics
        agora = datetime.now(UTC)
        snapshots: dict[str, dict[str, Any]] = {}
        movimentos: list[dict[str, Any]] = []
        confirmacoes: list[Envio] = []
        for mensagem in mensagens:
            if mensagem.topic() == topicos.alertas:
                chave = (mensagem.key() or b"").decode()
                alerta = self.estado.aplicar_alerta(chave, self._decodificar(mensagem, "alerta"))
                if alerta is not None and alerta.estado is EstadoInscricao.PENDENTE:
                    if alerta.solicitada_em + self.redator.validade > agora:
                        email = self.redator.confirmacao(alerta)
                        confirmacoes.append(Envio(str(email["Message-ID"]), chave, email))
            elif mensagem.topic() == topicos.processos:
                if (snapshot := self._decodificar(mensagem, "processo")) is not None:
                    atual = snapshots.get(snapshot["nup"])
                    if atual is None or atual["versao"] < snapshot["versao"]:
                        snapshots[snapshot["nup"]] = snapshot
            elif (movimento := self._decodificar(mensagem, "movimento")) is not None:
                movimentos.append(movimento)
        novas = self.estado.novidades(snapshots.values(), movimentos, agora)
        if novas:
            self._gravar_novidades(novas)
        retiradas = self.estado.retirar(n for n, s in snapshots.items() if not s["publico"])
        if retiradas:
            # Acknowledged before any e-mail: a restart must not find them in the outbox again.
            gravar(self.settings.kafka, topicos.alertas_novidades, [(c.encode(), None) for c in retiradas])
        alertas = self.settings.alertas
        envios = [e for e in confirmacoes if e.message_id not in self.enviadas.enviados]
        envios += planejar_envios(
            self.estado,
            self.enviadas.enviados,
            self.redator,
            agora=agora,
            diario_s=alertas.intervalo_diario_s,
            semanal_s=alertas.intervalo_semanal_s,
        )
        if envios and self.envio.enviar_lote(envios) is None:
            if self._rodando:
                raise BatchFailed("o lote de alertas não pôde ser concluído; veja os erros acima")
            return False
        if mensagens:
            try:
                self.consumer.commit(asynchronous=False)
            except KafkaException as exc:
                logger.warning("commit failed error=%s", exc)  # redelivered; the outbox and enviadas dedupe
            for (topico, particao), atraso in atrasos(self.consumer, mensagens).items():
                self.metricas.atraso.labels(topico, str(particao)).set(atraso)
        if envios or novas:
            logger.info("alerts novelties=%d emails=%d", len(novas), len(envios))
        return True

    def _gravar_novidades(self, novas: list[Novidade]) -> None:
        mensagens = [(n.chave.encode(), self.catalogo.encode("novidade", novidade_to_avro(n))) for n in novas]
        gravar(self.settings.kafka, self.settings.kafka.topics.alertas_novidades, mensagens)
        for novidade in novas:
            self.estado.aplicar_novidade(novidade)
            self.metricas.novidades.labels(novidade.tipo.lower()).inc()
