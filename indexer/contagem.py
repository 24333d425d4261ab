"""What the index should hold after reading the topics: documents counted from the batch plans. Pure.

A reindex feeds every plan's actions here, before the index is asked anything. The processos index
holds one document per NUP (a tombstone for a processo that is not public); the movimentos index
one per movimento id, except those of a processo hidden at or after the version they were folded
into (they leave the index with it, indexer/documents).
"""

from __future__ import annotations

__all__ = ["Contagem"]

from collections.abc import Iterable
from dataclasses import dataclass, field

from indexer.documents import Acao


@dataclass
class Contagem:
    """Newest processo version per NUP and the movimentos seen, from the actions of the plans."""

    processos: dict[str, tuple[int, bool]] = field(default_factory=dict)  # nup -> (versao, publico)
    movimentos: dict[str, tuple[str, int]] = field(default_factory=dict)  # id -> (nup, processo_versao)

    def contar(self, acoes: Iterable[Acao], *, indice_processos: str) -> None:
        """Note the documents of one plan (its actions before the index was looked up).

        Actions on `indice_processos` are snapshots; any other is a movimento.
        """
        for acao in acoes:
            doc = acao.documento
            if acao.indice == indice_processos:
                versao = acao.versao or 0
                atual = self.processos.get(acao.doc_id)
                if atual is None or atual[0] < versao:
                    self.processos[acao.doc_id] = (versao, bool(doc.get("publico")))
            else:
                self.movimentos[acao.doc_id] = (doc["nup"], int(doc.get("processo_versao") or 0))

    def esperados(self) -> tuple[int, int]:
        """(processos, movimentos) documents the index must hold for what was read."""
        ocultos = {nup: v for nup, (v, publico) in self.processos.items() if not publico}
        visiveis = sum(
            1 for nup, versao in self.movimentos.values() if nup not in ocultos or versao > ocultos[nup]
        )
        return len(self.processos), visiveis
