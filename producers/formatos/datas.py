"""Dates as agencies' systems write them; a date without an offset is Brasília time. Pure.

Accepted: ISO 8601 / RFC 3339 with `T` or a space (`2014-05-22T10:30:00-03:00`, `2014-05-22 10:30:00`,
seconds and fractions optional, `Z` allowed) and the Brazilian `22/05/2014 10:30[:00]` SEI shows. A time of
day is required. Without an offset the time is read in America/Sao_Paulo, daylight saving included (until
2019); in the hour repeated when daylight saving ended, the first (daylight) occurrence is taken.
"""

from __future__ import annotations

__all__ = ["FORMATOS_ACEITOS", "FUSO_PADRAO", "ler_data_hora"]

import re
from datetime import datetime
from zoneinfo import ZoneInfo

FUSO_PADRAO = ZoneInfo("America/Sao_Paulo")

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?", re.I)
_BR = re.compile(r"(\d{2})/(\d{2})/(\d{4}) (\d{2}):(\d{2})(?::(\d{2}))?")
FORMATOS_ACEITOS = "2024-03-05T14:30:00-03:00, 2024-03-05 14:30:00 ou 05/03/2024 14:30:00"


def ler_data_hora(texto: str) -> datetime:
    """An aware datetime from `texto`; raise ValueError with a pt-BR message naming the accepted formats."""
    limpo = texto.strip()
    try:
        if _ISO.fullmatch(limpo):
            quando = datetime.fromisoformat(limpo.replace("z", "Z"))
        elif partes := _BR.fullmatch(limpo):
            dia, mes, ano, hora, minuto, segundo = partes.groups()
            quando = datetime(int(ano), int(mes), int(dia), int(hora), int(minuto), int(segundo or 0))
        else:
            raise ValueError(limpo)
    except ValueError:
        raise ValueError(f"data e hora inválidas '{limpo}'; formatos aceitos: {FORMATOS_ACEITOS}") from None
    return quando if quando.tzinfo is not None else quando.replace(tzinfo=FUSO_PADRAO)
