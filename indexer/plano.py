"""One indexer batch as a plan: consumed messages in; bulk actions, deletes and dead letters out. Pure.

`planejar_lote` decodes the batch (an undecodable message becomes a MENSAGEM_CORROMPIDA dead
letter), builds the bulk actions (indexer/documents) and names the processos whose movimentos
leave the index. `sem_ocultos_no_indice` then drops the movimentos of processos the index already
holds as tombstones (the shell looks up `nups_dos_movimentos`). Once the index has answered,
`cartas_rejeitados` turns each document it refused for good into a DOCUMENTO_REJEITADO dead letter
that carries the message the document came from.
The shell (indexer/loop.py) performs the plan: bulk, delete, dead letters, commit.
"""

from __future__ import annotations

__all__ = [
    "Carta",
    "Origem",
    "PlanoLote",
    "Rejeitado",
    "cartas_rejeitados",
    "nups_dos_movimentos",
    "ocultos_no_indice",
    "planejar_lote",
    "sem_ocultos_no_indice",
]

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from indexer.documents import Acao, acoes_do_lote, ocultos, sem_ocultos
from protocolo.avro import Catalogo
from protocolo.entrada import Entrada
from protocolo.errors import CodecError
from protocolo.registros import dead_letter_record

logger = logging.getLogger(__name__)

Origem = tuple[str, str, int | None]  # (index, document id, version): the action a message became


@dataclass(frozen=True)
class Carta:
    """A dead letter to produce: the original message's key and the encoded `dead_letter` record."""

    chave: bytes | None
    valor: bytes
    codigo: str


@dataclass(frozen=True)
class PlanoLote:
    """What one batch asks of the search server and of the dead-letter topic."""

    acoes: list[Acao]
    # NUP -> version of the processos that stopped being public: their movimentos up to it are deleted.
    ocultos: dict[str, int]
    cartas: list[Carta]
    origens: dict[Origem, Entrada] = field(default_factory=dict)


@dataclass(frozen=True)
class Rejeitado:
    """A document Elasticsearch refused for good (a mapping error, say)."""

    acao: Acao
    status: int
    motivo: str
    tipo: str = ""


def _carta(catalogo: Catalogo, entrada: Entrada, codigo: str, motivo: str, agora: datetime) -> Carta:
    registro = dead_letter_record(
        codigo=codigo,
        motivo=motivo,
        topico=entrada.topico,
        particao=entrada.particao,
        offset=entrada.offset,
        chave=entrada.chave,
        valor=entrada.valor,
        registrado_em=agora,
    )
    return Carta(entrada.chave, catalogo.encode("dead_letter", registro), codigo)


def planejar_lote(
    entradas: Sequence[Entrada],
    *,
    catalogo: Catalogo,
    topico_processos: str,
    alias_processos: str,
    alias_movimentos: str,
    agora: datetime,
) -> PlanoLote:
    """The plan of one batch: snapshots from `topico_processos`, movimentos from any other topic."""
    snapshots: list[dict[str, Any]] = []
    movimentos: list[dict[str, Any]] = []
    origens: dict[Origem, Entrada] = {}
    cartas: list[Carta] = []
    for entrada in entradas:
        nome = "processo" if entrada.topico == topico_processos else "movimento"
        try:
            registro = catalogo.decode(nome, entrada.valor or b"")
        except CodecError as exc:
            logger.error(
                "undecodable message topic=%s partition=%s offset=%s",
                entrada.topico,
                entrada.particao,
                entrada.offset,
            )
            cartas.append(_carta(catalogo, entrada, "MENSAGEM_CORROMPIDA", str(exc), agora))
            continue
        if nome == "processo":
            snapshots.append(registro)
            origens[(alias_processos, registro["nup"], registro["versao"])] = entrada
        else:
            movimentos.append(registro)
            origens[(alias_movimentos, registro["id"], None)] = entrada
    acoes = acoes_do_lote(
        snapshots, movimentos, indice_processos=alias_processos, indice_movimentos=alias_movimentos
    )
    return PlanoLote(acoes=acoes, ocultos=ocultos(snapshots), cartas=cartas, origens=origens)


def nups_dos_movimentos(plano: PlanoLote, *, alias_movimentos: str) -> list[str]:
    """The processos whose movimentos the plan writes: the ones to look up in the processos index."""
    return sorted({a.documento["nup"] for a in plano.acoes if a.indice == alias_movimentos})


def ocultos_no_indice(fontes: Sequence[dict[str, Any] | None]) -> dict[str, int]:
    """NUP -> version of the tombstones among the processos documents looked up (None: not found)."""
    return {f["nup"]: f["versao"] for f in fontes if f is not None and f.get("publico") is False}


def sem_ocultos_no_indice(
    plano: PlanoLote, escondidos: dict[str, int], *, alias_movimentos: str
) -> PlanoLote:
    """The plan without the movimentos of processos hidden in the index at or after their version.

    Processos and movimentos are two topics, so a tombstone can be indexed (and its movimentos
    deleted) before an older movimento of the processo arrives: that one must not be written.
    """
    if not escondidos:
        return plano
    return replace(plano, acoes=sem_ocultos(plano.acoes, escondidos, indice_movimentos=alias_movimentos))


def cartas_rejeitados(
    plano: PlanoLote, rejeitados: Sequence[Rejeitado], *, catalogo: Catalogo, agora: datetime
) -> list[Carta]:
    """A DOCUMENTO_REJEITADO dead letter per refused document, with the message it came from.

    The server's reason may quote a field's value: it goes into the dead letter only, never to the log.
    """
    cartas = []
    for rejeitado in rejeitados:
        acao = rejeitado.acao
        logger.error(
            "document rejected index=%s id=%s status=%s type=%s",
            acao.indice,
            acao.doc_id,
            rejeitado.status,
            rejeitado.tipo,
        )
        motivo = f"o índice recusou o documento (HTTP {rejeitado.status}): {rejeitado.motivo}"
        origem = plano.origens[(acao.indice, acao.doc_id, acao.versao)]
        cartas.append(_carta(catalogo, origem, "DOCUMENTO_REJEITADO", motivo, agora))
    return cartas
