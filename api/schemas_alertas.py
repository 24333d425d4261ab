"""Models of the alert API (POST /api/v1/alertas)."""

from __future__ import annotations

__all__ = ["AlertaAceito", "AlertaCreate"]

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.busca.params import BuscaParams


class AlertaCreate(BuscaParams):
    """A request to be e-mailed about a search: its free text and filters, as in GET /api/v1/processos.

    Takes effect once confirmed through the e-mail. Paging and sort fields are accepted and ignored.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    email: str = Field(examples=["jornalista@example.com"], max_length=254)
    frequencia: Literal["imediato", "diario", "semanal"] = Field(
        default="diario",
        description=(
            "imediato: um e-mail a cada novidade; diario ou semanal: no máximo um resumo por dia "
            "(a partir da meia-noite de Brasília) ou por semana (a partir de segunda-feira)"
        ),
        examples=["diario"],
    )
    movimentos: bool = Field(
        default=False,
        description="true: avisa também cada movimentação dos processos que atendem à busca",
        examples=[False],
    )


class AlertaAceito(BaseModel):
    """The answer to an alert request: the same for every address, which it never echoes."""

    mensagem: str
