"""BuscaParams → the body of one search request on the processos index. Pure.

User text is only ever the `query` value of match/multi_match queries (never query_string or
simple_query_string), so no character a citizen types is query syntax.

Ranking. Each word must match in some text field; it matches "exactly" (accents and case folded,
or the same Portuguese stem) in a dis_max with a fuzzy match (fuzziness AUTO, folded fields
only, words of letters only: numbers are never fuzzy). The exact branch weighs PESO_EXATO times
more, and Elasticsearch scores fuzzy variants with the document frequency of the best one
(top_terms_blended_freqs), so a processo with the word as typed ranks above one with a near miss.
Field boosts: assunto 3, interessados 2, espécie 1.5, the rest 1.

Order and paging. `relevancia` with something to score sorts by _score, then newest movement,
then NUP, and pages by position: search_after over _score is exact on Elasticsearch but not on
the local server (it rounds scores when it prints them), and without a point-in-time, which the
local server lacks, relevance pages are not stable under writes anyway. Every other order
(recentes, antigos, and relevância with nothing to score) sorts by atualizado_em then NUP and
pages with search_after, which has no depth limit.
"""

from __future__ import annotations

__all__ = [
    "CAMPOS_REALCE",
    "JANELA_MAXIMA",
    "PESO_EXATO",
    "PlanoBusca",
    "clausulas_texto",
    "montar_busca",
    "pagina_seguinte",
    "query_processos",
]

from dataclasses import dataclass
from typing import Any

from api.busca.cursor import CursorInvalido, Pagina, ler_cursor
from api.busca.facetas import FACETAS
from api.busca.params import BuscaParams, ConsultaInvalida
from api.busca.texto import (
    ConsultaTexto,
    Data,
    DocumentoBuscado,
    Frase,
    Impossivel,
    NupBuscado,
    Operando,
    Palavra,
    interpretar,
)
from protocolo.chaveiro import Chaveiro
from protocolo.masking import hashes_documento

PESO_EXATO = 4.0
JANELA_MAXIMA = 10_000  # index.max_result_window: from + size may not pass it
MARCA_INICIO, MARCA_FIM = "\ue000", "\ue001"  # private-use characters: resposta.py turns them into <mark>

_CAMPOS_TEXTO: dict[str, float] = {
    "assunto": 3,
    "interessados.nome": 2,
    "especie": 1.5,
    "orgao_nome": 1,
    "orgao_atual_nome": 1,
    "unidades_texto": 1,
    "localizacao.nome": 1,
    "observacoes": 1,
}
_CAMPOS_INTERESSADO = {"interessados.nome": 1.0}
_CAMPOS_ASSUNTO = {"assunto": 1.0}
CAMPOS_REALCE = [c for campo in _CAMPOS_TEXTO for c in (campo, f"{campo}.folded")]
CAMPOS_DATA = {"movimentacao": "movimentado_em", "autuacao": "autuado_em", "atualizacao": "atualizado_em"}
CAMPOS_RESUMO = [
    "nup",
    "nup_formatado",
    "tipo",
    "orgao",
    "orgao_nome",
    "situacao",
    "especie",
    "assunto",
    "localizacao",
    "autuado_em",
    "atualizado_em",
    "ultima_operacao",
]
PUBLICO: dict[str, Any] = {"term": {"publico": True}}


@dataclass(frozen=True)
class PlanoBusca:
    """A search request body and what the response reader needs to make the next cursor."""

    corpo: dict[str, Any]
    vistos: int
    por_posicao: bool
    avisos: tuple[str, ...] = ()


def _campos(pesos: dict[str, float], *, so_folded: bool = False) -> list[str]:
    nomes = []
    for campo, peso in pesos.items():
        variantes = (f"{campo}.folded",) if so_folded else (campo, f"{campo}.folded")
        nomes += [v if peso == 1 else f"{v}^{peso:g}" for v in variantes]
    return nomes


def _palavra(texto: str, pesos: dict[str, float]) -> dict[str, Any]:
    comum = {"query": texto, "operator": "and", "zero_terms_query": "all"}
    exato = {"multi_match": {**comum, "fields": _campos(pesos), "boost": PESO_EXATO}}
    if not texto.isalpha():
        return exato
    parecido = {"multi_match": {**comum, "fields": _campos(pesos, so_folded=True), "fuzziness": "AUTO"}}
    return {"dis_max": {"queries": [exato, parecido]}}


def _frase(texto: str, pesos: dict[str, float], boost: float = PESO_EXATO) -> dict[str, Any]:
    campos = _campos(pesos, so_folded=True)
    return {
        "multi_match": {
            "query": texto,
            "type": "phrase",
            "fields": campos,
            "zero_terms_query": "all",
            "boost": boost,
        }
    }


def _operando(operando: Operando, *, chaveiro: Chaveiro) -> dict[str, Any]:
    match operando:
        case Palavra(texto):
            return _palavra(texto, _CAMPOS_TEXTO)
        case Frase(texto):
            return _frase(texto, _CAMPOS_TEXTO)
        case Data(texto, periodo):
            faixa = {"range": {"movimentado_em": {"gte": periodo.inicio_iso, "lt": periodo.fim_iso}}}
            return {
                "bool": {
                    "should": [{"constant_score": {"filter": faixa}}, _frase(texto, _CAMPOS_TEXTO, 1.0)],
                    "minimum_should_match": 1,
                }
            }
        case NupBuscado(digitos):
            return {"constant_score": {"filter": {"term": {"nup": digitos}}}}
        case DocumentoBuscado(digitos):
            hashes = hashes_documento(chaveiro, digitos)
            return {"constant_score": {"filter": {"terms": {"interessados.documento_hash": hashes}}}}
        case Impossivel():
            return {"match_none": {}}
    raise TypeError(f"operando desconhecido: {type(operando).__name__}")  # pragma: no cover


