"""The citizen portal in headless chromium, with and without JavaScript, against the real pipeline.

Every page visited is checked by axe-core (no serious or critical violation) and photographed.
Expected values come from the JSON API of the same pipeline or from the simulated events.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Page, expect

from protocolo.documentos import is_cpf, so_digitos
from protocolo.nup import parse_nup
from tests.fixtures.portal import Portal

pytestmark = pytest.mark.slow


def _consultar(portal: Portal, texto: str) -> Page:
    page = portal.abrir("/")
    page.fill("#q", texto)
    page.locator(".busca .linha button").click()
    page.wait_for_load_state()
    return page


def _numero(texto: str) -> int:
    return int(re.sub(r"\D", "", texto))


def _nups_da_pagina(page: Page) -> list[str]:
    return page.locator(".resultados h3 a").all_inner_texts()


def _query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def _palavra_do_assunto(processo: dict[str, Any]) -> str:
    return max(processo["assunto"].split(), key=len)


def test_home_is_accessible_and_the_skip_link_is_the_first_tab_stop(portal: Portal) -> None:
    page = portal.abrir("/")
    expect(page.locator("html")).to_have_attribute("lang", "pt-BR")
    expect(page.locator("h1")).to_have_text("Consulta de processos")
    portal.verificar_acessibilidade("inicio")
    page.keyboard.press("Tab")
    expect(page.locator("a.pular")).to_be_focused()
    page.keyboard.press("Enter")
    assert page.url.endswith("#conteudo")


def test_simple_search_lists_matches_with_highlights_and_the_api_count(
    portal: Portal, api: httpx.Client, publico: dict[str, Any]
) -> None:
    palavra = _palavra_do_assunto(publico)
    page = _consultar(portal, palavra)
    assert _query(page) == {"q": [palavra]}  # the POST was redirected to a bookmarkable URL
    esperado = api.get("/api/v1/processos", params={"q": palavra}).json()
    expect(page.locator("#titulo-resultados")).to_contain_text("encontrado")
    assert _numero(page.locator("#titulo-resultados").inner_text()) == esperado["total"] > 0
    assert _nups_da_pagina(page) == [p["nup_formatado"] for p in esperado["items"]]
    assert page.locator(".resultados mark").count() > 0
    portal.verificar_acessibilidade("resultados")


def test_advanced_search_filters_by_orgao_and_situacao(
    portal: Portal, api: httpx.Client, publico: dict[str, Any]
) -> None:
    page = portal.abrir("/")
    page.locator("details.avancada summary").click()
    page.select_option("#orgao", publico["orgao"])
    page.select_option("#situacao", publico["situacao"])
    page.select_option("#ordem", "recentes")
    page.locator("details.avancada > button").click()
    page.wait_for_load_state()
    assert _query(page) == {
        "orgao": [publico["orgao"]],
        "situacao": [publico["situacao"]],
        "ordem": ["recentes"],
    }
    esperado = api.get(
        "/api/v1/processos",
        params={"orgao": publico["orgao"], "situacao": publico["situacao"], "ordem": "recentes"},
    ).json()
    assert _numero(page.locator("#titulo-resultados").inner_text()) == esperado["total"] > 0
    assert _nups_da_pagina(page) == [p["nup_formatado"] for p in esperado["items"]]
    expect(page.locator("details.avancada")).to_have_attribute("open", "")  # the form keeps what was asked
    expect(page.locator(".filtros-ativos")).to_contain_text("Situação")
    portal.verificar_acessibilidade("consulta-avancada")


def test_facet_link_narrows_the_results_to_its_count_and_clicking_again_removes_it(portal: Portal) -> None:
    page = portal.abrir("/?ordem=recentes&desde=2000")
    faceta = page.locator(".facetas h4:has-text('Situação') + ul a").first
    rotulo = faceta.inner_text()
    quantidade = _numero(faceta.locator(".qtd").inner_text())
    faceta.click()
    page.wait_for_load_state()
    assert "situacao" in _query(page)
    assert _numero(page.locator("#titulo-resultados").inner_text()) == quantidade
    ativo = page.locator(".facetas a.ativo")
    expect(ativo).to_have_count(1)
    assert ativo.inner_text().split()[0] == rotulo.split()[0]
    portal.verificar_acessibilidade("faceta")
    ativo.click()
    page.wait_for_load_state()
    assert "situacao" not in _query(page)


def test_next_page_follows_the_api_cursor_in_a_stable_order(portal: Portal, api: httpx.Client) -> None:
    page = portal.abrir("/?desde=2000&ordem=antigos")
    total = _numero(page.locator("#titulo-resultados").inner_text())
    assert total > 40
    vistos = _nups_da_pagina(page)
    page.locator("a[rel=next]").click()
    page.wait_for_load_state()
    assert _query(page)["pagina"] == ["2"] and _query(page)["cursor"]
    expect(page.locator(".contagem")).to_contain_text("21–40")
    segunda = _nups_da_pagina(page)
    portal.verificar_acessibilidade("pagina-2")
    esperado = api.get(
        "/api/v1/processos", params={"desde": "2000", "ordem": "antigos", "tamanho": 40}
    ).json()
    assert vistos + segunda == [p["nup_formatado"] for p in esperado["items"]]
    page.get_by_role("link", name="Primeira página").click()
    assert _nups_da_pagina(page) == vistos


def test_processo_page_shows_where_it_is_and_the_timeline_newest_first(
    portal: Portal, publico: dict[str, Any]
) -> None:
    page = _consultar(portal, publico["nup"])  # digits only: redirected to the canonical page
    assert urlsplit(page.url).path == f"/processos/{publico['nup_formatado']}"
    expect(page.locator("h1")).to_have_text(f"Processo {publico['nup_formatado']}")
    if publico["localizacao"] and publico["localizacao"]["nome"]:
        expect(page.locator(".agora .local")).to_contain_text(publico["localizacao"]["nome"])
    instantes = page.locator(".linha-do-tempo time").evaluate_all(
        "ts => ts.map(t => t.getAttribute('datetime'))"
    )
    assert len(instantes) == min(publico["total_movimentos"], 50) > 1
    datas = [datetime.fromisoformat(i) for i in instantes]
    assert datas == sorted(datas, reverse=True)
    assert datas == [datetime.fromisoformat(m["ocorrido_em"]) for m in publico["movimentos"]][:50]
    expect(page.locator("#titulo-historico + .dica")).to_contain_text(
        f"{publico['total_movimentos']} movimenta"
    )
    portal.verificar_acessibilidade("processo")


def test_subscribe_form_answers_with_the_pt_br_confirmation_message(
    portal: Portal, publico: dict[str, Any]
) -> None:
    page = portal.abrir(f"/processos/{publico['nup_formatado']}")
    page.fill("#email", "cidada.navegador@example.com")
    page.get_by_role("button", name="Acompanhar").click()
    page.wait_for_load_state()
    aviso = page.locator(".inscricao [role=status]")
    expect(aviso).to_contain_text("Pedido recebido")
    expect(aviso).to_contain_text("confirmar a inscrição")
    assert "cidada.navegador@example.com" not in page.content()
    portal.verificar_acessibilidade("inscricao")


def test_statistics_page_has_charts_with_tables_matching_the_api(portal: Portal, api: httpx.Client) -> None:
    page = portal.abrir("/")
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Estatísticas").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Estatísticas de tramitação")
    numeros = api.get("/api/v1/estatisticas").json()
    totais = page.locator(".totais strong").all_inner_texts()
    assert [_numero(t) for t in totais] == [numeros["total_movimentos"], numeros["total_processos"]]
    expect(page.locator("svg[role=img] rect.coluna")).to_have_count(len(numeros["por_mes"]))
    linhas = page.locator("#titulo-orgaos ~ table tbody tr")
    assert sum(_numero(t) for t in linhas.locator("td.num:first-of-type").all_inner_texts()) == sum(
        c["quantidade"] for c in numeros["por_orgao"][:20]
    )
    portal.verificar_acessibilidade("estatisticas")


def test_invalid_nup_page_says_why(portal: Portal) -> None:
    page = _consultar(portal, "23037.001462/2021-66")
    expect(page.locator("h1")).to_have_text("NUP inválido")
    expect(page.locator("[role=alert]")).to_contain_text("dígitos verificadores incorretos")
    portal.verificar_acessibilidade("nup-invalido")


def test_no_results_page_offers_broader_searches(portal: Portal) -> None:
    page = _consultar(portal, "xilofone zabumba")
    expect(page.locator("#titulo-resultados")).to_contain_text("Nenhum resultado")
    portal.verificar_acessibilidade("nenhum-resultado")
    page.get_by_role("link", name=re.compile("Qualquer uma das palavras")).click()
    page.wait_for_load_state()
    assert _query(page)["q"] == ["xilofone OU zabumba"]


def test_unknown_address_gets_a_pt_br_page(portal: Portal) -> None:
    page = portal.abrir("/nao-existe")
    expect(page.locator("h1")).to_have_text("Página não encontrada")
    portal.verificar_acessibilidade("nao-encontrada")


def test_cpf_search_is_answered_without_putting_the_cpf_in_the_url_or_the_page(
    portal: Portal, simulados: list[dict[str, Any]], api: httpx.Client
) -> None:
    publicos = {p["nup"] for p in api.get("/api/v1/processos", params={"tamanho": 100}).json()["items"]}
    cpf, nup = next(
        (so_digitos(i["documento"]), so_digitos(e["nup"]))
        for e in simulados
        if so_digitos(e.get("nup", "")) in publicos
        for i in e.get("interessados") or []
        if i.get("documento") and is_cpf(so_digitos(i["documento"]))
    )
    page = portal.abrir("/")
    page.locator("details.avancada summary").click()
    page.fill("#documento", cpf)
    page.locator("details.avancada > button").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/consulta" and not urlsplit(page.url).query
    assert parse_nup(nup).formatado in _nups_da_pagina(page)
    html = page.content()
    formatado = f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"
    assert not re.search(rf"(?<!\d){cpf}(?!\d)", html) and formatado not in html
    assert page.locator("#documento").input_value() == ""
    expect(page.locator("a[rel=next]")).to_have_count(0)
    portal.verificar_acessibilidade("consulta-cpf")
