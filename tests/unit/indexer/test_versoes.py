"""Versioned index names, the alias swap request and the indices left without an alias."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from indexer.versoes import acoes_da_troca, nome_novo, sem_alias


def test_a_new_index_is_inside_the_family_template_pattern_and_sorts_by_time() -> None:
    antes = nome_novo("p-processos", versao=3, agora=datetime(2026, 12, 3, 9, 5, 7, tzinfo=UTC))
    depois = nome_novo("p-processos", versao=3, agora=datetime(2026, 12, 3, 10, 0, tzinfo=UTC))
    assert antes == "p-processos-v3-20261203090507"
    assert antes.startswith("p-processos-v") and antes < depois


def test_the_swap_removes_every_old_index_and_adds_the_new_one_as_write_index() -> None:
    acoes = acoes_da_troca(
        {"p-processos": "p-processos-v3-2", "p-movimentos": "p-movimentos-v3-2"},
        {"p-processos": ["p-processos-v3"], "p-movimentos": ["p-movimentos-v3-1", "p-movimentos-v3"]},
    )
    assert acoes == [
        {"remove": {"index": "p-movimentos-v3", "alias": "p-movimentos"}},
        {"remove": {"index": "p-movimentos-v3-1", "alias": "p-movimentos"}},
        {"add": {"index": "p-movimentos-v3-2", "alias": "p-movimentos", "is_write_index": True}},
        {"remove": {"index": "p-processos-v3", "alias": "p-processos"}},
        {"add": {"index": "p-processos-v3-2", "alias": "p-processos", "is_write_index": True}},
    ]


def test_the_swap_of_an_alias_that_does_not_exist_yet_only_adds() -> None:
    acoes = acoes_da_troca({"p-processos": "p-processos-v3-2"}, {})
    assert acoes == [{"add": {"index": "p-processos-v3-2", "alias": "p-processos", "is_write_index": True}}]


@pytest.mark.parametrize(
    ("por_indice", "esperado"),
    [
        ({"p-processos-v3": ["p-processos"], "p-processos-v2": []}, ["p-processos-v2"]),
        (
            {"p-processos-v3-1": [], "p-movimentos-v3": [], "p-movimentos-v4": ["p-movimentos"]},
            ["p-movimentos-v3", "p-processos-v3-1"],
        ),
        ({"p-processos-v3-9": ["p-processos-construcao"]}, []),  # a build in progress is aliased
        ({"p-outros-v1": [], "q-processos-v1": [], "p-processosx": []}, []),  # not ours
        ({}, []),
    ],
)
def test_only_unaliased_indices_of_the_families_are_left_overs(
    por_indice: dict[str, list[str]], esperado: list[str]
) -> None:
    assert sem_alias(por_indice, ["p-processos", "p-movimentos"]) == esperado
