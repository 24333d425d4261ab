"""Agency credentials on the compacted credentials topic (key = credential id), and a live view."""

from __future__ import annotations

__all__ = ["CredenciaisVivas", "gravar_credencial", "ler_credenciais"]

from protocolo.avro import catalogo_padrao
from protocolo.credenciais import Credenciais, Credencial
from protocolo.registros import credencial_from_avro, credencial_to_avro
from protocolo.settings import KafkaSettings
from protocolo.topico_compactado import TabelaViva, gravar, ler_tabela


def gravar_credencial(settings: KafkaSettings, credencial: Credencial) -> None:
    """Write a credential (new or revoked) and wait for the broker's acknowledgement."""
    valor = catalogo_padrao().encode("credencial", credencial_to_avro(credencial))
    gravar(settings, settings.topics.credenciais, [(credencial.id.encode(), valor)])


def _decodificar(valor: bytes) -> Credencial:
    return credencial_from_avro(catalogo_padrao().decode("credencial", valor))


def _visao(credenciais: dict[str, Credencial]) -> Credenciais[Credencial]:
    return Credenciais(credenciais.values())


def ler_credenciais(settings: KafkaSettings, *, timeout_s: float = 30.0) -> Credenciais[Credencial]:
    """Every credential as the topic holds them now."""
    return _visao(ler_tabela(settings, settings.topics.credenciais, _decodificar, timeout_s=timeout_s))


class CredenciaisVivas(TabelaViva[Credencial, Credenciais[Credencial]]):
    """The credentials the gateway checks, following the topic (a revocation applies in moments)."""

    def __init__(self, settings: KafkaSettings) -> None:
        super().__init__(settings, settings.topics.credenciais, _decodificar, _visao)
