"""Benchmark of the notifier: e-mails/s to the local SMTP sink, against raw smtplib in the same run.

    .venv/bin/python -m bench.notificacao [--movimentos 10000] [--inscritos 3] [--processos 100]

Starts its own broker, search server and SMTP sink (which writes every message as an .eml file) on
free ports, writes `--inscritos` confirmed subscriptions to each of `--processos` processos, then:
  raw        smtplib on one connection sending the same rendered messages (the baseline: no Kafka,
             no enviadas, no rendering in the timed part)
  notifier   `python -m notifier` as a real process consuming the movimentos topic, rendering,
             sending with its settings' concurrency (rate limit lifted) and acknowledging each
             message on enviadas before committing
Times: from the first to the last .eml file of each phase (the sink names files by arrival, in ns),
and for the notifier also from process start. Prints e-mails/s and the ratio to raw, and writes
bench/resultados/notificacao.json.
"""

from __future__ import annotations

import argparse
import smtplib
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console

from bench.movimentos import T0, movimento
from bench.pilha import iniciar_pilha
from bench.saida import gravar_resultados
from notifier.lote import Redator
from notifier.messages import Inscrito
from protocolo.avro import catalogo_padrao
from protocolo.inscricoes import EstadoInscricao, Inscricao, chave_inscricao
from protocolo.inscricoes_topico import gravar_inscricoes
from protocolo.kafka import make_producer
from protocolo.nup import gerar_nup
from protocolo.settings import NotifierSettings, Settings

console = Console(highlight=False)
RESULTADOS = Path(__file__).parent / "resultados" / "notificacao.json"


def _emls(pasta: Path) -> list[Path]:
    return sorted(pasta.glob("*.eml"))


def _duracao(arquivos: list[Path]) -> float:
    """Seconds from the first to the last file (names start with the arrival time in ns)."""
    inicio, fim = (int(a.name.split("-")[0]) for a in (arquivos[0], arquivos[-1]))
    return (fim - inicio) / 1e9


def _esperar(pasta: Path, antes: int, n: int, prazo_s: float) -> list[Path]:
    limite = time.monotonic() + prazo_s
    while time.monotonic() < limite:
        arquivos = _emls(pasta)
        if len(arquivos) >= antes + n:
            return arquivos[antes:]
        time.sleep(0.5)
    raise SystemExit(f"só {len(_emls(pasta)) - antes} de {n} e-mails em {prazo_s:.0f} s")


def _linha(nome: str, n: int, segundos: float) -> dict[str, float]:
    console.print(f"  {nome:18s} {n:>7,d} e-mails em {segundos:7.2f} s = {n / segundos:>8,.0f} e-mails/s")
    return {"emails": n, "segundos": round(segundos, 3), "emails_por_s": round(n / segundos, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--movimentos", type=int, default=10_000)
    parser.add_argument("--inscritos", type=int, default=3)
    parser.add_argument("--processos", type=int, default=100)
    parser.add_argument("--concorrencia", type=int, default=4)
    args = parser.parse_args()

    limites = NotifierSettings(concorrencia=args.concorrencia, emails_por_s=1e6, lote_max=500)
    stack = iniciar_pilha("notificacao", substituir={"notifier": limites})
    settings: Settings = stack.settings
    try:
        segredo = settings.secret_key.get_secret_value().encode()
        nups = [gerar_nup(unidade=26000, sequencial=i + 1, ano=2024).digitos for i in range(args.processos)]
        inscricoes = [
            Inscricao(
                chave_inscricao(segredo, nup, e), nup, e, EstadoInscricao.CONFIRMADA, T0, atualizada_em=T0
            )
            for nup in nups
            for e in (f"pessoa{i}-{nup}@example.com" for i in range(args.inscritos))
        ]
        gravar_inscricoes(settings.kafka, inscricoes)
        movimentos = [movimento(nups[n % len(nups)], n) for n in range(args.movimentos)]
        total = len(movimentos) * args.inscritos
        console.print(
            f"[bold]Notificação[/]: {len(movimentos):,d} movimentos × {args.inscritos} inscritos = "
            f"{total:,d} e-mails; notifier com concorrência {args.concorrencia}"
        )

        redator = Redator(
            remetente=settings.smtp.remetente,
            base_url=settings.api.public_base_url,
            segredo=segredo,
            validade=timedelta(hours=48),
        )
        por_nup: dict[str, list[Inscricao]] = {}
        for inscricao in inscricoes:
            por_nup.setdefault(inscricao.nup, []).append(inscricao)
        mensagens = [
            redator.movimento(m, Inscrito(i.chave, i.nup, i.email))
            for m in movimentos
            for i in por_nup[m["nup"]]
        ]
        pasta = stack.pasta_emails
        antes = len(_emls(pasta))
        with smtplib.SMTP(settings.smtp.host, settings.smtp.port) as smtp:
            for mensagem in mensagens:
                smtp.send_message(mensagem)
        raw = _linha("raw smtplib", total, _duracao(_esperar(pasta, antes, total, 600)))

        producer = make_producer(settings.kafka)
        catalogo = catalogo_padrao()
        for registro in movimentos:
            producer.produce(
                settings.kafka.topics.movimentos,
                key=registro["nup"].encode(),
                value=catalogo.encode("movimento", registro),
            )
            producer.poll(0)
        producer.flush(60)
        antes = len(_emls(pasta))
        inicio = time.perf_counter()
        stack.servicos = ("notifier",)
        stack.iniciar_servicos()
        arquivos = _esperar(pasta, antes, total, 1800)
        desde_inicio = time.perf_counter() - inicio
        notifier = _linha("notifier", total, _duracao(arquivos))
        notifier_total = _linha("notifier (c/ início)", total, desde_inicio)
        razao = notifier["emails_por_s"] / raw["emails_por_s"]
        console.print(f"  razão notifier/raw: {razao:.2f}")
        resultados = {
            "medido_em": datetime.now(UTC).isoformat(timespec="seconds"),
            "movimentos": len(movimentos),
            "inscritos_por_processo": args.inscritos,
            "processos": args.processos,
            "concorrencia": args.concorrencia,
            "raw_smtplib": raw,
            "notifier": notifier,
            "notifier_com_inicio": notifier_total,
            "razao_notifier_raw": round(razao, 3),
        }
        gravar_resultados(RESULTADOS, resultados, console)
    finally:
        stack.parar()


if __name__ == "__main__":
    main()
