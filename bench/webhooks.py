"""Benchmark of the webhook deliverer: deliveries/s to a local receiver, against raw httpx in the same run.

    .venv/bin/python -m bench.webhooks [--movimentos 5000] [--endpoints 4] [--alvo orgao|alerta]

Starts its own broker, search server and SMTP sink on free ports, and a receiver as its own uvicorn
process (bench/receptor_webhooks.py), with `--endpoints` URLs on it. Then:
  raw        an httpx.AsyncClient posting the same signed bodies, one request at a time per endpoint
             and all endpoints at once (the deliverer's shape), with nothing else: no Kafka, no outbox
  webhooks   `python -m webhooks` as a real process: every endpoint registered for the órgão and
             verified, then the movimentos produced; it plans, writes each delivery to the outbox,
             commits, signs, posts and records each outcome. With `--alvo alerta` every endpoint
             follows a saved search that every processo matches, and each movimento is followed
             by its processo's snapshot, as the streams write them: the deliverer also matches each
             snapshot, keeps its table of matches and holds each movimento until its snapshot is read
Times: from the receiver's first to its last delivery of each phase, and for the deliverer also from
the first movimento produced. Prints deliveries/s and the ratio to raw, and writes
bench/resultados/webhooks.json (webhooks_alerta.json with `--alvo alerta`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from rich.console import Console

from bench.movimentos import T0, movimento, snapshot_publico
from bench.pilha import iniciar_pilha
from bench.saida import gravar_resultados
from cli.stack import porta_livre
from protocolo.alertas.consulta import ConsultaAlerta, Termo, TipoTermo
from protocolo.avro import catalogo_padrao
from protocolo.cifra import Cofre
from protocolo.integradores import gerar_integrador
from protocolo.integradores_topico import gravar_integrador
from protocolo.kafka import make_producer
from protocolo.nup import gerar_nup
from protocolo.settings import Settings
from protocolo.topico_compactado import gravar
from protocolo.webhooks import (
    PROPOSITO_SEGREDOS,
    Alvo,
    SegredoSelado,
    TipoAlvo,
    Veredito,
    Webhook,
    id_entrega,
    novo_id_webhook,
    novo_segredo,
)
from protocolo.webhooks_topico import ler_estados, mensagem_webhook
from webhooks.assinatura import cabecalhos
from webhooks.payload import corpo_json, payload_movimento

console = Console(highlight=False)
RESULTADOS = Path(__file__).parent / "resultados" / "webhooks.json"
RESULTADOS_ALERTA = Path(__file__).parent / "resultados" / "webhooks_alerta.json"


def _alvo(tipo: str) -> Alvo:
    if tipo == "orgao":
        return Alvo(TipoAlvo.ORGAO, "26000")
    consulta = ConsultaAlerta(grupos=((Termo(TipoTermo.PALAVRA, texto="aposentadoria"),),))
    return Alvo(
        TipoAlvo.ALERTA, json.dumps({"consulta": consulta.canonica(), "descricao": "“aposentadoria”"})
    )


def _contagem(base: str) -> dict[str, float]:
    resposta: dict[str, float] = httpx.get(f"{base}/_contagem", timeout=10).json()
    return resposta


def _esperar(base: str, n: int, prazo_s: float) -> dict[str, float]:
    limite = time.monotonic() + prazo_s
    while time.monotonic() < limite:
        contagem = _contagem(base)
        if contagem["n"] >= n:
            return contagem
        time.sleep(0.2)
    raise SystemExit(f"só {int(_contagem(base)['n'])} de {n} entregas em {prazo_s:.0f} s")


def _linha(nome: str, n: int, segundos: float) -> dict[str, float]:
    console.print(f"  {nome:22s} {n:>7,d} entregas em {segundos:7.2f} s = {n / segundos:>8,.0f} entregas/s")
    return {"entregas": n, "segundos": round(segundos, 3), "entregas_por_s": round(n / segundos, 1)}


async def _raw(
    urls: list[str], corpos: list[tuple[str, bytes]], segredos: list[bytes], timeout_s: float
) -> None:
    async with httpx.AsyncClient(timeout=timeout_s) as cliente:

        async def _endpoint(url: str, segredo: bytes, webhook_id: str) -> None:
            for movimento_id, corpo in corpos:
                msg_id = id_entrega(movimento_id, webhook_id)
                resposta = await cliente.post(
                    url, content=corpo, headers=cabecalhos(msg_id, int(time.time()), corpo, [segredo])
                )
                resposta.raise_for_status()

        await asyncio.gather(
            *(_endpoint(u, s, f"raw-{i}") for i, (u, s) in enumerate(zip(urls, segredos, strict=True)))
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--movimentos", type=int, default=5000)
    parser.add_argument("--endpoints", type=int, default=4)
    parser.add_argument("--alvo", choices=("orgao", "alerta"), default="orgao")
    args = parser.parse_args()

    stack = iniciar_pilha("webhooks")
    settings: Settings = stack.settings
    porta = porta_livre()
    receptor = subprocess.Popen(
        [sys.executable, "-m", "bench.receptor_webhooks", str(porta)],
        stdout=subprocess.DEVNULL,
        stderr=(stack.pasta_logs / "receptor.log").open("wb"),
    )
    base = f"http://127.0.0.1:{porta}"
    try:
        limite = time.monotonic() + 30
        while True:
            try:
                _contagem(base)
                break
            except httpx.HTTPError:
                if time.monotonic() > limite or receptor.poll() is not None:
                    raise SystemExit("o receptor não iniciou") from None
                time.sleep(0.1)
        urls = [f"{base}/wh/{i}" for i in range(args.endpoints)]
        nups = [gerar_nup(unidade=26000, sequencial=i + 1, ano=2024).digitos for i in range(100)]
        movimentos = [movimento(nups[n % len(nups)], n) for n in range(args.movimentos)]
        total = len(movimentos) * args.endpoints
        console.print(
            f"[bold]Webhooks[/]: {len(movimentos):,d} movimentos × {args.endpoints} endpoints = "
            f"{total:,d} entregas, alvo {args.alvo}"
        )

        # raw: the same bodies and signatures, posted straight to the receiver.
        segredos = [novo_segredo() for _ in urls]
        corpos = [(m["id"], corpo_json(payload_movimento(m))) for m in movimentos]
        httpx.post(f"{base}/_zerar", timeout=10)
        asyncio.run(_raw(urls, corpos, segredos, settings.webhooks.timeout_s))
        feito = _esperar(base, total, 60)
        raw = _linha("raw httpx", total, feito["ultimo"] - feito["primeiro"])

        # webhooks: the real deliverer, every endpoint verified before the movimentos.
        integrador, _token = gerar_integrador(
            settings.chaveiro.atual, nome="bench", email="b@bench.example", agora=T0
        )
        gravar_integrador(settings.kafka, integrador)
        cofre = Cofre(settings.chaveiro, PROPOSITO_SEGREDOS)
        registros = []
        for url, segredo in zip(urls, segredos, strict=True):
            id_ = novo_id_webhook()
            selado = SegredoSelado(cofre.selar(segredo, vinculo=id_), T0)
            registros.append(Webhook(id_, integrador.id, url, _alvo(args.alvo), (selado,), T0))
        gravar(settings.kafka, settings.kafka.topics.webhooks, [mensagem_webhook(w) for w in registros])
        stack.servicos = ("webhooks",)
        stack.iniciar_servicos()
        limite = time.monotonic() + 60
        while not all(
            (e := ler_estados(settings.kafka).get(w.id)) and e.veredito is Veredito.VERIFICADO
            for w in registros
        ):
            if time.monotonic() > limite:
                raise SystemExit("os endpoints não foram verificados")
            time.sleep(0.3)
        httpx.post(f"{base}/_zerar", timeout=10)
        producer = make_producer(settings.kafka)
        catalogo = catalogo_padrao()
        base_snapshot = snapshot_publico(
            nups[0], 1, assunto="Solicitação de aposentadoria", segredo=settings.chaveiro.atual
        )
        inicio = time.time()
        for registro in movimentos:
            chave = registro["nup"].encode()
            producer.produce(
                settings.kafka.topics.movimentos, key=chave, value=catalogo.encode("movimento", registro)
            )
            if args.alvo == "alerta":  # its snapshot right after it, as the streams write a batch
                snapshot = {**base_snapshot, "nup": registro["nup"], "versao": registro["processo_versao"]}
                producer.produce(
                    settings.kafka.topics.processos, key=chave, value=catalogo.encode("processo", snapshot)
                )
            producer.poll(0)
        producer.flush(60)
        feito = _esperar(base, total, 1800)
        entregador = _linha("webhooks", total, feito["ultimo"] - feito["primeiro"])
        com_producao = _linha("webhooks (c/ produção)", total, feito["ultimo"] - inicio)
        razao = entregador["entregas_por_s"] / raw["entregas_por_s"]
        console.print(f"  razão webhooks/raw: {razao:.2f}")
        gravar_resultados(
            RESULTADOS_ALERTA if args.alvo == "alerta" else RESULTADOS,
            {
                "medido_em": datetime.now(UTC).isoformat(timespec="seconds"),
                "movimentos": len(movimentos),
                "endpoints": args.endpoints,
                "alvo": args.alvo,
                "raw_httpx": raw,
                "webhooks": entregador,
                "webhooks_com_producao": com_producao,
                "razao_webhooks_raw": round(razao, 3),
            },
            console,
        )
    finally:
        receptor.terminate()
        receptor.wait(10)
        stack.parar()


if __name__ == "__main__":
    main()
