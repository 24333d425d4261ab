"""The replay's range bounds (cli/replay/intervalo.py): offsets, instants, words, empty ranges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cli.replay.intervalo import (
    Fim,
    Inicio,
    Instante,
    LimiteInvalido,
    Offset,
    parse_limite,
    validar_intervalo,
)


@pytest.mark.parametrize(
    ("texto", "esperado"),
    [
        ("inicio", Inicio()),
        ("FIM", Fim()),
        ("0", Offset(0)),
        (" 1500 ", Offset(1500)),
        ("2024-05-01T00:00:00Z", Instante(datetime(2024, 5, 1, tzinfo=UTC))),
        ("2024-05-01T00:00:00-03:00", Instante(datetime(2024, 5, 1, tzinfo=timezone(timedelta(hours=-3))))),
    ],
)
def test_a_bound_is_an_offset_an_instant_or_a_word(texto: str, esperado: object) -> None:
    assert parse_limite(texto, opcao="--desde") == esperado


@pytest.mark.parametrize("texto", ["ontem", "-3", "2024-05-01", "2024-05-01T00:00:00", "1.5"])
def test_anything_else_is_refused_naming_the_option(texto: str) -> None:
    with pytest.raises(LimiteInvalido, match="^--ate"):
        parse_limite(texto, opcao="--ate")


@pytest.mark.parametrize(
    ("desde", "ate"),
    [
        (Fim(), Fim()),
        (Inicio(), Inicio()),
        (Offset(5), Offset(5)),
        (Instante(datetime(2024, 1, 2, tzinfo=UTC)), Instante(datetime(2024, 1, 1, tzinfo=UTC))),
    ],
)
def test_an_empty_range_is_refused(desde: object, ate: object) -> None:
    with pytest.raises(LimiteInvalido):
        validar_intervalo(desde, ate)  # type: ignore[arg-type]


def test_an_instant_is_milliseconds_since_the_epoch() -> None:
    assert Instante(datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)).ms == 1000
