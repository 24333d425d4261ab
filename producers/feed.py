"""Feeds the local stack with simulated agency traffic (`protocolo up --simulate`)."""

from __future__ import annotations

__all__ = ["alimentar"]

import logging
import threading
from collections.abc import Callable

from producers.publisher import Publisher
from producers.simulation import SimulationConfig, Simulator
from protocolo.errors import InvalidEvent, PublishError
from protocolo.referencia import carregar_referencia
from protocolo.settings import Settings

logger = logging.getLogger(__name__)


def alimentar(
    settings: Settings,
    parar: threading.Event,
    *,
    taxa: float,
    carga_inicial: int,
    avisar: Callable[[str], None] = lambda _m: None,
    seed: int = 42,
) -> None:
    """Publish `carga_inicial` events at once, then `taxa` events per second until `parar` is set."""
    simulador = Simulator(SimulationConfig(seed=seed), carregar_referencia())
    eventos = simulador.eventos()
    publicados = rejeitados = 0
    with Publisher(settings.kafka) as publisher:
        while not parar.is_set():
            inicial = publicados + rejeitados < carga_inicial
            try:
                publisher.publish(next(eventos))
                publicados += 1
            except InvalidEvent:
                rejeitados += 1  # the simulator makes a few invalid events on purpose
            if publicados + rejeitados == carga_inicial:
                try:
                    publisher.flush()
                except PublishError as exc:
                    avisar(f"[red]simulação:[/] {exc}")
                avisar(
                    f"simulação: {publicados} eventos publicados ({rejeitados} inválidos recusados na origem)"
                )
            if not inicial:
                parar.wait(1.0 / taxa)
    logger.info("simulation stopped published=%d rejected=%d", publicados, rejeitados)
