"""The Faust application: a thin loop that reads batches and performs what streams.lote decides.

One agent reads the raw events topic and its own re-keying topic (`<app id>-eventos-por-nup`), in
batches (`take_events`). Faust co-assigns partition N of both topics and of the tables' changelogs to
the same worker, since they share a channel and a partition count. For each partition of a batch it
hands the messages and read views of three tables to `processar_lote`, then writes what changed
(each key once) and produces the records:

  estados        nup -> the processo's bounded state (streams.estado)
  identidades    "orgao:id" -> content fingerprint and the message that brought it (deduplication)
  arquivo        "nup#n" -> the processo's n-th event, read only when a processo becomes public again

Events our producers publish are already keyed by NUP digits with Kafka's murmur2 partitioner, so
they are folded in the partition they arrive in: no repartition hop for them.

Processing is at-least-once locally (the local broker has no transactions) with idempotent outputs:
the outputs go through one confluent-kafka producer (streams.saidas), flushed at the end of each
batch before its events are acknowledged; Faust writes the changelogs and flushes them before it
commits offsets. With processing_guarantee=exactly_once (real Kafka), the outputs go through Faust's
producer instead, so that changelogs, outputs and offsets commit in one transaction.
"""

from __future__ import annotations

__all__ = ["build_app", "particao_do_nup"]

import asyncio
import logging
import socket
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import faust
from aiokafka.errors import KafkaError
from confluent_kafka import Producer
from faust.streams import _current_event

from protocolo.avro import catalogo_padrao
from protocolo.errors import PublishError
from protocolo.geracao import servico_na_geracao
from protocolo.kafka import make_producer
from protocolo.referencia import Referencia
from protocolo.settings import Settings
from streams.intake import Rejeicao
from streams.lote import Contexto, Entrada, Lote, Tabelas, carta, particao_do_nup, processar_lote
from streams.metricas import Metricas
from streams.recuperacao import completar_recuperacao
from streams.saidas import Remessa, Saidas
from streams.tabelas import TabelaLocal

logger = logging.getLogger(__name__)


