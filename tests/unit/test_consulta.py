"""Specification of the search API's pure logic: the Consulta Simples language, parameters, query, cursors."""

from __future__ import annotations

import base64
import json
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.busca.consulta import JANELA_MAXIMA, PESO_EXATO, montar_busca, pagina_seguinte
from api.busca.cursor import CursorInvalido, Pagina, criar_cursor, ler_cursor
from api.busca.datas import Periodo, ler_periodo
from api.busca.params import BuscaParams, ConsultaInvalida, validar_busca
from api.busca.texto import (
    AVISO_DOCUMENTO,
    MAX_OPERANDOS,
    Data,
    DocumentoBuscado,
    Frase,
    Impossivel,
    NupBuscado,
    Palavra,
    interpretar,
)
from protocolo.masking import hash_documento

SEGREDO = b"segredo de teste"
NUP = "23037001462202165"
NUP_FORMATADO = "23037.001462/2021-65"
CPF = "52998224725"
CPF_PONTUADO = "529.982.247-25"
CNPJ = "11222333000181"
# 14 digits that are a valid NUP (ano2_um_dv) and a valid CNPJ at once.
NUP_E_CNPJ = "11225000000106"


# --- partial dates ---


@pytest.mark.parametrize(
    ("texto", "inicio", "fim"),
    [
        ("2011", date(2011, 1, 1), date(2012, 1, 1)),
        ("01/2011", date(2011, 1, 1), date(2011, 2, 1)),
        ("12/2011", date(2011, 12, 1), date(2012, 1, 1)),
        ("2011-12", date(2011, 12, 1), date(2012, 1, 1)),
        ("05/01/2011", date(2011, 1, 5), date(2011, 1, 6)),
        ("5/1/2011", date(2011, 1, 5), date(2011, 1, 6)),
        ("05.01.2011", date(2011, 1, 5), date(2011, 1, 6)),
        ("05-01-2011", date(2011, 1, 5), date(2011, 1, 6)),
        ("2011-01-05", date(2011, 1, 5), date(2011, 1, 6)),
        ("31/12/2024", date(2024, 12, 31), date(2025, 1, 1)),
        ("29/02/2024", date(2024, 2, 29), date(2024, 3, 1)),
    ],
)
def test_a_partial_date_is_the_period_it_names(texto: str, inicio: date, fim: date) -> None:
    assert ler_periodo(texto) == Periodo(inicio, fim)


@pytest.mark.parametrize(
    "texto",
    [
        "31/02/2024",
        "29/02/2023",
        "13/2020",
        "00/2020",
        "1800",
        "2101",
        "8112",
        "01/11",
        "2011-1-5",
        "abc",
        "",
    ],
)
def test_what_is_not_a_real_date_is_not_a_period(texto: str) -> None:
    assert ler_periodo(texto) is None


def test_periods_are_brasilia_days_with_the_offset_of_that_day() -> None:
    verao = ler_periodo("05/01/2011")  # daylight saving time then
    inverno = ler_periodo("05/07/2011")
    assert verao is not None and inverno is not None
    assert verao.inicio_iso == "2011-01-05T00:00:00-02:00"
    assert inverno.inicio_iso == "2011-07-05T00:00:00-03:00"
    assert inverno.fim_iso == "2011-07-06T00:00:00-03:00"


# --- the Consulta Simples language ---


@pytest.mark.parametrize(
    ("q", "grupos"),
    [
        ("aposentadoria invalidez", [[Palavra("aposentadoria")], [Palavra("invalidez")]]),
        ("aposentadoria OU pensão", [[Palavra("aposentadoria"), Palavra("pensão")]]),
        (
            "aposentadoria OU pensão invalidez",
            [[Palavra("aposentadoria"), Palavra("pensão")], [Palavra("invalidez")]],
        ),
        ("a OU b OU c", [[Palavra("a"), Palavra("b"), Palavra("c")]]),
        ("OU a OU", [[Palavra("a")]]),
        ("a OU OU b", [[Palavra("a"), Palavra("b")]]),
        ("a ou b", [[Palavra("a")], [Palavra("ou")], [Palavra("b")]]),
        ('"pedido de vista" recurso', [[Frase("pedido de vista")], [Palavra("recurso")]]),
        ('"pedido de vista" OU recurso', [[Frase("pedido de vista"), Palavra("recurso")]]),
        ("“pensão por morte”", [[Frase("pensão por morte")]]),
        ('"pensão', [[Frase("pensão")]]),
        ('abc"def ghi"', [[Palavra("abc")], [Frase("def ghi")]]),
        ('"" x', [[Palavra("x")]]),
        ("(pensão),", [[Palavra("pensão")]]),
        ("*~:()[]{}\\/", []),
        ("", []),
        ("   ", []),
    ],
)
def test_words_ou_and_phrases(q: str, grupos: list[list[object]]) -> None:
    assert [list(g) for g in interpretar(q).grupos] == grupos


