"""The deliverer: checks ownership, plans each movimento's deliveries, and hands them to endpoints.

It follows the API's registrations (webhooks.registros) and keeps its own verdicts
(webhooks.estados, written only here). A registration without a verdict gets the ownership check;
delivery starts only once it is VERIFICADO.

Movimentos and snapshots are read in the deliverer's own consumer group. Per batch: the snapshots'
saved-search matches that changed are written to webhooks.casamentos (acknowledged); the
deliveries to every active webhook that follows the processo, the órgão or a saved search the
processo matches are written PENDENTE to the outbox (acknowledged); then the offsets are
committed, explicitly, never past a movimento still waiting for its processo's snapshot
(webhooks.casamento); then each delivery joins its endpoint's queue (webhooks.endpoint). A crash
loses nothing: a restarted deliverer sends again every delivery still PENDENTE, with the same
webhook-id, and a movimento read again is not planned twice (its deliveries' ids are in the
outbox already).

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
from typing import Any

import httpx
from confluent_kafka import TIMESTAMP_NOT_AVAILABLE, Consumer, KafkaException, Message, TopicPartition

from protocolo.alertas.analise import ELASTICSEARCH, LOCAL
from protocolo.avro import catalogo_padrao
from protocolo.cifra import Cofre
from protocolo.errors import BatchFailed, CodecError, SealedSecretUnreadable
from protocolo.geracao import servico_na_geracao
from protocolo.integradores_topico import IntegradoresVivos
from protocolo.kafka import make_consumer
from protocolo.metricas import servir_metricas
from protocolo.settings import Settings
from protocolo.topico_compactado import ler_tabela
from protocolo.webhooks import PROPOSITO_SEGREDOS, EstadoWebhook, Veredito, Webhook, id_entrega, topico_alvo
from protocolo.webhooks_topico import WebhooksVivos, ler_estados, mensagem_estado
from webhooks import http
from webhooks.assinatura import cabecalhos
from webhooks.aviso import render_desativacao
from webhooks.casamento import CasamentoAlertas, Relogio, Retido
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
        self.cofre = Cofre(settings.chaveiro, PROPOSITO_SEGREDOS)
        self.webhooks = WebhooksVivos(settings.kafka)
        self.integradores = IntegradoresVivos(settings.kafka)
        self.estados: dict[str, EstadoWebhook] = {}
        self.conhecidas: set[str] = set()
        self.endpoints: dict[str, Endpoint] = {}
        self.casamento = CasamentoAlertas(
            LOCAL if settings.alertas.analise == "local" else ELASTICSEARCH,
            margem_s=self.config.margem_alertas_s,
            recentes_max=self.config.recentes_max,
        )
        # Per topic and partition: the offset after the last message read (what a commit may reach).
        self._posicoes: dict[str, dict[int, int]] = {self.topicos.movimentos: {}, self.topicos.processos: {}}
        self._ultimo_s: dict[int, float] = {}  # processos partition -> newest record's production time
        self._desafios: dict[str, asyncio.Task[None]] = {}
        self._registros: set[asyncio.Task[None]] = set()
        self._roteador: Roteador | None = None
        self._visto: object = None
        self._visto_casamento: object = None
        self._contido = False  # movimentos paused while too many are held
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
        casados = await asyncio.to_thread(
            ler_tabela,
            kafka,
            self.topicos.webhooks_casamentos,
            lambda v: self.catalogo.decode("webhook_casamento", v),
        )
        self.casamento.carregar({nup: (r["webhooks"], r["versao"]) for nup, r in casados.items()})
        await asyncio.to_thread(self.webhooks.iniciar, timeout_s=30)
        await asyncio.to_thread(self.integradores.iniciar, timeout_s=30)
        self.saida = Saida(kafka)
        self.cliente = httpx.AsyncClient(follow_redirects=False, timeout=self.config.timeout_s)
        self.semaforo = asyncio.Semaphore(self.config.concorrencia)
        consumer = make_consumer(kafka, self.grupo)
        consumer.subscribe(
            [self.topicos.movimentos, self.topicos.processos],
            on_assign=self._atribuidas,
            on_revoke=self._revogadas,
        )
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
                if mensagens or self.casamento.retidos:
                    await self._processar(consumer, mensagens)
                    self._conter(consumer)
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

    def _conter(self, consumer: Consumer) -> None:
        """Stop reading movimentos while too many wait for their snapshots (the processos topic lags
        behind): held movimentos stay bounded in memory, and reading resumes once half were decided."""
        retidos, limite = len(self.casamento.retidos), self.config.retidos_max
        if self._contido == (retidos >= limite) or (self._contido and retidos > limite // 2):
            return
        particoes = [tp for tp in consumer.assignment() if tp.topic == self.topicos.movimentos]
        if self._contido:
            consumer.resume(particoes)
            logger.info("movimentos resumed held=%d", retidos)
        else:
            consumer.pause(particoes)
            logger.warning("movimentos paused: %d wait for their processos' snapshots", retidos)
        self._contido = not self._contido

    def _atribuidas(self, consumer: Consumer, particoes: list[TopicPartition]) -> None:
        self._contido = False  # a new assignment starts unpaused
        for tp in consumer.committed(particoes, timeout=30):
            if tp.topic in self._posicoes and tp.offset >= 0:
                self._posicoes[tp.topic].setdefault(tp.partition, tp.offset)

    def _revogadas(self, _consumer: Consumer, particoes: list[TopicPartition]) -> None:
        # Their movimentos are read again by whoever gets them: forget what was held of them.
        revogadas = {(tp.topic, tp.partition) for tp in particoes}
        for tp in particoes:
            self._posicoes.get(tp.topic, {}).pop(tp.partition, None)
            if tp.topic == self.topicos.processos:
                self._ultimo_s.pop(tp.partition, None)
        self.casamento.retidos = [
            r for r in self.casamento.retidos if (self.topicos.movimentos, r.particao) not in revogadas
        ]

    def _relogios(self, consumer: Consumer) -> dict[int, Relogio]:
        """Each assigned processos partition: how far it was read, and whether it is at its end."""
        topico = self.topicos.processos
        relogios: dict[int, Relogio] = {}
        for tp in consumer.assignment():
            if tp.topic != topico:
                continue
            # The high watermark that fetch responses carry: asking the broker for the end is wrong
            # on the local broker (it under-reports it), and these are what was fetched anyway.
            baixo, alto = consumer.get_watermark_offsets(tp, cached=True)
            posicao = self._posicoes[topico].get(tp.partition, baixo)
            no_fim = alto >= 0 and (alto <= baixo or posicao >= alto)
            relogios[tp.partition] = Relogio(self._ultimo_s.get(tp.partition, 0.0), no_fim)
        return relogios

    def _commit(self, consumer: Consumer) -> None:
        primeiros = self.casamento.primeiro_retido()
        offsets = [
            TopicPartition(topico, p, primeiros.get(p, pos) if topico == self.topicos.movimentos else pos)
            for topico, posicoes in self._posicoes.items()
            for p, pos in posicoes.items()
        ]
        if offsets:
            consumer.commit(offsets=offsets, asynchronous=False)

    async def _processar(self, consumer: Consumer, mensagens: list[Message]) -> None:
        """Match the snapshots, plan the batch's deliveries, write both, commit, then queue them."""
        roteador = self._roteador_atual()
        entregas: list[Entrega] = []
        planejadas: set[str] = set()

        def planejar(movimento: dict[str, Any], destinos: list[Webhook]) -> None:
            if not destinos:
                return
            corpo = corpo_json(payload_movimento(movimento))
            for webhook in destinos:
                id_ = id_entrega(movimento["id"], webhook.id)
                if id_ not in self.conhecidas and id_ not in planejadas:
                    planejadas.add(id_)
                    entregas.append(Entrega(id_, webhook.id, corpo, ordem=self._proxima_ordem()))

        casamentos: dict[str, tuple[bytes, bytes | None]] = {}
        novos: list[Retido] = []
        for mensagem in mensagens:
            if mensagem.error():
                continue
            topico, particao, offset = (
                mensagem.topic() or "",
                mensagem.partition() or 0,
                mensagem.offset() or 0,
            )
            if topico in self._posicoes:
                self._posicoes[topico][particao] = offset + 1
            tipo, carimbo_ms = mensagem.timestamp()
            produzido_s = time.time() if tipo == TIMESTAMP_NOT_AVAILABLE else carimbo_ms / 1000
            if topico == self.topicos.processos:
                self._ultimo_s[particao] = max(self._ultimo_s.get(particao, 0.0), produzido_s)
                if self.casamento and (snapshot := self._decodificar(mensagem, "processo")) is not None:
                    if (mudanca := self.casamento.aplicar_snapshot(snapshot)) is not None:
                        nup, ids = mudanca
                        casamentos[nup] = self._registro_casamento(nup, ids, snapshot["versao"])
                continue
            if (movimento := self._decodificar(mensagem, "movimento")) is None:
                continue
            planejar(movimento, roteador.destinos(movimento))
            if self.casamento:
                novos.append(Retido(movimento, particao, offset, produzido_s))
        if casamentos:  # acknowledged before the processos offsets that brought them are committed
            await self.saida.gravar(self.topicos.webhooks_casamentos, list(casamentos.values()))
        for retido, ids in self.casamento.decidir(novos, self._relogios(consumer), time.time()):
            planejar(retido.movimento, roteador.alertas(ids))
        await self.saida.gravar(
            self.topicos.webhooks_entregas, [mensagem_entrega(e, EstadoEntrega.PENDENTE) for e in entregas]
        )
        self.conhecidas |= planejadas
        try:
            await asyncio.to_thread(self._commit, consumer)
        except KafkaException as exc:
            logger.warning("commit failed error=%s", exc)  # read again later; the outbox dedupes
        for entrega in entregas:
            await self._enfileirar(entrega)
        if entregas:
            logger.info("deliveries planned count=%d", len(entregas))

    def _decodificar(self, mensagem: Message, nome: str) -> dict[str, Any] | None:
        valor = mensagem.value()
        if not valor:
            return None
        try:
            return self.catalogo.decode(nome, valor)
        except CodecError as exc:
            logger.error("bad record topic=%s offset=%s error=%s", mensagem.topic(), mensagem.offset(), exc)
            return None

    def _registro_casamento(self, nup: str, ids: frozenset[str], versao: int) -> tuple[bytes, bytes | None]:
        if not ids:
            return nup.encode(), None
        valor = {"nup": nup, "webhooks": sorted(ids), "versao": versao}
        return nup.encode(), self.catalogo.encode("webhook_casamento", valor)

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
        """Check the new registrations; stop the endpoints of removed ones; follow the saved searches."""
        atual = self.webhooks.atual
        if atual is not self._visto_casamento:
            for id_ in self.casamento.sincronizar(atual):
                logger.error("saved search of webhook=%s cannot be read: it matches nothing", id_)
            self._visto_casamento = atual
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
        topico = topico_alvo(webhook.alvo)
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
                # Sealed under a key no longer in the ring: the others still sign (a rotation recovers).
                logger.error(
                    "webhook secret does not open webhook=%s (sealed under a key retired from the ring?)",
                    webhook.id,
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
