"""Saved-search alerts end to end on real processes: API → alertas topic → alert sender → SMTP sink.

A person subscribes to a search through the API, confirms through the link of the real e-mail, and
events go through the real pipeline (CLI publish → streams → alert sender). What arrives is read
from the sink's .eml files. Absence is proved after a barrier, not a sleep: the alert sender's group
has committed past every snapshot and movimento the streams wrote (read to the end, since the local
broker under-reports a partition's end to ListOffsets).

The `diario` digest runs with PROTOCOLO_ALERTAS_INTERVALO_DIARIO_S shortened to a few seconds (the
test and demo knob); which interval each novelty fell in is read from the sender's outbox, so the
test checks one e-mail per interval without any assumption about timing.
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from confluent_kafka import TopicPartition

from cli.stack import LocalStack, porta_livre
from notifier.alertas.janelas import janela
from protocolo.avro import catalogo_padrao
from protocolo.documentos import gerar_cpf, so_digitos
from protocolo.kafka import make_consumer
from protocolo.leitura import ler_ate_o_fim
from protocolo.masking import mascarar_cpf
from protocolo.nup import Nup, gerar_nup, parse_nup
from protocolo.settings import AlertasSettings, InscricaoSettings, NotifierSettings, Settings
from tests.fixtures.cli import run_cli
from tests.fixtures.espera import eventually
from tests.fixtures.pipeline import CGGP, PROTOCOLO, evento, write_jsonl

pytestmark = pytest.mark.slow

SERVICOS = ("streams", "notifier.alertas", "api")
DIGESTO_S = 8.0  # the `diario` interval of this module
CONCORRENCIA = 3
_rng = random.Random()
_CATALOGO = catalogo_padrao()


def palavra() -> str:
    """A made-up word no other test publishes: each test's alerts match only its own processos."""
    return "".join(_rng.choice("bcdfgjlmprtv") + _rng.choice("aeiou") for _ in range(5))


def nup() -> Nup:
    return gerar_nup(unidade=23037, sequencial=_rng.randint(1, 999_999), ano=2024)


@pytest.fixture(scope="module")
def pilha(settings_factory: Callable[..., Settings]) -> Iterator[tuple[Settings, LocalStack]]:
    alertas = AlertasSettings(analise="local", intervalo_diario_s=DIGESTO_S, metrics_port=porta_livre())
    settings = settings_factory(
        alertas=alertas,
        inscricao=InscricaoSettings(por_email=20, por_ip=500),
        # Slow enough that a burst is still being sent when the sender is killed.
        notifier=NotifierSettings(concorrencia=CONCORRENCIA, emails_por_s=12),
    )
    stack = LocalStack(settings, servicos=SERVICOS)
    stack.iniciar_servicos()
    yield settings, stack
    stack.parar()
    for log in (settings.state_dir / "logs").glob("*.log"):
        texto = log.read_text(errors="replace")
        assert "Traceback" not in texto, f"{log.name} logged a crash:\n{texto[-3000:]}"
        assert "@example.com" not in texto, f"{log.name} logged an address"


@pytest.fixture
def settings(pilha: tuple[Settings, LocalStack]) -> Settings:
    return pilha[0]


@pytest.fixture
def api(settings: Settings) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://127.0.0.1:{settings.api.port}", timeout=15) as client:
        yield client


def endereco(rotulo: str) -> str:
    return f"{rotulo}-{_rng.randint(10**8, 10**9)}@example.com"


def emails(mail_dir: Path, para: str) -> list[EmailMessage]:
    """Every message the sink received for `para`, oldest file first."""
    parser = BytesParser(policy=policy.default)
    mensagens = [parser.parsebytes(p.read_bytes()) for p in sorted(mail_dir.glob("*.eml"))]
    return [m for m in mensagens if m["To"] == para]  # type: ignore[misc]


def texto(mensagem: EmailMessage) -> str:
    return mensagem.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr,no-any-return]


def avisos(mail_dir: Path, para: str) -> list[EmailMessage]:
    """The alert e-mails of `para` (its confirmation left out)."""
    return [m for m in emails(mail_dir, para) if not str(m["Subject"]).startswith("Confirme")]


def nups_listados(mensagem: EmailMessage) -> list[str]:
    return re.findall(r"/processos/(\d{5}\.\d{6}/\d{4}-\d{2})", texto(mensagem))


def ativos(settings: Settings) -> float:
    """The alert sender's gauge of confirmed alerts, scraped live."""
    resposta = httpx.get(f"http://127.0.0.1:{settings.alertas.metrics_port}/metrics", timeout=5)
    linha = next(x for x in resposta.text.splitlines() if x.startswith("protocolo_alertas_ativos "))
    return float(linha.split()[1])


