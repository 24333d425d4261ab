"""From Kafka records to Elasticsearch bulk actions. Pure.

Snapshots are written with external versioning (version = snapshot `versao`), so a stale or
replayed snapshot never overwrites a newer one. A snapshot that is no longer public replaces
the document with a tombstone (nup and version only): the private data leaves the index, and
the version stays, so an old public snapshot replayed later cannot resurrect it (a real delete
keeps its version only for index.gc_deletes, 60 s by default).

The movimentos of a processo that stopped being public leave the index with it: those of the
batch are never written, those already indexed are deleted up to the tombstone's version (a
movimento names the processo version it was folded into, so the delete is safe to replay), and
those that arrive after the tombstone was indexed are dropped (`sem_ocultos`): processos and
movimentos are two topics, and nothing orders one's records against the other's.
"""

from __future__ import annotations

__all__ = [
    "Acao",
    "acoes_do_lote",
    "documento_movimento",
    "documento_processo",
    "mais_novos",
    "ocultos",
    "query_ocultos",
    "sem_ocultos",
]

from dataclasses import dataclass
from typing import Any

from protocolo.documento_busca import documento_processo, iso


@dataclass(frozen=True)
class Acao:
    """One bulk action with what it needs to be retried or reported."""

    indice: str
    doc_id: str
    documento: dict[str, Any]
    versao: int | None = None

    def to_bulk(self) -> dict[str, Any]:
        """The action in the form elasticsearch.helpers expects."""
        acao: dict[str, Any] = {"_op_type": "index", "_index": self.indice, "_id": self.doc_id}
        acao["_source"] = self.documento
        if self.versao is not None:
            acao["version"] = self.versao
            acao["version_type"] = "external"
        return acao


def documento_movimento(movimento: dict[str, Any]) -> dict[str, Any]:
    """The `movimentos` document of a movimento record."""
    return {**movimento, "ocorrido_em": iso(movimento["ocorrido_em"])}


def mais_novos(snapshots: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The newest snapshot of each processo in a batch, by NUP."""
    novos: dict[str, dict[str, Any]] = {}
    for snapshot in snapshots:
        atual = novos.get(snapshot["nup"])
        if atual is None or atual["versao"] < snapshot["versao"]:
            novos[snapshot["nup"]] = snapshot
    return novos


def ocultos(snapshots: list[dict[str, Any]]) -> dict[str, int]:
    """NUP -> version, for the processos whose newest snapshot in the batch is not public."""
    return {nup: s["versao"] for nup, s in mais_novos(snapshots).items() if not s["publico"]}


def query_ocultos(versoes: dict[str, int]) -> dict[str, Any]:
    """The movimentos to delete: those of each hidden processo folded up to its tombstone's version."""
    return {
        "bool": {
            "should": [
                {
                    "bool": {
                        "filter": [
                            {"term": {"nup": nup}},
                            {"range": {"processo_versao": {"lte": versao}}},
                        ]
                    }
                }
                for nup, versao in sorted(versoes.items())
            ],
            "minimum_should_match": 1,
        }
    }


def _visivel(movimento: dict[str, Any], escondidos: dict[str, int]) -> bool:
    versao = escondidos.get(movimento["nup"])
    return versao is None or movimento["processo_versao"] > versao


def sem_ocultos(acoes: list[Acao], escondidos: dict[str, int], *, indice_movimentos: str) -> list[Acao]:
    """`acoes` without the movimentos of processos hidden (NUP -> tombstone version) at or after them."""
    return [a for a in acoes if a.indice != indice_movimentos or _visivel(a.documento, escondidos)]


def acoes_do_lote(
    snapshots: list[dict[str, Any]],
    movimentos: list[dict[str, Any]],
    *,
    indice_processos: str,
    indice_movimentos: str,
) -> list[Acao]:
    """Bulk actions for one batch; several snapshots of one processo need only the newest, and the
    movimentos of a processo that stopped being public in the batch are not written."""
    novos = mais_novos(snapshots)
    escondidos = {nup: s["versao"] for nup, s in novos.items() if not s["publico"]}
    acoes = [
        Acao(indice_processos, nup, documento_processo(s), versao=s["versao"]) for nup, s in novos.items()
    ]
    unicos = {m["id"]: m for m in movimentos if _visivel(m, escondidos)}
    acoes += [Acao(indice_movimentos, mid, documento_movimento(m)) for mid, m in unicos.items()]
    return acoes
