"""The notifier's batch plan (notifier/lote.py): messages in; items, e-mails and bounce marks out."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from notifier.lote import itens_do_lote, planejar_devolucoes, planejar_lote
from notifier.subscriptions import Inscricoes
from protocolo.avro import catalogo_padrao
from protocolo.entrada import Entrada
from protocolo.inscricoes import Devolucao, EstadoInscricao, devolucao_to_avro
from tests.fixtures.notificacoes import JOSE, MARIA, NUP, REDATOR, T0, inscricao, movimento

MOVIMENTOS, INSCRICOES = "t.movimentos", "t.inscricoes"
CATALOGO = catalogo_padrao()


def _entrada(topico: str, offset: int, chave: bytes, valor: bytes | None) -> Entrada:
    return Entrada(topico, 0, offset, chave, valor)


def test_messages_become_items_by_topic_and_a_bad_one_is_skipped() -> None:
    envio = CATALOGO.encode("movimento", movimento(1))
    pedido = CATALOGO.encode("inscricao", inscricao("maria@example.org", "PENDENTE"))
    entradas = [
        _entrada(MOVIMENTOS, 0, NUP.encode(), envio),
        _entrada(INSCRICOES, 0, MARIA.encode(), pedido),
        _entrada(MOVIMENTOS, 1, NUP.encode(), b"\x00lixo"),
        _entrada(INSCRICOES, 1, JOSE.encode(), None),  # a tombstone
    ]

    itens = itens_do_lote(entradas, catalogo=CATALOGO, topico_movimentos=MOVIMENTOS)

    assert [(i.tipo, i.chave, i.registro is None) for i in itens] == [
        ("movimento", NUP, False),
        ("inscricao", MARIA, False),
        ("inscricao", JOSE, True),
    ]
    assert itens[0].registro is not None and itens[0].registro["id"] == "23000:SEI-1"


def test_decoded_items_plan_one_email_per_confirmed_subscriber_and_pending_request() -> None:
    inscricoes = Inscricoes()
    inscricoes.aplicar(JOSE, inscricao("jose@example.org", "CONFIRMADA"))
    pedido = inscricao("maria@example.org", "PENDENTE")
    inscricoes.aplicar(MARIA, pedido)
    entradas = [
        _entrada(MOVIMENTOS, 0, NUP.encode(), CATALOGO.encode("movimento", movimento(1))),
        _entrada(INSCRICOES, 0, MARIA.encode(), CATALOGO.encode("inscricao", pedido)),
    ]
    itens = itens_do_lote(entradas, catalogo=CATALOGO, topico_movimentos=MOVIMENTOS)

    envios = planejar_lote(itens, inscricoes, set(), REDATOR, T0 + timedelta(minutes=1))

    assert [(e.chave, e.mensagem["To"]) for e in envios] == [
        (JOSE, "jose@example.org"),
        (MARIA, "maria@example.org"),
    ]


DEPOIS = T0 + timedelta(days=1)


@pytest.mark.parametrize(
    ("estado", "recusas", "marcada"),
    [
        pytest.param("CONFIRMADA", 3, True, id="refused max times: bouncing"),
        pytest.param("CONFIRMADA", 2, False, id="below the max: still mailed"),
        pytest.param("CONFIRMADA", 7, True, id="beyond the max"),
        pytest.param("PENDENTE", 3, True, id="a pending request bounces too"),
        pytest.param("DEVOLVENDO", 9, False, id="already bouncing: nothing new"),
        pytest.param(None, 9, False, id="unknown subscription: nothing"),
    ],
)
def test_subscriptions_refused_too_often_since_their_last_change_are_marked_bouncing(
    estado: str | None, recusas: int, marcada: bool
) -> None:
    inscricoes = Inscricoes()
    if estado is not None:
        inscricoes.aplicar(MARIA, inscricao("maria@example.org", estado))
    perguntas: list[tuple[str, datetime | None]] = []

    def contar(chave: str, desde: datetime | None) -> int:
        perguntas.append((chave, desde))
        return recusas

    marcas = planejar_devolucoes([MARIA, MARIA], inscricoes, contar, devolucoes_max=3, agora=DEPOIS)

    assert marcas == ([Devolucao(MARIA, T0, recusas, DEPOIS)] if marcada else [])
    if estado in ("CONFIRMADA", "PENDENTE"):
        assert perguntas == [(MARIA, T0)]  # counted once, since the subscription's last change
    for marca in marcas:  # applied, the mark makes the subscription bounce and stop being mailed
        inscricoes.aplicar_devolucao(marca.chave, devolucao_to_avro(marca))
        atual = inscricoes.buscar(MARIA)
        assert atual is not None and atual.estado is EstadoInscricao.DEVOLVENDO
        assert inscricoes.do_processo(NUP) == []


def test_only_the_refused_subscriptions_are_judged_in_key_order() -> None:
    inscricoes = Inscricoes()
    for chave, email in ((MARIA, "maria@example.org"), (JOSE, "jose@example.org")):
        inscricoes.aplicar(chave, inscricao(email, "CONFIRMADA"))

    marcadas = planejar_devolucoes(
        [MARIA, JOSE], inscricoes, lambda _c, _d: 3, devolucoes_max=3, agora=DEPOIS
    )

    assert [m.chave for m in marcadas] == sorted([MARIA, JOSE])
    assert planejar_devolucoes([], inscricoes, lambda _c, _d: 3, devolucoes_max=3, agora=DEPOIS) == []