def assinar(api: httpx.Client, settings: Settings, mail_dir: Path, corpo: dict[str, Any]) -> None:
    """Ask for an alert, confirm it through the link of its e-mail, and wait until the sender holds it."""
    antes = ativos(settings)
    resposta = api.post("/api/v1/alertas", json=corpo)
    assert resposta.status_code == 202, resposta.text

    def confirmacao() -> EmailMessage | None:
        return next((m for m in emails(mail_dir, corpo["email"]) if "Confirme" in m["Subject"]), None)

    mensagem: EmailMessage = eventually(confirmacao, what="the alert's confirmation e-mail")
    (link,) = re.findall(r"https?://\S+/alertas/confirmar/\S+", texto(mensagem))
    caminho = link.removeprefix(settings.api.public_base_url.rstrip("/"))
    pagina = api.get(caminho)
    assert pagina.status_code == 200 and 'method="post"' in pagina.text
    confirmada = api.post(caminho)
    assert confirmada.status_code == 200 and "Alerta confirmado" in confirmada.text, confirmada.text
    eventually(lambda: ativos(settings) > antes, what="the alert sender to hold the confirmed alert")


def publicar(settings: Settings, tmp_path: Path, eventos: list[dict[str, Any]]) -> None:
    arquivo = write_jsonl(tmp_path / f"e{_rng.randint(0, 10**9)}.jsonl", list(eventos))
    resultado = run_cli(settings, "publish", str(arquivo))
    assert resultado.returncode == 0, resultado.stderr


def _fins(settings: Settings, topico: str) -> tuple[dict[int, int], list[dict[str, Any]]]:
    """Each partition's next offset after its last message, read to the end, and the records."""
    fins: dict[int, int] = {}
    registros: list[dict[str, Any]] = []
    nome = "processo" if topico == settings.kafka.topics.processos else "movimento"
    for m in ler_ate_o_fim(settings.kafka, topico, limite_s=30):
        fins[m.partition() or 0] = max(fins.get(m.partition() or 0, 0), (m.offset() or 0) + 1)
        if m.value():
            registros.append(_CATALOGO.decode(nome, m.value()))
    return fins, registros


def em_dia(settings: Settings, movimentos: dict[str, int]) -> None:
    """Barrier: the streams wrote `movimentos` (NUP digits -> count) and the sender committed past them."""
    topicos = settings.kafka.topics

    def escritos() -> dict[tuple[str, int], int] | None:
        fins_p, snapshots = _fins(settings, topicos.processos)
        fins_m, registros = _fins(settings, topicos.movimentos)
        contagem = Counter(r["nup"] for r in registros)
        if any(contagem[n] < k for n, k in movimentos.items()):
            return None
        if not set(movimentos) <= {s["nup"] for s in snapshots}:
            return None
        return {(topicos.processos, p): f for p, f in fins_p.items()} | {
            (topicos.movimentos, p): f for p, f in fins_m.items()
        }

    fins = eventually(escritos, timeout=90, what="the streams to write every snapshot and movimento")
    consumidor = make_consumer(settings.kafka, settings.kafka.group("alertas"))
    try:

        def comprometido() -> bool:
            pedidos = [TopicPartition(t, p) for t, p in fins]
            feitos = consumidor.committed(pedidos, timeout=10)
            return all(tp.offset >= fins[(tp.topic, tp.partition)] for tp in feitos)

        eventually(comprometido, timeout=60, what="the alert sender to commit past every record")
    finally:
        consumidor.close()


def autuacao(processo: Nup, assunto: str, **campos: Any) -> dict[str, Any]:
    return evento(processo, 1, "AUTUACAO", unidade_origem=PROTOCOLO, assunto=assunto, **campos)


def envio(processo: Nup, n: int) -> dict[str, Any]:
    return evento(processo, n, "ENVIO", unidade_origem=PROTOCOLO, unidade_destino=CGGP)


