"""Logs on real processes: with PROTOCOLO_LOG_FORMAT=json every line is one JSON object, and no secret
ever reaches a log, in clear or in an obvious encoding.

The whole pipeline runs as the local stack runs it (streams, indexer, notifier, archiver, API as child
processes, each logging to `<state_dir>/logs/<service>.log`), at DEBUG, with distinctive secrets: the
HMAC key, the search password, the SMTP relay's password and an agency's gateway token. The relay is a
real one that offers STARTTLS and demands the password (the local sink takes anything in clear), so the
password is really sent; an agency publishes with its token, a citizen subscribes and confirms, and a
movement is mailed, so that every secret is used before the logs are read.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from cli.stack import SERVICOS, LocalStack
from protocolo.settings import SearchSettings, Settings, SmtpSettings, StreamsSettings
from tests.fixtures.cli import run_cli
from tests.fixtures.espera import eventually
from tests.fixtures.pipeline import CGGP, PROTOCOLO, buscar_processo, evento, novo_nup
from tests.fixtures.relay_tls import RelayTls, iniciar_relay
from tests.fixtures.tls import Certificado

pytestmark = pytest.mark.slow

USUARIO_SMTP = "protocolo-relay"
USUARIO_BUSCA = "protocolo-busca"
SEGREDOS: dict[str, str] = {
    "PROTOCOLO_SECRET_KEY": f"chave-{secrets.token_hex(20)}",
    "PROTOCOLO_SMTP_PASSWORD": f"smtp-{secrets.token_hex(12)}",
    "PROTOCOLO_SEARCH_PASSWORD": f"busca-{secrets.token_hex(12)}",
}


def _b64(dados: str) -> list[str]:
    bruto = dados.encode()
    return [base64.b64encode(bruto).decode(), base64.urlsafe_b64encode(bruto).decode().rstrip("=")]


def _formas(nome: str, segredo: str) -> list[str]:
    """The secret as it could show up in a log: in clear, quoted, in hex and base64, and inside the
    encodings its protocol uses (SMTP AUTH PLAIN and LOGIN, HTTP basic auth)."""
    formas = [segredo, urllib.parse.quote(segredo), segredo.encode().hex(), *_b64(segredo)]
    if nome == "PROTOCOLO_SMTP_PASSWORD":
        formas += _b64(f"\0{USUARIO_SMTP}\0{segredo}")
    if nome == "PROTOCOLO_SEARCH_PASSWORD":
        formas += _b64(f"{USUARIO_BUSCA}:{segredo}")
    # Base64 of a longer text ends with bits of its neighbours: look for its stable middle part too.
    return sorted({f for f in formas if len(f) >= 12}, key=len)


@pytest.fixture(scope="module")
def relay(certificado: Certificado) -> Iterator[RelayTls]:
    relay, controlador = iniciar_relay(
        certificado, usuario=USUARIO_SMTP, senha=SEGREDOS["PROTOCOLO_SMTP_PASSWORD"]
    )
    yield relay
    controlador.stop()


@pytest.fixture(scope="module")
def pilha(
    settings_factory: Callable[..., Settings], relay: RelayTls, certificado: Certificado, servers: Settings
) -> Iterator[Settings]:
    """The pipeline as processes, logging JSON at DEBUG, with this module's secrets."""
    base = settings_factory(
        secret_key=SEGREDOS["PROTOCOLO_SECRET_KEY"],
        streams=servers.streams.model_copy(update={"faust_loglevel": "INFO"}),
    )
    settings = base.model_copy(
        update={
            "smtp": SmtpSettings(
                port=relay.porta,
                starttls=True,
                ca_file=certificado.cert,
                username=USUARIO_SMTP,
                password=SEGREDOS["PROTOCOLO_SMTP_PASSWORD"],
            ),
            # The local search server ignores credentials; the client sends them on every request.
            "search": SearchSettings(
                url=base.search.url,
                server_mode="serverless",
                index_prefix=base.search.index_prefix,
                username=USUARIO_BUSCA,
                password=SEGREDOS["PROTOCOLO_SEARCH_PASSWORD"],
            ),
        }
    )
    assert isinstance(settings.streams, StreamsSettings)
    with pytest.MonkeyPatch.context() as ambiente:
        ambiente.setenv("PROTOCOLO_LOG_FORMAT", "json")
        ambiente.setenv("PROTOCOLO_LOG_LEVEL", "DEBUG")
        stack = LocalStack(settings, servicos=SERVICOS)
        stack.iniciar_servicos()
        try:
            _usar_cada_segredo(settings, relay)
        finally:
            stack.parar()
    yield settings


