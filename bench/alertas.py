"""Benchmark of alert matching: movimentos/s against 10,000 saved searches, next to decoding alone.

    .venv/bin/python -m bench.alertas [--alertas 10000] [--processos 2000] [--lote 500]

The traffic is the simulator's (seed 17): each valid event gives the alert sender what the streams
publish for it, a snapshot of its processo and, when public, a movimento, Avro-encoded. The saved
searches are drawn from the same traffic's text the way people search (words, misspelt words,
phrases, OU, interessado names, órgão and date filters, NUPs and CPFs), through the API's own
reading of a search (`consulta_de_busca`); one in `--movimentos-cada` also asks for every movement
(`movimentos: true`; 1: all of them). Most searches are broad (a common word of the traffic, an órgão
since 2024), so a processo meets hundreds of candidate alerts and dozens of matches: a pessimistic
mix. In the same run:
  decodificar  decode every snapshot and movimento, in batches (the baseline: what the sender pays
               per record before matching)
  casar        the same decoding, then `EstadoAlertas.novidades` per batch (the latest snapshot of
               each processo in the batch matched through the term index, movements checked
               against the processo's matches), as the sender's loop does
  ingenuo      for a sample of snapshots only, every saved search evaluated one by one (no index):
               why the index exists
Pure and in one process: no broker and no SMTP (delivery is measured by bench.notificacao). Prints
movimentos/s, the ratio to decoding alone, the streams stage's sustained rate from
bench/resultados/streams.json for scale, and writes bench/resultados/alertas.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from api.alertas_consulta import consulta_de_busca
from api.busca.params import validar_busca
from bench.saida import gravar_resultados
from cli.simulation.simulator import SimulationConfig, Simulator
from notifier.alertas.estado import EstadoAlertas
from protocolo.alertas.alerta import Alerta, alerta_to_avro
from protocolo.alertas.analise import ELASTICSEARCH, tokenizar
from protocolo.alertas.casamento import casa
from protocolo.alertas.consulta import ConsultaAlerta, Frequencia
from protocolo.alertas.indice import Casador
from protocolo.avro import catalogo_padrao
from protocolo.documento_busca import documento_processo
from protocolo.fold import fold_processo
from protocolo.inscricoes import EstadoInscricao
from protocolo.referencia import carregar_referencia
from streams.projection import movimento_record, snapshot_record

console = Console(highlight=False)
RESULTADOS = Path(__file__).parent / "resultados" / "alertas.json"
STREAMS = Path(__file__).parent / "resultados" / "streams.json"
SEGREDO = b"bench-alertas"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def trafego(processos: int) -> list[tuple[bytes, bytes | None]]:
    """(snapshot, movimento or None) per valid event, Avro-encoded, in the order the events came."""
    referencia = carregar_referencia()
    simulador = Simulator(SimulationConfig(seed=17, processos=processos, invalid_fraction=0), referencia)
    for _ in simulador.eventos():
        pass
    catalogo = catalogo_padrao()
    registros: list[tuple[bytes, bytes | None]] = []
    for eventos in simulador.oracle().eventos_validos.values():
        for n in range(1, len(eventos) + 1):
            estado = fold_processo(eventos[:n])
            snapshot = snapshot_record(estado, referencia, segredo=SEGREDO, restrito_publico=False)
            movimento = movimento_record(eventos[n - 1], estado, referencia) if snapshot["publico"] else None
            registros.append(
                (
                    catalogo.encode("processo", snapshot),
                    catalogo.encode("movimento", movimento) if movimento is not None else None,
                )
            )
    return registros


def _errar(palavra: str, rng: random.Random) -> str:
    letras = list(palavra)
    i = rng.randrange(len(letras))
    letras[i] = rng.choice("aeioust")
    return "".join(letras)


def buscas(snapshots: list[dict[str, Any]], quantas: int) -> list[dict[str, Any]]:
    """`quantas` searches drawn from the traffic's own text and filters, deterministic."""
    rng = random.Random(5)
    textos = [s["assunto"] for s in snapshots if s.get("assunto")]
    nomes = [i["nome"] for s in snapshots for i in s.get("interessados") or ()]
    palavras = sorted({p for t in textos + nomes for p in tokenizar(t) if p.isalpha() and len(p) > 3})
    orgaos = sorted({s["orgao"] for s in snapshots if s.get("orgao")})
    nups = sorted({s["nup"] for s in snapshots})
    geradores: list[Callable[[], dict[str, Any]]] = [
        lambda: {"q": rng.choice(palavras)},
        lambda: {"q": _errar(rng.choice(palavras), rng)},
        lambda: {"q": f"{rng.choice(palavras)} {rng.choice(palavras)}"},
        lambda: {"q": f"{rng.choice(palavras)} OU {rng.choice(palavras)}"},
        lambda: {"q": '"' + " ".join(rng.choice(textos).split()[:2]) + '"'},
        lambda: {"q": rng.choice(palavras), "orgao": rng.choice(orgaos)},
        lambda: {"orgao": rng.choice(orgaos), "desde": "2024"},
        lambda: {"interessado": rng.choice(nomes).split()[0]},
        lambda: {"nup": rng.choice(nups)},
        lambda: {"q": f"{rng.choice(palavras)}{rng.randint(1, 10**6)}"},  # matches nothing
    ]
    return [rng.choice(geradores)() for _ in range(quantas)]


