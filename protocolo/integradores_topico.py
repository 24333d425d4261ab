"""Integrators on their compacted topic (key = credential id), and a live view."""

from __future__ import annotations

__all__ = ["IntegradoresVivos", "gravar_integrador", "ler_integradores"]

from protocolo.avro import catalogo_padrao
from protocolo.credenciais import Credenciais
from protocolo.integradores import PREFIXO_INTEGRADOR, Integrador, integrador_from_avro, integrador_to_avro
from protocolo.settings import KafkaSettings
from protocolo.topico_compactado import TabelaViva, gravar, ler_tabela


def gravar_integrador(settings: KafkaSettings, integrador: Integrador) -> None:
    """Write an integrator (new or revoked) and wait for the broker's acknowledgement."""
    valor = catalogo_padrao().encode("integrador", integrador_to_avro(integrador))
    gravar(settings, settings.topics.integradores, [(integrador.id.encode(), valor)])


def _decodificar(valor: bytes) -> Integrador:
    return integrador_from_avro(catalogo_padrao().decode("integrador", valor))


def _visao(integradores: dict[str, Integrador]) -> Credenciais[Integrador]:
    return Credenciais(integradores.values(), prefixo=PREFIXO_INTEGRADOR)


def ler_integradores(settings: KafkaSettings, *, timeout_s: float = 30.0) -> Credenciais[Integrador]:
    """Every integrator as the topic holds them now."""
    return _visao(ler_tabela(settings, settings.topics.integradores, _decodificar, timeout_s=timeout_s))


class IntegradoresVivos(TabelaViva[Integrador, Credenciais[Integrador]]):
    """The integrators the API checks and the deliverer writes to, following the topic."""

    def __init__(self, settings: KafkaSettings) -> None:
        super().__init__(settings, settings.topics.integradores, _decodificar, _visao)
