"""What the HTTP gateway does with an agency's batch before anything is produced. Pure.

Each item is judged on its own: valid (to be produced), an exact repeat of an earlier item of the
batch (produced once), or rejected with every violation. Items naming another órgão make the
whole batch forbidden: an agency publishes only its own events.
"""

from __future__ import annotations

__all__ = ["Avaliacao", "Proibido", "ResultadoItem", "Status", "avaliar_lote"]

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from protocolo.errors import InvalidEvent, Violation
from protocolo.model import Evento
from protocolo.validation import evento_from_json, evento_to_json


class Status(StrEnum):
    """The outcome of one item of a batch."""

    ACEITO = "aceito"
    DUPLICADO = "duplicado"
    REJEITADO = "rejeitado"


@dataclass(frozen=True)
class ResultadoItem:
    """One item's outcome; `evento` is set for the items to produce."""

    indice: int
    id: str | None
    status: Status
    violacoes: tuple[Violation, ...] = ()
    evento: Evento | None = None


@dataclass(frozen=True)
class Proibido:
    """An item whose órgão is not the agency's."""

    indice: int
    id: str | None
    orgao: str


@dataclass
class Avaliacao:
    """The judgement of a whole batch."""

    resultados: list[ResultadoItem] = field(default_factory=list)
    proibidos: list[Proibido] = field(default_factory=list)

    @property
    def a_produzir(self) -> list[Evento]:
        """Accepted events, in batch order, each once."""
        return [r.evento for r in self.resultados if r.status is Status.ACEITO and r.evento is not None]


def _texto(item: Any, campo: str) -> str | None:
    valor = item.get(campo) if isinstance(item, dict) else None
    return valor.strip() if isinstance(valor, str) else None


def avaliar_lote(itens: Sequence[Any], *, orgao: str, agora: datetime | None = None) -> Avaliacao:
    """Judge a batch published by the agency `orgao`."""
    avaliacao = Avaliacao()
    vistos: dict[tuple[str, str], dict[str, Any]] = {}
    for indice, item in enumerate(itens):
        id_ = _texto(item, "id")
        orgao_item = _texto(item, "orgao")
        if orgao_item and orgao_item != orgao:
            avaliacao.proibidos.append(Proibido(indice, id_, orgao_item))
            continue
        try:
            evento = evento_from_json(item, agora=agora)
        except InvalidEvent as exc:
            avaliacao.resultados.append(ResultadoItem(indice, id_, Status.REJEITADO, tuple(exc.violations)))
            continue
        forma = evento_to_json(evento)
        anterior = vistos.get(evento.identidade)
        if anterior is None:
            vistos[evento.identidade] = forma
            avaliacao.resultados.append(ResultadoItem(indice, evento.id, Status.ACEITO, evento=evento))
        elif anterior == forma:
            avaliacao.resultados.append(ResultadoItem(indice, evento.id, Status.DUPLICADO))
        else:
            conflito = Violation("id", "repetido no lote com conteúdo diferente")
            avaliacao.resultados.append(ResultadoItem(indice, evento.id, Status.REJEITADO, (conflito,)))
    return avaliacao
