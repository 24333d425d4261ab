"""The producer library agencies embed: validate locally, encode Avro, produce, report per event.

with Publisher(KafkaSettings(bootstrap_servers="kafka:9092")) as publisher:
    publisher.publish(evento)          # an Evento or its JSON form
# leaving the block flushes; publisher.resultados tells what the broker acknowledged
"""

from __future__ import annotations

__all__ = ["Publisher", "Resultado"]

import logging
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from confluent_kafka import KafkaError, Message

from protocolo.avro import Catalogo, catalogo_padrao
from protocolo.documentos import so_digitos
from protocolo.errors import CodecError, PublishError
from protocolo.kafka import make_producer
from protocolo.model import Evento
from protocolo.registros import evento_json_to_avro, evento_mensagem
from protocolo.settings import KafkaSettings
from protocolo.validation import evento_from_json

logger = logging.getLogger(__name__)


@dataclass
class Resultado:
    """What the broker said of one event."""

    chave_identidade: str
    ok: bool | None = None  # None until the broker answers
    erro: str | None = None


class Publisher:
    """Publishes events to the raw topic, key = NUP digits so one processo stays in one partition."""

    def __init__(
        self, settings: KafkaSettings, *, catalogo: Catalogo | None = None, timeout_s: float = 30.0
    ) -> None:
        self.topico = settings.topics.eventos
        self.timeout_s = timeout_s
        self.catalogo = catalogo or catalogo_padrao()
        self._producer = make_producer(settings, **{"message.timeout.ms": int(timeout_s * 1000)})
        self.resultados: list[Resultado] = []

    def publish(self, evento: Evento | dict[str, Any]) -> Resultado:
        """Validate and queue one event; raises InvalidEvent before anything is sent."""
        if not isinstance(evento, Evento):
            evento = evento_from_json(evento)
        resultado = Resultado(evento.chave_identidade)
        chave, valor = evento_mensagem(self.catalogo, evento)
        self._enviar(chave, valor, resultado)
        return resultado

    def _enviar(self, chave: bytes, valor: bytes, resultado: Resultado) -> None:
        def _entregue(erro: KafkaError | None, _mensagem: Message) -> None:
            resultado.ok = erro is None
            resultado.erro = None if erro is None else str(erro)

        while True:
            try:
                self._producer.produce(self.topico, key=chave, value=valor, on_delivery=_entregue)
                break
            except BufferError:  # local queue full: let deliveries drain
                self._producer.poll(0.5)
        self._producer.poll(0)
        self.resultados.append(resultado)

    def publish_sem_validar(self, dados: dict[str, Any]) -> Resultado:
        """Send an agency's JSON as it is, for simulations and tests of the streams' own validation.

        Raises CodecError (nothing sent) when the Avro wire format cannot carry the event at all.
        """
        try:
            registro = evento_json_to_avro(dados)
            valor = self.catalogo.encode("evento", registro)
        except (ValueError, TypeError, AttributeError) as exc:  # what fastavro raises on a bad shape
            raise CodecError(f"evento não representável em Avro: {exc}") from exc
        resultado = Resultado(f"{dados.get('orgao')}:{dados.get('id')}")
        self._enviar(so_digitos(str(dados.get("nup") or "")).encode(), valor, resultado)
        return resultado

    def flush(self) -> None:
        """Wait for every queued event; raises PublishError if any was not acknowledged in time."""
        restantes = self._producer.flush(self.timeout_s)
        falhas = [r for r in self.resultados if not r.ok]
        if restantes or falhas:
            primeiro = falhas[0].erro if falhas and falhas[0].erro else "sem resposta do broker"
            raise PublishError(f"{len(falhas)} de {len(self.resultados)} eventos não confirmados: {primeiro}")

    def __enter__(self) -> Publisher:
        return self

    def __exit__(
        self, tipo: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.flush()
