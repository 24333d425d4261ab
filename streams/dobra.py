"""One step of the fold: a new event against the processo's stored events. Pure.

The Faust table keeps, per NUP, every distinct event in JSON form (identity -> event): that is what
survives a crash, through the table's changelog. Rebuilding the `Processo` from it for every message
would validate and fold all of a processo's events again, so `Dobra` keeps the folded states of
recently seen processos in memory (bounded, least recently used first out) and advances them one
event at a time. The cache only ever holds what the table implies: drop it whenever partitions move.
"""

from __future__ import annotations

__all__ = ["Dobra", "Passo"]

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from protocolo.fold import Processo, avancar, fold_processo
from protocolo.model import Evento
from protocolo.validation import evento_from_json, evento_to_json
from streams.intake import Decisao


@dataclass(frozen=True)
class Passo:
    """What one event does to its processo.

    `guardar` is the processo's new stored events when the event is new (write it to the table),
    None otherwise; `processo` is the state after the event (None for a conflict), `anterior` the
    state before a new event (None for the processo's first event).
    """

    decisao: Decisao
    processo: Processo | None
    guardar: dict[str, dict[str, Any]] | None
    anterior: Processo | None = None


class Dobra:
    """Folds events into processos, remembering up to `capacidade` folded states."""

    def __init__(self, capacidade: int = 50_000) -> None:
        self.capacidade = capacidade
        self._estados: OrderedDict[str, Processo] = OrderedDict()

    def esquecer(self) -> None:
        """Drop every remembered state (partitions were revoked or assigned)."""
        self._estados.clear()

    def __len__(self) -> int:
        return len(self._estados)

    def aplicar(self, guardados: Mapping[str, dict[str, Any]], evento: Evento) -> Passo:
        """Classify `evento` against the processo's stored events and fold it in when it is new."""
        json_evento = evento_to_json(evento)
        anterior = guardados.get(evento.chave_identidade)
        if anterior is not None:
            if anterior != json_evento:
                return Passo(Decisao.CONFLITO, None, None)
            return Passo(Decisao.DUPLICADO, self._estado(guardados, evento.nup), None)
        estado = self._estado(guardados, evento.nup) if guardados else None
        processo = avancar(estado, evento)
        self._lembrar(processo)
        return Passo(Decisao.NOVO, processo, {**guardados, evento.chave_identidade: json_evento}, estado)

    def _estado(self, guardados: Mapping[str, dict[str, Any]], nup: str) -> Processo:
        estado = self._estados.get(nup)
        if estado is not None and estado.versao == len(guardados):
            self._estados.move_to_end(nup)
            return estado
        # Not remembered (or stale): rebuild from the table, validating what it holds.
        estado = fold_processo(evento_from_json(e) for e in guardados.values())
        self._lembrar(estado)
        return estado

    def _lembrar(self, processo: Processo) -> None:
        self._estados[processo.nup] = processo
        self._estados.move_to_end(processo.nup)
        while len(self._estados) > self.capacidade:
            self._estados.popitem(last=False)
