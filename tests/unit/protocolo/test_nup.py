"""Specification of protocolo.nup: the accepted formats, the messages citizens see, what the DVs catch."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from protocolo.errors import InvalidNup
from protocolo.nup import FormatoNup, Nup, calcular_dv, gerar_nup, is_valid_nup, parse_nup


def _resto(digitos: str) -> int:
    """Weighted sum mod 11, weights 2, 3, … from the rightmost digit (written apart from protocolo.nup)."""
    return sum(int(d) * peso for peso, d in enumerate(reversed(digitos), start=2)) % 11


def _dv_do_resto(resto: int) -> int:
    # 11 - resto, minus 10 when above 9: remainders 0 and 10 both give 1, remainder 1 gives 0.
    return (11 - resto) % 10


def _mod97(base: str) -> str:
    return f"{98 - int(base) * 100 % 97:02d}"


def test_known_real_nups_verify_and_a_wrong_one_says_which_digits_were_expected() -> None:
    assert calcular_dv("230370014622021") == "65"
    assert calcular_dv("600410010932020") == "97"
    assert parse_nup("23037.001462/2021-65").verificado
    assert parse_nup("60041.001093/2020-97").digitos == "60041001093202097"
    with pytest.raises(InvalidNup, match="dígitos verificadores incorretos: esperados 65, informados 62"):
        parse_nup("23037001462202162")


# (NUP, remainder of DV1's sum, remainder of DV2's sum): the edges of "d = 11 - r, minus 10 when above 9".
EDGE_NUPS = [
    ("23037001004201910", 0, 1),  # r1 = 0 → 11 → DV1 1; r2 = 1 → 10 → DV2 0
    ("23037001006201909", 1, 2),  # r1 = 1 → 10 → DV1 0
    ("23037001002201912", 10, 9),  # r1 = 10 → DV1 1, the same digit as r1 = 0
    ("23037001013201901", 1, 0),  # r2 = 0 → DV2 1
    ("23037001011201911", 0, 10),  # r2 = 10 → DV2 1
    ("23037001068201911", 0, 0),
    ("23037001059201911", 10, 10),
]


@pytest.mark.parametrize(("digitos", "r1", "r2"), EDGE_NUPS)
def test_remainders_zero_one_and_ten_give_the_documented_check_digits(digitos: str, r1: int, r2: int) -> None:
    assert (_resto(digitos[:15]), _resto(digitos[:16])) == (r1, r2)
    assert digitos[15:] == f"{_dv_do_resto(r1)}{_dv_do_resto(r2)}"
    assert calcular_dv(digitos[:15]) == digitos[15:]
    assert parse_nup(digitos).formatado == f"{digitos[:5]}.{digitos[5:11]}/{digitos[11:15]}-{digitos[15:]}"


VALIDOS = [
    # texto, formato, digitos, formatado, ano, verificado
    ("23037.001462/2021-65", FormatoNup.ATUAL, "23037001462202165", "23037.001462/2021-65", 2021, True),
    ("  60041001093202097\n", FormatoNup.ATUAL, "60041001093202097", "60041.001093/2020-97", 2020, True),
    ("0000001.00000001/2015-84", FormatoNup.PORTARIA_2014, "000000100000001201584", None, 2015, True),
    (
        "230370000014620201454",
        FormatoNup.PORTARIA_2014,
        "230370000014620201454",
        "2303700.00014620/2014-54",
        2014,
        True,
    ),
    ("00190.000123/98", FormatoNup.ANO2_SEM_DV, "0019000012398", None, 1998, False),
    ("0019000012398", FormatoNup.ANO2_SEM_DV, "0019000012398", "00190.000123/98", 1998, False),
    ("00190.000123/98-5", FormatoNup.ANO2_UM_DV, "00190000123985", None, 1998, True),
    ("23037001462216", FormatoNup.ANO2_UM_DV, "23037001462216", "23037.001462/21-6", 2021, True),
    ("00190.000123/98-56", FormatoNup.ANO2_DOIS_DV, "001900001239856", None, 1998, True),
    ("123451234565040", FormatoNup.ANO2_DOIS_DV, "123451234565040", "12345.123456/50-40", 1950, True),
    ("12345.123456/49-14", FormatoNup.ANO2_DOIS_DV, "123451234564914", None, 2049, True),
    ("00190.000123/1998-DV", FormatoNup.ANO4_DV_LITERAL, "001900001231998", None, 1998, False),
    ("001900001231998dv", FormatoNup.ANO4_DV_LITERAL, "001900001231998", "00190.000123/1998-DV", 1998, False),
    ("00190.000123/98-DV", FormatoNup.ANO2_DV_LITERAL, "0019000012398", None, 1998, False),
    ("0019000012398DV", FormatoNup.ANO2_DV_LITERAL, "0019000012398", "00190.000123/98-DV", 1998, False),
]


@pytest.mark.parametrize(("texto", "formato", "digitos", "formatado", "ano", "verificado"), VALIDOS)
def test_every_accepted_format_parses_to_its_digits_and_canonical_form(
    texto: str, formato: FormatoNup, digitos: str, formatado: str | None, ano: int, verificado: bool
) -> None:
    nup = parse_nup(texto)
    esperado = formatado or texto.strip()
    assert nup == Nup(digitos, formato, verificado)
    assert (nup.formatado, str(nup), nup.ano) == (esperado, esperado, ano)
    assert (
        parse_nup(nup.formatado) == parse_nup(nup.digitos + ("DV" if esperado.endswith("DV") else "")) == nup
    )


INVALIDOS = [
    ("", "NUP vazio"),
    ("   ", "NUP vazio"),
    # 15 digits are the 2-digit year with two DVs, never a 4-digit year without them.
    ("230370014622021", "dígitos verificadores incorretos: esperados 86, informados 21"),
    ("230370014622", "o NUP deve ter 17 dígitos (formato 00000.000000/0000-00); foram informados 12"),
    ("2303700146220216", "o NUP deve ter 17 dígitos (formato 00000.000000/0000-00); foram informados 16"),
    ("2", "o NUP deve ter 17 dígitos (formato 00000.000000/0000-00); foi informado 1"),
    ("-./", "foram informados 0"),
    ("23037001462202165DV", "o NUP com 'DV' deve ter 15 dígitos (formato 00000.000000/0000-DV) ou 13"),
    ("23037.001462/2021-6x", "o NUP contém caracteres inválidos: 'x'"),
    ("23037 001462 2021 65", "o NUP contém caracteres inválidos: ' '"),
    ("23O37.00l462/2021-65", "o NUP contém caracteres inválidos: 'O', 'l'"),
    ("２3037.001462/2021-65", "o NUP contém caracteres inválidos: '２'"),
    ("23037.DV1462/2021-65", "o NUP contém caracteres inválidos: 'D', 'V'"),
    ("23037.001462/202165", "pontuação fora do lugar: o formato esperado é 00000.000000/0000-00"),
    ("230370.01462/2021-65", "pontuação fora do lugar: o formato esperado é 00000.000000/0000-00"),
    ("23037-001462/2021.65", "pontuação fora do lugar"),
    ("23037001462/2021-65", "pontuação fora do lugar"),
    ("23037.001462//2021-65", "pontuação fora do lugar"),
    ("23037.001462/2021DV", "pontuação fora do lugar: o formato esperado é 00000.000000/0000-DV"),
    ("00190.000123/98-", "pontuação fora do lugar: o formato esperado é 00000.000000/00"),
    ("00190.000123/1998", "pontuação fora do lugar: o formato esperado é 00000.000000/00-00"),
    ("0000001.00000001/2015-48", "dígitos verificadores incorretos: esperados 84, informados 48"),
    ("00190.000123/98-3", "dígito verificador incorreto: esperado 5, informado 3"),
    ("00190.000123/98-35", "dígitos verificadores incorretos: esperados 56, informados 35"),
    (
        "23037.001462/1899-" + calcular_dv("230370014621899"),
        "ano inválido: 1899 (esperado entre 1900 e 2100)",
    ),
    ("23037.001462/2101-" + calcular_dv("230370014622101"), "ano inválido: 2101"),
    ("00190.000123/0998-DV", "ano inválido: 998"),
    ("0000001.00000001/3015-" + _mod97("0000001000000013015"), "ano inválido: 3015"),
]


@pytest.mark.parametrize(("texto", "mensagem"), INVALIDOS)
def test_invalid_input_is_rejected_with_a_pt_br_reason(texto: str, mensagem: str) -> None:
    with pytest.raises(InvalidNup, match=re.escape(mensagem)):
        parse_nup(texto)
    assert not is_valid_nup(texto)


def test_invalid_nup_is_a_value_error_for_callers_that_do_not_know_protocolo() -> None:
    with pytest.raises(ValueError, match="NUP vazio"):
        parse_nup("")


def test_year_bounds_1900_and_2100_are_accepted() -> None:
    assert parse_nup("23037.001462/1900-" + calcular_dv("230370014621900")).ano == 1900
    assert gerar_nup(unidade=23037, sequencial=1462, ano=2100).ano == 2100


def test_every_format_has_a_pt_br_description_and_a_distinct_mask() -> None:
    assert FormatoNup.ATUAL.descricao == "NUP atual (17 dígitos, Portaria Interministerial 11/2019)"
    assert FormatoNup.PORTARIA_2014.descricao == "NUP de 21 dígitos (Portaria 2.321/2014, revogada)"
    assert FormatoNup.ANO2_SEM_DV.descricao == "número antigo com ano de 2 dígitos, sem dígito verificador"
    assert len({f.descricao for f in FormatoNup}) == len({f.mascara for f in FormatoNup}) == len(FormatoNup)
    assert [f for f in FormatoNup if not f.tem_dv] == [
        FormatoNup.ANO2_SEM_DV,
        FormatoNup.ANO4_DV_LITERAL,
        FormatoNup.ANO2_DV_LITERAL,
    ]


def test_gerar_nup_builds_the_known_real_nup_and_refuses_out_of_range_parts() -> None:
    assert gerar_nup(unidade=23037, sequencial=1462, ano=2021) == parse_nup("23037.001462/2021-65")
    for kwargs, mensagem in [
        ({"unidade": 100_000, "sequencial": 1, "ano": 2021}, "código da unidade"),
        ({"unidade": -1, "sequencial": 1, "ano": 2021}, "código da unidade"),
        ({"unidade": 1, "sequencial": 1_000_000, "ano": 2021}, "número sequencial"),
        ({"unidade": 1, "sequencial": 1, "ano": 1899}, "ano inválido"),
    ]:
        with pytest.raises(InvalidNup, match=mensagem):
            gerar_nup(**kwargs)


def test_calcular_dv_works_for_any_base_length_and_refuses_non_digits() -> None:
    assert calcular_dv("0019000012398") == "56"
    assert calcular_dv("0") == "19"  # r1 = 0 → 1; then "01": 0·3 + 1·2 = 2 → 9
    for ruim in ["", "12a", "1.2", "١٢"]:
        with pytest.raises(InvalidNup, match="apenas dígitos"):
            calcular_dv(ruim)


def test_nup_built_directly_must_have_the_digits_of_its_format() -> None:
    with pytest.raises(InvalidNup, match="17 dígitos"):
        Nup("2303700146220216", FormatoNup.ATUAL, True)


# Valid current NUPs: any unit/sequence/plausible year, plus the remainder edges where mod 11 is weakest.
nups_atuais = st.one_of(
    st.builds(
        gerar_nup,
        unidade=st.integers(0, 99_999),
        sequencial=st.integers(0, 999_999),
        ano=st.integers(1900, 2100),
    ),
    st.sampled_from([parse_nup(d) for d, _, _ in EDGE_NUPS]),
)


@given(nups_atuais, st.sampled_from(["", " ", "\t\n"]))
def test_generated_current_nups_parse_and_round_trip(nup: Nup, espaco: str) -> None:
    assert re.fullmatch(r"\d{5}\.\d{6}/\d{4}-\d{2}", nup.formatado)
    assert parse_nup(espaco + nup.formatado + espaco) == parse_nup(nup.digitos) == nup
    assert nup.verificado and nup.formato is FormatoNup.ATUAL


def _cego(resto: int, variacao: int) -> bool:
    # A check digit misses a change of its weighted sum when the change is a multiple of 11, or when it moves
    # the remainder between 0 and 10: both give the digit 1.
    return variacao % 11 == 0 or {resto, (resto + variacao) % 11} == {0, 10}


def _ano_plausivel(digitos: str) -> bool:
    return 1900 <= int(digitos[11:15]) <= 2100


@given(nups_atuais, st.integers(0, 16), st.integers(1, 9))
def test_single_substitution_is_caught_except_where_a_weight_is_11_or_remainders_collapse(
    nup: Nup, posicao: int, soma: int
) -> None:
    """Two mod-11 DVs do NOT catch every substitution; this states exactly which ones slip through."""
    d = nup.digitos
    novo = (int(d[posicao]) + soma) % 10
    delta = novo - int(d[posicao])
    trocado = d[:posicao] + str(novo) + d[posicao + 1 :]
    # A changed DV never matches: the DVs are recomputed from the unchanged base. A base digit weighs w1 in
    # DV1 and w1 + 1 in DV2; to escape, the change must slip past DV1 and then past DV2 (DV1 being unchanged).
    w1 = 16 - posicao
    escapa = (
        posicao < 15
        and _ano_plausivel(trocado)
        and _cego(_resto(d[:15]), delta * w1)
        and _cego(_resto(d[:16]), delta * (w1 + 1))
    )
    assert is_valid_nup(trocado) is escapa
    if escapa:  # measured: only the 1st digit (±2, ±9) and the 6th and 7th digits (±1, a weight of 11) escape
        assert (posicao, abs(delta)) in {(0, 2), (0, 9), (5, 1), (6, 1)}


@pytest.mark.parametrize(
    ("valido", "tambem_valido"),
    [
        (
            "23037001186201911",
            "03037001186201911",
        ),  # 1st digit −2: DV1 sum −32 ≡ +1 (r1 10 → 0), DV2 −34 ≡ −1 (r2 0 → 10)
        ("23037001011201911", "43037001011201911"),  # 1st digit +2
        ("23037001011201911", "23037101011201911"),  # 6th digit +1: weight 11 in DV1, r2 10 → 0 in DV2
        ("23037001004201910", "23037011004201910"),  # 7th digit +1: r1 0 → 10 in DV1, weight 11 in DV2
    ],
)
def test_some_single_substitutions_are_not_caught(valido: str, tambem_valido: str) -> None:
    assert parse_nup(valido).verificado and parse_nup(tambem_valido).verificado


@given(nups_atuais, st.integers(0, 15))
def test_adjacent_transposition_is_caught_unless_digits_differ_by_one_at_the_remainder_edges(
    nup: Nup, posicao: int
) -> None:
    d = nup.digitos
    a, b = int(d[posicao]), int(d[posicao + 1])
    assume(a != b)
    trocado = d[:posicao] + d[posicao + 1] + d[posicao] + d[posicao + 2 :]
    r1, r2, delta = _resto(d[:15]), _resto(d[:16]), b - a
    if posicao <= 13:
        # Inside the base both sums change by exactly b - a, so only ±1 across the 0/10 collapse escapes.
        escapa = abs(delta) == 1 and r1 == r2 == (10 if delta == 1 else 0)
    elif posicao == 14:
        # Last base digit ↔ DV1: DV1's sum changes by 2(b - a) and must land on a; DV2's by b - a.
        escapa = _dv_do_resto((r1 + 2 * delta) % 11) == a and _cego(r2, delta)
        assert (
            not escapa
            or (delta == 1 and r1 in (9, 10) and r2 == 10)
            or (delta == -1 and r1 in (0, 1) and r2 == 0)
        )
    else:
        escapa = False  # DV1 ↔ DV2: DV1 is recomputed from an unchanged base
    assert is_valid_nup(trocado) is (escapa and _ano_plausivel(trocado))


@pytest.mark.parametrize(
    ("valido", "transposto"),
    [
        ("23037001059201911", "23037010059201911"),  # sequence 001059 typed 010059: r1 = r2 = 10, +1
        ("23037001068201911", "23037000168201911"),  # r1 = r2 = 0, −1
        ("23037001056202011", "23037001056202101"),  # year 2020 / DV 11 ↔ year 2021 / DV 01
    ],
)
def test_some_adjacent_transpositions_are_not_caught(valido: str, transposto: str) -> None:
    assert parse_nup(valido).verificado and parse_nup(transposto).verificado


bases_2014 = st.builds(
    lambda unidade, sequencial, ano: f"{unidade:07d}{sequencial:08d}{ano:04d}",
    st.integers(0, 9_999_999),
    st.integers(0, 99_999_999),
    st.integers(1900, 2100),
)


@given(bases_2014)
def test_21_digit_mod97_nups_round_trip(base: str) -> None:
    digitos = base + _mod97(base)
    assert int(digitos) % 97 == 1  # the ISO 7064 MOD 97-10 invariant
    nup = parse_nup(digitos)
    assert nup == Nup(digitos, FormatoNup.PORTARIA_2014, True) == parse_nup(nup.formatado)
    assert re.fullmatch(r"\d{7}\.\d{8}/\d{4}-\d{2}", nup.formatado)
    assert nup.ano == int(base[15:])


@given(bases_2014, st.integers(0, 20), st.integers(1, 9))
def test_21_digit_mod97_catches_every_substitution_and_adjacent_transposition(
    base: str, posicao: int, soma: int
) -> None:
    # Unlike mod 11 above: a substitution changes the value by δ·10^k, a transposition by 9·(a−b)·10^k,
    # and the prime 97 divides neither.
    d = base + _mod97(base)
    trocado = d[:posicao] + str((int(d[posicao]) + soma) % 10) + d[posicao + 1 :]
    assert not is_valid_nup(trocado)
    if posicao < 20 and d[posicao] != d[posicao + 1]:
        assert not is_valid_nup(d[:posicao] + d[posicao + 1] + d[posicao] + d[posicao + 2 :])