@pytest.mark.parametrize("q", ["2011", "01/2011", "05/01/2011", "2011-01-05"])
def test_a_partial_date_in_q_is_a_period(q: str) -> None:
    ((operando,),) = interpretar(q).grupos
    assert isinstance(operando, Data)
    assert operando.texto == q and operando.periodo == ler_periodo(q)


@pytest.mark.parametrize("q", [NUP, NUP_FORMATADO, f" {NUP_FORMATADO}. ", "23037.001462/21-DV"])
def test_a_nup_in_any_format_is_a_nup(q: str) -> None:
    ((operando,),) = interpretar(q).grupos
    assert isinstance(operando, NupBuscado)


def test_a_nup_shaped_token_with_wrong_check_digits_matches_nothing_and_says_why() -> None:
    consulta = interpretar("23037.001462/2021-62 aposentadoria")
    assert consulta.grupos == ((Impossivel(),), (Palavra("aposentadoria"),))
    (aviso,) = consulta.avisos
    assert "23037.001462/2021-62" in aviso and "esperados 65, informados 62" in aviso


@pytest.mark.parametrize("q", [CPF, CPF_PONTUADO, CNPJ, "11.222.333/0001-81"])
def test_a_valid_cpf_or_cnpj_is_a_documento(q: str) -> None:
    ((operando,),) = interpretar(q).grupos
    assert operando == DocumentoBuscado(q.replace(".", "").replace("-", "").replace("/", ""))


def test_a_documento_never_shows_its_digits_in_repr() -> None:
    consulta = interpretar(f"{CPF_PONTUADO} maria")
    assert CPF not in repr(consulta) and "982" not in repr(consulta)


def test_fourteen_digits_that_are_a_nup_and_a_cnpj_are_either() -> None:
    ((nup, documento),) = interpretar(NUP_E_CNPJ).grupos
    assert nup == NupBuscado(NUP_E_CNPJ) and documento == DocumentoBuscado(NUP_E_CNPJ)


def test_a_cpf_shaped_number_with_wrong_check_digits_is_text_with_a_warning() -> None:
    consulta = interpretar("529.982.247-26")
    assert consulta.grupos == ((Palavra("529.982.247-26"),),)
    assert consulta.avisos == (AVISO_DOCUMENTO,)


def test_a_cpf_inside_a_phrase_or_word_is_masked_before_it_is_searched() -> None:
    consulta = interpretar(f'"requerimento de {CPF_PONTUADO}" cpf:{CPF}')
    assert consulta.grupos == ((Frase("requerimento de ***.982.247-**"),), (Palavra("cpf:***.982.247-**"),))


def test_a_quoted_cpf_is_still_a_documento() -> None:
    assert interpretar(f'"{CPF_PONTUADO}"').grupos == ((DocumentoBuscado(CPF),),)


def test_a_long_query_is_cut_with_a_warning() -> None:
    consulta = interpretar(" ".join(f"palavra{i}" for i in range(MAX_OPERANDOS + 5)))
    assert len(consulta.grupos) == MAX_OPERANDOS
    assert any("limitada" in a for a in consulta.avisos)


# --- parameters ---


