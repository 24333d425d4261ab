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


NOVA = ChaveSecreta("k2", b"segredo novo")
ROTACIONADO = Chaveiro([NOVA, SEGREDO])


def test_a_new_link_names_the_current_key() -> None:
    token = assinar_link(NOVA, AcaoLink.CANCELAR, CHAVE, None)
    assert token.rsplit(".", 1)[1].startswith("k2-")
    assert verificar_link(ROTACIONADO, token, AcaoLink.CANCELAR, T0) == CHAVE


def test_a_link_signed_with_a_previous_key_stays_valid_until_the_key_leaves_the_ring() -> None:
    token = assinar_link(SEGREDO, AcaoLink.CANCELAR, CHAVE, None)
    assert verificar_link(ROTACIONADO, token, AcaoLink.CANCELAR, T0) == CHAVE
    with pytest.raises(LinkInvalido):
        verificar_link(Chaveiro([NOVA]), token, AcaoLink.CANCELAR, T0)


def test_a_link_made_before_key_ids_is_checked_with_k0() -> None:
    antiga = b"PROTOCOLO_SECRET_KEY de antes"
    chave_antiga = chave_inscricao(antiga, NUP, "maria@example.org")
    token = assinar_link(antiga, AcaoLink.CANCELAR, chave_antiga, None)  # the format before rotation
    assert "-" not in token
    ring = Chaveiro([NOVA, ChaveSecreta("k0", antiga)])
    assert verificar_link(ring, token, AcaoLink.CANCELAR, T0) == chave_antiga
    with pytest.raises(LinkInvalido):
        verificar_link(Chaveiro([NOVA, ChaveSecreta("k1", antiga)]), token, AcaoLink.CANCELAR, T0)


def test_a_link_cannot_move_to_another_key_by_its_id() -> None:
    token = assinar_link(SEGREDO, AcaoLink.CANCELAR, CHAVE, None)
    trocado = token.replace(".k1-", ".k2-")
    with pytest.raises(LinkInvalido):
        verificar_link(ROTACIONADO, trocado, AcaoLink.CANCELAR, T0)
