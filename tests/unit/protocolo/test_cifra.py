"""Sealed secrets: they open with a key of the same ring and the same record only."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocolo.chaveiro import Chaveiro, ChaveSecreta
from protocolo.cifra import Cofre
from protocolo.errors import SealedSecretUnreadable

K0 = ChaveSecreta("k0", b"segredo da plataforma")
K1 = ChaveSecreta("k1", b"a chave de antes")
K2 = ChaveSecreta("k2", b"a chave de agora")
COFRE = Cofre(Chaveiro([K0]), "webhooks-segredos")


@given(st.binary(min_size=1, max_size=64))
def test_a_sealed_secret_opens_to_itself(segredo: bytes) -> None:
    selado = COFRE.selar(segredo, vinculo="wh_1")
    assert COFRE.abrir(selado, vinculo="wh_1") == segredo
    assert segredo not in selado[13:] or len(segredo) < 4  # the stored bytes are not the secret


def test_sealing_twice_gives_different_bytes() -> None:
    assert COFRE.selar(b"k" * 32, vinculo="wh_1") != COFRE.selar(b"k" * 32, vinculo="wh_1")


@pytest.mark.parametrize(
    "abrir",
    [
        lambda s: Cofre(Chaveiro([K1]), "webhooks-segredos").abrir(s, vinculo="wh_1"),
        lambda s: Cofre(Chaveiro([K2, K1]), "webhooks-segredos").abrir(s, vinculo="wh_1"),
        lambda s: Cofre(Chaveiro([K0]), "outro-proposito").abrir(s, vinculo="wh_1"),
        lambda s: COFRE.abrir(s, vinculo="wh_2"),
        lambda s: COFRE.abrir(s[:-1] + bytes([s[-1] ^ 1]), vinculo="wh_1"),
        lambda s: COFRE.abrir(b"\x02" + s[1:], vinculo="wh_1"),
        lambda s: COFRE.abrir(s[:20], vinculo="wh_1"),
    ],
    ids=[
        "other platform key",
        "a ring without the key that sealed it",
        "other purpose",
        "other record",
        "tampered",
        "unknown version",
        "truncated",
    ],
)
def test_a_sealed_secret_does_not_open_elsewhere(abrir: object) -> None:
    selado = COFRE.selar(b"k" * 32, vinculo="wh_1")
    with pytest.raises(SealedSecretUnreadable):
        abrir(selado)  # type: ignore[operator]


def test_a_secret_sealed_under_k1_opens_after_the_ring_becomes_k2_k1() -> None:
    selado_k1 = Cofre(Chaveiro([K1]), "webhooks-segredos").selar(b"whsec de antes", vinculo="wh_1")
    assert (
        Cofre(Chaveiro([K2, K1]), "webhooks-segredos").abrir(selado_k1, vinculo="wh_1") == b"whsec de antes"
    )


def test_new_seals_use_the_current_key() -> None:
    selado = Cofre(Chaveiro([K2, K1]), "webhooks-segredos").selar(b"whsec novo", vinculo="wh_1")
    assert Cofre(Chaveiro([K2]), "webhooks-segredos").abrir(selado, vinculo="wh_1") == b"whsec novo"
    with pytest.raises(SealedSecretUnreadable):
        Cofre(Chaveiro([K1]), "webhooks-segredos").abrir(selado, vinculo="wh_1")


def test_a_secret_sealed_before_key_rotation_opens_with_k0_in_the_ring() -> None:
    antes = COFRE.selar(b"whsec de sempre", vinculo="wh_1")  # PROTOCOLO_SECRET_KEY alone: the ring [k0]
    assert Cofre(Chaveiro([K1, K0]), "webhooks-segredos").abrir(antes, vinculo="wh_1") == b"whsec de sempre"
