"""notifier.messages: the e-mails a subscriber receives, in pt-BR, with deterministic ids."""

from __future__ import annotations

from typing import Any

import pytest

from notifier.messages import Inscrito, message_id, render_email
from protocolo.fold import fold_processo
from protocolo.referencia import Referencia, carregar_referencia
from streams.projection import movimento_record
from tests.fixtures.eventos import (
    AUTUACAO,
    CPF_PONTUADO,
    ENVIO,
    NUP,
    NUP_FORMATADO,
)
from tests.fixtures.notificacoes import MARIA as CHAVE_MARIA
from tests.fixtures.notificacoes import movimento as movimento_de_nup


@pytest.fixture(scope="module")
def referencia() -> Referencia:
    return carregar_referencia()


REMETENTE = "Protocolo <nao-responda@protocolo.gov.br>"


MARIA = Inscrito(chave="chave-maria", nup=NUP, email="maria@example.org")


JOSE = Inscrito(chave="chave-jose", nup=NUP, email="jose@example.org")


@pytest.fixture(scope="module")
def movimento(referencia: Referencia) -> dict[str, Any]:
    return movimento_record(ENVIO, fold_processo([AUTUACAO, ENVIO]), referencia)


def _email(movimento: dict[str, Any], inscrito: Inscrito = MARIA) -> Any:
    return render_email(movimento, inscrito, remetente=REMETENTE, base_url="https://protocolo.gov.br/")


def test_render_email_addresses_the_subscriber_with_a_pt_br_subject(movimento: dict[str, Any]) -> None:
    mensagem = _email(movimento)

    assert mensagem["Subject"] == f"Processo {NUP_FORMATADO}: Envio"
    assert mensagem["To"] == "maria@example.org"
    assert mensagem["From"] == REMETENTE
    assert mensagem["Auto-Submitted"] == "auto-generated"


def test_the_message_id_is_deterministic_per_movimento_and_subscriber(movimento: dict[str, Any]) -> None:
    primeiro, reenvio, para_jose = _email(movimento), _email(movimento), _email(movimento, JOSE)
    outro_movimento = _email({**movimento, "id": "23000:SEI-9"})

    assert primeiro["Message-ID"] == reenvio["Message-ID"]
    assert primeiro["Message-ID"] == message_id("23000:SEI-2", "chave-maria", "protocolo.gov.br")
    assert primeiro["Message-ID"].startswith("<") and primeiro["Message-ID"].endswith("@protocolo.gov.br>")
    assert para_jose["Message-ID"] != primeiro["Message-ID"]
    assert outro_movimento["Message-ID"] != primeiro["Message-ID"]


def test_the_text_body_tells_the_movement_in_pt_br(movimento: dict[str, Any]) -> None:
    texto = _email(movimento).get_body(preferencelist=("plain",)).get_content()

    assert f"O processo {NUP_FORMATADO} teve uma nova movimentação." in texto
    assert "Movimentação: Envio" in texto
    assert "Data: 05/03/2024 às 15:00" in texto  # 18:00 UTC in Brasília
    assert "De: Protocolo Central (PROT)" in texto
    assert "Para: Coordenação de Licitações (CGLIC)" in texto
    assert "Órgão: Ministério da Educação" in texto
    assert f"https://protocolo.gov.br/processos/{NUP_FORMATADO}" in texto
    assert CPF_PONTUADO not in texto and "***.982.247-**" in texto


def test_the_html_body_escapes_what_agencies_wrote(movimento: dict[str, Any]) -> None:
    mensagem = _email({**movimento, "observacao": "<script>alert(1)</script>"})

    html = mensagem.get_body(preferencelist=("html",)).get_content()

    assert "<script>" not in html and "&lt;script&gt;" in html
    assert f'href="https://protocolo.gov.br/processos/{NUP_FORMATADO}"' in html


def test_an_unknown_operation_is_shown_as_written(movimento: dict[str, Any]) -> None:
    assert (
        _email({**movimento, "operacao": "REDISTRIBUICAO"})["Subject"]
        == f"Processo {NUP_FORMATADO}: REDISTRIBUICAO"
    )


def test_without_an_unsubscribe_link_there_are_no_list_headers() -> None:
    mensagem = render_email(
        movimento_de_nup(1), Inscrito(CHAVE_MARIA, NUP, "m@x.org"), remetente="a@b.org", base_url="https://x"
    )

    assert mensagem["List-Unsubscribe"] is None and mensagem["List-Unsubscribe-Post"] is None
