"""The Faust application: a thin shell around streams.intake and streams.projection.

Two agents:
  intake  raw events -> validated events re-keyed by NUP digits (or the DLQ, with the reason)
  fold    events by NUP -> table of each processo's distinct events -> snapshot + public movimento

Processing is at-least-once. Outputs are idempotent: a snapshot's `versao` is the number of
distinct events, so a replay after a crash produces the same records, and an exact duplicate
re-emits its processo's current snapshot and movimento (the crash may have struck after the
table was updated and before the outputs were acknowledged); downstream sinks discard what
they already applied.
"""

from __future__ import annotations

__all__ = ["build_app"]

import logging
from collections.abc import Callable
from typing import Any

import faust

from protocolo.avro import catalogo_padrao
from protocolo.fold import fold_processo
from protocolo.referencia import Referencia
from protocolo.registros import evento_to_avro
from protocolo.settings import Settings
from protocolo.validation import evento_from_json, evento_to_json
from streams.intake import Decisao, Rejeicao, classificar, dead_letter, ler_evento
from streams.projection import eh_publico, movimento_record, snapshot_record

logger = logging.getLogger(__name__)


def build_app(settings: Settings, referencia: Callable[[], Referencia]) -> faust.App:
    """Build the Faust app and its agents; nothing runs until a worker starts it.

    `referencia` returns the current reference data (protocolo.referencia_topico.ReferenciaViva).
    """
    kafka = settings.kafka
    topicos = kafka.topics
    app_id = kafka.group("streams")
    app = faust.App(
        app_id,
        broker=[f"kafka://{h}" for h in kafka.bootstrap_servers.split(",")],
        broker_credentials=_credentials(settings),
        value_serializer="raw",
        key_serializer="raw",
        store="memory://",
        processing_guarantee="at_least_once",
        topic_partitions=topicos.partitions,
        topic_replication_factor=topicos.replication_factor,
        broker_session_timeout=kafka.session_timeout_ms / 1000,
        broker_heartbeat_interval=kafka.heartbeat_interval_ms / 1000,
        web_enabled=False,
        table_cleanup_interval=60.0,
        datadir=str(settings.state_dir / "faust" / app_id),
    )
    catalogo = catalogo_padrao()
    ja_avisados: set[str] = set()
    segredo = settings.secret_key.get_secret_value().encode()

    def raw(nome: str, **extra: Any) -> faust.TopicT:
        return app.topic(nome, key_type=bytes, value_type=bytes, **extra)

    eventos = raw(topicos.eventos)
    por_nup = raw(f"{app_id}-eventos-por-nup", internal=True, partitions=topicos.partitions)
    dlq = raw(topicos.dlq)
    processos = raw(topicos.processos)
    movimentos = raw(topicos.movimentos)
    # nup -> {event identity: event in JSON form}; rebuilt from its changelog after a crash.
    conhecidos = app.Table("eventos-por-processo", default=dict, partitions=topicos.partitions)

    async def rejeitar(rejeicao: Rejeicao, mensagem: Any) -> None:
        logger.warning(
            "event rejected codigo=%s topic=%s partition=%s offset=%s motivo=%s",
            rejeicao.codigo,
            mensagem.topic,
            mensagem.partition,
            mensagem.offset,
            rejeicao.motivo,
        )
        registro = dead_letter(
            rejeicao,
            topico=mensagem.topic,
            particao=mensagem.partition,
            offset=mensagem.offset,
            chave=mensagem.key,
            valor=mensagem.value,
        )
        await dlq.send(key=mensagem.key, value=catalogo.encode("dead_letter", registro))

    @app.agent(eventos, name="intake")
    async def intake(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            resultado = ler_evento(catalogo, event.message.value)
            if isinstance(resultado, Rejeicao):
                await rejeitar(resultado, event.message)
                continue
            valor = catalogo.encode("evento", evento_to_avro(resultado))
            await por_nup.send(key=resultado.nup.encode(), value=valor)

    @app.agent(por_nup, name="fold")
    async def fold(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            resultado = ler_evento(catalogo, event.message.value)
            if isinstance(resultado, Rejeicao):  # cannot happen unless the internal topic is tampered with
                await rejeitar(resultado, event.message)
                continue
            evento = resultado
            atuais: dict[str, dict[str, Any]] = dict(conhecidos[evento.nup])
            decisao = classificar(atuais, evento)
            if decisao is Decisao.CONFLITO:
                motivo = f"evento {evento.chave_identidade} reenviado com conteúdo diferente"
                await rejeitar(Rejeicao("CONFLITO", motivo), event.message)
                continue
            if decisao is Decisao.NOVO:
                atuais[evento.chave_identidade] = evento_to_json(evento)
                conhecidos[evento.nup] = atuais
            else:
                logger.debug("duplicate event id=%s", evento.chave_identidade)
            processo = fold_processo(evento_from_json(e) for e in atuais.values())
            ref = referencia()
            desconhecidos: set[str] = set()
            snapshot = snapshot_record(
                processo,
                ref,
                segredo=segredo,
                restrito_publico=settings.restrito_publico,
                desconhecidos=desconhecidos,
            )
            chave = evento.nup.encode()
            await processos.send(key=chave, value=catalogo.encode("processo", snapshot))
            if eh_publico(processo.nivel_acesso, restrito_publico=settings.restrito_publico):
                movimento = movimento_record(evento, processo, ref, desconhecidos=desconhecidos)
                await movimentos.send(key=chave, value=catalogo.encode("movimento", movimento))
            for codigo in sorted(desconhecidos - ja_avisados):
                ja_avisados.add(codigo)
                logger.warning("code missing from reference data codigo=%s nup=%s", codigo, evento.nup)

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
