"""A journalist subscribes to a search in the browser: the results page's form, the confirmation, an alert
e-mail about a new processo, and the cancel link. Real pipeline, Debian's chromium, with and without
JavaScript; axe-core on every page.
"""

from __future__ import annotations

import random
import re
import uuid
from email.message import EmailMessage
from pathlib import Path

import httpx

from protocolo.settings import Settings
from tests.fixtures.cli import run_cli
from tests.fixtures.espera import eventually
from tests.fixtures.pipeline import PROTOCOLO, buscar_processo, emails_para, evento, novo_nup, write_jsonl
from tests.fixtures.portal import Portal

LINK = re.compile(r"https?://\S+/alertas/(confirmar|cancelar)/\S+")


def _link(mensagem: EmailMessage, acao: str) -> str:
    corpo = mensagem.get_body(preferencelist=("plain",))
    assert corpo is not None
    links = [m[0] for m in LINK.finditer(corpo.get_content()) if m[1] == acao]
    assert links, f"no {acao} link in:\n{corpo.get_content()}"
    return links[0]


def _palavra() -> str:
    rng = random.Random()
    return "".join(rng.choice("bcdfgjlmprtv") + rng.choice("aeiou") for _ in range(5))


def _publicar(settings: Settings, tmp_path: Path, assunto: str) -> str:
    nup = novo_nup()
    autuacao = evento(nup, 1, "AUTUACAO", unidade_origem=PROTOCOLO, assunto=assunto)
    arquivo = write_jsonl(tmp_path / f"{uuid.uuid4().hex}.jsonl", [autuacao])
    assert run_cli(settings, "publish", str(arquivo)).returncode == 0
    return nup.formatado


def test_subscribe_to_a_search_confirm_receive_an_alert_and_cancel_in_the_portal(
    portal: Portal, pipeline: Settings, api: httpx.Client, mail_dir: Path, tmp_path: Path
) -> None:
    termo = _palavra()
    endereco = f"jornalista-{uuid.uuid4().hex[:8]}@exemplo.gov.br"
    primeiro = _publicar(pipeline, tmp_path, f"Aquisição de {termo}")
    eventually(lambda: buscar_processo(api, primeiro), what="the first processo indexed")

    # The results page of the search carries the alert form.
    page = portal.abrir(f"/?q={termo}")
    assert primeiro in page.content()
    formulario = page.get_by_role("region", name="Receber novidades desta busca por e-mail")
    formulario.get_by_label("Seu e-mail").fill(endereco)
    formulario.get_by_label("A cada novidade").check()
    portal.verificar_acessibilidade("alerta-formulario")
    formulario.get_by_role("button", name="Criar alerta").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Confirme o alerta no seu e-mail"
    assert endereco not in page.content()
    portal.verificar_acessibilidade("alerta-pedido")

    # Confirm through the e-mail's link: the GET shows a button, the POST confirms.
    (confirmacao,) = eventually(lambda: emails_para(mail_dir, endereco), what="the confirmation e-mail")
    assert termo in confirmacao.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    page = portal.abrir(_link(confirmacao, "confirmar").removeprefix(portal.base))
    portal.verificar_acessibilidade("alerta-confirmar")
    page.get_by_role("button", name="Confirmar alerta").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Alerta confirmado"
    portal.verificar_acessibilidade("alerta-confirmado")

    # A new processo in the search is mailed, with the RFC 8058 headers.
    novo = _publicar(pipeline, tmp_path, f"Contratação de {termo}")

    def avisos() -> list[EmailMessage]:
        return [m for m in emails_para(mail_dir, endereco) if m["Message-ID"] != confirmacao["Message-ID"]]

    (aviso,) = eventually(avisos, timeout=60, what="the alert about the new processo")
    assert aviso["Subject"] == f"Novo processo na sua busca: {novo}"
    assert aviso["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Cancel from the e-mail's link, in the browser.
    page = portal.abrir(_link(aviso, "cancelar").removeprefix(portal.base))
    portal.verificar_acessibilidade("alerta-cancelar")
    page.get_by_role("button", name="Cancelar alerta").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Alerta cancelado"
    portal.verificar_acessibilidade("alerta-cancelado")
