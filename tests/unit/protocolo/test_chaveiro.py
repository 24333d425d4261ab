"""protocolo.chaveiro: the key ring's format, its lookups, and the `<id>-<hex>` labels."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocolo.chaveiro import (
    ID_LEGADO,
    Chaveiro,
    ChaveiroInvalido,
    ChaveSecreta,
    bytes_de,
    ler_chaveiro,
    rotular,
    separar,
)

ids = st.from_regex(r"[a-z0-9]{1,16}", fullmatch=True)
segredos = st.text(
    st.characters(blacklist_characters=",", blacklist_categories=("Cs", "Zs", "Cc")), min_size=1, max_size=40
)


def test_the_first_listed_key_is_the_current_one() -> None:
    chaveiro = ler_chaveiro("k2:novo, k1:velho")
    assert chaveiro.atual == ChaveSecreta("k2", b"novo")
    assert chaveiro.ids() == ["k2", "k1"]
    assert chaveiro.para("k1") == ChaveSecreta("k1", b"velho")
    assert chaveiro.para("k9") is None


def test_a_secret_may_hold_colons() -> None:
    assert ler_chaveiro("k1:a:b:c").atual.segredo == b"a:b:c"


def test_values_without_an_id_are_checked_with_k0_only() -> None:
    assert ler_chaveiro("k1:novo").para(None) is None
    chaveiro = ler_chaveiro(f"k1:novo,{ID_LEGADO}:velho")
    assert chaveiro.para(None) == ChaveSecreta(ID_LEGADO, b"velho") == chaveiro.legada


def test_one_key_alone_is_k0() -> None:
    chaveiro = Chaveiro.de_uma(b"unico")
    assert chaveiro.atual.id == ID_LEGADO and chaveiro.legada == chaveiro.atual


@pytest.mark.parametrize(
    ("texto", "motivo"),
    [
        ("", "nenhuma chave"),
        ("k1", "id:segredo"),
        ("k1:", "vazia"),
        ("K1:x", "id de chave inválido"),
        ("k-1:x", "id de chave inválido"),
        ("k1:x,k1:y", "repetido"),
        ("a" * 17 + ":x", "id de chave inválido"),
    ],
)
def test_a_bad_key_list_is_refused_with_the_reason(texto: str, motivo: str) -> None:
    with pytest.raises(ChaveiroInvalido, match=motivo):
        ler_chaveiro(texto)


def test_no_secret_shows_in_a_repr() -> None:
    chaveiro = ler_chaveiro("k2:segredo-novo,k1:segredo-velho")
    assert "segredo" not in repr(chaveiro) and "segredo" not in repr(chaveiro.atual)


@given(st.lists(st.tuples(ids, segredos), min_size=1, max_size=5, unique_by=lambda c: c[0]))
def test_a_written_ring_reads_back_the_same(chaves: list[tuple[str, str]]) -> None:
    texto = ",".join(f"{id_}:{segredo}" for id_, segredo in chaves)
    chaveiro = ler_chaveiro(texto)
    assert [(c.id, c.segredo) for c in chaveiro] == [(i, s.strip().encode()) for i, s in chaves]


@given(ids, st.text(alphabet="0123456789abcdef", min_size=1, max_size=64))
def test_a_label_names_its_key_and_gives_the_value_back(id_: str, valor: str) -> None:
    assert separar(rotular(ChaveSecreta(id_, b"x"), valor)) == (id_, valor)


@given(st.text(alphabet="0123456789abcdef", min_size=1, max_size=64))
def test_a_raw_key_makes_values_without_an_id(valor: str) -> None:
    assert rotular(b"x", valor) == valor
    assert separar(valor) == (None, valor)
    assert bytes_de(b"x") == bytes_de(ChaveSecreta("k1", b"x")) == b"x"
