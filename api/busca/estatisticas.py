"""Gerencial counts: request bodies, reading the answers, and the CSV. Pure.

Movimentos (the `movimentos` index, public movements only) are counted by the órgão that recorded
them, by operação and by month of Brasília time; processos (public ones) by their current
situação. Filters: `desde`/`ate` bound the movement's instant, and for processos select those
that moved in the period; `orgao` is the recording órgão of a movimento, and for processos the
órgão that autuou or has it now (as the search filter).
"""

from __future__ import annotations

__all__ = [
    "EstatisticasParams",
    "corpo_movimentos",
    "corpo_processos",
    "estatisticas_csv",
    "ler_estatisticas",
    "validar_estatisticas",
]

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from api.busca.datas import FUSO, Periodo
from api.busca.params import ConsultaInvalida, ler_orgao, ler_periodo_param
from api.schemas import Contagem, EstatisticasPublic
from protocolo.fold import Situacao
from protocolo.model import Operacao

_MESES = "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro".split()
CABECALHO = ("Dimensão", "Código", "Descrição", "Quantidade")


@dataclass(frozen=True)
class EstatisticasParams:
    """The optional filters of the statistics."""

    desde: Periodo | None = None
    ate: Periodo | None = None
    orgao: str | None = None


def validar_estatisticas(
    *, desde: str | None = None, ate: str | None = None, orgao: str | None = None
) -> EstatisticasParams:
    """Check the filters; ConsultaInvalida names everything wrong at once."""
    erros: list[str] = []
    valores: list[Any] = []
    for leitor in (
        lambda: ler_periodo_param(desde, "desde"),
        lambda: ler_periodo_param(ate, "ate"),
        lambda: ler_orgao(orgao),
    ):
        try:
            valores.append(leitor())
        except ConsultaInvalida as exc:
            erros.append(str(exc))
            valores.append(None)
    inicio, fim, codigo = valores
    if inicio and fim and inicio.inicio >= fim.fim:
        erros.append("desde: deve ser anterior ou igual a ate")
    if erros:
        raise ConsultaInvalida("; ".join(erros))
    return EstatisticasParams(desde=inicio, ate=fim, orgao=codigo)


def _faixa(params: EstatisticasParams, campo: str) -> list[dict[str, Any]]:
    faixa: dict[str, str] = {}
    if params.desde:
        faixa["gte"] = params.desde.inicio_iso
    if params.ate:
        faixa["lt"] = params.ate.fim_iso
    return [{"range": {campo: faixa}}] if faixa else []


def corpo_movimentos(params: EstatisticasParams) -> dict[str, Any]:
    """Counts of movimentos by órgão (with its latest name), operação and month."""
    filtros = _faixa(params, "ocorrido_em")
    if params.orgao:
        filtros.append({"term": {"orgao": params.orgao}})
    nome = {
        "top_hits": {"size": 1, "sort": [{"ocorrido_em": "desc"}], "_source": {"includes": ["orgao_nome"]}}
    }
    return {
        "size": 0,
        "track_total_hits": True,
        "query": {"bool": {"filter": filtros}},
        "aggs": {
            "orgao": {"terms": {"field": "orgao", "size": 1000}, "aggs": {"nome": nome}},
            "operacao": {"terms": {"field": "operacao", "size": 100}},
            "mes": {
                "date_histogram": {
                    "field": "ocorrido_em",
                    "calendar_interval": "month",
                    "time_zone": str(FUSO),
                    "format": "yyyy-MM",
                    "min_doc_count": 1,
                }
            },
        },
    }


def corpo_processos(params: EstatisticasParams) -> dict[str, Any]:
    """Counts of public processos by situação."""
    filtros: list[dict[str, Any]] = [{"term": {"publico": True}}, *_faixa(params, "movimentado_em")]
    if params.orgao:
        filtros.append({"term": {"orgaos": params.orgao}})
    return {
        "size": 0,
        "track_total_hits": True,
        "query": {"bool": {"filter": filtros}},
        "aggs": {"situacao": {"terms": {"field": "situacao", "size": 20}}},
    }


def _descricao(tipo: type[Operacao] | type[Situacao], valor: str) -> str | None:
    try:
        return tipo(valor).descricao
    except ValueError:
        return None


def _mes(codigo: str) -> str | None:
    try:
        ano, mes = codigo.split("-")
        return f"{_MESES[int(mes) - 1]} de {ano}"
    except (ValueError, IndexError):
        return None


def ler_estatisticas(
    movimentos: Mapping[str, Any], processos: Mapping[str, Any], params: EstatisticasParams
) -> EstatisticasPublic:
    """The counts from the answers to corpo_movimentos and corpo_processos."""
    aggs = movimentos.get("aggregations", {})

    def buckets(origem: Mapping[str, Any], nome: str) -> list[dict[str, Any]]:
        return list(origem.get(nome, {}).get("buckets", []))

    def nome_orgao(bucket: Mapping[str, Any]) -> str | None:
        hits = bucket.get("nome", {}).get("hits", {}).get("hits", [])
        return hits[0].get("_source", {}).get("orgao_nome") if hits else None

    return EstatisticasPublic(
        desde=params.desde.inicio if params.desde else None,
        ate=params.ate.fim - timedelta(days=1) if params.ate else None,
        orgao=params.orgao,
        total_movimentos=int(movimentos["hits"]["total"]["value"]),
        total_processos=int(processos["hits"]["total"]["value"]),
        por_orgao=[
            Contagem(codigo=str(b["key"]), descricao=nome_orgao(b), quantidade=b["doc_count"])
            for b in buckets(aggs, "orgao")
        ],
        por_operacao=[
            Contagem(codigo=b["key"], descricao=_descricao(Operacao, b["key"]), quantidade=b["doc_count"])
            for b in buckets(aggs, "operacao")
        ],
        por_mes=[
            Contagem(codigo=b["key_as_string"], descricao=_mes(b["key_as_string"]), quantidade=b["doc_count"])
            for b in buckets(aggs, "mes")
            if b["doc_count"]
        ],
        por_situacao=[
            Contagem(codigo=b["key"], descricao=_descricao(Situacao, b["key"]), quantidade=b["doc_count"])
            for b in buckets(processos.get("aggregations", {}), "situacao")
        ],
    )


def _celula(texto: str) -> str:
    # A cell starting with one of these is a formula to a spreadsheet (CSV injection).
    return "'" + texto if texto[:1] in ("=", "+", "-", "@", "\t", "\r") else texto


def estatisticas_csv(estatisticas: EstatisticasPublic) -> str:
    """One row per counted value, pt-BR headers, ';' separated (what spreadsheets in pt-BR expect)."""
    saida = io.StringIO()
    escritor = csv.writer(saida, delimiter=";", lineterminator="\r\n")
    escritor.writerow(CABECALHO)
    escritor.writerow(("Total", "movimentos", "Movimentos", estatisticas.total_movimentos))
    escritor.writerow(("Total", "processos", "Processos públicos", estatisticas.total_processos))
    for dimensao, contagens in (
        ("Órgão", estatisticas.por_orgao),
        ("Operação", estatisticas.por_operacao),
        ("Mês", estatisticas.por_mes),
        ("Situação", estatisticas.por_situacao),
    ):
        for c in contagens:
            escritor.writerow((dimensao, _celula(c.codigo), _celula(c.descricao or ""), c.quantidade))
    return saida.getvalue()
