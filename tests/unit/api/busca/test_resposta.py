"""api.busca.resposta: a search response read into a page: escaped highlights, cursor, warnings."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.busca.consulta import MARCA_FIM, MARCA_INICIO, montar_busca
from api.busca.cursor import ler_cursor
from api.busca.params import validar_busca
from api.busca.resposta import escapar_destaque, ler_destaques, ler_resposta
from protocolo.chaveiro import Chaveiro, ChaveSecreta

SEGREDO = ChaveSecreta("k1", b"segredo de teste")
CHAVEIRO = Chaveiro([SEGREDO])


def _marcado(texto: str) -> str:
    return f"{MARCA_INICIO}{texto}{MARCA_FIM}"


@pytest.mark.parametrize(
    ("fragmento", "seguro"),
    [
        (f"Pedido de {_marcado('aposentadoria')}", "Pedido de <mark>aposentadoria</mark>"),
        (
            f"Obras <b>{_marcado('urgentes')}</b> & reparos",
            "Obras &lt;b&gt;<mark>urgentes</mark>&lt;/b&gt; &amp; reparos",
        ),
        (
            f'<script>{_marcado("alert")}("x")</script>',
            "&lt;script&gt;<mark>alert</mark>(&quot;x&quot;)&lt;/script&gt;",
        ),
        (f"{MARCA_INICIO}sem fim", "sem fim"),
        (f"sem início{MARCA_FIM}", "sem início"),
        ("<mark>falso</mark>", "&lt;mark&gt;falso&lt;/mark&gt;"),
    ],
)
def test_a_highlight_is_escaped_except_its_marks(fragmento: str, seguro: str) -> None:
    assert escapar_destaque(fragmento) == seguro


@given(st.text(alphabet=st.sampled_from(list("ab <>&\"'/") + [MARCA_INICIO, MARCA_FIM]), max_size=60))
def test_no_highlight_carries_html_other_than_balanced_marks(fragmento: str) -> None:
    seguro = escapar_destaque(fragmento)
    sem_marcas = seguro.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in sem_marcas and ">" not in sem_marcas
    assert re.fullmatch(r"([^<]|<mark>[^<]*</mark>)*", seguro)


def test_highlights_of_sub_fields_merge_under_the_public_name() -> None:
    realce = {
        "assunto": [f"Licitação de {_marcado('aposentadorias')}"],
        "assunto.folded": [
            f"Licitação de {_marcado('aposentadorias')}",
            f"{_marcado('Licitação')} de aposentadorias",
        ],
        "interessados.nome.folded": [f"José da {_marcado('Conceição')}"],
        "unidades_texto": [_marcado("CGGP")],
    }
    assert ler_destaques(realce) == {
        "assunto": ["<mark>Licitação</mark> de <mark>aposentadorias</mark>"],
        "interessados": ["José da <mark>Conceição</mark>"],
        "unidades": ["<mark>CGGP</mark>"],
    }


def test_a_passage_found_in_two_sub_fields_gets_the_marks_of_both() -> None:
    realce = {
        "assunto": [f"{_marcado('Pedido')} de aposentadoria"],
        "assunto.folded": [f"{_marcado('Pedido')} de {_marcado('aposentadoria')}"],
    }
    assert ler_destaques(realce) == {"assunto": ["<mark>Pedido</mark> de <mark>aposentadoria</mark>"]}


def _hit(nup: str, sort: list[Any]) -> dict[str, Any]:
    fonte = {"nup": nup, "nup_formatado": nup, "tipo": "PROCESSO", "orgao": "1", "situacao": "EM_TRAMITACAO"}
    return {"_source": fonte, "sort": sort, "highlight": {"assunto": [_marcado("x")]}}


def test_a_full_page_gets_a_cursor_to_the_next_and_the_last_page_none() -> None:
    params = validar_busca(orgao="1", tamanho=2)
    plano = montar_busca(params, chaveiro=CHAVEIRO)
    resposta = {"hits": {"total": {"value": 3}, "hits": [_hit("a", [2, "a"]), _hit("b", [1, "b"])]}}
    resultado = ler_resposta(resposta, plano, params, chaveiro=CHAVEIRO)
    assert [i.nup for i in resultado.items] == ["a", "b"]
    assert resultado.items[0].destaques == {"assunto": ["<mark>x</mark>"]}
    assert resultado.proximo_cursor is not None
    pagina = ler_cursor(resultado.proximo_cursor, chave=params.chave(), chaveiro=CHAVEIRO)
    assert (pagina.vistos, pagina.apos) == (2, (1, "b"))

    seguinte = validar_busca(orgao="1", tamanho=2, cursor=resultado.proximo_cursor)
    plano = montar_busca(seguinte, chaveiro=CHAVEIRO)
    resposta = {"hits": {"total": {"value": 3}, "hits": [_hit("c", [0, "c"])]}}
    assert ler_resposta(resposta, plano, seguinte, chaveiro=CHAVEIRO).proximo_cursor is None


def test_warnings_of_the_query_reach_the_response() -> None:
    params = validar_busca(q="23037.001462/2021-62")
    plano = montar_busca(params, chaveiro=CHAVEIRO)
    resultado = ler_resposta({"hits": {"total": {"value": 0}, "hits": []}}, plano, params, chaveiro=CHAVEIRO)
    assert resultado.total == 0 and resultado.proximo_cursor is None
    assert "esperados 65" in resultado.avisos[0]
