"""Enrichment from reference data: names filled in, the agency's text kept, unknown codes noted."""

from __future__ import annotations

from protocolo.model import Unidade
from protocolo.referencia import Orgao, Referencia, UnidadeRef
from streams.enriquecimento import Enriquecedor

MEC = Orgao(
    "23000",
    "MEC",
    "Ministério da Educação",
    (UnidadeRef("2300001", "PROT", "Protocolo Central"), UnidadeRef("10", "GAB", "Gabinete do MEC")),
)
MS = Orgao(
    "25000",
    "MS",
    "Ministério da Saúde",
    (UnidadeRef("2500001", "SAA", "Subsecretaria"), UnidadeRef("10", "GAB", "Gabinete do MS")),
)
REFERENCIA = Referencia((MEC, MS))


def test_a_known_orgao_gets_its_name() -> None:
    ref = Enriquecedor(REFERENCIA)

    assert ref.nome_orgao("23000") == "Ministério da Educação"
    assert ref.desconhecidos == set()


def test_an_unknown_orgao_keeps_its_code_without_a_name_and_is_noted() -> None:
    ref = Enriquecedor(REFERENCIA)

    assert ref.nome_orgao("99999") is None
    assert ref.desconhecidos == {"orgao:99999"}


def test_a_unidade_sent_by_code_only_gets_sigla_and_nome_from_the_reference() -> None:
    ref = Enriquecedor(REFERENCIA)

    assert ref.unidade("23000", Unidade("2300001")) == {
        "codigo": "2300001",
        "sigla": "PROT",
        "nome": "Protocolo Central",
    }


def test_the_agency_text_wins_over_the_reference_name() -> None:
    ref = Enriquecedor(REFERENCIA)

    assert ref.unidade("23000", Unidade("2300001", None, "Protocolo Geral (nome de 2019)")) == {
        "codigo": "2300001",
        "sigla": "PROT",
        "nome": "Protocolo Geral (nome de 2019)",
    }


def test_a_unidade_of_another_orgao_is_found_when_its_code_is_unambiguous() -> None:
    ref = Enriquecedor(REFERENCIA)

    assert ref.unidade("23000", Unidade("2500001")) == {
        "codigo": "2500001",
        "sigla": "SAA",
        "nome": "Subsecretaria",
    }
    assert ref.desconhecidos == set()


def test_an_ambiguous_code_resolves_only_within_the_events_orgao() -> None:
    ref = Enriquecedor(REFERENCIA)

    assert ref.unidade("25000", Unidade("10"))["nome"] == "Gabinete do MS"  # type: ignore[index]
    assert ref.unidade("02001", Unidade("10", "GAB")) == {"codigo": "10", "sigla": "GAB", "nome": None}
    assert ref.desconhecidos == {"unidade:02001/10"}


def test_no_unidade_stays_none() -> None:
    assert Enriquecedor(REFERENCIA).unidade("23000", None) is None
