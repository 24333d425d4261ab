"""api.busca.consulta: the search body built from the parameters, and how the next page is found."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings

from api.busca.consulta import JANELA_MAXIMA, PESO_EXATO, montar_busca, pagina_seguinte
from api.busca.cursor import CursorInvalido, Pagina, criar_cursor, ler_cursor
from api.busca.params import BuscaParams, ConsultaInvalida, validar_busca
from protocolo.chaveiro import Chaveiro, ChaveSecreta
from protocolo.masking import hash_documento
from tests.fixtures.busca import TEXTO_LIVRE

SEGREDO = ChaveSecreta("k1", b"segredo de teste")
CHAVEIRO = Chaveiro([SEGREDO])


NUP = "23037001462202165"


NUP_FORMATADO = "23037.001462/2021-65"


CPF = "52998224725"


CPF_PONTUADO = "529.982.247-25"


# 14 digits that are a valid NUP (ano2_um_dv) and a valid CNPJ at once.
NUP_E_CNPJ = "11225000000106"


def _clausulas(corpo: Any) -> list[dict[str, Any]]:
    """Every dict inside a request body, depth first."""
    encontrados = []
    if isinstance(corpo, dict):
        encontrados.append(corpo)
        for valor in corpo.values():
            encontrados += _clausulas(valor)
    elif isinstance(corpo, list):
        for valor in corpo:
            encontrados += _clausulas(valor)
    return encontrados


def _corpo(**params: Any) -> dict[str, Any]:
    return montar_busca(validar_busca(**params), chaveiro=CHAVEIRO).corpo


def test_only_public_processos_are_ever_searched() -> None:
    for params in ({}, {"q": "x"}, {"nup": NUP}, {"ordem": "antigos", "situacao": "ARQUIVADO"}):
        assert {"term": {"publico": True}} in _corpo(**params)["query"]["bool"]["filter"]


def test_a_word_is_exact_or_fuzzy_and_exact_weighs_more() -> None:
    (clausula,) = _corpo(q="pensão")["query"]["bool"]["must"]
    exato, parecido = clausula["dis_max"]["queries"]
    assert exato["multi_match"]["boost"] == PESO_EXATO and "fuzziness" not in exato["multi_match"]
    assert parecido["multi_match"]["fuzziness"] == "AUTO"
    assert all(c.endswith(".folded") or ".folded^" in c for c in parecido["multi_match"]["fields"])
    assert exato["multi_match"]["operator"] == "and"


@pytest.mark.parametrize("q", ["zeladoria12345", "8112", "d'água"])
def test_numbers_and_words_with_symbols_are_never_fuzzy(q: str) -> None:
    assert not any("fuzziness" in json.dumps(c) for c in _corpo(q=q)["query"]["bool"]["must"])


def test_ou_is_a_should_with_one_required() -> None:
    (clausula,) = _corpo(q="aposentadoria OU pensão")["query"]["bool"]["must"]
    assert clausula["bool"]["minimum_should_match"] == 1 and len(clausula["bool"]["should"]) == 2


def test_a_date_in_q_is_a_movement_range_or_the_text() -> None:
    (clausula,) = _corpo(q="01/2011")["query"]["bool"]["must"]
    faixa, texto = clausula["bool"]["should"]
    assert faixa["constant_score"]["filter"]["range"]["movimentado_em"] == {
        "gte": "2011-01-01T00:00:00-02:00",
        "lt": "2011-02-01T00:00:00-02:00",
    }
    assert texto["multi_match"]["type"] == "phrase" and texto["multi_match"]["query"] == "01/2011"


def test_a_documento_is_searched_by_its_keyed_hash_only() -> None:
    hash_ = hash_documento(SEGREDO, CPF)
    for params in ({"q": CPF_PONTUADO}, {"documento": CPF}, {"q": f'"{CPF}"'}):
        corpo = json.dumps(_corpo(**params))
        assert hash_ in corpo
        assert CPF not in corpo and CPF_PONTUADO not in corpo
    # Typed in a name field it is masked instead, as the index has it.
    corpo = json.dumps(_corpo(interessado=f"Maria {CPF_PONTUADO}"), ensure_ascii=False)
    assert CPF_PONTUADO not in corpo and "***.982.247-**" in corpo


def test_filters_are_filters() -> None:
    filtros = _corpo(nup=NUP, orgao="26000", tipo="PROCESSO", situacao="CONCLUIDO", ano=2020)["query"][
        "bool"
    ]["filter"]
    for esperado in (
        {"term": {"nup": NUP}},
        {"term": {"orgaos": "26000"}},
        {"term": {"tipo": "PROCESSO"}},
        {"term": {"situacao": "CONCLUIDO"}},
        {"term": {"ano": 2020}},
    ):
        assert esperado in filtros


@pytest.mark.parametrize(
    ("campo_data", "campo"),
    [(None, "movimentado_em"), ("autuacao", "autuado_em"), ("atualizacao", "atualizado_em")],
)
def test_desde_and_ate_bound_the_chosen_date_field(campo_data: str | None, campo: str) -> None:
    filtros = _corpo(desde="2024-01-01", ate="31/01/2024", campo_data=campo_data)["query"]["bool"]["filter"]
    assert {
        "range": {campo: {"gte": "2024-01-01T00:00:00-03:00", "lt": "2024-02-01T00:00:00-03:00"}}
    } in filtros


@pytest.mark.parametrize(
    ("params", "ordem", "paginacao"),
    [
        ({"q": "x"}, ["_score", {"atualizado_em": "desc"}, {"nup": "asc"}], "posicao"),
        ({}, [{"atualizado_em": "desc"}, {"nup": "asc"}], "apos"),
        ({"q": "x", "ordem": "recentes"}, [{"atualizado_em": "desc"}, {"nup": "asc"}], "apos"),
        ({"q": "x", "ordem": "antigos"}, [{"atualizado_em": "asc"}, {"nup": "asc"}], "apos"),
        ({"nup": NUP}, [{"atualizado_em": "desc"}, {"nup": "asc"}], "apos"),
    ],
)
def test_the_order_ends_with_the_nup_and_decides_how_pages_are_found(
    params: dict[str, Any], ordem: list[Any], paginacao: str
) -> None:
    plano = montar_busca(validar_busca(**params), chaveiro=CHAVEIRO)
    assert plano.corpo["sort"] == ordem
    assert plano.por_posicao == (paginacao == "posicao")


def test_facets_can_be_left_out_without_changing_the_result_list() -> None:
    assert "aggs" in _corpo(q="x") and "aggs" not in _corpo(q="x", facetas=False)
    assert validar_busca(q="x", facetas=False).chave() == validar_busca(q="x").chave()


def test_highlights_are_asked_only_when_there_is_text() -> None:
    assert "highlight" in _corpo(q="x")
    assert "highlight" not in _corpo(orgao="26000")


def test_inicio_is_a_from_within_the_window() -> None:
    assert _corpo(inicio=40)["from"] == 40
    assert _corpo(inicio=JANELA_MAXIMA - 5, tamanho=20)["size"] == 5
    with pytest.raises(ConsultaInvalida, match="inicio: "):
        _corpo(inicio=JANELA_MAXIMA)


def test_a_cursor_round_trips_and_drives_the_next_page() -> None:
    params = validar_busca(orgao="26000", ordem="antigos")
    pagina = Pagina(20, (1_700_000_000_000, NUP))
    cursor = criar_cursor(pagina, chave=params.chave(), segredo=SEGREDO)
    assert ler_cursor(cursor, chave=params.chave(), chaveiro=CHAVEIRO) == pagina
    corpo = montar_busca(
        validar_busca(orgao="26000", ordem="antigos", cursor=cursor), chaveiro=CHAVEIRO
    ).corpo
    assert corpo["search_after"] == [1_700_000_000_000, NUP] and "from" not in corpo


def test_a_relevance_cursor_is_a_position() -> None:
    params = validar_busca(q="pensão")
    cursor = criar_cursor(Pagina(40), chave=params.chave(), segredo=SEGREDO)
    corpo = montar_busca(validar_busca(q="pensão", cursor=cursor), chaveiro=CHAVEIRO).corpo
    assert corpo["from"] == 40 and "search_after" not in corpo


def test_a_cursor_is_bound_to_its_query_but_not_to_the_page_size() -> None:
    params = validar_busca(q="pensão", orgao="26000")
    cursor = criar_cursor(Pagina(20), chave=params.chave(), segredo=SEGREDO)
    maior = montar_busca(
        validar_busca(q="pensão", orgao="26000", tamanho=50, cursor=cursor), chaveiro=CHAVEIRO
    )
    assert (maior.corpo["from"], maior.corpo["size"]) == (20, 50)
    for outra in (
        {"q": "pensao", "orgao": "26000"},
        {"q": "pensão"},
        {"q": "pensão", "orgao": "26000", "ordem": "antigos"},
    ):
        with pytest.raises(CursorInvalido, match="outra consulta"):
            montar_busca(validar_busca(**outra, cursor=cursor), chaveiro=CHAVEIRO)
    with pytest.raises(CursorInvalido):
        ler_cursor(cursor, chave=params.chave(), chaveiro=Chaveiro.de_uma(b"outro segredo", "k1"))


def test_the_next_page_stops_at_the_end_and_at_the_window() -> None:
    plano = montar_busca(validar_busca(q="x", tamanho=10), chaveiro=CHAVEIRO)
    assert pagina_seguinte(plano, recebidos=10, total=25, ultimo_sort=[1.0, 2, NUP]) == Pagina(10)
    assert pagina_seguinte(plano, recebidos=5, total=5, ultimo_sort=[1.0, 2, NUP]) is None
    assert pagina_seguinte(plano, recebidos=0, total=25, ultimo_sort=[]) is None
    perto_do_fim = montar_busca(
        validar_busca(q="x", inicio=JANELA_MAXIMA - 10, tamanho=10), chaveiro=CHAVEIRO
    )
    assert pagina_seguinte(perto_do_fim, recebidos=10, total=50_000, ultimo_sort=[1.0, 2, NUP]) is None
    por_data = montar_busca(validar_busca(tamanho=10), chaveiro=CHAVEIRO)
    assert pagina_seguinte(por_data, recebidos=10, total=25, ultimo_sort=[2, NUP]) == Pagina(10, (2, NUP))


@given(q=TEXTO_LIVRE)
@settings(max_examples=300, deadline=None)
def test_any_text_gives_a_query_without_query_syntax_and_never_raises(q: str) -> None:
    corpo = montar_busca(BuscaParams(q=q), chaveiro=CHAVEIRO).corpo
    tipos = {chave for clausula in _clausulas(corpo) for chave in clausula}
    assert not tipos & {"query_string", "simple_query_string", "regexp", "wildcard", "prefix", "script"}
    assert {"term": {"publico": True}} in corpo["query"]["bool"]["filter"]
    assert CPF not in json.dumps(corpo, ensure_ascii=False)
    json.dumps(corpo)  # serialisable
