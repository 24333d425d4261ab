"""The disable notice: pt-BR, to the owner, one Message-ID per webhook."""

from __future__ import annotations

from datetime import UTC, datetime

from protocolo.webhooks import Alvo, TipoAlvo, Webhook
from webhooks.aviso import render_desativacao

WEBHOOK = Webhook(
    "wh_1", "i", "https://e.org/wh", Alvo(TipoAlvo.ORGAO, "26000"), (), datetime(2026, 1, 1, tzinfo=UTC)
)


def _render() -> object:
    return render_desativacao(
        WEBHOOK,
        para="dono@e.org",
        nome="Redação",
        falhas=12,
        motivo="tempo esgotado",
        remetente="Protocolo <nao-responda@protocolo.example>",
        base_url="https://protocolo.example",
    )


def test_the_notice_names_the_webhook_the_failures_and_what_to_do() -> None:
    mensagem = _render()
    texto = mensagem.get_content()  # type: ignore[attr-defined]

    assert mensagem["To"] == "dono@e.org" and "https://e.org/wh" in mensagem["Subject"]  # type: ignore[index]
    assert (
        "wh_1" in texto
        and "12 tentativas" in texto
        and "tempo esgotado" in texto
        and "registre-o de novo" in texto
    )


def test_the_notice_sent_again_is_the_same_message() -> None:
    assert _render()["Message-ID"] == _render()["Message-ID"]  # type: ignore[index]
    assert str(_render()["Message-ID"]).endswith("@protocolo.example>")  # type: ignore[index]
