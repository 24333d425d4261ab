"""Reading event files: JSON Lines, one event per line, each error with its line. Pure."""

from __future__ import annotations

__all__ = ["Linha", "ler_jsonl"]

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from protocolo.errors import InvalidEvent, Violation
from protocolo.model import Evento
from protocolo.validation import evento_from_json


@dataclass(frozen=True)
class Linha:
    """One line of a file: the valid event, or every violation found in it."""

    numero: int
    evento: Evento | None
    violacoes: tuple[Violation, ...] = ()


def ler_jsonl(caminho: Path) -> Iterator[Linha]:
    """Stream a JSON Lines file in constant memory; blank lines are skipped."""
    with caminho.open(encoding="utf-8") as arquivo:
        for numero, texto in enumerate(arquivo, start=1):
            if not texto.strip():
                continue
            try:
                dados = json.loads(texto)
            except json.JSONDecodeError as exc:
                yield Linha(
                    numero, None, (Violation("json", f"JSON inválido na coluna {exc.colno}: {exc.msg}"),)
                )
                continue
            try:
                yield Linha(numero, evento_from_json(dados))
            except InvalidEvent as exc:
                yield Linha(numero, None, tuple(exc.violations))
