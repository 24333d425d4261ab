"""`python -m bench.streams_estado [--eventos 1000000]`: how many bytes the streams' state holds.

Folds the benchmark's long-tail workload (bench/streams_carga.py) through the batch step
(streams.lote.processar_lote) in this process, with plain dicts as tables and every event in the
partition its NUP maps to, and reports the bytes each table holds: per processo for `estados`, per
distinct event for `identidades` and `arquivo` (the latter keeps each event's raw bytes, so it grows
with history like the raw topic does, on disk, not in memory). Writes bench/resultados/streams_estado.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console

from bench.streams_carga import Carga
from protocolo.avro import catalogo_padrao
from protocolo.particao import particao_da_chave
from protocolo.referencia import carregar_referencia
from streams.lote import Contexto, Entrada, Tabelas, processar_lote

PARTICOES = 1
LOTE = 2000
console = Console()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eventos", type=int, default=1_000_000)
    args = parser.parse_args()
    referencia = carregar_referencia()
    carga = Carga(args.eventos, referencia)
    ctx = Contexto(
        catalogo=catalogo_padrao(),
        referencia=referencia,
        segredo=b"bench",
        restrito_publico=False,
        particoes=PARTICOES,
    )
    estados: dict[str, bytes] = {}
    identidades: dict[str, bytes] = {}
    arquivo: dict[str, bytes] = {}
    tabelas = Tabelas(estados=estados, identidades=identidades, arquivo=arquivo)
    lote: list[Entrada] = []

    def fechar() -> None:
        resultado = processar_lote(lote, tabelas, ctx, agora=0.0)
        estados.update(resultado.estados)
        identidades.update(resultado.identidades)
        arquivo.update(resultado.arquivo)
        lote.clear()

    for offset, (chave, valor) in enumerate(carga.mensagens()):
        lote.append(Entrada("eventos", particao_da_chave(chave, PARTICOES), offset, chave, valor, 0.0))
        if len(lote) == LOTE:
            fechar()
    fechar()

    def total(tabela: dict[str, bytes]) -> int:
        return sum(len(k) + len(v) for k, v in tabela.items())

    r = {
        "eventos": args.eventos,
        "processos": len(estados),
        "eventos_distintos": len(identidades),
        "estados_bytes_por_processo": round(total(estados) / len(estados), 1),
        "estados_bytes_maior": max(len(v) for v in estados.values()),
        "identidades_bytes_por_evento": round(total(identidades) / len(identidades), 1),
        "arquivo_bytes_por_evento": round(total(arquivo) / max(1, len(arquivo)), 1),
    }
    r["estados_projetado_100M_eventos_gb"] = round(
        r["estados_bytes_por_processo"] * len(estados) * 100_000_000 / args.eventos / 1e9, 2
    )
    console.print_json(json.dumps(r))
    saida = Path(__file__).parent / "resultados" / "streams_estado.json"
    saida.parent.mkdir(exist_ok=True)
    saida.write_text(json.dumps(r, indent=2) + "\n")


if __name__ == "__main__":
    main()
