"""The notifier's batch plan (notifier/lote.py): messages in; items, e-mails and bounce marks out."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from notifier.lote import ItemLote, itens_do_lote, planejar_devolucoes, planejar_lote
from notifier.messages import Inscrito
from notifier.subscriptions import Inscricoes
from protocolo.avro import catalogo_padrao
from protocolo.chaveiro import Chaveiro
from protocolo.entrada import Entrada
from protocolo.inscricoes import Devolucao, EstadoInscricao, devolucao_to_avro
from protocolo.links_inscricao import AcaoLink, verificar_link
from tests.fixtures.notificacoes import (
    JOSE,
    MARIA,
    NUP,
    REDATOR,
    SEGREDO,
    T0,
    inscricao,
    inscricoes_de,
    movimento,
)

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


def test_a_batch_mails_each_confirmed_subscriber_once_per_movement_minus_the_sent_log() -> None:
    inscricoes = inscricoes_de(
        (MARIA, inscricao("maria@example.org", "CONFIRMADA")),
        (JOSE, inscricao("jose@example.org", "CONFIRMADA")),
    )
    itens = [ItemLote("movimento", movimento(1)), ItemLote("movimento", movimento(2))]
    todos = planejar_lote(itens, inscricoes, set(), REDATOR, T0)
    ja_enviado = todos[0].message_id

    envios = planejar_lote(
        [*itens, ItemLote("movimento", movimento(1))], inscricoes, {ja_enviado}, REDATOR, T0
    )

    assert len(todos) == 4 and len({e.message_id for e in todos}) == 4
    assert [e.message_id for e in envios] == [e.message_id for e in todos[1:]]


def test_a_pending_request_gets_one_confirmation_until_it_expires() -> None:
    pedido = inscricao("maria@example.org", "PENDENTE")
    inscricoes = inscricoes_de((MARIA, pedido))
    item = ItemLote("inscricao", pedido, MARIA)

    (envio,) = planejar_lote([item, item], inscricoes, set(), REDATOR, T0 + timedelta(hours=1))
    replay = planejar_lote([item], inscricoes, {envio.message_id}, REDATOR, T0 + timedelta(hours=1))
    expirado = planejar_lote([item], inscricoes, set(), REDATOR, T0 + timedelta(hours=49))

    assert envio.chave == MARIA and envio.mensagem["To"] == "maria@example.org"
    assert envio.mensagem["Subject"] == "Confirme: acompanhar o processo 23037.001462/2021-65"
    assert replay == [] and expirado == []


def test_a_replayed_request_already_confirmed_or_asked_again_is_not_mailed() -> None:
    pedido = inscricao("maria@example.org", "PENDENTE")
    item = ItemLote("inscricao", pedido, MARIA)
    confirmada = inscricoes_de((MARIA, inscricao("maria@example.org", "CONFIRMADA")))
    de_novo = inscricoes_de(
        (MARIA, inscricao("maria@example.org", "PENDENTE", solicitada_em=T0 + timedelta(hours=1)))
    )

    assert planejar_lote([item], confirmada, set(), REDATOR, T0) == []
    assert planejar_lote([item], de_novo, set(), REDATOR, T0) == []
    assert planejar_lote([ItemLote("inscricao", None, MARIA)], de_novo, set(), REDATOR, T0) == []


def _link(corpo: str, acao: str) -> str:
    inicio = corpo.index(f"https://protocolo.gov.br/inscricoes/{acao}/")
    return corpo[inicio:].split()[0].split('"')[0]


def test_the_confirmation_carries_a_signed_expiring_link_without_the_address() -> None:
    pedido = inscricao("maria@example.org", "PENDENTE")
    (envio,) = planejar_lote([ItemLote("inscricao", pedido, MARIA)], inscricoes_de(), set(), REDATOR, T0)
    texto = envio.mensagem.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]

    link = _link(texto, "confirmar")
    token = link.rsplit("/", 1)[1]
    assert verificar_link(Chaveiro([SEGREDO]), token, AcaoLink.CONFIRMAR, T0 + timedelta(hours=47)) == MARIA
    assert "maria" not in link
    assert "07/03/2024 às 14:00" in texto  # 48 h later, Brasília time


def test_every_movement_email_has_one_click_unsubscribe_headers() -> None:
    mensagem = REDATOR.movimento(movimento(1), Inscrito(MARIA, NUP, "maria@example.org"))
    texto = mensagem.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = mensagem.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]

    cabecalho = mensagem["List-Unsubscribe"]
    assert cabecalho.startswith("<https://protocolo.gov.br/inscricoes/cancelar/") and cabecalho.endswith(">")
    assert mensagem["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = cabecalho.strip("<>").rsplit("/", 1)[1]
    assert verificar_link(Chaveiro([SEGREDO]), token, AcaoLink.CANCELAR, T0 + timedelta(days=3650)) == MARIA
    assert cabecalho.strip("<>") in texto and cabecalho.strip("<>") in html
