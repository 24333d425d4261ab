"""The deliverer: checks ownership, plans each movimento's deliveries, and hands them to endpoints.

It follows the API's registrations (webhooks.registros) and keeps its own verdicts
(webhooks.estados, written only here). A registration without a verdict gets the ownership check;
delivery starts only once it is VERIFICADO.

Movimentos are read in the deliverer's own consumer group. Per batch: the deliveries to every
active webhook that follows the processo or the órgão are written PENDENTE to the outbox
(acknowledged), then the offsets are committed, then each delivery joins its endpoint's queue
(webhooks.endpoint). A crash loses nothing: a restarted deliverer sends again every delivery still
PENDENTE, with the same webhook-id, and a movimento read again is not planned twice (its
deliveries' ids are in the outbox already).

Run one deliverer: a second one would check and send the same things (harmless, since receivers
deduplicate by webhook-id, but useless).
"""

from __future__ import annotations

__all__ = ["Entregador"]

import asyncio
import logging
import smtplib
import time
from datetime import UTC, datetime

import httpx
from confluent_kafka import Consumer, KafkaException, Message

from protocolo.avro import catalogo_padrao
from protocolo.cifra import Cofre
from protocolo.errors import BatchFailed, CodecError, SealedSecretUnreadable
from protocolo.geracao import servico_na_geracao
from protocolo.integradores_topico import IntegradoresVivos
from protocolo.kafka import make_consumer
from protocolo.metricas import servir_metricas
from protocolo.settings import Settings
from protocolo.webhooks import PROPOSITO_SEGREDOS, EstadoWebhook, Veredito, Webhook, id_entrega
from protocolo.webhooks_topico import WebhooksVivos, ler_estados, mensagem_estado
from webhooks import http
from webhooks.assinatura import cabecalhos
from webhooks.aviso import render_desativacao
from webhooks.correio import enviar_email
from webhooks.endpoint import Endpoint, Portas
from webhooks.entregas import Entrega, EstadoEntrega, carregar_entregas, mensagem_entrega
from webhooks.metricas import Metricas
from webhooks.payload import corpo_json, payload_movimento
from webhooks.politica import Roteador
from webhooks.saida import Saida

logger = logging.getLogger(__name__)


