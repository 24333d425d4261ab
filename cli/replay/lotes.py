"""A batch of a replay's messages decoded, filtered and encoded for its output format. Pure.

The unit of work of `protocolo replay`: the main process reads the messages and writes the
output, and each batch in between is processed here, in the main process or in a decoding
worker (cli.replay.paralelo). Both run this same function, so their output is the same.
"""

from __future__ import annotations

__all__ = ["Item", "ResultadoLote", "processar_lote"]

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cli.replay.linhas import Filtro, campos_de, decodificar, linha
from protocolo.avro import Catalogo
from protocolo.errors import CodecError

# (partition, offset, timestamp ms, value): what a worker needs of a message, cheap to pickle.
Item = tuple[int, int, int, bytes | None]


@dataclass
class ResultadoLote:
    """A batch's output: the encoded rows (see cli.replay.saidas.codificador), how many rows they
    are, how many messages the filters left out, and the messages that could not be decoded
    (partition, offset, reason), in read order."""

    carga: Any
    linhas: int
    filtradas: int = 0
    ilegiveis: list[tuple[int, int, str]] = field(default_factory=list)


def processar_lote(
    itens: Sequence[Item],
    *,
    catalogo: Catalogo,
    registro: str,
    topico: str,
    filtro: Filtro,
    codificar: Callable[[list[dict[str, Any]]], Any],
) -> ResultadoLote:
    """Decode each message of the batch into a row, keep those the filter accepts, encode them."""
    linhas: list[dict[str, Any]] = []
    filtradas = 0
    ilegiveis: list[tuple[int, int, str]] = []
    for particao, offset, carimbo, valor in itens:
        try:
            lido = decodificar(catalogo, registro, valor)
        except CodecError as exc:
            ilegiveis.append((particao, offset, str(exc)))
            continue
        if not filtro.vazio and not filtro.aceita(campos_de(catalogo, registro, lido)):
            filtradas += 1
            continue
        linhas.append(
            linha(topico=topico, particao=particao, offset=offset, carimbo_ms=carimbo, registro=lido)
        )
    return ResultadoLote(codificar(linhas), len(linhas), filtradas, ilegiveis)
