"""The Faust application: a thin shell around streams.intake, streams.dobra and streams.projection.

One agent reads the raw events topic and its own re-keying topic (`<app id>-eventos-por-nup`):
  decode + validate      invalid, corrupt or unknown-schema messages go to the DLQ with the reason
  route by NUP           an event read from a partition other than its NUP's (an agency keyed it
                         differently, e.g. kcat's default partitioner) is sent on to the re-keying
                         topic, whose partition N is co-assigned with partition N of the raw topic
  deduplicate + fold     a table keyed by NUP holds each processo's distinct events (identity ->
                         event); new events advance the processo, exact resends are counted,
                         same identity with other content goes to the DLQ as a conflict
  emit                   the snapshot (versao = number of distinct events) and the public movimento

Events our producers publish are already keyed by NUP digits with Kafka's murmur2 partitioner, so
they are folded in the partition they arrive in: no repartition hop for them.

Processing is at-least-once locally (the local broker has no transactions) with idempotent outputs:
a snapshot's `versao` is the number of distinct events, so a replay after a crash produces the same
records. An exact duplicate re-emits its processo's current snapshot and movimento, because a crash
may have struck after the table changelog was written and before the outputs were; downstream
sinks discard what they already applied. With processing_guarantee=exactly_once (real Kafka), the
changelog, outputs and offsets commit in one transaction and duplicates are simply dropped.
"""

from __future__ import annotations

__all__ = ["build_app", "particao_do_nup"]

import logging
import time
from collections.abc import Callable
from typing import Any

import faust
from aiokafka.partitioner import murmur2

from protocolo.avro import catalogo_padrao
from protocolo.referencia import Referencia
from protocolo.settings import Settings
from streams.dobra import Dobra
from streams.intake import Decisao, Rejeicao, dead_letter, ler_evento
from streams.metricas import Metricas
from streams.projection import movimento_record, movimentos_a_emitir, snapshot_record
from streams.recuperacao import completar_recuperacao

logger = logging.getLogger(__name__)


def particao_do_nup(chave: bytes, particoes: int) -> int:
    """The partition Kafka's default (murmur2) partitioner gives `chave`: Java, librdkafka's
    murmur2_random and aiokafka agree on it."""
    return int(murmur2(chave) & 0x7FFFFFFF) % particoes


