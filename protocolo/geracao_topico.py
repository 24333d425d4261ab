"""The active generation on Kafka: read at a service's start, followed while it runs, switched by a rebuild.

`VigiaGeracao` is what a service's `main()` uses: `escolher` reads the pointer and returns the settings
of the active generation (unless the settings pin one), and reports the instance on it; `seguir` hands
it the function that stops the service cleanly when a rebuild switches the generation; `encerrar`
withdraws the report. The service then exits with `STATUS_TROCA`, and its supervisor (`protocolo up`,
docker-compose's `restart:`, Kubernetes) starts it again, on the new generation.
"""

from __future__ import annotations

__all__ = [
    "GeracaoViva",
    "VigiaGeracao",
    "geracao_ativa",
    "gravar_ponteiro",
    "instancia_local",
    "ler_geracoes",
    "rodar_na_geracao",
]

import logging
import os
import signal
import socket
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from types import FrameType
from typing import Any, Protocol, TypeVar

from confluent_kafka import KafkaException

from protocolo.configuracao import carregar_settings
from protocolo.geracao import (
    STATUS_TROCA,
    Ponteiro,
    chave_confirmacao,
    codificar_confirmacao,
    codificar_ponteiro,
    decodificar,
    geracao_fixada,
    na_geracao,
    ponteiro_de,
)
from protocolo.settings import KafkaSettings, Settings
from protocolo.topico_compactado import TabelaViva, gravar, ler_tabela

logger = logging.getLogger(__name__)

Tabela = Mapping[str, Mapping[str, Any]]