def test_an_immediate_alert_mails_new_matches_and_with_movimentos_each_movement(
    settings: Settings, api: httpx.Client, mail_dir: Path, tmp_path: Path
) -> None:
    termo, outro = palavra(), palavra()
    so_novos, com_movimentos, nada = endereco("novos"), endereco("movimentos"), endereco("nada")
    assinar(api, settings, mail_dir, {"email": so_novos, "q": termo, "frequencia": "imediato"})
    assinar(
        api,
        settings,
        mail_dir,
        {"email": com_movimentos, "q": termo, "frequencia": "imediato", "movimentos": True},
    )
    assinar(api, settings, mail_dir, {"email": nada, "q": outro, "frequencia": "imediato"})

    casa, nao_casa = nup(), nup()
    publicar(
        settings,
        tmp_path,
        [
            autuacao(casa, f"Aquisição de {termo} para a escola municipal"),
            autuacao(nao_casa, "Reforma do telhado da biblioteca"),
        ],
    )
    (novo,) = eventually(lambda: avisos(mail_dir, so_novos) or None, what="the new-match e-mail")
    assert nups_listados(novo) == [casa.formatado]
    corpo = texto(novo)
    assert "Novo processo" in corpo and f"Aquisição de {termo}" in corpo and "Para deixar de receber" in corpo
    assert novo["Subject"] == f"Novo processo na sua busca: {casa.formatado}"
    assert novo["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/alertas/cancelar/" in novo["List-Unsubscribe"]

    publicar(settings, tmp_path, [envio(casa, 2), envio(nao_casa, 2)])
    eventually(lambda: len(avisos(mail_dir, com_movimentos)) >= 2, what="the movement e-mail")
    em_dia(settings, {casa.digitos: 2, nao_casa.digitos: 2})

    primeiro, movimento = avisos(mail_dir, com_movimentos)
    assert nups_listados(primeiro) == [casa.formatado] and "Novo processo" in texto(primeiro)
    assert movimento["Subject"] == f"Movimentação na sua busca: {casa.formatado}"
    assert nups_listados(movimento) == [casa.formatado]
    assert "Movimentação: Envio" in texto(movimento)  # the autuação itself was told by the first e-mail
    assert len(avisos(mail_dir, so_novos)) == 1  # movimentos: false
    assert avisos(mail_dir, nada) == []  # nothing matched its search
    todos = [m for m in (emails(mail_dir, a) for a in (so_novos, com_movimentos, nada)) for m in m]
    assert not [m for m in todos if nao_casa.formatado in texto(m)]


def _novidades(settings: Settings, nups: set[str]) -> list[dict[str, Any]]:
    mensagens = ler_ate_o_fim(settings.kafka, settings.kafka.topics.alertas_novidades, limite_s=30)
    registros = (_CATALOGO.decode("novidade", m.value()) for m in mensagens if m.value())
    return [r for r in registros if r["nup"] in nups]


def test_a_digest_sends_at_most_one_email_per_interval_listing_everything_new(
    settings: Settings, api: httpx.Client, mail_dir: Path, tmp_path: Path
) -> None:
    termo = palavra()
    leitor = endereco("resumo")
    assinar(api, settings, mail_dir, {"email": leitor, "q": termo, "frequencia": "diario"})
    processos = [nup() for _ in range(3)]
    publicar(
        settings,
        tmp_path,
        [autuacao(p, f"Contratação de {termo} número {i}") for i, p in enumerate(processos)],
    )
    em_dia(settings, {p.digitos: 1 for p in processos})
    # Which interval each novelty fell in, as the sender recorded it in its outbox.
    novidades = _novidades(settings, {p.digitos for p in processos})
    assert sorted(n["nup"] for n in novidades) == sorted(p.digitos for p in processos)
    por_janela: dict[int, set[str]] = defaultdict(set)
    for n in novidades:
        por_janela[janela(n["registrada_em"], DIGESTO_S)].add(n["nup"])

    eventually(
        lambda: len(avisos(mail_dir, leitor)) >= len(por_janela), timeout=60, what="one digest per interval"
    )
    # A later novelty makes a later interval close: once its digest is here, no other could still come.
    seguinte = nup()
    publicar(settings, tmp_path, [autuacao(seguinte, f"Locação de {termo}")])
    eventually(
        lambda: any(seguinte.formatado in nups_listados(m) for m in avisos(mail_dir, leitor)),
        timeout=60,
        what="the next interval's digest",
    )
    resumos = [m for m in avisos(mail_dir, leitor) if seguinte.formatado not in nups_listados(m)]
    listados = sorted(tuple(sorted(nups_listados(m))) for m in resumos)
    esperados = sorted(tuple(sorted(parse_nup(n).formatado for n in nups)) for nups in por_janela.values())
    assert listados == esperados  # one e-mail per interval, each listing every novelty of its interval
    assert len({m["Message-ID"] for m in resumos}) == len(resumos)
    assert all(str(m["Subject"]).startswith("Resumo do dia: ") for m in resumos)
    assert "Novo processo" in texto(resumos[0]) and f"Contratação de {termo}" in texto(resumos[0])


def _item(mensagem: EmailMessage) -> tuple[str, str]:
    """What one imediato e-mail tells: (NUP, "novo" or the movement's date)."""
    corpo = texto(mensagem)
    (processo,) = nups_listados(mensagem)
    if "Novo processo" in corpo:
        return processo, "novo"
    (quando,) = re.findall(r"Movimentação: .* — \S+ \((\d\d/\d\d/\d{4}) às", corpo)
    return processo, quando


def test_the_sender_killed_mid_burst_and_restarted_neither_loses_nor_doubles_an_email(
    pilha: tuple[Settings, LocalStack], api: httpx.Client, mail_dir: Path, tmp_path: Path
) -> None:
    settings, stack = pilha
    termo = palavra()
    leitor = endereco("queda")
    assinar(
        api, settings, mail_dir, {"email": leitor, "q": termo, "frequencia": "imediato", "movimentos": True}
    )
    processos = [nup() for _ in range(12)]
    publicar(settings, tmp_path, [autuacao(p, f"Manutenção de {termo}") for p in processos])
    # The new matches first (a movement read before its processo's first snapshot has no alert to tell).
    em_dia(settings, {p.digitos: 1 for p in processos})
    assert len(avisos(mail_dir, leitor)) == len(processos)
    publicar(settings, tmp_path, [envio(p, n) for n in (2, 3) for p in processos])
    esperados = {(p.formatado, x) for p in processos for x in ("novo", "02/05/2024", "03/05/2024")}

    eventually(
        lambda: len(avisos(mail_dir, leitor)) >= len(processos) + 4, timeout=90, what="the movements arriving"
    )
    stack.matar("notifier.alertas")
    recebidos_na_queda = len(avisos(mail_dir, leitor))
    stack.reiniciar("notifier.alertas")
    eventually(
        lambda: {_item(m) for m in avisos(mail_dir, leitor)} >= esperados,
        timeout=120,
        what="every alert e-mail after the restart",
    )
    em_dia(settings, {p.digitos: 3 for p in processos})

    mensagens = avisos(mail_dir, leitor)
    por_item: dict[tuple[str, str], set[str]] = defaultdict(set)
    for m in mensagens:
        por_item[_item(m)].add(str(m["Message-ID"]))
    assert set(por_item) == esperados  # nothing lost, nothing else
    assert all(len(ids) == 1 for ids in por_item.values()), "an item was mailed under two Message-IDs"
    repetidos = len(mensagens) - len(por_item)
    print(  # noqa: T201  (pytest -s shows it)
        f"killed after {recebidos_na_queda} of {len(esperados)} e-mails; {repetidos} resent (same Message-ID)"
    )
    assert recebidos_na_queda < len(esperados), "the kill came after the burst: nothing was proved"
    # Only what was in flight at the kill may arrive again, under the same Message-ID.
    assert repetidos <= CONCORRENCIA


def test_following_an_interessado_by_cpf_mails_its_public_processos_and_stores_only_the_hash(
    settings: Settings, api: httpx.Client, mail_dir: Path, tmp_path: Path
) -> None:
    cpf = gerar_cpf(_rng)
    leitor = endereco("cpf")
    assinar(api, settings, mail_dir, {"email": leitor, "documento": cpf, "frequencia": "imediato"})
    dele, de_outro, oculto = nup(), nup(), nup()
    interessado = [{"nome": "Maria das Dores", "documento": cpf}]
    publicar(
        settings,
        tmp_path,
        [
            autuacao(dele, "Pedido de pensão", interessados=interessado),
            autuacao(
                de_outro, "Pedido de pensão", interessados=[{"nome": "João", "documento": gerar_cpf(_rng)}]
            ),
            autuacao(oculto, "Pedido de pensão", interessados=interessado, nivel_acesso="SIGILOSO"),
        ],
    )
    em_dia(settings, {dele.digitos: 1, de_outro.digitos: 1})
    (aviso,) = avisos(mail_dir, leitor)
    assert nups_listados(aviso) == [dele.formatado]
    (confirmacao,) = [m for m in emails(mail_dir, leitor) if "Confirme" in m["Subject"]]
    assert mascarar_cpf(cpf) in texto(confirmacao)  # the search is described with the CPF masked
    for mensagem in (aviso, confirmacao):
        for sequencia in re.findall(r"\d[\d.\-/]{9,16}\d", texto(mensagem)):
            assert so_digitos(sequencia) != cpf, f"a full CPF in an alert e-mail: {sequencia}"
    # What the API stored: the address in clear beside the number's keyed hash, never the number.
    for m in ler_ate_o_fim(settings.kafka, settings.kafka.topics.alertas, limite_s=30):
        bruto = (m.key() or b"") + (m.value() or b"")
        pontuado = f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"
        assert cpf.encode() not in bruto and pontuado.encode() not in bruto
