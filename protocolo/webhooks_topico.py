"""Webhooks on Kafka: the API's registrations and the deliverer's verdicts, written or followed live."""

from __future__ import annotations

__all__ = [
    "EstadosVivos",
    "WebhooksVivos",
    "decodificar_estado",
    "decodificar_webhook",
    "gravar_estado",
    "ler_estados",
    "ler_webhooks",
    "mensagem_estado",
    "mensagem_webhook",
]

from protocolo.avro import catalogo_padrao
from protocolo.settings import KafkaSettings
from protocolo.topico_compactado import TabelaViva, gravar, ler_tabela
from protocolo.webhooks import (
    EstadoWebhook,
    Webhook,
    estado_from_avro,
    estado_to_avro,
    webhook_from_avro,
    webhook_to_avro,
)


def mensagem_webhook(webhook: Webhook) -> tuple[bytes, bytes]:
    """The registration's message: key = webhook id, Avro value."""
    return webhook.id.encode(), catalogo_padrao().encode("webhook", webhook_to_avro(webhook))


def decodificar_webhook(valor: bytes) -> Webhook:
    """A registration record of any version."""
    return webhook_from_avro(catalogo_padrao().decode("webhook", valor))


def mensagem_estado(estado: EstadoWebhook) -> tuple[bytes, bytes]:
    """The verdict's message: key = webhook id, Avro value."""
    return estado.webhook_id.encode(), catalogo_padrao().encode("webhook_estado", estado_to_avro(estado))


def decodificar_estado(valor: bytes) -> EstadoWebhook:
    """A verdict record of any version."""
    return estado_from_avro(catalogo_padrao().decode("webhook_estado", valor))


def gravar_estado(settings: KafkaSettings, estado: EstadoWebhook) -> None:
    """Write a verdict (the deliverer) and wait for the broker's acknowledgement."""
    gravar(settings, settings.topics.webhooks_estados, [mensagem_estado(estado)])


def ler_webhooks(settings: KafkaSettings, *, timeout_s: float = 30.0) -> dict[str, Webhook]:
    """Every registration as the topic holds them now, by id."""
    return ler_tabela(settings, settings.topics.webhooks, decodificar_webhook, timeout_s=timeout_s)


def ler_estados(settings: KafkaSettings, *, timeout_s: float = 30.0) -> dict[str, EstadoWebhook]:
    """Every verdict as the topic holds them now, by webhook id."""
    return ler_tabela(settings, settings.topics.webhooks_estados, decodificar_estado, timeout_s=timeout_s)


def _identidade(valores: dict[str, Webhook]) -> dict[str, Webhook]:
    return valores


def _identidade_estados(valores: dict[str, EstadoWebhook]) -> dict[str, EstadoWebhook]:
    return valores


class WebhooksVivos(TabelaViva[Webhook, dict[str, Webhook]]):
    """Every registration by id, following the topic."""

    def __init__(self, settings: KafkaSettings) -> None:
        super().__init__(settings, settings.topics.webhooks, decodificar_webhook, _identidade)


class EstadosVivos(TabelaViva[EstadoWebhook, dict[str, EstadoWebhook]]):
    """Every verdict by webhook id, following the deliverer's topic."""

    def __init__(self, settings: KafkaSettings) -> None:
        super().__init__(settings, settings.topics.webhooks_estados, decodificar_estado, _identidade_estados)
