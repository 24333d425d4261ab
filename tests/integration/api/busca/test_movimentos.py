"""A long timeline on the real search server: GET /api/v1/processos/{nup}/movimentos, the portal
page and the feed read it from the movimentos index a page at a time.

One processo with 3,000 movimentos (pairs share an instant, so the tie on id matters), a short one
of the same shape, and a hidden one whose movimentos are still in the index (as between a tombstone
and the delete that follows it): they must never be served.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from indexer.documents import Acao, acoes_do_lote, documento_movimento
from indexer.sink import aplicar, garantir_indices
from protocolo.avro import catalogo_padrao
from protocolo.fold import fold_processo
from protocolo.model import Evento, NivelAcesso, Operacao, TipoProtocolo, Unidade
from protocolo.nup import Nup, gerar_nup
from protocolo.referencia import carregar_referencia
from protocolo.search import make_search
from protocolo.settings import Settings
from streams.projection import movimento_record, snapshot_record

T0 = datetime(2024, 3, 5, 17, 0, tzinfo=UTC)
PROTOCOLO = Unidade("2300001", "PROT", "Protocolo Central")
CGLIC = Unidade("2300002", "CGLIC", "Coordenação de Licitações")
LONGO, CURTO = 3_000, 3
NUP_LONGO = gerar_nup(unidade=23037, sequencial=9001, ano=2024)
NUP_CURTO = gerar_nup(unidade=23037, sequencial=9002, ano=2024)
NUP_SIGILOSO = gerar_nup(unidade=23037, sequencial=9003, ano=2024)


def _eventos(nup: Nup, quantos: int, nivel: NivelAcesso = NivelAcesso.PUBLICO) -> list[Evento]:
    """Event ids are unique per órgão: the long processo's are A-0, M-1, ...; the others' are prefixed."""
    prefixo = "" if nup == NUP_LONGO else f"{nup.digitos[5:11]}-"
    base = {"orgao": "23000", "nup": nup.digitos, "tipo": TipoProtocolo.PROCESSO, "nivel_acesso": nivel}
    eventos = [
        Evento(
            id=f"{prefixo}A-0",
            operacao=Operacao.AUTUACAO,
            ocorrido_em=T0,
            unidade_origem=PROTOCOLO,
            assunto="Aquisição de material",
            **base,
        )
    ]
    for i in range(1, quantos):
        origem, destino = (PROTOCOLO, CGLIC) if i % 2 else (CGLIC, PROTOCOLO)
        eventos.append(
            Evento(
                # Not zero-padded: "M-10" sorts before "M-9", as the index sorts ids.
                id=f"{prefixo}M-{i}",
                operacao=Operacao.ENVIO,
                # Two movements per instant, 20 minutes apart: 3,000 span about three weeks.
                ocorrido_em=T0 + timedelta(minutes=20 * (1 + i // 2)),
                unidade_origem=origem,
                unidade_destino=destino,
                observacao=f"Encaminhamento número {i}",
                **base,
            )
        )
    return eventos


def _registros(eventos: list[Evento]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    catalogo, referencia = catalogo_padrao(), carregar_referencia()
    processo = fold_processo(eventos)
    snapshot = snapshot_record(processo, referencia, segredo=b"s", restrito_publico=False)
    movimentos = [movimento_record(e, processo, referencia) for e in eventos]
    # What the indexer gets: the records after the Avro trip.
    return (
        catalogo.decode("processo", catalogo.encode("processo", snapshot)),
        [catalogo.decode("movimento", catalogo.encode("movimento", m)) for m in movimentos],
    )


@pytest.fixture(scope="module")
def indexado(settings_factory: Callable[..., Settings]) -> Iterator[tuple[Settings, list[dict[str, Any]]]]:
    """The three processos indexed; yields the settings and the long one's movimentos, in timeline order."""
    settings = settings_factory()
    longo, movs_longo = _registros(_eventos(NUP_LONGO, LONGO))
    curto, movs_curto = _registros(_eventos(NUP_CURTO, CURTO))
    sigiloso, movs_sigiloso = _registros(_eventos(NUP_SIGILOSO, 5, NivelAcesso.SIGILOSO))
    assert sigiloso["publico"] is False
    processos, movimentos = settings.search.alias("processos"), settings.search.alias("movimentos")
    acoes = acoes_do_lote(
        [longo, curto, sigiloso],
        movs_longo + movs_curto,
        indice_processos=processos,
        indice_movimentos=movimentos,
    )
    # The hidden processo's movimentos, as if the delete after its tombstone had not run yet.
    publico = {**movs_curto[0], "nup": NUP_SIGILOSO.digitos}
    acoes += [
        Acao(movimentos, f"{m['id']}-s", documento_movimento({**publico, "id": f"{m['id']}-s"}))
        for m in movs_sigiloso
    ]
    es = make_search(settings.search)
    try:
        garantir_indices(es, settings.search)
        assert aplicar(es, acoes) == []
        es.indices.refresh(index=[processos, movimentos])
    finally:
        es.close()
    yield settings, sorted(movs_longo, key=lambda m: (m["ocorrido_em"], m["id"]))


