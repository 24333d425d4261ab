"""Chart geometry for the statistics page."""

from __future__ import annotations

import pytest

from api.portal_graficos import barras, colunas, formatar_numero
from api.schemas import Contagem


def _c(codigo: str, quantidade: int, descricao: str | None = None) -> Contagem:
    return Contagem(codigo=codigo, descricao=descricao, quantidade=quantidade)


@pytest.mark.parametrize(
    ("valor", "texto"), [(0, "0"), (999, "999"), (1000, "1.000"), (1234567, "1.234.567")]
)
def test_numbers_use_pt_br_thousands_separators(valor: int, texto: str) -> None:
    assert formatar_numero(valor) == texto


def test_bars_go_from_largest_to_smallest_relative_to_the_largest_with_share_of_total() -> None:
    lista = barras([_c("A", 10, "Alfa"), _c("B", 30, "Beta"), _c("C", 0)])
    assert [(b.rotulo, b.quantidade, b.largura, b.percentual) for b in lista] == [
        ("Beta", 30, 100.0, 75.0),
        ("Alfa", 10, 33.3, 25.0),
        ("C", 0, 0.0, 0.0),
    ]


def test_a_tiny_nonzero_count_still_gets_a_visible_bar() -> None:
    lista = barras([_c("A", 100_000), _c("B", 1)])
    assert lista[1].largura == 0.5


def test_bar_limit_keeps_the_largest_but_shares_count_everything() -> None:
    lista = barras([_c("A", 1), _c("B", 2), _c("C", 7)], limite=1)
    assert [(b.rotulo, b.percentual) for b in lista] == [("C", 70.0)]


def test_no_counts_no_bars() -> None:
    assert barras([]) == []


def test_columns_keep_order_share_a_baseline_and_scale_to_a_round_maximum() -> None:
    grafico = colunas(
        [_c("2024-01", 3, "janeiro de 2024"), _c("2024-02", 17)], largura=436, altura=236, margem=36
    )
    assert grafico.maximo == 20
    primeira, segunda = grafico.colunas
    assert (primeira.rotulo, primeira.rotulo_curto, segunda.rotulo_curto) == (
        "janeiro de 2024",
        "01/24",
        "02/24",
    )
    assert primeira.y + primeira.altura == segunda.y + segunda.altura == grafico.base == 200
    assert segunda.altura == pytest.approx(164 * 17 / 20, abs=0.01)
    assert primeira.x < primeira.x + primeira.largura < segunda.x
    assert segunda.x + segunda.largura <= grafico.largura
    assert [valor for _, valor in grafico.grade] == [5, 10, 15, 20]


@pytest.mark.parametrize(
    ("maior", "teto"), [(0, 1), (1, 1), (3, 4), (10, 10), (11, 20), (480, 500), (540, 600), (801, 1000)]
)
def test_axis_top_is_a_round_multiple_of_a_power_of_ten(maior: int, teto: int) -> None:
    assert colunas([_c("x", maior)]).maximo == teto