def estado_com(consultas: list[ConsultaAlerta], movimentos_cada: int) -> EstadoAlertas:
    """An EstadoAlertas holding every search as a confirmed `imediato` alert (one in `movimentos_cada`
    with movimentos)."""
    estado = EstadoAlertas(Casador(ELASTICSEARCH))
    for n, consulta in enumerate(consultas):
        alerta = Alerta(
            f"a{n}", f"a{n}@example.org", consulta, "", Frequencia.IMEDIATO, n % movimentos_cada == 0,
            EstadoInscricao.CONFIRMADA, T0, T0, T0,
        )  # fmt: skip
        estado.aplicar_alerta(alerta.chave, alerta_to_avro(alerta))
    return estado


def _lotes(registros: list[tuple[bytes, bytes | None]], lote: int) -> list[list[tuple[bytes, bytes | None]]]:
    return [registros[i : i + lote] for i in range(0, len(registros), lote)]


def decodificar(
    lote: list[tuple[bytes, bytes | None]], catalogo: Any
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """A batch as the sender's loop decodes it: the latest snapshot per processo, the movimentos."""
    snapshots: dict[str, dict[str, Any]] = {}
    movimentos: list[dict[str, Any]] = []
    for bruto_snapshot, bruto_movimento in lote:
        snapshot = catalogo.decode("processo", bruto_snapshot)
        atual = snapshots.get(snapshot["nup"])
        if atual is None or atual["versao"] < snapshot["versao"]:
            snapshots[snapshot["nup"]] = snapshot
        if bruto_movimento is not None:
            movimentos.append(catalogo.decode("movimento", bruto_movimento))
    return snapshots, movimentos


def main() -> None:
    """Run the phases and print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--alertas", type=int, default=10_000)
    parser.add_argument("--processos", type=int, default=2_000)
    parser.add_argument(
        "--lote", type=int, default=500, help="records per batch (PROTOCOLO_ALERTAS_LOTE_MAX)"
    )
    parser.add_argument("--amostra-ingenua", type=int, default=200)
    parser.add_argument("--movimentos-cada", type=int, default=5, help="one alert in N asks for movements")
    args = parser.parse_args()
    catalogo = catalogo_padrao()

    console.print(f"gerando o tráfego de {args.processos} processos…")
    registros = trafego(args.processos)
    movimentos = sum(1 for _, m in registros if m is not None)
    finais = {}
    for bruto, _ in registros:
        s = catalogo.decode("processo", bruto)
        finais[s["nup"]] = s
    publicos = [s for s in finais.values() if s["publico"]]
    consultas = [
        consulta_de_busca(validar_busca(**b), segredo=SEGREDO) for b in buscas(publicos, args.alertas)
    ]
    console.print(f"{len(registros)} eventos ({movimentos} movimentos públicos), {len(consultas)} alertas")
    lotes = _lotes(registros, args.lote)

    inicio = time.perf_counter()
    for lote in lotes:
        decodificar(lote, catalogo)
    decodificar_s = time.perf_counter() - inicio

    estado = estado_com(consultas, args.movimentos_cada)
    inicio = time.perf_counter()
    novidades = 0
    for lote in lotes:
        snapshots, movs = decodificar(lote, catalogo)
        novas = estado.novidades(snapshots.values(), movs, T0)
        for n in novas:
            estado.aplicar_novidade(n)
        novidades += len(novas)
    casar_s = time.perf_counter() - inicio

    amostra = random.Random(1).sample(list(finais.values()), min(args.amostra_ingenua, len(finais)))
    documentos = [estado.casador.analisar(documento_processo(s)) for s in amostra]
    inicio = time.perf_counter()
    for documento in documentos:
        _ = [n for n, c in enumerate(consultas) if casa(c, documento, ELASTICSEARCH)]
    ingenuo_por_doc_s = (time.perf_counter() - inicio) / len(documentos)
    candidatos = sum(len(estado.casador.candidatos(d)) for d in documentos) / len(documentos)
    inicio = time.perf_counter()
    for documento in documentos:
        estado.casador.casar(documento)
    indexado_por_doc_s = (time.perf_counter() - inicio) / len(documentos)

    streams = json.loads(STREAMS.read_text(encoding="utf-8"))["streams"]["sustentado_10_90_eventos_por_s"]
    resultados = {
        "quando": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "alertas": len(consultas),
        "eventos": len(registros),
        "movimentos": movimentos,
        "lote": args.lote,
        "alertas_com_movimentos": sum(1 for n in range(len(consultas)) if n % args.movimentos_cada == 0),
        "novidades": novidades,
        "decodificar_movimentos_por_s": round(movimentos / decodificar_s, 1),
        "casar_movimentos_por_s": round(movimentos / casar_s, 1),
        "razao_casar_decodificar": round(decodificar_s / casar_s, 3),
        "candidatos_por_processo": round(candidatos, 1),
        "ingenuo_processos_por_s": round(1 / ingenuo_por_doc_s, 1),
        "indexado_processos_por_s": round(1 / indexado_por_doc_s, 1),
        "streams_eventos_por_s": streams,
    }
    console.print(
        f"\ndecodificar só: {resultados['decodificar_movimentos_por_s']:,.0f} movimentos/s"
        f"\ncasar com {len(consultas):,} alertas: {resultados['casar_movimentos_por_s']:,.0f} movimentos/s "
        f"(razão {resultados['razao_casar_decodificar']} da decodificação; {novidades:,} novidades)"
        f"\ncandidatos por processo: {candidatos:.1f} de {len(consultas):,}; "
        f"com o índice {resultados['indexado_processos_por_s']:,.0f} processos/s, "
        f"avaliando todos {resultados['ingenuo_processos_por_s']:,.1f} processos/s"
        f"\netapa de streams (bench/resultados/streams.json): {streams:,.0f} eventos/s sustentados"
    )
    gravar_resultados(RESULTADOS, resultados, console)


if __name__ == "__main__":
    main()