def build_app(
    settings: Settings, referencia: Callable[[], Referencia], metricas: Metricas | None = None
) -> faust.App:
    """Build the Faust app and its agent; nothing runs until a worker starts it.

    `referencia` returns the current reference data (protocolo.referencia_topico.ReferenciaViva).
    """
    kafka = settings.kafka
    topicos = kafka.topics
    app_id = kafka.group("streams")
    exactly_once = settings.streams.processing_guarantee == "exactly_once"
    app = faust.App(
        app_id,
        broker=[f"kafka://{h}" for h in kafka.bootstrap_servers.split(",")],
        broker_credentials=_credentials(settings),
        value_serializer="raw",
        key_serializer="raw",
        store="memory://",
        processing_guarantee=settings.streams.processing_guarantee,
        topic_partitions=topicos.partitions,
        topic_replication_factor=topicos.replication_factor,
        broker_session_timeout=kafka.session_timeout_ms / 1000,
        broker_heartbeat_interval=kafka.heartbeat_interval_ms / 1000,
        web_enabled=False,
        producer_linger=settings.streams.producer_linger_s,
        producer_max_batch_size=settings.streams.producer_max_batch_bytes,
        table_cleanup_interval=60.0,
        datadir=str(settings.state_dir / "faust" / app_id),
    )
    catalogo = catalogo_padrao()
    metricas = metricas or Metricas()
    dobra = Dobra(settings.streams.cache_processos)
    ja_avisados: set[str] = set()
    segredo = settings.secret_key.get_secret_value().encode()
    particoes = topicos.partitions
    ultimos: dict[tuple[str, int], int] = {}  # (topic, partition) -> last offset processed

    def raw(*nomes: str, **extra: Any) -> faust.TopicT:
        return app.topic(*nomes, key_type=bytes, value_type=bytes, **extra)

    nome_por_nup = f"{app_id}-eventos-por-nup"
    # Both topics in one channel: Faust co-assigns partition N of each to the same worker.
    entrada = raw(topicos.eventos, nome_por_nup, internal=True, partitions=particoes)
    por_nup = raw(nome_por_nup)
    dlq = raw(topicos.dlq)
    processos = raw(topicos.processos)
    movimentos = raw(topicos.movimentos)
    # nup -> {event identity: event in JSON form}; rebuilt from its changelog after a crash.
    conhecidos = app.Table("eventos-por-processo", default=dict, partitions=particoes)

    async def _completar() -> None:
        await completar_recuperacao(app, conhecidos, kafka)

    conhecidos.on_recover(_completar)

    async def rejeitar(rejeicao: Rejeicao, mensagem: Any) -> None:
        logger.warning(
            "event rejected codigo=%s topic=%s partition=%s offset=%s motivo=%s",
            rejeicao.codigo,
            mensagem.topic,
            mensagem.partition,
            mensagem.offset,
            rejeicao.motivo,
        )
        metricas.dlq.labels(rejeicao.codigo).inc()
        registro = dead_letter(
            rejeicao,
            topico=mensagem.topic,
            particao=mensagem.partition,
            offset=mensagem.offset,
            chave=mensagem.key,
            valor=mensagem.value,
        )
        await dlq.send(key=mensagem.key, value=catalogo.encode("dead_letter", registro))

    async def _rebalanceou(sender: Any, *args: Any, signal: Any, **kwargs: Any) -> None:
        dobra.esquecer()  # another worker may have changed (or may change) these processos

    app.on_partitions_revoked.connect(_rebalanceou)  # type: ignore[arg-type]
    app.on_partitions_assigned.connect(_rebalanceou)  # type: ignore[arg-type]

    @app.agent(entrada, name="fold")
    async def fold(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            mensagem = event.message
            ultimos[(mensagem.topic, mensagem.partition)] = mensagem.offset
            resultado = ler_evento(catalogo, mensagem.value)
            if isinstance(resultado, Rejeicao):
                await rejeitar(resultado, mensagem)
                continue
            evento = resultado
            chave = evento.nup.encode()
            destino = particao_do_nup(chave, particoes)
            if mensagem.partition != destino:
                metricas.redirecionados.inc()
                await por_nup.send(key=chave, value=mensagem.value, partition=destino)
                continue
            metricas.eventos.labels(evento.orgao).inc()
            passo = dobra.aplicar(conhecidos[evento.nup], evento)
            if passo.decisao is Decisao.CONFLITO:
                metricas.conflitos.inc()
                motivo = f"evento {evento.chave_identidade} reenviado com conteúdo diferente"
                await rejeitar(Rejeicao("CONFLITO", motivo), mensagem)
                continue
            if passo.guardar is not None:
                metricas.novos.inc()
                conhecidos[evento.nup] = passo.guardar
            else:
                metricas.duplicados.inc()
                logger.debug("duplicate event id=%s", evento.chave_identidade)
                if exactly_once:
                    continue
            processo = passo.processo
            assert processo is not None
            ref = referencia()
            desconhecidos: set[str] = set()
            snapshot = snapshot_record(
                processo,
                ref,
                segredo=segredo,
                restrito_publico=settings.restrito_publico,
                desconhecidos=desconhecidos,
            )
            await processos.send(key=chave, value=catalogo.encode("processo", snapshot))
            for publico in movimentos_a_emitir(
                passo.anterior, processo, evento, restrito_publico=settings.restrito_publico
            ):
                movimento = movimento_record(publico, processo, ref, desconhecidos=desconhecidos)
                await movimentos.send(key=chave, value=catalogo.encode("movimento", movimento))
            metricas.latencia.observe(max(0.0, time.time() - mensagem.timestamp))
            for codigo in sorted(desconhecidos - ja_avisados):
                ja_avisados.add(codigo)
                metricas.desconhecidos.inc()
                logger.warning("code missing from reference data codigo=%s nup=%s", codigo, evento.nup)

    @app.timer(interval=5.0)  # type: ignore[untyped-decorator]
    async def medir_atraso() -> None:
        metricas.processos_em_memoria.set(len(dobra))
        for (topico, particao), offset in list(ultimos.items()):
            try:
                fim = app.consumer.highwater(faust.types.TP(topico, particao))
            except Exception:  # noqa: BLE001 - no highwater yet (partition just assigned)
                continue
            if fim is not None:
                metricas.atraso.labels(topico, str(particao)).set(max(0, fim - offset - 1))

    return app


def _credentials(settings: Settings) -> faust.auth.Credentials | None:
    kafka = settings.kafka
    if kafka.sasl_mechanism and kafka.sasl_username and kafka.sasl_password:
        return faust.SASLCredentials(
            username=kafka.sasl_username,
            password=kafka.sasl_password.get_secret_value(),
            mechanism=kafka.sasl_mechanism,
        )
    return None
