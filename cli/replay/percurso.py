"""One pass over a replay's slices: each message decoded into a row and filtered.

The loop every reader of history shares (`protocolo replay`, `protocolo dlq`): a message that
cannot be decoded is handed to `ao_ilegivel` with its partition and offset, and the pass goes on.
"""

from __future__ import annotations

__all__ = ["Contagem", "percorrer"]

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from confluent_kafka import Message

from cli.replay.leitura import Leitura
from cli.replay.linhas import Filtro, campos_de, decodificar, linha
from protocolo.avro import Catalogo
from protocolo.errors import CodecError


@dataclass
class Contagem:
    """What a pass saw: rows kept, messages filtered out, messages that could not be decoded."""

    linhas: int = 0
    filtradas: int = 0
    ilegiveis: int = 0


def percorrer(
    leitura: Leitura,
    *,
    catalogo: Catalogo,
    registro: str,
    filtro: Filtro,
    contagem: Contagem,
    ao_ilegivel: Callable[[int, int, str], None],
    decodificar_sempre: bool = True,
) -> Iterator[tuple[Message, dict[str, Any] | None]]:
    """(message, row) for each message of the slices that passes the filter.

    `decodificar_sempre=False` (a re-publication without filters) yields raw messages with no row.
    """
    for mensagem in leitura:
        particao, offset = mensagem.partition() or 0, mensagem.offset() or 0
        if not decodificar_sempre and filtro.vazio:
            contagem.linhas += 1
            yield mensagem, None
            continue
        try:
            lido = decodificar(catalogo, registro, mensagem.value())
        except CodecError as exc:
            contagem.ilegiveis += 1
            ao_ilegivel(particao, offset, str(exc))
            continue
        if not filtro.vazio and not filtro.aceita(campos_de(catalogo, registro, lido)):
            contagem.filtradas += 1
            continue
        contagem.linhas += 1
        _tipo, carimbo = mensagem.timestamp()
        yield (
            mensagem,
            linha(topico=leitura.topico, particao=particao, offset=offset, carimbo_ms=carimbo, registro=lido),
        )
