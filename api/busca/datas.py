"""Partial dates as periods of Brasília civil time. Pure.

"2011" is the whole year, "01/2011" (or "2011-01") the month, "05/01/2011" (or "2011-01-05",
"5-1-2011", "05.01.2011") the day. A period is half-open, [inicio, fim), and is sent to the search
server as ISO instants with the offset Brasília had on that day (it had daylight saving time
until 2019), so a day means the citizen's day, not UTC's.
"""

from __future__ import annotations

__all__ = ["ANO_MAXIMO", "ANO_MINIMO", "FUSO", "Periodo", "ler_periodo"]

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

FUSO = ZoneInfo("America/Sao_Paulo")
ANO_MINIMO, ANO_MAXIMO = 1900, 2100

_DIA_MES_ANO = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_MES_ANO = re.compile(r"^(\d{1,2})[/-](\d{4})$")
_ANO = re.compile(r"^(\d{4})$")
_ISO_DIA = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_MES = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Periodo:
    """The days from `inicio` up to, not including, `fim`."""

    inicio: date
    fim: date

    @property
    def inicio_iso(self) -> str:
        """The first instant, in Brasília time, as ISO 8601 with offset."""
        return _instante(self.inicio)

    @property
    def fim_iso(self) -> str:
        """The first instant after the period, in Brasília time, as ISO 8601 with offset."""
        return _instante(self.fim)


def _instante(dia: date) -> str:
    return datetime(dia.year, dia.month, dia.day, tzinfo=FUSO).isoformat()


def _mes(ano: int, mes: int) -> Periodo:
    inicio = date(ano, mes, 1)
    fim = date(ano + 1, 1, 1) if mes == 12 else date(ano, mes + 1, 1)
    return Periodo(inicio, fim)


def _dia(ano: int, mes: int, dia: int) -> Periodo:
    inicio = date(ano, mes, dia)
    return Periodo(inicio, inicio + timedelta(days=1))


def ler_periodo(texto: str) -> Periodo | None:
    """The period a partial date denotes, or None when `texto` is not a real date of 1900..2100."""
    texto = texto.strip()
    try:
        if m := _DIA_MES_ANO.match(texto):
            dia, mes, ano = (int(g) for g in m.groups())
            periodo = _dia(ano, mes, dia)
        elif m := _ISO_DIA.match(texto):
            ano, mes, dia = (int(g) for g in m.groups())
            periodo = _dia(ano, mes, dia)
        elif m := _MES_ANO.match(texto):
            mes, ano = (int(g) for g in m.groups())
            periodo = _mes(ano, mes)
        elif m := _ISO_MES.match(texto):
            ano, mes = (int(g) for g in m.groups())
            periodo = _mes(ano, mes)
        elif m := _ANO.match(texto):
            ano = int(m.group(1))
            periodo = Periodo(date(ano, 1, 1), date(ano + 1, 1, 1))
        else:
            return None
    except ValueError:  # 31/02, month 13, ...
        return None
    if not ANO_MINIMO <= periodo.inicio.year <= ANO_MAXIMO:
        return None
    return periodo
