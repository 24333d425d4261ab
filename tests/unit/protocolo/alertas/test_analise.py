"""The pure-Python analyzers give the terms and positions the search server's analyzers give.

The expected values were read from the local search server's `_analyze` (built-in `portuguese`,
and the mappings' `folded`); tests/integration/protocolo/alertas compares whole searches.
"""

from __future__ import annotations

import pytest

from protocolo.alertas.analise import (
    ELASTICSEARCH,
    LOCAL,
    analisar_folded,
    analisar_portugues,
    radical,
    tokenizar,
)


@pytest.mark.parametrize(
    ("texto", "tokens"),
    [
        ("23037.001462/2021-65", ["23037.001462", "2021", "65"]),
        ("S.A. d'água 1,5 10:30 a:b", ["S.A", "d'água", "1,5", "10", "30", "a:b"]),
        ("abc123 x_y pré-escolar www.gov.br", ["abc123", "x_y", "pré", "escolar", "www.gov.br"]),
        ("(Lei nº 12.527/2011)", ["Lei", "nº", "12.527", "2011"]),
        ("½ ² -- ...", []),
    ],
)
def test_words_split_at_unicode_word_boundaries(texto: str, tokens: list[str]) -> None:
    assert tokenizar(texto) == tokens


@pytest.mark.parametrize(
    ("palavra", "esperado"),
    [
        ("aposentadoria", "aposentadori"),
        ("funções", "funca"),
        ("licitações", "licitaca"),
        ("pensões", "pensa"),
        ("mães", "mao"),
        ("amigavelmente", "amigavel"),
        ("senhoras", "senhor"),
        ("brasileiras", "brasileir"),
        ("públicas", "public"),
        ("municipais", "municipal"),
        ("inhas", "inha"),
        ("é", "é"),
    ],
)
def test_the_light_stemmer_gives_lucenes_stems(palavra: str, esperado: str) -> None:
    assert radical(palavra) == esperado


def test_stop_words_leave_their_positions_empty() -> None:
    texto = "Não é a Aposentadoria das funções PÚBLICAS"
    assert analisar_portugues(texto) == [(1, "é"), (3, "aposentadori"), (5, "funca"), (6, "public")]
    assert analisar_folded(texto) == [(0, "nao"), (3, "aposentadoria"), (5, "funcoes"), (6, "publicas")]


def test_the_local_server_keeps_stop_words_and_ordinals_in_the_folded_field() -> None:
    assert ELASTICSEARCH.folded("Ressarcimento ao erário nº 5") == [
        (0, "ressarcimento"),
        (2, "erario"),
        (4, "5"),
    ]
    assert LOCAL.folded("Ressarcimento ao erário nº 5") == [
        (0, "ressarcimento"),
        (1, "ao"),
        (2, "erario"),
        (3, "nº"),
        (4, "5"),
    ]
