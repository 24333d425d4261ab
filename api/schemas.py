"""API models: what the API accepts and returns."""

from __future__ import annotations

__all__ = [
    "BuscaResultado",
    "Contagem",
    "EstatisticasPublic",
    "FacetaValor",
    "Facetas",
    "MovimentoPublic",
    "MovimentosPagina",
    "ProcessoPublic",
    "ProcessoResultado",
    "ProcessoResumo",
]

from datetime import date, datetime

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


class MovimentosPagina(BaseModel):
    """One page of a processo's timeline."""

    total: int = Field(description="Quantas movimentações públicas o processo tem", examples=[3120])
    items: list[MovimentoPublic] = Field(description="As movimentações da página, na ordem pedida")
    proximo_cursor: str | None = Field(
        default=None,
        description="Passe em `cursor`, com a mesma `ordem`, para a página seguinte; ausente na última",
        examples=["eyJuIjo1MCwi..."],
    )


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
    """A processo with everything the public may see; its timeline is paged apart (MovimentosPagina)."""

    versao: int
    orgao_atual: str | None = None
    orgao_atual_nome: str | None = None
    interessados: list[InteressadoPublic] = Field(default_factory=list)
    em_transito: bool = False
    anexado_a: str | None = None
    relacionados: list[str] = Field(default_factory=list)
    documentos: list[str] = Field(default_factory=list)


class ProcessoResultado(ProcessoResumo):
    """A processo in a result list, with the passages that matched."""

    destaques: dict[str, list[str]] = Field(
        default_factory=dict,
        description=(
            "Trechos onde a consulta foi encontrada, por campo (assunto, interessados, especie, orgao_nome, "
            "orgao_atual_nome, unidades, localizacao, observacoes). HTML seguro: todo o texto vem escapado "
            "e só as marcações <mark>…</mark> são HTML."
        ),
        examples=[{"assunto": ["Pedido de <mark>aposentadoria</mark> por invalidez"]}],
    )


class FacetaValor(BaseModel):
    """One value of a facet and how many results have it."""

    valor: str = Field(description="O valor, como usado no filtro correspondente", examples=["26000"])
    rotulo: str | None = Field(
        default=None, description="Como mostrar o valor", examples=["Ministério da Saúde"]
    )
    quantidade: int = Field(examples=[12])


class Facetas(BaseModel):
    """Counts of the current results (every filter applied) by órgão, situação, year and tipo."""

    orgao: list[FacetaValor] = Field(
        default_factory=list, description="Por órgão que autuou ou onde o processo está (filtro `orgao`)"
    )
    situacao: list[FacetaValor] = Field(default_factory=list, description="Por situação (filtro `situacao`)")
    ano: list[FacetaValor] = Field(
        default_factory=list, description="Por ano de autuação, do mais recente (filtro `ano`)"
    )
    tipo: list[FacetaValor] = Field(default_factory=list, description="Processo ou documento (filtro `tipo`)")


class BuscaResultado(BaseModel):
    """One page of search results."""

    total: int = Field(description="Quantos processos atendem à consulta", examples=[42])
    items: list[ProcessoResultado]
    facetas: Facetas = Field(default_factory=Facetas)
    proximo_cursor: str | None = Field(
        default=None,
        description="Passe em `cursor`, com os mesmos parâmetros, para a página seguinte; ausente na última",
    )
    avisos: list[str] = Field(
        default_factory=list,
        description="Partes da consulta que não puderam ser usadas como digitadas (um NUP inválido, p. ex.)",
    )


class Contagem(BaseModel):
    """How many movimentos or processos share one value."""

    codigo: str = Field(examples=["ENVIO"])
    descricao: str | None = Field(default=None, examples=["Envio"])
    quantidade: int = Field(examples=[120])


class EstatisticasPublic(BaseModel):
    """Gerencial counts: movimentos by órgão, operação and month; public processos by situação."""

    desde: date | None = Field(default=None, description="Início do período (inclusive)")
    ate: date | None = Field(default=None, description="Fim do período (inclusive)")
    orgao: str | None = Field(default=None, description="Órgão filtrado")
    total_movimentos: int
    total_processos: int
    por_orgao: list[Contagem] = Field(description="Movimentos por órgão que os registrou")
    por_operacao: list[Contagem] = Field(description="Movimentos por operação")
    por_mes: list[Contagem] = Field(description="Movimentos por mês (horário de Brasília), código AAAA-MM")
    por_situacao: list[Contagem] = Field(
        description="Processos públicos por situação atual (com movimento no período, quando filtrado)"
    )
