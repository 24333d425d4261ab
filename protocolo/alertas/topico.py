"""Alerts on Kafka: the API's compacted alertas topic, written and followed live."""

from __future__ import annotations

__all__ = ["AlertasVivos", "decodificar_alerta", "mensagem_alerta"]

from typing import Any

from protocolo.alertas.alerta import Alerta, alerta_from_avro, alerta_to_avro
from protocolo.avro import catalogo_padrao
from protocolo.settings import KafkaSettings
from protocolo.topico_compactado import TabelaViva


def mensagem_alerta(alerta: Alerta) -> tuple[bytes, bytes]:
    """The topic message of an alert: key = its keyed hash, Avro value."""
    return alerta.chave.encode(), catalogo_padrao().encode("alerta", alerta_to_avro(alerta))


def decodificar_alerta(valor: bytes) -> dict[str, Any]:
    """An alerta record of any version, as the current schema reads it."""
    return catalogo_padrao().decode("alerta", valor)


def _visao(registros: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return dict(registros)  # decoded lazily: buscar decodes one alert


class AlertasVivos:
    """Every alert by key as it stands, following the topic (the API confirms and cancels with it)."""

    def __init__(self, settings: KafkaSettings) -> None:
        self._tabela = TabelaViva(settings, settings.topics.alertas, decodificar_alerta, _visao)

    def iniciar(self, *, timeout_s: float = 30.0) -> bool:
        """Start following and wait until the topic was read to its end once; False on timeout."""
        return self._tabela.iniciar(timeout_s=timeout_s)

    def parar(self) -> None:
        """Stop following."""
        self._tabela.parar()

    def buscar(self, chave: str) -> Alerta | None:
        """The latest state of one alert, as far as the view has read."""
        registro = self._tabela.atual.get(chave)
        return alerta_from_avro(chave, registro) if registro is not None else None
