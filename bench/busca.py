"""Benchmark of the search API against the same queries sent straight to the search server.

    .venv/bin/python -m bench.busca [--processos 100000] [--requisicoes 160]

Starts its own local broker and search server on free ports, indexes the final snapshots of
`--processos` simulated processos with the indexer's own documents (and, with --movimentos, their
movimentos), starts the API as a real uvicorn process, and sends a realistic query mix:
free-text words and pairs from assuntos, interessado names, NUPs, "OU", filters by órgão and
situação, date ranges, and page 2 through the cursor; facets and highlights as the API asks for them.
Each query goes (a) to GET /api/v1/processos and (b) as the very body the API builds
(api.busca.consulta.montar_busca) straight to the search server, both with httpx async clients at
1, 8 and 32 concurrent clients, alternating halves of each level between (a) and (b).
Reports p50/p99 latency, the API's overhead in ms at p50 and the ratio API / direct; writes
bench/resultados/busca.json. Goals: ≤ 5 ms at p50 and a ratio ≤ 1.1 at 32 clients.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from elasticsearch import helpers
from rich.console import Console
from rich.table import Table

from api.busca.consulta import montar_busca
from api.busca.params import validar_busca
from bench.indexacao import eventos_limpos
from bench.pilha import iniciar_pilha
from bench.saida import gravar_resultados
from indexer.documents import acoes_do_lote
from indexer.indices import garantir_indices
from protocolo.chaveiro import Chaveiro
from protocolo.fold import Processo, fold_processo
from protocolo.model import Evento
from protocolo.nup import parse_nup
from protocolo.referencia import carregar_referencia
from protocolo.search import make_search
from protocolo.settings import Settings
from streams.projection import eh_publico, movimento_record, snapshot_record

console = Console(highlight=False)
RESULTADOS = Path(__file__).parent / "resultados" / "busca.json"
CLIENTES = (1, 8, 32)

Consulta = dict[str, str]


def _indexar(settings: Settings, processos: int, *, movimentos: bool) -> list[dict[str, Any]]:
    """Index the final snapshot of each simulated processo (and its movimentos); returns the snapshots."""
    referencia = carregar_referencia()
    segredo = settings.chaveiro.atual
    por_nup: dict[str, list[Evento]] = {}
    for evento in eventos_limpos(processos, seed=3):
        por_nup.setdefault(evento.nup, []).append(evento)
    finais: list[Processo] = [fold_processo(eventos) for eventos in por_nup.values()]
    snapshots = [snapshot_record(p, referencia, segredo=segredo, restrito_publico=False) for p in finais]
    movs = []
    if movimentos:
        movs = [
            movimento_record(e, p, referencia)
            for p in finais
            if eh_publico(p.nivel_acesso, restrito_publico=False)
            for e in por_nup[p.nup]
        ]
    es = make_search(settings.search)
    garantir_indices(es, settings.search)
    search = settings.search
    acoes = acoes_do_lote(
        snapshots,
        movs,
        indice_processos=search.alias("processos"),
        indice_movimentos=search.alias("movimentos"),
    )
    console.print(f"indexando {len(snapshots):,d} processos e {len(movs):,d} movimentos…")
    inicio = time.perf_counter()
    _ok, falhas = helpers.bulk(
        es, (a.to_bulk() for a in acoes), chunk_size=1000, max_retries=5, raise_on_error=False
    )
    assert isinstance(falhas, list)
    falhas = [f for f in falhas if f["index"]["status"] != 409]  # a retried 429 finds its own write
    assert not falhas, falhas[:2]
    es.indices.refresh(index=f"{search.alias('processos')},{search.alias('movimentos')}")
    console.print(f"  {len(acoes) / (time.perf_counter() - inicio):,.0f} documentos/s")
    es.close()
    return [s for s in snapshots if s["publico"]]


def _palavras(texto: str | None) -> list[str]:
    return [p.strip(".,;:()") for p in (texto or "").split() if len(p.strip(".,;:()")) >= 5 and p.isalpha()]


def consultas(snapshots: list[dict[str, Any]], *, quantas: int, seed: int = 5) -> list[Consulta]:
    """A realistic mix of Consulta Simples and Avançada parameters, drawn from the indexed processos."""
    rng = random.Random(seed)
    mix: list[Consulta] = []
    while len(mix) < quantas:
        s = rng.choice(snapshots)
        palavras = _palavras(s.get("assunto")) or ["processo"]
        outra = _palavras(rng.choice(snapshots).get("assunto")) or ["pedido"]
        ano = str(s["autuado_em"].year)
        nomes = [i["nome"] for i in s.get("interessados") or []]
        tipo = len(mix) % 9
        if tipo == 0:
            mix.append({"q": rng.choice(palavras)})
        elif tipo == 1:
            mix.append({"q": " ".join(rng.sample(palavras, min(2, len(palavras))))})
        elif tipo == 2:
            mix.append({"q": " ".join(nomes[0].split()[:2]) if nomes else rng.choice(palavras)})
        elif tipo == 3:
            mix.append({"q": parse_nup(s["nup"]).formatado})
        elif tipo == 4:
            mix.append({"q": f"{rng.choice(palavras)} OU {rng.choice(outra)}"})
        elif tipo == 5:
            mix.append({"orgao": s["orgao"], "situacao": s["situacao"]})
        elif tipo == 6:
            mix.append({"q": rng.choice(palavras), "desde": f"01/{ano}", "ate": f"12/{ano}"})
        elif tipo == 7:
            mix.append({"interessado": nomes[0].split()[0] if nomes else "Silva", "orgao": s["orgao"]})
        else:
            mix.append({"q": rng.choice(palavras), "pagina": "2"})
    return mix


def _corpo(consulta: Consulta, chaveiro: Chaveiro) -> dict[str, Any]:
    params: dict[str, Any] = {k: v for k, v in consulta.items() if k != "pagina"}
    return montar_busca(validar_busca(**params), chaveiro=chaveiro).corpo


async def _preparar(api: httpx.AsyncClient, mix: list[Consulta]) -> list[Consulta]:
    """Resolve page-2 queries into their cursor (from page 1 through the API); drop those with one page."""
    prontas = []
    for consulta in mix:
        if consulta.get("pagina") == "2":
            params = {k: v for k, v in consulta.items() if k != "pagina"}
            resposta = await api.get("/api/v1/processos", params=params)
            resposta.raise_for_status()
            cursor = resposta.json().get("proximo_cursor")
            if not cursor:
                continue
            consulta = {**params, "cursor": cursor}
        prontas.append(consulta)
    return prontas


async def _carga(
    n: int, clientes: int, enviar: Callable[[int], Awaitable[None]], *, inicio: int = 0
) -> list[float]:
    """Requests `inicio` .. `inicio + n` over `clientes` concurrent workers; returns each latency in ms."""
    latencias: list[float] = []
    proximo = iter(range(inicio, inicio + n))

    async def trabalhador() -> None:
        for i in proximo:
            comeco = time.perf_counter()
            await enviar(i)
            latencias.append((time.perf_counter() - comeco) * 1000)

    await asyncio.gather(*(trabalhador() for _ in range(clientes)))
    return latencias


def _p(valores: list[float], q: int) -> float:
    return statistics.quantiles(valores, n=100, method="inclusive")[q - 1]


async def _medir(settings: Settings, mix: list[Consulta], requisicoes: int) -> dict[str, Any]:
    chaveiro = settings.chaveiro
    url_busca = f"{settings.search.url}/{settings.search.alias('processos')}/_search"
    limites = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with (
        httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{settings.api.port}", timeout=120, limits=limites
        ) as api,
        httpx.AsyncClient(timeout=120, limits=limites) as direto,
    ):
        mix = await _preparar(api, mix)
        corpos = [_corpo(c, chaveiro) for c in mix]

        async def pela_api(i: int) -> None:
            resposta = await api.get("/api/v1/processos", params=mix[i % len(mix)])
            assert resposta.status_code == 200, resposta.text[:300]

        async def direta(i: int) -> None:
            resposta = await direto.post(url_busca, json=corpos[i % len(corpos)])
            assert resposta.status_code == 200, resposta.text[:300]

        console.print(f"aquecendo ({len(mix)} consultas distintas)…")
        await _carga(len(mix), 4, pela_api)
        await _carga(len(mix), 4, direta)
        resultados: dict[str, Any] = {}
        # One client, paired: each query through the API and straight, back to back (order alternating),
        # so the median difference is our overhead even when the server's own latency drifts a lot.
        diferencas: list[float] = []
        for i in range(requisicoes):
            ordem = (pela_api, direta) if i % 2 == 0 else (direta, pela_api)
            tempos = {}
            for enviar in ordem:
                comeco = time.perf_counter()
                await enviar(i)
                tempos[enviar] = (time.perf_counter() - comeco) * 1000
            diferencas.append(tempos[pela_api] - tempos[direta])
        resultados["pareado_1_cliente"] = {
            "requisicoes": len(diferencas),
            "sobrecarga_mediana_ms": round(statistics.median(diferencas), 2),
            "sobrecarga_p25_ms": round(_p(diferencas, 25), 2),
            "sobrecarga_p75_ms": round(_p(diferencas, 75), 2),
        }
        console.print(f"  pareado, 1 cliente: sobrecarga mediana {statistics.median(diferencas):+.1f} ms")
        for clientes in CLIENTES:
            n = max(requisicoes, 4 * clientes)
            api_ms: list[float] = []
            direto_ms: list[float] = []
            for metade in (0, 1):  # alternate, so drift in the machine's load hits both sides alike
                api_ms += await _carga(n // 2, clientes, pela_api, inicio=metade * n)
                direto_ms += await _carga(n // 2, clientes, direta, inicio=metade * n)
            p50_api, p50_direto = _p(api_ms, 50), _p(direto_ms, 50)
            resultados[str(clientes)] = {
                "requisicoes": len(api_ms),
                "api_p50_ms": round(p50_api, 2),
                "api_p99_ms": round(_p(api_ms, 99), 2),
                "direto_p50_ms": round(p50_direto, 2),
                "direto_p99_ms": round(_p(direto_ms, 99), 2),
                "sobrecarga_p50_ms": round(p50_api - p50_direto, 2),
                "razao_p50": round(p50_api / p50_direto, 3),
                "razao_p99": round(_p(api_ms, 99) / _p(direto_ms, 99), 3),
            }
            r = resultados[str(clientes)]
            console.print(
                f"  {clientes:>2} clientes: API p50 {r['api_p50_ms']:.1f} ms p99 {r['api_p99_ms']:.1f} ms | "
                f"direto p50 {r['direto_p50_ms']:.1f} ms p99 {r['direto_p99_ms']:.1f} ms"
            )
        return resultados


def _tabela(resultados: dict[str, Any], processos: int) -> Table:
    tabela = Table(title=f"busca: {processos:,d} processos, mesma execução (ms)")
    for coluna in (
        "clientes",
        "API p50",
        "API p99",
        "direto p50",
        "direto p99",
        "sobrecarga p50",
        "razão p50",
    ):
        tabela.add_column(coluna, justify="right")
    for clientes, r in resultados.items():
        if "api_p50_ms" not in r:
            continue
        tabela.add_row(
            clientes,
            f"{r['api_p50_ms']:.1f}",
            f"{r['api_p99_ms']:.1f}",
            f"{r['direto_p50_ms']:.1f}",
            f"{r['direto_p99_ms']:.1f}",
            f"{r['sobrecarga_p50_ms']:+.1f}",
            f"{r['razao_p50']:.3f}",
        )
    pareado = resultados["pareado_1_cliente"]
    tabela.caption = (
        f"pareado (mesma consulta pela API e direto, 1 cliente): sobrecarga mediana "
        f"{pareado['sobrecarga_mediana_ms']:+.1f} ms (p25 {pareado['sobrecarga_p25_ms']:+.1f}, "
        f"p75 {pareado['sobrecarga_p75_ms']:+.1f})"
    )
    return tabela


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--processos", type=int, default=100_000)
    parser.add_argument("--requisicoes", type=int, default=160, help="por lado e por nível de concorrência")
    parser.add_argument("--consultas", type=int, default=90, help="consultas distintas no mix")
    parser.add_argument("--movimentos", action="store_true", help="indexa também os movimentos")
    args = parser.parse_args()

    stack = iniciar_pilha("busca", servicos=("api",))
    settings = stack.settings
    try:
        console.print(f"simulando {args.processos:,d} processos…")
        snapshots = _indexar(settings, args.processos, movimentos=args.movimentos)
        stack.iniciar_servicos()
        mix = consultas(snapshots, quantas=args.consultas)
        medidas = asyncio.run(_medir(settings, mix, args.requisicoes))
        console.print(_tabela(medidas, args.processos))
        resultados = {
            "quando": datetime.now(UTC).isoformat(timespec="seconds"),
            "processos": args.processos,
            "processos_publicos": len(snapshots),
            "movimentos_indexados": args.movimentos,
            "consultas_distintas": len(mix),
            "cpus": os.cpu_count(),
            "resultados_por_clientes": medidas,
        }
        gravar_resultados(RESULTADOS, resultados, console)
    finally:
        stack.parar()


if __name__ == "__main__":
    main()
