"""Specification of the notifier's pure parts: materialisation, batch planning, headers, failures, rate."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from typing import Any

import pytest

from notifier.falhas import Ritmo, eh_permanente, proxima_espera
from notifier.lote import ItemLote, planejar_lote
from notifier.messages import Inscrito, render_email
from notifier.subscriptions import Inscricoes
from protocolo.links_inscricao import AcaoLink, verificar_link
from tests.fixtures.notificacoes import JOSE, MARIA, NUP, REDATOR, SEGREDO, T0, inscricao, movimento


def _inscricoes(*registros: tuple[str, dict[str, Any] | None]) -> Inscricoes:
    inscricoes = Inscricoes()
    for chave, registro in registros:
        inscricoes.aplicar(chave, registro)
    return inscricoes


# --- materialisation ---


@pytest.mark.parametrize(
    ("estado", "mailed"),
    [("PENDENTE", False), ("CONFIRMADA", True), ("CANCELADA", False), ("DEVOLVENDO", False)],
)
def test_only_confirmed_subscriptions_receive_movements(estado: str, mailed: bool) -> None:
    inscricoes = _inscricoes((MARIA, inscricao("maria@example.org", estado)))

    assert (inscricoes.do_processo(NUP, "ENVIO") == [Inscrito(MARIA, NUP, "maria@example.org")]) is mailed


def test_the_latest_record_wins_and_a_tombstone_unsubscribes() -> None:
    inscricoes = _inscricoes(
        (MARIA, inscricao("maria@example.org", "PENDENTE")),
        (MARIA, inscricao("maria@example.org", "CONFIRMADA")),
        (JOSE, inscricao("jose@example.org", "CONFIRMADA")),
        (JOSE, None),
    )

    assert [i.chave for i in inscricoes.do_processo(NUP, "ENVIO")] == [MARIA]
    assert inscricoes.buscar(JOSE) is None


def test_the_operation_filter_is_honoured() -> None:
    inscricoes = _inscricoes(
        (MARIA, inscricao("maria@example.org", "CONFIRMADA", ["ARQUIVAMENTO"])),
        (JOSE, inscricao("jose@example.org", "CONFIRMADA")),
    )

    assert {i.chave for i in inscricoes.do_processo(NUP, "ENVIO")} == {JOSE}
    assert {i.chave for i in inscricoes.do_processo(NUP, "ARQUIVAMENTO")} == {MARIA, JOSE}


# --- batch planning ---


def test_a_batch_mails_each_confirmed_subscriber_once_per_movement_minus_the_sent_log() -> None:
    inscricoes = _inscricoes(
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
    inscricoes = _inscricoes((MARIA, pedido))
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
    confirmada = _inscricoes((MARIA, inscricao("maria@example.org", "CONFIRMADA")))
    de_novo = _inscricoes(
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
    (envio,) = planejar_lote([ItemLote("inscricao", pedido, MARIA)], _inscricoes(), set(), REDATOR, T0)
    texto = envio.mensagem.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]

    link = _link(texto, "confirmar")
    token = link.rsplit("/", 1)[1]
    assert verificar_link(SEGREDO, token, AcaoLink.CONFIRMAR, T0 + timedelta(hours=47)) == MARIA
    assert "maria" not in link
    assert "07/03/2024 às 14:00" in texto  # 48 h later, Brasília time


# --- headers ---


def test_every_movement_email_has_one_click_unsubscribe_headers() -> None:
    mensagem = REDATOR.movimento(movimento(1), Inscrito(MARIA, NUP, "maria@example.org"))
    texto = mensagem.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = mensagem.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]

    cabecalho = mensagem["List-Unsubscribe"]
    assert cabecalho.startswith("<https://protocolo.gov.br/inscricoes/cancelar/") and cabecalho.endswith(">")
    assert mensagem["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = cabecalho.strip("<>").rsplit("/", 1)[1]
    assert verificar_link(SEGREDO, token, AcaoLink.CANCELAR, T0 + timedelta(days=3650)) == MARIA
    assert cabecalho.strip("<>") in texto and cabecalho.strip("<>") in html


def test_without_an_unsubscribe_link_there_are_no_list_headers() -> None:
    mensagem = render_email(
        movimento(1), Inscrito(MARIA, NUP, "m@x.org"), remetente="a@b.org", base_url="https://x"
    )

    assert mensagem["List-Unsubscribe"] is None and mensagem["List-Unsubscribe-Post"] is None


# --- failures and rate ---


@pytest.mark.parametrize(
    ("exc", "permanente"),
    [
        (smtplib.SMTPRecipientsRefused({"a@x.org": (550, b"no such user")}), True),
        (smtplib.SMTPRecipientsRefused({"a@x.org": (450, b"mailbox busy")}), False),
        (smtplib.SMTPDataError(554, b"rejected"), True),
        (smtplib.SMTPDataError(451, b"try later"), False),
        (smtplib.SMTPSenderRefused(550, b"sender", "a@b.org"), False),
        (smtplib.SMTPServerDisconnected("gone"), False),
        (ConnectionRefusedError(), False),
        (TimeoutError(), False),
    ],
    ids=["rcpt 5xx", "rcpt 4xx", "data 5xx", "data 4xx", "our sender", "disconnected", "refused", "timeout"],
)
def test_only_5xx_about_the_recipient_or_message_is_permanent(exc: BaseException, permanente: bool) -> None:
    assert eh_permanente(exc) is permanente


def test_backoff_doubles_up_to_its_cap() -> None:
    assert [proxima_espera(n, inicial_s=0.5, maxima_s=3) for n in range(1, 6)] == [0.5, 1, 2, 3, 3]


def test_the_rate_spaces_messages_after_the_allowed_burst() -> None:
    agora = [0.0]
    dormidas: list[float] = []

    def dormir(s: float) -> None:
        dormidas.append(s)
        agora[0] += s

    ritmo = Ritmo(10, rajada=2, relogio=lambda: agora[0], dormir=dormir)
    agora[0] = 5.0  # idle for a while: at most `rajada` messages go at once
    for _ in range(5):
        ritmo.aguardar()

    assert dormidas == pytest.approx([0.1, 0.1, 0.1])
    assert agora[0] == pytest.approx(5.3)