def clausulas_texto(consulta: ConsultaTexto, *, chaveiro: Chaveiro) -> list[dict[str, Any]]:
    """One required clause per group; a group of alternatives is a should with one required."""
    clausulas = []
    for grupo in consulta.grupos:
        opcoes = [_operando(o, chaveiro=chaveiro) for o in grupo]
        clausulas.append(
            opcoes[0] if len(opcoes) == 1 else {"bool": {"should": opcoes, "minimum_should_match": 1}}
        )
    return clausulas


def _filtros(params: BuscaParams, *, chaveiro: Chaveiro) -> list[dict[str, Any]]:
    filtros: list[dict[str, Any]] = [PUBLICO]
    termos = {
        "nup": params.nup,
        "orgaos": params.orgao,
        "tipo": params.tipo,
        "situacao": params.situacao,
        "ano": params.ano,
    }
    filtros += [{"term": {campo: valor}} for campo, valor in termos.items() if valor is not None]
    if params.documento:
        hashes = hashes_documento(chaveiro, params.documento)
        filtros.append({"terms": {"interessados.documento_hash": hashes}})
    faixa: dict[str, str] = {}
    if desde := params.periodo_desde:
        faixa["gte"] = desde.inicio_iso
    if ate := params.periodo_ate:
        faixa["lt"] = ate.fim_iso
    if faixa:
        filtros.append({"range": {CAMPOS_DATA[params.campo_data]: faixa}})
    return filtros


def query_processos(
    params: BuscaParams, *, chaveiro: Chaveiro, consulta: ConsultaTexto | None = None
) -> dict[str, Any]:
    """The query part: public processos only, filters as filters, text as scored clauses."""
    consulta = consulta if consulta is not None else interpretar(params.q)
    deve = clausulas_texto(consulta, chaveiro=chaveiro)
    for texto, pesos in ((params.interessado, _CAMPOS_INTERESSADO), (params.assunto, _CAMPOS_ASSUNTO)):
        deve += [_palavra(p, pesos) for p in (texto or "").split()]
    corpo: dict[str, Any] = {"filter": _filtros(params, chaveiro=chaveiro)}
    if deve:
        corpo["must"] = deve
    return {"bool": corpo}


def montar_busca(params: BuscaParams, *, chaveiro: Chaveiro) -> PlanoBusca:
    """The whole request body: query, order, page, facets and highlight. ConsultaInvalida on a bad cursor."""
    consulta = interpretar(params.q)
    query = query_processos(params, chaveiro=chaveiro, consulta=consulta)
    pontua = "must" in query["bool"]
    por_posicao = params.ordem == "relevancia" and pontua
    direcao = "asc" if params.ordem == "antigos" else "desc"
    ordem: list[Any] = [{"atualizado_em": direcao}, {"nup": "asc"}]
    if por_posicao:
        ordem.insert(0, "_score")
    corpo: dict[str, Any] = {
        "query": query,
        "sort": ordem,
        "size": params.tamanho,
        "track_total_hits": True,
        "_source": {"includes": CAMPOS_RESUMO},
    }
    if params.facetas:
        corpo["aggs"] = FACETAS
    vistos = params.inicio
    if params.cursor:
        pagina = ler_cursor(params.cursor, chave=params.chave(), chaveiro=chaveiro)
        if (pagina.apos is None) != por_posicao:
            raise CursorInvalido("cursor: inválido ou corrompido; repita a consulta sem o cursor")
        vistos = pagina.vistos
        if pagina.apos is not None:
            corpo["search_after"] = list(pagina.apos)
    if "search_after" not in corpo and vistos:
        if vistos >= JANELA_MAXIMA:
            limite = f"{JANELA_MAXIMA:,}".replace(",", ".")
            raise ConsultaInvalida(
                f"inicio: só os primeiros {limite} resultados podem ser percorridos por posição; "
                "refine a consulta ou use ordem=recentes"
            )
        corpo["from"] = vistos
        corpo["size"] = min(params.tamanho, JANELA_MAXIMA - vistos)
    if pontua:
        corpo["highlight"] = {
            "pre_tags": [MARCA_INICIO],
            "post_tags": [MARCA_FIM],
            "fragment_size": 150,
            "number_of_fragments": 3,
            "fields": {campo: {} for campo in CAMPOS_REALCE},
        }
    return PlanoBusca(corpo, vistos, por_posicao, consulta.avisos)


def pagina_seguinte(
    plano: PlanoBusca, *, recebidos: int, total: int, ultimo_sort: list[Any]
) -> Pagina | None:
    """Where the next page starts, or None when this one was the last (or the window ends)."""
    vistos = plano.vistos + recebidos
    if recebidos == 0 or vistos >= total:
        return None
    if plano.por_posicao:
        return Pagina(vistos) if vistos < JANELA_MAXIMA else None
    return Pagina(vistos, tuple(ultimo_sort))