def build_app(
    settings: Settings, referencia: Callable[[], Referencia], metricas: Metricas | None = None
) -> faust.App:
    """Build the Faust app and its agent; nothing runs until a worker starts it.

    `referencia` returns the current reference data (protocolo.referencia_topico.ReferenciaViva).
    """
    kafka = settings.kafka
    topicos = kafka.topics
    config = settings.streams
    app_id = kafka.group(servico_na_geracao("streams", config.geracao))  # a rebuild: new app id, new tables
    app = faust.App(
        app_id,
        broker=[f"kafka://{h}" for h in kafka.bootstrap_servers.split(",")],
        broker_credentials=_credentials(settings),
        value_serializer="raw",
        key_serializer="raw",
        store="rocksdb://" if config.store == "rocksdb" else "memory://",
        processing_guarantee=config.processing_guarantee,
        topic_partitions=topicos.partitions,
        topic_replication_factor=topicos.replication_factor,
        broker_session_timeout=kafka.session_timeout_ms / 1000,
        broker_heartbeat_interval=kafka.heartbeat_interval_ms / 1000,
        web_enabled=False,
        consumer_group_instance_id=config.group_instance_id(socket.gethostname()),
        producer_linger=config.producer_linger_s,
        producer_max_batch_size=config.producer_max_batch_bytes,
        producer_max_request_size=config.producer_max_request_bytes,
        table_cleanup_interval=60.0,
        recovery_consistency_check=config.recovery_consistency_check,
        # One directory per worker: RocksDB locks its files, and two workers of one host share none.
        datadir=str(settings.pasta_streams() / app_id / config.nome),
    )
    metricas = metricas or Metricas()
    ja_avisados: set[str] = set()
    particoes = topicos.partitions
    ultimos: dict[tuple[str, int], int] = {}  # (topic, partition) -> last offset processed
    ctx = Contexto(
        catalogo=catalogo_padrao(),
        referencia=referencia(),
        segredo=settings.secret_key.get_secret_value().encode(),
        restrito_publico=settings.restrito_publico,
        particoes=particoes,
        exactly_once=config.processing_guarantee == "exactly_once",
        # Room for the record's headers and batch framing under the producer's limit.
        limite_registro=config.producer_max_request_bytes - 16_384,
    )

    def raw(*nomes: str, **extra: Any) -> faust.TopicT:
        return app.topic(*nomes, key_type=bytes, value_type=bytes, **extra)

    nome_por_nup = f"{app_id}-eventos-por-nup"
    # Both topics in one channel: Faust co-assigns partition N of each to the same worker.
    entrada = raw(topicos.eventos, nome_por_nup, internal=True, partitions=particoes)
    por_nup = raw(nome_por_nup)
    dlq = raw(topicos.dlq)
    processos = raw(topicos.processos)
    movimentos = raw(topicos.movimentos)
    opcoes = {
        "driver": "rocksdict",
        "write_buffer_size": config.rocksdb_write_buffer_bytes,
        "max_write_buffer_number": 2,
        "block_cache_size": config.rocksdb_block_cache_bytes,
        "block_cache_compressed_size": 0,
    }

    def tabela(nome: str) -> Any:
        return app.Table(
            nome,
            key_type=bytes,
            value_type=bytes,
            partitions=particoes,
            options=opcoes if config.store == "rocksdb" else None,
        )

    estados, identidades, arquivo = tabela("estados"), tabela("identidades"), tabela("arquivo")
    locais = {t: TabelaLocal(t) for t in (estados, identidades, arquivo)}
    for t in (estados, identidades, arquivo):
        t.on_recover(_completar_para(app, t, settings))

    saidas = None if ctx.exactly_once else Saidas(_produtor_de_saidas(settings))
    em_voo: asyncio.Task[None] | None = None  # the previous batch, until the broker has all of it

    def escrever(
        tabela_: Any, particao: int, escritas: Mapping[str, bytes], ultima: Entrada, remessa: Remessa | None
    ) -> None:
        """Write a batch's keys to a table and queue their changelog records.

        `table[k] = v` would send each changelog record through aiokafka right away (profiled: more
        CPU than the batch's own logic). Under at-least-once the store is written directly and the
        changelog records go with the outputs; `confirmar` sets the persisted offsets once they are
        acknowledged. The records are those Faust would write (raw key and value, the event's
        partition), so its recovery and standbys read them as their own.
        """
        if saidas is None or remessa is None:  # exactly_once: the changelog joins Faust's transaction
            for chave, valor in escritas.items():
                tabela_[chave.encode()] = valor
            return
        locais[tabela_].gravar(particao, escritas)
        changelog = tabela_.changelog_topic.get_topic_name()
        for chave, valor in escritas.items():
            saidas.enviar(changelog, chave.encode(), valor, ultima, particao=particao, remessa=remessa)

    def recusado(topico: str, origem: Entrada, erro: str) -> tuple[bytes | None, bytes]:
        """The dead letter of a record the producer refused for good; the partition goes on."""
        logger.error(
            "record refused by the producer topic=%s source=%s/%s/%s error=%s",
            topico,
            origem.topico,
            origem.particao,
            origem.offset,
            erro,
        )
        metricas.dlq.labels("REGISTRO_RECUSADO").inc()
        motivo = f"o produtor recusou o registro de saída para {topico}: {erro}"
        sem_original = Entrada(origem.topico, origem.particao, origem.offset, origem.chave, None, 0.0)
        return origem.chave, carta(Rejeicao("REGISTRO_RECUSADO", motivo), sem_original, ctx)

    def enfileirar(lote: Lote, ultima: Entrada, remessa: Remessa) -> None:
        """Queue the batch's records in its remessa (at-least-once)."""
        assert saidas is not None
        for chave_b, valor, destino in lote.redirecionar:
            saidas.enviar(nome_por_nup, chave_b, valor, ultima, particao=destino, remessa=remessa)
        for saida in lote.movimentos:
            saidas.enviar(topicos.movimentos, saida.chave, saida.valor, saida.origem, remessa=remessa)
        for saida in lote.processos:
            saidas.enviar(topicos.processos, saida.chave, saida.valor, saida.origem, remessa=remessa)
        for chave_o, valor in lote.dlq:
            saidas.enviar(topicos.dlq, chave_o, valor, ultima, remessa=remessa)

    async def confirmar(remessa: Remessa, eventos: Sequence[faust.EventT[bytes]]) -> None:
        """Wait until the broker has every record of a batch, then acknowledge its events.

        Their offsets can be committed from then on, and not before: each event was held with one
        more reference than Faust's own (`executar`), so take_events' acknowledgement did not
        release it.
        """
        assert saidas is not None
        try:
            conclusao = await saidas.concluir(remessa)
            for tabela_ in (identidades, arquivo, estados):
                changelog = tabela_.changelog_topic.get_topic_name()
                for (topico, p), offset in conclusao.offsets.items():
                    if topico == changelog:
                        tabela_.data.set_persisted_offset(faust.types.TP(topico, p), offset)
            if recusas := conclusao.recusas:
                cartas = saidas.abrir()
                for r in recusas:
                    chave_o, carta_ = recusado(r.topico, r.origem, r.erro)
                    saidas.enviar(topicos.dlq, chave_o, carta_, r.origem, remessa=cartas)
                if cartas_recusadas := (await saidas.concluir(cartas)).recusas:  # small letters: DLQ down
                    raise PublishError(f"the DLQ refused a dead letter: {cartas_recusadas[0].erro}")
        except Exception as exc:  # unacknowledged, its events would hold every later commit back
            logger.critical("stopping the worker: %s", exc)
            await app.crash(exc)
            raise
        for e in eventos:
            e.ack()  # the last reference: Faust may now commit the event's offset

    async def _produzir_na_transacao(lote: Lote, ultima: Entrada) -> None:
        """exactly_once: the records go through Faust's producer, inside its transaction."""
        for chave_b, valor, destino in lote.redirecionar:
            await por_nup.send(key=chave_b, value=valor, partition=destino)
        for topico, registros in ((movimentos, lote.movimentos), (processos, lote.processos)):
            for saida in registros:
                try:
                    await topico.send(key=saida.chave, value=saida.valor)
                except KafkaError as exc:
                    chave_o, carta_ = recusado(topico.get_topic_name(), saida.origem, repr(exc))
                    await dlq.send(key=chave_o, value=carta_)
        for chave_o, valor in lote.dlq:
            await dlq.send(key=chave_o, value=valor)

    async def executar(eventos: Sequence[faust.EventT[bytes]]) -> None:
        nonlocal ctx, em_voo
        ctx = replace(ctx, referencia=referencia())  # reference data may have changed
        agora = time.time()
        remessa = None if saidas is None else saidas.abrir()
        if remessa is not None:
            for e in eventos:  # held until `confirmar`: take_events' own ack must not release them
                e.message.incref()
        for particao, grupo in _por_particao(eventos).items():
            # Faust's tables pick the changelog partition (and the RocksDB shard) from the current
            # event: make it one of this partition's.
            _current_event.set(weakref.ref(grupo[-1]))
            entradas = [
                Entrada(
                    topico=e.message.topic,
                    particao=particao,
                    offset=e.message.offset,
                    chave=e.message.key,
                    valor=e.message.value,
                    carimbo=e.message.timestamp,
                )
                for e in grupo
            ]
            vistas = Tabelas(
                estados=locais[estados].vista(particao),
                identidades=locais[identidades].vista(particao),
                arquivo=locais[arquivo].vista(particao),
            )
            lote = processar_lote(entradas, vistas, ctx, agora=agora)
            ultima = entradas[-1]
            for tabela_, escritas in (
                (identidades, lote.identidades),
                (arquivo, lote.arquivo),
                (estados, lote.estados),
            ):
                escrever(tabela_, particao, escritas, ultima, remessa)
            if remessa is None:
                await _produzir_na_transacao(lote, ultima)
            else:
                enfileirar(lote, ultima, remessa)
            for e in grupo:
                ultimos[(e.message.topic, particao)] = e.message.offset
            _medir(lote)
        if remessa is not None:
            # One batch in flight behind this one: the broker's round trip overlaps the next batch.
            if em_voo is not None:
                await em_voo
            em_voo = asyncio.create_task(confirmar(remessa, eventos))

    def _medir(lote: Lote) -> None:
        c = lote.contagens
        metricas.mensagens.inc(c["mensagens"])
        metricas.novos.inc(c["novos"])
        metricas.duplicados.inc(c["duplicados"])
        metricas.conflitos.inc(c["conflitos"])
        metricas.redirecionados.inc(c["redirecionados"])
        for orgao, n in lote.por_orgao.items():
            metricas.eventos.labels(orgao).inc(n)
        for codigo, n in lote.dlq_por_codigo.items():
            metricas.dlq.labels(codigo).inc(n)
        for segundos in lote.latencias:
            metricas.latencia.observe(segundos)
        for rejeicao, origem in lote.rejeicoes:
            logger.warning(
                "event rejected codigo=%s topic=%s partition=%s offset=%s motivo=%s",
                rejeicao.codigo,
                origem.topico,
                origem.particao,
                origem.offset,
                rejeicao.motivo,
            )
        for codigo in sorted(lote.desconhecidos - ja_avisados):
            ja_avisados.add(codigo)
            metricas.desconhecidos.inc()
            logger.warning("code missing from reference data codigo=%s", codigo)

    @app.agent(entrada, name="fold")
    async def fold(stream: faust.StreamT[bytes]) -> None:
        lotes = stream.take_events(config.lote_max, within=config.lote_espera_s)  # type: ignore[attr-defined]
        async for eventos in lotes:
            try:
                await executar(eventos)
            except Exception as exc:
                # Its events hold one more reference than Faust's: never acknowledged, they would hold
                # every later commit back. Stopping instead makes the restart read them again.
                logger.critical("stopping the worker: a batch failed: %r", exc)
                await app.crash(exc)
                raise

    @app.timer(interval=5.0)  # type: ignore[untyped-decorator]
    async def medir_atraso() -> None:
        for (topico, particao), offset in list(ultimos.items()):
            try:
                fim = app.consumer.highwater(faust.types.TP(topico, particao))
            except Exception:  # noqa: BLE001 - no highwater yet (partition just assigned)
                continue
            if fim is not None:
                metricas.atraso.labels(topico, str(particao)).set(max(0, fim - offset - 1))

    return app


