"""The producer library agencies embed: validate locally, encode Avro, produce, report per event.

    with Publisher(KafkaSettings(bootstrap_servers="kafka:9092")) as publisher:
        resultado = publisher.publish(evento, origem="sei:123")   # an Evento or its JSON form
    # leaving the block flushes: PublishError if any event was not acknowledged in time

Delivery: acks=all and an idempotent producer (protocolo.kafka.make_producer). Transient broker errors (a
leader moving, a request timing out, a broker that stops answering for a while, a lost connection) are
retried by librdkafka itself, with the same producer id and sequence numbers, so a retry never writes an
event twice; it retries until the event is acknowledged or `timeout_s` (librdkafka's `message.timeout.ms`)
has passed since `publish`. Only then does the event fail: its Resultado says so, and `flush` raises.

Memory stays constant however many events go through: the publisher keeps counters and the first
`falhas_guardadas` failures, not one object per event. A caller that wants every outcome passes
`ao_confirmar`, called from the delivery report of each event (inside `publish` or `flush`).
"""

from __future__ import annotations

__all__ = ["LOGGER_LIBRDKAFKA", "Publisher", "Resultado"]

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from confluent_kafka import KafkaError, Message

from protocolo.avro import Catalogo, catalogo_padrao
from protocolo.documentos import so_digitos
from protocolo.errors import CodecError, NotAcknowledged
from protocolo.kafka import ConfigValue, make_producer
from protocolo.model import Evento
from protocolo.produce import drain, produce
from protocolo.registros import evento_json_to_avro, evento_mensagem
from protocolo.settings import KafkaSettings
from protocolo.validation import evento_from_json

logger = logging.getLogger(__name__)
# librdkafka's own log lines (connection attempts, retries) go to this logger, not straight to stderr.
LOGGER_LIBRDKAFKA = f"{__name__}.librdkafka"

# After message.timeout.ms librdkafka reports a timed-out event at its next timeout scan (about every
# second): flush waits this much longer before it gives up on an answer and purges what is left.
_FOLGA_S = 5.0
_NA_MENSAGEM = 3  # failures named in NotAcknowledged's message
_EXPIRADOS = {KafkaError._MSG_TIMED_OUT, KafkaError._TIMED_OUT, KafkaError._TIMED_OUT_QUEUE}
_PURGADOS = {KafkaError._PURGE_QUEUE, KafkaError._PURGE_INFLIGHT}


@dataclass
class Resultado:
    """What the broker said of one event; filled in by its delivery report.

    `origem` is the caller's name for the event ("eventos.jsonl:12"); `ok` stays None until the broker
    answers (or the wait gives up); `erro` is the reason in pt-BR with librdkafka's own words.
    """

    chave_identidade: str
    origem: str | None = None
    ok: bool | None = None
    erro: str | None = None
    particao: int | None = None
    offset: int | None = None

    @property
    def nome(self) -> str:
        """How a message names this event: its origem, else its identity."""
        return self.origem or self.chave_identidade


