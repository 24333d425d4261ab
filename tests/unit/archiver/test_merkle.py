"""RFC 6962 hashing and proofs: the certificate-transparency test vectors and hypothesis properties."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archiver.merkle import (
    Arvore,
    Fronteira,
    hash_folha,
    hash_no,
    raiz,
    verificar_consistencia,
    verificar_inclusao,
)

# The leaves and roots of the certificate-transparency / transparency-dev Merkle test vectors.
FOLHAS = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
RAIZES = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSAO = [  # (leaf index, tree size, audit path)
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (0, 1, []),
]  # fmt: skip
CONSISTENCIA = [  # (old size, new size, proof)
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip
HASHES = [hash_folha(f) for f in FOLHAS]


def test_empty_tree_is_the_hash_of_nothing() -> None:
    assert raiz([]) == hashlib.sha256(b"").digest()


@pytest.mark.parametrize("tamanho", range(1, 9))
def test_roots_match_the_test_vectors(tamanho: int) -> None:
    assert raiz(HASHES[:tamanho]).hex() == RAIZES[tamanho - 1]
    assert Arvore(HASHES).raiz(tamanho).hex() == RAIZES[tamanho - 1]


@pytest.mark.parametrize(("indice", "tamanho", "caminho"), INCLUSAO)
def test_inclusion_proofs_match_the_test_vectors(indice: int, tamanho: int, caminho: list[str]) -> None:
    prova = Arvore(HASHES).inclusao(indice, tamanho)
    assert [h.hex() for h in prova] == caminho
    raiz_arvore = bytes.fromhex(RAIZES[tamanho - 1])
    assert verificar_inclusao(HASHES[indice], indice=indice, tamanho=tamanho, caminho=prova, raiz=raiz_arvore)


@pytest.mark.parametrize(("antigo", "novo", "prova"), CONSISTENCIA)
def test_consistency_proofs_match_the_test_vectors(antigo: int, novo: int, prova: list[str]) -> None:
    calculada = Arvore(HASHES).consistencia(antigo, novo)
    assert [h.hex() for h in calculada] == prova
    assert verificar_consistencia(
        antigo=antigo,
        novo=novo,
        raiz_antiga=bytes.fromhex(RAIZES[antigo - 1]),
        raiz_nova=bytes.fromhex(RAIZES[novo - 1]),
        prova=calculada,
    )


def _folhas(n: int) -> list[bytes]:
    return [hash_folha(i.to_bytes(4, "big")) for i in range(n)]


def _mth(folhas: list[bytes]) -> bytes:
    """RFC 6962's definition, written the slow way, as the oracle."""
    if len(folhas) == 1:
        return folhas[0]
    k = 1
    while k * 2 < len(folhas):
        k *= 2
    return hash_no(_mth(folhas[:k]), _mth(folhas[k:]))


def _virar_bit(dados: bytes, bit: int) -> bytes:
    b = bytearray(dados)
    b[(bit // 8) % len(b)] ^= 1 << (bit % 8)
    return bytes(b)


@given(st.integers(1, 300))
def test_frontier_and_levels_give_the_definitions_root(n: int) -> None:
    folhas = _folhas(n)
    assert raiz(folhas) == _mth(folhas) == Arvore(folhas).raiz()


@given(st.integers(2, 200), st.data())
def test_frontier_round_trips_through_its_stored_hashes(n: int, data: st.DataObject) -> None:
    corte = data.draw(st.integers(0, n))
    folhas = _folhas(n)
    inicio = Fronteira()
    for f in folhas[:corte]:
        inicio.adicionar(f)
    retomada = Fronteira.de(inicio.tamanho, inicio.hashes)
    for f in folhas[corte:]:
        retomada.adicionar(f)
    assert retomada.raiz() == raiz(folhas)


@given(st.integers(1, 200), st.data())
def test_every_inclusion_proof_verifies_and_any_bit_flip_fails(n: int, data: st.DataObject) -> None:
    folhas = _folhas(n)
    arvore = Arvore(folhas)
    indice = data.draw(st.integers(0, n - 1))
    caminho = arvore.inclusao(indice)
    r = arvore.raiz()
    assert verificar_inclusao(folhas[indice], indice=indice, tamanho=n, caminho=caminho, raiz=r)
    bit = data.draw(st.integers(0, 255))
    assert not verificar_inclusao(
        _virar_bit(folhas[indice], bit), indice=indice, tamanho=n, caminho=caminho, raiz=r
    )
    assert not verificar_inclusao(
        folhas[indice], indice=indice, tamanho=n, caminho=caminho, raiz=_virar_bit(r, bit)
    )
    if caminho:
        quebrado = list(caminho)
        alvo = data.draw(st.integers(0, len(caminho) - 1))
        quebrado[alvo] = _virar_bit(quebrado[alvo], bit)
        assert not verificar_inclusao(folhas[indice], indice=indice, tamanho=n, caminho=quebrado, raiz=r)
    if n > 1:
        outro = (indice + 1) % n
        assert not verificar_inclusao(folhas[indice], indice=outro, tamanho=n, caminho=caminho, raiz=r)


@given(st.integers(1, 200), st.data())
def test_every_consistency_proof_verifies_and_any_bit_flip_fails(n: int, data: st.DataObject) -> None:
    folhas = _folhas(n)
    arvore = Arvore(folhas)
    antigo = data.draw(st.integers(1, n))
    prova = arvore.consistencia(antigo)
    raiz_antiga, raiz_nova = arvore.raiz(antigo), arvore.raiz()
    assert verificar_consistencia(
        antigo=antigo, novo=n, raiz_antiga=raiz_antiga, raiz_nova=raiz_nova, prova=prova
    )
    bit = data.draw(st.integers(0, 255))
    assert not verificar_consistencia(
        antigo=antigo, novo=n, raiz_antiga=_virar_bit(raiz_antiga, bit), raiz_nova=raiz_nova, prova=prova
    )
    assert not verificar_consistencia(
        antigo=antigo, novo=n, raiz_antiga=raiz_antiga, raiz_nova=_virar_bit(raiz_nova, bit), prova=prova
    )
    if prova:
        quebrada = list(prova)
        alvo = data.draw(st.integers(0, len(prova) - 1))
        quebrada[alvo] = _virar_bit(quebrada[alvo], bit)
        assert not verificar_consistencia(
            antigo=antigo, novo=n, raiz_antiga=raiz_antiga, raiz_nova=raiz_nova, prova=quebrada
        )