@pytest.fixture(scope="module")
def api(indexado: tuple[Settings, list[dict[str, Any]]]) -> Iterator[TestClient]:
    with TestClient(create_app(indexado[0])) as client:
        yield client


def _url(nup: Nup) -> str:
    return f"/api/v1/processos/{nup.formatado}/movimentos"


def _percorrer(api: TestClient, *, ordem: str, tamanho: int) -> tuple[list[str], list[int], set[int]]:
    """Follow the cursors to the end: the ids in order, each page's size and the totals announced."""
    ids: list[str] = []
    tamanhos: list[int] = []
    totais: set[int] = set()
    cursor = None
    while True:
        params: dict[str, Any] = {"ordem": ordem, "tamanho": tamanho}
        if cursor:
            params["cursor"] = cursor
        resposta = api.get(_url(NUP_LONGO), params=params)
        assert resposta.status_code == 200, resposta.text
        corpo = resposta.json()
        ids += [m["id"] for m in corpo["items"]]
        tamanhos.append(len(corpo["items"]))
        totais.add(corpo["total"])
        cursor = corpo.get("proximo_cursor")
        if cursor is None:
            return ids, tamanhos, totais
        assert len(tamanhos) <= LONGO, "the cursor never ends"


@pytest.mark.parametrize(("ordem", "tamanho"), [("asc", 200), ("desc", 50), ("asc", 7)])
def test_the_pages_hold_every_movimento_once_in_order(
    api: TestClient, indexado: tuple[Settings, list[dict[str, Any]]], ordem: str, tamanho: int
) -> None:
    _, movimentos = indexado
    esperados = [m["id"] for m in movimentos]
    if ordem == "desc":
        esperados.reverse()

    ids, tamanhos, totais = _percorrer(api, ordem=ordem, tamanho=tamanho)

    assert len(ids) == len(set(ids)) == LONGO
    assert ids == esperados
    assert totais == {LONGO}
    assert all(t == tamanho for t in tamanhos[:-1]) and 0 < tamanhos[-1] <= tamanho