def _por_particao(eventos: Sequence[faust.EventT[bytes]]) -> dict[int, list[faust.EventT[bytes]]]:
    """The batch's events by partition, each in the order it was read."""
    grupos: dict[int, list[faust.EventT[bytes]]] = {}
    for evento in eventos:
        grupos.setdefault(evento.message.partition, []).append(evento)
    return grupos


def _completar_para(app: faust.App, tabela: Any, settings: Settings) -> Callable[[], Any]:
    async def _completar() -> None:
        await completar_recuperacao(app, tabela, settings.kafka)

    return _completar


def _produtor_de_saidas(settings: Settings) -> Producer:
    """The outputs' producer: batches sized by the streams settings, retrying until delivered."""
    config = settings.streams
    return make_producer(
        settings.kafka,
        **{
            "linger.ms": config.producer_linger_s * 1000,
            "batch.size": config.producer_max_batch_bytes,
            "message.max.bytes": config.producer_max_request_bytes,
            "message.timeout.ms": 0,  # never give up: offsets are committed only after delivery
        },
    )


def _credentials(settings: Settings) -> faust.auth.Credentials | None:
    """aiokafka's side of the Kafka security settings (librdkafka's is KafkaSettings.client_config)."""
    kafka = settings.kafka
    contexto = kafka.ssl_context()  # None without TLS: SASL_PLAINTEXT, or PLAINTEXT below
    if kafka.sasl and kafka.sasl_username and kafka.sasl_password:
        return faust.SASLCredentials(
            username=kafka.sasl_username,
            password=kafka.sasl_password.get_secret_value(),
            mechanism=kafka.sasl_mechanism,
            ssl_context=contexto,
        )
    if contexto is not None:
        return faust.SSLCredentials(contexto)
    return None
