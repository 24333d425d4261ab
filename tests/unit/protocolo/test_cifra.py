"""Sealed secrets: they open with the same platform secret and record only."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocolo.cifra import Cofre
from protocolo.errors import SealedSecretUnreadable

COFRE = Cofre(b"segredo da plataforma", "webhooks-segredos")


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
        lambda s: Cofre(b"outro segredo", "webhooks-segredos").abrir(s, vinculo="wh_1"),
        lambda s: Cofre(b"segredo da plataforma", "outro-proposito").abrir(s, vinculo="wh_1"),
        lambda s: COFRE.abrir(s, vinculo="wh_2"),
        lambda s: COFRE.abrir(s[:-1] + bytes([s[-1] ^ 1]), vinculo="wh_1"),
        lambda s: COFRE.abrir(b"\x02" + s[1:], vinculo="wh_1"),
        lambda s: COFRE.abrir(s[:20], vinculo="wh_1"),
    ],
    ids=[
        "other platform secret",
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