def _usar_cada_segredo(settings: Settings, relay: RelayTls) -> None:
    """An agency publishes with its token, a citizen subscribes and is mailed about a movement."""
    criado = run_cli(settings, "agencias", "token", "create", "26000")
    assert criado.returncode == 0, criado.stderr
    token = criado.stdout.strip()
    SEGREDOS["token do gateway"] = token
    cabecalho = {"Authorization": f"Bearer {token}"}
    nup = novo_nup()
    with httpx.Client(base_url=f"http://127.0.0.1:{settings.api.port}", timeout=15) as api:
        assert (
            api.post("/api/v1/eventos", json=[], headers={"Authorization": "Bearer errado"}).status_code
            == 401
        )
        eventually(
            lambda: api.post("/api/v1/eventos", json=[], headers=cabecalho).status_code == 202,
            what="the gateway to know the new token",
        )
        autuacao = evento(nup, 1, "AUTUACAO", unidade_origem=PROTOCOLO, assunto="Licença ambiental")
        assert api.post("/api/v1/eventos", json=[autuacao], headers=cabecalho).status_code == 202
        eventually(lambda: buscar_processo(api, nup), what="the processo to be indexed")
        assert api.get("/api/v1/processos", params={"q": "licença"}).status_code == 200

        endereco = f"cidada-{secrets.token_hex(4)}@example.com"
        assert (
            api.post("/api/v1/inscricoes", json={"nup": nup.formatado, "email": endereco}).status_code == 202
        )
        confirmacao = eventually(
            lambda: next((m for m in relay.mensagens if m["To"] == endereco), None),
            what="the confirmation e-mail at the relay",
        )
        (link,) = re.findall(r"https?://\S+/inscricoes/confirmar/\S+", _texto(confirmacao))
        assert api.post(link.removeprefix(settings.api.public_base_url)).status_code == 200
        envio = evento(nup, 2, "ENVIO", unidade_origem=PROTOCOLO, unidade_destino=CGGP)
        assert api.post("/api/v1/eventos", json=[envio], headers=cabecalho).status_code == 202
        eventually(
            lambda: sum(m["To"] == endereco for m in relay.mensagens) >= 2, what="the e-mail about the envio"
        )


def _texto(mensagem: object) -> str:
    from email.message import Message

    assert isinstance(mensagem, Message)
    for parte in mensagem.walk():
        if parte.get_content_type() == "text/plain":
            carga = parte.get_payload(decode=True)
            assert isinstance(carga, bytes)
            return carga.decode(parte.get_content_charset() or "utf-8")
    raise AssertionError("no text/plain part")


def _logs(pasta: Path) -> dict[str, str]:
    return {p.name: p.read_text(errors="replace") for p in sorted(pasta.glob("*.log"))}


def test_every_secret_was_really_used(pilha: Settings, relay: RelayTls) -> None:
    assert relay.logins and all(aceito for _usuario, aceito in relay.logins)  # over TLS (relay demands it)
    assert relay.sessoes_tls == len(relay.logins)
    assert "token do gateway" in SEGREDOS


def test_every_process_logs_one_json_object_per_line(pilha: Settings) -> None:
    logs = _logs(pilha.state_dir / "logs")
    assert set(logs) == {f"{servico}.log" for servico in SERVICOS}
    for nome, texto in logs.items():
        linhas = texto.splitlines()
        assert linhas, f"{nome} is empty"
        for numero, linha in enumerate(linhas, 1):
            try:
                objeto = json.loads(linha)
            except json.JSONDecodeError:
                pytest.fail(f"{nome}:{numero} is not JSON: {linha[:300]}")
            assert {"ts", "level", "logger", "msg"} <= set(objeto), f"{nome}:{numero}: {linha[:300]}"


def test_no_secret_reaches_any_log(pilha: Settings, servers: Settings) -> None:
    logs = _logs(pilha.state_dir / "logs") | {
        f"servidor {nome}": texto for nome, texto in _logs(servers.state_dir / "logs").items()
    }
    assert len(logs) > len(SERVICOS)  # the services' and the servers' (broker, search, SMTP sink)
    for nome, segredo in SEGREDOS.items():
        for forma in _formas(nome, segredo):
            vazou = [arquivo for arquivo, texto in logs.items() if forma in texto]
            assert not vazou, f"{nome} ({forma[:6]}…) is in {vazou}"
