"""Models of the agencies' HTTP gateway (POST /api/v1/eventos)."""

from __future__ import annotations

__all__ = [
    "ItemResultado",
    "LoteResultado",
    "OrigemPublic",
    "RejeitadoPublic",
    "RejeitadosPagina",
    "ViolacaoPublic",
]

from datetime import datetime

from pydantic import BaseModel, Field


class ViolacaoPublic(BaseModel):
    """One problem found in an event."""

    campo: str = Field(examples=["unidade_destino"])
    motivo: str = Field(examples=["obrigatório na operação ENVIO"])


class ItemResultado(BaseModel):
    """What happened to one event of the batch."""

    indice: int = Field(description="Posição do evento no lote, a partir de 0", examples=[0])
    id: str | None = Field(description="O id do evento, quando legível", examples=["SEI-123"])
    status: str = Field(
        description=(
            "aceito (confirmado pelo broker), duplicado (repete um evento anterior do lote ou um já "
            "publicado por este servidor; não é publicado de novo) ou rejeitado"
        ),
        examples=["aceito"],
    )
    violacoes: list[ViolacaoPublic] = Field(default_factory=list)


class LoteResultado(BaseModel):
    """The answer to a batch: counts and one result per event, in batch order."""

    recebidos: int
    aceitos: int
    duplicados: int
    rejeitados: int
    resultados: list[ItemResultado]


class OrigemPublic(BaseModel):
    """Where a message is: topic, partition, offset."""

    topico: str
    particao: int
    offset: int


class RejeitadoPublic(BaseModel):
    """One of the agency's events the pipeline rejected: why, and which event (CPFs masked, no content)."""

    codigo: str = Field(examples=["EVENTO_INVALIDO"])
    motivo: str = Field(examples=["evento inválido: unidade_destino: obrigatório na operação ENVIO"])
    violacoes: list[ViolacaoPublic] = Field(default_factory=list)
    id: str | None = Field(description="O id do evento rejeitado", examples=["SEI-4711"])
    nup: str | None = Field(examples=["23037.001462/2021-65"])
    operacao: str | None = Field(examples=["ENVIO"])
    registrado_em: datetime = Field(description="Quando o evento foi rejeitado")
    original: OrigemPublic = Field(description="O evento rejeitado no tópico de eventos")
    carta: OrigemPublic = Field(description="A carta morta no tópico de rejeições")


class RejeitadosPagina(BaseModel):
    """A page of the agency's rejections, newest first."""

    items: list[RejeitadoPublic]
    proximo_cursor: str | None = Field(description="Passe em `cursor` para a página seguinte; null na última")
    total: int = Field(description="Rejeições guardadas para o órgão (as mais recentes)")
