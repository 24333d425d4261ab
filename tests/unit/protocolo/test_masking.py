"""Specification of protocolo.masking: CPFs masked wherever they appear, everything else left intact."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocolo.chaveiro import Chaveiro, ChaveSecreta
from protocolo.documentos import gerar_cnpj, is_cpf
from protocolo.masking import (
    hash_documento,
    hashes_documento,
    mascarar_cpf,
    mascarar_documento,
    mascarar_texto,
)
from tests.fixtures.documentos import com_dv

CPF = "52998224725"


CPF_PONTUADO = "529.982.247-25"


MASCARA = "***.982.247-**"


OUTRO_CPF = "11144477735"


# Any valid CPF: nine free digits (not all equal) and their check digits.
_CPFS = st.text("0123456789", min_size=9, max_size=9).filter(lambda b: len(set(b)) > 1).map(com_dv)


def test_mascarar_cpf_shows_only_the_middle_six_digits() -> None:
    assert mascarar_cpf(CPF) == MASCARA
    assert mascarar_cpf("12345678909") == "***.456.789-**"


@pytest.mark.parametrize(
    ("digitos", "esperado"),
    [
        (CPF, MASCARA),
        ("11222333000181", "11.222.333/0001-81"),  # company data is public: a CNPJ stays whole
    ],
)
def test_mascarar_documento_masks_a_cpf_and_punctuates_a_cnpj(digitos: str, esperado: str) -> None:
    assert mascarar_documento(digitos) == esperado


TEXTOS = [
    # (texto, mascarado)
    (f"Maria da Silva {CPF}", f"Maria da Silva {MASCARA}"),
    (f"Maria da Silva - CPF {CPF_PONTUADO}", f"Maria da Silva - CPF {MASCARA}"),
    (f"Requerimento de {CPF_PONTUADO}.", f"Requerimento de {MASCARA}."),
    (f"CPF:{CPF}, prazo 10 dias", f"CPF:{MASCARA}, prazo 10 dias"),
    (f"({CPF_PONTUADO})", f"({MASCARA})"),
    (f"CPF{CPF}x", f"CPF{MASCARA}x"),
    ("partially punctuated 529982247-25 and 529.982.24725", f"partially punctuated {MASCARA} and {MASCARA}"),
    (f"{CPF}, {OUTRO_CPF}\n111.444.777-35", f"{MASCARA}, ***.444.777-**\n***.444.777-**"),
    (CPF, MASCARA),
]


@pytest.mark.parametrize(("texto", "mascarado"), TEXTOS)
def test_cpf_inside_names_and_free_text_is_masked_with_or_without_punctuation(
    texto: str, mascarado: str
) -> None:
    assert mascarar_texto(texto) == mascarado


INTACTOS = [
    "CNPJ 11.222.333/0001-81",
    "CNPJ 11222333000181",
    "Processo 23037.001462/2021-65",
    "Processo 23037001462202165",
    "NUP antigo 0000001.00000001/2015-84",
    "CPF inválido 529.982.247-24",
    "Telefone 52998224724",
    "Número repetido 111.111.111-11",
    "Doze dígitos 529982247250",
    "Dez dígitos 5299822472",
    "Com dígito antes 152998224725",
    "",
    "Sem números",
]


@pytest.mark.parametrize("texto", INTACTOS)
def test_cnpjs_nups_and_numbers_that_are_not_cpfs_are_left_intact(texto: str) -> None:
    assert mascarar_texto(texto) == texto


def test_an_eleven_digit_number_that_is_not_a_valid_cpf_is_left_intact() -> None:
    assert not is_cpf("12345678901")
    assert mascarar_texto("Protocolo 12345678901 recebido") == "Protocolo 12345678901 recebido"


@pytest.mark.parametrize(
    "texto",
    [
        f"CPFs {CPF_PONTUADO}/111.444.777-35",
        f"Maria-{CPF}",
        f"{CPF_PONTUADO}-SP",
        f"nº.{CPF}",
    ],
)
def test_a_cpf_next_to_a_slash_hyphen_or_dot_is_still_masked(texto: str) -> None:
    mascarado = mascarar_texto(texto)

    assert CPF not in mascarado and CPF_PONTUADO not in mascarado


def test_hash_documento_is_keyed_and_punctuation_insensitive() -> None:
    assert hash_documento(b"segredo", CPF) == hash_documento(b"segredo", CPF_PONTUADO)
    assert hash_documento(b"segredo", "11222333000181") == hash_documento(b"segredo", "11.222.333/0001-81")
    assert hash_documento(b"segredo", CPF) != hash_documento(b"outro segredo", CPF)
    assert hash_documento(b"segredo", CPF) != hash_documento(b"segredo", OUTRO_CPF)
    assert CPF not in hash_documento(b"segredo", CPF)
    assert len(hash_documento(b"segredo", CPF)) == 64


@given(st.binary(max_size=32), st.binary(max_size=32), _CPFS)
def test_different_secrets_give_different_hashes(um: bytes, outro: bytes, cpf: str) -> None:
    if um.rstrip(b"\0") != outro.rstrip(b"\0"):  # HMAC pads short keys with zeros: those are the same key
        assert hash_documento(um, cpf) != hash_documento(outro, cpf)


def _pontuado(cpf: str) -> str:
    return f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"


# Free text may hold anything, digits included; what touches the CPF is a separator that cannot be part of a
# number (the '/', '-' and '.' neighbours are the test above).
_TEXTO_LIVRE = st.text("abcdeçãé XYZ0123456789,;:()!?\n\t./-", max_size=30)


_VIZINHOS = st.sampled_from([" ", "\n", ",", ";", ":", "(", ")", "!", "?", "a", "Ç", "\t"])


@given(
    _CPFS,
    st.booleans(),
    _TEXTO_LIVRE,
    _VIZINHOS,
    _VIZINHOS,
    _TEXTO_LIVRE,
    st.booleans(),
    st.booleans(),
)
def test_a_valid_cpf_embedded_in_any_text_never_survives_masking(
    cpf: str,
    pontuar: bool,
    antes: str,
    vizinho_antes: str,
    vizinho_depois: str,
    depois: str,
    no_inicio: bool,
    no_fim: bool,
) -> None:
    assert is_cpf(cpf)
    escrito = _pontuado(cpf) if pontuar else cpf
    prefixo = "" if no_inicio else antes + vizinho_antes
    sufixo = "" if no_fim else vizinho_depois + depois

    mascarado = mascarar_texto(prefixo + escrito + sufixo)

    assert cpf not in mascarado
    assert _pontuado(cpf) not in mascarado
    assert mascarar_cpf(cpf) in mascarado


@given(st.integers(0, 2**32), st.sampled_from(["", "CNPJ ", "empresa: "]), st.booleans())
def test_a_generated_cnpj_is_never_altered(semente: int, prefixo: str, pontuar: bool) -> None:
    cnpj = gerar_cnpj(random.Random(semente))
    escrito = mascarar_documento(cnpj) if pontuar else cnpj

    assert mascarar_texto(prefixo + escrito) == prefixo + escrito


@given(st.text("0123456789 .-/*ab", max_size=60))
def test_masking_is_idempotent(texto: str) -> None:
    assert mascarar_texto(mascarar_texto(texto)) == mascarar_texto(texto)


def test_a_document_hash_names_its_key() -> None:
    chave = ChaveSecreta("k2", b"segredo")
    assert hash_documento(chave, CPF) == "k2-" + hash_documento(b"segredo", CPF)


def test_a_search_asks_for_the_hash_of_every_listed_key_and_the_one_without_id() -> None:
    chaveiro = Chaveiro([ChaveSecreta("k2", b"nova"), ChaveSecreta("k0", b"antiga")])
    assert hashes_documento(chaveiro, CPF_PONTUADO) == [
        hash_documento(ChaveSecreta("k2", b"nova"), CPF),
        hash_documento(ChaveSecreta("k0", b"antiga"), CPF),
        hash_documento(b"antiga", CPF),  # indexed before key ids
    ]
    assert hashes_documento(Chaveiro([ChaveSecreta("k2", b"nova")]), CPF) == [
        hash_documento(ChaveSecreta("k2", b"nova"), CPF)
    ]