def instancia_local() -> str:
    """This process's instance name in reports: host (the container or pod name) and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def ler_geracoes(settings: KafkaSettings, *, timeout_s: float = 30.0) -> dict[str, dict[str, Any]]:
    """The generation topic as it is now: key -> decoded record (pointer and live reports)."""
    return ler_tabela(settings, settings.topics.geracao, decodificar, timeout_s=timeout_s)


def gravar_ponteiro(settings: Settings, geracao: int) -> Ponteiro:
    """Make `geracao` the active one (acknowledged by the broker): only `protocolo rebuild` calls this."""
    chave, valor = codificar_ponteiro(geracao, settings, agora=datetime.now(UTC))
    gravar(settings.kafka, settings.kafka.topics.geracao, [(chave, valor)])
    ponteiro = ponteiro_de({chave.decode(): decodificar(valor)})
    assert ponteiro is not None
    return ponteiro


def geracao_ativa(settings: Settings, *, timeout_s: float = 30.0) -> Settings:
    """`settings` on the active generation, for a command (no report, nothing followed).

    Pinned settings are returned as given; a generation topic that cannot be read counts as no pointer
    (generation 1, or the settings' own), as for a service.
    """
    if geracao_fixada(settings):
        return settings
    try:
        ponteiro = ponteiro_de(ler_geracoes(settings.kafka, timeout_s=timeout_s))
    except (KafkaException, TimeoutError) as exc:
        logger.warning("generation topic unreadable, using the settings' generation error=%s", exc)
        return settings
    return settings if ponteiro is None else na_geracao(settings, ponteiro.geracao)


class GeracaoViva:
    """The active generation followed live, for a process that reads a derived topic but is never
    switched (the API: it keeps answering while its readers move to the new topics).

    `settings()` is the process's settings on the generation the pointer names now; pinned settings
    are returned as given, and an unreadable topic counts as no pointer (the settings' generation).
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._tabela: TabelaViva[dict[str, Any], Ponteiro | None] | None = None
        if not geracao_fixada(settings):
            self._tabela = TabelaViva(settings.kafka, settings.kafka.topics.geracao, decodificar, ponteiro_de)

    def iniciar(self, *, timeout_s: float = 10.0) -> None:
        """Start following, waiting up to `timeout_s` for the pointer (a partial view counts as none)."""
        if self._tabela is not None:
            self._tabela.iniciar(timeout_s=timeout_s)

    def settings(self) -> Settings:
        """The settings on the active generation, now."""
        ponteiro = self._tabela.atual if self._tabela is not None else None
        if ponteiro is None or ponteiro.geracao == self._settings.streams.geracao:
            return self._settings
        return na_geracao(self._settings, ponteiro.geracao)

    def parar(self) -> None:
        """Stop following."""
        if self._tabela is not None:
            self._tabela.parar()


class VigiaGeracao:
    """Chooses a service's generation at start and stops it when a rebuild activates another one."""

    def __init__(self, servico: str, *, instancia: str | None = None) -> None:
        self.servico = servico
        self.instancia = instancia or instancia_local()
        self.geracao: int | None = None  # None: pinned by the settings, nothing followed
        self._kafka: KafkaSettings | None = None
        self._tabela: TabelaViva[dict[str, Any], Ponteiro | None] | None = None
        self._ao_trocar: Callable[[], None] | None = None
        self._trocou = threading.Event()
        self._lock = threading.Lock()
        self._relatou = False

    @property
    def trocou(self) -> bool:
        """A rebuild activated another generation while this service ran: exit with STATUS_TROCA."""
        return self._trocou.is_set()

    def escolher(self, settings: Settings, *, timeout_s: float = 30.0) -> Settings:
        """The settings of the active generation; `settings` as given when they pin one.

        Waits up to `timeout_s` to read the generation topic whole. When it cannot (the topic does not
        exist yet: `protocolo create-topics` creates it), it starts on the settings' generation without
        reporting, and keeps following: once the pointer is readable and names another generation, the
        service is switched like after a rebuild.
        """
        if geracao_fixada(settings):
            geracao = settings.streams.geracao
            logger.info("generation pinned by the settings service=%s geracao=%d", self.servico, geracao)
            return settings
        self._kafka = settings.kafka
        try:
            ponteiro = ponteiro_de(ler_geracoes(settings.kafka, timeout_s=timeout_s))
            legivel = True
        except (KafkaException, TimeoutError) as exc:
            logger.warning(
                "generation topic unreadable, starting on the settings' generation and following it "
                "service=%s error=%s",
                self.servico,
                exc,
            )
            ponteiro, legivel = None, False
        geracao = ponteiro.geracao if ponteiro else settings.streams.geracao
        with self._lock:
            self.geracao = geracao
        if ponteiro is not None and ponteiro.geracao != settings.streams.geracao:
            settings = na_geracao(settings, geracao)
        # Followed from here on: a pointer written since, or readable only later, switches the service.
        self._tabela = TabelaViva(settings.kafka, settings.kafka.topics.geracao, decodificar, self._ver)
        self._tabela.iniciar(timeout_s=timeout_s if legivel else 0.1)
        if legivel:  # never create the topic by writing to it (auto-create would get its settings wrong)
            self._confirmar(codificar_confirmacao(geracao, agora=datetime.now(UTC)))
            self._relatou = True
        logger.info("generation chosen service=%s geracao=%d", self.servico, geracao)
        return settings

    def seguir(self, ao_trocar: Callable[[], None]) -> None:
        """Call `ao_trocar` (stop the service cleanly) once another generation becomes active."""
        self._ao_trocar = ao_trocar
        if self.trocou:
            ao_trocar()

    def encerrar(self) -> None:
        """Stop following and withdraw this instance's report (the service is stopping)."""
        if self._tabela is None:
            return
        self._tabela.parar()
        if not self._relatou:
            return
        try:
            self._confirmar(None)
        except Exception as exc:  # the broker may be gone too: the report goes stale, the rebuild copes
            logger.warning("generation report not withdrawn service=%s error=%s", self.servico, exc)

    def _confirmar(self, valor: bytes | None) -> None:
        assert self._kafka is not None
        chave = chave_confirmacao(self.servico, self.instancia).encode()
        gravar(self._kafka, self._kafka.topics.geracao, [(chave, valor)])

    def _ver(self, tabela: Tabela) -> Ponteiro | None:
        """The table's view (its pointer); notices a switch (called by the follower thread)."""
        ponteiro = ponteiro_de(tabela)
        with self._lock:
            minha = self.geracao
        if ponteiro is not None and minha is not None and ponteiro.geracao != minha and not self.trocou:
            logger.warning(
                "generation switched, stopping to restart on it service=%s de=%d para=%d",
                self.servico,
                minha,
                ponteiro.geracao,
            )
            self._trocou.set()
            if self._ao_trocar is not None:
                self._ao_trocar()
        return ponteiro


class _Paravel(Protocol):
    def parar(self) -> None: ...


S = TypeVar("S", bound=_Paravel)


def rodar_na_geracao(servico: str, criar: Callable[[Settings], S], executar: Callable[[S], None]) -> None:
    """A service's `main()`: built on the active generation, stopped by SIGTERM/SIGINT or by a rebuild's
    switch, after which it exits with STATUS_TROCA so that its supervisor starts it on the new one."""
    vigia = VigiaGeracao(servico)
    instancia = criar(vigia.escolher(carregar_settings()))
    vigia.seguir(instancia.parar)

    def _parar(signum: int, frame: FrameType | None) -> None:
        instancia.parar()

    signal.signal(signal.SIGTERM, _parar)
    signal.signal(signal.SIGINT, _parar)
    try:
        executar(instancia)
    finally:
        vigia.encerrar()
    if vigia.trocou:
        raise SystemExit(STATUS_TROCA)
