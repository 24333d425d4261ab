"""api.busca.estatisticas: statistics filters, query bodies, the response and its CSV."""

from __future__ import annotations

import csv
import io

import pytest

from api.busca.estatisticas import (
    corpo_movimentos,
    corpo_processos,
    estatisticas_csv,
    ler_estatisticas,
    validar_estatisticas,
)
from api.busca.params import ConsultaInvalida
from api.schemas import Contagem, EstatisticasPublic


def test_statistics_filters_are_checked_at_once() -> None:
    with pytest.raises(ConsultaInvalida) as erro:
        validar_estatisticas(desde="2024-13-01", ate="ontem", orgao="a b")
    assert all(campo in str(erro.value) for campo in ("desde:", "ate:", "orgao:"))
    with pytest.raises(ConsultaInvalida, match="desde: deve ser anterior"):
        validar_estatisticas(desde="2025", ate="2024")


def test_statistics_bodies_filter_movimentos_and_public_processos() -> None:
    params = validar_estatisticas(desde="2024", ate="2024", orgao="26000")
    faixa = {"gte": "2024-01-01T00:00:00-03:00", "lt": "2025-01-01T00:00:00-03:00"}
    movimentos = corpo_movimentos(params)
    assert movimentos["query"]["bool"]["filter"] == [
        {"range": {"ocorrido_em": faixa}},
        {"term": {"orgao": "26000"}},
    ]
    assert movimentos["aggs"]["mes"]["date_histogram"]["time_zone"] == "America/Sao_Paulo"
    assert corpo_processos(params)["query"]["bool"]["filter"] == [
        {"term": {"publico": True}},
        {"range": {"movimentado_em": faixa}},
        {"term": {"orgaos": "26000"}},
    ]


def test_statistics_are_read_with_names_and_labels() -> None:
    params = validar_estatisticas(desde="01/03/2024", ate="2024-03")
    movimentos = {
        "hits": {"total": {"value": 7}},
        "aggregations": {
            "orgao": {
                "buckets": [
                    {
                        "key": "26000",
                        "doc_count": 7,
                        "nome": {"hits": {"hits": [{"_source": {"orgao_nome": "MS"}}]}},
                    }
                ]
            },
            "operacao": {"buckets": [{"key": "ENVIO", "doc_count": 4}, {"key": "AUTUACAO", "doc_count": 3}]},
            "mes": {
                "buckets": [
                    {"key_as_string": "2024-03", "doc_count": 7},
                    {"key_as_string": "2024-04", "doc_count": 0},
                ]
            },
        },
    }
    processos = {
        "hits": {"total": {"value": 3}},
        "aggregations": {"situacao": {"buckets": [{"key": "ARQUIVADO", "doc_count": 3}]}},
    }
    est = ler_estatisticas(movimentos, processos, params)
    assert (str(est.desde), str(est.ate)) == ("2024-03-01", "2024-03-31")
    assert (est.total_movimentos, est.total_processos) == (7, 3)
    assert est.por_orgao == [Contagem(codigo="26000", descricao="MS", quantidade=7)]
    assert [c.descricao for c in est.por_operacao] == ["Envio", "Autuação"]
    assert est.por_mes == [Contagem(codigo="2024-03", descricao="março de 2024", quantidade=7)]
    assert est.por_situacao == [Contagem(codigo="ARQUIVADO", descricao="Arquivado", quantidade=3)]


def test_the_csv_has_portuguese_headers_one_row_per_count_and_no_formulas() -> None:
    est = EstatisticasPublic(
        total_movimentos=5,
        total_processos=2,
        por_orgao=[Contagem(codigo="26000", descricao='=HYPERLINK("x")', quantidade=5)],
        por_operacao=[Contagem(codigo="ENVIO", descricao="Envio", quantidade=5)],
        por_mes=[Contagem(codigo="2024-03", descricao="março de 2024", quantidade=5)],
        por_situacao=[Contagem(codigo="ARQUIVADO", descricao="Arquivado; de vez", quantidade=2)],
    )
    texto = estatisticas_csv(est)
    assert texto.endswith("\r\n")
    linhas = list(csv.reader(io.StringIO(texto), delimiter=";"))
    assert linhas == [
        ["Dimensão", "Código", "Descrição", "Quantidade"],
        ["Total", "movimentos", "Movimentos", "5"],
        ["Total", "processos", "Processos públicos", "2"],
        ["Órgão", "26000", '\'=HYPERLINK("x")', "5"],
        ["Operação", "ENVIO", "Envio", "5"],
        ["Mês", "2024-03", "março de 2024", "5"],
        ["Situação", "ARQUIVADO", "Arquivado; de vez", "2"],
    ]
