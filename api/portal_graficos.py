"""Charts for the statistics page, drawn on the server: bar lengths and SVG column geometry. Pure.

Every chart is also a table (the text equivalent), so these numbers only decide how things look.
"""

from __future__ import annotations

__all__ = ["Barra", "Coluna", "GraficoColunas", "barras", "colunas", "formatar_numero"]

from collections.abc import Sequence
from dataclasses import dataclass

from api.schemas import Contagem


def formatar_numero(valor: int) -> str:
    """An integer with pt-BR thousands separators: 12345 → 12.345."""
    return f"{valor:,}".replace(",", ".")


@dataclass(frozen=True)
class Barra:
    """One horizontal bar: its label, count, share of the total and length relative to the largest."""

    rotulo: str
    quantidade: int
    percentual: float
    largura: float


def barras(contagens: Sequence[Contagem], *, limite: int | None = None) -> list[Barra]:
    """Bars from the largest count down; `largura` in % of the longest bar (never 0 for a non-zero count)."""
    ordenadas = sorted(contagens, key=lambda c: (-c.quantidade, c.descricao or c.codigo))
    if limite is not None:
        ordenadas = ordenadas[:limite]
    total = sum(c.quantidade for c in contagens)
    maior = max((c.quantidade for c in ordenadas), default=0)
    return [
        Barra(
            rotulo=c.descricao or c.codigo,
            quantidade=c.quantidade,
            percentual=round(100 * c.quantidade / total, 1) if total else 0.0,
            largura=max(round(100 * c.quantidade / maior, 1), 0.5) if maior and c.quantidade else 0.0,
        )
        for c in ordenadas
    ]


@dataclass(frozen=True)
class Coluna:
    """One column of an SVG chart, in the chart's user units (y grows downwards)."""

    rotulo: str
    rotulo_curto: str
    quantidade: int
    x: float
    y: float
    largura: float
    altura: float


@dataclass(frozen=True)
class GraficoColunas:
    """An SVG column chart: the viewBox size, the columns and the value of the top grid line."""

    largura: int
    altura: int
    base: float
    colunas: list[Coluna]
    maximo: int
    grade: list[tuple[float, int]]


def _teto_redondo(valor: int) -> int:
    """The smallest 1, 2, 4, 5, 6 or 8 × 10^n not below `valor`: a readable top whose quarters are round."""
    passo = 1
    while True:
        for fator in (1, 2, 4, 5, 6, 8):
            if fator * passo >= valor:
                return fator * passo
        passo *= 10


def colunas(
    contagens: Sequence[Contagem], *, largura: int = 720, altura: int = 240, margem: int = 36
) -> GraficoColunas:
    """Columns in the given order (months, say), scaled to a rounded maximum, with 4 grid lines."""
    maximo = _teto_redondo(max((c.quantidade for c in contagens), default=0) or 1)
    util_altura = altura - 2 * margem
    base = float(altura - margem)
    passo = (largura - margem) / max(len(contagens), 1)
    lista = []
    for i, c in enumerate(contagens):
        h = util_altura * c.quantidade / maximo
        lista.append(
            Coluna(
                rotulo=c.descricao or c.codigo,
                rotulo_curto=_curto(c.codigo),
                quantidade=c.quantidade,
                x=round(margem + i * passo + passo * 0.15, 2),
                y=round(base - h, 2),
                largura=round(passo * 0.7, 2),
                altura=round(h, 2),
            )
        )
    grade = [(round(base - util_altura * k / 4, 2), maximo * k // 4) for k in range(1, 5)]
    return GraficoColunas(largura, altura, base, lista, maximo, grade)


def _curto(codigo: str) -> str:
    """'2024-03' → '03/24'; anything else unchanged."""
    ano, _, mes = codigo.partition("-")
    if len(ano) == 4 and len(mes) == 2 and ano.isdigit() and mes.isdigit():
        return f"{mes}/{ano[2:]}"
    return codigo