def test_parameters_are_normalised() -> None:
    params = validar_busca(
        q="  x ",
        nup=NUP_FORMATADO,
        documento=f" {CPF_PONTUADO} ",
        tipo="documento",
        situacao="arquivado",
        ordem="RECENTES",
        campo_data="Autuacao",
        desde="01/2011",
        ate="2011",
        interessado=f"Maria {CPF_PONTUADO}",
    )
    assert params.q == "x" and params.nup == NUP and params.documento == CPF
    assert (params.tipo, params.situacao, params.ordem, params.campo_data) == (
        "DOCUMENTO",
        "ARQUIVADO",
        "recentes",
        "autuacao",
    )
    assert params.periodo_desde == Periodo(date(2011, 1, 1), date(2011, 2, 1))
    assert params.periodo_ate == Periodo(date(2011, 1, 1), date(2012, 1, 1))
    assert params.interessado == "Maria ***.982.247-**"
    assert CPF not in repr(params)


def test_every_bad_parameter_is_named_at_once() -> None:
    with pytest.raises(ConsultaInvalida) as erro:
        validar_busca(
            nup="1", documento="529.982.247-26", tipo="x", desde="32/01/2020", ordem="z", orgao="a b"
        )
    mensagem = str(erro.value)
    for campo in ("nup:", "documento:", "tipo:", "desde:", "ordem:", "orgao:"):
        assert campo in mensagem
    assert "529" not in mensagem and "247" not in mensagem


@pytest.mark.parametrize("documento", ["123", "abc.def.ghi-jk", "5299822472", "529982247255", "52998224726"])
def test_a_bad_documento_is_refused_without_repeating_it(documento: str) -> None:
    with pytest.raises(ConsultaInvalida, match=r"^documento: ") as erro:
        validar_busca(documento=documento)
    assert documento not in str(erro.value)


def test_name_and_assunto_filters_are_bounded() -> None:
    with pytest.raises(ConsultaInvalida, match="interessado: use no máximo 16 palavras"):
        validar_busca(interessado=" ".join(["maria"] * 17))
    assert validar_busca(assunto=" ".join(["obra"] * 16)).assunto


def test_desde_after_ate_is_refused() -> None:
    with pytest.raises(ConsultaInvalida, match="desde: deve ser anterior ou igual a ate"):
        validar_busca(desde="2024-02-01", ate="31/01/2024")
    assert validar_busca(desde="2024-02-01", ate="01/02/2024").periodo_desde is not None


# --- the query ---


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
    return montar_busca(validar_busca(**params), segredo=SEGREDO).corpo


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
    plano = montar_busca(validar_busca(**params), segredo=SEGREDO)
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


# --- cursors ---


def test_a_cursor_round_trips_and_drives_the_next_page() -> None:
    params = validar_busca(orgao="26000", ordem="antigos")
    pagina = Pagina(20, (1_700_000_000_000, NUP))
    cursor = criar_cursor(pagina, chave=params.chave(), segredo=SEGREDO)
    assert ler_cursor(cursor, chave=params.chave(), segredo=SEGREDO) == pagina
    corpo = montar_busca(validar_busca(orgao="26000", ordem="antigos", cursor=cursor), segredo=SEGREDO).corpo
    assert corpo["search_after"] == [1_700_000_000_000, NUP] and "from" not in corpo


def test_a_relevance_cursor_is_a_position() -> None:
    params = validar_busca(q="pensão")
    cursor = criar_cursor(Pagina(40), chave=params.chave(), segredo=SEGREDO)
    corpo = montar_busca(validar_busca(q="pensão", cursor=cursor), segredo=SEGREDO).corpo
    assert corpo["from"] == 40 and "search_after" not in corpo


def test_a_cursor_is_bound_to_its_query_but_not_to_the_page_size() -> None:
    params = validar_busca(q="pensão", orgao="26000")
    cursor = criar_cursor(Pagina(20), chave=params.chave(), segredo=SEGREDO)
    assert montar_busca(validar_busca(q="pensão", orgao="26000", tamanho=50, cursor=cursor), segredo=SEGREDO)
    for outra in (
        {"q": "pensao", "orgao": "26000"},
        {"q": "pensão"},
        {"q": "pensão", "orgao": "26000", "ordem": "antigos"},
    ):
        with pytest.raises(CursorInvalido, match="outra consulta"):
            montar_busca(validar_busca(**outra, cursor=cursor), segredo=SEGREDO)
    with pytest.raises(CursorInvalido):
        ler_cursor(cursor, chave=params.chave(), segredo=b"outro segredo")


