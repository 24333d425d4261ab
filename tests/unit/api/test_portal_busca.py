"""The portal's search form and the links built from it: facets, sort, pages, suggestions."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from api.busca.params import ORDENS_ROTULOS, ConsultaInvalida
from api.portal_busca import (
    CAMPOS,
    Formulario,
    campos_formulario,
    filtros_ativos,
    grupos_facetas,
    ler_pagina,
    sugestoes,
)
from api.schemas import Facetas, FacetaValor

CPF = "529.982.247-25"


def _query(url: str) -> dict[str, list[str]]:
    partes = urlsplit(url)
    assert partes.path == "/"
    return parse_qs(partes.query)


def test_form_reads_known_fields_stripped_and_ignores_the_rest() -> None:
    form = Formulario.ler({"q": "  pensão ", "orgao": "26000", "x": "y", "ano": ["2020"]})
    assert form.q == "pensão" and form.orgao == "26000" and form.ano == ""


def test_form_cuts_very_long_values() -> None:
    assert len(Formulario.ler({"q": "a" * 5000}).q) == 500


@pytest.mark.parametrize(
    ("valores", "vazio"),
    [({}, True), ({"ordem": "recentes"}, True), ({"q": "x"}, False), ({"documento": CPF}, False)],
)
def test_a_sort_alone_is_not_a_search(valores: dict[str, str], vazio: bool) -> None:
    assert Formulario.ler(valores).vazio() is vazio


def test_documento_never_goes_into_a_url() -> None:
    form = Formulario(q="pensão", documento=CPF, orgao="26000")
    assert "documento" not in form.parametros()
    assert "529" not in form.url() and "529" not in form.url_pagina("c", 2)
    assert CPF not in repr(form)


@pytest.mark.parametrize(
    ("form", "sensivel"),
    [
        (Formulario(q="pensão 2021"), False),
        (Formulario(documento="11222333000181"), True),
        (Formulario(q=f"pensão {CPF}"), True),
        (Formulario(q="pensão 52998224725"), True),
        (Formulario(q="23037.001462/2021-65"), False),  # a NUP is not personal data
    ],
)
def test_a_search_holding_a_cpf_or_the_documento_field_is_sensitive(form: Formulario, sensivel: bool) -> None:
    assert form.sensivel() is sensivel


def test_the_simple_box_is_shown_with_cpfs_masked() -> None:
    assert Formulario(q=f"pensão {CPF}").q_exibido() == "pensão ***.982.247-**"


def test_url_keeps_field_order_drops_empty_values_and_changes_what_is_asked() -> None:
    form = Formulario(q="pensão OU aposentadoria", situacao="ARQUIVADO", ordem="recentes")
    assert form.url() == "/?q=pens%C3%A3o+OU+aposentadoria&situacao=ARQUIVADO&ordem=recentes"
    assert _query(form.url(situacao="")) == {"q": ["pensão OU aposentadoria"], "ordem": ["recentes"]}
    assert Formulario().url() == "/"


def test_next_page_url_carries_the_cursor_and_page_number_and_the_same_criteria() -> None:
    form = Formulario(q="pensão", orgao="26000")
    assert _query(form.url_pagina("abc_-", 3)) == {
        "q": ["pensão"],
        "orgao": ["26000"],
        "cursor": ["abc_-"],
        "pagina": ["3"],
    }


@pytest.mark.parametrize(("valor", "pagina"), [(None, 1), ("", 1), ("2", 2), ("0", 1), ("x", 1), ("9999", 1)])
def test_page_number_is_display_only_and_falls_back_to_one(valor: str | None, pagina: int) -> None:
    assert ler_pagina(valor) == pagina


def test_criteria_for_the_shared_validation_parse_the_year() -> None:
    assert Formulario(ano="2021").criterios()["ano"] == 2021
    assert Formulario().criterios()["ano"] is None
    with pytest.raises(ConsultaInvalida, match="^ano:"):
        Formulario(ano="21x").criterios()


def _facetas() -> Facetas:
    return Facetas(
        orgao=[FacetaValor(valor="26000", rotulo="Ministério da Educação", quantidade=7)],
        situacao=[FacetaValor(valor="ARQUIVADO", rotulo="Arquivado", quantidade=2)],
        ano=[FacetaValor(valor="2021", rotulo="2021", quantidade=5)],
    )


def test_facet_links_add_their_filter_to_the_search_and_restart_at_page_one() -> None:
    grupos = grupos_facetas(Formulario(q="pensão", ordem="recentes"), _facetas())
    assert [g.campo for g in grupos] == ["orgao", "situacao", "ano"]  # tipo had no values
    orgao = grupos[0].valores[0]
    assert (orgao.rotulo, orgao.quantidade, orgao.ativo) == ("Ministério da Educação", 7, False)
    assert _query(orgao.url) == {"q": ["pensão"], "orgao": ["26000"], "ordem": ["recentes"]}


def test_an_active_facet_value_links_to_the_search_without_it() -> None:
    grupos = grupos_facetas(Formulario(q="pensão", ano="2021"), _facetas())
    ano = next(g for g in grupos if g.campo == "ano").valores[0]
    assert ano.ativo and _query(ano.url) == {"q": ["pensão"]}


def test_no_facet_links_for_a_sensitive_search() -> None:
    assert grupos_facetas(Formulario(documento=CPF), _facetas()) == []


def test_active_filters_are_listed_with_readable_values_and_a_removal_link() -> None:
    form = Formulario(q="x", orgao="26000", desde="01/2021")
    ativos = filtros_ativos(form, {"orgao": {"26000": "Ministério da Educação (MEC)"}})
    assert [(f.rotulo, f.valor) for f in ativos] == [
        ("Órgão", "Ministério da Educação (MEC)"),
        ("Desde", "01/2021"),
    ]
    assert _query(ativos[0].url_remover) == {"q": ["x"], "desde": ["01/2021"]}


def test_suggestions_drop_each_filter_and_offer_any_of_the_words() -> None:
    lista = sugestoes(
        Formulario(q="pensão morte", situacao="ARQUIVADO"), {"situacao": {"ARQUIVADO": "Arquivado"}}
    )
    assert [s.texto for s in lista] == [
        "Sem o filtro situação (Arquivado)",
        "Qualquer uma das palavras: pensão OU morte",
    ]
    assert _query(lista[1].url) == {"q": ["pensão OU morte"], "situacao": ["ARQUIVADO"]}


def test_no_suggestions_that_would_put_a_cpf_in_a_link() -> None:
    assert sugestoes(Formulario(q=f"pensão {CPF}"), {}) == []


def test_the_default_sort_is_left_out_of_urls() -> None:
    assert Formulario(q="pensão", ordem="relevancia").url() == "/?q=pens%C3%A3o"


def test_the_advanced_form_is_drawn_from_the_declared_search_parameters() -> None:
    form = Formulario(q="x", interessado="Maria", documento=CPF, tipo="PROCESSO", ordem="recentes")

    campos = {
        c.nome: c for c in campos_formulario(form, {"orgao": {"26000": "Ministério da Educação (MEC)"}})
    }

    # Declaration order; q has its own box, ano is reached only through its facet, nup is not in the portal.
    assert list(campos) == [
        "interessado",
        "documento",
        "orgao",
        "assunto",
        "tipo",
        "situacao",
        "desde",
        "ate",
        "ordem",
    ]
    assert (campos["interessado"].rotulo, campos["interessado"].valor, campos["interessado"].max_length) == (
        "Nome do interessado",
        "Maria",
        200,
    )
    assert campos["documento"].valor == "" and campos["documento"].atributos["inputmode"] == "numeric"
    assert campos["documento"].descrito_por == "documento-dica"
    assert campos["orgao"].opcoes == [("26000", "Ministério da Educação (MEC)")]
    assert campos["orgao"].vazio == "Todos os órgãos"
    assert campos["tipo"].opcoes == [("PROCESSO", "Processo"), ("DOCUMENTO", "Documento")]
    assert campos["tipo"].valor == "PROCESSO"
    assert campos["ordem"].opcoes == list(ORDENS_ROTULOS.items()) and campos["ordem"].vazio is None
    assert campos["desde"].opcoes is None and campos["desde"].descrito_por == "datas-dica"
    assert all(c.valor == "" for c in campos_formulario(None, {}))


def test_urls_filters_and_criteria_follow_the_declaration() -> None:
    assert CAMPOS == (
        "q",
        "interessado",
        "orgao",
        "assunto",
        "tipo",
        "situacao",
        "ano",
        "desde",
        "ate",
        "ordem",
    )
    assert set(Formulario().criterios()) == set(CAMPOS) | {"documento"}
    with pytest.raises(TypeError):
        Formulario(nao_declarado="x")
