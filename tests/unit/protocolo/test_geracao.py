"""Names of the derived topics and of the streams app in each generation."""

from __future__ import annotations

import pytest

from protocolo.geracao import nome_na_geracao, servico_na_geracao


@pytest.mark.parametrize(
    ("topico", "geracao", "esperado"),
    [
        ("tramitacao.processos", 1, "tramitacao.processos"),
        ("tramitacao.processos", 2, "tramitacao.processos.v2"),
        ("tramitacao.processos.v2", 3, "tramitacao.processos.v3"),
        ("tramitacao.processos.v7", 1, "tramitacao.processos"),
        ("tramitacao.eventos.dlq", 2, "tramitacao.eventos.dlq.v2"),
        ("a.v2x", 2, "a.v2x.v2"),  # only a whole `.v<N>` suffix is a generation
    ],
)
def test_a_generation_replaces_the_version_suffix_of_a_topic(
    topico: str, geracao: int, esperado: str
) -> None:
    assert nome_na_geracao(topico, geracao) == esperado


def test_the_first_generation_keeps_the_service_name_and_later_ones_get_a_version() -> None:
    assert [servico_na_geracao("streams", g) for g in (1, 2, 3)] == ["streams", "streams-v2", "streams-v3"]
