"""Specification of reading search answers: safe highlights, facets, next cursor, statistics and CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.busca.consulta import MARCA_FIM, MARCA_INICIO, montar_busca
from api.busca.cursor import ler_cursor
from api.busca.datas import ler_periodo
from api.busca.estatisticas import (
    corpo_movimentos,
    corpo_processos,
    estatisticas_csv,
    ler_estatisticas,
    validar_estatisticas,
)
from api.busca.facetas import ler_facetas
from api.busca.params import ConsultaInvalida, validar_busca
from api.busca.resposta import escapar_destaque, ler_destaques, ler_resposta
from api.schemas import Contagem, EstatisticasPublic
from indexer.documents import documento_processo

SEGREDO = b"segredo de teste"
NUP = "23037001462202165"


def _marcado(texto: str) -> str:
    return f"{MARCA_INICIO}{texto}{MARCA_FIM}"


# --- highlights ---


@pytest.mark.parametrize(
    ("fragmento", "seguro"),
    [
        (f"Pedido de {_marcado('aposentadoria')}", "Pedido de <mark>aposentadoria</mark>"),
        (
            f"Obras <b>{_marcado('urgentes')}</b> & reparos",
            "Obras &lt;b&gt;<mark>urgentes</mark>&lt;/b&gt; &amp; reparos",
        ),
        (
            f'<script>{_marcado("alert")}("x")</script>',
            "&lt;script&gt;<mark>alert</mark>(&quot;x&quot;)&lt;/script&gt;",
        ),
        (f"{MARCA_INICIO}sem fim", "sem fim"),
        (f"sem início{MARCA_FIM}", "sem início"),
        ("<mark>falso</mark>", "&lt;mark&gt;falso&lt;/mark&gt;"),
    ],
)
def test_a_highlight_is_escaped_except_its_marks(fragmento: str, seguro: str) -> None:
    assert escapar_destaque(fragmento) == seguro


@given(st.text(alphabet=st.sampled_from(list("ab <>&\"'/") + [MARCA_INICIO, MARCA_FIM]), max_size=60))
def test_no_highlight_carries_html_other_than_balanced_marks(fragmento: str) -> None:
    seguro = escapar_destaque(fragmento)
    sem_marcas = seguro.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in sem_marcas and ">" not in sem_marcas
    assert re.fullmatch(r"([^<]|<mark>[^<]*</mark>)*", seguro)


def test_highlights_of_sub_fields_merge_under_the_public_name() -> None:
    realce = {
        "assunto": [f"Licitação de {_marcado('aposentadorias')}"],
        "assunto.folded": [
            f"Licitação de {_marcado('aposentadorias')}",
            f"{_marcado('Licitação')} de aposentadorias",
        ],
        "interessados.nome.folded": [f"José da {_marcado('Conceição')}"],
        "unidades_texto": [_marcado("CGGP")],
    }
    assert ler_destaques(realce) == {
        "assunto": ["<mark>Licitação</mark> de <mark>aposentadorias</mark>"],
        "interessados": ["José da <mark>Conceição</mark>"],
        "unidades": ["<mark>CGGP</mark>"],
    }


def test_a_passage_found_in_two_sub_fields_gets_the_marks_of_both() -> None:
    realce = {
        "assunto": [f"{_marcado('Pedido')} de aposentadoria"],
        "assunto.folded": [f"{_marcado('Pedido')} de {_marcado('aposentadoria')}"],
    }
    assert ler_destaques(realce) == {"assunto": ["<mark>Pedido</mark> de <mark>aposentadoria</mark>"]}


# --- facets ---


def _orgao(codigo: str, fonte: dict[str, Any], quantidade: int = 1) -> dict[str, Any]:
    return {"key": codigo, "doc_count": quantidade, "nome": {"hits": {"hits": [{"_source": fonte}]}}}


def test_an_orgao_facet_is_named_after_the_role_its_code_plays() -> None:
    fonte = {"orgao": "35014", "orgao_nome": "INSS", "orgao_atual": "23000", "orgao_atual_nome": "MEC"}
    facetas = ler_facetas(
        {
            "orgao": {"buckets": [_orgao("35014", fonte, 3), _orgao("23000", fonte, 2), _orgao("999", {})]},
            "situacao": {
                "buckets": [{"key": "EM_TRAMITACAO", "doc_count": 4}, {"key": "NOVA", "doc_count": 1}]
            },
            "ano": {"buckets": [{"key": 2024, "doc_count": 5}]},
            "tipo": {"buckets": [{"key": "DOCUMENTO", "doc_count": 5}]},
        }
    )
    assert [(f.valor, f.rotulo, f.quantidade) for f in facetas.orgao] == [
        ("35014", "INSS", 3),
        ("23000", "MEC", 2),
        ("999", None, 1),
    ]
    assert [(f.valor, f.rotulo) for f in facetas.situacao] == [
        ("EM_TRAMITACAO", "Em tramitação"),
        ("NOVA", "NOVA"),
    ]
    assert [(f.valor, f.rotulo, f.quantidade) for f in facetas.ano] == [("2024", "2024", 5)]
    assert facetas.tipo[0].rotulo == "Documento"


def test_no_aggregations_means_empty_facets() -> None:
    facetas = ler_facetas({})
    assert facetas.orgao == facetas.situacao == facetas.ano == facetas.tipo == []


# --- a whole response ---


def _hit(nup: str, sort: list[Any]) -> dict[str, Any]:
    fonte = {"nup": nup, "nup_formatado": nup, "tipo": "PROCESSO", "orgao": "1", "situacao": "EM_TRAMITACAO"}
    return {"_source": fonte, "sort": sort, "highlight": {"assunto": [_marcado("x")]}}


def test_a_full_page_gets_a_cursor_to_the_next_and_the_last_page_none() -> None:
    params = validar_busca(orgao="1", tamanho=2)
    plano = montar_busca(params, segredo=SEGREDO)
    resposta = {"hits": {"total": {"value": 3}, "hits": [_hit("a", [2, "a"]), _hit("b", [1, "b"])]}}
    resultado = ler_resposta(resposta, plano, params, segredo=SEGREDO)
    assert [i.nup for i in resultado.items] == ["a", "b"]
    assert resultado.items[0].destaques == {"assunto": ["<mark>x</mark>"]}
    assert resultado.proximo_cursor is not None
    pagina = ler_cursor(resultado.proximo_cursor, chave=params.chave(), segredo=SEGREDO)
    assert (pagina.vistos, pagina.apos) == (2, (1, "b"))

    seguinte = validar_busca(orgao="1", tamanho=2, cursor=resultado.proximo_cursor)
    plano = montar_busca(seguinte, segredo=SEGREDO)
    resposta = {"hits": {"total": {"value": 3}, "hits": [_hit("c", [0, "c"])]}}
    assert ler_resposta(resposta, plano, seguinte, segredo=SEGREDO).proximo_cursor is None


def test_warnings_of_the_query_reach_the_response() -> None:
    params = validar_busca(q="23037.001462/2021-62")
    plano = montar_busca(params, segredo=SEGREDO)
    resultado = ler_resposta({"hits": {"total": {"value": 0}, "hits": []}}, plano, params, segredo=SEGREDO)
    assert resultado.total == 0 and resultado.proximo_cursor is None
    assert "esperados 65" in resultado.avisos[0]


# --- the processos document: the fields search needs ---


def _snapshot(**campos: Any) -> dict[str, Any]:
    quando = datetime(2011, 12, 31, 10, 0, tzinfo=UTC)
    base: dict[str, Any] = {
        "nup": NUP,
        "versao": 2,
        "publico": True,
        "orgao": "35014",
        "orgao_atual": "23000",
        "autuado_em": quando,
        "atualizado_em": quando,
        # Brasília days (31/12/2011 in Brasília is still 2011 at 01:30 UTC on 01/01/2012).
        "dias_movimentados": [date(2011, 12, 31), date(2012, 1, 2)],
        "observacoes_recentes": ["Pedido de vista"],
    }
    return base | campos


def test_the_document_lists_both_orgaos_every_day_moved_and_the_observacoes() -> None:
    documento = documento_processo(_snapshot())
    assert documento["orgaos"] == ["23000", "35014"]
    # Noon in Brasília (daylight saving time then): inside the range the period filter sends for that day.
    assert documento["movimentado_em"] == ["2011-12-31T12:00:00-02:00", "2012-01-02T12:00:00-02:00"]
    for texto, instante in zip(("31/12/2011", "2012-01-02"), documento["movimentado_em"], strict=True):
        periodo = ler_periodo(texto)
        assert periodo is not None
        inicio, fim = datetime.fromisoformat(periodo.inicio_iso), datetime.fromisoformat(periodo.fim_iso)
        assert inicio <= datetime.fromisoformat(instante) < fim
    assert documento["observacoes"] == ["Pedido de vista"]
    assert documento_processo(_snapshot(orgao_atual="35014"))["orgaos"] == ["35014"]


def test_the_year_is_brasilias_not_utcs() -> None:
    # 01/01/2012 01:30 UTC is still 31/12/2011 in Brasília (22:30, or 23:30 in daylight saving time).
    instante = datetime(2012, 1, 1, 1, 30, tzinfo=UTC)
    assert documento_processo(_snapshot(autuado_em=instante))["ano"] == 2011


# --- statistics ---


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
