"""The saved searches indexed by what a matching processo must contain, percolator-style. Pure.

Each search is filed under the keys of one clause every match must satisfy (its anchor): a NUP,
a documento hash, one term of a word or phrase (stemmed, folded, or for fuzzy words every string
of at most 2 deletions, so that two words within the allowed edits share a key: the symmetric
deletion method), or a filter value (órgão, year, situação, tipo). A processo's document yields
all of its keys once; only the searches filed under one of them, plus those with no usable
anchor, are evaluated in full (casamento.casa). The anchor is a necessary condition, never a
sufficient one, so the outcome equals evaluating every search.
"""

from __future__ import annotations

__all__ = ["Casador", "ancora", "chaves_documento", "delecoes"]

from collections import defaultdict
from collections.abc import Iterator
from functools import lru_cache
from itertools import combinations
from typing import Any

from protocolo.alertas.analise import ELASTICSEARCH, Regras
from protocolo.alertas.casamento import casa, edicoes_auto
from protocolo.alertas.consulta import ConsultaAlerta, Termo, TipoTermo
from protocolo.alertas.documento import DocumentoAnalisado, analisar_documento

Chave = tuple[str, str]
_NUNCA: tuple[float, list[Chave]] = (-1.0, [])
_MAX_EDICOES = 2


@lru_cache(maxsize=131_072)
def delecoes(termo: str, edicoes: int) -> frozenset[str]:
    """Every string made of `termo` by deleting at most `edicoes` characters (itself included)."""
    resultado = {termo}
    for n in range(1, min(edicoes, len(termo)) + 1):
        resultado |= {"".join(c) for c in combinations(termo, len(termo) - n)}
    return frozenset(resultado)


def _mais_longo(termos: list[tuple[int, str]]) -> str | None:
    return max((t for _, t in termos), key=len, default=None)


def _chaves_palavra(texto: str, regras: Regras) -> tuple[float, list[Chave]] | None:
    """Keys one of which a document matching this word has; None when the word matches everything."""
    radical = _mais_longo(regras.portugues(texto))
    dobrado = _mais_longo(regras.folded(texto))
    if radical is None or dobrado is None:
        return None
    chaves: list[Chave] = [("s", radical)]
    if texto.isalpha():
        chaves += [("d", d) for d in delecoes(dobrado, edicoes_auto(dobrado))]
        return 2.0 + 1 / len(dobrado), chaves
    chaves.append(("f", dobrado))
    return 1.0 + 1 / len(dobrado), chaves


def _chaves_termo(termo: Termo, regras: Regras) -> tuple[float, list[Chave]] | None:
    match termo.tipo:
        case TipoTermo.PALAVRA:
            return _chaves_palavra(termo.texto, regras)
        case TipoTermo.FRASE:
            dobrado = _mais_longo(regras.folded(termo.texto))
            return None if dobrado is None else (1.0 + 1 / len(dobrado), [("f", dobrado)])
        case TipoTermo.NUP:
            return 0.0, [("nup", termo.valor)]
        case TipoTermo.DOCUMENTO:
            return 0.0, [("doc", termo.valor)]
        case TipoTermo.IMPOSSIVEL:
            return _NUNCA
    return None  # a date matches by day or by text: no single key


def _opcoes(consulta: ConsultaAlerta, regras: Regras) -> Iterator[tuple[float, list[Chave]]]:
    if consulta.nup is not None:
        yield 0.0, [("nup", consulta.nup)]
    if consulta.documento_hash is not None:
        yield 0.0, [("doc", consulta.documento_hash)]
    for grupo in consulta.grupos:
        partes = [_chaves_termo(t, regras) for t in grupo]
        if any(p is None for p in partes):
            continue
        uteis = [p for p in partes if p is not None and p is not _NUNCA]
        if not uteis:
            yield _NUNCA  # every alternative is impossible: the search never matches
            continue
        yield max(c for c, _ in uteis), [k for _, ks in uteis for k in ks]
    for palavra in consulta.interessado + consulta.assunto:
        opcao = _chaves_palavra(palavra, regras)
        if opcao is not None:
            yield opcao
    for custo, campo, valor in (
        (5.0, "orgao", consulta.orgao),
        (6.0, "ano", None if consulta.ano is None else str(consulta.ano)),
        (8.0, "situacao", consulta.situacao),
        (9.0, "tipo", consulta.tipo),
    ):
        if valor is not None:
            yield custo, [(campo, valor)]


