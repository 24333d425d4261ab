"""The search server's response → BuscaResultado: items, safe highlights, facets, next cursor. Pure."""

from __future__ import annotations

__all__ = ["escapar_destaque", "ler_destaques", "ler_resposta"]

import html
import re
from collections.abc import Mapping
from typing import Any

from api.busca.consulta import MARCA_FIM, MARCA_INICIO, PlanoBusca, pagina_seguinte
from api.busca.cursor import criar_cursor
from api.busca.facetas import ler_facetas
from api.busca.params import BuscaParams
from api.schemas import BuscaResultado, ProcessoResultado
from protocolo.chaveiro import Chaveiro

_NOMES_PUBLICOS = {
    "interessados.nome": "interessados",
    "unidades_texto": "unidades",
    "localizacao.nome": "localizacao",
}


_PEDACOS = re.compile(f"[{MARCA_INICIO}{MARCA_FIM}]|[^{MARCA_INICIO}{MARCA_FIM}]+")


def _partes(fragmento: str) -> tuple[str, frozenset[int]]:
    """The plain text of a fragment and the positions inside a closed pair of markers."""
    texto: list[str] = []
    tamanho = 0
    marcados: set[int] = set()
    pendentes: list[range] | None = None
    for pedaco in _PEDACOS.findall(fragmento):  # runs of text, not characters: this runs per hit
        if pedaco == MARCA_INICIO:
            pendentes = []
        elif pedaco == MARCA_FIM:
            for faixa in pendentes or ():
                marcados.update(faixa)
            pendentes = None
        else:
            if pendentes is not None:
                pendentes.append(range(tamanho, tamanho + len(pedaco)))
            texto.append(pedaco)
            tamanho += len(pedaco)
    return "".join(texto), frozenset(marcados)


def _html(texto: str, marcados: frozenset[int]) -> str:
    saida: list[str] = []
    inicio = 0
    dentro = False
    for i in sorted(marcados | {p + 1 for p in marcados}):  # where a marked run starts or ends
        if i > len(texto) or (i in marcados) == dentro:
            continue
        saida.append(html.escape(texto[inicio:i], quote=True))
        dentro = not dentro
        saida.append("<mark>" if dentro else "</mark>")
        inicio = i
    saida.append(html.escape(texto[inicio:], quote=True))
    if dentro:
        saida.append("</mark>")
    return "".join(saida)


def escapar_destaque(fragmento: str) -> str:
    """HTML-escape a highlighted fragment; only the matches become <mark>…</mark>."""
    return _html(*_partes(fragmento))


def ler_destaques(realce: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Fragments per public field name; a passage found in several sub-fields gets all their marks."""
    por_campo: dict[str, dict[str, frozenset[int]]] = {}
    for campo, fragmentos in realce.items():
        base = campo.removesuffix(".folded")
        passagens = por_campo.setdefault(_NOMES_PUBLICOS.get(base, base), {})
        for fragmento in fragmentos:
            texto, marcados = _partes(fragmento)
            passagens[texto] = passagens.get(texto, frozenset()) | marcados
    return {
        nome: [_html(texto, marcados) for texto, marcados in passagens.items()]
        for nome, passagens in por_campo.items()
        if passagens
    }


def ler_resposta(
    resposta: Mapping[str, Any], plano: PlanoBusca, params: BuscaParams, *, chaveiro: Chaveiro
) -> BuscaResultado:
    """One page of results from a search response to the body `plano` described."""
    hits = resposta["hits"]
    itens = [
        ProcessoResultado.model_validate({**h["_source"], "destaques": ler_destaques(h.get("highlight", {}))})
        for h in hits["hits"]
    ]
    total = int(hits["total"]["value"])
    seguinte = pagina_seguinte(
        plano,
        recebidos=len(itens),
        total=total,
        ultimo_sort=hits["hits"][-1].get("sort", []) if itens else [],
    )
    cursor = criar_cursor(seguinte, chave=params.chave(), segredo=chaveiro.atual) if seguinte else None
    return BuscaResultado(
        total=total,
        items=itens,
        facetas=ler_facetas(resposta.get("aggregations", {})),
        proximo_cursor=cursor,
        avisos=list(plano.avisos),
    )
