"""Does a processo match a saved search? The search API's query, evaluated in Python. Pure.

Each clause follows api/busca/consulta.py, as Elasticsearch evaluates it:

- a word (`multi_match`, operator `and`, over every text field and its `.folded`): every term the
  field's analyzer makes of it is in one field; or, for words of letters only, the same over the
  folded fields with `fuzziness: AUTO` (0 edits up to 2 letters, 1 up to 5, 2 beyond; a
  transposition is one edit). A word one of the analyzers reduces to nothing (a stop word, for the
  stemmed fields) matches everything: each field's query is `zero_terms_query: all`;
- a phrase: the folded terms at consecutive positions (stop words count as positions) in one value;
- a date: a movement on one of its days, or the date written as a phrase;
- a NUP, a CPF/CNPJ (keyed hash): the exact value; the filters: exact values and ranges.

Only public processos match, exactly as search filters them.
"""

from __future__ import annotations

__all__ = ["casa", "casa_frase", "casa_palavra", "distancia_limitada", "edicoes_auto"]

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

from protocolo.alertas.analise import ELASTICSEARCH, Regras
from protocolo.alertas.consulta import ConsultaAlerta, Termo, TipoTermo
from protocolo.alertas.documento import CAMPOS_TEXTO, DocumentoAnalisado, instante

_INTERESSADO = ("interessados.nome",)
_ASSUNTO = ("assunto",)
_CAMPOS_DATA = {"movimentacao": "movimentado_em", "autuacao": "autuado_em", "atualizacao": "atualizado_em"}


def edicoes_auto(termo: str) -> int:
    """Edits `fuzziness: AUTO` allows for a term of this length."""
    n = len(termo)
    return 0 if n < 3 else 1 if n < 6 else 2


# Memoised: a search word meets the same document words again and again (bench/alertas.py: the fuzzy
# comparisons were most of the matching time), and both vocabularies are small next to the traffic.
@lru_cache(maxsize=262_144)
def distancia_limitada(a: str, b: str, limite: int) -> bool:
    """The optimal-string-alignment distance of `a` and `b` is at most `limite`."""
    if abs(len(a) - len(b)) > limite:
        return False
    if a == b:
        return True
    if limite == 0:
        return False
    anterior2: list[int] = []
    anterior = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        atual = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            custo = 0 if a[i - 1] == b[j - 1] else 1
            atual[j] = min(anterior[j] + 1, atual[j - 1] + 1, anterior[j - 1] + custo)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                atual[j] = min(atual[j], anterior2[j - 2] + 1)
        if min(atual) > limite:
            return False
        anterior2, anterior = anterior, atual
    return anterior[-1] <= limite


def _parecido(termo: str, dobrados: frozenset[str]) -> bool:
    limite = edicoes_auto(termo)
    if termo in dobrados:
        return True
    return limite > 0 and any(distancia_limitada(termo, u, limite) for u in dobrados)


def casa_palavra(
    texto: str,
    documento: DocumentoAnalisado,
    campos: Sequence[str] = CAMPOS_TEXTO,
    regras: Regras = ELASTICSEARCH,
) -> bool:
    """One word of the search (exact or stem, else fuzzy) in one of `campos`."""
    radicais = {t for _, t in regras.portugues(texto)}
    dobrados = {t for _, t in regras.folded(texto)}
    if not radicais or not dobrados:
        return True  # a field that reads no term in it matches everything (zero_terms_query: all)
    analisados = [documento.campos[c] for c in campos]
    if radicais and any(radicais <= c.radicais for c in analisados):
        return True
    if dobrados and any(dobrados <= c.dobrados for c in analisados):
        return True
    if not texto.isalpha():
        return False
    return any(all(_parecido(t, c.dobrados) for t in dobrados) for c in analisados)


def casa_frase(
    texto: str,
    documento: DocumentoAnalisado,
    campos: Sequence[str] = CAMPOS_TEXTO,
    regras: Regras = ELASTICSEARCH,
) -> bool:
    """The words of `texto` next to each other, in order, in one value of one of `campos` (folded)."""
    termos = regras.folded(texto)
    if not termos:
        return True
    origem = termos[0][0]
    relativos = [(p - origem, t) for p, t in termos]
    primeiro = relativos[0][1]
    for campo in campos:
        for valor in documento.campos[campo].posicoes:
            for posicao, termo in valor:
                if termo == primeiro and all((posicao + d, t) in valor for d, t in relativos[1:]):
                    return True
    return False


def _no_periodo(instantes: Sequence[datetime], inicio: datetime | None, fim: datetime | None) -> bool:
    return any((inicio is None or i >= inicio) and (fim is None or i < fim) for i in instantes)


def _casa_termo(termo: Termo, documento: DocumentoAnalisado, regras: Regras) -> bool:
    match termo.tipo:
        case TipoTermo.PALAVRA:
            return casa_palavra(termo.texto, documento, regras=regras)
        case TipoTermo.FRASE:
            return casa_frase(termo.texto, documento, regras=regras)
        case TipoTermo.DATA:
            inicio = instante(termo.inicio) if termo.inicio else None
            fim = instante(termo.fim) if termo.fim else None
            return _no_periodo(documento.movimentado_em, inicio, fim) or casa_frase(
                termo.texto, documento, regras=regras
            )
        case TipoTermo.NUP:
            return documento.nup == termo.valor
        case TipoTermo.DOCUMENTO:
            return termo.valor in documento.documento_hashes
    return False


def _datas(documento: DocumentoAnalisado, campo_data: str) -> tuple[datetime, ...]:
    campo = _CAMPOS_DATA.get(campo_data, "movimentado_em")
    if campo == "movimentado_em":
        return documento.movimentado_em
    valor = documento.autuado_em if campo == "autuado_em" else documento.atualizado_em
    return (valor,) if valor is not None else ()


def _filtros(consulta: ConsultaAlerta, documento: DocumentoAnalisado) -> bool:
    if not documento.publico:
        return False
    if consulta.nup is not None and documento.nup != consulta.nup:
        return False
    if consulta.orgao is not None and consulta.orgao not in documento.orgaos:
        return False
    iguais = ((consulta.tipo, documento.tipo), (consulta.situacao, documento.situacao))
    if any(pedido is not None and pedido != valor for pedido, valor in iguais):
        return False
    if consulta.ano is not None and documento.ano != consulta.ano:
        return False
    if consulta.documento_hash is not None and consulta.documento_hash not in documento.documento_hashes:
        return False
    if consulta.desde or consulta.ate:
        inicio = instante(consulta.desde) if consulta.desde else None
        fim = instante(consulta.ate) if consulta.ate else None
        return _no_periodo(_datas(documento, consulta.campo_data), inicio, fim)
    return True


def casa(consulta: ConsultaAlerta, documento: DocumentoAnalisado, regras: Regras = ELASTICSEARCH) -> bool:
    """The search API would return this processo for this search."""
    if not _filtros(consulta, documento):
        return False
    if not all(any(_casa_termo(t, documento, regras) for t in grupo) for grupo in consulta.grupos):
        return False
    if not all(casa_palavra(p, documento, _INTERESSADO, regras) for p in consulta.interessado):
        return False
    return all(casa_palavra(p, documento, _ASSUNTO, regras) for p in consulta.assunto)
