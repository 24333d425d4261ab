"""api.busca.texto: what a citizen types becomes words, phrases, NUPs, documentos and periods."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from api.busca.datas import ler_periodo
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
from tests.fixtures.busca import TEXTO_LIVRE

NUP = "23037001462202165"


NUP_FORMATADO = "23037.001462/2021-65"


CPF = "52998224725"


CPF_PONTUADO = "529.982.247-25"


CNPJ = "11222333000181"


# 14 digits that are a valid NUP (ano2_um_dv) and a valid CNPJ at once.
NUP_E_CNPJ = "11225000000106"


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


@given(q=TEXTO_LIVRE)
@settings(max_examples=200, deadline=None)
def test_any_text_is_read_without_raising_and_within_the_limit(q: str) -> None:
    consulta = interpretar(q)
    assert sum(len(g) for g in consulta.grupos) <= 2 * MAX_OPERANDOS
    assert all(g for g in consulta.grupos)
