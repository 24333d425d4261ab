"""api.busca.datas: a partial date typed by a citizen is a period of Brasília days."""

from __future__ import annotations

from datetime import date

import pytest

from api.busca.datas import Periodo, ler_periodo


@pytest.mark.parametrize(
    ("texto", "inicio", "fim"),
    [
        ("2011", date(2011, 1, 1), date(2012, 1, 1)),
        ("01/2011", date(2011, 1, 1), date(2011, 2, 1)),
        ("12/2011", date(2011, 12, 1), date(2012, 1, 1)),
        ("2011-12", date(2011, 12, 1), date(2012, 1, 1)),
        ("05/01/2011", date(2011, 1, 5), date(2011, 1, 6)),
        ("5/1/2011", date(2011, 1, 5), date(2011, 1, 6)),
        ("05.01.2011", date(2011, 1, 5), date(2011, 1, 6)),
        ("05-01-2011", date(2011, 1, 5), date(2011, 1, 6)),
        ("2011-01-05", date(2011, 1, 5), date(2011, 1, 6)),
        ("31/12/2024", date(2024, 12, 31), date(2025, 1, 1)),
        ("29/02/2024", date(2024, 2, 29), date(2024, 3, 1)),
    ],
)
def test_a_partial_date_is_the_period_it_names(texto: str, inicio: date, fim: date) -> None:
    assert ler_periodo(texto) == Periodo(inicio, fim)


@pytest.mark.parametrize(
    "texto",
    [
        "31/02/2024",
        "29/02/2023",
        "13/2020",
        "00/2020",
        "1800",
        "2101",
        "8112",
        "01/11",
        "2011-1-5",
        "abc",
        "",
    ],
)
def test_what_is_not_a_real_date_is_not_a_period(texto: str) -> None:
    assert ler_periodo(texto) is None


def test_periods_are_brasilia_days_with_the_offset_of_that_day() -> None:
    verao = ler_periodo("05/01/2011")  # daylight saving time then
    inverno = ler_periodo("05/07/2011")
    assert verao is not None and inverno is not None
    assert verao.inicio_iso == "2011-01-05T00:00:00-02:00"
    assert inverno.inicio_iso == "2011-07-05T00:00:00-03:00"
    assert inverno.fim_iso == "2011-07-06T00:00:00-03:00"