def test_a_page_has_the_public_fields_of_each_movimento(api: TestClient) -> None:
    corpo = api.get(_url(NUP_LONGO), params={"ordem": "desc", "tamanho": 1}).json()

    (ultimo,) = corpo["items"]
    assert ultimo["id"] == f"23000:M-{LONGO - 1}"
    assert ultimo["observacao"] == f"Encaminhamento número {LONGO - 1}"
    assert ultimo["unidade_destino"]["sigla"] == "CGLIC"
    assert datetime.fromisoformat(ultimo["ocorrido_em"]) == T0 + timedelta(
        minutes=20 * (1 + (LONGO - 1) // 2)
    )
    assert "processo_versao" not in ultimo and "assunto" not in ultimo


def test_the_processo_response_does_not_grow_with_its_movimentos(api: TestClient) -> None:
    longo = api.get(f"/api/v1/processos/{NUP_LONGO.formatado}")
    curto = api.get(f"/api/v1/processos/{NUP_CURTO.formatado}")

    assert longo.status_code == curto.status_code == 200
    assert "historico" not in longo.json()
    # Same shape, a thousand times the movements: only a few digits (versao, dates) may differ.
    assert len(longo.content) <= len(curto.content) + 50, (len(longo.content), len(curto.content))


def test_a_hidden_processo_serves_no_movimento_even_if_some_are_still_indexed(api: TestClient) -> None:
    resposta = api.get(_url(NUP_SIGILOSO))

    assert resposta.status_code == 404
    assert resposta.json()["detail"].startswith("Processo não encontrado")


@pytest.mark.parametrize(
    ("params", "detalhe"),
    [
        ({"ordem": "recentes"}, "ordem: use asc"),
        ({"tamanho": 0}, "tamanho: valor pequeno demais"),
        ({"tamanho": 201}, "tamanho: valor grande demais"),
        ({"cursor": "lixo"}, "cursor: inválido ou corrompido"),
    ],
)
def test_bad_input_is_a_422_in_portuguese(api: TestClient, params: dict[str, Any], detalhe: str) -> None:
    resposta = api.get(_url(NUP_LONGO), params=params)

    assert resposta.status_code == 422
    assert detalhe in resposta.json()["detail"]


def test_a_cursor_belongs_to_its_processo_and_order(api: TestClient) -> None:
    cursor = api.get(_url(NUP_LONGO), params={"ordem": "desc", "tamanho": 10}).json()["proximo_cursor"]

    outra_ordem = api.get(_url(NUP_LONGO), params={"ordem": "asc", "cursor": cursor})
    outro_processo = api.get(_url(NUP_CURTO), params={"ordem": "desc", "cursor": cursor})
    outro_tamanho = api.get(_url(NUP_LONGO), params={"ordem": "desc", "tamanho": 5, "cursor": cursor})

    assert outra_ordem.status_code == outro_processo.status_code == 422
    assert "pertence a outra consulta" in outra_ordem.json()["detail"]
    assert outro_tamanho.status_code == 200
    assert outro_tamanho.json()["items"][0]["id"] == f"23000:M-{LONGO - 11}"


def test_another_nup_format_redirects_to_the_canonical_route(api: TestClient) -> None:
    resposta = api.get(f"/api/v1/processos/{NUP_LONGO.digitos}/movimentos?ordem=desc", follow_redirects=False)

    assert resposta.status_code == 301
    assert resposta.headers["location"] == f"{_url(NUP_LONGO)}?ordem=desc"


def _linha(html: str) -> list[str]:
    return re.findall(r'<time datetime="([^"]+)"', html)


def test_the_portal_pages_the_timeline_newest_first_without_javascript(
    api: TestClient, indexado: tuple[Settings, list[dict[str, Any]]]
) -> None:
    _, movimentos = indexado
    instantes = [m["ocorrido_em"] for m in reversed(movimentos)]
    pagina = api.get(f"/processos/{NUP_LONGO.formatado}")
    vistos: list[str] = []
    for numero in range(3):
        assert pagina.status_code == 200
        assert "3000 movimentações" in pagina.text
        linha = _linha(pagina.text)
        assert len(linha) == 50
        vistos += linha
        assert f'start="{LONGO - 50 * numero}"' in pagina.text
        link = re.search(r'<a href="([^"]+)" rel="next">Movimentações anteriores</a>', pagina.text)
        assert link is not None
        pagina = api.get(link.group(1).replace("&amp;", "&"))
    assert [datetime.fromisoformat(v) for v in vistos] == instantes[:150]
    assert "Voltar às movimentações mais recentes" in pagina.text


def test_the_portal_answers_a_forged_cursor_with_a_pt_br_page(api: TestClient) -> None:
    resposta = api.get(f"/processos/{NUP_LONGO.formatado}", params={"cursor": "x"})

    assert resposta.status_code == 422
    assert "O link das movimentações anteriores é inválido" in resposta.text


def test_the_feed_has_the_newest_movimentos(
    api: TestClient, indexado: tuple[Settings, list[dict[str, Any]]]
) -> None:
    _, movimentos = indexado

    feed = feedparser.parse(api.get(f"/processos/{NUP_LONGO.formatado}/feed.atom").content)

    assert feed.bozo is False
    assert len(feed.entries) == 50
    esperados = [m["ocorrido_em"] for m in reversed(movimentos)][:50]
    assert [datetime.fromisoformat(e.updated) for e in feed.entries] == esperados
