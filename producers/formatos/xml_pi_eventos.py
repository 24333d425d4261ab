"""Protocolo Integrado: one ItemHistorico, with what its Documento says, becomes one event. Pure.

    event field       from
    id                "pi-" + 16 hex of SHA-256 over NUP digits, DataHoraOperacao (as UTC), UnidadeOperacao
                      and Operacao (spaces collapsed): the same item gets the same id in any later,
                      longer export, so resending is harmless
    orgao             the reader's argument (the format has no órgão: PI's web service knows the sender
                      by its login)
    nup               Documento/Protocolo
    tipo              PROCESSO (the format does not tell processos from documentos avulsos)
    operacao          Operacao, through operacoes.mapear_operacao; an unknown text is a violation
    ocorrido_em       DataHoraOperacao; without an offset, Brasília time (datas.py)
    nivel_acesso      the most restrictive of the reader's default (PUBLICO when not given) and the last
                      level an earlier or this item of the same Documento states ("Processo restrito
                      gerado", "Alterado nível de acesso geral para Restrito")
    unidade_*         UnidadeOperacao is where the andamento was recorded: the origem, or the destino of a
                      RECEBIMENTO and of SEI's "Processo remetido pela unidade X" (X is then the origem);
                      codigo is "pi-" + 12 hex of the text (the format has no unit codes), nome the text. A
                      unit named inside Operacao is codigo = sigla = the name, or a hashed codigo when it
                      has spaces (a name, not a sigla)
    especie, assunto  Documento/Especie and Documento/Assunto, on every item
    interessados      ListaInteressados/Interessado/NomeInteressado, on every item (the format has no CPF
                      or CNPJ element; SEI masks CPFs inside the names)
    observacao        the Operacao text as written, so nothing is lost
    nup_relacionado   the NUP named inside Operacao

Document data goes on every item, not only on the first: systems send only the new items of a processo
each time, so any item may be the first one of a file, and an item must read the same in every file.
"""

from __future__ import annotations

__all__ = ["DocumentoPI", "ItemPI", "id_do_item", "evento_lido_do_item"]

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, cached_property, lru_cache
from typing import Any

from producers.formatos.datas import ler_data_hora
from producers.formatos.evento_lido import EventoLido, Renomear, validar
from producers.formatos.exceptions import OperacaoDesconhecida
from producers.formatos.operacoes import Andamento, Papel, mapear_operacao
from protocolo.errors import InvalidNup, Violation
from protocolo.model import NivelAcesso
from protocolo.nup import parse_nup

_ITEM = ("DataHoraOperacao", "UnidadeOperacao", "Operacao")
_ORDEM_NIVEL = (NivelAcesso.PUBLICO, NivelAcesso.RESTRITO, NivelAcesso.SIGILOSO)
_ELEMENTOS = {
    "nup": "Protocolo",
    "ocorrido_em": "DataHoraOperacao",
    "operacao": "Operacao",
    "observacao": "Operacao",
    "nup_relacionado": "Operacao",
    "especie": "Especie",
    "assunto": "Assunto",
}


@dataclass
class DocumentoPI:
    """A Documento as read so far: its fields, interessados, problems, and the level its items stated."""

    ordem: int
    linha: int
    campos: dict[str, str] = field(default_factory=dict)
    interessados: list[str] = field(default_factory=list)
    violacoes: list[Violation] = field(default_factory=list)  # they reject every item of the Documento
    itens: int = 0
    historico_iniciado: bool = False
    nivel_declarado: NivelAcesso | None = None

    @cached_property
    def nup(self) -> str:
        """The NUP's digits, or the Protocolo as written when it is not a NUP (the contract says why)."""
        protocolo = self.campos.get("Protocolo", "")
        try:
            return parse_nup(protocolo).digitos
        except InvalidNup:
            return _chave(protocolo)

    @cached_property
    def descricao(self) -> str:
        """'Documento 3 (NUP 23037.001462/2021-65)', for locations; computed once its Historico began."""
        protocolo = self.campos.get("Protocolo")
        if not protocolo:
            return f"Documento {self.ordem}"
        try:
            return f"Documento {self.ordem} (NUP {parse_nup(protocolo).formatado})"
        except InvalidNup:
            return f"Documento {self.ordem} (Protocolo '{protocolo[:40]}')"


@dataclass(slots=True)
class ItemPI:
    """An ItemHistorico as read: its three fields and its own problems."""

    ordem: int
    linha: int
    campos: dict[str, str] = field(default_factory=dict)
    violacoes: tuple[Violation, ...] = ()