class Entregador:
    """Consumes movimentos and delivers them, signed, to the integrators' webhooks."""

    def __init__(self, settings: Settings, *, metricas: Metricas | None = None) -> None:
        self.settings = settings
        self.metricas = metricas or Metricas()
        self.config = settings.webhooks
        self.topicos = settings.kafka.topics
        self.grupo = settings.kafka.group(servico_na_geracao("webhooks", settings.streams.geracao))
        self.catalogo = catalogo_padrao()
        self.cofre = Cofre(settings.secret_key.get_secret_value().encode(), PROPOSITO_SEGREDOS)
        self.webhooks = WebhooksVivos(settings.kafka)
        self.integradores = IntegradoresVivos(settings.kafka)
        self.estados: dict[str, EstadoWebhook] = {}
        self.conhecidas: set[str] = set()
        self.endpoints: dict[str, Endpoint] = {}
        self._desafios: dict[str, asyncio.Task[None]] = {}
        self._registros: set[asyncio.Task[None]] = set()
        self._roteador: Roteador | None = None
        self._visto: object = None
        self._ordem = 0
        self._rodando = True
        self._erro: BaseException | None = None

    def parar(self) -> None:
        """Ask the loop to stop after the batch at hand."""
        self._rodando = False

    # --- the loop -------------------------------------------------------------------------------

    async def executar(self) -> None:
        """Run until parar() is called (or a record could not be written: BatchFailed)."""
        kafka = self.settings.kafka
        servir_metricas(self.metricas.registry, self.config.metrics_port)  # a daemon thread
        self.conhecidas, pendentes = await asyncio.to_thread(carregar_entregas, kafka)
        self.estados = await asyncio.to_thread(ler_estados, kafka)
        await asyncio.to_thread(self.webhooks.iniciar, timeout_s=30)
        await asyncio.to_thread(self.integradores.iniciar, timeout_s=30)
        self.saida = Saida(kafka)
        self.cliente = httpx.AsyncClient(follow_redirects=False, timeout=self.config.timeout_s)
        self.semaforo = asyncio.Semaphore(self.config.concorrencia)
        consumer = make_consumer(kafka, self.grupo)
        consumer.subscribe([self.topicos.movimentos])
        logger.info(
            "webhooks started group=%s webhooks=%d pending=%d",
            self.grupo,
            len(self.webhooks.atual),
            len(pendentes),
        )
        self.settings.readiness_file("webhooks").touch()
        try:
            self._sincronizar()
            for entrega in pendentes:
                await self._enfileirar(entrega)
            while self._rodando and self._erro is None:
                mensagens = await asyncio.to_thread(
                    consumer.consume, num_messages=self.config.lote_max, timeout=0.5
                )
                self._sincronizar()
                if mensagens:
                    await self._processar(consumer, mensagens)
            if self._erro is not None:
                raise BatchFailed("um registro do entregador não pôde ser gravado") from self._erro
        finally:
            for endpoint in self.endpoints.values():
                endpoint.parar()
            for tarefa in self._desafios.values():
                tarefa.cancel()
            await asyncio.gather(
                *(e.tarefa for e in self.endpoints.values()), *self._desafios.values(), return_exceptions=True
            )
            await asyncio.gather(*self._registros, return_exceptions=True)  # outcomes already known
            await self.cliente.aclose()
            consumer.close()
            self.saida.fechar()
            self.webhooks.parar()
            self.integradores.parar()

    async def _processar(self, consumer: Consumer, mensagens: list[Message]) -> None:
        """Plan the batch's deliveries, write them PENDENTE, commit, then queue them."""
        roteador = self._roteador_atual()
        entregas: list[Entrega] = []
        planejadas: set[str] = set()
        for mensagem in mensagens:
            if mensagem.error() or not mensagem.value():
                continue
            try:
                movimento = self.catalogo.decode("movimento", mensagem.value() or b"")
            except CodecError as exc:
                logger.error("bad movimento offset=%s error=%s", mensagem.offset(), exc)
                continue
            destinos = roteador.destinos(movimento)
            if not destinos:
                continue
            corpo = corpo_json(payload_movimento(movimento))
            for webhook in destinos:
                id_ = id_entrega(movimento["id"], webhook.id)
                if id_ not in self.conhecidas and id_ not in planejadas:
                    planejadas.add(id_)
                    entregas.append(Entrega(id_, webhook.id, corpo, ordem=self._proxima_ordem()))
        await self.saida.gravar(
            self.topicos.webhooks_entregas, [mensagem_entrega(e, EstadoEntrega.PENDENTE) for e in entregas]
        )
        self.conhecidas |= planejadas
        try:
            await asyncio.to_thread(consumer.commit, asynchronous=False)
        except KafkaException as exc:
            logger.warning("commit failed error=%s", exc)  # read again later; the outbox dedupes
        for entrega in entregas:
            await self._enfileirar(entrega)
        if entregas:
            logger.info("deliveries planned count=%d", len(entregas))

    def _proxima_ordem(self) -> int:
        # Increasing across restarts too (wall clock in ns), so a restart resends in planning order.
        self._ordem = max(time.time_ns(), self._ordem + 1)
        return self._ordem

    # --- registrations and verdicts ---------------------------------------------------------------

    def _roteador_atual(self) -> Roteador:
        atual = self.webhooks.atual
        if self._roteador is None or self._visto is not atual:
            self._roteador = Roteador(atual, self.estados)
            self._visto = atual
        return self._roteador

    def _sincronizar(self) -> None:
        """Check the new registrations; stop the endpoints of removed ones."""
        atual = self.webhooks.atual
        for webhook in atual.values():
            if webhook.id not in self.estados and webhook.id not in self._desafios:
                tarefa = asyncio.create_task(self._desafiar(webhook), name=f"desafio-{webhook.id}")
                tarefa.add_done_callback(self._vigiar)
                self._desafios[webhook.id] = tarefa
        for id_ in [id_ for id_ in self.endpoints if id_ not in atual]:
            # The worker gives the rest up when it next looks; one that waits is stopped now.
            endpoint = self.endpoints.pop(id_)
            if endpoint.fila.empty():
                endpoint.parar()

    def _vigiar(self, tarefa: asyncio.Task[None]) -> None:
        if not tarefa.cancelled() and tarefa.exception() is not None:
            logger.error("worker failed task=%s error=%s", tarefa.get_name(), tarefa.exception())
            self._erro = tarefa.exception()

    async def _registrar_estado(self, estado: EstadoWebhook) -> None:
        await self.saida.gravar(self.topicos.webhooks_estados, [mensagem_estado(estado)])
        self.estados[estado.webhook_id] = estado
        self._roteador = None  # rebuilt with the new verdict

    async def _desafiar(self, webhook: Webhook) -> None:
        topico = f"{webhook.alvo.tipo.value}:{webhook.alvo.valor}"
        resultado = await http.desafiar(
            self.cliente, webhook.url, topico=topico, timeout_s=self.config.timeout_s
        )
        veredito = Veredito.VERIFICADO if resultado.ok else Veredito.RECUSADO
        motivo = None if resultado.ok else f"verificação de posse falhou: {resultado.motivo}"
        await self._registrar_estado(EstadoWebhook(webhook.id, veredito, datetime.now(UTC), motivo))
        logger.info("ownership check webhook=%s verdict=%s", webhook.id, veredito.value)

    # --- deliveries -------------------------------------------------------------------------------

    def _ativo(self, webhook_id: str) -> Webhook | None:
        webhook = self.webhooks.atual.get(webhook_id)
        estado = self.estados.get(webhook_id)
        if webhook is None or estado is None or estado.veredito is not Veredito.VERIFICADO:
            return None
        return webhook

    async def _enfileirar(self, entrega: Entrega) -> None:
        if self._ativo(entrega.webhook_id) is None:
            await self._concluir([entrega], EstadoEntrega.DESCARTADA)
            return
        endpoint = self.endpoints.get(entrega.webhook_id)
        if endpoint is None or endpoint.tarefa.done():
            endpoint = Endpoint(entrega.webhook_id, self._portas())
            endpoint.tarefa.add_done_callback(self._vigiar)
            self.endpoints[entrega.webhook_id] = endpoint
        endpoint.enfileirar(entrega)

    def _portas(self) -> Portas:
        return Portas(
            webhook=self._ativo,
            tentar=self._tentar,
            concluir=self._concluir,
            desativar=self._desativar,
            espera_inicial_s=self.config.espera_inicial_s,
            espera_max_s=self.config.espera_max_s,
            falhas_max=self.config.falhas_max,
        )

    async def _concluir(self, entregas: list[Entrega], estado: EstadoEntrega) -> None:
        mensagens = [mensagem_entrega(e, estado) for e in entregas]
        if estado is not EstadoEntrega.ENTREGUE:
            await self.saida.gravar(self.topicos.webhooks_entregas, mensagens)
            return
        # Not awaited: the endpoint goes on with its next delivery while the broker acknowledges this
        # one. Until it does, a crash only resends an accepted delivery with the same webhook-id, which
        # at-least-once allows; a record that cannot be written stops the deliverer (_vigiar).
        tarefa = asyncio.create_task(self.saida.gravar(self.topicos.webhooks_entregas, mensagens))
        self._registros.add(tarefa)
        tarefa.add_done_callback(self._registros.discard)
        tarefa.add_done_callback(self._vigiar)

    async def _tentar(self, webhook: Webhook, entrega: Entrega) -> http.Resultado:
        segredos = []
        for segredo in webhook.vigentes(datetime.now(UTC)):
            try:
                segredos.append(self.cofre.abrir(segredo.selado, vinculo=webhook.id))
            except SealedSecretUnreadable:
                # Sealed under another PROTOCOLO_SECRET_KEY: the others still sign (a rotation recovers).
                logger.error(
                    "webhook secret does not open webhook=%s (was the secret key changed?)", webhook.id
                )
        if not segredos:
            return http.Resultado(False, "segredo de assinatura ilegível na plataforma; troque o segredo")
        corpo = entrega.corpo
        async with self.semaforo:
            # The timestamp of this attempt: receivers refuse deliveries signed long ago.
            assinados = cabecalhos(entrega.id, int(time.time()), corpo, segredos)
            resultado = await http.entregar(
                self.cliente, webhook.url, corpo, assinados, timeout_s=self.config.timeout_s
            )
        self.metricas.tentativas.labels("entregue" if resultado.ok else "falha").inc()
        return resultado

    async def _desativar(self, webhook: Webhook, falhas: int, motivo: str) -> None:
        self.metricas.desativados.inc()
        """Tell the owner by e-mail (at least once, one Message-ID), then record the verdict."""
        integrador = self.integradores.atual.get(webhook.integrador)
        if integrador is not None:
            mensagem = render_desativacao(
                webhook,
                para=integrador.email,
                nome=integrador.nome,
                falhas=falhas,
                motivo=motivo,
                remetente=self.settings.smtp.remetente,
                base_url=self.settings.api.public_base_url,
            )
            for tentativa in range(1, 6):
                try:
                    await asyncio.to_thread(enviar_email, self.settings.smtp, mensagem)
                    break
                except (smtplib.SMTPException, OSError) as exc:
                    logger.warning(
                        "disable notice not sent webhook=%s attempt=%d error=%s", webhook.id, tentativa, exc
                    )
                    await asyncio.sleep(min(30.0, 2.0**tentativa))
        texto = f"desativado depois de {falhas} falhas seguidas; última: {motivo}"
        await self._registrar_estado(
            EstadoWebhook(webhook.id, Veredito.DESATIVADO, datetime.now(UTC), texto, falhas)
        )
        logger.warning("webhook disabled webhook=%s failures=%d", webhook.id, falhas)
