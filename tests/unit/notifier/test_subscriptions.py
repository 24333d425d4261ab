"""notifier.subscriptions: the in-memory table of subscriptions, fed by the compacted topic."""

from __future__ import annotations

from typing import Any

import pytest

from notifier.messages import Inscrito
from notifier.subscriptions import Inscricoes
from tests.fixtures.eventos import NUP, NUP_OUTRO, T0
from tests.fixtures.notificacoes import JOSE, MARIA, inscricao, inscricoes_de


def _registro(nup: str, email: str) -> dict[str, Any]:
    return {"nup": nup, "email": email, "criada_em": T0}


def test_inscricoes_adds_replaces_and_removes_on_tombstone() -> None:
    inscricoes = Inscricoes()

    inscricoes.aplicar("k2", _registro(NUP, "jose@example.org"))
    inscricoes.aplicar("k1", _registro(NUP, "maria@example.org"))
    assert inscricoes.do_processo(NUP) == [
        Inscrito("k1", NUP, "maria@example.org"),
        Inscrito("k2", NUP, "jose@example.org"),
    ]

    inscricoes.aplicar("k1", _registro(NUP, "maria.silva@example.org"))
    assert [i.email for i in inscricoes.do_processo(NUP)] == ["maria.silva@example.org", "jose@example.org"]
    assert len(inscricoes) == 2

    inscricoes.aplicar("k2", None)
    assert inscricoes.do_processo(NUP) == [Inscrito("k1", NUP, "maria.silva@example.org")]
    assert len(inscricoes) == 1


def test_a_subscription_replaced_with_another_nup_moves_to_it() -> None:
    inscricoes = Inscricoes()

    inscricoes.aplicar("k1", _registro(NUP, "maria@example.org"))
    inscricoes.aplicar("k1", _registro(NUP_OUTRO, "maria@example.org"))

    assert inscricoes.do_processo(NUP) == []
    assert inscricoes.do_processo(NUP_OUTRO) == [Inscrito("k1", NUP_OUTRO, "maria@example.org")]
    assert len(inscricoes) == 1


def test_a_tombstone_for_an_unknown_key_changes_nothing() -> None:
    inscricoes = Inscricoes()
    inscricoes.aplicar("k1", _registro(NUP, "maria@example.org"))

    inscricoes.aplicar("desconhecida", None)

    assert len(inscricoes) == 1
    assert inscricoes.do_processo("00000000000000000") == []


@pytest.mark.parametrize(
    ("estado", "mailed"),
    [("PENDENTE", False), ("CONFIRMADA", True), ("CANCELADA", False), ("DEVOLVENDO", False)],
)
def test_only_confirmed_subscriptions_receive_movements(estado: str, mailed: bool) -> None:
    inscricoes = inscricoes_de((MARIA, inscricao("maria@example.org", estado)))

    assert (inscricoes.do_processo(NUP, "ENVIO") == [Inscrito(MARIA, NUP, "maria@example.org")]) is mailed


def test_the_latest_record_wins_and_a_tombstone_unsubscribes() -> None:
    inscricoes = inscricoes_de(
        (MARIA, inscricao("maria@example.org", "PENDENTE")),
        (MARIA, inscricao("maria@example.org", "CONFIRMADA")),
        (JOSE, inscricao("jose@example.org", "CONFIRMADA")),
        (JOSE, None),
    )

    assert [i.chave for i in inscricoes.do_processo(NUP, "ENVIO")] == [MARIA]
    assert inscricoes.buscar(JOSE) is None


def test_the_operation_filter_is_honoured() -> None:
    inscricoes = inscricoes_de(
        (MARIA, inscricao("maria@example.org", "CONFIRMADA", ["ARQUIVAMENTO"])),
        (JOSE, inscricao("jose@example.org", "CONFIRMADA")),
    )

    assert {i.chave for i in inscricoes.do_processo(NUP, "ENVIO")} == {JOSE}
    assert {i.chave for i in inscricoes.do_processo(NUP, "ARQUIVAMENTO")} == {MARIA, JOSE}


def test_one_address_gets_one_email_while_a_rekey_is_half_read() -> None:
    # rekey writes the subscription under its new key before it removes the old one
    inscricoes = inscricoes_de(
        ("k1-velha", inscricao("maria@example.org", "CONFIRMADA")),
        ("k2-nova", inscricao("maria@example.org", "CONFIRMADA")),
        ("k2-jose", inscricao("jose@example.org", "CONFIRMADA")),
    )
    assert [i.chave for i in inscricoes.do_processo(NUP)] == ["k1-velha", "k2-jose"]
    inscricoes.aplicar("k1-velha", None)
    assert [i.chave for i in inscricoes.do_processo(NUP)] == ["k2-jose", "k2-nova"]
