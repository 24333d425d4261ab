"""Subscriptions on Kafka: the API's compacted inscricoes topic and the notifier's bounce marks.

Write either, or follow both live (`InscricoesVivas`): a subscription as it stands is its latest
inscricoes record folded with the notifier's mark for that record (protocolo.inscricoes).
"""

from __future__ import annotations

__all__ = [
    "InscricoesVivas",
    "decodificar_devolucao",
    "decodificar_inscricao",
    "gravar_devolucoes",
    "gravar_inscricoes",
    "mensagem_devolucao",
    "mensagem_inscricao",
]

import time
from collections.abc import Sequence
from typing import Any

from protocolo.avro import catalogo_padrao
from protocolo.inscricoes import (
    Devolucao,
    Inscricao,
    com_devolucao,
    devolucao_from_avro,
    devolucao_to_avro,
    inscricao_from_avro,
    inscricao_to_avro,
)
from protocolo.settings import KafkaSettings
from protocolo.topico_compactado import TabelaViva, gravar


def mensagem_inscricao(inscricao: Inscricao) -> tuple[bytes, bytes]:
    """The topic message of a subscription: key = its keyed hash, Avro value."""
    return inscricao.chave.encode(), catalogo_padrao().encode("inscricao", inscricao_to_avro(inscricao))


def gravar_inscricoes(settings: KafkaSettings, inscricoes: Sequence[Inscricao]) -> None:
    """Write subscription states and wait for the broker's acknowledgement (tools, tests)."""
    gravar(settings, settings.topics.inscricoes, [mensagem_inscricao(i) for i in inscricoes])


def decodificar_inscricao(valor: bytes) -> dict[str, Any]:
    """An inscricao record of any version, as the current schema reads it."""
    return catalogo_padrao().decode("inscricao", valor)


def mensagem_devolucao(devolucao: Devolucao) -> tuple[bytes, bytes]:
    """The bounce-mark message: key = the subscription key, Avro value."""
    return devolucao.chave.encode(), catalogo_padrao().encode("devolucao", devolucao_to_avro(devolucao))


def gravar_devolucoes(settings: KafkaSettings, devolucoes: Sequence[Devolucao]) -> None:
    """Write bounce marks (the notifier) and wait for the broker's acknowledgement."""
    gravar(settings, settings.topics.devolucoes, [mensagem_devolucao(d) for d in devolucoes])


def decodificar_devolucao(valor: bytes) -> dict[str, Any]:
    """A devolucao record of any version, as the current schema reads it."""
    return catalogo_padrao().decode("devolucao", valor)


def _visao(registros: dict[str, dict[str, Any]]) -> dict[str, Inscricao]:
    return {chave: inscricao_from_avro(chave, registro) for chave, registro in registros.items()}


def _visao_devolucoes(registros: dict[str, dict[str, Any]]) -> dict[str, Devolucao]:
    return {chave: devolucao_from_avro(chave, registro) for chave, registro in registros.items()}


class InscricoesVivas:
    """Every subscription by key as it stands, following both topics (the API confirms and cancels)."""

    def __init__(self, settings: KafkaSettings) -> None:
        topicos = settings.topics
        self._inscricoes = TabelaViva(settings, topicos.inscricoes, decodificar_inscricao, _visao)
        self._devolucoes = TabelaViva(settings, topicos.devolucoes, decodificar_devolucao, _visao_devolucoes)

    def iniciar(self, *, timeout_s: float = 30.0) -> bool:
        """Start following both topics and wait until each was read to its end once; False on timeout."""
        limite = time.monotonic() + timeout_s
        inscricoes = self._inscricoes.iniciar(timeout_s=timeout_s)
        return self._devolucoes.iniciar(timeout_s=max(0.0, limite - time.monotonic())) and inscricoes

    @property
    def carregada(self) -> bool:
        """Both topics were read to their end at least once."""
        return self._inscricoes.carregada and self._devolucoes.carregada

    def parar(self) -> None:
        """Stop following (the view stays as it was)."""
        self._inscricoes.parar()
        self._devolucoes.parar()

    def buscar(self, chave: str) -> Inscricao | None:
        """The latest state of one subscription, as far as the views have read."""
        return com_devolucao(self._inscricoes.atual.get(chave), self._devolucoes.atual.get(chave))
