"""API models: what the API accepts and returns."""

from __future__ import annotations

__all__ = ["BuscaResultado", "InscricaoAceita", "InscricaoCreate", "ProcessoPublic", "ProcessoResumo"]

from datetime import datetime

from pydantic import BaseModel, Field


class UnidadePublic(BaseModel):
    """An organisational unit."""

    codigo: str
    sigla: str | None = None
    nome: str | None = None


class MovimentoPublic(BaseModel):
    """One movement in a processo's timeline."""

    id: str
    orgao: str
    orgao_nome: str | None = None
    operacao: str
    ocorrido_em: datetime
    unidade_origem: UnidadePublic | None = None
    unidade_destino: UnidadePublic | None = None
    observacao: str | None = None
    nup_relacionado: str | None = None


class InteressadoPublic(BaseModel):
    """An interessado as the public may see it: CPF masked, never in full."""

    nome: str
    documento_mascarado: str | None = None


class ProcessoResumo(BaseModel):
    """A processo in a result list."""

    nup: str
    nup_formatado: str
    tipo: str
    orgao: str
    orgao_nome: str | None = None
    situacao: str
    especie: str | None = None
    assunto: str | None = None
    localizacao: UnidadePublic | None = None
    autuado_em: datetime | None = None
    atualizado_em: datetime | None = None
    ultima_operacao: str | None = None


class ProcessoPublic(ProcessoResumo):
    """A processo with everything the public may see, historico ordered by time."""

    versao: int
    orgao_atual: str | None = None
    orgao_atual_nome: str | None = None
    interessados: list[InteressadoPublic] = Field(default_factory=list)
    em_transito: bool = False
    anexado_a: str | None = None
    relacionados: list[str] = Field(default_factory=list)
    documentos: list[str] = Field(default_factory=list)
    historico: list[MovimentoPublic] = Field(default_factory=list)


class BuscaResultado(BaseModel):
    """One page of search results."""

    total: int
    items: list[ProcessoResumo]


class InscricaoCreate(BaseModel):
    """A request to follow a processo by e-mail."""

    nup: str = Field(examples=["23037.001462/2021-65"])
    email: str = Field(examples=["cidadao@example.com"], max_length=254)


class InscricaoAceita(BaseModel):
    """The answer to a subscription: never echoes the address."""

    mensagem: str