class Publisher:
    """Publishes events to the raw topic, key = NUP digits so one processo stays in one partition.

    Args:
        timeout_s: how long an event may wait for the broker's acknowledgement, retries included.
        ao_confirmar: called with each event's Resultado once the broker answered (or the wait gave up).
        falhas_guardadas: how many failed Resultados `falhas` keeps (the rest are only counted).
        config: librdkafka settings over make_producer's (e.g. `socket.timeout.ms`).
    """

    def __init__(
        self,
        settings: KafkaSettings,
        *,
        catalogo: Catalogo | None = None,
        timeout_s: float = 30.0,
        ao_confirmar: Callable[[Resultado], None] | None = None,
        falhas_guardadas: int = 100,
        config: Mapping[str, str | int | float | bool] | None = None,
    ) -> None:
        self.topico = settings.topics.eventos
        self.timeout_s = timeout_s
        self.catalogo = catalogo or catalogo_padrao()
        self.ao_confirmar = ao_confirmar
        self.falhas_guardadas = falhas_guardadas
        self.ultimo_erro_de_conexao: str | None = None  # librdkafka's last client-level error
        extra: dict[str, ConfigValue] = {
            "message.timeout.ms": max(1, int(timeout_s * 1000)),
            "logger": logging.getLogger(LOGGER_LIBRDKAFKA),
            "error_cb": self._erro_do_cliente,
            **(config or {}),
        }
        self._producer = make_producer(settings, **extra)
        self.enviados = 0  # handed to the producer
        self.confirmados = 0  # acknowledged by the broker
        self.nao_confirmados = 0  # failed or given up on
        self.falhas: list[Resultado] = []  # the first `falhas_guardadas` of them
        self._relatados = 0  # nao_confirmados already raised by flush
        self._exemplos: list[Resultado] = []  # the first failures since flush last raised, for its message
        self._primeiro_codigo: str | None = None  # Kafka's code of the first failure since then

    @property
    def pendentes(self) -> int:
        """Events handed to the producer that have no answer yet."""
        return self.enviados - self.confirmados - self.nao_confirmados

    def publish(self, evento: Evento | dict[str, Any], *, origem: str | None = None) -> Resultado:
        """Validate and queue one event; raises InvalidEvent before anything is sent.

        The Resultado is filled in later, by the delivery report (served here, in `flush` and on leaving
        the `with` block). PublishError if the producer can no longer send at all.
        """
        if not isinstance(evento, Evento):
            evento = evento_from_json(evento)
        resultado = Resultado(evento.chave_identidade, origem)
        chave, valor = evento_mensagem(self.catalogo, evento)
        self._enviar(chave, valor, resultado)
        return resultado

    def publish_sem_validar(self, dados: dict[str, Any], *, origem: str | None = None) -> Resultado:
        """Send an agency's JSON as it is, for simulations and tests of the streams' own validation.

        Raises CodecError (nothing sent) when the Avro wire format cannot carry the event at all.
        """
        try:
            registro = evento_json_to_avro(dados)
            valor = self.catalogo.encode("evento", registro)
        except (ValueError, TypeError, AttributeError) as exc:  # what fastavro raises on a bad shape
            raise CodecError(f"evento não representável em Avro: {exc}") from exc
        resultado = Resultado(f"{dados.get('orgao')}:{dados.get('id')}", origem)
        self._enviar(so_digitos(str(dados.get("nup") or "")).encode(), valor, resultado)
        return resultado

    def _enviar(self, chave: bytes, valor: bytes, resultado: Resultado) -> None:
        def _entregue(erro: KafkaError | None, mensagem: Message) -> None:
            self._registrar(resultado, erro, mensagem)

        produce(self._producer, self.topico, chave, valor, on_delivery=_entregue, queue_full_wait_s=0.5)
        self.enviados += 1
        self._producer.poll(0)

    def _registrar(self, resultado: Resultado, erro: KafkaError | None, mensagem: Message) -> None:
        """The delivery report of one event: librdkafka calls it once, acknowledged or not."""
        if erro is None:
            resultado.ok = True
            resultado.particao, resultado.offset = mensagem.partition(), mensagem.offset()
            self.confirmados += 1
            self.ultimo_erro_de_conexao = None  # the broker answers again: an older error explains nothing
        else:
            resultado.ok = False
            resultado.erro = self._motivo(erro)
            self.nao_confirmados += 1
            self._primeiro_codigo = self._primeiro_codigo or erro.name()
            if len(self.falhas) < self.falhas_guardadas:
                self.falhas.append(resultado)
            if len(self._exemplos) < _NA_MENSAGEM:
                self._exemplos.append(resultado)
        if self.ao_confirmar is not None:
            self.ao_confirmar(resultado)

    def _erro_do_cliente(self, erro: KafkaError) -> None:
        """librdkafka's client-level errors (broker down, connection refused): it retries by itself."""
        self.ultimo_erro_de_conexao = erro.str()
        logger.debug("kafka client error code=%s error=%s", erro.name(), erro.str())

    def _motivo(self, erro: KafkaError) -> str:
        if erro.code() in _EXPIRADOS:
            return f"sem confirmação do broker em {self.timeout_s:g} s ({erro.str()})"
        if erro.code() in _PURGADOS:
            return f"sem resposta do broker; a espera terminou ({erro.str()})"
        return f"recusado pelo broker: {erro.str()} ({erro.name()})"

    def flush(self) -> None:
        """Wait for every queued event's answer; NotAcknowledged if any since the last flush failed.

        Waits at most `timeout_s` plus a few seconds: by then every event was acknowledged or expired;
        one still without an answer is purged, and counts as not acknowledged.
        """
        drain(self._producer, self.timeout_s + _FOLGA_S, grace_s=_FOLGA_S)
        novos = self.nao_confirmados - self._relatados
        if novos:
            self._relatados = self.nao_confirmados
            codigo, self._primeiro_codigo = self._primeiro_codigo, None
            raise NotAcknowledged(
                self._mensagem_de_falha(novos), failed=novos, total=self.enviados, code=codigo
            )

    def _mensagem_de_falha(self, novos: int) -> str:
        exemplos, self._exemplos = self._exemplos, []
        mensagem = f"{novos} de {self.enviados} eventos não foram confirmados pelo broker"
        if exemplos:
            mensagem += ": " + "; ".join(f"{r.nome}: {r.erro}" for r in exemplos)
            mensagem += f"; e mais {novos - len(exemplos)}" if novos > len(exemplos) else ""
        if self.ultimo_erro_de_conexao:
            mensagem += f" (último erro de conexão: {self.ultimo_erro_de_conexao})"
        return mensagem

    def __enter__(self) -> Publisher:
        return self

    def __exit__(
        self, tipo: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if tipo is None:
            self.flush()
            return
        try:  # the block's own exception is the one to see: a flush failure is only logged
            self.flush()
        except Exception as falha:  # noqa: BLE001 - must not replace the exception in flight
            logger.error("flush failed while leaving after an error error=%s", falha)
