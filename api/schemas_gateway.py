"""Models of the agencies' HTTP gateway (POST /api/v1/eventos)."""

from __future__ import annotations

__all__ = ["ItemResultado", "LoteResultado", "ViolacaoPublic"]

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
