"""What every reader yields: one record per event found in a file, valid or with all its violations. Pure."""

from __future__ import annotations

__all__ = ["EventoLido", "Renomear", "validar"]

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from protocolo.errors import InvalidEvent, Violation
from protocolo.model import Evento
from protocolo.validation import evento_from_json

# Turns a violation named after an event field into one named after the file's own field (column, element).
Renomear = Callable[[Violation], Violation]


@dataclass(frozen=True)
class EventoLido:
    """One event read from a file: the valid event, or every violation found in it.

    `numero` is the line where the record starts; `local` says where it is in words a person can
    follow ("linha 12", "Documento 3 (NUP …), ItemHistorico 2, linha 57").
    """

    numero: int
    local: str
    evento: Evento | None
    violacoes: tuple[Violation, ...] = ()


def _mesmo_campo(campo: str, outros: Iterable[str]) -> bool:
    return any(campo == o or campo.startswith((f"{o}.", f"{o}[")) for o in outros)


def _sem_renomear(violacao: Violation) -> Violation:
    return violacao


def validar(
    dados: Mapping[str, Any],
    *,
    numero: int,
    local: str,
    previas: Iterable[Violation] = (),
    renomear: Renomear = _sem_renomear,
    agora: datetime | None = None,
) -> EventoLido:
    """Run the event contract on `dados` (JSON form) and build the record.

    `previas` are the reader's own findings, named after event fields; the contract's complaints about
    those same fields are dropped, so one mistake is reported once, in the reader's words.
    """
    previas = list(previas)
    try:
        evento = evento_from_json(dados, agora=agora)
    except InvalidEvent as exc:
        ja_vistos = [v.campo for v in previas]
        previas += [v for v in exc.violations if not _mesmo_campo(v.campo, ja_vistos)]
        evento = None
    if previas:  # renamed, two complaints may become the same one: keep it once
        return EventoLido(numero, local, None, tuple(dict.fromkeys(renomear(v) for v in previas)))
    return EventoLido(numero, local, evento)
