"""The tramitação domain: events agencies publish and the values they carry. Pure: no I/O."""

from __future__ import annotations

__all__ = [
    "Evento",
    "Interessado",
    "NivelAcesso",
    "Operacao",
    "TipoProtocolo",
    "Unidade",
]

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class TipoProtocolo(StrEnum):
    """What the NUP identifies."""

    PROCESSO = "PROCESSO"
    DOCUMENTO = "DOCUMENTO"


class NivelAcesso(StrEnum):
    """Access level under the Lei de Acesso à Informação."""

    PUBLICO = "PUBLICO"
    RESTRITO = "RESTRITO"
    SIGILOSO = "SIGILOSO"


class Operacao(StrEnum):
    """The movements protocol systems publish."""

    AUTUACAO = "AUTUACAO"
    ENVIO = "ENVIO"
    RECEBIMENTO = "RECEBIMENTO"
    CONCLUSAO = "CONCLUSAO"
    REABERTURA = "REABERTURA"
    ARQUIVAMENTO = "ARQUIVAMENTO"
    DESARQUIVAMENTO = "DESARQUIVAMENTO"
    SOBRESTAMENTO = "SOBRESTAMENTO"
    REMOCAO_SOBRESTAMENTO = "REMOCAO_SOBRESTAMENTO"
    ANEXACAO = "ANEXACAO"
    DESANEXACAO = "DESANEXACAO"
    RELACIONAMENTO = "RELACIONAMENTO"
    JUNTADA = "JUNTADA"
    CIENCIA = "CIENCIA"
    ALTERACAO_NIVEL_ACESSO = "ALTERACAO_NIVEL_ACESSO"

    @property
    def descricao(self) -> str:
        """The pt-BR label citizens read."""
        return _DESCRICOES[self]


_DESCRICOES = {
    Operacao.AUTUACAO: "Autuação",
    Operacao.ENVIO: "Envio",
    Operacao.RECEBIMENTO: "Recebimento",
    Operacao.CONCLUSAO: "Conclusão",
    Operacao.REABERTURA: "Reabertura",
    Operacao.ARQUIVAMENTO: "Arquivamento",
    Operacao.DESARQUIVAMENTO: "Desarquivamento",
    Operacao.SOBRESTAMENTO: "Sobrestamento",
    Operacao.REMOCAO_SOBRESTAMENTO: "Remoção de sobrestamento",
    Operacao.ANEXACAO: "Anexação",
    Operacao.DESANEXACAO: "Desanexação",
    Operacao.RELACIONAMENTO: "Relacionamento",
    Operacao.JUNTADA: "Juntada de documento",
    Operacao.CIENCIA: "Ciência",
    Operacao.ALTERACAO_NIVEL_ACESSO: "Alteração de nível de acesso",
}


@dataclass(frozen=True)
class Unidade:
    """An organisational unit of an órgão."""

    codigo: str
    sigla: str | None = None
    nome: str | None = None


@dataclass(frozen=True)
class Interessado:
    """A person or company with an interest in the processo; documento is a CPF or CNPJ (digits)."""

    nome: str
    documento: str | None = None


@dataclass(frozen=True)
class Evento:
    """One tramitação event as an agency publishes it. Identity is (orgao, id).

    `nup` holds the canonical digits. `nup_relacionado` names the other processo of an
    anexação/desanexação/relacionamento (the principal) or the documento of a juntada.
    """

    id: str
    orgao: str
    nup: str
    tipo: TipoProtocolo
    operacao: Operacao
    ocorrido_em: datetime
    nivel_acesso: NivelAcesso
    unidade_origem: Unidade | None = None
    unidade_destino: Unidade | None = None
    especie: str | None = None
    assunto: str | None = None
    interessados: tuple[Interessado, ...] = field(default_factory=tuple)
    observacao: str | None = None
    nup_relacionado: str | None = None

    @property
    def identidade(self) -> tuple[str, str]:
        """The deduplication identity: the agency and its own event id."""
        return (self.orgao, self.id)

    @property
    def chave_identidade(self) -> str:
        """The identity as one string, usable as a Kafka key or document id."""
        return f"{self.orgao}:{self.id}"
