"""The search API's logic, pure: no I/O, no FastAPI, no Elasticsearch client.

    datas.py          partial dates ("2011", "01/2011", "05/01/2011") as periods in Brasília time
    texto.py          the Consulta Simples language: words, "phrases", OU, dates, NUP, CPF/CNPJ
    params.py         BuscaParams: the one declaration of the search parameters (types, limits,
                      OpenAPI text, rules, portal labels); validar_busca; ConsultaInvalida
    cursor.py         opaque page tokens bound to their query by an HMAC
    consulta.py       BuscaParams → the search request body (query, sort, page, highlight)
    facetas.py        the facet aggregations and reading them
    resposta.py       the search response → BuscaResultado (destaques escaped, facetas, next cursor)
    estatisticas.py   the gerencial counts: request bodies, reading, CSV
    movimentos.py     a processo's timeline from the movimentos index, paged with search_after

api/service.py sends what these build and hands back what they read.
"""

from __future__ import annotations

__all__: list[str] = []
