"""Subscriptions end to end on real processes: API and portal → inscricoes topic → notifier → SMTP sink.

subscribe → confirmation e-mail → confirm via the link → movement → e-mail with List-Unsubscribe →
one-click unsubscribe → next movement not mailed; plus enumeration, rate limits, bad links, the Atom
feed, and a final check that no test address leaked into any log, API response or the search index.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import feedparser
import httpx
import pytest

from cli.stack import SERVICOS, LocalStack
from protocolo.inscricoes import chave_inscricao
from protocolo.links_inscricao import AcaoLink, assinar_link
from protocolo.nup import Nup, gerar_nup
from protocolo.settings import InscricaoSettings, Settings
from tests.fixtures.cli import run_cli
from tests.fixtures.espera import eventually
from tests.fixtures.pipeline import CGGP, PROTOCOLO, buscar_processo, evento, write_jsonl

pytestmark = pytest.mark.slow

_rng = random.Random()
ENDERECOS: list[str] = []  # every address this module used: none may leak
RESPOSTAS: list[str] = []  # every API answer this module got


def _endereco(rotulo: str) -> str:
    endereco = f"{rotulo}-{_rng.randint(10**8, 10**9)}@example.com"
    ENDERECOS.append(endereco)
    return endereco


@pytest.fixture(scope="module")
def pilha(settings_factory: Callable[..., Settings]) -> Iterator[Settings]:
    """The whole pipeline, with subscription limits small enough to hit in a test."""
    settings = settings_factory(inscricao=InscricaoSettings(por_email=3, por_ip=200))
    stack = LocalStack(settings, servicos=SERVICOS)
    stack.iniciar_servicos()
    yield settings
    stack.parar()


@pytest.fixture
def api(pilha: Settings) -> Iterator[httpx.Client]:
    def guardar(resposta: httpx.Response) -> None:
        resposta.read()
        RESPOSTAS.append(f"{resposta.headers}\n{resposta.text}")

    with httpx.Client(
        base_url=f"http://127.0.0.1:{pilha.api.port}", timeout=15, event_hooks={"response": [guardar]}
    ) as client:
        yield client


def _nup() -> Nup:
    return gerar_nup(unidade=23037, sequencial=_rng.randint(1, 999_999), ano=2024)


def _publicar(settings: Settings, tmp_path: Path, *eventos: dict[str, Any]) -> None:
    arquivo = write_jsonl(tmp_path / f"e{_rng.randint(0, 10**9)}.jsonl", list(eventos))
    resultado = run_cli(settings, "publish", str(arquivo))
    assert resultado.returncode == 0, resultado.stderr


def _processo_publicado(settings: Settings, api: httpx.Client, tmp_path: Path) -> Nup:
    nup = _nup()
    _publicar(
        settings, tmp_path, evento(nup, 1, "AUTUACAO", unidade_origem=PROTOCOLO, assunto="Obra pública")
    )
    eventually(lambda: buscar_processo(api, nup), what="the processo to be readable")
    return nup


def _emails(mail_dir: Path, endereco: str) -> list[EmailMessage]:
    parser = BytesParser(policy=policy.default)
    mensagens = [parser.parsebytes(p.read_bytes()) for p in sorted(mail_dir.glob("*.eml"))]
    return [m for m in mensagens if m["To"] == endereco]  # type: ignore[misc]


def _texto(mensagem: EmailMessage) -> str:
    return mensagem.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr,no-any-return]


def _caminho(url: str, base: str) -> str:
    assert url.startswith(base), url
    return url[len(base.rstrip("/")) :]


def _confirmacao(mail_dir: Path, endereco: str) -> EmailMessage:
    def achar() -> EmailMessage | None:
        return next((m for m in _emails(mail_dir, endereco) if m["Subject"].startswith("Confirme")), None)

    mensagem: EmailMessage = eventually(achar, what="the confirmation e-mail")
    return mensagem


def _confirmar(api: httpx.Client, settings: Settings, mail_dir: Path, endereco: str) -> None:
    texto = _texto(_confirmacao(mail_dir, endereco))
    (link,) = re.findall(r"https?://\S+/inscricoes/confirmar/\S+", texto)
    caminho = _caminho(link, settings.api.public_base_url)
    pagina = api.get(caminho)
    assert pagina.status_code == 200 and "Confirmar inscrição" in pagina.text
    assert 'method="post"' in pagina.text
    confirmada = api.post(caminho)
    assert confirmada.status_code == 200, confirmada.text
    assert "Inscrição confirmada" in confirmada.text


def _assunto_de(mail_dir: Path, endereco: str) -> list[str]:
    return [str(m["Subject"]) for m in _emails(mail_dir, endereco)]


def test_subscribe_confirm_movement_unsubscribe_and_filter(
    pilha: Settings, api: httpx.Client, mail_dir: Path, tmp_path: Path
) -> None:
    nup = _processo_publicado(pilha, api, tmp_path)
    todas, so_recebimento = _endereco("todas"), _endereco("filtro")

    primeira = api.post("/api/v1/inscricoes", json={"nup": nup.formatado, "email": todas})
    repetida = api.post("/api/v1/inscricoes", json={"nup": nup.digitos, "email": todas.upper()})
    filtrada = api.post(
        "/api/v1/inscricoes",
        json={"nup": nup.formatado, "email": so_recebimento, "operacoes": ["recebimento"]},
    )
    assert primeira.status_code == repetida.status_code == filtrada.status_code == 202
    assert primeira.json() == repetida.json() == filtrada.json()  # nobody learns who follows what
    assert "confirmar" in primeira.json()["mensagem"]

    _confirmar(api, pilha, mail_dir, todas)
    _confirmar(api, pilha, mail_dir, so_recebimento)
    # Asking again once confirmed: same answer, no new e-mail, still confirmed.
    assert (
        api.post("/api/v1/inscricoes", json={"nup": nup.formatado, "email": todas}).json() == primeira.json()
    )
    assert len(_emails(mail_dir, todas)) == 1  # one confirmation for two requests within the window

    _publicar(pilha, tmp_path, evento(nup, 2, "ENVIO", unidade_origem=PROTOCOLO, unidade_destino=CGGP))
    envio = eventually(
        lambda: next((m for m in _emails(mail_dir, todas) if m["Subject"].endswith(": Envio")), None),
        what="the e-mail about the envio",
    )
    assert envio["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    (cancelar,) = re.findall(r"^<(https?://\S+)>$", envio["List-Unsubscribe"])
    assert todas not in cancelar and "@" not in cancelar
    caminho = _caminho(cancelar, pilha.api.public_base_url)
    pagina = api.get(caminho)
    assert pagina.status_code == 200 and "Cancelar inscrição" in pagina.text
    um_clique = api.post(
        caminho,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert um_clique.status_code == 200 and "Inscrição cancelada" in um_clique.text

    _publicar(pilha, tmp_path, evento(nup, 3, "RECEBIMENTO", unidade_destino=CGGP))
    # The filtered subscriber is mailed the recebimento in the same batch: once it is here, the
    # notifier has handled that movement for everyone.
    eventually(
        lambda: any(s.endswith(": Recebimento") for s in _assunto_de(mail_dir, so_recebimento)),
        what="the recebimento e-mail of the filtered subscriber",
    )
    assert _assunto_de(mail_dir, todas) == [
        f"Confirme: acompanhar o processo {nup.formatado}",
        f"Processo {nup.formatado}: Envio",
    ]
    assert [s for s in _assunto_de(mail_dir, so_recebimento) if not s.startswith("Confirme")] == [
        f"Processo {nup.formatado}: Recebimento"
    ]


def test_the_portal_form_asks_for_confirmation_and_never_shows_the_address(
    pilha: Settings, api: httpx.Client, mail_dir: Path, tmp_path: Path
) -> None:
    nup = _processo_publicado(pilha, api, tmp_path)
    endereco = _endereco("portal")

    pagina = api.post(
        f"/processos/{nup.formatado}/inscricao", data={"email": endereco, "operacoes": ["ENVIO"]}
    )

    assert pagina.status_code == 200
    assert "Pedido recebido" in pagina.text and endereco not in pagina.text
    texto = _texto(_confirmacao(mail_dir, endereco))
    assert "Você será avisado somente sobre: Envio." in texto
    invalido = api.post(f"/processos/{nup.formatado}/inscricao", data={"email": "não é e-mail"})
    assert invalido.status_code == 422 and "Endereço de e-mail inválido." in invalido.text


def test_requests_beyond_the_limit_get_429_in_portuguese_with_retry_after(
    pilha: Settings, api: httpx.Client, tmp_path: Path
) -> None:
    nup = _processo_publicado(pilha, api, tmp_path)
    endereco = _endereco("limite")
    pedido = {"nup": nup.formatado, "email": endereco}

    respostas = [api.post("/api/v1/inscricoes", json=pedido) for _ in range(4)]

    assert [r.status_code for r in respostas] == [202, 202, 202, 429]
    assert "Muitos pedidos de inscrição" in respostas[3].json()["detail"]
    assert int(respostas[3].headers["Retry-After"]) >= 1


def test_forged_and_expired_links_get_a_clear_page(pilha: Settings, api: httpx.Client) -> None:
    segredo = pilha.secret_key.get_secret_value().encode()
    chave = chave_inscricao(segredo, "23037001462202165", "ninguem@example.com")
    expirado = assinar_link(segredo, AcaoLink.CONFIRMAR, chave, datetime.now(UTC) - timedelta(hours=1))
    forjado = assinar_link(
        b"outro segredo", AcaoLink.CONFIRMAR, chave, datetime.now(UTC) + timedelta(hours=1)
    )

    for metodo in ("GET", "POST"):
        vencido = api.request(metodo, f"/inscricoes/confirmar/{expirado}")
        falso = api.request(metodo, f"/inscricoes/confirmar/{forjado}")
        lixo = api.request(metodo, "/inscricoes/cancelar/qualquer-coisa")
        assert vencido.status_code == 410 and "Este link de confirmação expirou" in vencido.text
        assert falso.status_code == 400 and "Este link não é válido" in falso.text
        assert lixo.status_code == 400 and "Este link não é válido" in lixo.text


def test_the_atom_feed_lists_the_movements_and_the_page_links_it(
    pilha: Settings, api: httpx.Client, tmp_path: Path
) -> None:
    nup = _processo_publicado(pilha, api, tmp_path)
    _publicar(pilha, tmp_path, evento(nup, 2, "ENVIO", unidade_origem=PROTOCOLO, unidade_destino=CGGP))
    eventually(lambda: buscar_processo(api, nup, movimentos=2), what="both movements indexed")

    redirecionado = api.get(f"/processos/{nup.digitos}/feed.atom")
    resposta = api.get(f"/processos/{nup.formatado}/feed.atom")
    feed = feedparser.parse(resposta.content)

    assert redirecionado.status_code == 301
    assert redirecionado.headers["location"] == f"/processos/{nup.formatado}/feed.atom"
    assert resposta.status_code == 200 and resposta.headers["content-type"].startswith("application/atom+xml")
    assert feed.bozo is False and feed.version == "atom10"
    assert [e.title.split(" em ")[0] for e in feed.entries] == ["Envio", "Autuação"]
    assert all(e.id.startswith("urn:uuid:") for e in feed.entries)
    pagina = api.get(f"/processos/{nup.formatado}").text
    assert 'type="application/atom+xml"' in pagina and f"/processos/{nup.formatado}/feed.atom" in pagina
    assert api.get("/processos/12345/feed.atom").status_code == 422
    assert api.get(f"/processos/{_nup().formatado}/feed.atom").status_code == 404


def test_no_address_leaks_into_logs_api_answers_or_the_search_index(
    pilha: Settings, api: httpx.Client
) -> None:
    assert ENDERECOS and RESPOSTAS  # the other tests of this module ran first
    indices = httpx.get(
        f"{pilha.search.url}/{pilha.search.index_prefix}-*/_search", params={"size": 10_000}, timeout=30
    ).text
    logs = {p.name: p.read_text(errors="replace") for p in (pilha.state_dir / "logs").glob("*.log")}
    assert {"api.log", "notifier.log", "streams.log", "indexer.log"} <= set(logs)
    assert "Obra pública" in indices  # the query did read this module's documents
    for endereco in ENDERECOS:
        for variante in (endereco, endereco.upper(), endereco.split("@")[0]):
            assert all(variante not in texto for texto in logs.values()), variante
            assert all(variante not in texto for texto in RESPOSTAS), variante
            assert variante not in indices, variante