def _chave(texto: str) -> str:
    return " ".join(texto.split())


def id_do_item(*, nup: str, quando: datetime | str, unidade: str, operacao: str) -> str:
    """The event id of an item: stable across exports and date spellings (`quando` is normalised to UTC)."""
    instante = quando.astimezone(UTC).isoformat() if isinstance(quando, datetime) else _chave(quando)
    partes = "\x1f".join((nup, instante, _chave(unidade), _chave(operacao)))
    return "pi-" + hashlib.sha256(partes.encode()).hexdigest()[:16]


def _unidade(texto: str | None, *, sigla: bool) -> dict[str, str] | None:
    if not texto:
        return None
    if sigla and not any(c.isspace() for c in texto):
        return {"codigo": texto, "sigla": texto}
    return {"codigo": _codigo_unidade(texto), "nome": texto}


@lru_cache(maxsize=1024)
def _codigo_unidade(texto: str) -> str:
    return "pi-" + hashlib.sha256(_chave(texto).encode()).hexdigest()[:12]


@cache
def _renomeador(papel: Papel) -> Renomear:
    unidade, texto = ("UnidadeOperacao", "Operacao")
    origem, destino = (unidade, texto) if papel is Papel.ORIGEM else (texto, unidade)
    elementos = {**_ELEMENTOS, "unidade_origem": origem, "unidade_destino": destino}

    def renomear(violacao: Violation) -> Violation:
        campo = violacao.campo
        if campo.startswith("interessados["):
            indice = int(campo.removeprefix("interessados[").split("]")[0])
            return Violation(f"ListaInteressados/Interessado[{indice + 1}]/NomeInteressado", violacao.motivo)
        for nome, elemento in elementos.items():
            if campo == nome or campo.startswith(f"{nome}."):
                return Violation(elemento, violacao.motivo)
        return violacao

    return renomear


def evento_lido_do_item(
    documento: DocumentoPI,
    item: ItemPI,
    *,
    orgao: str,
    nivel_acesso_padrao: NivelAcesso,
    agora: datetime | None = None,
) -> EventoLido:
    """The record of one ItemHistorico: its event, or every violation of the item and of its Documento."""
    previas = [*documento.violacoes, *item.violacoes]
    texto_data, unidade, texto_operacao = (item.campos.get(c) or None for c in _ITEM)
    quando: datetime | None = None
    if texto_data:
        try:
            quando = ler_data_hora(texto_data)
        except ValueError as exc:
            previas.append(Violation("ocorrido_em", str(exc)))
    andamento: Andamento | None = None
    if texto_operacao:
        try:
            andamento = mapear_operacao(texto_operacao)
        except OperacaoDesconhecida as exc:
            previas.append(Violation("operacao", str(exc)))
    if andamento is not None and andamento.nivel_acesso is not None:
        documento.nivel_declarado = andamento.nivel_acesso
    niveis = [nivel_acesso_padrao, documento.nivel_declarado or nivel_acesso_padrao]
    papel = andamento.papel if andamento else Papel.ORIGEM
    na_unidade = _unidade(unidade, sigla=False)
    nomeada = _unidade(andamento.outra_unidade if andamento else None, sigla=True)
    protocolo = documento.campos.get("Protocolo") or ""
    dados: dict[str, Any] = {
        "id": id_do_item(
            nup=documento.nup,
            quando=quando or texto_data or "",
            unidade=unidade or "",
            operacao=texto_operacao or "",
        ),
        "orgao": orgao,
        "nup": protocolo or None,
        "tipo": "PROCESSO",
        "operacao": andamento.operacao.value if andamento else None,
        "ocorrido_em": quando.isoformat() if quando else None,
        "nivel_acesso": max(niveis, key=_ORDEM_NIVEL.index).value,
        "unidade_origem": na_unidade if papel is Papel.ORIGEM else nomeada,
        "unidade_destino": nomeada if papel is Papel.ORIGEM else na_unidade,
        "especie": documento.campos.get("Especie") or None,
        "assunto": documento.campos.get("Assunto") or None,
        "interessados": [{"nome": nome} for nome in documento.interessados] or None,
        "observacao": texto_operacao,
        "nup_relacionado": andamento.nup_relacionado if andamento else None,
    }
    local = f"{documento.descricao}, ItemHistorico {item.ordem}, linha {item.linha}"
    return validar(
        {k: v for k, v in dados.items() if v is not None},
        numero=item.linha,
        local=local,
        previas=previas,
        renomear=_renomeador(papel),
        agora=agora,
    )
