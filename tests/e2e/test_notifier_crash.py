"""Crash test: SIGKILL the real notifier mid-burst, restart it, count e-mails per (movimento, subscriber).

Every expected pair must arrive. A repeat is allowed only with the identical Message-ID (e-mails are
counted by Message-ID, which is derived from the pair) and only for messages in flight at the kill:
at most one per sending worker, i.e. `concorrencia`. Zero is the goal; the count is printed (-s).
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesHeaderParser, BytesParser
from pathlib import Path
from typing import Any

import httpx
import pytest

from cli.stack import SERVICOS, LocalStack
from notifier.messages import message_id
from protocolo.inscricoes import chave_inscricao
from protocolo.nup import Nup, gerar_nup
from protocolo.settings import InscricaoSettings, NotifierSettings, Settings
from tests.fixtures.cli import run_cli
from tests.fixtures.espera import eventually
from tests.fixtures.pipeline import CGGP, PROTOCOLO, buscar_processo, write_jsonl

pytestmark = pytest.mark.slow

_rng = random.Random()
CONCORRENCIA = 4
MOVIMENTOS_POR_PROCESSO = 60
INICIO = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def pilha(settings_factory: Callable[..., Settings]) -> Iterator[tuple[Settings, LocalStack]]:
    settings = settings_factory(
        inscricao=InscricaoSettings(por_email=20, por_ip=500),
        # Slow enough that the burst is still being sent when the notifier is killed.
        notifier=NotifierSettings(concorrencia=CONCORRENCIA, emails_por_s=60, lote_max=50),
    )
    stack = LocalStack(settings, servicos=SERVICOS)
    stack.iniciar_servicos()
    yield settings, stack
    stack.parar()


def _evento(nup: Nup, n: int, operacao: str, **campos: Any) -> dict[str, Any]:
    return {
        "id": f"crash-{nup.digitos}-{n}",
        "orgao": "26000",
        "nup": nup.formatado,
        "tipo": "PROCESSO",
        "operacao": operacao,
        "ocorrido_em": (INICIO + timedelta(minutes=n)).isoformat(),
        "nivel_acesso": "PUBLICO",
        **campos,
    }


def _movimento(nup: Nup, n: int) -> dict[str, Any]:
    if n % 2:
        return _evento(nup, n, "RECEBIMENTO", unidade_destino=CGGP)
    return _evento(nup, n, "ENVIO", unidade_origem=PROTOCOLO, unidade_destino=CGGP)


def _publicar(settings: Settings, arquivo: Path, eventos: list[dict[str, Any]]) -> None:
    resultado = run_cli(settings, "publish", str(write_jsonl(arquivo, list(eventos))))
    assert resultado.returncode == 0, resultado.stderr


class Caixa:
    """The sink's .eml files addressed to this test's subscribers, read once each (headers only)."""

    def __init__(self, pasta: Path, enderecos: set[str]) -> None:
        self.pasta = pasta
        self.enderecos = enderecos
        self.lidos: set[str] = set()
        self.mensagens: list[tuple[str, str, str, str]] = []  # (to, subject, message-id, file)

    def ler(self) -> list[tuple[str, str, str]]:
        return [m[:3] for m in self.ler_com_arquivo()]

    def ler_com_arquivo(self) -> list[tuple[str, str, str, str]]:
        parser = BytesHeaderParser()
        for arquivo in sorted(self.pasta.glob("*.eml")):
            if arquivo.name in self.lidos:
                continue
            self.lidos.add(arquivo.name)
            cabecalhos = parser.parsebytes(arquivo.read_bytes())
            if cabecalhos["To"] in self.enderecos:
                linha = (cabecalhos["To"], cabecalhos["Subject"], cabecalhos["Message-ID"], str(arquivo))
                self.mensagens.append(linha)
        return self.mensagens

    def movimentos(self) -> list[str]:
        return [mid for _, assunto, mid in self.ler() if not assunto.startswith("Confirme")]


def _confirmar_todas(api: httpx.Client, settings: Settings, caixa: Caixa, esperadas: int) -> None:
    def confirmacoes() -> list[str]:
        return [
            arquivo for to, assunto, _, arquivo in caixa.ler_com_arquivo() if assunto.startswith("Confirme")
        ]

    arquivos = eventually(
        lambda: (lambda a: a if len(a) >= esperadas else None)(confirmacoes()), what="confirmations"
    )
    assert len(arquivos) == esperadas
    parser = BytesParser(policy=policy.default)
    for arquivo in arquivos:
        mensagem = parser.parsebytes(Path(arquivo).read_bytes())
        texto = mensagem.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        (link,) = re.findall(r"https?://\S+/inscricoes/confirmar/\S+", texto)
        resposta = api.post(link.removeprefix(settings.api.public_base_url))
        assert resposta.status_code == 200, resposta.text


def test_a_notifier_killed_mid_burst_mails_every_pair_and_repeats_nothing_it_logged(
    pilha: tuple[Settings, LocalStack], mail_dir: Path, tmp_path: Path
) -> None:
    settings, stack = pilha
    segredo = settings.chaveiro.atual
    dominio = settings.smtp.remetente.rsplit("@", 1)[-1].rstrip(">")
    nups = [gerar_nup(unidade=23037, sequencial=_rng.randint(1, 999_999), ano=2024) for _ in range(3)]
    enderecos = {f"crash{i}-{_rng.randint(10**8, 10**9)}@example.com" for i in range(3)}
    caixa = Caixa(mail_dir, enderecos)
    with httpx.Client(base_url=f"http://127.0.0.1:{settings.api.port}", timeout=15) as api:
        _publicar(
            settings,
            tmp_path / "autuacoes.jsonl",
            [_evento(nup, 0, "AUTUACAO", unidade_origem=PROTOCOLO, assunto="Carga") for nup in nups],
        )
        for nup in nups:
            eventually(lambda nup=nup: buscar_processo(api, nup), what="the processo")  # type: ignore[misc]
            for endereco in sorted(enderecos):
                pedido = api.post("/api/v1/inscricoes", json={"nup": nup.formatado, "email": endereco})
                assert pedido.status_code == 202
        _confirmar_todas(api, settings, caixa, len(nups) * len(enderecos))

    rajada = [_movimento(nup, n) for n in range(1, MOVIMENTOS_POR_PROCESSO + 1) for nup in nups]
    _publicar(settings, tmp_path / "rajada.jsonl", rajada)
    total = len(rajada) * len(enderecos)
    eventually(
        lambda: len(caixa.movimentos()) >= total // 4, timeout=120, what="a quarter of the burst mailed"
    )
    stack.matar("notifier")
    no_kill = len(caixa.movimentos())
    stack.reiniciar("notifier")
    # One last movement per processo: the same partitions, after the burst; once they are mailed,
    # everything before them was handled.
    finais = [_movimento(nup, MOVIMENTOS_POR_PROCESSO + 2) for nup in nups]
    _publicar(settings, tmp_path / "finais.jsonl", finais)

    esperadas = {
        message_id(f"26000:{e['id']}", chave_inscricao(segredo, nup.digitos, endereco), dominio)
        for e in rajada + finais
        for nup in nups
        if e["nup"] == nup.formatado
        for endereco in enderecos
    }
    eventually(
        lambda: esperadas <= set(caixa.movimentos()), timeout=180, what="every (movimento, subscriber) e-mail"
    )
    contagem = Counter(mid for mid in caixa.movimentos() if mid in esperadas)
    autuacoes = {
        message_id(f"26000:crash-{nup.digitos}-0", chave_inscricao(segredo, nup.digitos, e), dominio)
        for nup in nups
        for e in enderecos
    }
    estranhos = set(caixa.movimentos()) - esperadas - autuacoes
    repeticoes = sum(n - 1 for n in contagem.values())
    print(  # noqa: T201 - the figure this test reports
        f"\ncrash test: {total + len(finais) * len(enderecos)} expected e-mails, "
        f"{no_kill} delivered at the kill, repeats={repeticoes} (bound {CONCORRENCIA})"
    )
    assert estranhos == set()
    assert set(contagem) == esperadas
    assert repeticoes <= CONCORRENCIA