def _adulterar(cursor: str, **mudancas: Any) -> str:
    corpo = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    corpo.update(mudancas)
    return base64.urlsafe_b64encode(json.dumps(corpo).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "mudancas",
    [{"n": 0}, {"n": 10_000}, {"a": [1, "x"]}, {"a": None}, {"n": -1}, {"n": True}, {"a": [[1]]}, {"m": "x"}],
)
def test_a_tampered_cursor_is_refused(mudancas: dict[str, Any]) -> None:
    params = validar_busca(orgao="26000")
    cursor = criar_cursor(Pagina(20, (1_700_000_000_000, NUP)), chave=params.chave(), segredo=SEGREDO)
    with pytest.raises(CursorInvalido, match="^cursor: "):
        ler_cursor(_adulterar(cursor, **mudancas), chave=params.chave(), segredo=SEGREDO)


def test_a_cursor_says_nothing_about_the_documento() -> None:
    params = validar_busca(documento=CPF)
    cursor = criar_cursor(Pagina(20, (1, NUP)), chave=params.chave(), segredo=SEGREDO)
    decodificado = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    assert CPF not in decodificado and hash_documento(SEGREDO, CPF) not in decodificado


@given(st.text(max_size=200))
def test_any_string_as_cursor_is_refused_cleanly(token: str) -> None:
    with pytest.raises(CursorInvalido):
        ler_cursor(token, chave=BuscaParams().chave(), segredo=SEGREDO)


def test_the_next_page_stops_at_the_end_and_at_the_window() -> None:
    plano = montar_busca(validar_busca(q="x", tamanho=10), segredo=SEGREDO)
    assert pagina_seguinte(plano, recebidos=10, total=25, ultimo_sort=[1.0, 2, NUP]) == Pagina(10)
    assert pagina_seguinte(plano, recebidos=5, total=5, ultimo_sort=[1.0, 2, NUP]) is None
    assert pagina_seguinte(plano, recebidos=0, total=25, ultimo_sort=[]) is None
    perto_do_fim = montar_busca(validar_busca(q="x", inicio=JANELA_MAXIMA - 10, tamanho=10), segredo=SEGREDO)
    assert pagina_seguinte(perto_do_fim, recebidos=10, total=50_000, ultimo_sort=[1.0, 2, NUP]) is None
    por_data = montar_busca(validar_busca(tamanho=10), segredo=SEGREDO)
    assert pagina_seguinte(por_data, recebidos=10, total=25, ultimo_sort=[2, NUP]) == Pagina(10, (2, NUP))


# --- properties: whatever a citizen types ---

# A CPF written alone (spaces around it), as masking finds it; glued to other digits it is another number.
_PEDACOS = [
    "OU",
    " OU ",
    f" {CPF_PONTUADO} ",
    f" {CPF} ",
    NUP_FORMATADO,
    NUP_E_CNPJ,
    '"',
    " ",
    "2011",
    "01/2011",
]
_TEXTO_LIVRE = st.lists(
    st.sampled_from(_PEDACOS) | st.text(alphabet='abcçãéOU "*~:()[]{}\\/-.0123456789 +!?^&|<>', max_size=6),
    max_size=20,
).map("".join) | st.text(max_size=80)


@given(q=_TEXTO_LIVRE)
@settings(max_examples=300, deadline=None)
def test_any_text_gives_a_query_without_query_syntax_and_never_raises(q: str) -> None:
    corpo = montar_busca(BuscaParams(q=q), segredo=SEGREDO).corpo
    tipos = {chave for clausula in _clausulas(corpo) for chave in clausula}
    assert not tipos & {"query_string", "simple_query_string", "regexp", "wildcard", "prefix", "script"}
    assert {"term": {"publico": True}} in corpo["query"]["bool"]["filter"]
    assert CPF not in json.dumps(corpo, ensure_ascii=False)
    json.dumps(corpo)  # serialisable


@given(q=_TEXTO_LIVRE)
@settings(max_examples=200, deadline=None)
def test_any_text_is_read_without_raising_and_within_the_limit(q: str) -> None:
    consulta = interpretar(q)
    assert sum(len(g) for g in consulta.grupos) <= 2 * MAX_OPERANDOS
    assert all(g for g in consulta.grupos)
