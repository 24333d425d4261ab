"""Digest intervals: which interval an instant falls in, and when it closes. Pure.

Intervals are counted from Monday 2024-01-01 at midnight in Brasília, so a day starts at midnight
and a week on Monday there (with the default lengths of one day and one week).
"""

from __future__ import annotations

__all__ = ["ORIGEM", "fim_da_janela", "janela"]

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

ORIGEM = datetime(2024, 1, 1, tzinfo=ZoneInfo("America/Sao_Paulo"))


def janela(instante: datetime, duracao_s: float) -> int:
    """The number of the interval `instante` falls in."""
    return int((instante - ORIGEM).total_seconds() // duracao_s)


def fim_da_janela(numero: int, duracao_s: float) -> datetime:
    """The first instant after interval `numero`."""
    return ORIGEM + timedelta(seconds=(numero + 1) * duracao_s)
