"""Sends simulated agency traffic to the broker: `protocolo simulate` and `protocolo up --simulate`.

Valid events go through the producer library as an agency's system would send them. Invalid ones
are sent as they are (as by an agency that does not use the library), so the streams' validation
and dead-letter topic see them; the few the wire format cannot carry at all are counted apart.
"""

from __future__ import annotations

__all__ = ["Contagem", "enviar_simulacao"]

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from producers.publisher import Publisher
from protocolo.errors import CodecError, InvalidEvent
from protocolo.settings import Settings

logger = logging.getLogger(__name__)


@dataclass
class Contagem:
    """What a simulation run sent."""

    validos: int = 0
    invalidos: int = 0
    nao_representaveis: int = 0

    @property
    def total(self) -> int:
        return self.validos + self.invalidos + self.nao_representaveis


def enviar_simulacao(
    settings: Settings,
    eventos: Iterator[dict[str, Any]],
    *,
    parar: threading.Event,
    limite: int | None = None,
    taxa: float = 0.0,
    carga_inicial: int = 0,
    ao_avancar: Callable[[Contagem], None] = lambda _c: None,
) -> Contagem:
    """Send up to `limite` events (None: until `parar`): `carga_inicial` at once, then `taxa` per
    second (0: as fast as the broker takes them). Returns once every sent event was acknowledged;
    raises PublishError if any was not."""
    contagem = Contagem()
    intervalo = 1.0 / taxa if taxa > 0 else 0.0
    proximo = time.monotonic()
    with Publisher(settings.kafka) as publisher:
        # islice stops before pulling one more: the simulator records an event in its oracle as it yields.
        for dados in itertools.islice(eventos, limite):
            if parar.is_set():
                break
            try:
                publisher.publish(dados)
                contagem.validos += 1
            except InvalidEvent:
                try:
                    publisher.publish_sem_validar(dados)
                    contagem.invalidos += 1
                except CodecError:
                    contagem.nao_representaveis += 1
            ao_avancar(contagem)
            if contagem.total == carga_inicial:
                publisher.flush()
            if intervalo and contagem.total >= carga_inicial:
                proximo = max(proximo + intervalo, time.monotonic() - 1.0)
                parar.wait(max(0.0, proximo - time.monotonic()))
    logger.info(
        "simulation sent valid=%d invalid=%d unrepresentable=%d",
        contagem.validos,
        contagem.invalidos,
        contagem.nao_representaveis,
    )
    return contagem
