"""Shared dependencies: the clients built once per process in the app's lifespan."""

from __future__ import annotations

__all__ = ["Recursos", "RecursosDep"]

from dataclasses import dataclass, field
from typing import Annotated

from elasticsearch import AsyncElasticsearch
from fastapi import Depends, Request

from api.gateway_memoria import MemoriaGateway
from api.limites import LimitesInscricao
from api.metricas import Metricas
from api.publicacao import Entregador
from api.rejeitados_vivos import RejeitadosVivos
from protocolo.alertas.topico import AlertasVivos
from protocolo.avro import Catalogo
from protocolo.cifra import Cofre
from protocolo.credenciais_topico import CredenciaisVivas
from protocolo.inscricoes_topico import InscricoesVivas
from protocolo.integradores_topico import IntegradoresVivos
from protocolo.settings import Settings
from protocolo.webhooks_topico import EstadosVivos, WebhooksVivos


@dataclass
class Recursos:
    """What a request handler may use."""

    settings: Settings
    es: AsyncElasticsearch
    catalogo: Catalogo
    entregador: Entregador
    credenciais: CredenciaisVivas
    inscricoes: InscricoesVivas
    alertas: AlertasVivos
    limites: LimitesInscricao
    rejeitados: RejeitadosVivos
    metricas: Metricas
    integradores: IntegradoresVivos
    webhooks: WebhooksVivos
    webhooks_estados: EstadosVivos
    cofre: Cofre
    # Built here from the settings, so it lives exactly as long as the process's other clients.
    memoria_gateway: MemoriaGateway = field(init=False)

    def __post_init__(self) -> None:
        self.memoria_gateway = MemoriaGateway(self.settings.api.gateway_memoria_eventos)


def _recursos(request: Request) -> Recursos:
    recursos: Recursos = request.app.state.recursos
    return recursos


RecursosDep = Annotated[Recursos, Depends(_recursos)]
