"""Models of the subscription API (POST /api/v1/inscricoes)."""

from __future__ import annotations

__all__ = ["InscricaoAceita", "InscricaoCreate"]

from pydantic import BaseModel, Field


class InscricaoCreate(BaseModel):
    """A request to follow a processo by e-mail; it takes effect once confirmed through the e-mail."""

    nup: str = Field(examples=["23037.001462/2021-65"], max_length=40)
    email: str = Field(examples=["cidadao@example.com"], max_length=254)
    operacoes: list[str] | None = Field(
        default=None,
        max_length=20,
        description="Operações que geram e-mail (ex.: ENVIO, RECEBIMENTO, ARQUIVAMENTO); ausente = todas",
        examples=[["ENVIO", "RECEBIMENTO", "ARQUIVAMENTO"]],
    )


class InscricaoAceita(BaseModel):
    """The answer to a subscription request: the same for every address, which it never echoes."""

    mensagem: str
