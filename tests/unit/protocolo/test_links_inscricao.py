"""protocolo.links_inscricao: signed confirmation and unsubscribe links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from protocolo.chaveiro import Chaveiro, ChaveSecreta
from protocolo.inscricoes import (
    chave_inscricao,
)
from protocolo.links_inscricao import (
    AcaoLink,
    LinkExpirado,
    LinkInvalido,
    assinar_link,
    url_link,
    verificar_link,
)

T0 = datetime(2024, 3, 5, 17, 0, tzinfo=UTC)


NUP = "23037001462202165"


SEGREDO = ChaveSecreta("k1", b"segredo de teste")
CHAVEIRO = Chaveiro([SEGREDO])


CHAVE = chave_inscricao(SEGREDO, NUP, "maria@example.org")


def test_a_confirmation_link_verifies_until_it_expires() -> None:
    token = assinar_link(SEGREDO, AcaoLink.CONFIRMAR, CHAVE, T0 + timedelta(hours=48))

    assert verificar_link(CHAVEIRO, token, AcaoLink.CONFIRMAR, T0 + timedelta(hours=47)) == CHAVE
    with pytest.raises(LinkExpirado):
        verificar_link(CHAVEIRO, token, AcaoLink.CONFIRMAR, T0 + timedelta(hours=49))


def test_an_unsubscribe_link_never_expires() -> None:
    token = assinar_link(SEGREDO, AcaoLink.CANCELAR, CHAVE, None)

    assert verificar_link(CHAVEIRO, token, AcaoLink.CANCELAR, T0 + timedelta(days=3650)) == CHAVE


def _adulterar(token: str, parte: int, valor: str) -> str:
    partes = token.split(".")
    partes[parte] = valor
    return ".".join(partes)


OUTRA = ChaveSecreta("k1", b"outro segredo")
TOKEN = assinar_link(SEGREDO, AcaoLink.CONFIRMAR, CHAVE, T0 + timedelta(hours=48))


@pytest.mark.parametrize(
    "token",
    [
        _adulterar(TOKEN, 1, "0" * 64),
        _adulterar(TOKEN, 2, str(int((T0 + timedelta(days=999)).timestamp()))),
        _adulterar(TOKEN, 3, "k1-" + "f" * 32),
        _adulterar(TOKEN, 0, "cancelar"),
        assinar_link(
            ChaveSecreta("k1", b"outro segredo"), AcaoLink.CONFIRMAR, CHAVE, T0 + timedelta(hours=48)
        ),
        "",
        "confirmar.x.1.y",
        TOKEN + "0",
    ],
    ids=[
        "other key",
        "later expiry",
        "bad signature",
        "other action",
        "other secret",
        "empty",
        "garbage",
        "longer",
    ],
)
def test_a_forged_or_altered_link_is_invalid(token: str) -> None:
    with pytest.raises(LinkInvalido):
        verificar_link(CHAVEIRO, token, AcaoLink.CONFIRMAR, T0)


def test_links_carry_no_address_and_name_their_action() -> None:
    url = url_link("https://protocolo.gov.br/", TOKEN)

    assert url == f"https://protocolo.gov.br/inscricoes/confirmar/{TOKEN}"
    assert "maria" not in url and "@" not in url
