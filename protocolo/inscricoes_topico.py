"""Subscriptions on the compacted inscricoes topic: write one, read them all, or follow them live."""

from __future__ import annotations

__all__ = ["InscricoesVivas", "decodificar_inscricao", "gravar_inscricoes", "mensagem_inscricao"]

from collections.abc import Sequence
from typing import Any

from protocolo.avro import catalogo_padrao
from protocolo.inscricoes import Inscricao, inscricao_from_avro, inscricao_to_avro
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


def _visao(registros: dict[str, dict[str, Any]]) -> dict[str, Inscricao]:
    return {chave: inscricao_from_avro(chave, registro) for chave, registro in registros.items()}


class InscricoesVivas(TabelaViva[dict[str, Any], dict[str, Inscricao]]):
    """Every subscription by key, following the topic (the API needs the pending record to confirm it)."""

    def __init__(self, settings: KafkaSettings) -> None:
        super().__init__(settings, settings.topics.inscricoes, decodificar_inscricao, _visao)

    def buscar(self, chave: str) -> Inscricao | None:
        """The latest state of one subscription, as far as the view has read."""
        return self.atual.get(chave)