def ancora(consulta: ConsultaAlerta, regras: Regras = ELASTICSEARCH) -> tuple[float, list[Chave]] | None:
    """The cheapest clause to file a search under; None when none narrows it (it is always evaluated)."""
    return min(_opcoes(consulta, regras), key=lambda opcao: opcao[0], default=None)


def chaves_documento(documento: DocumentoAnalisado) -> set[Chave]:
    """Every key under which a search this document may match is filed."""
    chaves: set[Chave] = {("nup", documento.nup)}
    chaves |= {("doc", h) for h in documento.documento_hashes}
    chaves |= {("orgao", o) for o in documento.orgaos}
    for campo, valor in (("ano", documento.ano), ("situacao", documento.situacao), ("tipo", documento.tipo)):
        if valor is not None:
            chaves.add((campo, str(valor)))
    for analisado in documento.campos.values():
        chaves |= {("s", t) for t in analisado.radicais}
        for termo in analisado.dobrados:
            chaves.add(("f", termo))
            chaves |= {("d", d) for d in delecoes(termo, _MAX_EDICOES)}
    return chaves


class Casador:
    """The saved searches, indexed by anchor: which of them match one processo."""

    def __init__(self, regras: Regras = ELASTICSEARCH) -> None:
        self.regras = regras
        self._consultas: dict[str, ConsultaAlerta] = {}
        self._chaves: dict[str, list[Chave]] = {}
        self._por_chave: dict[Chave, set[str]] = defaultdict(set)
        self._sem_ancora: set[str] = set()

    def __len__(self) -> int:
        return len(self._consultas)

    def __contains__(self, alerta: object) -> bool:
        return alerta in self._consultas

    def adicionar(self, alerta: str, consulta: ConsultaAlerta) -> None:
        """File (or refile) one search under its anchor."""
        self.remover(alerta)
        self._consultas[alerta] = consulta
        escolhida = ancora(consulta, self.regras)
        if escolhida is None:
            self._sem_ancora.add(alerta)
            return
        chaves = sorted(set(escolhida[1]))  # no keys at all: it never matches, so it is never evaluated
        self._chaves[alerta] = chaves
        for chave in chaves:
            self._por_chave[chave].add(alerta)

    def remover(self, alerta: str) -> None:
        """Forget one search (unknown: nothing happens)."""
        if self._consultas.pop(alerta, None) is None:
            return
        self._sem_ancora.discard(alerta)
        for chave in self._chaves.pop(alerta, ()):
            filas = self._por_chave[chave]
            filas.discard(alerta)
            if not filas:
                del self._por_chave[chave]

    def analisar(self, documento: dict[str, Any]) -> DocumentoAnalisado:
        """A `processos` document analysed with this matcher's rules."""
        return analisar_documento(documento, self.regras)

    def candidatos(self, documento: DocumentoAnalisado) -> set[str]:
        """The searches worth evaluating for this document."""
        encontrados = set(self._sem_ancora)
        for chave in chaves_documento(documento):
            encontrados |= self._por_chave.get(chave, set())
        return encontrados

    def casar(self, documento: DocumentoAnalisado) -> set[str]:
        """The searches this processo matches."""
        if not documento.publico:
            return set()
        return {a for a in self.candidatos(documento) if casa(self._consultas[a], documento, self.regras)}
