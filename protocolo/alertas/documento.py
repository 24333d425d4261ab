"""A processo's search document analysed once, as the index holds its fields. Pure.

`analisar_documento` takes the `processos` document (protocolo.documento_busca) and keeps, per
text field, the stemmed and folded terms, and the folded terms by position of each value (phrases
never span two values of a list, as Elasticsearch's position gap of 100 guarantees).
"""

from __future__ import annotations

__all__ = ["CAMPOS_TEXTO", "CampoAnalisado", "DocumentoAnalisado", "analisar_documento", "instante"]

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from protocolo.alertas.analise import ELASTICSEARCH, Regras

# The text fields of the search (api/busca/consulta.py's _CAMPOS_TEXTO), each with its `.folded`.
CAMPOS_TEXTO = (
    "assunto",
    "interessados.nome",
    "especie",
    "orgao_nome",
    "orgao_atual_nome",
    "unidades_texto",
    "localizacao.nome",
    "observacoes",
)


@dataclass(frozen=True)
class CampoAnalisado:
    """One text field: its stemmed terms, folded terms, and each value's folded (position, term) pairs."""

    radicais: frozenset[str]
    dobrados: frozenset[str]
    posicoes: tuple[frozenset[tuple[int, str]], ...]


@dataclass(frozen=True)
class DocumentoAnalisado:
    """What the matcher reads of one processo document."""

    nup: str
    publico: bool
    campos: dict[str, CampoAnalisado]
    orgaos: frozenset[str]
    tipo: str | None
    situacao: str | None
    ano: int | None
    documento_hashes: frozenset[str]
    autuado_em: datetime | None
    atualizado_em: datetime | None
    movimentado_em: tuple[datetime, ...]


@lru_cache(maxsize=16_384)
def instante(valor: str) -> datetime:
    """An ISO 8601 instant with offset, as the index compares dates."""
    return datetime.fromisoformat(valor)


def _valores(documento: dict[str, Any], campo: str) -> list[str]:
    if "." in campo:
        pai, filho = campo.split(".", 1)
        valor = documento.get(pai)
        itens = valor if isinstance(valor, list) else [valor]
        return [str(i[filho]) for i in itens if isinstance(i, dict) and i.get(filho)]
    valor = documento.get(campo)
    if isinstance(valor, list):
        return [str(v) for v in valor if v]
    return [str(valor)] if valor else []


@lru_cache(maxsize=65_536)
def _analisar_valor(texto: str, regras: Regras) -> tuple[frozenset[str], tuple[tuple[int, str], ...]]:
    return frozenset(t for _, t in regras.portugues(texto)), tuple(regras.folded(texto))


def _campo(valores: Iterable[str], regras: Regras) -> CampoAnalisado:
    radicais: set[str] = set()
    posicoes = []
    for valor in valores:
        seus_radicais, dobrados = _analisar_valor(valor, regras)
        radicais |= seus_radicais
        posicoes.append(frozenset(dobrados))
    return CampoAnalisado(frozenset(radicais), frozenset(t for p in posicoes for _, t in p), tuple(posicoes))


def analisar_documento(documento: dict[str, Any], regras: Regras = ELASTICSEARCH) -> DocumentoAnalisado:
    """The analysed form of a `processos` document (a tombstone analyses as not public)."""
    movimentado = documento.get("movimentado_em") or ()
    return DocumentoAnalisado(
        nup=documento["nup"],
        publico=bool(documento.get("publico")),
        campos={campo: _campo(_valores(documento, campo), regras) for campo in CAMPOS_TEXTO},
        orgaos=frozenset(documento.get("orgaos") or ()),
        tipo=documento.get("tipo"),
        situacao=documento.get("situacao"),
        ano=documento.get("ano"),
        documento_hashes=frozenset(
            i["documento_hash"] for i in documento.get("interessados") or () if i.get("documento_hash")
        ),
        autuado_em=instante(documento["autuado_em"]) if documento.get("autuado_em") else None,
        atualizado_em=instante(documento["atualizado_em"]) if documento.get("atualizado_em") else None,
        movimentado_em=tuple(instante(m) for m in movimentado),
    )
