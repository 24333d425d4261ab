"""Key rotation on a running stack: everything made with the old key keeps working after a restart
with `k2,k1`, and everything made from then on names k2.

With k1: a processo with a CPF, a confirmed subscription mailed a movement, a pending one, a
gateway token, an integrator token, a timeline cursor and a confirmed saved-search alert. Restarted with
`PROTOCOLO_SECRET_KEYS=k2:…,k1:…`: the CPF search, the cursor and both tokens still work; the old
confirmation link confirms; the old subscription is mailed, and after `protocolo inscricoes rekey`
its old unsubscribe link still unsubscribes it. The alert mails a new match, asking for it again
finds it (no second alert), and its old cancel link cancels it. The index, links, cursors, tokens
and subscription keys made after the restart name k2.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from cli.stack import LocalStack
from protocolo.documentos import gerar_cpf
from protocolo.nup import Nup
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
    rng,
    write_jsonl,
)

pytestmark = pytest.mark.slow

SERVICOS = ("streams", "indexer", "notifier", "notifier.alertas", "api")
K1 = f"k1:{secrets.token_urlsafe(24)}"
K2 = f"k2:{secrets.token_urlsafe(24)}"


@contextmanager
def _pilha(settings: Settings) -> Iterator[httpx.Client]:
    stack = LocalStack(settings, servicos=SERVICOS)
    stack.iniciar_servicos()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{settings.api.port}", timeout=15) as api:
            yield api
    finally:
        stack.parar()


def _publicar(settings: Settings, tmp_path: Path, *eventos: dict[str, Any]) -> None:
    arquivo = write_jsonl(tmp_path / f"e{rng.randint(0, 10**9)}.jsonl", list(eventos))
    resultado = run_cli(settings, "publish", str(arquivo))
    assert resultado.returncode == 0, resultado.stderr


def _texto(mensagem: EmailMessage) -> str:
    return mensagem.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr,no-any-return]


def _link_confirmar(mail_dir: Path, endereco: str) -> str:
    mensagem = eventually(
        lambda: next(
            (m for m in emails_para(mail_dir, endereco) if m["Subject"].startswith("Confirme")), None
        ),
        what="the confirmation e-mail",
    )
    (link,) = re.findall(r"https?://\S+/inscricoes/confirmar/\S+", _texto(mensagem))
    return str(link)


def _link_alerta(mail_dir: Path, endereco: str) -> str:
    mensagem = eventually(
        lambda: next((m for m in emails_para(mail_dir, endereco) if "Confirme" in m["Subject"]), None),
        what="the alert's confirmation e-mail",
    )
    (link,) = re.findall(r"https?://\S+/alertas/confirmar/\S+", _texto(mensagem))
    return str(link)


def _avisos(mail_dir: Path, endereco: str) -> list[EmailMessage]:
    return [m for m in emails_para(mail_dir, endereco) if m["Subject"].startswith("Novo processo")]


def _movimentos(mail_dir: Path, endereco: str) -> list[EmailMessage]:
    return [m for m in emails_para(mail_dir, endereco) if not m["Subject"].startswith("Confirme")]


def _cancelar(mensagem: EmailMessage) -> str:
    (link,) = re.findall(r"^<(https?://\S+)>$", str(mensagem["List-Unsubscribe"]))
    return str(link)


def _partes(link: str) -> tuple[str, str]:
    """The subscription key and the signature of a link's token."""
    _acao, chave, _expira, assinatura = link.rsplit("/", 1)[1].split(".")
    return chave, assinatura


def _caminho(settings: Settings, link: str) -> str:
    assert link.startswith(settings.api.public_base_url), link
    return link.removeprefix(settings.api.public_base_url)


def _id_do_cursor(cursor: str) -> str:
    return str(json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["k"])


def _por_cpf(api: httpx.Client, cpf: str) -> list[str]:
    resposta = api.get("/api/v1/processos", params={"documento": cpf})
    assert resposta.status_code == 200, resposta.text
    return [item["nup_formatado"] for item in resposta.json()["items"]]


def _hash_indexado(settings: Settings, nup: Nup) -> str:
    url = f"{settings.search.url}/{settings.search.alias('processos')}/_doc/{nup.digitos}"
    return str(httpx.get(url, timeout=10).json()["_source"]["interessados"][0]["documento_hash"])


def _pagina_dois(api: httpx.Client, nup: Nup, cursor: str) -> httpx.Response:
    params = {"ordem": "asc", "tamanho": "1", "cursor": cursor}
    return api.get(f"/api/v1/processos/{nup.formatado}/movimentos", params=params)


