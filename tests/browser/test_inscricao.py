"""A citizen follows a processo by e-mail in the browser: subscribe, confirm, get a movement, unsubscribe.

Everything is real: the portal in Debian's chromium, the API, the streams, the notifier, the SMTP sink
that writes each received message as a .eml file. Runs with and without JavaScript.
"""

from __future__ import annotations

import re
import uuid
from email.message import EmailMessage
from pathlib import Path

import httpx

from protocolo.settings import Settings
from tests.fixtures.cli import run_cli
from tests.fixtures.espera import eventually
from tests.fixtures.pipeline import (
    CGGP,
    PROTOCOLO,
    buscar_processo,
    emails_para,
    evento,
    novo_nup,
    write_jsonl,
)
from tests.fixtures.portal import Portal

LINK = re.compile(r"https?://\S+/inscricoes/(confirmar|cancelar)/\S+")


def link_no_texto(mensagem: EmailMessage, acao: str) -> str:
    corpo = mensagem.get_body(preferencelist=("plain",))
    assert corpo is not None
    texto = corpo.get_content()
    links = [m[0] for m in LINK.finditer(texto) if m[1] == acao]
    assert links, f"no {acao} link in:\n{texto}"
    return links[0]


def test_subscribe_confirm_receive_a_movement_and_unsubscribe_in_the_portal(
    portal: Portal, pipeline: Settings, api: httpx.Client, mail_dir: Path, tmp_path: Path
) -> None:
    nup = novo_nup()
    endereco = f"cidada-{uuid.uuid4().hex[:8]}@exemplo.gov.br"
    autuacao = evento(nup, 1, "AUTUACAO", unidade_origem=PROTOCOLO, assunto="Pedido de licença capacitação")
    assert run_cli(pipeline, "publish", str(write_jsonl(tmp_path / "a.jsonl", [autuacao]))).returncode == 0
    eventually(lambda: buscar_processo(api, nup, movimentos=1), what="the processo page")

    # Subscribe on the processo page.
    page = portal.abrir(f"/processos/{nup.formatado}")
    page.get_by_label("Seu e-mail").fill(endereco)
    page.get_by_role("button", name="Acompanhar").click()
    assert "confirm" in page.get_by_role("status").inner_text().lower()
    assert endereco not in page.content()
    portal.verificar_acessibilidade("inscricao-pedido")

    # Confirm through the link of the confirmation e-mail: the GET shows a button, the POST confirms.
    confirmacao = eventually(lambda: emails_para(mail_dir, endereco), what="the confirmation e-mail")
    assert len(confirmacao) == 1
    page = portal.abrir(link_no_texto(confirmacao[0], "confirmar").removeprefix(portal.base))
    portal.verificar_acessibilidade("inscricao-confirmar")
    page.get_by_role("button", name="Confirmar inscrição").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Inscrição confirmada"
    portal.verificar_acessibilidade("inscricao-confirmada")

    # A movement is mailed once, with the RFC 8058 headers and a link to unsubscribe.
    envio = evento(nup, 2, "ENVIO", unidade_origem=PROTOCOLO, unidade_destino=CGGP)
    assert run_cli(pipeline, "publish", str(write_jsonl(tmp_path / "b.jsonl", [envio]))).returncode == 0

    def movimentos() -> list[EmailMessage]:
        return [m for m in emails_para(mail_dir, endereco) if m["Message-ID"] != confirmacao[0]["Message-ID"]]

    aviso = eventually(movimentos, what="the e-mail about the envio")[0]
    assert aviso["Subject"] == f"Processo {nup.formatado}: Envio"
    assert aviso["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/inscricoes/cancelar/" in aviso["List-Unsubscribe"]

    # Unsubscribe from the e-mail's link, in the browser.
    page = portal.abrir(link_no_texto(aviso, "cancelar").removeprefix(portal.base))
    portal.verificar_acessibilidade("inscricao-cancelar")
    page.get_by_role("button", name="Cancelar inscrição").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Inscrição cancelada"

    # The next movement is not mailed to us; a witness, subscribed through the API, gets it, which
    # proves the notifier handled that movement.
    testemunha = f"testemunha-{uuid.uuid4().hex[:8]}@exemplo.gov.br"
    assert api.post("/api/v1/inscricoes", json={"nup": nup.formatado, "email": testemunha}).status_code == 202
    pedido = eventually(lambda: emails_para(mail_dir, testemunha), what="the witness' confirmation")[0]
    assert api.post(link_no_texto(pedido, "confirmar").removeprefix(portal.base)).status_code == 200
    recebimento = evento(nup, 3, "RECEBIMENTO", unidade_origem=PROTOCOLO, unidade_destino=CGGP)
    assert run_cli(pipeline, "publish", str(write_jsonl(tmp_path / "c.jsonl", [recebimento]))).returncode == 0
    eventually(
        lambda: any("Recebimento" in m["Subject"] for m in emails_para(mail_dir, testemunha)),
        what="the witness' e-mail about the recebimento",
    )
    assert len(movimentos()) == 1