def _gateway(api: httpx.Client, token: str) -> int:
    lote = [
        evento(
            novo_nup(),
            1,
            "AUTUACAO",
            unidade_origem=PROTOCOLO,
            assunto="Gateway",
            id=f"gw-{rng.randint(0, 10**9)}",
        )
    ]
    return api.post("/api/v1/eventos", json=lote, headers={"Authorization": f"Bearer {token}"}).status_code


def _webhooks(api: httpx.Client, token: str) -> int:
    return api.get("/api/v1/webhooks", headers={"Authorization": f"Bearer {token}"}).status_code


def _inscrever(api: httpx.Client, nup: Nup, endereco: str) -> None:
    assert api.post("/api/v1/inscricoes", json={"nup": nup.formatado, "email": endereco}).status_code == 202


def _confirmar(api: httpx.Client, settings: Settings, link: str) -> None:
    confirmada = api.post(_caminho(settings, link))
    assert confirmada.status_code == 200 and "Inscrição confirmada" in confirmada.text, confirmada.text


def test_a_rotation_keeps_what_the_old_key_made_working_and_makes_new_values_with_the_new_key(
    settings_factory: Callable[..., Settings], mail_dir: Path, tmp_path: Path
) -> None:
    com_k1 = settings_factory(secret_keys=SecretStr(K1))
    com_k2 = com_k1.model_copy(update={"secret_keys": SecretStr(f"{K2},{K1}")})
    assert com_k2.chaveiro.ids() == ["k2", "k1"]
    nup, cpf = novo_nup(), gerar_cpf(rng)
    antiga, pendente, nova = (f"{r}-{nup.digitos}@example.com" for r in ("antiga", "pendente", "nova"))
    leitor, termo = f"alerta-{nup.digitos}@example.com", f"rotacionado{nup.digitos}"
    pedido_alerta = {"email": leitor, "q": termo, "frequencia": "imediato"}

    with _pilha(com_k1) as api:
        _publicar(
            com_k1,
            tmp_path,
            evento(
                nup,
                1,
                "AUTUACAO",
                unidade_origem=PROTOCOLO,
                assunto="Rotação",
                interessados=[{"nome": "Ana", "documento": cpf}],
            ),
            evento(nup, 2, "ENVIO", unidade_origem=PROTOCOLO, unidade_destino=CGGP),
        )
        eventually(lambda: buscar_processo(api, nup, movimentos=2), what="the processo and its movimentos")
        assert _por_cpf(api, cpf) == [nup.formatado]
        assert _hash_indexado(com_k1, nup).startswith("k1-")
        primeira = api.get(
            f"/api/v1/processos/{nup.formatado}/movimentos", params={"ordem": "asc", "tamanho": 1}
        )
        cursor_k1 = primeira.json()["proximo_cursor"]
        assert _id_do_cursor(cursor_k1) == "k1"
        criado = run_cli(com_k1, "agencias", "token", "create", "26000")
        assert criado.returncode == 0, criado.stderr
        token_k1 = criado.stdout.strip()
        assert eventually(lambda: _gateway(api, token_k1) == 202, what="the gateway to accept the token")
        integrador = run_cli(com_k1, "integradores", "token", "create", "Redação", "--email", "r@example.com")
        assert integrador.returncode == 0, integrador.stderr
        integrador_k1 = integrador.stdout.strip()
        assert eventually(lambda: _webhooks(api, integrador_k1) == 200, what="the integrator token")

        _inscrever(api, nup, antiga)
        _confirmar(api, com_k1, _link_confirmar(mail_dir, antiga))
        _inscrever(api, nup, pendente)
        link_pendente = _link_confirmar(mail_dir, pendente)
        assert all(p.startswith("k1-") for p in _partes(link_pendente))
        _publicar(com_k1, tmp_path, evento(nup, 3, "RECEBIMENTO", unidade_destino=CGGP))
        (recebimento,) = eventually(lambda: _movimentos(mail_dir, antiga), what="the recebimento e-mail")
        cancelar_k1 = _cancelar(recebimento)
        assert all(p.startswith("k1-") for p in _partes(cancelar_k1))

        assert api.post("/api/v1/alertas", json=pedido_alerta).status_code == 202
        link_alerta = _link_alerta(mail_dir, leitor)
        assert all(p.startswith("k1-") for p in _partes(link_alerta))
        confirmado = api.post(_caminho(com_k1, link_alerta))
        assert confirmado.status_code == 200 and "Alerta confirmado" in confirmado.text, confirmado.text
        primeiro = novo_nup()
        _publicar(com_k1, tmp_path, evento(primeiro, 1, "AUTUACAO", unidade_origem=PROTOCOLO, assunto=termo))
        (aviso_k1,) = eventually(lambda: _avisos(mail_dir, leitor), what="the alert's first e-mail")
        cancelar_alerta_k1 = _cancelar(aviso_k1)

    with _pilha(com_k2) as api:
        # Made with k1, still good.
        assert _por_cpf(api, cpf) == [nup.formatado]
        pagina = _pagina_dois(api, nup, cursor_k1)
        assert pagina.status_code == 200, pagina.text
        assert [m["operacao"] for m in pagina.json()["items"]] == ["ENVIO"]
        assert eventually(lambda: _gateway(api, token_k1) == 202, what="the gateway to accept the k1 token")
        assert eventually(lambda: _webhooks(api, integrador_k1) == 200, what="the k1 integrator token")
        integradores = run_cli(com_k2, "integradores", "token", "list")
        assert "│ k1 " in integradores.stdout, integradores.stdout
        assert "1 ativos em chave anterior à atual (k2)" in integradores.stdout, integradores.stdout
        _confirmar(api, com_k2, link_pendente)  # the old link confirms, and moves it to k2
        # The k1 alert: asked again, it is found (no new confirmation); it mails a new match, with k2 links.
        assert api.post("/api/v1/alertas", json=pedido_alerta).status_code == 202
        segundo = novo_nup()
        _publicar(com_k2, tmp_path, evento(segundo, 1, "AUTUACAO", unidade_origem=PROTOCOLO, assunto=termo))
        _, aviso_k2 = eventually(
            lambda: _avisos(mail_dir, leitor)[1:] and _avisos(mail_dir, leitor),
            what="the alert after the restart",
        )
        assert segundo.formatado in str(aviso_k2["Subject"])
        chave_alerta, assinatura_alerta = _partes(_cancelar(aviso_k2))
        assert chave_alerta.startswith("k1-") and assinatura_alerta.startswith("k2-")
        confirmacoes = [m for m in emails_para(mail_dir, leitor) if "Confirme" in m["Subject"]]
        assert len(confirmacoes) == 1, "asking again after the rotation made a second alert"
        cancelado = api.post(
            _caminho(com_k2, cancelar_alerta_k1),
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert cancelado.status_code == 200 and "Alerta cancelado" in cancelado.text, cancelado.text

        _publicar(com_k2, tmp_path, evento(nup, 4, "ENVIO", unidade_origem=CGGP, unidade_destino=PROTOCOLO))
        envio_antiga = eventually(
            lambda: _movimentos(mail_dir, antiga)[1:], what="the old subscription's e-mail"
        )
        envio_pendente = eventually(
            lambda: _movimentos(mail_dir, pendente), what="the confirmed one's e-mail"
        )
        chave, assinatura = _partes(_cancelar(envio_antiga[0]))
        assert chave.startswith("k1-") and assinatura.startswith("k2-")  # still its k1 key; a k2 link
        assert all(p.startswith("k2-") for p in _partes(_cancelar(envio_pendente[0])))

        # Made from now on: k2.
        eventually(
            lambda: _hash_indexado(com_k2, nup).startswith("k2-"), what="the snapshot re-hashed with k2"
        )
        assert _por_cpf(api, cpf) == [nup.formatado]
        assert _id_do_cursor(_pagina_dois(api, nup, cursor_k1).json()["proximo_cursor"]) == "k2"
        _inscrever(api, nup, nova)
        assert all(p.startswith("k2-") for p in _partes(_link_confirmar(mail_dir, nova)))
        criado = run_cli(com_k2, "agencias", "token", "create", "26000")
        assert criado.returncode == 0, criado.stderr
        assert eventually(lambda: _gateway(api, criado.stdout.strip()) == 202, what="the k2 token")
        lista = run_cli(com_k2, "agencias", "token", "list")
        assert "1 ativos em chave anterior à atual (k2)" in lista.stdout, lista.stdout

        rekey = run_cli(com_k2, "inscricoes", "rekey")
        assert rekey.returncode == 0, rekey.stderr
        assert (
            "chave atual k2: mudadas 1, já na chave atual 2, pendentes (mudam ao confirmar) 0" in rekey.stdout
        )
        # The old unsubscribe link still finds the subscription rekey moved.
        cancelada = api.post(
            _caminho(com_k2, cancelar_k1),
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert cancelada.status_code == 200 and "Inscrição cancelada" in cancelada.text
        _publicar(com_k2, tmp_path, evento(nup, 5, "RECEBIMENTO", unidade_destino=PROTOCOLO))
        eventually(lambda: len(_movimentos(mail_dir, pendente)) == 2, what="the next movement's e-mail")
        assert len(_movimentos(mail_dir, antiga)) == 2  # unsubscribed: nothing after the cancel

    for log in (com_k1.state_dir / "logs").glob("*.log"):
        texto = log.read_text(errors="replace")
        assert "Traceback" not in texto, f"{log.name} logged a crash:\n{texto[-3000:]}"
        for segredo in (K1, K2):
            assert segredo.split(":", 1)[1] not in texto, f"{log.name} logged a secret key"
